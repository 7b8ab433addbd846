/* \summary: Apple PKTAP headers (LINKTYPE_PKTAP 258): the process behind each
 * packet, then the packet in its own link type. Layout of struct pktap_header
 * and struct pktap_v2_hdr from Apple's xnu bsd/net/pktap.h; fields in the
 * byte order of the capturing host, little-endian on every Mac. */
#include "config.h"

#include <string.h>

#include "decode/decode_int.h"

/* Version 1, struct pktap_header (156 bytes today; tcpdump accepts 108,
 * which ends after pth_ecomm and its padding). */
#define PTH_V1_MIN_BYTES      108
#define PTH_V1_TYPE_NEXT_OFF  4
#define PTH_V1_DLT_OFF        8
#define PTH_V1_PID_OFF        52
#define PTH_V1_COMM_OFF       56
#define PTH_V1_EPID_OFF       84
#define PTH_V1_ECOMM_OFF      88
#define PTH_TYPE_PACKET       1        /* pth_type_next: packet data follows */
/* Version 2, struct pktap_v2_hdr: a byte length, byte offsets of strings. */
#define PTH_V2_MIN_BYTES      40
#define PTH_V2_COMM_OFF_OFF   4        /* pth_comm_offset */
#define PTH_V2_ECOMM_OFF_OFF  5        /* pth_e_comm_offset */
#define PTH_V2_DLT_OFF        6        /* 16 bits */
#define PTH_V2_PID_OFF        28
#define PTH_V2_EPID_OFF       32
/* pth_flags sits at the same place in both versions. */
#define PTH_FLAGS_OFF         36
#define PTH_FLAG_V2_HDR       0x00080000u
#define PTH_COMM_BYTES        17       /* MAXCOMLEN + 1 */

/* Copies a process name of at most PTH_COMM_BYTES, stopping at NUL. */
static void pth_comm(const struct cur *hdr, size_t off, char *out, size_t outlen)
{
	struct cur t = *hdr;
	size_t n = 0;
	uint8_t ch;

	if (!cur_skip(&t, off))
		return;
	while (n < PTH_COMM_BYTES && n + 1 < outlen && cur_u8(&t, &ch) && ch != 0)
		out[n++] = (char)ch;
	out[n] = '\0';
}

/* Answers false when the header is malformed; *more when a packet follows it. */
static bool pktap_v1(struct dstate *st, const struct cur *hdr, uint32_t *dlt, bool *more)
{
	struct decoded *out = st->out;
	uint32_t type_next;

	if (cur_left(hdr) < PTH_V1_MIN_BYTES || !cur_peek_le32(hdr, PTH_V1_TYPE_NEXT_OFF, &type_next) ||
	    !cur_peek_le32(hdr, PTH_V1_DLT_OFF, dlt) || !cur_peek_le32(hdr, PTH_V1_PID_OFF, &out->pktap_pid) ||
	    !cur_peek_le32(hdr, PTH_V1_EPID_OFF, &out->pktap_epid)) {
		decode_anomaly(st, "bad_pktap_header");
		return false;
	}
	pth_comm(hdr, PTH_V1_COMM_OFF, out->pktap_comm, sizeof(out->pktap_comm));
	pth_comm(hdr, PTH_V1_ECOMM_OFF, out->pktap_ecomm, sizeof(out->pktap_ecomm));
	*more = type_next == PTH_TYPE_PACKET;
	return true;
}

static bool pktap_v2(struct dstate *st, const struct cur *hdr, uint32_t *dlt, bool *more)
{
	struct decoded *out = st->out;
	uint8_t comm_off, ecomm_off;
	uint16_t dlt16;

	if (cur_left(hdr) < PTH_V2_MIN_BYTES || !cur_peek_u8(hdr, PTH_V2_COMM_OFF_OFF, &comm_off) ||
	    !cur_peek_u8(hdr, PTH_V2_ECOMM_OFF_OFF, &ecomm_off) ||
	    !cur_peek_le16(hdr, PTH_V2_DLT_OFF, &dlt16) ||
	    !cur_peek_le32(hdr, PTH_V2_PID_OFF, &out->pktap_pid) ||
	    !cur_peek_le32(hdr, PTH_V2_EPID_OFF, &out->pktap_epid)) {
		decode_anomaly(st, "bad_pktap_header");
		return false;
	}
	*dlt = dlt16;
	/* offset 0 means the string is absent; the header bounds every string */
	if (comm_off != 0)
		pth_comm(hdr, comm_off, out->pktap_comm, sizeof(out->pktap_comm));
	if (ecomm_off != 0)
		pth_comm(hdr, ecomm_off, out->pktap_ecomm, sizeof(out->pktap_ecomm));
	*more = true;
	return true;
}

void decode_pktap(struct dstate *st, struct layer l)
{
	struct decoded *out = st->out;
	struct cur hdr;
	uint32_t flags, hdr_len, dlt = 0;
	uint8_t len8 = 0;
	bool ok, more = false;

	if (!cur_peek_le32(&l.c, PTH_FLAGS_OFF, &flags) || !cur_peek_le32(&l.c, 0, &hdr_len)) {
		decode_anomaly(st, "truncated_pktap_header");
		return;
	}
	if (flags & PTH_FLAG_V2_HDR) {
		cur_peek_u8(&l.c, 0, &len8);
		hdr_len = len8;
	}
	if (!cur_sub(&l.c, hdr_len, &hdr)) {
		decode_anomaly(st, "bad_pktap_header");
		return;
	}
	l.wire -= hdr_len;
	ok = (flags & PTH_FLAG_V2_HDR) ? pktap_v2(st, &hdr, &dlt, &more) :
					 pktap_v1(st, &hdr, &dlt, &more);
	if (!ok) {
		out->pktap_pid = out->pktap_epid = 0;
		return;
	}
	out->has_pktap = true;
	out->pktap_flags = flags;
	if (more)
		decode_link(st, dlt, l, false);
}
