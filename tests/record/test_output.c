/* \summary: output files: rotation by size, time and count, per-file records, ISB counters, a full disk */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_const.h"
#include "capfile/pcapng_writer.h"
#include "record/output.h"
#include "../tap.h"
#include "util/units.h"

#define LT_ETHERNET   1
#define SNAPLEN       2048u
#define PKT_BYTES     100u
#define N_PACKETS     1000u
#define BASE_NS       1795971662000000000LL   /* 2026-11-29T17:01:02Z */
#define STEP_NS       1000000LL               /* 1 ms between packets */
#define SIZE_LIMIT    4096u                   /* -C, in bytes: about 29 packets a file */
#define KEEP_FILES    3u                      /* -W */
#define TIME_LIMIT_NS (10 * NS_PER_SEC)       /* -G 10 */
#define TIME_PACKETS  35u                     /* one a second: files of 10, 10, 10, 5 */
#define PEN_EXAMPLE   32473u                  /* RFC 5612: for documentation */
#define MAX_FILES     256
#define ERRLEN        600
#define FULL_PKT_BYTES 300u
#define FULL_MAX_PACKETS 100000u              /* far more than 1 MiB holds */

static char tmpdir[PATH_MAX];

/* ---------------------------------------------------------------- callbacks */

struct test_ctx {
	uint64_t offered;          /* packets handed to output_packet, for fake counters */
	unsigned new_files;
	bool fail_new_file;
};

/* Cumulative counters like a capture's: received = 2 per packet, osdrop = 1 per 10. */
static void fake_stats(void *ctx, struct pcapng_isb *isb)
{
	struct test_ctx *t = ctx;

	isb->has_ifrecv = true;
	isb->ifrecv = 2 * t->offered;
	isb->has_osdrop = true;
	isb->osdrop = t->offered / 10;
}

/* Repeats "the live records": one custom block holding the file's sequence number. */
static int repeat_records(void *ctx, struct output *o)
{
	struct test_ctx *t = ctx;
	uint64_t seq = output_file_seq(o);

	t->new_files++;
	if (t->fail_new_file) {
		errno = EIO;
		return -1;
	}
	return pcapng_write_custom(output_writer(o), true, PEN_EXAMPLE, &seq, sizeof(seq));
}

/* ---------------------------------------------------------------- helpers */

static int open_subdir(const char *sub, char *path, size_t pathlen)
{
	if ((size_t)snprintf(path, pathlen, "%s/%s", tmpdir, sub) >= pathlen ||
	    (mkdir(path, 0755) < 0 && errno != EEXIST))
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static struct output_config base_config(int dirfd, const char *name, struct test_ctx *t)
{
	struct output_config c = {
		.dirfd = dirfd, .name = name, .linktype = LT_ETHERNET, .snaplen = SNAPLEN,
		.if_name = "test0", .if_filter = "udp port 45123", .if_os = "Linux",
		.stats_fn = fake_stats, .new_file_fn = repeat_records, .ctx = t,
	};
	return c;
}

/* Packet idx: its number in the first 4 bytes, then a pattern. */
static void make_packet(uint8_t *b, size_t len, uint32_t idx)
{
	memcpy(b, &idx, sizeof(idx));
	for (size_t i = sizeof(idx); i < len; i++)
		b[i] = (uint8_t)(idx + i);
}

static bool packet_right(const struct cap_packet *p, uint32_t idx, uint32_t len, int64_t step_ns)
{
	uint8_t want[FULL_PKT_BYTES];

	make_packet(want, len, idx);
	return p->caplen == len && p->origlen == len && p->has_ts &&
	       p->ts_ns == BASE_NS + (int64_t)idx * step_ns && memcmp(p->data, want, len) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir, sorted; *parts counts leftover .part files. */
static int list_dir(const char *dir, char **names, int max, int *parts)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*parts = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if (l > 5 && strcmp(e->d_name + l - 5, ".part") == 0)
			(*parts)++;
		if (n < max)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_names);
	return n;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
}

/* What one file holds, checked as it is read. */
struct fsum {
	enum cap_status end;
	unsigned shb, idb, isb, custom, packets, bad_packets;
	bool layout_ok;            /* SHB, IDB, customs, packets, ISB last */
	uint64_t custom_seq;
	uint32_t linktype, snaplen;
	uint8_t tsresol;
	bool names_ok;             /* if_name, if_filter, if_os as configured */
	int64_t first_ts, last_ts;
	bool has_ifrecv, has_ifdrop, has_osdrop, has_usrdeliv;
	uint64_t ifrecv, osdrop, usrdeliv;
	int64_t isb_start, isb_end;
};

