/* \summary: pcapng block reader (draft-ietf-opsawg-pcapng; Apple and Wireshark extensions) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capfile/capfile_int.h"
#include "capfile/pcapng_const.h"

#define SHB_MIN_BODY 16u    /* magic, major, minor, section length */
#define IDB_MIN_BODY 8u     /* linktype, reserved, snaplen */
#define EPB_MIN_BODY 20u    /* iface, ts hi, ts lo, caplen, origlen */
#define PB_MIN_BODY  20u    /* iface u16, drops u16, ts hi, ts lo, caplen, origlen */
#define SPB_MIN_BODY 4u     /* origlen */
#define ISB_MIN_BODY 12u    /* iface, ts hi, ts lo */
#define DSB_MIN_BODY 8u     /* type, length */
#define CB_MIN_BODY  4u     /* PEN */
#define DPIB_MIN_BODY 4u    /* pid */
#define IF_FILTER_STRING 0  /* if_filter type byte: libpcap filter string */

bool pcapng_magic(const uint8_t m[4])
{
	return m[0] == 0x0A && m[1] == 0x0D && m[2] == 0x0D && m[3] == 0x0A;
}

static uint32_t pad4(uint32_t n) { return (n + 3u) & ~3u; }

static enum cap_status bad_block(struct cap_record *rec, const char *why)
{
	rec->kind = CAP_REC_BAD_BLOCK;
	rec->bad_reason = why;
	return CAP_OK;
}

/* Copies a string option into a fresh allocation, capped. */
static char *opt_strdup(const struct cap_opt *opt)
{
	char buf[CAP_MAX_STRING_BYTES];

	cap_opt_str(opt, buf, sizeof(buf));
	return strdup(buf);
}

static void set_string(char **dst, const struct cap_opt *opt)
{
	free(*dst);
	*dst = opt_strdup(opt);
}

static enum cap_status read_shb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	struct cap_section *sec = &rec->u.section;
	uint32_t magic;
	uint64_t sec_len;

	if (!cur_u32_e(&body, cf->sec_be, &magic) || !cur_u16_e(&body, cf->sec_be, &sec->major) ||
	    !cur_u16_e(&body, cf->sec_be, &sec->minor) || !cur_u64_e(&body, cf->sec_be, &sec_len))
		return capfile_fail(cf, CAP_CORRUPT, rec->offset,
				    "corrupt at offset %llu: section header block too short",
				    (unsigned long long)rec->offset);
	/* A different major version means a format we cannot know. */
	if (sec->major != 1)
		return capfile_fail(cf, CAP_CORRUPT, rec->offset,
				    "corrupt at offset %llu: unsupported pcapng version %u.%u",
				    (unsigned long long)rec->offset, sec->major, sec->minor);
	sec->big_endian = cf->sec_be;
	sec->section_length = (int64_t)sec_len;
	rec->kind = CAP_REC_SECTION;
	rec->options = body;
	cf->sections++;
	cf->sec_first_if = cf->n_ifs;
	rec->section = cf->sections - 1;
	return CAP_OK;
}

