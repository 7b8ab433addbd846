/* \summary: pcapng writer: write, read back through capfile, compare byte for byte */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_const.h"
#include "capfile/pcapng_writer.h"
#include "capfile/procinfo.h"
#include "../tap.h"

#define PEN_EXAMPLE   32473u     /* RFC 5612: enterprise number for documentation */
#define LT_ETHERNET   1
#define LT_RAW        101
#define LT_SLL2       276
#define SNAP_RAW      1500u
#define MAX_OPTS      16
#define ERRLEN        300
#define TS_2038_NS    2147483648123456789LL   /* 2038-01-19T03:14:08.123456789Z */
#define TS_2100_NS    4102444800999999999LL   /* 2100-01-01T00:00:00.999999999Z */
#define FSIZE_LIMIT   100003u    /* odd, so a write stops inside a block */
#define EFBIG_PACKETS 2000

static char tmpdir[PATH_MAX];
static int dirfd_tmp = -1;

/* ---------------------------------------------------------------- helpers */

static bool exists(const char *name)
{
	struct stat st;

	return fstatat(dirfd_tmp, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static long long file_size(const char *name)
{
	struct stat st;

	return fstatat(dirfd_tmp, name, &st, 0) == 0 ? (long long)st.st_size : -1;
}

static struct capfile *open_read(const char *name)
{
	char path[PATH_MAX + 64], err[ERRLEN];
	bool not_capture;
	struct capfile *cf;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	cf = capfile_open(path, err, sizeof(err), &not_capture);
	if (cf == NULL)
		tap_diag("cannot read %s: %s", path, err);
	return cf;
}

static void h32(uint8_t *b, uint32_t v) { memcpy(b, &v, sizeof(v)); }
static void h64(uint8_t *b, uint64_t v) { memcpy(b, &v, sizeof(v)); }

/* An expected option: code and value bytes. */
struct exp_opt {
	uint16_t code;
	const void *val;
	size_t len;
};

/*
 * Walks an options area by hand (independently of cap_opt_next): every
 * padding byte must be zero and the area must end exactly with
 * opt_endofopt. An empty area (no options) is also well formed.
 */
static bool opts_well_formed(struct cur area, bool be)
{
	uint16_t code, len;

	if (cur_left(&area) == 0)
		return true;
	for (;;) {
		if (!cur_u16_e(&area, be, &code) || !cur_u16_e(&area, be, &len))
			return false;
		if (code == PCAPNG_OPT_ENDOFOPT)
			return len == 0 && cur_left(&area) == 0;
		if (!cur_skip(&area, len))
			return false;
		for (unsigned i = len; i % 4 != 0; i++) {
			uint8_t pad;

			if (!cur_u8(&area, &pad) || pad != 0)
				return false;
		}
	}
}

/* Compares an options area with the expected list, in order, and its form. */
static int check_opts(struct cur area, bool be, const struct exp_opt *exp, size_t n,
		      const char *what)
{
	struct cur opts = area;
	struct cap_opt o;
	bool bad = false;
	size_t i = 0;
	int ok = 1;

	while (cap_opt_next(&opts, be, &o, &bad)) {
		if (i >= n || o.code != exp[i].code || cur_left(&o.val) != exp[i].len ||
		    (cur_left(&o.val) && memcmp(cur_data(&o.val), exp[i].val, cur_left(&o.val)) != 0)) {
			tap_diag("%s: option %zu (code %u, %zu bytes) differs", what, i, o.code,
				 cur_left(&o.val));
			ok = 0;
		}
		i++;
	}
	return tap_ok(ok && !bad && i == n && opts_well_formed(area, be),
		      "%s: %zu options as written, zero padding, opt_endofopt last", what, n);
}

static bool bytes_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* Reads the next record and checks where it lies in the file. */
static bool next_at(struct capfile *cf, struct cap_record *rec, uint64_t off, uint64_t end,
		    const char *what)
{
	enum cap_status st = capfile_next(cf, rec);

	if (st != CAP_OK) {
		tap_ok(0, "%s: read (status %s: %s)", what, cap_status_name(st), capfile_error(cf));
		return false;
	}
	return TAP_EQ_U(rec->offset, off, "%s: at the offset the writer reported", what) &
	       TAP_EQ_U(rec->length, end - off, "%s: length as the writer reported", what);
}

/* ---------------------------------------------------------------- round trip */

#define N_EPB 8
static const uint32_t epb_caplen[N_EPB] = { 0, 1, 2, 3, 4, 5, 1500, CAP_MAX_PACKET_BYTES };
static const int64_t epb_ts[N_EPB] = { 0, 1, 999999999, 4294967295LL, 4294967296LL,
				       TS_2038_NS, TS_2100_NS, INT64_MAX };
static const uint32_t epb_iface[N_EPB] = { 0, 1, 2, 0, 1, 2, 1, 0 };

static const char *const comments3[] = { "first comment", "", "third, with UTF-8: \xc3\xa9t\xc3\xa9" };
static const uint8_t bin3[] = { 0x00, 0xff, 0x10 };
static const char str_custom[] = "container=web-1";

static const struct pcapng_custom_opt customs[] = {
	{ PCAPNG_OPT_CUSTOM_STR_COPY, PEN_EXAMPLE, str_custom, sizeof(str_custom) - 1 },
	{ PCAPNG_OPT_CUSTOM_BIN_COPY, PEN_EXAMPLE, bin3, sizeof(bin3) },
	{ PCAPNG_OPT_CUSTOM_BIN_COPY, PCAPNG_PEN_WIRESHARK, NULL, 0 },
	{ PCAPNG_OPT_CUSTOM_STR_NOCOPY, PEN_EXAMPLE, "x", 1 },
	{ PCAPNG_OPT_CUSTOM_BIN_NOCOPY, PEN_EXAMPLE, bin3, 2 },
};
#define N_CUSTOM (sizeof(customs) / sizeof(customs[0]))

/* Option set of packet i: none, flags, pid, comments, customs, or all of them. */
static struct pcapng_epb_opts epb_opts(size_t i, bool *use)
{
	struct pcapng_epb_opts o = { 0 };
	size_t kind = i % 6;

	*use = kind != 0 || i == 6;
	o.has_flags = kind == 1 || kind == 5 || i == 6;
	o.flags = i % 2 ? PCAPNG_EPB_DIR_OUT : PCAPNG_EPB_DIR_IN | 0x01000000u;
	o.has_pid = kind == 2 || kind == 5 || i == 6;
	o.pid = 4000000000u + (uint32_t)i;
	o.tid = i == 6 ? 0 : 77 + (uint32_t)i;
	if (kind == 3 || kind == 5) {
		o.comments = comments3;
		o.n_comments = 3;
	}
	if (kind == 4 || kind == 5) {
		o.custom = customs;
		o.n_custom = N_CUSTOM;
	}
	return o;
}

static void fill(uint8_t *p, size_t n, size_t seed)
{
	for (size_t j = 0; j < n; j++)
		p[j] = (uint8_t)(j * 7 + seed * 13 + 1);
}

/* The process record written in full. */
static const char cmdline_full[] = "curl\0-s\0https://example.org/";
static const char *const proc_comments[] = { "container: web-1" };
static const char proc_cgroup[] = "cgroup=/system.slice/curl.service";
static const struct pcapng_custom_opt proc_custom[] = {
	{ PCAPNG_OPT_CUSTOM_STR_COPY, PEN_EXAMPLE, proc_cgroup, sizeof(proc_cgroup) - 1 },
	{ PCAPNG_OPT_CUSTOM_BIN_COPY, PEN_EXAMPLE, bin3, sizeof(bin3) },
};
static const struct pcapng_process proc_full = {
	.pid = 4242, .name = "curl", .path = "/usr/bin/curl", .user = "alice",
	.cmdline = cmdline_full, .cmdline_len = sizeof(cmdline_full) - 1,
	.has_ppid = true, .ppid = 1, .has_uid = true, .uid = 1000,
	.has_starttime = true, .starttime_ns = 1700000000123456789ull,
	.comments = proc_comments, .n_comments = 1,
	.custom = proc_custom, .n_custom = 2,
};

/* Offsets of every block as the writer reported them. */
struct layout {
	uint64_t off[64];
	size_t n;
};

static void mark(struct layout *l, struct pcapng_writer *w)
{
	if (l->n < sizeof(l->off) / sizeof(l->off[0]))
		l->off[l->n++] = pcapng_writer_bytes(w);
}

static const struct pcapng_isb isb_full = {
	.has_starttime = true, .starttime_ns = 1700000000000000001LL,
	.has_endtime = true, .endtime_ns = TS_2038_NS,
	.has_ifrecv = true, .ifrecv = 0x0102030405060708ull,
	.has_ifdrop = true, .ifdrop = 3,
	.has_filteraccept = true, .filteraccept = 0,
	.has_osdrop = true, .osdrop = UINT64_MAX,
	.has_usrdeliv = true, .usrdeliv = 12345,
};

static const uint8_t custom_data5[] = { 1, 2, 3, 4, 5 };

static bool write_roundtrip(struct layout *l, uint8_t *pkt)
{
	char err[ERRLEN];
	struct pcapng_writer *w = pcapng_writer_open(dirfd_tmp, "rt.pcapng", err, sizeof(err));
	struct pcapng_isb isb_recv = { .has_ifrecv = true, .ifrecv = 99 };
	struct pcapng_process proc_min = { .pid = 7 };
	uint32_t id[4] = { 9, 9, 9, 9 };
	int rc = 0;

	if (!tap_ok(w != NULL, "open rt.pcapng (%s)", w ? "" : err))
		return false;
	tap_ok(exists("rt.pcapng.part") && !exists("rt.pcapng"), "only rt.pcapng.part exists while writing");
	TAP_EQ_U(pcapng_writer_bytes(w), 0, "no bytes before the first block");
	mark(l, w);
	rc |= pcapng_write_shb(w, "test hardware", "Linux test", "pidcap test_writer");
	mark(l, w);
	tap_ok(file_size("rt.pcapng.part") == 0 && pcapng_writer_bytes(w) > 0,
	       "a small block stays in the buffer (file empty, %llu bytes counted)",
	       (unsigned long long)pcapng_writer_bytes(w));
	rc |= pcapng_write_idb(w, LT_ETHERNET, 0, "eth0", "tcp port 80", "Linux 6.1", &id[0]);
	mark(l, w);
	rc |= pcapng_write_idb(w, LT_SLL2, CAP_MAX_PACKET_BYTES, "any", NULL, NULL, &id[1]);
	mark(l, w);
	rc |= pcapng_write_idb(w, LT_RAW, SNAP_RAW, NULL, NULL, NULL, &id[2]);
	mark(l, w);
	tap_ok(id[0] == 0 && id[1] == 1 && id[2] == 2, "interface ids 0, 1, 2 in order");
	rc |= pcapng_write_process(w, &proc_full);
	mark(l, w);
	rc |= pcapng_write_process(w, &proc_min);
	mark(l, w);
	for (size_t i = 0; i < N_EPB; i++) {
		bool use;
		struct pcapng_epb_opts o = epb_opts(i, &use);

		fill(pkt, epb_caplen[i], i);
		rc |= pcapng_write_epb(w, epb_iface[i], epb_ts[i], pkt, epb_caplen[i],
				       epb_caplen[i] + (uint32_t)i, use ? &o : NULL);
		mark(l, w);
	}
	tap_ok(file_size("rt.pcapng.part") > 0 && file_size("rt.pcapng.part") % 4 == 0,
	       "past the buffer size, whole blocks reached the file (%lld bytes)",
	       file_size("rt.pcapng.part"));
	rc |= pcapng_write_isb(w, 1, 1700000000999999999LL, &isb_full);
	mark(l, w);
	rc |= pcapng_write_isb(w, 0, 5, NULL);
	mark(l, w);
	rc |= pcapng_write_isb(w, 2, 6, &isb_recv);
	mark(l, w);
	rc |= pcapng_write_custom(w, true, PEN_EXAMPLE, custom_data5, sizeof(custom_data5));
	mark(l, w);
	rc |= pcapng_write_custom(w, false, PEN_EXAMPLE, NULL, 0);
	mark(l, w);
	rc |= pcapng_write_custom(w, true, PCAPNG_PEN_WIRESHARK, custom_data5, 3);
	mark(l, w);
	/* A second section: interface ids start again at 0. */
	rc |= pcapng_write_shb(w, NULL, NULL, NULL);
	mark(l, w);
	rc |= pcapng_write_idb(w, LT_ETHERNET, 0, "eth1", NULL, NULL, &id[3]);
	mark(l, w);
	rc |= pcapng_write_epb(w, 0, 123, pkt, 3, 3, NULL);
	mark(l, w);
	tap_ok(rc == 0 && id[3] == 0, "every block accepted; first interface of section 2 is id 0");
	tap_ok(exists("rt.pcapng.part") && !exists("rt.pcapng"), "still only rt.pcapng.part before close");
	rc = pcapng_writer_close(w, err, sizeof(err));
	tap_ok(rc == 0, "close (%s)", rc ? err : "ok");
	tap_ok(exists("rt.pcapng") && !exists("rt.pcapng.part"), "close renamed rt.pcapng.part to rt.pcapng");
	TAP_EQ_I(file_size("rt.pcapng"), l->off[l->n - 1], "file size = pcapng_writer_bytes()");
	return rc == 0;
}

static void check_shb(struct capfile *cf, const struct layout *l, size_t k, const char *hw,
		      const char *os, const char *app)
{
	struct cap_record rec;
	struct exp_opt exp[3];
	size_t n = 0;

	if (!next_at(cf, &rec, l->off[k], l->off[k + 1], "SHB"))
		return;
	tap_ok(rec.kind == CAP_REC_SECTION && rec.u.section.major == 1 && rec.u.section.minor == 0 &&
	       rec.u.section.section_length == -1 && rec.big_endian == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__),
	       "SHB: version 1.0, section length -1, host byte order");
	if (hw)
		exp[n++] = (struct exp_opt){ PCAPNG_SHB_HARDWARE, hw, strlen(hw) };
	if (os)
		exp[n++] = (struct exp_opt){ PCAPNG_SHB_OS, os, strlen(os) };
	if (app)
		exp[n++] = (struct exp_opt){ PCAPNG_SHB_USERAPPL, app, strlen(app) };
	check_opts(rec.options, rec.big_endian, exp, n, "SHB options");
}

static void check_idb(struct capfile *cf, const struct layout *l, size_t k, uint32_t linktype,
		      uint32_t snaplen, const char *name, const char *filter, const char *os)
{
	struct cap_record rec;
	const struct cap_interface *ifc;
	struct exp_opt exp[4];
	uint8_t tsresol = 9, fbuf[64];
	size_t n = 0;

	if (!next_at(cf, &rec, l->off[k], l->off[k + 1], "IDB") ||
	    !tap_ok(rec.kind == CAP_REC_INTERFACE, "IDB read as an interface"))
		return;
	ifc = rec.u.iface;
	tap_ok(ifc->linktype == linktype && ifc->snaplen == snaplen && ifc->tsresol == 9 &&
	       ifc->tsresol_set, "IDB: linktype %u, snaplen %u, if_tsresol 9", linktype, snaplen);
	tap_ok((name == NULL ? ifc->name == NULL : ifc->name && strcmp(ifc->name, name) == 0) &&
	       (filter == NULL ? ifc->filter == NULL : ifc->filter && strcmp(ifc->filter, filter) == 0) &&
	       (os == NULL ? ifc->os == NULL : ifc->os && strcmp(ifc->os, os) == 0),
	       "IDB: name, filter and os read back");
	if (name)
		exp[n++] = (struct exp_opt){ PCAPNG_IF_NAME, name, strlen(name) };
	exp[n++] = (struct exp_opt){ PCAPNG_IF_TSRESOL, &tsresol, 1 };
	if (filter) {
		fbuf[0] = 0;
		memcpy(fbuf + 1, filter, strlen(filter));
		exp[n++] = (struct exp_opt){ PCAPNG_IF_FILTER, fbuf, strlen(filter) + 1 };
	}
	if (os)
		exp[n++] = (struct exp_opt){ PCAPNG_IF_OS, os, strlen(os) };
	check_opts(rec.options, rec.big_endian, exp, n, "IDB options");
}

/* The options packet i should carry, in writing order. */
static size_t expected_epb_opts(size_t i, struct exp_opt *exp, uint8_t (*scratch)[8])
{
	bool use;
	struct pcapng_epb_opts o = epb_opts(i, &use);
	size_t n = 0;
	static uint8_t cust[N_CUSTOM][64];

	if (!use)
		return 0;
	if (o.has_flags) {
		h32(scratch[0], o.flags);
		exp[n++] = (struct exp_opt){ PCAPNG_EPB_FLAGS, scratch[0], 4 };
	}
	if (o.has_pid) {
		h32(scratch[1], o.pid);
		h32(scratch[1] + 4, o.tid);
		exp[n++] = (struct exp_opt){ PCAPNG_EPB_PID_TID, scratch[1], 8 };
	}
	for (size_t c = 0; c < o.n_comments; c++)
		exp[n++] = (struct exp_opt){ PCAPNG_OPT_COMMENT, o.comments[c], strlen(o.comments[c]) };
	for (size_t c = 0; c < o.n_custom; c++) {
		h32(cust[c], o.custom[c].pen);
		if (o.custom[c].value_len)
			memcpy(cust[c] + 4, o.custom[c].value, o.custom[c].value_len);
		exp[n++] = (struct exp_opt){ o.custom[c].code, cust[c], 4 + o.custom[c].value_len };
	}
	return n;
}

static void check_epb(struct capfile *cf, const struct layout *l, size_t k, size_t i,
		      uint8_t *pkt)
{
	struct cap_record rec;
	const struct cap_packet *p = &rec.u.pkt;
	struct exp_opt exp[MAX_OPTS];
	uint8_t scratch[2][8];
	bool use;
	struct pcapng_epb_opts o = epb_opts(i, &use);
	size_t n = expected_epb_opts(i, exp, scratch);
	uint32_t cl = epb_caplen[i];
	char what[64];

	snprintf(what, sizeof(what), "EPB %zu (caplen %u)", i, cl);
	if (!next_at(cf, &rec, l->off[k], l->off[k + 1], what) ||
	    !tap_ok(rec.kind == CAP_REC_PACKET, "%s read as a packet", what))
		return;
	fill(pkt, cl, i);
	tap_ok(p->iface == epb_iface[i] && p->caplen == cl && p->origlen == cl + i &&
	       (cl == 0 || memcmp(p->data, pkt, cl) == 0), "%s: interface, lengths and bytes", what);
	TAP_EQ_I(p->ts_ns, epb_ts[i], "%s: timestamp exact to the ns", what);
	tap_ok(bytes_zero(cur_data(&rec.body) + 20 + cl, pad4(cl) - cl), "%s: data padding is zero", what);
	tap_ok(p->has_flags == (use && o.has_flags) && (!p->has_flags || p->flags == o.flags) &&
	       p->has_pid == (use && o.has_pid) && (!p->has_pid || (p->pid == o.pid && p->tid == o.tid)) &&
	       p->n_comments == (use ? o.n_comments : 0) && p->n_custom_opts == (use ? o.n_custom : 0) &&
	       !rec.options_bad, "%s: flags, pid/tid, comments, custom options decoded", what);
	check_opts(rec.options, rec.big_endian, exp, n, what);
}

static void check_isb_full(const struct cap_record *rec)
{
	struct cur opts = rec->options;
	struct cap_opt o;
	bool bad = false;
	unsigned seen = 0, right = 0;

	while (cap_opt_next(&opts, rec->big_endian, &o, &bad)) {
		struct cur v = o.val;
		uint32_t hi = 0, lo = 0;
		uint64_t u = 0;
		bool ok8 = cur_left(&o.val) == 8;

		seen++;
		if (o.code == PCAPNG_ISB_STARTTIME || o.code == PCAPNG_ISB_ENDTIME) {
			ok8 = ok8 && cur_u32_e(&v, rec->big_endian, &hi) && cur_u32_e(&v, rec->big_endian, &lo);
			u = (uint64_t)hi << 32 | lo;
		} else {
			ok8 = ok8 && cur_u64_e(&v, rec->big_endian, &u);
		}
		switch (o.code) {
		case PCAPNG_ISB_STARTTIME: right += ok8 && u == (uint64_t)isb_full.starttime_ns; break;
		case PCAPNG_ISB_ENDTIME: right += ok8 && u == (uint64_t)isb_full.endtime_ns; break;
		case PCAPNG_ISB_IFRECV: right += ok8 && u == isb_full.ifrecv; break;
		case PCAPNG_ISB_IFDROP: right += ok8 && u == isb_full.ifdrop; break;
		case PCAPNG_ISB_FILTERACCEPT: right += ok8 && u == isb_full.filteraccept; break;
		case PCAPNG_ISB_OSDROP: right += ok8 && u == isb_full.osdrop; break;
		case PCAPNG_ISB_USRDELIV: right += ok8 && u == isb_full.usrdeliv; break;
		default: break;
		}
	}
	tap_ok(seen == 7 && right == 7 && !bad && opts_well_formed(rec->options, rec->big_endian),
	       "ISB: 7 options with the values written (%u seen, %u right)", seen, right);
}

static void check_isbs(struct capfile *cf, const struct layout *l, size_t k)
{
	struct cap_record rec;
	uint8_t v99[8];

	if (next_at(cf, &rec, l->off[k], l->off[k + 1], "ISB 1")) {
		tap_ok(rec.kind == CAP_REC_STATS && rec.u.stats.iface == 1 &&
		       rec.u.stats.ts_ns == 1700000000999999999LL, "ISB 1: interface and timestamp");
		check_isb_full(&rec);
	}
	if (next_at(cf, &rec, l->off[k + 1], l->off[k + 2], "ISB 2"))
		tap_ok(rec.kind == CAP_REC_STATS && rec.u.stats.iface == 0 && rec.u.stats.ts_ns == 5 &&
		       cur_left(&rec.options) == 0, "ISB 2: no options at all");
	if (next_at(cf, &rec, l->off[k + 2], l->off[k + 3], "ISB 3")) {
		struct exp_opt exp = { PCAPNG_ISB_IFRECV, v99, 8 };

		h64(v99, 99);
		tap_ok(rec.kind == CAP_REC_STATS && rec.u.stats.iface == 2, "ISB 3: interface 2");
		check_opts(rec.options, rec.big_endian, &exp, 1, "ISB 3 options");
	}
}

/* The custom options of the entry: PEN little-endian like the rest of it. */
static void check_process_custom(struct cur opts)
{
	struct cap_opt o;
	struct cur data;
	uint32_t pen;
	bool bad = false;
	unsigned right = 0, n = 0;

	while (cap_opt_next(&opts, false, &o, &bad)) {
		if (!cap_opt_custom(&o, false, &pen, &data))
			continue;
		right += n < 2 && o.code == proc_custom[n].code && pen == PEN_EXAMPLE &&
			 cur_left(&data) == proc_custom[n].value_len &&
			 memcmp(cur_data(&data), proc_custom[n].value, cur_left(&data)) == 0;
		n++;
	}
	tap_ok(n == 2 && right == 2, "process: custom options with a little-endian PEN and their values");
}

static void check_process_full(const struct cap_record *rec)
{
	struct proc_record pr;
	struct cur c = rec->u.custom.data;
	uint32_t type = 0, len = 0;

	tap_ok(rec->kind == CAP_REC_CUSTOM && rec->block_type == PCAPNG_BT_CB_COPY &&
	       rec->u.custom.pen == PCAPNG_PEN_WIRESHARK, "process record: copyable CB, PEN 32622");
	tap_ok(cur_le32(&c, &type) && type == PCAPNG_WS_ENTRY_PROCESS && cur_le32(&c, &len) &&
	       len == cur_left(&c) && len % 4 == 0, "process record: LE entry type 3, entry length %u", len);
	if (!tap_ok(proc_record_decode(rec, &pr), "process record decoded by proc_record_decode"))
		return;
	tap_ok(pr.source == PROC_SRC_WIRESHARK && pr.pid == 4242 && !strcmp(pr.name, "curl") &&
	       !strcmp(pr.path, "/usr/bin/curl") && !strcmp(pr.user, "alice"),
	       "process: pid, name, path, user");
	tap_ok(pr.cmdline_len == sizeof(cmdline_full) - 1 &&
	       memcmp(pr.cmdline, cmdline_full, pr.cmdline_len) == 0, "process: command line bytes");
	tap_ok(pr.has_ppid && pr.ppid == 1 && pr.has_uid && pr.uid == 1000 && pr.has_starttime &&
	       pr.starttime_ns == 1700000000123456789ull && pr.n_comments == 1 && !pr.bad &&
	       pr.n_custom_opts == 2 && !pr.has_uuid,
	       "process: ppid, uid, starttime, comment, 2 custom options, nothing malformed");
	c = rec->u.custom.data;
	cur_skip(&c, 12);  /* type, length, pid */
	tap_ok(opts_well_formed(c, false), "process: entry options little-endian, padded, terminated");
	check_process_custom(c);
}

static void check_customs(struct capfile *cf, const struct layout *l, size_t k)
{
	struct cap_record rec;
	struct proc_record pr;

	if (next_at(cf, &rec, l->off[k], l->off[k + 1], "CB copyable"))
		tap_ok(rec.kind == CAP_REC_CUSTOM && rec.u.custom.copyable &&
		       rec.block_type == PCAPNG_BT_CB_COPY && rec.u.custom.pen == PEN_EXAMPLE &&
		       cur_left(&rec.u.custom.data) == 8 && !memcmp(cur_data(&rec.u.custom.data), custom_data5, 5) &&
		       bytes_zero(cur_data(&rec.u.custom.data) + 5, 3), "CB 0x00000BAD: PEN, data, zero padding");
	if (next_at(cf, &rec, l->off[k + 1], l->off[k + 2], "CB not copyable"))
		tap_ok(rec.kind == CAP_REC_CUSTOM && !rec.u.custom.copyable &&
		       rec.block_type == PCAPNG_BT_CB_NOCOPY && rec.u.custom.pen == PEN_EXAMPLE &&
		       cur_left(&rec.u.custom.data) == 0 && rec.length == 16, "CB 0x40000BAD: PEN, empty data");
	if (next_at(cf, &rec, l->off[k + 2], l->off[k + 3], "CB 32622 not a process"))
		tap_ok(rec.kind == CAP_REC_CUSTOM && rec.u.custom.pen == PCAPNG_PEN_WIRESHARK &&
		       !proc_record_decode(&rec, &pr), "CB under PEN 32622 with other data is no process");
}

static void read_roundtrip(const struct layout *l, uint8_t *pkt)
{
	struct capfile *cf = open_read("rt.pcapng");
	struct cap_record rec;
	struct proc_record pr;
	size_t k = 0;

	if (!tap_ok(cf != NULL, "rt.pcapng opens for reading"))
		return;
	check_shb(cf, l, k++, "test hardware", "Linux test", "pidcap test_writer");
	check_idb(cf, l, k++, LT_ETHERNET, 0, "eth0", "tcp port 80", "Linux 6.1");
	check_idb(cf, l, k++, LT_SLL2, CAP_MAX_PACKET_BYTES, "any", NULL, NULL);
	check_idb(cf, l, k++, LT_RAW, SNAP_RAW, NULL, NULL, NULL);
	if (next_at(cf, &rec, l->off[k], l->off[k + 1], "process record full"))
		check_process_full(&rec);
	k++;
	if (next_at(cf, &rec, l->off[k], l->off[k + 1], "process record minimal"))
		tap_ok(proc_record_decode(&rec, &pr) && pr.pid == 7 && !pr.name[0] && !pr.has_ppid &&
		       !pr.has_uid && !pr.has_starttime && pr.cmdline_len == 0 && !pr.bad &&
		       rec.length == 12 + 4 + 8 + 4 + 4, "minimal process record: pid only, 32 bytes");
	k++;
	for (size_t i = 0; i < N_EPB; i++)
		check_epb(cf, l, k++, i, pkt);
	check_isbs(cf, l, k);
	k += 3;
	check_customs(cf, l, k);
	k += 3;
	check_shb(cf, l, k++, NULL, NULL, NULL);
	check_idb(cf, l, k++, LT_ETHERNET, 0, "eth1", NULL, NULL);
	if (next_at(cf, &rec, l->off[k], l->off[k + 1], "EPB in section 2"))
		tap_ok(rec.kind == CAP_REC_PACKET && rec.u.pkt.iface == 3 && rec.u.pkt.ts_ns == 123 &&
		       cur_left(&rec.options) == 0, "EPB of section 2 on global interface 3, no options");
	TAP_EQ_I(capfile_next(cf, &rec), CAP_END, "then a clean end of file");
	capfile_close(cf);
}

static void test_roundtrip(void)
{
	struct layout l = { .n = 0 };
	uint8_t *pkt = malloc(CAP_MAX_PACKET_BYTES);

	if (pkt != NULL && write_roundtrip(&l, pkt))
		read_roundtrip(&l, pkt);
	free(pkt);
}

/* ---------------------------------------------------------------- rejected arguments */

/* Expects a call to fail with errno want and to leave the file as it was. */
static void expect_reject(struct pcapng_writer *w, int rc, int e, int want, uint64_t before,
			  const char *what)
{
	tap_ok(rc == -1 && e == want && pcapng_writer_bytes(w) == before &&
	       pcapng_writer_error(w)[0] != '\0',
	       "rejected, nothing written: %s (errno %d, want %d: %s)", what, e, want,
	       pcapng_writer_error(w));
}

#define REJECT(call, want, what) do { \
		uint64_t b_ = pcapng_writer_bytes(w); \
		int rc_ = (call); \
		expect_reject(w, rc_, errno, want, b_, what); \
	} while (0)

