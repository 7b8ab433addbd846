/* \summary: SCTP common headers (RFC 9260 section 3.1): the ports */
#include "config.h"

#include "decode/decode_int.h"

/* Source port, destination port, verification tag, checksum. */

void decode_sctp(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	uint16_t sport, dport;

	if (l.wire < SCTP_HDR_BYTES) {
		decode_anomaly(st, "truncated_header");
		return;
	}
	if (cur_left(&l.c) < SCTP_HDR_BYTES || !cur_peek_be16(&l.c, 0, &sport) ||
	    !cur_peek_be16(&l.c, 2, &dport)) {
		decode_anomaly(st, "internally_truncated_header");
		return;
	}
	out->ip.sport = sport;
	out->ip.dport = dport;
	out->l4_ok = true;
	layer_skip(&l, SCTP_HDR_BYTES);
	decode_payload(out, l);
}