static void idb_option(struct cap_interface *ifc, const struct cap_opt *o, bool be, bool *bad)
{
	struct cur v = o->val;
	uint64_t u64;
	uint8_t u8;

	switch (o->code) {
	case PCAPNG_IF_NAME: set_string(&ifc->name, o); break;
	case PCAPNG_IF_DESCRIPTION: set_string(&ifc->description, o); break;
	case PCAPNG_IF_OS: set_string(&ifc->os, o); break;
	case PCAPNG_IF_HARDWARE: set_string(&ifc->hardware, o); break;
	case PCAPNG_IF_FILTER:
		if (cur_u8(&v, &u8) && u8 == IF_FILTER_STRING) {
			struct cap_opt s = { o->code, v };
			set_string(&ifc->filter, &s);
		}
		break;
	case PCAPNG_IF_TSRESOL:
		if (cur_left(&o->val) != 1 || !cur_u8(&v, &ifc->tsresol)) {
			*bad = true;
			break;
		}
		ifc->tsresol_set = true;
		break;
	case PCAPNG_IF_TSOFFSET:
		if (cur_left(&o->val) != 8 || !cur_u64_e(&v, be, &u64)) {
			*bad = true;
			break;
		}
		ifc->tsoffset_s = (int64_t)u64;
		break;
	case PCAPNG_IF_FCSLEN:
		if (cur_left(&o->val) != 1 || !cur_u8(&v, &ifc->fcslen)) {
			*bad = true;
			break;
		}
		ifc->fcslen_set = true;
		break;
	case PCAPNG_IF_SPEED:
		if (cur_left(&o->val) != 8 || !cur_u64_e(&v, be, &ifc->speed_bps))
			*bad = true;
		break;
	default:
		break;
	}
}

static enum cap_status read_idb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	struct cap_interface *ifc;
	struct cap_opt opt;
	struct cur opts;
	uint16_t linktype, reserved;
	uint32_t snaplen, idx;

	if (!cur_u16_e(&body, cf->sec_be, &linktype) || !cur_u16_e(&body, cf->sec_be, &reserved) ||
	    !cur_u32_e(&body, cf->sec_be, &snaplen))
		return bad_block(rec, "interface description block too short");
	ifc = capfile_add_interface(cf, &idx);
	if (ifc == NULL)
		return capfile_fail(cf, CAP_CORRUPT, rec->offset,
				    "corrupt at offset %llu: more than %u interfaces",
				    (unsigned long long)rec->offset, CAP_MAX_INTERFACES);
	ifc->linktype = linktype;
	ifc->snaplen = snaplen;
	rec->options = body;
	opts = body;
	while (cap_opt_next(&opts, cf->sec_be, &opt, &rec->options_bad))
		idb_option(ifc, &opt, cf->sec_be, &rec->options_bad);
	if (cap_tsresol_units(ifc->tsresol) == 0) {
		/* Unusable resolution: keep reading, in the default µs. */
		rec->options_bad = true;
		ifc->tsresol = 6;
	}
	capfile_set_clock(cf, idx);
	rec->kind = CAP_REC_INTERFACE;
	rec->u.iface = ifc;
	return CAP_OK;
}

static void packet_option(struct cap_packet *pkt, const struct cap_opt *o, bool be, bool *bad)
{
	struct cur v = o->val;

	switch (o->code) {
	case PCAPNG_OPT_COMMENT:
		pkt->n_comments++;
		break;
	case PCAPNG_OPT_CUSTOM_STR_COPY:
	case PCAPNG_OPT_CUSTOM_BIN_COPY:
	case PCAPNG_OPT_CUSTOM_STR_NOCOPY:
	case PCAPNG_OPT_CUSTOM_BIN_NOCOPY:
		pkt->n_custom_opts++;
		break;
	case PCAPNG_EPB_FLAGS:
		pkt->has_flags = cur_left(&o->val) == 4 && cur_u32_e(&v, be, &pkt->flags);
		*bad |= !pkt->has_flags;
		break;
	case PCAPNG_EPB_DROPCOUNT:
		pkt->has_dropcount = cur_left(&o->val) == 8 && cur_u64_e(&v, be, &pkt->dropcount);
		*bad |= !pkt->has_dropcount;
		break;
	case PCAPNG_EPB_PACKETID:
		pkt->has_packetid = cur_left(&o->val) == 8 && cur_u64_e(&v, be, &pkt->packetid);
		*bad |= !pkt->has_packetid;
		break;
	case PCAPNG_EPB_PID_TID:
		pkt->has_pid = cur_left(&o->val) == 8 && cur_u32_e(&v, be, &pkt->pid) &&
			       cur_u32_e(&v, be, &pkt->tid);
		*bad |= !pkt->has_pid;
		break;
	default:
		if (o->code >= PCAPNG_DARWIN_EPB_PIB_INDEX && o->code <= PCAPNG_DARWIN_EPB_COMP_GENCNT) {
			pkt->n_darwin_opts++;
			if (o->code == PCAPNG_DARWIN_EPB_PIB_INDEX)
				pkt->has_darwin_pib = cur_left(&o->val) == 4 &&
						      cur_u32_e(&v, be, &pkt->darwin_pib);
			else if (o->code == PCAPNG_DARWIN_EPB_E_PIB_INDEX)
				pkt->has_darwin_epib = cur_left(&o->val) == 4 &&
						       cur_u32_e(&v, be, &pkt->darwin_epib);
		}
		break;
	}
}

