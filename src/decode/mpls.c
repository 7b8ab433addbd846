/* \summary: MPLS label stacks (RFC 3032) and what they carry: IP, or an
 * Ethernet pseudowire behind a control word (RFC 4448) */
#include "config.h"

#include "decode/decode_int.h"

/* RFC 3032 section 2.1: label (20 bits), TC (3), bottom of stack S (1), TTL (8). */
#define MPLS_LSE_BYTES     4
#define MPLS_BOTTOM_BIT    0x00000100u
/* RFC 4385/4448: the PW control word begins with nibble 0. */
#define PW_CONTROL_WORD_BYTES 4

/* RFC 3032 does not name the payload; look at its first nibble, as
 * Wireshark and Zeek do. */
static void mpls_payload(struct dstate *st, struct layer l)
{
	uint8_t first;

	if (!cur_peek_u8(&l.c, 0, &first))
		return;
	switch (first >> 4) {
	case IP_VERSION_4:
	case IP_VERSION_6:
		decode_ip(st, l);
		break;
	case 0:
		if (layer_skip(&l, PW_CONTROL_WORD_BYTES))
			decode_ethernet(st, l);
		break;
	default:
		decode_anomaly(st, "unknown_ip_version");
		break;
	}
}

void decode_mpls(struct dstate *st, struct layer l)
{
	uint32_t lse;

	do {
		if (!decode_link_push(st, "mpls_stack_too_deep"))
			return;
		if (!cur_be32(&l.c, &lse)) {
			decode_anomaly(st, "truncated_link_header");
			return;
		}
		l.wire -= MPLS_LSE_BYTES;
		if (st->out->n_mpls < UINT8_MAX)
			st->out->n_mpls++;
	} while (!(lse & MPLS_BOTTOM_BIT));
	mpls_payload(st, l);
}
