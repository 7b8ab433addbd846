/* \summary: GRE (RFC 2784, key and sequence RFC 2890), enhanced GRE of PPTP
 * (RFC 2637), transparent Ethernet bridging and ERSPAN types I-III */
#include "config.h"

#include "decode/decode_int.h"

/* RFC 2784 section 2 / RFC 1701 flags; RFC 2637 section 4.1 for version 1. */
#define GRE_BASE_BYTES      4
#define GRE_OPT_BYTES       4         /* checksum+reserved, key, sequence, ack */
#define GRE_FLAG_CSUM       0x8000
#define GRE_FLAG_ROUTING    0x4000    /* RFC 1701 source routing, deprecated */
#define GRE_FLAG_KEY        0x2000
#define GRE_FLAG_SEQ        0x1000
#define GRE_FLAG_ACK        0x0080    /* version 1 only */
#define GRE_FLAGS_RESERVED  0x0078
#define GRE_VERSION_MASK    0x0007
#define GRE_PROTO_PPP       0x880b    /* enhanced GRE carries PPP */
#define GRE_PROTO_ERSPAN    0x88be    /* ERSPAN type I, or II with a sequence number */
#define GRE_PROTO_ERSPAN3   0x22eb
/* ERSPAN (draft-foschiano-erspan): type II header 8 bytes, type III 12,
 * plus an 8-byte platform subheader when the O bit (last bit) is set. */
#define ERSPAN2_HDR_BYTES   8
#define ERSPAN3_HDR_BYTES   12
#define ERSPAN3_SUB_BYTES   8
#define ERSPAN3_FLAG_O      0x01
/* PPTP's PPP: address, control, protocol. */
#define PPTP_PPP_HDR_BYTES  4

static uint32_t gre_header_len(uint16_t flags)
{
	uint32_t len = GRE_BASE_BYTES;

	if (flags & GRE_FLAG_CSUM)
		len += GRE_OPT_BYTES;
	if (flags & GRE_FLAG_KEY)
		len += GRE_OPT_BYTES;
	if (flags & GRE_FLAG_SEQ)
		len += GRE_OPT_BYTES;
	if (flags & GRE_FLAG_ACK)
		len += GRE_OPT_BYTES;
	return len;
}

/* What follows a version-0 header: *skip bytes of ERSPAN, then inner/arg. */
static bool gre_v0_payload(struct dstate *st, uint16_t flags, uint16_t proto, const struct layer *l,
			   uint32_t hdr, uint32_t *skip, enum tunnel_inner *inner, uint16_t *arg)
{
	uint8_t erspan_flags;

	*skip = 0;
	*inner = INNER_ETHERNET;
	switch (proto) {
	case ETHERTYPE_TEB:
		break;
	case GRE_PROTO_ERSPAN:
		if (flags & GRE_FLAG_SEQ)
			*skip = ERSPAN2_HDR_BYTES;
		break;
	case GRE_PROTO_ERSPAN3:
		*skip = ERSPAN3_HDR_BYTES;
		if (!cur_peek_u8(&l->c, hdr + ERSPAN3_HDR_BYTES - 1, &erspan_flags)) {
			decode_anomaly(st, "truncated_GRE");
			return false;
		}
		if (erspan_flags & ERSPAN3_FLAG_O)
			*skip += ERSPAN3_SUB_BYTES;
		break;
	case ETHERTYPE_IPV4:
		*inner = INNER_IP;
		*arg = 4;
		return true;
	case ETHERTYPE_IPV6:
		*inner = INNER_IP;
		*arg = 6;
		return true;
	default:
		*inner = INNER_ETHERTYPE;
		*arg = proto;
		return true;
	}
	/* a bridged frame needs at least its Ethernet header */
	if (l->wire <= hdr + *skip + ETH_HDR_BYTES) {
		decode_anomaly(st, "truncated_GRE");
		return false;
	}
	return true;
}

/* Version 1 (PPTP) carries PPP; only IP inside it is decoded, as Zeek does. */
static bool gre_v1_payload(struct dstate *st, uint16_t proto, const struct layer *l, uint32_t hdr,
			   uint32_t *skip, enum tunnel_inner *inner, uint16_t *arg)
{
	uint16_t ppp;

	if (proto != GRE_PROTO_PPP) {
		decode_anomaly(st, "egre_protocol_type");
		return false;
	}
	if (!cur_peek_be16(&l->c, hdr + 2, &ppp)) {
		decode_anomaly(st, "truncated_GRE");
		return false;
	}
	if (ppp != PPP_PROTO_IPV4 && ppp != PPP_PROTO_IPV6) {
		decode_anomaly(st, "non_ip_packet_in_encap");
		return false;
	}
	*skip = PPTP_PPP_HDR_BYTES;
	*inner = INNER_IP;
	*arg = ppp == PPP_PROTO_IPV4 ? 4 : 6;
	return true;
}

void decode_gre(struct dstate *st, struct layer l)
{
	uint16_t flags, proto, arg = 0;
	uint32_t hdr, skip;
	enum tunnel_inner inner;
	bool ok;

	/* not decapsulated, GRE is a flow of its own without ports */
	st->out->l4_ok = true;
	decode_payload(st->out, l);
	if (!cur_peek_be16(&l.c, 0, &flags) || !cur_peek_be16(&l.c, 2, &proto)) {
		decode_anomaly(st, "truncated_GRE");
		return;
	}
	if ((flags & GRE_VERSION_MASK) > 1) {
		decode_anomaly(st, "unknown_gre_version");
		return;
	}
	hdr = gre_header_len(flags);
	if ((flags & GRE_VERSION_MASK) == 0)
		ok = gre_v0_payload(st, flags, proto, &l, hdr, &skip, &inner, &arg);
	else
		ok = gre_v1_payload(st, proto, &l, hdr, &skip, &inner, &arg);
	if (!ok)
		return;
	if (flags & GRE_FLAG_ROUTING) {
		decode_anomaly(st, "gre_routing");
		return;
	}
	if (flags & GRE_FLAGS_RESERVED) {
		decode_anomaly(st, "unknown_gre_flags");
		return;
	}
	if (!layer_skip(&l, hdr + skip)) {
		decode_anomaly(st, "truncated_GRE");
		return;
	}
	decode_tunnel(st, TUNNEL_GRE, inner, arg, l);
}