/* Maps a section-relative interface id to the global table. */
static bool section_iface(const struct capfile *cf, uint32_t id, uint32_t *global)
{
	if (id >= cf->n_ifs - cf->sec_first_if)
		return false;
	*global = cf->sec_first_if + id;
	return true;
}

static enum cap_status finish_packet(struct capfile *cf, struct cap_record *rec, struct cur *body,
				     uint32_t id, uint64_t ts_units)
{
	struct cap_packet *pkt = &rec->u.pkt;
	struct cap_opt opt;
	struct cur opts;

	if (!section_iface(cf, id, &pkt->iface))
		return bad_block(rec, "packet refers to an interface not declared in its section");
	if (pkt->caplen > cur_left(body) || !cur_bytes(body, pkt->caplen, &pkt->data))
		return bad_block(rec, "captured length exceeds the block");
	cur_skip(body, pad4(pkt->caplen) - pkt->caplen);  /* padding may be missing at the end */
	pkt->has_ts = true;
	pkt->ts_ns = capfile_ts_ns(cf, pkt->iface, ts_units);
	rec->kind = CAP_REC_PACKET;
	rec->options = *body;
	opts = *body;
	while (cap_opt_next(&opts, cf->sec_be, &opt, &rec->options_bad))
		packet_option(pkt, &opt, cf->sec_be, &rec->options_bad);
	return CAP_OK;
}

static enum cap_status read_epb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	struct cap_packet *pkt = &rec->u.pkt;
	uint32_t id, hi, lo;

	if (!cur_u32_e(&body, cf->sec_be, &id) || !cur_u32_e(&body, cf->sec_be, &hi) ||
	    !cur_u32_e(&body, cf->sec_be, &lo) || !cur_u32_e(&body, cf->sec_be, &pkt->caplen) ||
	    !cur_u32_e(&body, cf->sec_be, &pkt->origlen))
		return bad_block(rec, "enhanced packet block too short");
	return finish_packet(cf, rec, &body, id, (uint64_t)hi << 32 | lo);
}

static enum cap_status read_pb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	struct cap_packet *pkt = &rec->u.pkt;
	uint16_t id, drops;
	uint32_t hi, lo;

	if (!cur_u16_e(&body, cf->sec_be, &id) || !cur_u16_e(&body, cf->sec_be, &drops) ||
	    !cur_u32_e(&body, cf->sec_be, &hi) || !cur_u32_e(&body, cf->sec_be, &lo) ||
	    !cur_u32_e(&body, cf->sec_be, &pkt->caplen) ||
	    !cur_u32_e(&body, cf->sec_be, &pkt->origlen))
		return bad_block(rec, "packet block too short");
	if (drops != 0xFFFF) {
		pkt->has_dropcount = true;
		pkt->dropcount = drops;
	}
	return finish_packet(cf, rec, &body, id, (uint64_t)hi << 32 | lo);
}

