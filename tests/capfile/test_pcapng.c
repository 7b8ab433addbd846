/* \summary: pcapng reading: every block type in both byte orders, clocks, options, process records */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_const.h"
#include "capfile/procinfo.h"
#include "build.h"
#include "../tap.h"

#define PEN_TEST      32473u   /* RFC 5612 example PEN */
#define PEN_OTHER     12345u
#define BLOCK_IRIG    0x00000007u
#define BLOCK_LOCAL   0x80000099u
#define ISB_IFRECV    4
#define ISB_IFDROP    5
#define NS_DNSNAME    2
#define IF_FILTER_BPF 1
#define TS_2_POW(n)   ((uint8_t)(0x80 | (n)))

static const char *order(bool be) { return be ? "BE" : "LE"; }

/* An open reader over an exact-size copy of b. */
struct reader {
	uint8_t *copy;
	struct capfile *cf;
};

static bool reader_open(struct reader *r, const struct tb *b)
{
	char err[256];
	bool notcap;

	r->copy = tb_dup(b->p, b->len);
	r->cf = capfile_open_mem(r->copy, b->len, err, sizeof(err), &notcap);
	if (r->cf == NULL)
		tap_diag("open failed: %s", err);
	return r->cf != NULL;
}

static void reader_close(struct reader *r)
{
	capfile_close(r->cf);
	free(r->copy);
}

/* Reads the next record and checks its framing; false (with a note) otherwise. */
static bool next_is(struct reader *r, struct cap_record *rec, enum cap_rec_kind kind,
		    uint32_t type, size_t start, size_t end)
{
	enum cap_status st = capfile_next(r->cf, rec);

	if (st != CAP_OK || rec->kind != kind || rec->block_type != type || rec->offset != start ||
	    rec->length != end - start) {
		tap_diag("want kind %d type 0x%x at %zu+%zu, got status %d kind %d type 0x%x at %llu+%u (%s)",
			 kind, type, start, end - start, st, rec->kind, rec->block_type,
			 (unsigned long long)rec->offset, rec->length,
			 st == CAP_OK ? (rec->bad_reason ? rec->bad_reason : "") : capfile_error(r->cf));
		return false;
	}
	return true;
}

static char *opt_string(const struct cap_opt *o, char *buf, size_t len) { return cap_opt_str(o, buf, len); }

/* The value of the first option with this code in an options area, as a string. */
static bool find_str(struct cur opts, bool be, uint16_t code, char *out, size_t outlen)
{
	struct cap_opt o;
	bool bad = false;

	while (cap_opt_next(&opts, be, &o, &bad))
		if (o.code == code) {
			opt_string(&o, out, outlen);
			return true;
		}
	return false;
}

static bool find_u64(struct cur opts, bool be, uint16_t code, uint64_t *v)
{
	struct cap_opt o;
	bool bad = false;

	while (cap_opt_next(&opts, be, &o, &bad))
		if (o.code == code)
			return cur_left(&o.val) == 8 && cur_u64_e(&o.val, be, v);
	return false;
}

/* ---------------------------------------------------------------- every block type */

static const uint8_t UUID[16] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
				  0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
static const char TLS_KEYS[] = "CLIENT_RANDOM 00 11\n";   /* 20 bytes + NUL */

struct layout {
	size_t start[20], end[20];
	int n;
};

static void mark_start(struct layout *l, const struct tb *b) { l->start[l->n] = b->len; }
static void mark_end(struct layout *l, const struct tb *b) { l->end[l->n++] = b->len; }

static void build_all_blocks(struct tb *b, bool be, struct layout *l)
{
	static const uint8_t addr[4] = { 10, 0, 0, 1 };
	uint8_t filter[12] = { 0 };
	uint8_t spb_data[300];
	size_t s;

	memset(l, 0, sizeof(*l));
	tb_init(b, be);
	for (size_t i = 0; i < sizeof(spb_data); i++)
		spb_data[i] = (uint8_t)i;
	memcpy(filter + 1, "tcp port 80", 11);

	mark_start(l, b);                                     /* 0 SHB */
	s = tb_shb_begin(b, be, 1, 0, -1);
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "first section");
	tb_opt_str(b, PCAPNG_SHB_HARDWARE, "hw");
	tb_opt_str(b, PCAPNG_SHB_OS, "os");
	tb_opt_str(b, PCAPNG_SHB_USERAPPL, "app");
	tb_opt_end(b);
	tb_block_end(b, s);
	mark_end(l, b);

	mark_start(l, b);                                     /* 1 IDB */
	s = tb_idb_begin(b, TB_LINKTYPE_ETHERNET, 256);
	tb_opt_str(b, PCAPNG_IF_NAME, "eth0");
	tb_opt_str(b, PCAPNG_IF_DESCRIPTION, "uplink");
	tb_opt(b, PCAPNG_IF_FILTER, filter, sizeof(filter));
	tb_opt_str(b, PCAPNG_IF_OS, "Linux");
	tb_opt_u8(b, PCAPNG_IF_FCSLEN, 4);
	tb_opt_u64(b, PCAPNG_IF_SPEED, 1000000000ull);
	tb_opt_str(b, PCAPNG_IF_HARDWARE, "nic");
	tb_opt_u8(b, PCAPNG_IF_TSRESOL, 9);
	tb_opt_u64(b, PCAPNG_IF_TSOFFSET, 10);
	tb_opt_end(b);
	tb_block_end(b, s);
	mark_end(l, b);

	mark_start(l, b);                                     /* 2 EPB */
	s = tb_epb_begin(b, 0, 1700000000123456789ull, "hello", 5, 9);
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "pkt");
	tb_opt_end(b);
	tb_block_end(b, s);
	mark_end(l, b);

	mark_start(l, b);                                     /* 3 SPB, cut to the snaplen */
	tb_spb(b, 300, spb_data, 300);
	mark_end(l, b);

	mark_start(l, b);                                     /* 4 PB with drops */
	tb_block_end(b, tb_pb_begin(b, 0, 3, 1000000000ull, "abcd", 4, 4));
	mark_end(l, b);

	mark_start(l, b);                                     /* 5 PB, drops unknown */
	tb_block_end(b, tb_pb_begin(b, 0, 0xFFFF, 2000000000ull, "efg", 3, 3));
	mark_end(l, b);

	mark_start(l, b);                                     /* 6 ISB */
	s = tb_isb_begin(b, 0, 3000000000ull);
	tb_opt_u64(b, ISB_IFRECV, 100);
	tb_opt_u64(b, ISB_IFDROP, 2);
	tb_opt_end(b);
	tb_block_end(b, s);
	mark_end(l, b);

	mark_start(l, b);                                     /* 7 NRB */
	s = tb_nrb_begin(b);
	tb_nrb_ipv4(b, addr, "host.example");
	tb_nrb_end_records(b);
	tb_opt_str(b, NS_DNSNAME, "dns.example");
	tb_opt_end(b);
	tb_block_end(b, s);
	mark_end(l, b);

	mark_start(l, b);                                     /* 8 DSB */
	tb_block_end(b, tb_dsb_begin(b, PCAPNG_DSB_TLS_KEYLOG, TLS_KEYS, sizeof(TLS_KEYS) - 1));
	mark_end(l, b);

	mark_start(l, b);                                     /* 9 CB */
	tb_block_end(b, tb_cb_begin(b, true, PEN_OTHER, "abc", 3));
	mark_end(l, b);

	mark_start(l, b);                                     /* 10 DCB */
	tb_block_end(b, tb_cb_begin(b, false, PEN_TEST, "12345678", 8));
	mark_end(l, b);

	mark_start(l, b);                                     /* 11 Apple process */
	s = tb_dpib_begin(b, 77);
	tb_opt_str(b, PCAPNG_DARWIN_PIB_NAME, "Safari");
	tb_opt(b, PCAPNG_DARWIN_PIB_UUID, UUID, sizeof(UUID));
	tb_opt_end(b);
	tb_block_end(b, s);
	mark_end(l, b);

	mark_start(l, b);                                     /* 12 IRIG (registered, unknown to us) */
	tb_block(b, BLOCK_IRIG, "12345678", 8);
	mark_end(l, b);

	mark_start(l, b);                                     /* 13 local-use */
	tb_block(b, BLOCK_LOCAL, "", 0);
	mark_end(l, b);

	mark_start(l, b);                                     /* 14 EPB after them */
	tb_epb(b, 0, 1, "z", 1);
	mark_end(l, b);
}

