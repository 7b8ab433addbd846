/* \summary: Teredo (RFC 4380): IPv6 in UDP, with the authentication and
 * origin indication headers, validated as Zeek does before decapsulating */
#include "config.h"

#include "decode/decode_int.h"

/* RFC 4380 section 5.1.1: indicator type 1, client id length, auth value
 * length, client id, auth value, nonce (8), confirmation (1). */
#define TEREDO_PORT          3544
#define TEREDO_AUTH_TYPE     0x0001
#define TEREDO_AUTH_FIXED    13
/* Section 5.1.2: indicator type 0, obscured port (2), obscured IPv4 (4). */
#define TEREDO_ORIGIN_TYPE   0x0000
#define TEREDO_ORIGIN_BYTES  8
/* Section 2.6: the Teredo service prefix 2001:0000::/32. */
#define TEREDO_PREFIX        0x20010000u

enum teredo_kind {
	TEREDO_NOT,        /* not a Teredo packet */
	TEREDO_BUBBLE,     /* an IPv6 header without payload: keeps NAT state, no flow */
	TEREDO_PACKET,     /* an IPv6 packet to decode */
};

/* Strips the optional headers; *had_hdrs tells whether there were any. */
static bool teredo_strip(struct dstate *st, struct layer *l, bool report, bool *had_hdrs)
{
	uint16_t tag;
	uint8_t id_len, au_len;

	*had_hdrs = false;
	if (cur_peek_be16(&l->c, 0, &tag) && tag == TEREDO_AUTH_TYPE) {
		if (!cur_peek_u8(&l->c, 2, &id_len) || !cur_peek_u8(&l->c, 3, &au_len) ||
		    !layer_skip(l, TEREDO_AUTH_FIXED + (size_t)id_len + au_len)) {
			if (report)
				decode_anomaly(st, "truncated_Teredo_authentication");
			return false;
		}
		*had_hdrs = true;
	}
	if (cur_peek_be16(&l->c, 0, &tag) && tag == TEREDO_ORIGIN_TYPE) {
		if (!layer_skip(l, TEREDO_ORIGIN_BYTES)) {
			if (report)
				decode_anomaly(st, "truncated_Teredo_origin_indication");
			return false;
		}
		*had_hdrs = true;
	}
	return true;
}

/* The inner IPv6 header must account for exactly the rest of the datagram. */
static enum teredo_kind teredo_inner(const struct layer *l)
{
	uint8_t first, nh;
	uint16_t plen;
	uint32_t total;

	if (cur_left(&l->c) < IPV6_HDR_BYTES || !cur_peek_u8(&l->c, 0, &first) || (first >> 4) != 6 ||
	    !cur_peek_be16(&l->c, 4, &plen) || !cur_peek_u8(&l->c, 6, &nh))
		return TEREDO_NOT;
	total = IPV6_HDR_BYTES + (uint32_t)plen;
	if (plen == 0 && nh == IPPROTO_NUM_NONE && total <= l->wire)
		return TEREDO_BUBBLE;
	return total == l->wire ? TEREDO_PACKET : TEREDO_NOT;
}

static bool teredo_prefix(const struct cur *c)
{
	uint32_t src, dst;

	return cur_peek_be32(c, IPV6_SRC_OFF, &src) && cur_peek_be32(c, IPV6_DST_OFF, &dst) &&
	       (src == TEREDO_PREFIX || dst == TEREDO_PREFIX);
}

bool decode_teredo(struct dstate *st, uint16_t sport, uint16_t dport, struct layer l)
{
	bool on_port = sport == TEREDO_PORT || dport == TEREDO_PORT, had_hdrs;
	enum teredo_kind kind;

	if (cur_left(&l.c) < IPV6_HDR_BYTES)
		return false;
	if (!teredo_strip(st, &l, on_port, &had_hdrs))
		return false;
	/* off its port, take it for Teredo only on Zeek's signs: the optional
	 * headers, or a Teredo address inside */
	if (!on_port && !had_hdrs && !teredo_prefix(&l.c))
		return false;
	kind = teredo_inner(&l);
	if (kind == TEREDO_NOT) {
		if (on_port && cur_left(&l.c) < IPV6_HDR_BYTES)
			decode_anomaly(st, "truncated_IPv6_in_Teredo");
		return false;
	}
	/* a bubble stays the UDP flow that carries it */
	if (kind == TEREDO_BUBBLE)
		return true;
	decode_tunnel(st, TUNNEL_TEREDO, INNER_IP, 6, l);
	return true;
}
