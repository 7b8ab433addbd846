/* \summary: classic pcap reading: byte orders, magics, FCS bits, time, gzip, pipes, truncation */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "build.h"
#include "../tap.h"
#include "decode/proto.h"
#include "util/units.h"

#define SNAPLEN   65535u
/* pcap-savefile(5): bit 26 says bits 28-31 hold the FCS length in 16-bit words. */
#define LT_FCS_PRESENT 0x04000000u
#define LT_FCS_WORDS(n) ((uint32_t)(n) << 28)

struct pkt_model {
	uint32_t sec, frac, caplen, origlen;
};

/* Sizes and times chosen to hit 0-byte packets, caplen < len, and the
 * largest fraction of each unit. */
static const struct pkt_model PKTS[] = {
	{ 1700000000u, 123456u, 60, 60 },
	{ 1700000001u, 999999u, 0, 0 },
	{ 1700000002u, 5u, 1514, 1600 },
	{ 0u, 0u, 3, 3 },
	{ 0xFFFFFFFFu, 999999u, 17, 17 },
};
#define N_PKTS (sizeof(PKTS) / sizeof(PKTS[0]))

static const struct pkt_model SMALL[] = {
	{ 1, 2, 60, 60 },
	{ 3, 4, 0, 0 },
	{ 5, 6, 7, 9 },
};
#define N_SMALL (sizeof(SMALL) / sizeof(SMALL[0]))

static char tmpdir[64];

static uint8_t pkt_byte(size_t i, size_t j) { return (uint8_t)(i * 31 + j); }

static uint8_t *pkt_data(size_t i, uint32_t caplen)
{
	uint8_t *d = malloc(caplen ? caplen : 1);

	for (uint32_t j = 0; j < caplen; j++)
		d[j] = pkt_byte(i, j);
	return d;
}

static int64_t model_ts(const struct pkt_model *m, uint32_t magic)
{
	return (int64_t)m->sec * NS_PER_SEC +
	       (int64_t)m->frac * (magic == TB_PCAP_MAGIC_NSEC ? 1 : NS_PER_USEC);
}

/* Builds a file from models; ends[] receives each record's end offset. */
static void build_pcap(struct tb *b, bool be, uint32_t magic, uint32_t linktype,
		       const struct pkt_model *m, size_t n, size_t *ends)
{
	tb_init(b, be);
	tb_pcap_header(b, be, magic, SNAPLEN, linktype);
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = pkt_data(i, m[i].caplen);

		if (magic == TB_PCAP_MAGIC_KUZNETZOV)
			tb_pcap_record_kz(b, m[i].sec, m[i].frac, d, m[i].caplen, m[i].origlen,
					  (uint32_t)i + 1, ETHERTYPE_IPV4, (uint8_t)i);
		else
			tb_pcap_record(b, m[i].sec, m[i].frac, d, m[i].caplen, m[i].origlen);
		free(d);
		if (ends)
			ends[i] = b->len;
	}
}

static const char *magic_name(uint32_t magic)
{
	return magic == TB_PCAP_MAGIC_NSEC ? "ns" : magic == TB_PCAP_MAGIC_KUZNETZOV ? "kuznetzov" : "us";
}

static enum cap_pcap_variant magic_variant(uint32_t magic)
{
	return magic == TB_PCAP_MAGIC_NSEC ? CAP_PCAP_NSEC :
	       magic == TB_PCAP_MAGIC_KUZNETZOV ? CAP_PCAP_KUZNETZOV : CAP_PCAP_USEC;
}

/* Compares one packet record with its model; names the first difference. */
static const char *packet_mismatch(const struct cap_record *rec, size_t i, uint32_t magic,
				   uint64_t offset)
{
	const struct cap_packet *p = &rec->u.pkt;
	size_t hdr = magic == TB_PCAP_MAGIC_KUZNETZOV ? TB_PCAP_KZ_RECORD_BYTES : TB_PCAP_RECORD_BYTES;

	if (rec->kind != CAP_REC_PACKET) return "kind";
	if (p->number != i + 1) return "number";
	if (p->iface != 0) return "iface";
	if (!p->has_ts || p->ts_ns != model_ts(&PKTS[i], magic)) return "timestamp";
	if (p->caplen != PKTS[i].caplen || p->origlen != PKTS[i].origlen) return "lengths";
	for (uint32_t j = 0; j < p->caplen; j++)
		if (p->data[j] != pkt_byte(i, j))
			return "data";
	if (rec->offset != offset || rec->length != hdr + PKTS[i].caplen) return "offset/length";
	if (rec->block_type != 0) return "block_type";
	if (p->has_flags || p->has_pid || p->n_comments || p->has_dropcount) return "pcapng options";
	if ((magic == TB_PCAP_MAGIC_KUZNETZOV) != p->has_kuznetzov) return "has_kuznetzov";
	if (p->has_kuznetzov && (p->kz_ifindex != i + 1 || p->kz_protocol != ETHERTYPE_IPV4 ||
				 p->kz_pkt_type != i))
		return "kuznetzov fields";
	return NULL;
}