static void check_shb_idb(struct reader *r, const struct layout *l, bool be)
{
	struct cap_record rec;
	char s[64];
	const struct cap_interface *ifc;

	tap_ok(next_is(r, &rec, CAP_REC_SECTION, PCAPNG_BT_SHB, l->start[0], l->end[0]) &&
	       rec.u.section.big_endian == be && rec.big_endian == be && rec.u.section.major == 1 &&
	       rec.u.section.minor == 0 && rec.u.section.section_length == -1 && rec.section == 0 &&
	       find_str(rec.options, be, PCAPNG_SHB_USERAPPL, s, sizeof(s)) && strcmp(s, "app") == 0 &&
	       find_str(rec.options, be, PCAPNG_OPT_COMMENT, s, sizeof(s)) &&
	       strcmp(s, "first section") == 0 && !rec.options_bad,
	       "%s: SHB with its options", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_INTERFACE, PCAPNG_BT_IDB, l->start[1], l->end[1]) &&
	       !rec.options_bad, "%s: IDB", order(be));
	ifc = rec.u.iface;
	tap_ok(ifc->linktype == TB_LINKTYPE_ETHERNET && ifc->snaplen == 256 && ifc->section == 0 &&
	       ifc->name && strcmp(ifc->name, "eth0") == 0 &&
	       ifc->description && strcmp(ifc->description, "uplink") == 0 &&
	       ifc->filter && strcmp(ifc->filter, "tcp port 80") == 0 &&
	       ifc->os && strcmp(ifc->os, "Linux") == 0 &&
	       ifc->hardware && strcmp(ifc->hardware, "nic") == 0 &&
	       ifc->fcslen_set && ifc->fcslen == 4 && ifc->speed_bps == 1000000000ull &&
	       ifc->tsresol_set && ifc->tsresol == 9 && ifc->tsoffset_s == 10,
	       "%s: IDB options decoded", order(be));
	tap_ok(capfile_interface_count(r->cf) == 1 && capfile_interface(r->cf, 0) == ifc &&
	       capfile_interface(r->cf, 1) == NULL, "%s: interface table", order(be));
}

static void check_packets(struct reader *r, const struct layout *l, bool be)
{
	struct cap_record rec;
	char s[64];
	const int64_t off_ns = 10000000000ll;  /* if_tsoffset 10 s */

	tap_ok(next_is(r, &rec, CAP_REC_PACKET, PCAPNG_BT_EPB, l->start[2], l->end[2]) &&
	       rec.u.pkt.number == 1 && rec.u.pkt.iface == 0 && rec.u.pkt.has_ts &&
	       rec.u.pkt.ts_ns == 1700000000123456789ll + off_ns && rec.u.pkt.caplen == 5 &&
	       rec.u.pkt.origlen == 9 && memcmp(rec.u.pkt.data, "hello", 5) == 0 &&
	       rec.u.pkt.n_comments == 1 &&
	       find_str(rec.options, be, PCAPNG_OPT_COMMENT, s, sizeof(s)) && strcmp(s, "pkt") == 0,
	       "%s: EPB", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_PACKET, PCAPNG_BT_SPB, l->start[3], l->end[3]) &&
	       rec.u.pkt.number == 2 && !rec.u.pkt.has_ts && rec.u.pkt.origlen == 300 &&
	       rec.u.pkt.caplen == 256 && rec.u.pkt.data[255] == 255,
	       "%s: SPB captured length is min(snaplen, len)", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_PACKET, PCAPNG_BT_PB, l->start[4], l->end[4]) &&
	       rec.u.pkt.number == 3 && rec.u.pkt.ts_ns == 1000000000ll + off_ns &&
	       rec.u.pkt.has_dropcount && rec.u.pkt.dropcount == 3 && rec.u.pkt.caplen == 4 &&
	       memcmp(rec.u.pkt.data, "abcd", 4) == 0, "%s: obsolete PB with drops", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_PACKET, PCAPNG_BT_PB, l->start[5], l->end[5]) &&
	       !rec.u.pkt.has_dropcount && rec.u.pkt.caplen == 3,
	       "%s: PB drops 0xFFFF means unknown", order(be));
}

static void check_other_blocks(struct reader *r, const struct layout *l, bool be)
{
	struct cap_record rec;
	char s[64];
	uint64_t v = 0;

	tap_ok(next_is(r, &rec, CAP_REC_STATS, PCAPNG_BT_ISB, l->start[6], l->end[6]) &&
	       rec.u.stats.iface == 0 && rec.u.stats.ts_ns == 3000000000ll + 10000000000ll &&
	       find_u64(rec.options, be, ISB_IFRECV, &v) && v == 100 &&
	       find_u64(rec.options, be, ISB_IFDROP, &v) && v == 2, "%s: ISB", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_NAMES, PCAPNG_BT_NRB, l->start[7], l->end[7]) &&
	       !rec.options_bad && find_str(rec.options, be, NS_DNSNAME, s, sizeof(s)) &&
	       strcmp(s, "dns.example") == 0, "%s: NRB, options after the end record", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_SECRETS, PCAPNG_BT_DSB, l->start[8], l->end[8]) &&
	       rec.u.secrets.type == PCAPNG_DSB_TLS_KEYLOG &&
	       cur_left(&rec.u.secrets.data) == sizeof(TLS_KEYS) - 1 &&
	       memcmp(cur_data(&rec.u.secrets.data), TLS_KEYS, sizeof(TLS_KEYS) - 1) == 0 &&
	       cur_left(&rec.options) == 0, "%s: DSB", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_CUSTOM, PCAPNG_BT_CB_COPY, l->start[9], l->end[9]) &&
	       rec.u.custom.copyable && rec.u.custom.pen == PEN_OTHER && cur_left(&rec.u.custom.data) == 4 &&
	       memcmp(cur_data(&rec.u.custom.data), "abc", 3) == 0, "%s: CB 0xBAD", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_CUSTOM, PCAPNG_BT_CB_NOCOPY, l->start[10], l->end[10]) &&
	       !rec.u.custom.copyable && rec.u.custom.pen == PEN_TEST && cur_left(&rec.u.custom.data) == 8,
	       "%s: DCB 0x40000BAD", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_DARWIN_PROCESS, PCAPNG_BT_DARWIN_PIB, l->start[11], l->end[11]) &&
	       rec.u.darwin_pid == 77 && find_str(rec.options, be, PCAPNG_DARWIN_PIB_NAME, s, sizeof(s)) &&
	       strcmp(s, "Safari") == 0, "%s: Apple process block", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_OTHER, BLOCK_IRIG, l->start[12], l->end[12]) &&
	       cur_left(&rec.body) == 8, "%s: unknown registered block skipped by length", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_OTHER, BLOCK_LOCAL, l->start[13], l->end[13]) &&
	       cur_left(&rec.body) == 0, "%s: empty local-use block", order(be));
	tap_ok(next_is(r, &rec, CAP_REC_PACKET, PCAPNG_BT_EPB, l->start[14], l->end[14]) &&
	       rec.u.pkt.number == 5, "%s: reading goes on after them", order(be));
	tap_ok(capfile_next(r->cf, &rec) == CAP_END && capfile_offset(r->cf) == l->end[14],
	       "%s: clean end", order(be));
}

