/* \summary: PPP (RFC 1661, HDLC-like framing RFC 1662), PPPoE sessions (RFC 2516)
 * and Cisco HDLC */
#include "config.h"

#include "decode/decode_int.h"

/* RFC 1662 section 3.1: all-stations address and unnumbered-information control. */
#define PPP_ADDRESS        0xff
#define PPP_CONTROL        0x03
/* RFC 1661 section 2: PPP protocol numbers; an odd first byte means a
 * one-byte (compressed, section 6.5) protocol field. */
#define PPP_PROTO_MPLS     0x0281
#define PPP_PROTO_MPLS_MC  0x0283
/* RFC 2516 section 4: VER/TYPE, CODE, SESSION_ID, LENGTH, then the PPP protocol. */
#define PPPOE_HDR_BYTES    6
#define PPPOE_VER_TYPE     0x11
#define PPPOE_CODE_SESSION 0x00
/* Cisco HDLC: address, control, then an EtherType. */
#define CHDLC_HDR_BYTES    4

static void ppp_protocol(struct dstate *st, uint16_t proto, struct layer l)
{
	switch (proto) {
	case PPP_PROTO_IPV4:
	case PPP_PROTO_IPV6:
		decode_ip(st, l);
		break;
	case PPP_PROTO_MPLS:
	case PPP_PROTO_MPLS_MC:
		decode_mpls(st, l);
		break;
	default:
		/* LCP, IPCP, CCP, ...: control traffic */
		break;
	}
}

void decode_ppp(struct dstate *st, struct layer l)
{
	uint8_t a, c, hi, lo;
	uint16_t proto;

	if (cur_peek_u8(&l.c, 0, &a) && cur_peek_u8(&l.c, 1, &c) && a == PPP_ADDRESS && c == PPP_CONTROL)
		layer_skip(&l, 2);
	if (!cur_peek_u8(&l.c, 0, &hi)) {
		decode_anomaly(st, "truncated_ppp_serial_header");
		return;
	}
	if (hi & 1) {
		proto = hi;
		layer_skip(&l, 1);
	} else {
		if (!cur_peek_u8(&l.c, 1, &lo)) {
			decode_anomaly(st, "truncated_ppp_serial_header");
			return;
		}
		proto = (uint16_t)(hi << 8 | lo);
		layer_skip(&l, 2);
	}
	ppp_protocol(st, proto, l);
}

void decode_pppoe(struct dstate *st, struct layer l)
{
	uint8_t vt, code;
	uint16_t length, proto;

	if (!cur_peek_u8(&l.c, 0, &vt) || !cur_peek_u8(&l.c, 1, &code) || !cur_peek_be16(&l.c, 4, &length) ||
	    !cur_peek_be16(&l.c, PPPOE_HDR_BYTES, &proto)) {
		decode_anomaly(st, "truncated_pppoe_header");
		return;
	}
	if (vt != PPPOE_VER_TYPE || code != PPPOE_CODE_SESSION)
		return;
	layer_skip(&l, PPPOE_HDR_BYTES);
	/* the length covers the PPP protocol field and payload; Ethernet pads after it */
	if (length <= l.wire)
		layer_trim(&l, length);
	if (layer_skip(&l, 2))
		ppp_protocol(st, proto, l);
}

void decode_chdlc(struct dstate *st, struct layer l)
{
	uint16_t type;

	if (!cur_peek_be16(&l.c, 2, &type)) {
		decode_anomaly(st, "truncated_link_header");
		return;
	}
	layer_skip(&l, CHDLC_HDR_BYTES);
	decode_ethertype(st, type, l);
}