/* Reads a PKTS file from cf and checks every record. */
static void check_pkts_file(struct capfile *cf, bool be, uint32_t magic, const char *what)
{
	struct cap_record rec;
	const char *bad = NULL;
	uint64_t off = TB_PCAP_HEADER_BYTES;
	size_t i;

	TAP_EQ_U(capfile_format(cf), CAP_FORMAT_PCAP, "%s: format is pcap", what);
	tap_ok(capfile_next(cf, &rec) == CAP_OK && rec.kind == CAP_REC_SECTION &&
	       rec.u.section.big_endian == be && rec.big_endian == be &&
	       rec.u.section.major == 2 && rec.u.section.minor == 4 &&
	       rec.u.section.section_length == -1 &&
	       rec.u.section.pcap_variant == magic_variant(magic) &&
	       rec.offset == 0 && rec.length == TB_PCAP_HEADER_BYTES,
	       "%s: section record", what);
	tap_ok(capfile_next(cf, &rec) == CAP_OK && rec.kind == CAP_REC_INTERFACE &&
	       rec.u.iface->linktype == TB_LINKTYPE_ETHERNET && rec.u.iface->snaplen == SNAPLEN &&
	       rec.u.iface->tsresol == (magic == TB_PCAP_MAGIC_NSEC ? 9 : 6) &&
	       !rec.u.iface->fcslen_set && capfile_interface_count(cf) == 1,
	       "%s: interface record", what);
	for (i = 0; i < N_PKTS && bad == NULL; i++) {
		if (capfile_next(cf, &rec) != CAP_OK) {
			bad = "status";
			break;
		}
		bad = packet_mismatch(&rec, i, magic, off);
		off += rec.length;
	}
	if (!tap_ok(bad == NULL, "%s: %zu packets as written", what, N_PKTS))
		tap_diag("packet %zu: %s", i + 1, bad);
	tap_ok(capfile_next(cf, &rec) == CAP_END && capfile_next(cf, &rec) == CAP_END &&
	       capfile_error(cf)[0] == '\0', "%s: clean end, sticky", what);
	TAP_EQ_U(capfile_offset(cf), off, "%s: all bytes consumed", what);
}

static void test_variants(void)
{
	static const uint32_t magics[] = {
		TB_PCAP_MAGIC_USEC, TB_PCAP_MAGIC_NSEC, TB_PCAP_MAGIC_KUZNETZOV
	};

	for (int be = 0; be <= 1; be++) {
		for (size_t m = 0; m < 3; m++) {
			struct tb b;
			char what[64], err[256];
			bool notcap;
			uint8_t *copy;
			struct capfile *cf;

			build_pcap(&b, be, magics[m], TB_LINKTYPE_ETHERNET, PKTS, N_PKTS, NULL);
			snprintf(what, sizeof(what), "pcap %s %s", be ? "BE" : "LE", magic_name(magics[m]));
			copy = tb_dup(b.p, b.len);
			cf = capfile_open_mem(copy, b.len, err, sizeof(err), &notcap);
			if (tap_ok(cf != NULL, "%s: opens", what))
				check_pkts_file(cf, be, magics[m], what);
			TAP_EQ_U(cf ? capfile_size(cf) : 0, b.len, "%s: size", what);
			capfile_close(cf);
			free(copy);
			tb_free(&b);
		}
	}
}