static void test_rejects(void)
{
	char err[ERRLEN];
	struct pcapng_writer *w = pcapng_writer_open(dirfd_tmp, "rej.pcapng", err, sizeof(err));
	static uint8_t big[CAP_MAX_PACKET_BYTES + 1];
	char *comment = malloc(PCAPNG_OPT_MAX_VALUE + 2);
	uint8_t *cbdata = malloc(CAP_MAX_BLOCK_BYTES);
	const size_t cb_max = CAP_MAX_BLOCK_BYTES - 16;  /* block header, PEN, trailer */
	struct pcapng_isb neg = { .has_starttime = true, .starttime_ns = -5 };
	struct pcapng_custom_opt c = { PCAPNG_OPT_COMMENT, PEN_EXAMPLE, "x", 1 };
	struct pcapng_epb_opts o = { .custom = &c, .n_custom = 1 };
	const char *cm[1] = { comment };
	struct pcapng_epb_opts oc = { .comments = cm, .n_comments = 1 };
	struct pcapng_process pname = { .pid = 1, .name = comment };
	uint64_t len_ok[3];
	uint32_t id;

	if (!tap_ok(w != NULL && comment != NULL && cbdata != NULL, "open rej.pcapng"))
		goto out;
	memset(comment, 'c', PCAPNG_OPT_MAX_VALUE + 1);
	comment[PCAPNG_OPT_MAX_VALUE + 1] = '\0';
	memset(cbdata, 0xab, CAP_MAX_BLOCK_BYTES);
	REJECT(pcapng_write_epb(w, 0, 0, big, 1, 1, NULL), EINVAL, "EPB before any SHB");
	REJECT(pcapng_write_idb(w, LT_ETHERNET, 0, NULL, NULL, NULL, &id), EINVAL, "IDB before any SHB");
	REJECT(pcapng_write_custom(w, true, 1, big, 1), EINVAL, "CB before any SHB");
	tap_ok(pcapng_write_shb(w, NULL, NULL, NULL) == 0, "SHB accepted");
	REJECT(pcapng_write_epb(w, 0, 0, big, 1, 1, NULL), EINVAL, "EPB on an undeclared interface");
	REJECT(pcapng_write_isb(w, 0, 0, NULL), EINVAL, "ISB on an undeclared interface");
	tap_ok(pcapng_write_idb(w, LT_ETHERNET, 100, NULL, NULL, NULL, &id) == 0 &&
	       pcapng_write_idb(w, LT_ETHERNET, 0, NULL, NULL, NULL, &id) == 0 && id == 1,
	       "IDB with snaplen 100 and IDB with snaplen 0 accepted");
	REJECT(pcapng_write_epb(w, 0, 0, big, 101, 101, NULL), EINVAL, "caplen over the snaplen");
	REJECT(pcapng_write_epb(w, 1, 0, big, 10, 9, NULL), EINVAL, "caplen over origlen");
	REJECT(pcapng_write_epb(w, 1, 0, big, CAP_MAX_PACKET_BYTES + 1, CAP_MAX_PACKET_BYTES + 1, NULL),
	       EMSGSIZE, "caplen over CAP_MAX_PACKET_BYTES");
	REJECT(pcapng_write_epb(w, 1, 0, NULL, 4, 4, NULL), EINVAL, "no data");
	REJECT(pcapng_write_epb(w, 1, -1, big, 1, 1, NULL), EINVAL, "timestamp before 1970");
	REJECT(pcapng_write_isb(w, 1, 0, &neg), EINVAL, "ISB start time before 1970");
	REJECT(pcapng_write_epb(w, 1, 0, big, 1, 1, &o), EINVAL, "custom option with code 1");
	c.code = PCAPNG_OPT_CUSTOM_BIN_COPY;
	c.value = cbdata;
	c.value_len = PCAPNG_OPT_MAX_VALUE - 3;
	REJECT(pcapng_write_epb(w, 1, 0, big, 1, 1, &o), EINVAL, "custom option value of 65532 + PEN");
	REJECT(pcapng_write_epb(w, 1, 0, big, 1, 1, &oc), EINVAL, "comment of 65536 bytes");
	REJECT(pcapng_write_process(w, &pname), EINVAL, "process name of 65536 bytes");
	REJECT(pcapng_write_custom(w, true, 1, cbdata, cb_max + 1), EMSGSIZE, "CB one byte over 16 MiB");
	/* The limits themselves are accepted. */
	comment[PCAPNG_OPT_MAX_VALUE] = '\0';
	c.value_len = PCAPNG_OPT_MAX_VALUE - 4;
	len_ok[0] = pcapng_writer_bytes(w);
	tap_ok(pcapng_write_epb(w, 1, 0, big, 1, 1, &oc) == 0, "comment of 65535 bytes accepted");
	len_ok[1] = pcapng_writer_bytes(w);
	tap_ok(pcapng_write_epb(w, 1, 0, big, 1, 1, &o) == 0, "custom option of 65531 + PEN accepted");
	len_ok[2] = pcapng_writer_bytes(w);
	tap_ok(pcapng_write_custom(w, true, 1, cbdata, cb_max) == 0, "CB of exactly 16 MiB accepted");
	TAP_EQ_U(pcapng_writer_bytes(w) - len_ok[2], CAP_MAX_BLOCK_BYTES, "that CB is 16 MiB long");
	tap_ok(pcapng_writer_close(w, err, sizeof(err)) == 0, "close rej.pcapng");
	{
		struct capfile *cf = open_read("rej.pcapng");
		struct cap_record rec;
		unsigned kinds[4] = { 0 };   /* SHB, IDB, EPB, CB */
		bool sizes = true;
		enum cap_status st = CAP_END;

		while (cf != NULL && (st = capfile_next(cf, &rec)) == CAP_OK) {
			kinds[0] += rec.kind == CAP_REC_SECTION;
			kinds[1] += rec.kind == CAP_REC_INTERFACE;
			if (rec.kind == CAP_REC_PACKET) {
				sizes &= rec.length == len_ok[kinds[2] + 1] - len_ok[kinds[2]];
				kinds[2]++;
			}
			if (rec.kind == CAP_REC_CUSTOM)
				sizes &= rec.length == CAP_MAX_BLOCK_BYTES && cur_left(&rec.u.custom.data) == cb_max;
			kinds[3] += rec.kind == CAP_REC_CUSTOM;
		}
		tap_ok(cf != NULL && st == CAP_END && kinds[0] == 1 && kinds[1] == 2 && kinds[2] == 2 &&
		       kinds[3] == 1 && sizes, "rej.pcapng holds exactly the accepted blocks (%u %u %u %u, %s)",
		       kinds[0], kinds[1], kinds[2], kinds[3], cf ? capfile_error(cf) : "");
		capfile_close(cf);
	}
	w = NULL;
out:
	pcapng_writer_abort(w);
	free(comment);
	free(cbdata);
}

