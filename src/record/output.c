/* \summary: output files: pcapng writer, rotation by size/time/count, per-file process and socket records */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "capfile/pcapng_const.h"
#include "record/output.h"
#include "util/errmsg.h"
#include "util/units.h"
#include "util/array.h"

#define ERR_BYTES     512
#define IFACE_ID      0                      /* one interface per file */
#define STAMP_FORMAT  "%Y%m%d%H%M%S"         /* dumpcap's ring file names */
#define STAMP_BYTES   sizeof("YYYYmmddHHMMSS")
#define DEFAULT_USERAPPL "pidcap " PACKAGE_VERSION
#define MIN_KEPT      8                      /* first size of the published-file list */

/* Sizes of what a block will take in the file (draft-ietf-opsawg-pcapng §4, §4.3, §4.6). */
#define OPT_HEAD_BYTES   4u                  /* option code + length */
#define EPB_FIXED_BYTES  20u                 /* interface, timestamp, caplen, origlen */
#define ISB_FIXED_BYTES  12u                 /* interface, timestamp */
#define ISB_TIME_OPTS    2u                  /* isb_starttime, isb_endtime */
#define ISB_COUNT_OPTS   5u                  /* ifrecv, ifdrop, filteraccept, osdrop, usrdeliv */
#define U64_BYTES        8u
#define ISB_MAX_BYTES (PCAPNG_BLOCK_OVERHEAD + ISB_FIXED_BYTES + \
		       (ISB_TIME_OPTS + ISB_COUNT_OPTS) * (OPT_HEAD_BYTES + U64_BYTES) + OPT_HEAD_BYTES)

struct output {
	int dirfd;
	char *name, *stem, *ext;             /* ext with its '.', or "" */
	char *if_name, *if_filter, *if_os, *userappl;
	char *shb_os, *shb_hardware;
	uint64_t max_bytes;
	int64_t max_ns;
	uint32_t max_files;
	bool rotating;
	uint16_t linktype;
	uint32_t snaplen;
	void (*stats_fn)(void *ctx, struct pcapng_isb *isb);
	int (*new_file_fn)(void *ctx, struct output *o);
	void *ctx;

	struct pcapng_writer *w;             /* current file; NULL after a failed rotation */
	char *cur;                           /* its final name */
	uint64_t seq, files_written;
	int64_t start_ns, last_ts_ns;
	uint64_t file_packets;
	struct pcapng_isb totals;            /* cumulative counters at the previous close */
	char **kept;                         /* published files, oldest first (max_files only) */
	uint32_t n_kept;
	size_t cap_kept;
	int failed;                          /* errno that stopped the output; sticky */
	char err[ERR_BYTES];
};

/* Keeps a message for output_error(), sets errno to e, answers -1. */
#define set_err(o, e, ...) errmsg_set((o)->err, sizeof((o)->err), (e), __VA_ARGS__)

/* The writer refuses a bad block with these and stays usable; any other errno is the file's. */
static bool is_write_error(int e)
{
	return e != EINVAL && e != EMSGSIZE && e != ENOMEM;
}

/* Stops the output after a failed write to the current file; detail is the
 * writer's message (it names NAME.part and what happened to the file). */