static void test_all_blocks(void)
{
	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct layout l;
		struct reader r;

		build_all_blocks(&b, be, &l);
		if (tap_ok(reader_open(&r, &b), "%s: every block type opens", order(be))) {
			TAP_EQ_U(capfile_format(r.cf), CAP_FORMAT_PCAPNG, "%s: format pcapng", order(be));
			check_shb_idb(&r, &l, be);
			check_packets(&r, &l, be);
			check_other_blocks(&r, &l, be);
			reader_close(&r);
		}
		tb_free(&b);
	}
}

/* ---------------------------------------------------------------- sections */

static void test_sections(void)
{
	struct tb b;
	struct reader r;
	struct cap_record rec;
	const struct cap_interface *ifc;
	bool ok;

	tb_init(&b, false);
	tb_shb(&b, false);                        /* section 0, LE: interfaces 0, 1 */
	tb_idb(&b, TB_LINKTYPE_ETHERNET, 0);
	tb_idb(&b, TB_LINKTYPE_RAW, 0);
	tb_epb(&b, 1, 1, "a", 1);
	tb_shb(&b, true);                         /* section 1, BE: interface 2 */
	tb_idb(&b, TB_LINKTYPE_SLL, 0);
	tb_epb(&b, 0, 2, "b", 1);
	tb_epb(&b, 1, 3, "c", 1);                 /* section 1 has one interface */
	tb_shb(&b, false);                        /* section 2, LE: none yet */
	tb_epb(&b, 0, 4, "d", 1);
	tb_spb(&b, 1, "e", 1);
	tb_idb(&b, TB_LINKTYPE_SLL2, 0);           /* interface 3 */
	tb_block_end(&b, tb_isb_begin(&b, 0, 5));
	tb_epb(&b, 0, 6, "f", 1);
	if (!tap_ok(reader_open(&r, &b), "sections: opens")) {
		tb_free(&b);
		return;
	}
	ok = capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_SECTION && !rec.big_endian &&
	     rec.section == 0;
	for (int i = 0; i < 2; i++)
		ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_INTERFACE;
	ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET && rec.u.pkt.iface == 1;
	tap_ok(ok, "section 0 (LE): two interfaces, packet on the second");
	ok = capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_SECTION && rec.big_endian &&
	     rec.u.section.big_endian && rec.section == 1;
	ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_INTERFACE &&
	      rec.u.iface->section == 1 && rec.u.iface->linktype == TB_LINKTYPE_SLL && rec.big_endian;
	ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET &&
	      rec.u.pkt.iface == 2 && rec.u.pkt.data[0] == 'b' && rec.section == 1;
	tap_ok(ok, "section 1 (BE): interface ids restart, map to the global table");
	tap_ok(capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_BAD_BLOCK &&
	       rec.block_type == PCAPNG_BT_EPB && rec.bad_reason != NULL,
	       "section 1: an interface of section 0 is not visible (bad block)");
	ok = capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_SECTION && !rec.big_endian &&
	     rec.section == 2;
	ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_BAD_BLOCK &&
	      rec.block_type == PCAPNG_BT_EPB;
	ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_BAD_BLOCK &&
	      rec.block_type == PCAPNG_BT_SPB;
	tap_ok(ok, "section 2 (LE): EPB and SPB before any IDB are bad blocks");
	ok = capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_INTERFACE;
	ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_STATS && rec.u.stats.iface == 3;
	ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET && rec.u.pkt.iface == 3 &&
	      rec.u.pkt.number == 3;
	ok &= capfile_next(r.cf, &rec) == CAP_END;
	tap_ok(ok, "section 2: then its own interface works; packets numbered across sections");
	ifc = capfile_interface(r.cf, 3);
	tap_ok(capfile_interface_count(r.cf) == 4 && ifc && ifc->section == 2 &&
	       ifc->linktype == TB_LINKTYPE_SLL2 && capfile_interface(r.cf, 0)->section == 0,
	       "interface table spans the sections");
	reader_close(&r);
	tb_free(&b);
}

static void test_many_linktypes(void)
{
	static const uint16_t lts[] = {
		TB_LINKTYPE_ETHERNET, TB_LINKTYPE_RAW, TB_LINKTYPE_SLL, TB_LINKTYPE_SLL2,
		TB_LINKTYPE_NULL, TB_LINKTYPE_PKTAP, 105, 127, 228, 229,
	};
	enum { N = sizeof(lts) / sizeof(lts[0]) };

	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct reader r;
		struct cap_record rec;
		uint32_t seen = 0;
		bool ok = true;

		tb_init(&b, be);
		tb_shb(&b, be);
		for (int i = 0; i < N; i++)
			tb_idb(&b, lts[i], (uint32_t)(100 + i));
		for (int i = N - 1; i >= 0; i--) {
			uint8_t d = (uint8_t)i;

			tb_epb(&b, (uint32_t)i, (uint64_t)i, &d, 1);
		}
		if (!reader_open(&r, &b)) {
			tb_free(&b);
			continue;
		}
		while (capfile_next(r.cf, &rec) == CAP_OK) {
			const struct cap_interface *ifc;

			if (rec.kind != CAP_REC_PACKET)
				continue;
			ifc = capfile_interface(r.cf, rec.u.pkt.iface);
			ok &= ifc != NULL && rec.u.pkt.iface == rec.u.pkt.data[0] &&
			      ifc->linktype == lts[rec.u.pkt.iface] &&
			      ifc->snaplen == 100 + rec.u.pkt.iface;
			seen++;
		}
		tap_ok(ok && seen == N && capfile_interface_count(r.cf) == N,
		       "%s: %d IDBs with different link types, each packet on its own", order(be), N);
		reader_close(&r);
		tb_free(&b);
	}
}

/* ---------------------------------------------------------------- clocks */

