/* \summary: IPv4 headers (RFC 791), with Zeek's length checks and names */
#include "config.h"

#include <string.h>

#include "decode/decode_int.h"

/* RFC 791 section 3.1. */
#define IPV4_IHL_MASK       0x0f
#define IPV4_IHL_UNIT       4
#define IPV4_FLAG_DF        0x4000
#define IPV4_FLAG_MF        0x2000
#define IPV4_OFFSET_MASK    0x1fff
#define IPV4_OFFSET_UNIT    8

struct ipv4_hdr {
	uint8_t vhl, tos, ttl, proto;
	uint16_t total, id, frag, csum;
	const uint8_t *src, *dst;
};

static bool ipv4_read(struct cur c, struct ipv4_hdr *h)
{
	return cur_u8(&c, &h->vhl) && cur_u8(&c, &h->tos) && cur_be16(&c, &h->total) &&
	       cur_be16(&c, &h->id) && cur_be16(&c, &h->frag) && cur_u8(&c, &h->ttl) &&
	       cur_u8(&c, &h->proto) && cur_be16(&c, &h->csum) &&
	       cur_bytes(&c, IPV4_ADDR_BYTES, &h->src) && cur_bytes(&c, IPV4_ADDR_BYTES, &h->dst);
}

/* Zeek's order of checks (packet_analysis/protocol/ip/IP.cc), so that a
 * broken header gets the name Zeek gives it. Answers the total length. */
static bool ipv4_lengths(struct dstate *st, const struct ipv4_hdr *h, const struct layer *l,
			 uint32_t *total, uint32_t *ihl)
{
	uint32_t captured = (uint32_t)cur_left(&l->c);

	*total = h->total;
	if (*total == 0) {
		/* segmentation offload zeroes it; Zeek -C takes what was captured */
		decode_anomaly(st, "ip_hdr_len_zero");
		*total = captured;
	}
	if (*total > l->wire) {
		decode_anomaly(st, "truncated_IP_len");
		return false;
	}
	*ihl = (uint32_t)(h->vhl & IPV4_IHL_MASK) * IPV4_IHL_UNIT;
	if (*ihl > *total) {
		decode_anomaly(st, "invalid_IP_header_size");
		return false;
	}
	if (*ihl > captured) {
		decode_anomaly(st, "internally_truncated_header");
		return false;
	}
	if (*ihl < IPV4_MIN_HDR_BYTES) {
		decode_anomaly(st, "IPv4_min_header_size");
		return false;
	}
	return true;
}

static void ipv4_fragment(struct dstate *st, const struct ipv4_hdr *h, struct layer l,
			  uint32_t ihl, uint32_t total)
{
	struct decoded *out = st->out;
	struct frag_in f;
	struct cur whole;
	uint8_t src[16] = { 0 }, dst[16] = { 0 };

	out->fragment = true;
	if (cur_left(&l.c) < total) {
		/* cut by the snap length: reassembly is hopeless; Zeek still
		 * reads the first fragment for its headers */
		decode_anomaly(st, "incompletely_captured_fragment");
		if ((h->frag & IPV4_OFFSET_MASK) != 0)
			return;
		out->fragment = false;
		layer_skip(&l, ihl);
		decode_transport(st, h->proto, l);
		return;
	}
	memcpy(src, h->src, IPV4_ADDR_BYTES);
	memcpy(dst, h->dst, IPV4_ADDR_BYTES);
	memset(&f, 0, sizeof(f));
	f.version = 4;
	f.proto = h->proto;
	f.src = src;
	f.dst = dst;
	f.id = h->id;
	f.offset = (uint32_t)(h->frag & IPV4_OFFSET_MASK) * IPV4_OFFSET_UNIT;
	f.more = (h->frag & IPV4_FLAG_MF) != 0;
	f.df = (h->frag & IPV4_FLAG_DF) != 0;
	f.total_len = total;
	f.data = l.c;
	if (!cur_sub(&f.data, ihl, &f.unfrag) || !frag_add(st, &f, &whole))
		return;
	out->fragment = false;
	out->reassembled = true;
	l.c = whole;
	l.wire = (uint32_t)cur_left(&whole);
	decode_ipv4(st, l);
}

void decode_ipv4(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	struct ipv4_hdr h;
	uint32_t total, ihl;

	if (!ipv4_read(l.c, &h)) {
		decode_anomaly(st, "truncated_IP");
		return;
	}
	if (!ipv4_lengths(st, &h, &l, &total, &ihl))
		return;
	/* trust the IP length over the capture: Ethernet pads short frames */
	layer_trim(&l, total);
	memset(&out->ip, 0, sizeof(out->ip));
	out->ip.version = 4;
	out->ip.proto = h.proto;
	memcpy(out->ip.src, h.src, IPV4_ADDR_BYTES);
	memcpy(out->ip.dst, h.dst, IPV4_ADDR_BYTES);
	out->ttl = h.ttl;
	out->ip_bytes = total;
	if (h.frag & (IPV4_FLAG_MF | IPV4_OFFSET_MASK)) {
		ipv4_fragment(st, &h, l, ihl, total);
		return;
	}
	layer_skip(&l, ihl);
	decode_transport(st, h.proto, l);
}
