/* \summary: TCP headers and options (RFC 9293 section 3.1) */
#include "config.h"

#include "decode/decode_int.h"

/* RFC 9293 section 3.1: ports, sequence, acknowledgment, data offset and
 * flags, window, checksum, urgent pointer; options up to 40 bytes. */
#define TCP_OFF_SHIFT       12
#define TCP_OFF_UNIT        4
#define TCP_FLAGS_MASK      0x00ff     /* FIN SYN RST PSH ACK URG ECE CWR */
/* Section 3.2: option kinds with no length byte. */
#define TCP_OPT_EOL         0
#define TCP_OPT_NOP         1
#define TCP_OPT_MIN_LEN     2          /* kind and length bytes */

struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t off_flags, win, csum, urg;
};

static bool tcp_read(struct cur c, struct tcp_hdr *h)
{
	return cur_be16(&c, &h->sport) && cur_be16(&c, &h->dport) && cur_be32(&c, &h->seq) &&
	       cur_be32(&c, &h->ack) && cur_be16(&c, &h->off_flags) && cur_be16(&c, &h->win) &&
	       cur_be16(&c, &h->csum) && cur_be16(&c, &h->urg);
}

/* Walks the options: an option length of 0 or 1 would never end a naive
 * loop; here every turn consumes at least one byte. */
static bool tcp_options_ok(struct cur opts)
{
	uint8_t kind, len;

	while (cur_u8(&opts, &kind)) {
		if (kind == TCP_OPT_EOL)
			return true;
		if (kind == TCP_OPT_NOP)
			continue;
		if (!cur_u8(&opts, &len) || len < TCP_OPT_MIN_LEN ||
		    !cur_skip(&opts, (size_t)len - TCP_OPT_MIN_LEN))
			return false;
	}
	return true;
}

void decode_tcp(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	struct tcp_hdr h;
	struct cur fixed_and_opts, opts;
	uint32_t hdr_len;

	if (l.wire < TCP_MIN_HDR_BYTES) {
		decode_anomaly(st, "truncated_header");
		return;
	}
	if (!tcp_read(l.c, &h)) {
		decode_anomaly(st, "internally_truncated_header");
		return;
	}
	out->ip.sport = h.sport;
	out->ip.dport = h.dport;
	out->tcp_seq = h.seq;
	out->tcp_ack = h.ack;
	out->tcp_win = h.win;
	out->tcp_flags = (uint8_t)(h.off_flags & TCP_FLAGS_MASK);
	hdr_len = (uint32_t)(h.off_flags >> TCP_OFF_SHIFT) * TCP_OFF_UNIT;
	if (hdr_len < TCP_MIN_HDR_BYTES) {
		decode_anomaly(st, "bad_TCP_header_len");
		return;
	}
	if (hdr_len > l.wire || hdr_len > cur_left(&l.c)) {
		decode_anomaly(st, "truncated_header");
		return;
	}
	fixed_and_opts = l.c;
	if (!cur_skip(&fixed_and_opts, TCP_MIN_HDR_BYTES) ||
	    !cur_sub(&fixed_and_opts, hdr_len - TCP_MIN_HDR_BYTES, &opts))
		return;
	if (!tcp_options_ok(opts))
		decode_anomaly(st, "corrupt_tcp_options");
	layer_skip(&l, hdr_len);
	out->l4_ok = true;
	decode_payload(out, l);
}
