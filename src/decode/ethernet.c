/* \summary: Ethernet II and IEEE 802.3/802.2 LLC/SNAP framing, EtherType dispatch,
 * IEEE 802.1Q/802.1ad VLAN tag stacks, 802.1ah PBB and Cisco VN-Tag */
#include "config.h"

#include <string.h>

#include "decode/decode_int.h"

/* IEEE 802.3 clause 3.1: destination, source, EtherType or length. */
/* IEEE 802.1Q clause 9.6: TCI (PCP 3 bits, DEI 1, VID 12), then the EtherType. */
#define VLAN_TAG_BYTES   4
#define VLAN_VID_MASK    0x0fff
/* IEEE 802.2 LLC: DSAP, SSAP, control; RFC 1042 SNAP: OUI (3), EtherType. */
#define LLC_SAP_SNAP     0xaa
#define LLC_CTRL_UI      0x03
#define SNAP_HDR_BYTES   8        /* LLC (3) + OUI (3) + EtherType (2) */
/* IEEE 802.1ah: the I-tag (flags + 24-bit I-SID), then a whole customer frame. */
#define PBB_ITAG_BYTES   4
/* Cisco VN-Tag: 4 bytes of tag, then the EtherType. */
#define VNTAG_BYTES      4

/* Takes one VLAN tag; *type becomes the EtherType (or 802.3 length) after it. */
static bool vlan_tag(struct dstate *st, struct layer *l, uint16_t *type)
{
	struct decoded *out = st->out;
	uint16_t tci, vid;

	if (!decode_link_push(st, "vlan_stack_too_deep"))
		return false;
	if (!cur_peek_be16(&l->c, 0, &tci) || !cur_peek_be16(&l->c, 2, type)) {
		decode_anomaly(st, "truncated_VLAN_header");
		return false;
	}
	layer_skip(l, VLAN_TAG_BYTES);
	vid = tci & VLAN_VID_MASK;
	/* Zeek's vlan and inner_vlan: the first tag, and the last one after it */
	if (out->n_vlans == 0)
		out->vlan = vid;
	else
		out->inner_vlan = vid;
	if (out->n_vlans < UINT8_MAX)
		out->n_vlans++;
	return true;
}

/* An IEEE 802.3 frame whose type field was a length: the rest is LLC. */
static void ieee8023(struct dstate *st, uint16_t length, struct layer l)
{
	if (length > l.wire) {
		decode_anomaly(st, "truncated_ethernet_frame");
		return;
	}
	layer_trim(&l, length);
	decode_llc(st, l);
}

void decode_llc(struct dstate *st, struct layer l)
{
	uint8_t dsap, ssap, ctrl;
	uint32_t oui;
	uint16_t type;

	/* only SNAP with an EtherType carries IP; other SAPs (STP, NetBIOS, IPX) do not */
	if (!cur_peek_u8(&l.c, 0, &dsap) || !cur_peek_u8(&l.c, 1, &ssap) || !cur_peek_u8(&l.c, 2, &ctrl) ||
	    dsap != LLC_SAP_SNAP || ssap != LLC_SAP_SNAP || ctrl != LLC_CTRL_UI)
		return;
	if (!cur_peek_be32(&l.c, 2, &oui) || !cur_peek_be16(&l.c, 6, &type))
		return;
	/* RFC 1042 (OUI 0) and 802.1H bridge tunnel (00-00-f8) encapsulate EtherTypes */
	oui &= 0x00ffffff;
	if (oui != 0 && oui != 0x0000f8)
		return;
	layer_skip(&l, SNAP_HDR_BYTES);
	decode_ethertype(st, type, l);
}

void decode_ethernet(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	const uint8_t *dst, *src;
	uint16_t type;

	if (cur_left(&l.c) < ETH_HDR_BYTES) {
		decode_anomaly(st, "truncated_ethernet_frame");
		return;
	}
	if (!cur_bytes(&l.c, ETH_ADDR_BYTES, &dst) || !cur_bytes(&l.c, ETH_ADDR_BYTES, &src) ||
	    !cur_be16(&l.c, &type))
		return;
	l.wire -= ETH_HDR_BYTES;
	/* the frame's outermost addresses, as its VLAN ids */
	if (!out->has_l2_addrs) {
		out->has_l2_addrs = true;
		memcpy(out->l2_dst, dst, ETH_ADDR_BYTES);
		memcpy(out->l2_src, src, ETH_ADDR_BYTES);
	}
	decode_ethertype(st, type, l);
}

/* A PBB I-tag, then a customer frame with its own addresses. */
static void pbb(struct dstate *st, struct layer l)
{
	if (!layer_skip(&l, PBB_ITAG_BYTES)) {
		decode_anomaly(st, "truncated_link_header");
		return;
	}
	decode_ethernet(st, l);
}

void decode_ethertype(struct dstate *st, uint16_t type, struct layer l)
{
	/* a loop, not recursion, so that tag stacks cost no stack */
	for (;;) {
		if (type <= ETH_8023_MAX_LEN) {
			ieee8023(st, type, l);
			return;
		}
		switch (type) {
		case ETHERTYPE_IPV4:
		case ETHERTYPE_IPV6:
			decode_ip(st, l);
			return;
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD1:
		case ETHERTYPE_QINQ_OLD2:
			if (!vlan_tag(st, &l, &type))
				return;
			continue;
		case ETHERTYPE_VNTAG:
			if (!decode_link_push(st, "link_stack_too_deep"))
				return;
			if (!layer_skip(&l, VNTAG_BYTES) || !cur_be16(&l.c, &type)) {
				decode_anomaly(st, "truncated_link_header");
				return;
			}
			l.wire -= 2;
			continue;
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			decode_mpls(st, l);
			return;
		case ETHERTYPE_PPPOE_SESS:
			if (decode_link_push(st, "link_stack_too_deep"))
				decode_pppoe(st, l);
			return;
		case ETHERTYPE_TEB:
			if (decode_link_push(st, "link_stack_too_deep"))
				decode_ethernet(st, l);
			return;
		case ETHERTYPE_PBB:
			if (decode_link_push(st, "link_stack_too_deep"))
				pbb(st, l);
			return;
		default:
			if (type < ETHERTYPE_MIN)
				decode_anomaly(st, "undefined_ether_type");
			/* ARP, LLDP, ...: not IP, and not an anomaly */
			return;
		}
	}
}
