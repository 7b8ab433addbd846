/* \summary: IPv6 headers and extension-header chains (RFC 8200), jumbograms
 * (RFC 2675), atomic fragments (RFC 6946) */
#include "config.h"

#include <string.h>

#include "decode/decode_int.h"

/* RFC 8200 section 3: version/class/label (4), payload length (2), next
 * header, hop limit, source, destination. */
/* Section 4: most extension headers count their length in 8-octet units
 * beyond the first 8; AH (RFC 4302) in 4-octet units beyond the first 8. */
#define IPV6_EXT_UNIT       8
#define IPV6_AH_UNIT        4
#define IPV6_FRAG_OFF_MASK  0xfff8   /* offset, already in bytes */
#define IPV6_FRAG_MORE      0x0001
#define IPV6_RH_TYPE0       0        /* deprecated by RFC 5095 */
/* RFC 2675: the Jumbo Payload option of the hop-by-hop header. */
#define IPV6_OPT_PAD1       0
#define IPV6_OPT_JUMBO      0xc2
#define IPV6_OPT_JUMBO_LEN  4

struct ipv6_hdr {
	uint32_t vtf;
	uint16_t plen;
	uint8_t nh, hlim;
	const uint8_t *src, *dst;
};

static bool ipv6_read(struct cur c, struct ipv6_hdr *h)
{
	return cur_be32(&c, &h->vtf) && cur_be16(&c, &h->plen) && cur_u8(&c, &h->nh) &&
	       cur_u8(&c, &h->hlim) && cur_bytes(&c, IPV6_ADDR_BYTES, &h->src) &&
	       cur_bytes(&c, IPV6_ADDR_BYTES, &h->dst);
}

/* The jumbo payload length from a hop-by-hop header at c, or 0. */
static uint32_t jumbo_length(struct cur c)
{
	uint8_t nh, len, type, optlen;
	uint32_t jumbo = 0;
	struct cur opts;

	if (!cur_u8(&c, &nh) || !cur_u8(&c, &len) ||
	    !cur_sub(&c, (size_t)(len + 1) * IPV6_EXT_UNIT - 2, &opts))
		return 0;
	while (cur_u8(&opts, &type)) {
		if (type == IPV6_OPT_PAD1)
			continue;
		if (!cur_u8(&opts, &optlen))
			return 0;
		if (type == IPV6_OPT_JUMBO && optlen == IPV6_OPT_JUMBO_LEN)
			return cur_be32(&opts, &jumbo) ? jumbo : 0;
		if (!cur_skip(&opts, optlen))
			return 0;
	}
	return 0;
}

/* An extension header that does not fit: in the packet's own length, or only in the capture. */
static bool ext_fits(struct dstate *st, const struct layer *l, uint32_t n)
{
	if (n > l->wire) {
		decode_anomaly(st, "truncated_header");
		return false;
	}
	if (n > cur_left(&l->c)) {
		decode_anomaly(st, "internally_truncated_header");
		return false;
	}
	return true;
}

/*
 * A fragment header at l; hdr is the packet from its IPv6 header, off the
 * offset of the fragment header in it and nh_off that of the next-header
 * byte that named it. Answers true when decoding goes on past the fragment
 * header (an atomic fragment, or a first fragment cut by the snap length);
 * *nh is then the next header.
 */
static bool ipv6_fragment(struct dstate *st, struct cur hdr, uint32_t off, uint16_t nh_off,
			  struct layer *l, uint8_t *nh)
{
	struct decoded *out = st->out;
	uint16_t offlg;
	uint32_t id;
	struct frag_in f;
	struct cur whole;
	struct layer w;

	if (!ext_fits(st, l, IPV6_FRAG_HDR_BYTES) || !cur_peek_u8(&l->c, 0, nh) ||
	    !cur_peek_be16(&l->c, 2, &offlg) || !cur_peek_be32(&l->c, 4, &id)) {
		out->ip.proto = IPPROTO_NUM_FRAGMENT;
		return false;
	}
	layer_skip(l, IPV6_FRAG_HDR_BYTES);
	if ((offlg & (IPV6_FRAG_OFF_MASK | IPV6_FRAG_MORE)) == 0)
		return true;
	out->ip.proto = *nh;
	out->fragment = true;
	if (cur_left(&l->c) < l->wire) {
		decode_anomaly(st, "incompletely_captured_fragment");
		if (offlg & IPV6_FRAG_OFF_MASK)
			return false;
		out->fragment = false;
		return true;
	}
	memset(&f, 0, sizeof(f));
	f.version = 6;
	f.proto = *nh;
	f.src = out->ip.src;
	f.dst = out->ip.dst;
	f.id = id;
	f.offset = offlg & IPV6_FRAG_OFF_MASK;
	f.more = (offlg & IPV6_FRAG_MORE) != 0;
	f.total_len = out->ip_bytes;
	f.nh_off = nh_off;
	f.data = l->c;
	if (!cur_sub(&hdr, off, &f.unfrag) || !frag_add(st, &f, &whole))
		return false;
	out->fragment = false;
	out->reassembled = true;
	w.c = whole;
	w.wire = (uint32_t)cur_left(&whole);
	decode_ipv6(st, w);
	return false;
}