static void test_clocks(void)
{
	static const struct {
		uint8_t tsresol;
		bool set;
		int64_t offset_s;
		uint64_t units;
		int64_t want_ns;
	} cases[] = {
		{ 6, false, 0, 1700000000123456ull, 1700000000123456000ll },   /* default µs */
		{ 6, true, 0, 1700000000123456ull, 1700000000123456000ll },
		{ 3, true, 0, 1700000000123ull, 1700000000123000000ll },
		{ 9, true, 0, 1700000000123456789ull, 1700000000123456789ll },
		{ 0, true, 0, 1700000000ull, 1700000000000000000ll },
		{ 12, true, 0, 1234567890123ull, 1234567890ll },
		{ TS_2_POW(0), true, 0, 12, 12000000000ll },
		{ TS_2_POW(20), true, 0, (1700000000ull << 20) | (1u << 19), 1700000000500000000ll },
		{ TS_2_POW(20), true, 0, (1700000000ull << 20) | 1, 1700000000000000953ll },
		{ TS_2_POW(30), true, 0, (1700000000ull << 30) | (3u << 28), 1700000000750000000ll },
		{ 6, true, 3600, 1700000000000000ull, 1700003600000000000ll },
		{ 6, true, -1700000000, 1700000000000001ull, 1000 },
		{ 9, true, -10, 5000000000ull, -5000000000ll },
		{ 9, true, 0, UINT64_MAX, INT64_MAX },                         /* saturates */
		{ 9, true, 10000000000ll, 1, INT64_MAX },                      /* offset saturates */
		{ 9, true, -10000000000ll, 5, INT64_MIN + 5 },
	};

	for (int be = 0; be <= 1; be++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct tb b;
			struct reader r;
			struct cap_record rec;
			int64_t pkt_ns = 0, isb_ns = 0;

			tb_init(&b, be);
			tb_shb(&b, be);
			if (cases[i].set)
				tb_idb_clock(&b, TB_LINKTYPE_ETHERNET, cases[i].tsresol, cases[i].offset_s);
			else
				tb_idb(&b, TB_LINKTYPE_ETHERNET, 0);
			tb_epb(&b, 0, cases[i].units, "x", 1);
			tb_block_end(&b, tb_isb_begin(&b, 0, cases[i].units));
			if (reader_open(&r, &b)) {
				while (capfile_next(r.cf, &rec) == CAP_OK) {
					if (rec.kind == CAP_REC_PACKET)
						pkt_ns = rec.u.pkt.ts_ns;
					else if (rec.kind == CAP_REC_STATS)
						isb_ns = rec.u.stats.ts_ns;
				}
				reader_close(&r);
			}
			if (!tap_ok(pkt_ns == cases[i].want_ns && isb_ns == cases[i].want_ns,
				    "%s: if_tsresol 0x%02x%s offset %lld: %llu units -> exact ns",
				    order(be), cases[i].tsresol, cases[i].set ? "" : " (default)",
				    (long long)cases[i].offset_s, (unsigned long long)cases[i].units))
				tap_diag("EPB %lld, ISB %lld, want %lld", (long long)pkt_ns,
					 (long long)isb_ns, (long long)cases[i].want_ns);
			tb_free(&b);
		}
	}
}

static void test_tsresol_units(void)
{
	TAP_EQ_U(cap_tsresol_units(0), 1, "tsresol 0: 1 unit/s");
	TAP_EQ_U(cap_tsresol_units(6), 1000000, "tsresol 6: µs");
	TAP_EQ_U(cap_tsresol_units(9), 1000000000, "tsresol 9: ns");
	TAP_EQ_U(cap_tsresol_units(19), 10000000000000000000ull, "tsresol 19: largest power of ten");
	TAP_EQ_U(cap_tsresol_units(20), 0, "tsresol 20: unusable");
	TAP_EQ_U(cap_tsresol_units(TS_2_POW(63)), 1ull << 63, "tsresol 2^-63");
	TAP_EQ_U(cap_tsresol_units(TS_2_POW(64)), 0, "tsresol 2^-64: unusable");
	TAP_EQ_U(cap_tsresol_units(0xFF), 0, "tsresol 0xFF: unusable");
}

/* An unusable if_tsresol is flagged and the interface falls back to µs. */
static void test_bad_tsresol(void)
{
	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct reader r;
		struct cap_record rec;
		bool ok;

		tb_init(&b, be);
		tb_shb(&b, be);
		tb_idb_clock(&b, TB_LINKTYPE_ETHERNET, 0xFF, 0);
		tb_epb(&b, 0, 1500000, "x", 1);
		if (!reader_open(&r, &b)) {
			tb_free(&b);
			continue;
		}
		ok = capfile_next(r.cf, &rec) == CAP_OK;
		ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_INTERFACE &&
		      rec.options_bad && rec.u.iface->tsresol == 6;
		ok &= capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET &&
		      rec.u.pkt.ts_ns == 1500000000;
		tap_ok(ok, "%s: if_tsresol 0xFF is a bad option; µs is used", order(be));
		reader_close(&r);
		tb_free(&b);
	}
}

/* ---------------------------------------------------------------- bad bodies */

/* Blocks framed correctly whose bodies are too short or inconsistent are
 * returned as CAP_REC_BAD_BLOCK with a reason, and reading goes on. */
static void test_bad_bodies(void)
{
	static const uint32_t short_types[] = {
		PCAPNG_BT_IDB, PCAPNG_BT_EPB, PCAPNG_BT_PB, PCAPNG_BT_SPB, PCAPNG_BT_ISB,
		PCAPNG_BT_DSB, PCAPNG_BT_CB_COPY, PCAPNG_BT_CB_NOCOPY, PCAPNG_BT_DARWIN_PIB,
	};
	enum { N_SHORT = sizeof(short_types) / sizeof(short_types[0]) };

	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct reader r;
		struct cap_record rec;
		uint32_t n_bad = 0, n_pkt = 0;
		bool reasons = true, spb_bad = false;

		tb_init(&b, be);
		tb_shb(&b, be);
		tb_idb(&b, TB_LINKTYPE_ETHERNET, 0);
		for (int i = 0; i < N_SHORT; i++)
			tb_block(&b, short_types[i], "", 0);
		tb_block_end(&b, tb_isb_begin(&b, 1, 0));          /* undeclared interface */
		tb_spb(&b, 100, "ten bytes!", 10);                  /* shorter than its length */
		tb_spb(&b, 10, "ten bytes!", 10);
		tb_epb(&b, 0, 1, "end", 3);
		if (!reader_open(&r, &b)) {
			tb_free(&b);
			continue;
		}
		while (capfile_next(r.cf, &rec) == CAP_OK) {
			if (rec.kind == CAP_REC_BAD_BLOCK) {
				n_bad++;
				reasons &= rec.bad_reason != NULL && rec.bad_reason[0] != '\0';
				spb_bad |= rec.block_type == PCAPNG_BT_SPB && cur_left(&rec.body) == 16;
			} else if (rec.kind == CAP_REC_PACKET) {
				n_pkt++;
			}
		}
		tap_ok(n_bad == N_SHORT + 2 && reasons && n_pkt == 2 &&
		       capfile_next(r.cf, &rec) == CAP_END && capfile_interface_count(r.cf) == 1,
		       "%s: %d empty bodies and an undeclared ISB interface are bad blocks; reading goes on",
		       order(be), N_SHORT);
		/* as Wireshark and libpcap: no padding handed out as packet bytes */
		tap_ok(spb_bad, "%s: an SPB holding less than min(snaplen, len) is a bad block", order(be));
		reader_close(&r);
		tb_free(&b);
	}
}