/* Reads the interface record of a header-only file with this linktype field. */
static bool read_iface(uint32_t linktype_field, bool be, struct cap_interface *out)
{
	struct tb b;
	struct capfile *cf;
	struct cap_record rec;
	char err[256];
	bool notcap, ok;

	tb_init(&b, be);
	tb_pcap_header(&b, be, TB_PCAP_MAGIC_USEC, SNAPLEN, linktype_field);
	cf = capfile_open_mem(b.p, b.len, err, sizeof(err), &notcap);
	ok = cf != NULL && capfile_next(cf, &rec) == CAP_OK && capfile_next(cf, &rec) == CAP_OK &&
	     rec.kind == CAP_REC_INTERFACE;
	if (ok)
		*out = *rec.u.iface;
	ok = ok && capfile_next(cf, &rec) == CAP_END;
	capfile_close(cf);
	tb_free(&b);
	return ok;
}

static void test_fcs_bits(void)
{
	for (int be = 0; be <= 1; be++) {
		struct cap_interface ifc;
		const char *bo = be ? "BE" : "LE";

		tap_ok(read_iface(TB_LINKTYPE_ETHERNET | LT_FCS_PRESENT | LT_FCS_WORDS(2), be, &ifc) &&
		       ifc.linktype == TB_LINKTYPE_ETHERNET && ifc.fcslen_set && ifc.fcslen == 4,
		       "%s: FCS bits (2 words) give linktype 1 and a 4-byte FCS", bo);
		tap_ok(read_iface(TB_LINKTYPE_ETHERNET | LT_FCS_PRESENT, be, &ifc) &&
		       ifc.linktype == TB_LINKTYPE_ETHERNET && ifc.fcslen_set && ifc.fcslen == 0,
		       "%s: F bit with 0 words: FCS length 0", bo);
		tap_ok(read_iface(TB_LINKTYPE_RAW | LT_FCS_WORDS(2), be, &ifc) &&
		       ifc.linktype == TB_LINKTYPE_RAW && !ifc.fcslen_set,
		       "%s: length bits without the F bit are ignored", bo);
		tap_ok(read_iface(TB_LINKTYPE_SLL2, be, &ifc) && ifc.linktype == TB_LINKTYPE_SLL2 &&
		       !ifc.fcslen_set, "%s: plain linktype 276", bo);
	}
}

/* One packet file; answers the packet's ts_ns (INT64_MIN on failure). */
static int64_t one_ts(bool be, uint32_t magic, uint32_t sec, uint32_t frac)
{
	struct tb b;
	struct capfile *cf;
	struct cap_record rec;
	char err[256];
	bool notcap;
	int64_t ts = INT64_MIN;

	tb_init(&b, be);
	tb_pcap_header(&b, be, magic, SNAPLEN, TB_LINKTYPE_ETHERNET);
	tb_pcap_record(&b, sec, frac, "x", 1, 1);
	cf = capfile_open_mem(b.p, b.len, err, sizeof(err), &notcap);
	if (cf != NULL && capfile_next(cf, &rec) == CAP_OK && capfile_next(cf, &rec) == CAP_OK &&
	    capfile_next(cf, &rec) == CAP_OK && rec.kind == CAP_REC_PACKET)
		ts = rec.u.pkt.ts_ns;
	capfile_close(cf);
	tb_free(&b);
	return ts;
}