static int fail_write(struct output *o, int e, const char *detail)
{
	o->failed = e ? e : EIO;
	if (o->failed == ENOSPC || o->failed == EDQUOT)
		return set_err(o, o->failed, "disk full: %s: %s (the file is cut back to its last whole block)",
			       o->cur, strerror(o->failed));
	return set_err(o, o->failed, "%s", detail[0] ? detail : strerror(o->failed));
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static uint64_t pad4(uint64_t n)
{
	return (n + 3) & ~(uint64_t)3;
}

/* Bytes the EPB of such a packet will take (pcapng_write_epb's layout). */
static uint64_t epb_bytes(uint32_t caplen, const struct pcapng_epb_opts *opts)
{
	uint64_t n = PCAPNG_BLOCK_OVERHEAD + EPB_FIXED_BYTES + pad4(caplen), opt = 0;

	if (opts == NULL)
		return n;
	if (opts->has_flags)
		opt += OPT_HEAD_BYTES + sizeof(uint32_t);
	if (opts->has_pid)
		opt += OPT_HEAD_BYTES + 2 * sizeof(uint32_t);
	for (size_t i = 0; opts->comments != NULL && i < opts->n_comments; i++)
		opt += OPT_HEAD_BYTES + pad4(opts->comments[i] ? strlen(opts->comments[i]) : 0);
	for (size_t i = 0; opts->custom != NULL && i < opts->n_custom; i++)
		opt += OPT_HEAD_BYTES + pad4(sizeof(uint32_t) + opts->custom[i].value_len);
	return n + (opt ? opt + OPT_HEAD_BYTES : 0);
}

/* ---------------------------------------------------------------- names */

/* Splits name into stem and extension at its last '.', unless that starts the name. */
static int split_name(struct output *o)
{
	const char *dot = strrchr(o->name, '.');

	if (dot == NULL || dot == o->name)
		dot = o->name + strlen(o->name);
	o->stem = strndup(o->name, (size_t)(dot - o->name));
	o->ext = strdup(dot);
	return o->stem && o->ext ? 0 : -1;
}

/* Name of file number seq opened at ts_ns: NAME, or dumpcap's STEM_NNNNN_STAMP.EXT. */
static char *file_name(const struct output *o, uint64_t seq, int64_t ts_ns)
{
	char stamp[STAMP_BYTES] = "00000000000000";
	time_t t = (time_t)(ts_ns / NS_PER_SEC);
	struct tm tm;
	char *s;

	if (!o->rotating)
		return strdup(o->name);
	if (localtime_r(&t, &tm) != NULL)
		strftime(stamp, sizeof(stamp), STAMP_FORMAT, &tm);
	if (asprintf(&s, "%s_%05" PRIu64 "_%s%s", o->stem, seq, stamp, o->ext) < 0)
		return NULL;
	return s;
}

/* Remembers a published file; with max_files, the oldest go as new ones come. */
static void keep_file(struct output *o, char *name)
{
	if (o->max_files == 0) {
		free(name);
		return;
	}
	if (!ARRAY_RESERVE(o->kept, o->cap_kept, (size_t)o->n_kept + 1, MIN_KEPT)) {
		/* Losing track of one old file only keeps it on disk. */
		free(name);
		return;
	}
	o->kept[o->n_kept++] = name;
}

/* Makes room for one more file under max_files. A file already gone is fine;
 * one that cannot be removed stays (the capture matters more). */
static void drop_oldest(struct output *o)
{
	while (o->max_files != 0 && o->n_kept > 0 && o->n_kept >= o->max_files) {
		unlinkat(o->dirfd, o->kept[0], 0);
		free(o->kept[0]);
		memmove(o->kept, o->kept + 1, (o->n_kept - 1) * sizeof(*o->kept));
		o->n_kept--;
	}
}

/* ---------------------------------------------------------------- files */

/* Creates file number seq + 1 at ts_ns with its SHB and IDB. */
static int open_file(struct output *o, int64_t ts_ns)
{
	char err[ERR_BYTES];
	char *name = file_name(o, o->seq + 1, ts_ns);

	if (name == NULL)
		return set_err(o, ENOMEM, "out of memory");
	drop_oldest(o);
	o->w = pcapng_writer_open(o->dirfd, name, err, sizeof(err));
	if (o->w == NULL) {
		int e = errno;

		free(name);
		return set_err(o, e, "%s", err);
	}
	free(o->cur);
	o->cur = name;
	o->seq++;
	o->start_ns = o->last_ts_ns = ts_ns;
	o->file_packets = 0;
	if (pcapng_write_shb(o->w, o->shb_hardware, o->shb_os, o->userappl) < 0 ||
	    pcapng_write_idb(o->w, o->linktype, o->snaplen, o->if_name, o->if_filter, o->if_os,
			     NULL) < 0)
		return fail_write(o, errno, pcapng_writer_error(o->w));
	return 0;
}

/* The file's share of the cumulative counters: now minus the previous close. */
static void file_stats(struct output *o, struct pcapng_isb *isb, int64_t end_ns)
{
	struct pcapng_isb cum = { 0 };

	if (o->stats_fn != NULL)
		o->stats_fn(o->ctx, &cum);
	memset(isb, 0, sizeof(*isb));
#define SHARE(f) \
	do { \
		isb->has_##f = cum.has_##f; \
		isb->f = cum.f >= o->totals.f ? cum.f - o->totals.f : cum.f; \
		if (cum.has_##f) \
			o->totals.f = cum.f; \
	} while (0)
	SHARE(ifrecv);
	SHARE(ifdrop);
	SHARE(filteraccept);
	SHARE(osdrop);
#undef SHARE
	isb->has_usrdeliv = true;
	isb->usrdeliv = o->file_packets;
	isb->has_starttime = isb->has_endtime = true;
	isb->starttime_ns = o->start_ns;
	isb->endtime_ns = end_ns;
}

/* After a failed write that kept nothing, not even the SHB: an empty file is
 * no capture, so it goes instead of staying published. */
static void drop_empty_file(struct output *o)
{
	struct stat st;

	if (fstatat(o->dirfd, o->cur, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_size != 0 ||
	    unlinkat(o->dirfd, o->cur, 0) < 0)
		return;
	if (o->failed == ENOSPC || o->failed == EDQUOT)
		set_err(o, o->failed, "disk full: %s: %s (nothing of it could be written; not kept)",
			o->cur, strerror(o->failed));
	else
		set_err(o, o->failed, "writing %s: %s (nothing of it could be written; not kept)",
			o->cur, strerror(o->failed));
	free(o->cur);
	o->cur = NULL;
	o->files_written--;
}

/* Writes the ISB, publishes the file. The output fails on any error. */
static int close_file(struct output *o, int64_t end_ns)
{
	struct pcapng_isb isb;
	char err[ERR_BYTES];
	int r = 0, e = 0;

	if (end_ns < o->last_ts_ns)
		end_ns = o->last_ts_ns;
	if (end_ns < o->start_ns)
		end_ns = o->start_ns;
	if (o->failed == 0) {
		file_stats(o, &isb, end_ns);
		if (pcapng_write_isb(o->w, IFACE_ID, end_ns, &isb) < 0) {
			r = -1;
			e = errno;
			fail_write(o, e, pcapng_writer_error(o->w));
		}
	}
	if (pcapng_writer_close(o->w, err, sizeof(err)) < 0 && r == 0) {
		r = -1;
		e = errno;
		if (o->failed == 0)
			fail_write(o, e, err);
	}
	o->w = NULL;
	o->files_written++;
	if (o->failed != 0)
		drop_empty_file(o);
	if (o->cur != NULL)
		keep_file(o, o->cur);
	o->cur = NULL;
	if (r < 0 || o->failed != 0) {
		errno = o->failed;
		return -1;
	}
	return 0;
}

static int rotate(struct output *o, int64_t ts_ns)
{
	if (close_file(o, ts_ns) < 0)
		return -1;
	if (open_file(o, ts_ns) < 0) {
		if (o->failed == 0)
			o->failed = errno ? errno : EIO;
		return -1;
	}
	if (o->new_file_fn != NULL && o->new_file_fn(o->ctx, o) < 0) {
		int e = errno;

		if (o->failed != 0)
			return -1;
		o->failed = e ? e : EIO;
		return set_err(o, o->failed, "repeating the process and socket records in %s: %s", o->cur,
			       pcapng_writer_error(o->w)[0] ? pcapng_writer_error(o->w) : strerror(o->failed));
	}
	return 0;
}

/* ---------------------------------------------------------------- public */

static int copy_config(struct output *o, const struct output_config *cfg)
{
	struct utsname u;

#define DUP(dst, src) (((src) == NULL) || ((dst) = strdup(src)) != NULL)
	if (!DUP(o->name, cfg->name) || !DUP(o->if_name, cfg->if_name) ||
	    !DUP(o->if_filter, cfg->if_filter) || !DUP(o->if_os, cfg->if_os) ||
	    !DUP(o->userappl, cfg->userappl ? cfg->userappl : DEFAULT_USERAPPL))
		return -1;
#undef DUP
	if (uname(&u) == 0 &&
	    (asprintf(&o->shb_os, "%s %s", u.sysname, u.release) < 0 ||
	     (o->shb_hardware = strdup(u.machine)) == NULL))
		return -1;
	o->max_bytes = cfg->max_bytes;
	o->max_ns = cfg->max_ns;
	o->max_files = cfg->max_files;
	o->rotating = cfg->max_bytes != 0 || cfg->max_ns != 0;
	o->linktype = cfg->linktype;
	o->snaplen = cfg->snaplen;
	o->stats_fn = cfg->stats_fn;
	o->new_file_fn = cfg->new_file_fn;
	o->ctx = cfg->ctx;
	return split_name(o);
}

static void output_free(struct output *o)
{
	if (o->dirfd >= 0)
		close(o->dirfd);
	for (uint32_t i = 0; i < o->n_kept; i++)
		free(o->kept[i]);
	free(o->kept);
	free(o->cur);
	free(o->name);
	free(o->stem);
	free(o->ext);
	free(o->if_name);
	free(o->if_filter);
	free(o->if_os);
	free(o->userappl);
	free(o->shb_os);
	free(o->shb_hardware);
	free(o);
}

struct output *output_open(const struct output_config *cfg, char *err, size_t errlen)
{
	struct output *o;

	if (cfg->name == NULL || cfg->name[0] == '\0' || strchr(cfg->name, '/') != NULL) {
		snprintf(err, errlen, "output file name must not be empty or contain '/': %s",
			 cfg->name ? cfg->name : "(null)");
		return NULL;
	}
	if (cfg->max_files != 0 && cfg->max_bytes == 0 && cfg->max_ns == 0) {
		snprintf(err, errlen, "a maximum number of files needs rotation by size or time");
		return NULL;
	}
	if (cfg->max_ns < 0) {
		snprintf(err, errlen, "negative rotation period");
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->dirfd = fcntl(cfg->dirfd, F_DUPFD_CLOEXEC, 0);
	if (o->dirfd < 0) {
		snprintf(err, errlen, "cannot use the output directory: %s", strerror(errno));
		goto fail;
	}
	if (copy_config(o, cfg) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	tzset();   /* file names use local time; load the zone before any sandbox */
	if (open_file(o, now_ns()) < 0) {
		snprintf(err, errlen, "%s", o->err);
		pcapng_writer_abort(o->w);
		goto fail;
	}
	return o;
fail:
	output_free(o);
	return NULL;
}

struct pcapng_writer *output_writer(struct output *o)
{
	return o->w;
}

uint64_t output_file_seq(const struct output *o)
{
	return o->seq;
}

/* Answers whether a packet of `bytes` at ts_ns must go to a new file. */
static bool need_rotation(const struct output *o, int64_t ts_ns, uint64_t bytes)
{
	if (!o->rotating || o->file_packets == 0)
		return false;
	if (o->max_bytes != 0 &&
	    pcapng_writer_bytes(o->w) + bytes + ISB_MAX_BYTES > o->max_bytes)
		return true;
	return o->max_ns != 0 && ts_ns >= o->start_ns && ts_ns - o->start_ns >= o->max_ns;
}

int output_prepare_packet(struct output *o, int64_t ts_ns, uint32_t caplen,
			  const struct pcapng_epb_opts *opts)
{
	if (o->failed != 0) {
		errno = o->failed;
		return -1;
	}
	if (need_rotation(o, ts_ns, epb_bytes(caplen, opts)))
		return rotate(o, ts_ns);
	return 0;
}

int output_packet(struct output *o, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
		  uint32_t origlen, const struct pcapng_epb_opts *opts)
{
	if (output_prepare_packet(o, ts_ns, caplen, opts) < 0)
		return -1;
	if (pcapng_write_epb(o->w, IFACE_ID, ts_ns, data, caplen, origlen, opts) < 0) {
		int e = errno;

		if (is_write_error(e))
			return fail_write(o, e, pcapng_writer_error(o->w));
		return set_err(o, e, "packet not written to %s: %s", o->cur, pcapng_writer_error(o->w));
	}
	/* A file's period starts with its first packet when the clocks disagree. */
	if (o->file_packets == 0 &&
	    (ts_ns < o->start_ns || (o->max_ns != 0 && ts_ns - o->start_ns >= o->max_ns)))
		o->start_ns = ts_ns;
	o->file_packets++;
	if (ts_ns > o->last_ts_ns)
		o->last_ts_ns = ts_ns;
	return 0;
}

int output_rotate(struct output *o, int64_t ts_ns)
{
	if (o->failed != 0) {
		errno = o->failed;
		return -1;
	}
	if (!o->rotating)
		return 0;
	return rotate(o, ts_ns);
}

int output_close(struct output *o, char *err, size_t errlen)
{
	int r = 0;

	if (o == NULL)
		return 0;
	if (o->w != NULL)
		r = close_file(o, now_ns());
	if (r < 0 || o->failed != 0) {
		snprintf(err, errlen, "%s", o->err);
		r = -1;
	}
	output_free(o);
	return r;
}

const char *output_error(const struct output *o)
{
	return o->err;
}

const char *output_current_name(const struct output *o)
{
	return o->cur ? o->cur : "";
}

uint64_t output_files_written(const struct output *o)
{
	return o->files_written;
}