/* IDB options of the wrong size are flagged and ignored. */
static void test_idb_bad_options(void)
{
	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct reader r;
		struct cap_record rec;
		const struct cap_interface *ifc;
		size_t s;
		bool ok;

		tb_init(&b, be);
		tb_shb(&b, be);
		s = tb_idb_begin(&b, TB_LINKTYPE_ETHERNET, 0);
		tb_opt(&b, PCAPNG_IF_TSRESOL, "\x09\x09", 2);
		tb_opt(&b, PCAPNG_IF_TSOFFSET, "1234", 4);
		tb_opt(&b, PCAPNG_IF_FCSLEN, "\x04\x04", 2);
		tb_opt(&b, PCAPNG_IF_SPEED, "1234", 4);
		tb_opt(&b, PCAPNG_IF_FILTER, "\x01BPFBYTES", 9);  /* BPF program: not kept */
		tb_opt_end(&b);
		tb_block_end(&b, s);
		if (!reader_open(&r, &b)) {
			tb_free(&b);
			continue;
		}
		ok = capfile_next(r.cf, &rec) == CAP_OK && capfile_next(r.cf, &rec) == CAP_OK &&
		     rec.kind == CAP_REC_INTERFACE && rec.options_bad;
		ifc = rec.u.iface;
		tap_ok(ok && !ifc->tsresol_set && ifc->tsresol == 6 && ifc->tsoffset_s == 0 &&
		       !ifc->fcslen_set && ifc->speed_bps == 0 && ifc->filter == NULL,
		       "%s: wrong-size IDB options are flagged and ignored; a BPF filter is not a string",
		       order(be));
		reader_close(&r);
		tb_free(&b);
	}
}

/* ---------------------------------------------------------------- EPB options */

static const uint16_t ALL_OPT_CODES[] = {
	PCAPNG_EPB_FLAGS, PCAPNG_EPB_DROPCOUNT, PCAPNG_EPB_PACKETID, PCAPNG_EPB_PID_TID,
	PCAPNG_OPT_COMMENT, PCAPNG_OPT_COMMENT, PCAPNG_EPB_HASH, PCAPNG_EPB_QUEUE, PCAPNG_EPB_VERDICT,
	PCAPNG_OPT_CUSTOM_STR_COPY, PCAPNG_OPT_CUSTOM_BIN_COPY, PCAPNG_OPT_CUSTOM_STR_NOCOPY,
	PCAPNG_OPT_CUSTOM_BIN_NOCOPY,
	PCAPNG_DARWIN_EPB_PIB_INDEX, PCAPNG_DARWIN_EPB_SVC, PCAPNG_DARWIN_EPB_E_PIB_INDEX,
	PCAPNG_DARWIN_EPB_FLOW_ID, PCAPNG_DARWIN_EPB_TRACE_TAG, PCAPNG_DARWIN_EPB_COMP_GENCNT,
};
#define N_ALL_OPTS (sizeof(ALL_OPT_CODES) / sizeof(ALL_OPT_CODES[0]))

static void add_all_epb_options(struct tb *b)
{
	static const uint8_t hash[5] = { 2, 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t verdict[9] = { 2, 0, 0, 0, 0, 0, 0, 0, 2 };
	static const uint8_t bin[3] = { 1, 2, 3 };
	uint8_t pidtid[8], tag[2] = { 0x12, 0x34 };
	struct tb t;

	tb_init(&t, b->be);
	tb_u32(&t, 4242);
	tb_u32(&t, 4243);
	memcpy(pidtid, t.p, 8);
	tb_free(&t);
	tb_opt_u32(b, PCAPNG_EPB_FLAGS, 0x80000002u);
	tb_opt_u64(b, PCAPNG_EPB_DROPCOUNT, 7);
	tb_opt_u64(b, PCAPNG_EPB_PACKETID, 0x1122334455667788ull);
	tb_opt(b, PCAPNG_EPB_PID_TID, pidtid, 8);
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "first");
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "second comment");
	tb_opt(b, PCAPNG_EPB_HASH, hash, sizeof(hash));
	tb_opt_u32(b, PCAPNG_EPB_QUEUE, 3);
	tb_opt(b, PCAPNG_EPB_VERDICT, verdict, sizeof(verdict));
	tb_opt_custom(b, PCAPNG_OPT_CUSTOM_STR_COPY, PEN_TEST, "str", 3);
	tb_opt_custom(b, PCAPNG_OPT_CUSTOM_BIN_COPY, PEN_TEST, bin, sizeof(bin));
	tb_opt_custom(b, PCAPNG_OPT_CUSTOM_STR_NOCOPY, PEN_OTHER, "", 0);
	tb_opt_custom(b, PCAPNG_OPT_CUSTOM_BIN_NOCOPY, PEN_OTHER, bin, 1);
	tb_opt_u32(b, PCAPNG_DARWIN_EPB_PIB_INDEX, 5);
	tb_opt_u32(b, PCAPNG_DARWIN_EPB_SVC, 700);
	tb_opt_u32(b, PCAPNG_DARWIN_EPB_E_PIB_INDEX, 6);
	tb_opt_u32(b, PCAPNG_DARWIN_EPB_FLOW_ID, 1234);
	tb_opt(b, PCAPNG_DARWIN_EPB_TRACE_TAG, tag, 2);
	tb_opt_u32(b, PCAPNG_DARWIN_EPB_COMP_GENCNT, 9);
	tb_opt_end(b);
}

/* Walks the options with the public API and checks codes and values. */
static bool walk_all_options(struct cur opts, bool be)
{
	struct cap_opt o;
	bool bad = false;
	size_t n = 0;
	uint32_t pen;
	struct cur data;
	char s[32];

	while (cap_opt_next(&opts, be, &o, &bad)) {
		if (n >= N_ALL_OPTS || o.code != ALL_OPT_CODES[n])
			return false;
		if (n == 5 && strcmp(cap_opt_str(&o, s, sizeof(s)), "second comment") != 0)
			return false;
		if (n == 9 && (!cap_opt_custom(&o, be, &pen, &data) || pen != PEN_TEST ||
			       cur_left(&data) != 3 || memcmp(cur_data(&data), "str", 3) != 0))
			return false;
		if (n == 11 && (!cap_opt_custom(&o, be, &pen, &data) || pen != PEN_OTHER || cur_left(&data) != 0))
			return false;
		if (n == 0 && cap_opt_custom(&o, be, &pen, &data))
			return false;
		n++;
	}
	return !bad && n == N_ALL_OPTS && cur_left(&opts) == 0;
}