static void test_timestamps(void)
{
	static const struct {
		uint32_t magic, sec, frac;
		int64_t want;
	} cases[] = {
		{ TB_PCAP_MAGIC_USEC, 0, 0, 0 },
		{ TB_PCAP_MAGIC_USEC, 1700000000u, 123456u, 1700000000123456000ll },
		{ TB_PCAP_MAGIC_USEC, 0xFFFFFFFFu, 999999u, 4294967295999999000ll },
		/* a fraction of a second or more is carried, as libpcap does */
		{ TB_PCAP_MAGIC_USEC, 1, 1500000u, 2500000000ll },
		{ TB_PCAP_MAGIC_NSEC, 1700000000u, 123456789u, 1700000000123456789ll },
		{ TB_PCAP_MAGIC_NSEC, 0xFFFFFFFFu, 999999999u, 4294967295999999999ll },
		{ TB_PCAP_MAGIC_NSEC, 0, 1, 1 },
	};

	for (int be = 0; be <= 1; be++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			TAP_EQ_I(one_ts(be, cases[i].magic, cases[i].sec, cases[i].frac), cases[i].want,
				 "%s %s: %u.%u -> exact ns", be ? "BE" : "LE",
				 magic_name(cases[i].magic), cases[i].sec, cases[i].frac);
}

static void test_version(void)
{
	struct tb b;
	struct tb_result r;

	tb_init(&b, false);
	tb_pcap_header(&b, false, TB_PCAP_MAGIC_USEC, SNAPLEN, TB_LINKTYPE_ETHERNET);
	tb_set_u32(&b, 4, 1u | 0u << 16);  /* version 1.0 */
	tb_read_mem(b.p, b.len, &r);
	tap_ok(r.opened && r.status == CAP_CORRUPT && r.sections == 0 && r.records == 0,
	       "pcap version 1.0 is corrupt before any record");
	tb_free(&b);
}

/* Packets, then one whose caplen is too large: the earlier ones are kept. */
static void test_caplen_limits(void)
{
	static const uint32_t bad[] = { CAP_MAX_PACKET_BYTES + 1, 0xFFFFFFF0u, 0xFFFFFFFFu };
	uint8_t *big = pkt_data(0, CAP_MAX_PACKET_BYTES);

	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct tb_result r;

		tb_init(&b, be);
		tb_pcap_header(&b, be, TB_PCAP_MAGIC_USEC, 0, TB_LINKTYPE_ETHERNET);
		tb_pcap_record(&b, 1, 0, big, CAP_MAX_PACKET_BYTES, CAP_MAX_PACKET_BYTES);
		tb_read_mem(b.p, b.len, &r);
		tap_ok(r.status == CAP_END && r.packets == 1,
		       "%s: caplen of exactly CAP_MAX_PACKET_BYTES is read", be ? "BE" : "LE");
		tb_free(&b);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			size_t bad_off;

			tb_init(&b, be);
			tb_pcap_header(&b, be, TB_PCAP_MAGIC_USEC, SNAPLEN, TB_LINKTYPE_ETHERNET);
			tb_pcap_record(&b, 1, 0, "abcd", 4, 4);
			tb_pcap_record(&b, 2, 0, "efgh", 4, 4);
			bad_off = b.len;
			tb_pcap_record(&b, 3, 0, NULL, bad[i], bad[i]);
			tb_zeros(&b, 64);
			tb_read_mem(b.p, b.len, &r);
			tap_ok(r.status == CAP_CORRUPT && r.packets == 2 && r.err_offset == bad_off &&
			       strstr(r.err, "captured bytes") != NULL,
			       "%s: caplen 0x%x is corrupt at its record after 2 packets",
			       be ? "BE" : "LE", bad[i]);
			tb_free(&b);
		}
	}
	free(big);
}

/* The reader takes caplen as the framing and does not second-guess it
 * against snaplen or len (as Wireshark); only the absolute limit applies. */
static void test_caplen_accepted(void)
{
	uint8_t *d = pkt_data(1, 100);

	for (int be = 0; be <= 1; be++) {
		struct tb b;
		struct tb_result r;

		tb_init(&b, be);
		tb_pcap_header(&b, be, TB_PCAP_MAGIC_USEC, 64, TB_LINKTYPE_ETHERNET);
		tb_pcap_record(&b, 1, 0, d, 100, 100);  /* caplen > snaplen */
		tb_pcap_record(&b, 2, 0, d, 50, 20);    /* caplen > len */
		tb_read_mem(b.p, b.len, &r);
		tap_ok(r.status == CAP_END && r.packets == 2 && r.bad_blocks == 0,
		       "%s: caplen > snaplen and caplen > len are read as framed", be ? "BE" : "LE");
		tb_free(&b);
	}
	free(d);
}

/* ---------------------------------------------------------------- files */

static void tmp_path(char *out, size_t outlen, const char *name)
{
	snprintf(out, outlen, "%s/%s", tmpdir, name);
}

static void test_files(void)
{
	static const uint32_t magics[] = { TB_PCAP_MAGIC_USEC, TB_PCAP_MAGIC_NSEC, TB_PCAP_MAGIC_KUZNETZOV };

	for (int gz = 0; gz <= 1; gz++) {
		for (size_t m = 0; m < 3; m++) {
			struct tb b;
			char path[128], what[64], err[256];
			struct capfile *cf;
			struct stat st;
			bool notcap;
			bool be = m == 1;

			build_pcap(&b, be, magics[m], TB_LINKTYPE_ETHERNET, PKTS, N_PKTS, NULL);
			snprintf(what, sizeof(what), "%s file %s", gz ? "gzip" : "plain", magic_name(magics[m]));
			tmp_path(path, sizeof(path), gz ? "p.pcap.gz" : "p.pcap");
			tap_ok(tb_write_file(&b, path, gz), "%s: written", what);
			cf = capfile_open(path, err, sizeof(err), &notcap);
			if (tap_ok(cf != NULL, "%s: opens", what)) {
				tap_ok(capfile_gzipped(cf) == (bool)gz, "%s: gzip %s", what, gz ? "detected" : "not claimed");
				check_pkts_file(cf, be, magics[m], what);
				stat(path, &st);
				TAP_EQ_U(capfile_size(cf), st.st_size, "%s: size on disk", what);
			}
			capfile_close(cf);
			unlink(path);
			tb_free(&b);
		}
	}
}

