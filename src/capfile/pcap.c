/* \summary: classic libpcap file format reader (pcap-savefile(5); Kuznetzov "modified" variant) */
#include "config.h"

#include <string.h>

#include "capfile/capfile_int.h"
#include "util/units.h"

/* File header: magic, version major/minor, thiszone, sigfigs, snaplen, linktype. */
#define PCAP_FILE_HEADER_BYTES 24u
/* Record header: ts sec, ts frac, caplen, len (+ ifindex, protocol, pkt_type, pad). */
#define PCAP_RECORD_HEADER_BYTES 16u
#define PCAP_KUZNETZOV_EXTRA_BYTES 8u

#define PCAP_MAGIC_USEC      0xa1b2c3d4u
#define PCAP_MAGIC_NSEC      0xa1b23c4du
#define PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u

/* The linktype field carries the FCS length in its top bits (pcap-savefile(5)). */
#define PCAP_LINKTYPE_MASK     0x03FFFFFFu
#define PCAP_FCS_PRESENT       0x04000000u
#define PCAP_FCS_SHIFT         28


bool pcap_magic(const uint8_t m[4], bool *big_endian, enum cap_pcap_variant *variant)
{
	struct cur c = cur_make(m, 4);
	uint32_t be_val, le_val;
	static const struct { uint32_t magic; enum cap_pcap_variant v; } magics[] = {
		{ PCAP_MAGIC_USEC, CAP_PCAP_USEC },
		{ PCAP_MAGIC_NSEC, CAP_PCAP_NSEC },
		{ PCAP_MAGIC_KUZNETZOV, CAP_PCAP_KUZNETZOV },
	};

	cur_peek_u32_e(&c, true, &be_val);
	cur_peek_u32_e(&c, false, &le_val);
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		if (be_val == magics[i].magic || le_val == magics[i].magic) {
			*big_endian = be_val == magics[i].magic;
			*variant = magics[i].v;
			return true;
		}
	}
	return false;
}

static enum cap_status pcap_read_header(struct capfile *cf, struct cap_record *rec)
{
	const uint8_t *p;
	struct cur c;
	uint32_t magic, thiszone, sigfigs;
	enum cap_status st = capfile_need(cf, PCAP_FILE_HEADER_BYTES, &p);

	if (st == CAP_END)
		st = capfile_fail(cf, CAP_TRUNCATED, 0, "truncated at offset 0: no complete pcap file header");
	if (st != CAP_OK)
		return st;
	c = cur_make(p, PCAP_FILE_HEADER_BYTES);
	cur_u32_e(&c, cf->pcap_be, &magic);
	cur_u16_e(&c, cf->pcap_be, &cf->pcap_major);
	cur_u16_e(&c, cf->pcap_be, &cf->pcap_minor);
	cur_u32_e(&c, cf->pcap_be, &thiszone);
	cur_u32_e(&c, cf->pcap_be, &sigfigs);
	cur_u32_e(&c, cf->pcap_be, &cf->pcap_snaplen);
	cur_u32_e(&c, cf->pcap_be, &cf->pcap_linktype);
	if (cf->pcap_major != 2)
		return capfile_fail(cf, CAP_CORRUPT, 0,
				    "unsupported pcap version %u.%u (only 2.x exists)",
				    cf->pcap_major, cf->pcap_minor);
	rec->kind = CAP_REC_SECTION;
	rec->offset = 0;
	rec->length = PCAP_FILE_HEADER_BYTES;
	rec->big_endian = cf->pcap_be;
	rec->u.section.big_endian = cf->pcap_be;
	rec->u.section.major = cf->pcap_major;
	rec->u.section.minor = cf->pcap_minor;
	rec->u.section.section_length = -1;
	rec->u.section.pcap_variant = cf->pcap_variant;
	cf->sections = 1;
	source_advance(cf->src, PCAP_FILE_HEADER_BYTES);
	cf->pcap_state = PCAP_NEED_INTERFACE;
	return CAP_OK;
}

static enum cap_status pcap_make_interface(struct capfile *cf, struct cap_record *rec)
{
	uint32_t idx;
	struct cap_interface *ifc = capfile_add_interface(cf, &idx);