static void test_epb_options(void)
{
	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct reader r;
		struct cap_record rec;
		const struct cap_packet *p = &rec.u.pkt;
		size_t s;

		tb_init(&b, be);
		tb_shb(&b, be);
		tb_idb(&b, TB_LINKTYPE_ETHERNET, 0);
		s = tb_epb_begin(&b, 0, 1, "abcdefg", 7, 7);   /* padding before the options */
		add_all_epb_options(&b);
		tb_block_end(&b, s);
		if (!reader_open(&r, &b)) {
			tb_free(&b);
			continue;
		}
		capfile_next(r.cf, &rec);
		capfile_next(r.cf, &rec);
		tap_ok(capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET &&
		       !rec.options_bad && p->caplen == 7, "%s: EPB with every option", order(be));
		tap_ok(p->has_flags && p->flags == 0x80000002u &&
		       (p->flags & PCAPNG_EPB_DIR_MASK) == PCAPNG_EPB_DIR_OUT, "%s: epb_flags", order(be));
		tap_ok(p->has_dropcount && p->dropcount == 7, "%s: epb_dropcount", order(be));
		tap_ok(p->has_packetid && p->packetid == 0x1122334455667788ull, "%s: epb_packetid", order(be));
		tap_ok(p->has_pid && p->pid == 4242 && p->tid == 4243,
		       "%s: option 8 pid/tid", order(be));
		TAP_EQ_U(p->n_comments, 2, "%s: comment count", order(be));
		TAP_EQ_U(p->n_custom_opts, 4, "%s: custom option count", order(be));
		tap_ok(p->has_darwin_pib && p->darwin_pib == 5 && p->has_darwin_epib &&
		       p->darwin_epib == 6, "%s: Apple 0x8001 / 0x8003", order(be));
		TAP_EQ_U(p->n_darwin_opts, 6, "%s: Apple option count", order(be));
		tap_ok(walk_all_options(rec.options, be),
		       "%s: cap_opt_next walks them in order; cap_opt_str, cap_opt_custom", order(be));
		reader_close(&r);
		tb_free(&b);
	}
}

/* Options of the wrong size are not believed and mark the record. */
static void test_epb_bad_options(void)
{
	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct reader r;
		struct cap_record rec;
		const struct cap_packet *p = &rec.u.pkt;
		size_t s;
		bool ok;

		tb_init(&b, be);
		tb_shb(&b, be);
		tb_idb(&b, TB_LINKTYPE_ETHERNET, 0);
		s = tb_epb_begin(&b, 0, 1, "ab", 2, 2);
		tb_opt(&b, PCAPNG_EPB_FLAGS, "12", 2);
		tb_opt(&b, PCAPNG_EPB_DROPCOUNT, "1234", 4);
		tb_opt(&b, PCAPNG_EPB_PACKETID, "1234567", 7);
		tb_opt(&b, PCAPNG_EPB_PID_TID, "1234", 4);
		tb_opt(&b, PCAPNG_DARWIN_EPB_PIB_INDEX, "12", 2);
		tb_opt_end(&b);
		tb_block_end(&b, s);
		/* the last option claims more than the block holds */
		s = tb_epb_begin(&b, 0, 2, "cd", 2, 2);
		tb_opt_str(&b, PCAPNG_OPT_COMMENT, "kept");
		tb_u16(&b, PCAPNG_OPT_COMMENT);
		tb_u16(&b, 100);
		tb_bytes(&b, "only", 4);
		tb_block_end(&b, s);
		/* no opt_endofopt, no padding after the last value */
		s = tb_epb_begin(&b, 0, 3, "ef", 2, 2);
		tb_u16(&b, PCAPNG_OPT_COMMENT);
		tb_u16(&b, 3);
		tb_bytes(&b, "abc", 3);
		tb_block_end(&b, s);
		if (!reader_open(&r, &b)) {
			tb_free(&b);
			continue;
		}
		capfile_next(r.cf, &rec);
		capfile_next(r.cf, &rec);
		ok = capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET && rec.options_bad;
		tap_ok(ok && !p->has_flags && !p->has_dropcount && !p->has_packetid && !p->has_pid &&
		       !p->has_darwin_pib && p->n_darwin_opts == 1,
		       "%s: wrong-size options are ignored and flagged", order(be));
		ok = capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET && rec.options_bad;
		tap_ok(ok && p->n_comments == 1 && memcmp(p->data, "cd", 2) == 0,
		       "%s: an option overrunning the block: packet kept, earlier options kept, flagged",
		       order(be));
		ok = capfile_next(r.cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET && !rec.options_bad;
		tap_ok(ok && p->n_comments == 1, "%s: unpadded last option without endofopt is fine",
		       order(be));
		tap_ok(capfile_next(r.cf, &rec) == CAP_END, "%s: then the end", order(be));
		reader_close(&r);
		tb_free(&b);
	}
}

/* cap_opt_next / cap_opt_str / cap_opt_custom on hand-made areas. */
static void test_opt_api(void)
{
	for (int be = 0; be <= 1; be++) {
		struct tb a;
		struct cur c;
		struct cap_opt o;
		bool bad = false, ok;
		char s[8];
		uint32_t pen = 0;
		struct cur data;

		tb_init(&a, be);
		tb_opt(&a, PCAPNG_OPT_COMMENT, "ab\0cd", 5);
		tb_opt_custom(&a, PCAPNG_OPT_CUSTOM_BIN_COPY, 0x01020304u, "xy", 2);
		tb_opt(&a, PCAPNG_OPT_CUSTOM_STR_COPY, "abc", 3);  /* too short for a PEN */
		tb_opt_end(&a);
		tb_bytes(&a, "garbage after the end", 20);
		c = cur_make(a.p, a.len);
		ok = cap_opt_next(&c, be, &o, &bad) && o.code == PCAPNG_OPT_COMMENT && cur_left(&o.val) == 5;
		ok &= strcmp(cap_opt_str(&o, s, sizeof(s)), "ab") == 0;
		tap_ok(ok, "%s: a string option stops at its NUL", order(be));
		ok = cap_opt_next(&c, be, &o, &bad) && cap_opt_custom(&o, be, &pen, &data) &&
		     pen == 0x01020304u && cur_left(&data) == 2 && memcmp(cur_data(&data), "xy", 2) == 0;
		tap_ok(ok, "%s: custom option: PEN in section order, then data", order(be));
		ok = cap_opt_next(&c, be, &o, &bad) && !cap_opt_custom(&o, be, &pen, &data);
		tap_ok(ok, "%s: a custom option shorter than a PEN is refused", order(be));
		tap_ok(!cap_opt_next(&c, be, &o, &bad) && !bad && cur_left(&c) == 0,
		       "%s: opt_endofopt ends the walk, ignoring what follows", order(be));
		tb_free(&a);

		tb_init(&a, be);
		tb_opt_str(&a, PCAPNG_OPT_COMMENT, "a long comment");
		c = cur_make(a.p, a.len);
		ok = cap_opt_next(&c, be, &o, &bad) &&
		     strcmp(cap_opt_str(&o, s, sizeof(s)), "a long ") == 0 &&
		     strcmp(cap_opt_str(&o, s, 1), "") == 0 && cap_opt_str(&o, s, 0) == s;
		tap_ok(ok, "%s: cap_opt_str truncates to the buffer", order(be));
		tb_u16(&a, 1);  /* 2 stray bytes: less than an option header */
		c = cur_make(a.p, a.len);
		bad = false;
		ok = cap_opt_next(&c, be, &o, &bad) && !cap_opt_next(&c, be, &o, &bad) && !bad;
		tap_ok(ok, "%s: fewer than 4 trailing bytes end the walk quietly", order(be));
		tb_free(&a);

		tb_init(&a, be);
		tb_u16(&a, PCAPNG_OPT_COMMENT);
		tb_u16(&a, 9);
		tb_bytes(&a, "12345678", 8);
		c = cur_make(a.p, a.len);
		bad = false;
		tap_ok(!cap_opt_next(&c, be, &o, &bad) && bad && cur_left(&c) == 0,
		       "%s: an option longer than the area is bad and ends the walk", order(be));
		tb_free(&a);

		tb_init(&a, be);
		tb_u16(&a, PCAPNG_OPT_COMMENT);
		tb_u16(&a, 3);
		tb_bytes(&a, "abc", 3);  /* 7 bytes: the padding is missing */
		c = cur_make(a.p, a.len);
		bad = false;
		ok = cap_opt_next(&c, be, &o, &bad) && cur_left(&o.val) == 3 && memcmp(cur_data(&o.val), "abc", 3) == 0 &&
		     cur_left(&c) == 0 && !cap_opt_next(&c, be, &o, &bad) && !bad;
		tap_ok(ok, "%s: the last option may end without its padding", order(be));
		tb_free(&a);
	}
}