/* A corrupt gzip stream after a valid start is an I/O error, not a crash. */
static void test_gzip_damage(void)
{
	struct tb b, raw;
	char path[128];
	struct tb_result r;
	FILE *f;
	long size;

	build_pcap(&b, false, TB_PCAP_MAGIC_USEC, TB_LINKTYPE_ETHERNET, PKTS, N_PKTS, NULL);
	tmp_path(path, sizeof(path), "d.pcap.gz");
	tb_write_file(&b, path, true);
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	tb_init(&raw, false);
	tb_zeros(&raw, (size_t)size);
	if (fread(raw.p, 1, raw.len, f) != raw.len)
		raw.len = 0;
	fclose(f);
	/* flip bytes in the deflate stream and the CRC trailer */
	for (size_t i = raw.len / 2; i < raw.len; i += 7)
		raw.p[i] ^= 0x55;
	tb_write_file(&raw, path, false);
	tb_read_path(path, &r);
	/* small enough to be inflated at open: the error may come from there */
	tap_ok(r.opened ? r.status == CAP_IO_ERROR : !r.not_capture && strstr(r.err, "gzip") != NULL,
	       "damaged gzip: a read error, never a clean end (%s)", r.err);
	tb_free(&raw);
	tb_free(&b);
	unlink(path);
}

/* A damaged gzip stream far from its start: packets up to the damage, then
 * a read error (never a clean end). Random bytes keep the stream large. */
static void test_gzip_damage_late(void)
{
	enum { N_BIG = 40, BIG_BYTES = 60000 };
	struct tb b, raw;
	char path[128];
	struct tb_result r;
	uint8_t *d = malloc(BIG_BYTES);
	uint32_t x = 12345;
	struct stat st;
	FILE *f;

	tb_init(&b, false);
	tb_pcap_header(&b, false, TB_PCAP_MAGIC_USEC, 0, TB_LINKTYPE_ETHERNET);
	for (int i = 0; i < N_BIG; i++) {
		for (int j = 0; j < BIG_BYTES; j++) {
			x = x * 1103515245u + 12345u;
			d[j] = (uint8_t)(x >> 16);
		}
		tb_pcap_record(&b, (uint32_t)i, 0, d, BIG_BYTES, BIG_BYTES);
	}
	free(d);
	tmp_path(path, sizeof(path), "late.pcap.gz");
	tb_write_file(&b, path, true);
	stat(path, &st);
	tb_init(&raw, false);
	tb_zeros(&raw, (size_t)st.st_size);
	f = fopen(path, "rb");
	if (fread(raw.p, 1, raw.len, f) != raw.len)
		raw.len = 0;
	fclose(f);
	for (size_t i = raw.len * 2 / 3; i < raw.len * 2 / 3 + 64; i++)
		raw.p[i] ^= 0xA5;
	tb_write_file(&raw, path, false);
	tb_read_path(path, &r);
	tap_ok(r.opened && r.status == CAP_IO_ERROR && r.packets > 0 && r.packets < N_BIG,
	       "damaged gzip at 2/3: %u packets, then a read error (%s)", r.packets, r.err);
	unlink(path);
	tb_free(&raw);
	tb_free(&b);
}