/* ---------------------------------------------------------------- command-line truncation */

/* Length of the pib_cmdline option of the process record in name. */
static long cmdline_option_len(const char *name, uint8_t first)
{
	struct capfile *cf = open_read(name);
	struct cap_record rec;
	long found = -1;

	while (cf != NULL && capfile_next(cf, &rec) == CAP_OK) {
		struct cur c = rec.u.custom.data;
		struct cap_opt o;
		bool bad = false;

		if (rec.kind != CAP_REC_CUSTOM || !cur_skip(&c, 12))
			continue;
		while (cap_opt_next(&c, false, &o, &bad))
			if (o.code == PCAPNG_PIB_CMDLINE && cur_left(&o.val) > 0 && cur_data(&o.val)[0] == first)
				found = (long)cur_left(&o.val);
	}
	capfile_close(cf);
	return found;
}

static void test_cmdline_cut(void)
{
	char err[ERRLEN];
	const size_t big = 70000;
	uint8_t *cmd = calloc(1, big);
	struct pcapng_writer *w = pcapng_writer_open(dirfd_tmp, "cmd.pcapng", err, sizeof(err));
	struct pcapng_process p = { .pid = 1, .cmdline = cmd };
	int rc = 0;

	if (!tap_ok(w != NULL && cmd != NULL, "open cmd.pcapng"))
		goto out;
	rc |= pcapng_write_shb(w, NULL, NULL, NULL);
	/* "a\0" + 40000 A + "\0" + B... : keeps the first two arguments. */
	memset(cmd, 'B', big);
	cmd[0] = 'a';
	cmd[1] = 0;
	memset(cmd + 2, 'A', 40000);
	cmd[40002] = 0;
	p.cmdline_len = big;
	rc |= pcapng_write_process(w, &p);
	/* One argument of 70000 bytes: cut to 65535. */
	memset(cmd, 'x', big);
	rc |= pcapng_write_process(w, &p);
	/* A NUL right at offset 65535 ends an argument of exactly 65535 bytes. */
	memset(cmd, 'y', big);
	cmd[PCAPNG_OPT_MAX_VALUE] = 0;
	rc |= pcapng_write_process(w, &p);
	/* Exactly 65535 bytes: unchanged. */
	memset(cmd, 'z', big);
	p.cmdline_len = PCAPNG_OPT_MAX_VALUE;
	rc |= pcapng_write_process(w, &p);
	rc |= pcapng_writer_close(w, err, sizeof(err));
	w = NULL;
	tap_ok(rc == 0, "long command lines accepted");
	TAP_EQ_I(cmdline_option_len("cmd.pcapng", 'a'), 40002, "cut after the last whole argument");
	TAP_EQ_I(cmdline_option_len("cmd.pcapng", 'x'), PCAPNG_OPT_MAX_VALUE, "one long argument cut to 65535");
	TAP_EQ_I(cmdline_option_len("cmd.pcapng", 'y'), PCAPNG_OPT_MAX_VALUE, "argument ending at 65535 kept whole");
	TAP_EQ_I(cmdline_option_len("cmd.pcapng", 'z'), PCAPNG_OPT_MAX_VALUE, "65535 bytes kept as they are");
out:
	pcapng_writer_abort(w);
	free(cmd);
}