/* ---------------------------------------------------------------- process records */

/* A Wireshark process entry (always little-endian inside). */
static void ws_process_entry(struct tb *entry, uint32_t pid, const char *name, size_t cmdline_len)
{
	static const char cmdline[] = "curl\0https://example.com/";
	uint8_t *big;

	tb_init(entry, false);
	tb_u32(entry, pid);
	tb_opt_str(entry, PCAPNG_PIB_NAME, name);
	tb_opt_str(entry, PCAPNG_PIB_PATH, "/usr/bin/curl");
	if (cmdline_len == 0) {
		tb_opt(entry, PCAPNG_PIB_CMDLINE, cmdline, sizeof(cmdline) - 1);
	} else {
		big = malloc(cmdline_len);
		memset(big, 'a', cmdline_len);
		tb_opt(entry, PCAPNG_PIB_CMDLINE, big, (uint16_t)cmdline_len);
		free(big);
	}
	tb_opt_u32(entry, PCAPNG_PIB_PPID, 1);
	tb_opt_u32(entry, PCAPNG_PIB_UID, 1000);
	tb_opt_str(entry, PCAPNG_PIB_USER, "alice");
	tb_opt(entry, PCAPNG_PIB_UUID, UUID, sizeof(UUID));
	tb_opt_u64(entry, PCAPNG_PIB_STARTTIME, 1700000000123456789ull);
	tb_opt_str(entry, PCAPNG_OPT_COMMENT, "c");
	tb_opt_custom(entry, PCAPNG_OPT_CUSTOM_STR_COPY, PEN_TEST, "x", 1);
	tb_opt_end(entry);
}

/* Writes a file with one CB holding cbdata under pen; reads its record. */
static bool decode_cb(bool be, uint32_t pen, const struct tb *cbdata, struct proc_record *pr,
		      bool *decoded)
{
	struct tb b;
	struct reader r;
	struct cap_record rec;
	bool ok;

	tb_init(&b, be);
	tb_shb(&b, be);
	tb_block_end(&b, tb_cb_begin(&b, true, pen, cbdata->p, cbdata->len));
	ok = reader_open(&r, &b);
	if (ok) {
		ok = capfile_next(r.cf, &rec) == CAP_OK && capfile_next(r.cf, &rec) == CAP_OK &&
		     rec.kind == CAP_REC_CUSTOM && rec.u.custom.pen == pen;
		*decoded = ok && proc_record_decode(&rec, pr);
		reader_close(&r);
	}
	tb_free(&b);
	return ok;
}

static void test_wireshark_process(void)
{
	static const char cmdline[] = "curl\0https://example.com/";
	struct proc_record *pr = malloc(sizeof(*pr));
	char longname[400];

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (int be = 0; be <= 1; be++) {
		struct tb entry, cbdata;
		bool decoded = false, ok;

		ws_process_entry(&entry, 31337, "curl", 0);
		tb_init(&cbdata, false);
		tb_ws_entry(&cbdata, PCAPNG_WS_ENTRY_PROCESS, &entry);
		ok = decode_cb(be, PCAPNG_PEN_WIRESHARK, &cbdata, pr, &decoded) && decoded;
		tap_ok(ok && pr->source == PROC_SRC_WIRESHARK && pr->pid == 31337 && !pr->bad,
		       "%s section: Wireshark process entry (PEN 32622, type 3)", order(be));
		tap_ok(ok && strcmp(pr->name, "curl") == 0 && strcmp(pr->path, "/usr/bin/curl") == 0 &&
		       strcmp(pr->user, "alice") == 0 && pr->cmdline_len == sizeof(cmdline) - 1 &&
		       memcmp(pr->cmdline, cmdline, sizeof(cmdline) - 1) == 0,
		       "%s: name, path, user, NUL-separated command line", order(be));
		tap_ok(ok && pr->has_ppid && pr->ppid == 1 && pr->has_uid && pr->uid == 1000 &&
		       pr->has_uuid && memcmp(pr->uuid, UUID, 16) == 0 && pr->has_starttime &&
		       pr->starttime_ns == 1700000000123456789ull && pr->n_comments == 1 &&
		       pr->n_custom_opts == 1, "%s: ppid, uid, uuid, start time, counts", order(be));

		decoded = true;
		tap_ok(decode_cb(be, PEN_OTHER, &cbdata, pr, &decoded) && !decoded,
		       "%s: the same data under another PEN is no process", order(be));
		tb_free(&cbdata);
		tb_init(&cbdata, false);
		tb_ws_entry(&cbdata, PCAPNG_WS_ENTRY_PROCESS + 1, &entry);
		decoded = true;
		tap_ok(decode_cb(be, PCAPNG_PEN_WIRESHARK, &cbdata, pr, &decoded) && !decoded,
		       "%s: another entry type is no process", order(be));
		tb_free(&cbdata);
		tb_init(&cbdata, false);
		tb_ws_entry(&cbdata, PCAPNG_WS_ENTRY_PROCESS, &entry);
		tb_set_u32(&cbdata, 4, 0x10000);  /* entry_length past the data */
		decoded = true;
		tap_ok(decode_cb(be, PCAPNG_PEN_WIRESHARK, &cbdata, pr, &decoded) && !decoded,
		       "%s: an entry length past the block is refused", order(be));
		tb_free(&cbdata);
		tb_free(&entry);

		ws_process_entry(&entry, 7, longname, 5000);
		tb_init(&cbdata, false);
		tb_ws_entry(&cbdata, PCAPNG_WS_ENTRY_PROCESS, &entry);
		ok = decode_cb(be, PCAPNG_PEN_WIRESHARK, &cbdata, pr, &decoded) && decoded;
		tap_ok(ok && strlen(pr->name) == PROC_NAME_BYTES - 1 &&
		       pr->cmdline_len == PROC_CMDLINE_BYTES,
		       "%s: long name and command line are capped", order(be));
		tb_free(&cbdata);
		tb_free(&entry);

		tb_init(&entry, false);
		tb_u32(&entry, 9);
		tb_opt(&entry, PCAPNG_PIB_PPID, "123", 3);
		tb_opt(&entry, PCAPNG_PIB_UUID, "short", 5);
		tb_init(&cbdata, false);
		tb_ws_entry(&cbdata, PCAPNG_WS_ENTRY_PROCESS, &entry);
		ok = decode_cb(be, PCAPNG_PEN_WIRESHARK, &cbdata, pr, &decoded) && decoded;
		tap_ok(ok && pr->pid == 9 && pr->bad && !pr->has_ppid && !pr->has_uuid,
		       "%s: wrong-size fields are flagged and ignored", order(be));
		tb_free(&cbdata);
		tb_free(&entry);
	}
	free(pr);
}