	if (ifc == NULL)
		return capfile_fail(cf, CAP_CORRUPT, 0, "out of memory");
	ifc->linktype = cf->pcap_linktype & PCAP_LINKTYPE_MASK;
	if (cf->pcap_linktype & PCAP_FCS_PRESENT) {
		ifc->fcslen_set = true;
		/* the field counts 16-bit words */
		ifc->fcslen = (uint8_t)(((cf->pcap_linktype >> PCAP_FCS_SHIFT) & 0xF) * 2);
	}
	ifc->snaplen = cf->pcap_snaplen;
	ifc->tsresol = cf->pcap_variant == CAP_PCAP_NSEC ? 9 : 6;
	ifc->tsresol_set = true;
	capfile_set_clock(cf, idx);
	rec->kind = CAP_REC_INTERFACE;
	rec->offset = 0;
	rec->big_endian = cf->pcap_be;
	rec->u.iface = ifc;
	cf->pcap_state = PCAP_IN_PACKETS;
	return CAP_OK;
}

static enum cap_status pcap_read_record(struct capfile *cf, struct cap_record *rec)
{
	size_t hdr_len = PCAP_RECORD_HEADER_BYTES;
	uint64_t off = source_offset(cf->src);
	struct cap_packet *pkt = &rec->u.pkt;
	uint32_t sec, frac;
	const uint8_t *p;
	struct cur c;
	enum cap_status st;

	if (cf->pcap_variant == CAP_PCAP_KUZNETZOV)
		hdr_len += PCAP_KUZNETZOV_EXTRA_BYTES;
	st = capfile_need(cf, hdr_len, &p);
	if (st != CAP_OK)
		return st;
	c = cur_make(p, hdr_len);
	cur_u32_e(&c, cf->pcap_be, &sec);
	cur_u32_e(&c, cf->pcap_be, &frac);
	cur_u32_e(&c, cf->pcap_be, &pkt->caplen);
	cur_u32_e(&c, cf->pcap_be, &pkt->origlen);
	if (cf->pcap_variant == CAP_PCAP_KUZNETZOV) {
		pkt->has_kuznetzov = true;
		cur_u32_e(&c, cf->pcap_be, &pkt->kz_ifindex);
		cur_u16_e(&c, cf->pcap_be, &pkt->kz_protocol);
		cur_u8(&c, &pkt->kz_pkt_type);
	}
	if (pkt->caplen > CAP_MAX_PACKET_BYTES)
		return capfile_fail(cf, CAP_CORRUPT, off,
				    "corrupt at offset %llu: packet %llu claims %u captured bytes "
				    "(more than the %u allowed)",
				    (unsigned long long)off, (unsigned long long)cf->packets + 1,
				    pkt->caplen, CAP_MAX_PACKET_BYTES);
	st = capfile_need(cf, hdr_len + pkt->caplen, &p);
	if (st == CAP_END)  /* cannot happen: the header was there */
		st = CAP_TRUNCATED;
	if (st != CAP_OK)
		return st;
	pkt->data = p + hdr_len;
	pkt->iface = 0;
	pkt->has_ts = true;
	pkt->ts_invalid = frac >= (cf->pcap_variant == CAP_PCAP_NSEC ? NS_PER_SEC : USEC_PER_SEC);
	pkt->ts_ns = capfile_ts_ns(cf, 0, 0) + (int64_t)sec * NS_PER_SEC +
		     (int64_t)frac * (cf->pcap_variant == CAP_PCAP_NSEC ? 1 : NS_PER_USEC);
	rec->kind = CAP_REC_PACKET;
	rec->offset = off;
	rec->length = (uint32_t)(hdr_len + pkt->caplen);
	rec->big_endian = cf->pcap_be;
	source_advance(cf->src, hdr_len + pkt->caplen);
	return CAP_OK;
}

enum cap_status pcap_read_next(struct capfile *cf, struct cap_record *rec)
{
	switch (cf->pcap_state) {
	case PCAP_NEED_HEADER:
		return pcap_read_header(cf, rec);
	case PCAP_NEED_INTERFACE:
		return pcap_make_interface(cf, rec);
	case PCAP_IN_PACKETS:
		break;
	}
	return pcap_read_record(cf, rec);
}