/* The length of the extension header nh at l, checked against both
 * lengths; *next is the header after it. */
static bool ext_header(struct dstate *st, const struct layer *l, uint8_t nh, uint8_t *next,
		       uint32_t *hlen)
{
	uint8_t len, rh_type;

	if (!ext_fits(st, l, 2) || !cur_peek_u8(&l->c, 0, next) || !cur_peek_u8(&l->c, 1, &len))
		return false;
	if (nh == IPPROTO_NUM_AH)
		*hlen = ((uint32_t)len + 2) * IPV6_AH_UNIT;
	else
		*hlen = ((uint32_t)len + 1) * IPV6_EXT_UNIT;
	if (!ext_fits(st, l, *hlen))
		return false;
	if (nh == IPPROTO_NUM_ROUTING && cur_peek_u8(&l->c, 2, &rh_type) && rh_type == IPV6_RH_TYPE0)
		decode_anomaly(st, "routing0_hdr");
	return true;
}

static bool is_ext_header(uint8_t nh)
{
	return nh == IPPROTO_NUM_HOPOPTS || nh == IPPROTO_NUM_ROUTING || nh == IPPROTO_NUM_DSTOPTS ||
	       nh == IPPROTO_NUM_AH || nh == IPPROTO_NUM_FRAGMENT;
}

/* Walks the extension headers to the transport; hdr is the packet from its
 * IPv6 header. The loop consumes at least 8 bytes a turn and stops after
 * DECODE_MAX_IPV6_EXT headers. */
static void ipv6_chain(struct dstate *st, struct cur hdr, uint8_t nh, struct layer l)
{
	uint32_t off = IPV6_HDR_BYTES, hlen;
	uint16_t nh_off = IPV6_NH_OFF;
	uint8_t next;

	for (unsigned n = 0; is_ext_header(nh); n++) {
		if (n >= DECODE_MAX_IPV6_EXT) {
			decode_anomaly(st, "ipv6_ext_chain_too_long");
			st->out->ip.proto = nh;
			return;
		}
		if (nh == IPPROTO_NUM_FRAGMENT) {
			if (!ipv6_fragment(st, hdr, off, nh_off, &l, &next))
				return;
			hlen = IPV6_FRAG_HDR_BYTES;
		} else {
			if (!ext_header(st, &l, nh, &next, &hlen)) {
				st->out->ip.proto = nh;
				return;
			}
			layer_skip(&l, hlen);
		}
		nh_off = (uint16_t)off;
		off += hlen;
		nh = next;
	}
	/* the transport, or ESP / no next header, where the chain ends */
	decode_transport(st, nh, l);
}

void decode_ipv6(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	struct ipv6_hdr h;
	uint32_t total;
	struct cur hdr;

	if (!ipv6_read(l.c, &h)) {
		decode_anomaly(st, "truncated_IP");
		return;
	}
	total = IPV6_HDR_BYTES + (uint32_t)h.plen;
	if (h.plen == 0 && h.nh == IPPROTO_NUM_HOPOPTS) {
		struct cur after = l.c;
		uint32_t jumbo;

		cur_skip(&after, IPV6_HDR_BYTES);
		jumbo = jumbo_length(after);
		if (jumbo != 0 && jumbo <= UINT32_MAX - IPV6_HDR_BYTES)
			total = IPV6_HDR_BYTES + jumbo;
	}
	if (total > l.wire) {
		decode_anomaly(st, "truncated_IP_len");
		return;
	}
	layer_trim(&l, total);
	memset(&out->ip, 0, sizeof(out->ip));
	out->ip.version = 6;
	out->ip.proto = h.nh;
	memcpy(out->ip.src, h.src, IPV6_ADDR_BYTES);
	memcpy(out->ip.dst, h.dst, IPV6_ADDR_BYTES);
	out->ttl = h.hlim;
	out->ip_bytes = total;
	hdr = l.c;
	layer_skip(&l, IPV6_HDR_BYTES);
	ipv6_chain(st, hdr, h.nh, l);
}