static void test_darwin_process(void)
{
	struct proc_record *pr = malloc(sizeof(*pr));

	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct reader r;
		struct cap_record rec;
		bool ok = false;
		size_t s;

		tb_init(&b, be);
		tb_shb(&b, be);
		s = tb_dpib_begin(&b, 0x01020304u);
		tb_opt_str(&b, PCAPNG_DARWIN_PIB_NAME, "Safari");
		tb_opt_str(&b, PCAPNG_DARWIN_PIB_PATH, "/Applications/Safari.app");
		tb_opt(&b, PCAPNG_DARWIN_PIB_UUID, UUID, sizeof(UUID));
		tb_opt_str(&b, PCAPNG_OPT_COMMENT, "c");
		tb_opt_end(&b);
		tb_block_end(&b, s);
		tb_idb(&b, TB_LINKTYPE_ETHERNET, 0);
		tb_epb(&b, 0, 1, "x", 1);
		if (reader_open(&r, &b)) {
			ok = capfile_next(r.cf, &rec) == CAP_OK && capfile_next(r.cf, &rec) == CAP_OK &&
			     rec.kind == CAP_REC_DARWIN_PROCESS && proc_record_decode(&rec, pr);
			ok &= pr->source == PROC_SRC_DARWIN && pr->pid == 0x01020304u &&
			      strcmp(pr->name, "Safari") == 0 &&
			      strcmp(pr->path, "/Applications/Safari.app") == 0 && pr->has_uuid &&
			      memcmp(pr->uuid, UUID, 16) == 0 && pr->n_comments == 1 && !pr->bad;
			tap_ok(ok, "%s: Apple process block 0x80000001 decoded", order(be));
			ok = capfile_next(r.cf, &rec) == CAP_OK && capfile_next(r.cf, &rec) == CAP_OK &&
			     rec.kind == CAP_REC_PACKET && !proc_record_decode(&rec, pr);
			tap_ok(ok, "%s: a packet is no process record", order(be));
			reader_close(&r);
		}
		tb_free(&b);
	}
	free(pr);
}

/* ---------------------------------------------------------------- truncation */

struct blocks {
	size_t end[32];
	bool packet[32];
	size_t n;
};

static void mark(struct blocks *bl, const struct tb *b, bool packet)
{
	bl->end[bl->n] = b->len;
	bl->packet[bl->n++] = packet;
}

static void build_multi(struct tb *b, bool be, struct blocks *bl)
{
	size_t s;

	memset(bl, 0, sizeof(*bl));
	tb_init(b, be);
	s = tb_shb_begin(b, be, 1, 0, -1);
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "truncate me");
	tb_opt_end(b);
	tb_block_end(b, s);
	mark(bl, b, false);
	tb_idb_clock(b, TB_LINKTYPE_ETHERNET, 9, 0);
	mark(bl, b, false);
	s = tb_epb_begin(b, 0, 1, "0123456789abcdef0123", 20, 20);
	tb_opt_u32(b, PCAPNG_EPB_FLAGS, 1);
	tb_opt_end(b);
	tb_block_end(b, s);
	mark(bl, b, true);
	tb_spb(b, 5, "spb!!", 5);
	mark(bl, b, true);
	tb_block_end(b, tb_isb_begin(b, 0, 5));
	mark(bl, b, false);
	tb_block_end(b, tb_cb_begin(b, true, PEN_TEST, "cb", 2));
	mark(bl, b, false);
	tb_shb(b, !be);
	mark(bl, b, false);
	tb_idb(b, TB_LINKTYPE_RAW, 0);
	mark(bl, b, false);
	tb_epb(b, 0, 2, "odd-length-13", 13);
	mark(bl, b, true);
	tb_block_end(b, tb_dsb_begin(b, PCAPNG_DSB_TLS_KEYLOG, "k", 1));
	mark(bl, b, false);
	tb_block(b, BLOCK_LOCAL, "zz", 2);
	mark(bl, b, false);
	tb_epb(b, 0, 3, "", 0);
	mark(bl, b, true);
}

static bool prefix_ok(const struct tb_result *r, size_t len, const struct blocks *bl,
		      char *why, size_t whylen)
{
	size_t complete = 0, boundary = 0;
	uint32_t packets = 0;

	snprintf(why, whylen, "opened %d records %u packets %u status %d err_offset %llu (%s)",
		 r->opened, r->records, r->packets, r->status, (unsigned long long)r->err_offset, r->err);
	if (len < 4)
		return !r->opened && r->not_capture;
	while (complete < bl->n && bl->end[complete] <= len) {
		packets += bl->packet[complete];
		boundary = bl->end[complete++];
	}
	if (!r->opened || r->records != complete || r->packets != packets || r->bad_blocks != 0)
		return false;
	if (len == boundary)
		return r->status == CAP_END;
	return r->status == CAP_TRUNCATED && r->err_offset == boundary &&
	       strstr(r->err, "truncated") != NULL;
}

static void test_truncation(void)
{
	char path[128];
	const char *t = getenv("TMPDIR");

	snprintf(path, sizeof(path), "%s/pidcap-ng-trunc-%d.pcapng.gz",
		 t && strlen(t) < 60 ? t : "/tmp", (int)getpid());
	for (int be = 0; be <= 1; be++) {
		for (int gz = 0; gz <= 1; gz++) {
			struct tb b;
			struct blocks bl;
			bool ok = true;
			size_t bad_len = 0;
			char why[400] = "";

			build_multi(&b, be, &bl);
			for (size_t len = 0; len <= b.len && ok; len++) {
				struct tb_result r;

				if (gz) {
					struct tb prefix = b;

					prefix.len = len;
					tb_write_file(&prefix, path, true);
					tb_read_path(path, &r);
				} else {
					tb_read_mem(b.p, len, &r);
				}
				ok = prefix_ok(&r, len, &bl, why, sizeof(why));
				bad_len = len;
			}
			if (!tap_ok(ok, "%s%s: every prefix of a %zu-byte, %zu-block, two-order file "
				    "gives the complete blocks, then stops", order(be), gz ? " gzip" : "",
				    b.len, bl.n))
				tap_diag("prefix %zu: %s", bad_len, why);
			tb_free(&b);
		}
	}
	unlink(path);
}

int main(void)
{
	test_all_blocks();
	test_sections();
	test_many_linktypes();
	test_clocks();
	test_tsresol_units();
	test_bad_tsresol();
	test_bad_bodies();
	test_idb_bad_options();
	test_epb_options();
	test_epb_bad_options();
	test_opt_api();
	test_wireshark_process();
	test_darwin_process();
	test_truncation();
	TAP_EQ_U(cap_block_name(PCAPNG_BT_CB_NOCOPY) != NULL &&
		 strcmp(cap_block_name(PCAPNG_BT_CB_NOCOPY), "DCB") == 0 &&
		 cap_block_name(BLOCK_LOCAL) == NULL, 1, "cap_block_name");
	return tap_done();
}