/* Starts a child that writes the bytes into a pipe; answers the read end. */
static int pipe_from(const struct tb *b, pid_t *child)
{
	int fds[2];

	if (pipe(fds) != 0)
		return -1;
	*child = fork();
	if (*child == 0) {
		size_t off = 0;

		close(fds[0]);
		signal(SIGPIPE, SIG_DFL);
		while (off < b->len) {
			ssize_t n = write(fds[1], b->p + off, b->len - off);

			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void test_pipe(void)
{
	struct tb b;
	char err[256];
	bool notcap;
	pid_t child;
	int fd, saved;
	struct capfile *cf;

	build_pcap(&b, true, TB_PCAP_MAGIC_NSEC, TB_LINKTYPE_ETHERNET, PKTS, N_PKTS, NULL);
	fd = pipe_from(&b, &child);
	cf = capfile_open_fd(fd, "pipe", err, sizeof(err), &notcap);
	if (tap_ok(cf != NULL, "pipe: opens through capfile_open_fd")) {
		check_pkts_file(cf, true, TB_PCAP_MAGIC_NSEC, "pipe");
		TAP_EQ_U(capfile_size(cf), 0, "pipe: size unknown");
		tap_ok(!capfile_gzipped(cf), "pipe: not gzip");
	}
	capfile_close(cf);
	waitpid(child, NULL, 0);

	/* "-" is standard input */
	fd = pipe_from(&b, &child);
	saved = dup(STDIN_FILENO);
	dup2(fd, STDIN_FILENO);
	close(fd);
	cf = capfile_open("-", err, sizeof(err), &notcap);
	dup2(saved, STDIN_FILENO);
	close(saved);
	if (tap_ok(cf != NULL, "stdin: \"-\" opens"))
		check_pkts_file(cf, true, TB_PCAP_MAGIC_NSEC, "stdin");
	capfile_close(cf);
	waitpid(child, NULL, 0);
	tb_free(&b);
}

static void test_pipe_gzip(void)
{
	struct tb b, gz;
	char path[128], err[256];
	bool notcap;
	pid_t child;
	int fd;
	FILE *f;
	struct capfile *cf;
	struct stat st;

	build_pcap(&b, false, TB_PCAP_MAGIC_KUZNETZOV, TB_LINKTYPE_ETHERNET, PKTS, N_PKTS, NULL);
	tmp_path(path, sizeof(path), "pipe.pcap.gz");
	tb_write_file(&b, path, true);
	stat(path, &st);
	tb_init(&gz, false);
	tb_zeros(&gz, (size_t)st.st_size);
	f = fopen(path, "rb");
	if (fread(gz.p, 1, gz.len, f) != gz.len)
		gz.len = 0;
	fclose(f);
	unlink(path);
	fd = pipe_from(&gz, &child);
	cf = capfile_open_fd(fd, "gzpipe", err, sizeof(err), &notcap);
	if (tap_ok(cf != NULL, "gzip pipe: opens")) {
		check_pkts_file(cf, false, TB_PCAP_MAGIC_KUZNETZOV, "gzip pipe");
		tap_ok(capfile_gzipped(cf), "gzip pipe: gzip detected");
	}
	capfile_close(cf);
	waitpid(child, NULL, 0);
	tb_free(&gz);
	tb_free(&b);
}

/* Large packets through a pipe make the stream window slide and grow. */
static void test_pipe_large(void)
{
	enum { N_BIG = 24 };
	struct tb b;
	char err[256];
	bool notcap, ok = true;
	pid_t child;
	int fd;
	uint32_t n = 0;
	struct capfile *cf;
	struct cap_record rec;

	tb_init(&b, false);
	tb_pcap_header(&b, false, TB_PCAP_MAGIC_USEC, 0, TB_LINKTYPE_ETHERNET);
	for (uint32_t i = 0; i < N_BIG; i++) {
		/* sizes around the window start size, never a multiple of it */
		uint32_t len = CAP_MAX_PACKET_BYTES - 1000 * (i % 7) - i;
		uint8_t *d = pkt_data(i, len);

		tb_pcap_record(&b, i, 0, d, len, len);
		free(d);
	}
	fd = pipe_from(&b, &child);
	cf = capfile_open_fd(fd, "bigpipe", err, sizeof(err), &notcap);
	while (cf != NULL && capfile_next(cf, &rec) == CAP_OK) {
		uint32_t want;

		if (rec.kind != CAP_REC_PACKET)
			continue;
		want = CAP_MAX_PACKET_BYTES - 1000 * (n % 7) - n;
		ok &= rec.u.pkt.caplen == want;
		for (uint32_t j = 0; ok && j < want; j += 997)
			ok &= rec.u.pkt.data[j] == pkt_byte(n, j);
		ok &= rec.u.pkt.data[want - 1] == pkt_byte(n, want - 1);
		n++;
	}
	tap_ok(cf != NULL && ok && n == N_BIG && capfile_next(cf, &rec) == CAP_END,
	       "pipe: %d large packets stream through the window intact", N_BIG);
	capfile_close(cf);
	waitpid(child, NULL, 0);
	tb_free(&b);
}

/* ---------------------------------------------------------------- truncation */

/* What a prefix of len bytes must give: complete records, then END exactly
 * at a record boundary, TRUNCATED (at the partial record) anywhere else. */
static bool prefix_as_expected(const struct tb_result *r, size_t len, const size_t *ends, size_t n,
			       char *why, size_t whylen)
{
	size_t complete = 0, boundary = TB_PCAP_HEADER_BYTES;

	if (len < 4) {
		snprintf(why, whylen, "open");
		return !r->opened && r->not_capture;
	}
	if (len < TB_PCAP_HEADER_BYTES) {
		snprintf(why, whylen, "short header");
		return r->opened && r->status == CAP_TRUNCATED && r->records == 0 && r->err_offset == 0;
	}
	while (complete < n && ends[complete] <= len)
		boundary = ends[complete++];
	snprintf(why, whylen, "records %u packets %u status %d err_offset %llu", r->records, r->packets,
		 r->status, (unsigned long long)r->err_offset);
	if (r->records != 2 + complete || r->packets != complete)
		return false;
	if (len == boundary)
		return r->status == CAP_END;
	return r->status == CAP_TRUNCATED && r->err_offset == boundary &&
	       strstr(r->err, "truncated") != NULL;
}

static void test_truncation(void)
{
	static const uint32_t magics[] = { TB_PCAP_MAGIC_USEC, TB_PCAP_MAGIC_NSEC, TB_PCAP_MAGIC_KUZNETZOV };

	for (int be = 0; be <= 1; be++) {
		for (size_t m = 0; m < 3; m++) {
			struct tb b;
			size_t ends[N_SMALL], bad_len = 0;
			bool ok = true;
			char why[160] = "";

			build_pcap(&b, be, magics[m], TB_LINKTYPE_ETHERNET, SMALL, N_SMALL, ends);
			for (size_t len = 0; len <= b.len && ok; len++) {
				struct tb_result r;

				tb_read_mem(b.p, len, &r);
				ok = prefix_as_expected(&r, len, ends, N_SMALL, why, sizeof(why));
				bad_len = len;
			}
			if (!tap_ok(ok, "%s %s: every prefix of %zu bytes reads complete records, then stops",
				    be ? "BE" : "LE", magic_name(magics[m]), b.len))
				tap_diag("prefix %zu: %s", bad_len, why);
			tb_free(&b);
		}
	}
}

/* The same through gzip files, which use the streaming window. */
static void test_truncation_gzip(void)
{
	for (int be = 0; be <= 1; be++) {
		uint32_t magic = be ? TB_PCAP_MAGIC_KUZNETZOV : TB_PCAP_MAGIC_USEC;
		struct tb b;
		size_t ends[N_SMALL], bad_len = 0;
		bool ok = true;
		char why[160] = "", path[128];

		build_pcap(&b, be, magic, TB_LINKTYPE_ETHERNET, SMALL, N_SMALL, ends);
		tmp_path(path, sizeof(path), "t.pcap.gz");
		for (size_t len = 0; len <= b.len && ok; len++) {
			struct tb prefix = b;
			struct tb_result r;

			prefix.len = len;
			tb_write_file(&prefix, path, true);
			tb_read_path(path, &r);
			ok = prefix_as_expected(&r, len, ends, N_SMALL, why, sizeof(why));
			bad_len = len;
		}
		if (!tap_ok(ok, "gzip %s %s: every prefix reads complete records, then stops",
			    be ? "BE" : "LE", magic_name(magic)))
			tap_diag("prefix %zu: %s", bad_len, why);
		unlink(path);
		tb_free(&b);
	}
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/pidcap-pcap-XXXXXX", t && strlen(t) < 40 ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	signal(SIGPIPE, SIG_IGN);
	test_variants();
	test_fcs_bits();
	test_timestamps();
	test_version();
	test_caplen_limits();
	test_caplen_accepted();
	test_files();
	test_gzip_damage();
	test_gzip_damage_late();
	test_pipe();
	test_pipe_gzip();
	test_pipe_large();
	test_truncation();
	test_truncation_gzip();
	rmdir(tmpdir);
	return tap_done();
}