static void read_isb(const struct cap_record *rec, struct fsum *s)
{
	struct cur opts = rec->options;
	struct cap_opt o;
	bool bad = false;

	while (cap_opt_next(&opts, rec->big_endian, &o, &bad)) {
		struct cur v = o.val;
		uint32_t hi = 0, lo = 0;
		uint64_t u = 0;

		if (o.code == PCAPNG_ISB_STARTTIME || o.code == PCAPNG_ISB_ENDTIME) {
			cur_u32_e(&v, rec->big_endian, &hi);
			cur_u32_e(&v, rec->big_endian, &lo);
			u = (uint64_t)hi << 32 | lo;
		} else {
			cur_u64_e(&v, rec->big_endian, &u);
		}
		switch (o.code) {
		case PCAPNG_ISB_STARTTIME: s->isb_start = (int64_t)u; break;
		case PCAPNG_ISB_ENDTIME: s->isb_end = (int64_t)u; break;
		case PCAPNG_ISB_IFRECV: s->has_ifrecv = true; s->ifrecv = u; break;
		case PCAPNG_ISB_IFDROP: s->has_ifdrop = true; break;
		case PCAPNG_ISB_OSDROP: s->has_osdrop = true; s->osdrop = u; break;
		case PCAPNG_ISB_USRDELIV: s->has_usrdeliv = true; s->usrdeliv = u; break;
		default: break;
		}
	}
}

static void read_iface(const struct cap_interface *i, struct fsum *s)
{
	s->linktype = i->linktype;
	s->snaplen = i->snaplen;
	s->tsresol = i->tsresol;
	s->names_ok = i->name && strcmp(i->name, "test0") == 0 && i->filter &&
		      strcmp(i->filter, "udp port 45123") == 0 && i->os && strcmp(i->os, "Linux") == 0;
}

/*
 * Reads dir/name through pidcap's reader. Packets must continue the
 * sequence *next (their numbers, bytes and times); the layout must be SHB,
 * IDB, custom blocks, packets, then at most one ISB as the very last block.
 */
static int read_file(const char *dir, const char *name, struct fsum *s, uint32_t *next,
		     uint32_t len, int64_t step_ns)
{
	char path[PATH_MAX * 2], err[ERRLEN];
	struct cap_record rec;
	struct capfile *cf;
	bool not_capture;
	int order = 0;   /* 0 SHB, 1 IDB, 2 customs, 3 packets, 4 after the ISB */

	memset(s, 0, sizeof(*s));
	s->layout_ok = true;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cf = capfile_open(path, err, sizeof(err), &not_capture);
	if (cf == NULL) {
		tap_diag("%s: %s", path, err);
		return -1;
	}
	while ((s->end = capfile_next(cf, &rec)) == CAP_OK) {
		int want;

		switch (rec.kind) {
		case CAP_REC_SECTION: want = 0; s->shb++; break;
		case CAP_REC_INTERFACE: want = 1; s->idb++; read_iface(rec.u.iface, s); break;
		case CAP_REC_CUSTOM:
			want = 2;
			s->custom++;
			if (rec.u.custom.pen == PEN_EXAMPLE && cur_left(&rec.u.custom.data) >= sizeof(uint64_t))
				memcpy(&s->custom_seq, cur_data(&rec.u.custom.data), sizeof(uint64_t));
			break;
		case CAP_REC_PACKET:
			want = 3;
			if (s->packets++ == 0)
				s->first_ts = rec.u.pkt.ts_ns;
			s->last_ts = rec.u.pkt.ts_ns;
			if (!packet_right(&rec.u.pkt, *next, len, step_ns))
				s->bad_packets++;
			(*next)++;
			break;
		case CAP_REC_STATS: want = 4; s->isb++; read_isb(&rec, s); break;
		default: want = -1; break;
		}
		/* Each kind may only follow its predecessors; SHB and IDB exactly once. */
		if (want < 0 || want < order || ((order <= 1 || want <= 1) && want != order))
			s->layout_ok = false;
		order = want == 4 ? 5 : want + (want <= 1);
	}
	if (s->end != CAP_END)
		tap_diag("%s: %s at %llu", name, capfile_error(cf),
			 (unsigned long long)capfile_error_offset(cf));
	capfile_close(cf);
	return 0;
}

