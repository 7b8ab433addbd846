/* \summary: UDP headers (RFC 768) and the tunnels found on UDP ports */
#include "config.h"

#include "decode/decode_int.h"

/* RFC 768: source port, destination port, length, checksum. */

void decode_udp(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	uint16_t sport, dport, ulen;
	uint32_t ip_len = l.wire;

	if (l.wire < UDP_HDR_BYTES) {
		decode_anomaly(st, "truncated_header");
		return;
	}
	if (!cur_peek_be16(&l.c, 0, &sport) || !cur_peek_be16(&l.c, 2, &dport) ||
	    !cur_peek_be16(&l.c, 4, &ulen) || cur_left(&l.c) < UDP_HDR_BYTES) {
		decode_anomaly(st, "internally_truncated_header");
		return;
	}
	out->ip.sport = sport;
	out->ip.dport = dport;
	out->l4_ok = true;
	layer_skip(&l, UDP_HDR_BYTES);
	if (ulen != ip_len) {
		decode_anomaly(st, "UDP_datagram_length_mismatch");
		/* Zeek counts the UDP length; the IP length bounds what is read */
		if (ulen >= UDP_HDR_BYTES && ulen < ip_len)
			layer_trim(&l, ulen - UDP_HDR_BYTES);
	}
	decode_payload(out, l);
	if (ulen > ip_len)
		out->payload_len = ulen - UDP_HDR_BYTES;
	if (!decode_vxlan(st, sport, dport, l))
		decode_teredo(st, sport, dport, l);
}