static enum cap_status read_spb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	struct cap_packet *pkt = &rec->u.pkt;
	const struct cap_interface *ifc;
	uint32_t caplen;

	if (!cur_u32_e(&body, cf->sec_be, &pkt->origlen))
		return bad_block(rec, "simple packet block too short");
	if (!section_iface(cf, 0, &pkt->iface))
		return bad_block(rec, "simple packet block before any interface");
	ifc = &cf->ifs[pkt->iface];
	caplen = pkt->origlen;
	if (ifc->snaplen != 0 && caplen > ifc->snaplen)
		caplen = ifc->snaplen;
	/* The block must hold all of them (as Wireshark and libpcap check):
	 * cutting to the block would hand out its padding as packet bytes. */
	if (caplen > cur_left(&body))
		return bad_block(rec, "simple packet block shorter than its captured length");
	pkt->caplen = caplen;
	cur_bytes(&body, caplen, &pkt->data);
	rec->kind = CAP_REC_PACKET;
	return CAP_OK;
}

static enum cap_status read_isb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	uint32_t id, hi, lo;

	if (!cur_u32_e(&body, cf->sec_be, &id) || !cur_u32_e(&body, cf->sec_be, &hi) ||
	    !cur_u32_e(&body, cf->sec_be, &lo))
		return bad_block(rec, "interface statistics block too short");
	if (!section_iface(cf, id, &rec->u.stats.iface))
		return bad_block(rec, "statistics for an interface not declared in its section");
	rec->u.stats.ts_ns = capfile_ts_ns(cf, rec->u.stats.iface, (uint64_t)hi << 32 | lo);
	rec->kind = CAP_REC_STATS;
	rec->options = body;
	return CAP_OK;
}

static enum cap_status read_nrb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	/* Records share the option layout, but their type 0 (nrb_record_end)
	 * ends only the records: the block's options follow it, so they
	 * cannot be walked with cap_opt_next(), which stops at code 0. */
	struct cur c = body;
	uint16_t type, len;
	bool bad = false;

	while (cur_left(&c) >= 4) {
		cur_u16_e(&c, cf->sec_be, &type);
		cur_u16_e(&c, cf->sec_be, &len);
		/* the last record may omit its padding at the end of the block */
		if (!cur_skip(&c, pad4(len)) && !cur_skip(&c, len)) {
			bad = true;
			break;
		}
		if (type == PCAPNG_NRB_END) {
			rec->options = c;
			break;
		}
	}
	rec->kind = CAP_REC_NAMES;
	rec->options_bad = bad;
	return CAP_OK;
}

static enum cap_status read_dsb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	uint32_t len;

	if (!cur_u32_e(&body, cf->sec_be, &rec->u.secrets.type) ||
	    !cur_u32_e(&body, cf->sec_be, &len))
		return bad_block(rec, "decryption secrets block too short");
	if (!cur_sub(&body, len, &rec->u.secrets.data))
		return bad_block(rec, "secrets length exceeds the block");
	cur_skip(&body, pad4(len) - len);
	rec->kind = CAP_REC_SECRETS;
	rec->options = body;
	return CAP_OK;
}

static enum cap_status read_cb(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	if (!cur_u32_e(&body, cf->sec_be, &rec->u.custom.pen))
		return bad_block(rec, "custom block too short");
	rec->u.custom.copyable = rec->block_type == PCAPNG_BT_CB_COPY;
	/* Only the data's owner knows where options would start. */
	rec->u.custom.data = body;
	rec->kind = CAP_REC_CUSTOM;
	return CAP_OK;
}

static enum cap_status read_dpib(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	if (!cur_u32_e(&body, cf->sec_be, &rec->u.darwin_pid))
		return bad_block(rec, "process information block too short");
	rec->kind = CAP_REC_DARWIN_PROCESS;
	rec->options = body;
	return CAP_OK;
}