/* ---------------------------------------------------------------- file handling */

static void test_files(void)
{
	char err[ERRLEN];
	struct pcapng_writer *w, *w2;
	int fd, dfd;
	uint8_t head[4] = { 0 };
	static const uint8_t shb_type[4] = { 0x0A, 0x0D, 0x0D, 0x0A };

	w = pcapng_writer_open(dirfd_tmp, "ab.pcapng", err, sizeof(err));
	tap_ok(w != NULL && pcapng_write_shb(w, "h", NULL, NULL) == 0, "open ab.pcapng, write SHB");
	pcapng_writer_abort(w);
	tap_ok(!exists("ab.pcapng.part") && !exists("ab.pcapng"), "abort leaves neither NAME.part nor NAME");

	w = pcapng_writer_open(dirfd_tmp, "ex.pcapng", err, sizeof(err));
	errno = 0;
	w2 = pcapng_writer_open(dirfd_tmp, "ex.pcapng", err, sizeof(err));
	tap_ok(w != NULL && w2 == NULL && errno == EEXIST && strstr(err, "ex.pcapng.part") != NULL,
	       "a second writer on the same name fails with EEXIST (%s)", err);
	pcapng_writer_abort(w);

	fd = openat(dirfd_tmp, "victim", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	tap_ok(symlinkat("victim", dirfd_tmp, "ln.pcapng.part") == 0, "symlink ln.pcapng.part -> victim");
	w = pcapng_writer_open(dirfd_tmp, "ln.pcapng", err, sizeof(err));
	tap_ok(w == NULL && file_size("victim") == 0, "a symbolic link as NAME.part is refused");
	pcapng_writer_abort(w);

	errno = 0;
	tap_ok(pcapng_writer_open(dirfd_tmp, "sub/x.pcapng", err, sizeof(err)) == NULL && errno == EINVAL &&
	       pcapng_writer_open(dirfd_tmp, "..", err, sizeof(err)) == NULL &&
	       pcapng_writer_open(dirfd_tmp, "", err, sizeof(err)) == NULL,
	       "names with '/', \"..\" and \"\" are refused");

	/* close replaces an existing NAME; the caller's dirfd may be closed before. */
	fd = openat(dirfd_tmp, "old.pcapng", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	tap_ok(fd >= 0 && write(fd, "junk", 4) == 4, "an old file named old.pcapng");
	if (fd >= 0)
		close(fd);
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	w = pcapng_writer_open(dfd, "old.pcapng", err, sizeof(err));
	close(dfd);
	tap_ok(w != NULL && pcapng_write_shb(w, NULL, NULL, NULL) == 0 &&
	       pcapng_writer_close(w, err, sizeof(err)) == 0, "write old.pcapng with a closed dirfd");
	fd = openat(dirfd_tmp, "old.pcapng", O_RDONLY | O_CLOEXEC);
	tap_ok(fd >= 0 && read(fd, head, 4) == 4 && memcmp(head, shb_type, 4) == 0 &&
	       file_size("old.pcapng") == 28, "old.pcapng replaced by a 28-byte SHB");
	if (fd >= 0)
		close(fd);
}

/* ---------------------------------------------------------------- write error */

static void test_write_error(void)
{
	char err[ERRLEN];
	struct rlimit old, lim;
	static uint64_t ends[EFBIG_PACKETS + 2];
	static uint8_t data[2048];
	struct pcapng_writer *w = pcapng_writer_open(dirfd_tmp, "full.pcapng", err, sizeof(err));
	size_t n = 0, i;
	int rc = 0, e = 0, later_e, shb_e, close_rc, close_e;
	uint64_t want = 0, whole = 0, packets_in = 0, packets_read = 0;
	enum cap_status st = CAP_OK;
	struct capfile *cf;
	struct cap_record rec;

	if (!tap_ok(w != NULL && getrlimit(RLIMIT_FSIZE, &old) == 0, "open full.pcapng"))
		return;
	signal(SIGXFSZ, SIG_IGN);
	pcapng_write_shb(w, NULL, NULL, NULL);
	ends[n++] = pcapng_writer_bytes(w);
	pcapng_write_idb(w, LT_ETHERNET, 0, NULL, NULL, NULL, NULL);
	ends[n++] = pcapng_writer_bytes(w);
	lim.rlim_cur = FSIZE_LIMIT;
	lim.rlim_max = old.rlim_max;
	if (!tap_ok(setrlimit(RLIMIT_FSIZE, &lim) == 0, "RLIMIT_FSIZE set to %u bytes", FSIZE_LIMIT)) {
		pcapng_writer_abort(w);
		return;
	}
	for (i = 0; i < EFBIG_PACKETS; i++) {
		uint32_t len = 1000 + (uint32_t)(i % 7);

		rc = pcapng_write_epb(w, 0, (int64_t)i, data, len, len, NULL);
		if (rc < 0) {
			e = errno;
			break;
		}
		ends[n++] = pcapng_writer_bytes(w);
	}
	later_e = pcapng_write_epb(w, 0, 1, data, 1, 1, NULL) < 0 ? errno : 0;
	shb_e = pcapng_write_shb(w, NULL, NULL, NULL) < 0 ? errno : 0;
	tap_ok(strstr(pcapng_writer_error(w), "File too large") != NULL, "message: %s",
	       pcapng_writer_error(w));
	close_rc = pcapng_writer_close(w, err, sizeof(err));
	close_e = errno;
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);

	tap_ok(rc < 0 && e == EFBIG && i > 0, "a write fails with EFBIG after %zu packets", i);
	tap_ok(later_e == EFBIG && shb_e == EFBIG, "the failure is sticky: later blocks fail with EFBIG");
	tap_ok(close_rc == -1 && close_e == EFBIG && err[0] != '\0', "close reports EFBIG: %s", err);
	tap_ok(exists("full.pcapng") && !exists("full.pcapng.part"), "the whole blocks are still published");
	for (size_t k = 0; k < n; k++) {
		if (ends[k] <= FSIZE_LIMIT) {
			want = ends[k];
			packets_in = k >= 2 ? k - 1 : 0;
		}
	}
	TAP_EQ_I(file_size("full.pcapng"), want, "file cut back to the end of the last whole block");
	tap_ok(want > FSIZE_LIMIT - 2000 && want < FSIZE_LIMIT, "that is just under the limit (%llu)",
	       (unsigned long long)want);
	cf = open_read("full.pcapng");
	while (cf != NULL && (st = capfile_next(cf, &rec)) == CAP_OK) {
		packets_read += rec.kind == CAP_REC_PACKET;
		whole = rec.offset + rec.length;
	}
	tap_ok(cf != NULL && st == CAP_END && whole == want, "reader: clean end after %llu bytes (%s)",
	       (unsigned long long)whole, cf ? capfile_error(cf) : "");
	TAP_EQ_U(packets_read, packets_in, "reader: every packet that fit is there");
	capfile_close(cf);
}

/* AT_FDCWD as the directory. */
static void test_cwd(void)
{
	char err[ERRLEN];
	struct pcapng_writer *w;

	if (!tap_ok(chdir(tmpdir) == 0, "chdir to the test directory"))
		return;
	w = pcapng_writer_open(AT_FDCWD, "cwd.pcapng", err, sizeof(err));
	tap_ok(w != NULL && access("cwd.pcapng.part", F_OK) == 0 && pcapng_write_shb(w, NULL, NULL, NULL) == 0 &&
	       pcapng_writer_close(w, err, sizeof(err)) == 0 && access("cwd.pcapng", F_OK) == 0 &&
	       access("cwd.pcapng.part", F_OK) != 0, "AT_FDCWD: NAME.part while writing, NAME after close");
}

static void cleanup(void)
{
	static const char *const names[] = {
		"rt.pcapng", "rej.pcapng", "cmd.pcapng", "victim", "ln.pcapng.part", "old.pcapng",
		"full.pcapng", "cwd.pcapng", "ex.pcapng.part",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(dirfd_tmp, names[i], 0);
	close(dirfd_tmp);
	if (rmdir(tmpdir) != 0)
		tap_diag("left %s behind", tmpdir);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/pidcap-writer-XXXXXX", t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL ||
	    (dirfd_tmp = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_roundtrip();
	test_rejects();
	test_cmdline_cut();
	test_files();
	test_write_error();
	test_cwd();
	cleanup();
	return tap_done();
}
