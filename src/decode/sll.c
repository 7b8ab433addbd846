/* \summary: Linux "cooked" capture headers SLL (LINKTYPE_LINUX_SLL 113) and
 * SLL2 (LINKTYPE_LINUX_SLL2 276), https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html */
#include "config.h"

#include <string.h>

#include "decode/decode_int.h"

/* SLL: packet type, ARPHRD type, address length, address (8), protocol. */
#define SLL_HDR_BYTES     16
/* SLL2: protocol, reserved, ifindex (4), ARPHRD, packet type, address length, address (8). */
#define SLL2_HDR_BYTES    20
#define SLL_ADDR_BYTES    8
/* Protocol values that are not EtherTypes (linux/if_ether.h). */
#define SLL_PROTO_802_2   0x0004   /* an IEEE 802.2 LLC frame follows */
/* ARPHRD types whose protocol field is not an EtherType (linux/if_arp.h). */
#define ARPHRD_NETLINK    824

/* SLL has the sender's address only; Zeek reports the receiver as zeros. */
static void sll_addr(struct decoded *out, uint8_t addr_len, const uint8_t *addr)
{
	if (addr_len != ETH_ADDR_BYTES || out->has_l2_addrs)
		return;
	out->has_l2_addrs = true;
	memcpy(out->l2_src, addr, ETH_ADDR_BYTES);
	memset(out->l2_dst, 0, ETH_ADDR_BYTES);
}

static void sll_payload(struct dstate *st, uint16_t arphrd, uint16_t proto, struct layer l)
{
	if (arphrd == ARPHRD_NETLINK)
		return;
	if (proto == SLL_PROTO_802_2)
		decode_llc(st, l);
	else if (proto >= ETHERTYPE_MIN)
		decode_ethertype(st, proto, l);
}

void decode_sll(struct dstate *st, struct layer l)
{
	uint16_t arphrd, addr_len, proto;
	const uint8_t *addr;

	if (cur_left(&l.c) < SLL_HDR_BYTES) {
		decode_anomaly(st, "truncated_Linux_SLL_header");
		return;
	}
	/* the packet type (to us, broadcast, outgoing...) is not needed */
	if (!cur_skip(&l.c, 2) || !cur_be16(&l.c, &arphrd) || !cur_be16(&l.c, &addr_len) ||
	    !cur_bytes(&l.c, SLL_ADDR_BYTES, &addr) || !cur_be16(&l.c, &proto))
		return;
	l.wire -= SLL_HDR_BYTES;
	sll_addr(st->out, (uint8_t)(addr_len > SLL_ADDR_BYTES ? 0 : addr_len), addr);
	sll_payload(st, arphrd, proto, l);
}

void decode_sll2(struct dstate *st, struct layer l)
{
	uint16_t proto, arphrd;
	uint8_t addr_len;
	const uint8_t *addr;

	if (cur_left(&l.c) < SLL2_HDR_BYTES) {
		decode_anomaly(st, "truncated_Linux_SLL2_header");
		return;
	}
	/* reserved and ifindex (6 bytes), packet type (1) are not needed */
	if (!cur_be16(&l.c, &proto) || !cur_skip(&l.c, 6) ||
	    !cur_be16(&l.c, &arphrd) || !cur_skip(&l.c, 1) || !cur_u8(&l.c, &addr_len) ||
	    !cur_bytes(&l.c, SLL_ADDR_BYTES, &addr))
		return;
	l.wire -= SLL2_HDR_BYTES;
	sll_addr(st->out, addr_len, addr);
	sll_payload(st, arphrd, proto, l);
}