static long long file_size(const char *dir, const char *name)
{
	char path[PATH_MAX * 2];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* dumpcap's ring name: STEM_NNNNN_YYYYmmddHHMMSS.EXT; stamp of ts_ns unless ts_ns < 0. */
static bool ring_name_right(const char *name, const char *stem, unsigned seq, const char *ext,
			    int64_t ts_ns)
{
	char want[PATH_MAX], stamp[32];
	time_t t = (time_t)(ts_ns / NS_PER_SEC);
	struct tm tm;
	size_t sl;

	snprintf(want, sizeof(want), "%s_%05u_", stem, seq);
	sl = strlen(want);
	if (strncmp(name, want, sl) != 0 || strlen(name) != sl + 14 + strlen(ext) ||
	    strcmp(name + sl + 14, ext) != 0)
		return false;
	for (size_t i = sl; i < sl + 14; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	if (ts_ns < 0)
		return true;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	return strncmp(name + sl, stamp, 14) == 0;
}

static int write_packets(struct output *o, struct test_ctx *t, uint32_t from, uint32_t n,
			 int64_t step_ns)
{
	uint8_t b[PKT_BYTES];

	for (uint32_t i = from; i < from + n; i++) {
		make_packet(b, sizeof(b), i);
		t->offered++;
		if (output_packet(o, BASE_NS + (int64_t)i * step_ns, b, sizeof(b), sizeof(b), NULL) < 0) {
			tap_diag("packet %u: %s", i, output_error(o));
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_single(void)
{
	char dir[PATH_MAX], err[ERRLEN], *names[MAX_FILES];
	struct test_ctx t = { 0 };
	int fd = open_subdir("single", dir, sizeof(dir)), parts, n;
	struct output_config c = base_config(fd, "out.pcapng", &t);
	struct output *o = output_open(&c, err, sizeof(err));
	uint32_t next = 0;
	struct fsum s;

	if (!tap_ok(o != NULL, "single file: opened")) {
		tap_diag("%s", err);
		return;
	}
	tap_ok(strcmp(output_current_name(o), "out.pcapng") == 0 && output_file_seq(o) == 1,
	       "single file: named exactly as given, sequence 1");
	tap_ok(write_packets(o, &t, 0, 10, STEP_NS) == 0, "single file: 10 packets written");
	tap_ok(output_rotate(o, BASE_NS + NS_PER_SEC) == 0 && output_file_seq(o) == 1,
	       "single file: rotation without -C/-G does nothing");
	tap_ok(output_close(o, err, sizeof(err)) == 0, "single file: closed (%s)", err);
	n = list_dir(dir, names, MAX_FILES, &parts);
	tap_ok(n == 1 && strcmp(names[0], "out.pcapng") == 0 && parts == 0,
	       "single file: out.pcapng and nothing else");
	if (n >= 1 && read_file(dir, names[0], &s, &next, PKT_BYTES, STEP_NS) == 0) {
		tap_ok(s.end == CAP_END && s.layout_ok && s.shb == 1 && s.idb == 1 && s.isb == 1 &&
		       s.custom == 0, "single file: SHB, IDB, packets, ISB, read to a clean end");
		tap_ok(s.packets == 10 && s.bad_packets == 0, "single file: the 10 packets as written");
		tap_ok(s.linktype == LT_ETHERNET && s.snaplen == SNAPLEN && s.tsresol == 9 && s.names_ok,
		       "single file: IDB link type, snaplen, if_tsresol 9, name, filter, os");
		tap_ok(s.has_usrdeliv && s.usrdeliv == 10 && s.has_ifrecv && s.ifrecv == 20 &&
		       s.has_osdrop && s.osdrop == 1 && !s.has_ifdrop,
		       "single file: ISB usrdeliv 10, ifrecv 20, osdrop 1, no ifdrop (not given)");
		tap_ok(s.isb_start > 0 && s.isb_start <= s.first_ts && s.isb_end >= s.last_ts,
		       "single file: isb_starttime no later than the first packet, endtime after the last");
	}
	free_names(names, n);
	close(fd);
}

static void test_size_rotation(void)
{
	char dir[PATH_MAX], err[ERRLEN], *names[MAX_FILES];
	struct test_ctx t = { 0 };
	int fd = open_subdir("size", dir, sizeof(dir)), parts, n;
	struct output_config c = base_config(fd, "out.pcapng", &t);
	struct output *o;
	uint32_t next = 0;
	uint64_t ifrecv = 0, osdrop = 0, files_written;
	bool all_ok = true, sizes_ok = true, names_ok = true, customs_ok = true, isb_ok = true;

	c.max_bytes = SIZE_LIMIT;
	o = output_open(&c, err, sizeof(err));
	if (!tap_ok(o != NULL, "-C: opened")) {
		tap_diag("%s", err);
		return;
	}
	tap_ok(ring_name_right(output_current_name(o), "out", 1, ".pcapng", -1),
	       "-C: first file named out_00001_<stamp>.pcapng (%s)", output_current_name(o));
	tap_ok(write_packets(o, &t, 0, N_PACKETS, STEP_NS) == 0, "-C: %u packets written", N_PACKETS);
	files_written = output_files_written(o);
	tap_ok(output_close(o, err, sizeof(err)) == 0, "-C: closed (%s)", err);
	n = list_dir(dir, names, MAX_FILES, &parts);
	tap_ok(n > 5 && parts == 0 && (uint64_t)n == files_written + 1,
	       "-C: %d files, no .part, output_files_written %llu + the last", n,
	       (unsigned long long)files_written);
	TAP_EQ_U(t.new_files, n - 1, "-C: new_file_fn called once per file after the first");
	for (int i = 0; i < n; i++) {
		struct fsum s;
		uint32_t first = next;

		if (read_file(dir, names[i], &s, &next, PKT_BYTES, STEP_NS) < 0) {
			all_ok = false;
			continue;
		}
		all_ok &= s.end == CAP_END && s.layout_ok && s.shb == 1 && s.idb == 1 && s.isb == 1 &&
			  s.packets > 0 && s.bad_packets == 0;
		sizes_ok &= file_size(dir, names[i]) <= (long long)SIZE_LIMIT;
		names_ok &= ring_name_right(names[i], "out", (unsigned)i + 1, ".pcapng",
					    i == 0 ? -1 : BASE_NS + (int64_t)first * STEP_NS);
		customs_ok &= i == 0 ? s.custom == 0 : s.custom == 1 && s.custom_seq == (uint64_t)i + 1;
		isb_ok &= s.has_usrdeliv && s.usrdeliv == s.packets && s.isb_start <= s.first_ts &&
			  s.isb_end >= s.last_ts;
		ifrecv += s.ifrecv;
		osdrop += s.osdrop;
	}
	tap_ok(all_ok, "-C: every file complete (SHB, IDB, records, packets, ISB; clean end)");
	TAP_EQ_U(next, N_PACKETS, "-C: all packets, in order, none lost or repeated");
	tap_ok(sizes_ok, "-C: no file larger than %u bytes, ISB included", SIZE_LIMIT);
	tap_ok(names_ok, "-C: names out_NNNNN_<local time of the first packet>.pcapng, consecutive");
	tap_ok(customs_ok, "-C: each new file repeats the records, right after its IDB");
	tap_ok(isb_ok, "-C: each ISB: usrdeliv = packets in the file, start/end around them");
	tap_ok(ifrecv == 2 * N_PACKETS && osdrop == N_PACKETS / 10,
	       "-C: per-file ISB counters add up to the totals (ifrecv %llu, osdrop %llu)",
	       (unsigned long long)ifrecv, (unsigned long long)osdrop);
	free_names(names, n);
	close(fd);
}

static void test_time_rotation(void)
{
	static const unsigned want[] = { 10, 10, 10, 5 };
	char dir[PATH_MAX], err[ERRLEN], *names[MAX_FILES];
	struct test_ctx t = { 0 };
	int fd = open_subdir("time", dir, sizeof(dir)), parts, n;
	struct output_config c = base_config(fd, "cap", &t);
	struct output *o;
	uint32_t next = 0;
	bool ok = true;

	c.max_ns = TIME_LIMIT_NS;
	o = output_open(&c, err, sizeof(err));
	if (!tap_ok(o != NULL, "-G: opened")) {
		tap_diag("%s", err);
		return;
	}
	tap_ok(write_packets(o, &t, 0, TIME_PACKETS, NS_PER_SEC) == 0, "-G: packets one a second");
	tap_ok(output_close(o, err, sizeof(err)) == 0, "-G: closed (%s)", err);
	n = list_dir(dir, names, MAX_FILES, &parts);
	if (!TAP_EQ_I(n, 4, "-G 10: 35 seconds of packets in 4 files"))
		ok = false;
	for (int i = 0; ok && i < n; i++) {
		struct fsum s;
		uint32_t first = next;

		ok &= read_file(dir, names[i], &s, &next, PKT_BYTES, NS_PER_SEC) == 0 &&
		      s.end == CAP_END && s.layout_ok && s.packets == want[i] && s.bad_packets == 0 &&
		      s.isb == 1 && s.isb_start == BASE_NS + (int64_t)first * NS_PER_SEC &&
		      ring_name_right(names[i], "cap", (unsigned)i + 1, "", i ? s.first_ts : -1);
	}
	tap_ok(ok && next == TIME_PACKETS,
	       "-G: files of 10, 10, 10, 5 packets, each starting a period, named cap_NNNNN_<stamp>");
	free_names(names, n);
	close(fd);
}

static void test_max_files(void)
{
	char dir[PATH_MAX], err[ERRLEN], *names[MAX_FILES];
	struct test_ctx t = { 0 };
	int fd = open_subdir("ring", dir, sizeof(dir)), parts, n;
	struct output_config c = base_config(fd, "ring.pcapng", &t);
	struct output *o;
	uint64_t total;
	uint32_t next = 0;
	bool ok = true;

	c.max_bytes = SIZE_LIMIT;
	c.max_files = KEEP_FILES;
	o = output_open(&c, err, sizeof(err));
	if (!tap_ok(o != NULL, "-W: opened")) {
		tap_diag("%s", err);
		return;
	}
	tap_ok(write_packets(o, &t, 0, N_PACKETS, STEP_NS) == 0, "-W: packets written");
	total = output_file_seq(o);
	tap_ok(output_close(o, err, sizeof(err)) == 0, "-W: closed (%s)", err);
	n = list_dir(dir, names, MAX_FILES, &parts);
	TAP_EQ_I(n, KEEP_FILES, "-W %u: %llu files made, %u kept", KEEP_FILES,
		 (unsigned long long)total, KEEP_FILES);
	for (int i = 0; i < n && n == (int)KEEP_FILES; i++) {
		struct fsum s;

		ok &= ring_name_right(names[i], "ring", (unsigned)(total - KEEP_FILES + 1) + (unsigned)i,
				      ".pcapng", -1);
		if (i == 0) {
			/* The sequence starts at the first packet of the oldest file kept. */
			uint32_t probe = 0;

			read_file(dir, names[0], &s, &probe, PKT_BYTES, STEP_NS);
			next = (uint32_t)((s.first_ts - BASE_NS) / STEP_NS);
		}
		ok &= read_file(dir, names[i], &s, &next, PKT_BYTES, STEP_NS) == 0 &&
		      s.end == CAP_END && s.bad_packets == 0 && s.isb == 1;
	}
	tap_ok(ok && n == (int)KEEP_FILES && next == N_PACKETS,
	       "-W: the kept files are the last %u, consecutive up to the last packet", KEEP_FILES);
	free_names(names, n);
	close(fd);
}

static void test_manual_rotation_and_errors(void)
{
	char dir[PATH_MAX], err[ERRLEN], *names[MAX_FILES];
	struct test_ctx t = { 0 };
	int fd = open_subdir("misc", dir, sizeof(dir)), parts, n, pfd;
	struct output_config c = base_config(fd, "hup.pcapng", &t);
	uint8_t big[SNAPLEN + 1] = { 0 };
	struct output *o;

	c.max_ns = 3600 * NS_PER_SEC;
	o = output_open(&c, err, sizeof(err));
	if (!tap_ok(o != NULL, "SIGHUP: opened")) {
		tap_diag("%s", err);
		return;
	}
	write_packets(o, &t, 0, 5, STEP_NS);
	tap_ok(output_rotate(o, BASE_NS + NS_PER_SEC) == 0 && output_file_seq(o) == 2 &&
	       t.new_files == 1 && output_files_written(o) == 1,
	       "SIGHUP: output_rotate starts file 2 and repeats the records");
	tap_ok(output_packet(o, BASE_NS, big, sizeof(big), sizeof(big), NULL) < 0 && errno == EINVAL &&
	       output_error(o)[0] != '\0', "a packet over the snaplen is refused (%s)", output_error(o));
	tap_ok(write_packets(o, &t, 5, 5, STEP_NS) == 0, "...and the output stays usable");
	tap_ok(output_close(o, err, sizeof(err)) == 0, "SIGHUP: closed (%s)", err);
	n = list_dir(dir, names, MAX_FILES, &parts);
	TAP_EQ_I(n, 2, "SIGHUP: two files");
	free_names(names, n);

	c.name = "dir/name";
	tap_ok(output_open(&c, err, sizeof(err)) == NULL && err[0], "a name with '/' is refused");
	c.name = "w.pcapng";
	c.max_ns = 0;
	c.max_files = 2;
	tap_ok(output_open(&c, err, sizeof(err)) == NULL && err[0], "-W without -C/-G is refused (%s)",
	       err);
	c.max_files = 0;
	pfd = openat(fd, "w.pcapng.part", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	close(pfd);
	tap_ok(output_open(&c, err, sizeof(err)) == NULL && strstr(err, "w.pcapng.part") != NULL,
	       "an existing NAME.part is not overwritten (%s)", err);
	unlinkat(fd, "w.pcapng.part", 0);

	/* new_file_fn failing stops the output. */
	c.name = "fail.pcapng";
	c.max_ns = 3600 * NS_PER_SEC;
	t.fail_new_file = true;
	o = output_open(&c, err, sizeof(err));
	if (o != NULL) {
		write_packets(o, &t, 0, 1, STEP_NS);
		tap_ok(output_rotate(o, BASE_NS + NS_PER_SEC) < 0 &&
		       output_packet(o, BASE_NS, big, PKT_BYTES, PKT_BYTES, NULL) < 0,
		       "a failing new_file_fn stops the output (%s)", output_error(o));
		tap_ok(output_close(o, err, sizeof(err)) < 0, "...and output_close reports it");
	}
	close(fd);
}

/* ---------------------------------------------------------------- full disk */

/* Exit status of a command run on path, output discarded. */
static int run_tool(const char *tool, const char *args, const char *path)
{
	char cmd[PATH_MAX * 3];

	snprintf(cmd, sizeof(cmd), "%s %s '%s' >/dev/null 2>&1", tool, args, path);
	return system(cmd);
}

static bool have_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static void skip(int count, const char *why)
{
	for (int i = 0; i < count; i++)
		printf("ok %d # SKIP %s\n", ++tap_n, why);
}

#define FULL_TESTS 12
#define FULL_RING_BYTES (64u * 1024)   /* -C on the full tmpfs: about 16 files fit */

static void full_disk_checks(const char *dir, int fd)
{
	char err[ERRLEN], path[PATH_MAX * 2], *names[MAX_FILES];
	struct test_ctx t = { 0 };
	struct output_config c = base_config(fd, "full.pcapng", &t);
	uint8_t b[FULL_PKT_BYTES];
	struct output *o;
	uint32_t i, next = 0;
	int parts, n, r = 0;
	struct fsum s;

	c.snaplen = 0;
	o = output_open(&c, err, sizeof(err));
	if (!tap_ok(o != NULL, "ENOSPC: opened on a 1 MiB tmpfs")) {
		tap_diag("%s", err);
		skip(FULL_TESTS - 1 - 3, "could not open");
		return;
	}
	for (i = 0; i < FULL_MAX_PACKETS; i++) {
		make_packet(b, sizeof(b), i);
		r = output_packet(o, BASE_NS + (int64_t)i * STEP_NS, b, sizeof(b), sizeof(b), NULL);
		if (r < 0)
			break;
	}
	tap_ok(r < 0 && errno == ENOSPC, "ENOSPC: output_packet fails after %u packets", i);
	tap_ok(strstr(output_error(o), "disk full: full.pcapng: No space left on device") != NULL,
	       "ENOSPC: message \"%s\"", output_error(o));
	tap_ok(output_packet(o, BASE_NS + (int64_t)i * STEP_NS, b, sizeof(b), sizeof(b), NULL) < 0,
	       "ENOSPC: sticky");
	tap_ok(output_close(o, err, sizeof(err)) < 0 && strstr(err, "disk full") != NULL,
	       "ENOSPC: output_close fails with the message (%s)", err);
	n = list_dir(dir, names, MAX_FILES, &parts);
	tap_ok(n == 1 && parts == 0 && strcmp(names[0], "full.pcapng") == 0,
	       "ENOSPC: the file is published, no .part left");
	free_names(names, n);
	if (read_file(dir, "full.pcapng", &s, &next, FULL_PKT_BYTES, STEP_NS) == 0)
		tap_ok(s.end == CAP_END && s.layout_ok && s.shb == 1 && s.idb == 1 && s.packets > 0 &&
		       s.bad_packets == 0 && s.packets <= i,
		       "ENOSPC: pidcap's reader: whole blocks only, %u packets in order", s.packets);
	else
		tap_ok(false, "ENOSPC: pidcap's reader opens the file");
	snprintf(path, sizeof(path), "%s/full.pcapng", dir);
	if (have_tool("capinfos") && have_tool("tshark")) {
		tap_ok(run_tool("capinfos", "", path) == 0, "ENOSPC: capinfos reads the file without error");
		tap_ok(run_tool("tshark", "-r", path) == 0, "ENOSPC: tshark -r reads the file without error");
	} else {
		skip(2, "capinfos/tshark not installed");
	}
}

/* The disk fills during rotation: every file published is whole. */
static void full_disk_ring_checks(const char *dir, int fd)
{
	char err[ERRLEN], *names[MAX_FILES];
	struct test_ctx t = { 0 };
	struct output_config c = base_config(fd, "ring.pcapng", &t);
	uint8_t b[FULL_PKT_BYTES];
	struct output *o;
	uint32_t i, next = 0;
	int parts, n, r = 0, whole = 0;

	c.snaplen = 0;
	c.max_bytes = FULL_RING_BYTES;
	o = output_open(&c, err, sizeof(err));
	if (!tap_ok(o != NULL, "ENOSPC in rotation: opened (%s)", o ? "" : err)) {
		skip(2, "could not open");
		return;
	}
	for (i = 0; i < FULL_MAX_PACKETS; i++) {
		make_packet(b, sizeof(b), i);
		r = output_packet(o, BASE_NS + (int64_t)i * STEP_NS, b, sizeof(b), sizeof(b), NULL);
		if (r < 0)
			break;
	}
	tap_ok(r < 0 && errno == ENOSPC && output_close(o, err, sizeof(err)) < 0 &&
	       strstr(err, "disk full") != NULL, "ENOSPC in rotation: stops with \"%s\"", err);
	n = list_dir(dir, names, MAX_FILES, &parts);
	for (int k = 0; k < n; k++) {
		struct fsum s;

		if (read_file(dir, names[k], &s, &next, FULL_PKT_BYTES, STEP_NS) == 0 &&
		    s.end == CAP_END && s.layout_ok && s.bad_packets == 0 && (s.isb == 1 || k == n - 1))
			whole++;
	}
	tap_ok(n > 1 && parts == 0 && whole == n && next > 0,
	       "ENOSPC in rotation: %d files, no .part, all whole, %u packets in order", n, next);
	free_names(names, n);
}

static void test_full_disk(void)
{
	char dir[PATH_MAX + 16];
	int fd;

	snprintf(dir, sizeof(dir), "%s/full", tmpdir);
	if (geteuid() != 0) {
		skip(FULL_TESTS, "ENOSPC test needs root to mount a tmpfs");
		return;
	}
	if (mkdir(dir, 0755) < 0 || mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot mount a tmpfs: %s", strerror(errno));
		skip(FULL_TESTS, why);
		return;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		full_disk_checks(dir, fd);
		unlinkat(fd, "full.pcapng", 0);
		full_disk_ring_checks(dir, fd);
		close(fd);
	}
	if (umount2(dir, MNT_DETACH) < 0)
		tap_diag("umount %s: %s", dir, strerror(errno));
}

static void remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

int main(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_output.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_single();
	test_size_rotation();
	test_time_rotation();
	test_max_files();
	test_manual_rotation_and_errors();
	test_full_disk();
	remove_tree(tmpdir);
	return tap_done();
}