static enum cap_status dispatch(struct capfile *cf, struct cap_record *rec, struct cur body)
{
	switch (rec->block_type) {
	case PCAPNG_BT_SHB: return read_shb(cf, rec, body);
	case PCAPNG_BT_IDB: return read_idb(cf, rec, body);
	case PCAPNG_BT_EPB: return read_epb(cf, rec, body);
	case PCAPNG_BT_PB: return read_pb(cf, rec, body);
	case PCAPNG_BT_SPB: return read_spb(cf, rec, body);
	case PCAPNG_BT_ISB: return read_isb(cf, rec, body);
	case PCAPNG_BT_NRB: return read_nrb(cf, rec, body);
	case PCAPNG_BT_DSB: return read_dsb(cf, rec, body);
	case PCAPNG_BT_CB_COPY:
	case PCAPNG_BT_CB_NOCOPY: return read_cb(cf, rec, body);
	case PCAPNG_BT_DARWIN_PIB: return read_dpib(cf, rec, body);
	default:
		rec->kind = CAP_REC_OTHER;
		return CAP_OK;
	}
}

/* Reads type and length; an SHB also fixes the byte order of what follows. */
static enum cap_status read_block_header(struct capfile *cf, uint64_t off, uint32_t *type,
					 uint32_t *len)
{
	const uint8_t *p;
	struct cur c;
	uint32_t magic;
	enum cap_status st = capfile_need(cf, 8, &p);

	*type = *len = 0;
	if (st != CAP_OK)
		return st;
	c = cur_make(p, 8);
	cur_u32_e(&c, cf->sec_be, type);
	if (*type == PCAPNG_BT_SHB) {
		st = capfile_need(cf, 12, &p);
		if (st != CAP_OK)
			return st == CAP_END ? CAP_TRUNCATED : st;
		c = cur_make(p + 8, 4);
		if (cur_peek_u32_e(&c, true, &magic) && magic == PCAPNG_BYTE_ORDER_MAGIC)
			cf->sec_be = true;
		else if (cur_peek_u32_e(&c, false, &magic) && magic == PCAPNG_BYTE_ORDER_MAGIC)
			cf->sec_be = false;
		else
			return capfile_fail(cf, CAP_CORRUPT, off,
					    "corrupt at offset %llu: section header with a bad byte-order magic",
					    (unsigned long long)off);
		c = cur_make(p + 4, 4);
	} else if (cf->sections == 0) {
		return capfile_fail(cf, CAP_CORRUPT, off, "corrupt at offset %llu: block before any section header",
				    (unsigned long long)off);
	} else {
		c = cur_make(p + 4, 4);
	}
	cur_u32_e(&c, cf->sec_be, len);
	return CAP_OK;
}

enum cap_status pcapng_read_next(struct capfile *cf, struct cap_record *rec)
{
	uint64_t off = source_offset(cf->src);
	uint32_t type, len, trailer;
	const uint8_t *p;
	struct cur c;
	enum cap_status st = read_block_header(cf, off, &type, &len);

	if (st != CAP_OK)
		return st;
	if (len < PCAPNG_BLOCK_OVERHEAD || len % 4 != 0 || len > CAP_MAX_BLOCK_BYTES)
		return capfile_fail(cf, CAP_CORRUPT, off,
				    "corrupt at offset %llu: block of type 0x%08x has an impossible length %u",
				    (unsigned long long)off, type, len);
	st = capfile_need(cf, len, &p);
	if (st != CAP_OK)
		return st == CAP_END ? CAP_TRUNCATED : st;
	c = cur_make(p + len - 4, 4);
	cur_u32_e(&c, cf->sec_be, &trailer);
	if (trailer != len)
		return capfile_fail(cf, CAP_CORRUPT, off,
				    "corrupt at offset %llu: block length %u does not match its trailer %u",
				    (unsigned long long)off, len, trailer);
	rec->block_type = type;
	rec->offset = off;
	rec->length = len;
	rec->big_endian = cf->sec_be;
	rec->section = cf->sections ? cf->sections - 1 : 0;
	rec->body = cur_make(p + 8, len - PCAPNG_BLOCK_OVERHEAD);
	st = dispatch(cf, rec, rec->body);
	if (st == CAP_OK)
		source_advance(cf->src, len);
	return st;
}
