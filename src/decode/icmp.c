/* \summary: ICMP (RFC 792) and ICMPv6 (RFC 4443) headers: type and code */
#include "config.h"

#include "decode/decode_int.h"

/* Zeek's ICMP_MINLEN: type, code, checksum and the 4-byte rest of header. */

void decode_icmp(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	uint8_t type, code;

	if (l.wire < ICMP_HDR_BYTES) {
		decode_anomaly(st, "truncated_header");
		return;
	}
	if (cur_left(&l.c) < ICMP_HDR_BYTES || !cur_peek_u8(&l.c, 0, &type) || !cur_peek_u8(&l.c, 1, &code)) {
		decode_anomaly(st, "internally_truncated_header");
		return;
	}
	/* the flow key of ICMP: type and code stand for the ports */
	out->icmp_type = type;
	out->icmp_code = code;
	out->ip.sport = type;
	out->ip.dport = code;
	out->l4_ok = true;
	layer_skip(&l, ICMP_HDR_BYTES);
	decode_payload(out, l);
}
