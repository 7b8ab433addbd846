/* \summary: pcapng writer: blocks built whole in a buffer, checked writes, atomic publish */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_const.h"
#include "capfile/pcapng_writer.h"
#include "util/array.h"
#include "util/errmsg.h"
#include "util/wbuf.h"

#define PART_SUFFIX      ".part"
#define FILE_MODE        0644
#define PCAPNG_MAJOR     1
#define PCAPNG_MINOR     0
#define SECTION_LENGTH_UNKNOWN UINT64_MAX   /* -1 as a signed 64-bit length */
#define TSRESOL_NS       9                  /* if_tsresol: units of 10^-9 s */
#define IF_FILTER_STRING 0                  /* if_filter type byte: libpcap filter string */
#define PEN_BYTES        4u
#define U32_BYTES        4u
#define ALIGN            4u                 /* blocks and option values pad to 4 */
#define ERR_BYTES        256
#define MIN_IFACES       8                  /* first size of the snaplen table */
/* Most bytes buffered: a full buffer (which is flushed before the next
 * block) plus one block of the largest size. */
#define OUT_MAX_BYTES    ((size_t)PCAPNG_WRITER_BUF_BYTES + CAP_MAX_BLOCK_BYTES)

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG true
#else
#define HOST_BIG false
#endif

struct pcapng_writer {
	int fd, dirfd;
	char *name, *part;
	struct wbuf out;          /* whole blocks + the one being built */
	size_t blk;               /* offset in out of the block being built */
	int blk_err;              /* errno that rejects the block being built, 0 if none */
	const char *blk_why;
	bool big;                 /* byte order of the values put now */
	uint64_t flushed;         /* bytes written to the file */
	bool have_shb;
	uint32_t n_ifaces;        /* interfaces of the current section */
	uint32_t file_ifaces;     /* interfaces of all sections */
	uint32_t *snaplens;       /* per interface of the current section */
	size_t cap_ifaces;
	uint32_t darwin_pibs;     /* Apple process blocks of the current section */
	int failed;               /* errno of a failed file write; sticky */
	char err[ERR_BYTES];
};

/* Keeps a message for pcapng_writer_error(), sets errno to e, answers -1. */
#define fail(w, e, ...) errmsg_set((w)->err, sizeof((w)->err), (e), __VA_ARGS__)

/* ---------------------------------------------------------------- block builder */

static uint32_t dec_u32_host(const uint8_t *b)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < U32_BYTES; i++)
		v |= (uint32_t)b[i] << (8 * (HOST_BIG ? U32_BYTES - 1 - i : i));
	return v;
}

static void blk_fail(struct pcapng_writer *w, int e, const char *why)
{
	if (w->blk_err == 0) {
		w->blk_err = e;
		w->blk_why = why;
	}
}

/* Appends n bytes to the block being built (the size limit is checked at its end). */
static void put(struct pcapng_writer *w, const void *p, size_t n)
{
	wbuf_put_bytes(&w->out, p, n);
}

static void put_pad(struct pcapng_writer *w)
{
	wbuf_pad(&w->out, w->blk, ALIGN);
}

static void put_u16(struct pcapng_writer *w, uint16_t v)
{
	wbuf_put_u16_e(&w->out, w->big, v);
}

static void put_u32(struct pcapng_writer *w, uint32_t v)
{
	wbuf_put_u32_e(&w->out, w->big, v);
}

/* A native 64-bit value (if_speed, counters, pib_starttime). */
static void put_u64(struct pcapng_writer *w, uint64_t v)
{
	wbuf_put_u64_e(&w->out, w->big, v);
}

/* A timestamp: high 32 bits then low 32 bits (EPB, ISB and their options). */
static void put_ts(struct pcapng_writer *w, uint64_t ts)
{
	put_u32(w, (uint32_t)(ts >> 32));
	put_u32(w, (uint32_t)ts);
}

static void put_opt_head(struct pcapng_writer *w, uint16_t code, size_t len)
{
	if (len > PCAPNG_OPT_MAX_VALUE) {
		blk_fail(w, EINVAL, "option value longer than 65535 bytes");
		return;
	}
	put_u16(w, code);
	put_u16(w, (uint16_t)len);
}

static void put_opt(struct pcapng_writer *w, uint16_t code, const void *v, size_t len)
{
	put_opt_head(w, code, len);
	put(w, v, len);
	put_pad(w);
}

static void put_opt_str(struct pcapng_writer *w, uint16_t code, const char *s)
{
	if (s != NULL)
		put_opt(w, code, s, strlen(s));
}

static void put_opt_u32(struct pcapng_writer *w, uint16_t code, uint32_t v)
{
	put_opt_head(w, code, sizeof(v));
	put_u32(w, v);
}

static void put_opt_u64(struct pcapng_writer *w, uint16_t code, uint64_t v)
{
	put_opt_head(w, code, sizeof(v));
	put_u64(w, v);
}

static void put_opt_ts(struct pcapng_writer *w, uint16_t code, uint64_t ts)
{
	put_opt_head(w, code, sizeof(ts));
	put_ts(w, ts);
}

static void put_opt_comments(struct pcapng_writer *w, const char *const *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i] == NULL)
			blk_fail(w, EINVAL, "NULL comment");
		else
			put_opt_str(w, PCAPNG_OPT_COMMENT, c[i]);
	}
}

static void put_opt_custom(struct pcapng_writer *w, const struct pcapng_custom_opt *c)
{
	if (!PCAPNG_OPT_IS_CUSTOM(c->code)) {
		blk_fail(w, EINVAL, "custom option code is not 2988, 2989, 19372 or 19373");
		return;
	}
	if (c->value_len > PCAPNG_OPT_MAX_VALUE - PEN_BYTES || (c->value == NULL && c->value_len)) {
		blk_fail(w, EINVAL, "custom option value too long or missing");
		return;
	}
	put_opt_head(w, c->code, PEN_BYTES + c->value_len);
	put_u32(w, c->pen);
	put(w, c->value, c->value_len);
	put_pad(w);
}

static void put_opt_end(struct pcapng_writer *w)
{
	put_u16(w, PCAPNG_OPT_ENDOFOPT);
	put_u16(w, 0);
}

/* ---------------------------------------------------------------- file output */

/* Length of the whole blocks at the start of buf[0, n). */
static size_t whole_blocks(const uint8_t *buf, size_t n)
{
	size_t off = 0;

	while (n - off >= PCAPNG_BLOCK_OVERHEAD) {
		uint32_t len = dec_u32_host(buf + off + U32_BYTES);

		if (len > n - off)
			break;
		off += len;
	}
	return off;
}

/* After a failed write of buf: cuts the file back to whole blocks, stops the writer. */
static int write_failed(struct pcapng_writer *w, size_t written, int e)
{
	uint64_t keep = w->flushed + whole_blocks(wbuf_data(&w->out), written);
	int r;

	do
		r = ftruncate(w->fd, (off_t)keep);
	while (r < 0 && errno == EINTR);
	w->failed = e;
	wbuf_truncate(&w->out, 0);
	w->blk = 0;
	if (r < 0)
		return fail(w, e, "writing %s: %s (and cutting it back to whole blocks: %s)",
			    w->part, strerror(e), strerror(errno));
	w->flushed = keep;
	return fail(w, e, "writing %s: %s (the file keeps its first %llu bytes of whole blocks)",
		    w->part, strerror(e), (unsigned long long)keep);
}

/* Writes the buffer, which holds whole blocks only. */
static int flush(struct pcapng_writer *w)
{
	const uint8_t *buf = wbuf_data(&w->out);
	size_t done = 0, len = wbuf_len(&w->out);

	while (done < len) {
		ssize_t n = write(w->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)  /* 0 would loop forever; a regular file never answers it */
			return write_failed(w, done, n < 0 ? errno : EIO);
		done += (size_t)n;
	}
	w->flushed += len;
	wbuf_truncate(&w->out, 0);
	w->blk = 0;
	/* Give back the room a very large block took. */
	if (wbuf_capacity(&w->out) > 2 * PCAPNG_WRITER_BUF_BYTES)
		wbuf_shrink(&w->out, PCAPNG_WRITER_BUF_BYTES);
	return 0;
}

/* The block built is whole: it stays, and the buffer goes out when full enough. */
static int blk_commit(struct pcapng_writer *w)
{
	w->blk = wbuf_len(&w->out);
	if (w->blk >= PCAPNG_WRITER_BUF_BYTES)
		return flush(w);
	return 0;
}

/* Answers 0 when a block may be written now. */
static int ready(struct pcapng_writer *w, bool need_section)
{
	if (w->failed != 0) {
		errno = w->failed;
		return -1;   /* the message of the failure stays */
	}
	if (need_section && !w->have_shb)
		return fail(w, EINVAL, "a section header block must come first");
	return 0;
}

static int check_iface(struct pcapng_writer *w, uint32_t iface, int64_t ts_ns)
{
	if (ready(w, true) < 0)
		return -1;
	if (iface >= w->n_ifaces)
		return fail(w, EINVAL, "interface %u is not declared in this section", iface);
	if (ts_ns < 0)
		return fail(w, EINVAL, "timestamp before 1970");
	return 0;
}

static void blk_begin(struct pcapng_writer *w, uint32_t type)
{
	size_t total_at;

	w->blk = wbuf_len(&w->out);
	w->blk_err = 0;
	w->big = HOST_BIG;
	put_u32(w, type);
	wbuf_reserve_u32(&w->out, &total_at);  /* total length, known at the end */
}

/* Why the block being built cannot be written, or 0. */
static int blk_check(struct pcapng_writer *w)
{
	if (w->blk_err != 0)
		return w->blk_err;
	if (wbuf_error(&w->out) == ENOMEM) {
		blk_fail(w, ENOMEM, "out of memory");
	} else if (wbuf_failed(&w->out) ||
		   wbuf_len(&w->out) - w->blk > CAP_MAX_BLOCK_BYTES) {
		blk_fail(w, EMSGSIZE, "block larger than the pcapng limit of 16 MiB");
	}
	return w->blk_err;
}

/* Ends the block: both lengths, then commits it or drops it whole. */
static int blk_end(struct pcapng_writer *w)
{
	uint32_t total;

	w->big = HOST_BIG;
	put_u32(w, 0);  /* trailing total length */
	if (blk_check(w) != 0) {
		wbuf_truncate(&w->out, w->blk);
		return fail(w, w->blk_err, "%s", w->blk_why);
	}
	total = (uint32_t)(wbuf_len(&w->out) - w->blk);
	wbuf_patch_u32_e(&w->out, w->blk + U32_BYTES, HOST_BIG, total);
	wbuf_patch_u32_e(&w->out, wbuf_len(&w->out) - U32_BYTES, HOST_BIG, total);
	return blk_commit(w);
}

/* ---------------------------------------------------------------- blocks */

int pcapng_write_shb(struct pcapng_writer *w, const char *hardware, const char *os,
		     const char *userappl)
{
	size_t start;
	int r;

	if (ready(w, false) < 0)
		return -1;
	blk_begin(w, PCAPNG_BT_SHB);
	put_u32(w, PCAPNG_BYTE_ORDER_MAGIC);
	put_u16(w, PCAPNG_MAJOR);
	put_u16(w, PCAPNG_MINOR);
	put_u64(w, SECTION_LENGTH_UNKNOWN);
	start = wbuf_len(&w->out);
	put_opt_str(w, PCAPNG_SHB_HARDWARE, hardware);
	put_opt_str(w, PCAPNG_SHB_OS, os);
	put_opt_str(w, PCAPNG_SHB_USERAPPL, userappl);
	if (wbuf_len(&w->out) != start)
		put_opt_end(w);
	r = blk_end(w);
	if (r == 0) {
		w->have_shb = true;
		w->n_ifaces = 0;
		w->darwin_pibs = 0;
	}
	return r;
}

/* Makes room for one more interface before its IDB is built. */
static int reserve_iface(struct pcapng_writer *w)
{
	if (w->file_ifaces >= CAP_MAX_INTERFACES)
		return fail(w, EMSGSIZE, "more than %u interfaces in one file", CAP_MAX_INTERFACES);
	if (!ARRAY_RESERVE(w->snaplens, w->cap_ifaces, (size_t)w->n_ifaces + 1, MIN_IFACES))
		return fail(w, ENOMEM, "out of memory");
	return 0;
}

int pcapng_write_idb(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen,
		     const char *if_name, const char *if_filter, const char *if_os,
		     uint32_t *iface_id)
{
	const uint8_t tsresol = TSRESOL_NS, filter_type = IF_FILTER_STRING;
	int r;

	if (ready(w, true) < 0 || reserve_iface(w) < 0)
		return -1;
	blk_begin(w, PCAPNG_BT_IDB);
	put_u16(w, linktype);
	put_u16(w, 0);  /* reserved */
	put_u32(w, snaplen);
	put_opt_str(w, PCAPNG_IF_NAME, if_name);
	put_opt(w, PCAPNG_IF_TSRESOL, &tsresol, sizeof(tsresol));
	if (if_filter != NULL) {
		put_opt_head(w, PCAPNG_IF_FILTER, sizeof(filter_type) + strlen(if_filter));
		put(w, &filter_type, sizeof(filter_type));
		put(w, if_filter, strlen(if_filter));
		put_pad(w);
	}
	put_opt_str(w, PCAPNG_IF_OS, if_os);
	put_opt_end(w);
	r = blk_end(w);
	if (r == 0 || w->failed != 0) {
		/* A write error came after the block was accepted: it counts. */
		w->snaplens[w->n_ifaces] = snaplen;
		if (iface_id != NULL)
			*iface_id = w->n_ifaces;
		w->n_ifaces++;
		w->file_ifaces++;
	}
	return r;
}

static void put_epb_opts(struct pcapng_writer *w, const struct pcapng_epb_opts *o)
{
	size_t start = wbuf_len(&w->out);

	if (o == NULL)
		return;
	if (o->has_flags)
		put_opt_u32(w, PCAPNG_EPB_FLAGS, o->flags);
	if (o->has_pid) {
		put_opt_head(w, PCAPNG_EPB_PID_TID, 2 * U32_BYTES);
		put_u32(w, o->pid);
		put_u32(w, o->tid);
	}
	if (o->has_darwin_pib)
		put_opt_u32(w, PCAPNG_DARWIN_EPB_PIB_INDEX, o->darwin_pib_index);
	put_opt_comments(w, o->comments, o->n_comments);
	for (size_t i = 0; i < o->n_custom; i++)
		put_opt_custom(w, &o->custom[i]);
	if (wbuf_len(&w->out) != start)
		put_opt_end(w);
}

/* Stores v at *p in host order and advances p. */
static uint8_t *store_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, U32_BYTES);
	return p + U32_BYTES;
}

static uint8_t *store_opt_u32(uint8_t *p, uint16_t code, uint32_t v)
{
	uint16_t h[2] = { code, U32_BYTES };

	memcpy(p, h, sizeof(h));
	return store_u32(p + sizeof(h), v);
}

/*
 * The common EPB (fixed-size options only: flags, pid/tid, Apple's process
 * index) built in one piece: the recorder writes one per packet, and a
 * checked put() per field costs more than the packet copy. Same bytes as
 * the general path.
 */
static int epb_fast(struct pcapng_writer *w, uint32_t iface, int64_t ts_ns, const void *data,
		    uint32_t caplen, uint32_t origlen, const struct pcapng_epb_opts *o)
{
	size_t pad = (ALIGN - caplen % ALIGN) % ALIGN;
	size_t opts = 0, total;
	uint8_t *p;

	if (o != NULL) {
		opts += o->has_flags ? 8 : 0;
		opts += o->has_pid ? 12 : 0;
		opts += o->has_darwin_pib ? 8 : 0;
		opts += opts ? 4 : 0;   /* opt_endofopt */
	}
	total = 7 * U32_BYTES + caplen + pad + opts + U32_BYTES;
	p = wbuf_space(&w->out, total);
	if (p == NULL) {
		int e = wbuf_error(&w->out);

		wbuf_truncate(&w->out, w->blk);
		return fail(w, e, "%s", e == ENOMEM ? "out of memory" : "no room for the packet");
	}
	p = store_u32(p, PCAPNG_BT_EPB);
	p = store_u32(p, (uint32_t)total);
	p = store_u32(p, iface);
	p = store_u32(p, (uint32_t)((uint64_t)ts_ns >> 32));
	p = store_u32(p, (uint32_t)ts_ns);
	p = store_u32(p, caplen);
	p = store_u32(p, origlen);
	memcpy(p, data, caplen);
	p += caplen;
	memset(p, 0, pad);
	p += pad;
	if (opts) {
		if (o->has_flags)
			p = store_opt_u32(p, PCAPNG_EPB_FLAGS, o->flags);
		if (o->has_pid) {
			uint16_t h[2] = { PCAPNG_EPB_PID_TID, 2 * U32_BYTES };

			memcpy(p, h, sizeof(h));
			p = store_u32(p + sizeof(h), o->pid);
			p = store_u32(p, o->tid);
		}
		if (o->has_darwin_pib)
			p = store_opt_u32(p, PCAPNG_DARWIN_EPB_PIB_INDEX, o->darwin_pib_index);
		p = store_u32(p, 0);
	}
	store_u32(p, (uint32_t)total);
	return blk_commit(w);
}

int pcapng_write_epb(struct pcapng_writer *w, uint32_t iface, int64_t ts_ns, const void *data,
		     uint32_t caplen, uint32_t origlen, const struct pcapng_epb_opts *o)
{
	if (check_iface(w, iface, ts_ns) < 0)
		return -1;
	if (caplen > CAP_MAX_PACKET_BYTES)
		return fail(w, EMSGSIZE, "packet of %u bytes, more than %u", caplen, CAP_MAX_PACKET_BYTES);
	if (caplen > origlen)
		return fail(w, EINVAL, "captured length %u exceeds original length %u", caplen, origlen);
	if (w->snaplens[iface] != 0 && caplen > w->snaplens[iface])
		return fail(w, EINVAL, "captured length %u exceeds the snaplen %u", caplen,
			    w->snaplens[iface]);
	if (data == NULL && caplen > 0)
		return fail(w, EINVAL, "no packet data");
	if (o != NULL && ((o->comments == NULL && o->n_comments) || (o->custom == NULL && o->n_custom)))
		return fail(w, EINVAL, "option list missing");
	if (o == NULL || (o->n_comments == 0 && o->n_custom == 0))
		return epb_fast(w, iface, ts_ns, data, caplen, origlen, o);
	blk_begin(w, PCAPNG_BT_EPB);
	put_u32(w, iface);
	put_ts(w, (uint64_t)ts_ns);
	put_u32(w, caplen);
	put_u32(w, origlen);
	put(w, data, caplen);
	put_pad(w);
	put_epb_opts(w, o);
	return blk_end(w);
}

int pcapng_write_isb(struct pcapng_writer *w, uint32_t iface, int64_t ts_ns,
		     const struct pcapng_isb *s)
{
	size_t start;

	if (check_iface(w, iface, ts_ns) < 0)
		return -1;
	if (s != NULL && ((s->has_starttime && s->starttime_ns < 0) ||
			  (s->has_endtime && s->endtime_ns < 0)))
		return fail(w, EINVAL, "statistics time before 1970");
	blk_begin(w, PCAPNG_BT_ISB);
	put_u32(w, iface);
	put_ts(w, (uint64_t)ts_ns);
	start = wbuf_len(&w->out);
	if (s != NULL) {
		if (s->has_starttime)
			put_opt_ts(w, PCAPNG_ISB_STARTTIME, (uint64_t)s->starttime_ns);
		if (s->has_endtime)
			put_opt_ts(w, PCAPNG_ISB_ENDTIME, (uint64_t)s->endtime_ns);
		if (s->has_ifrecv)
			put_opt_u64(w, PCAPNG_ISB_IFRECV, s->ifrecv);
		if (s->has_ifdrop)
			put_opt_u64(w, PCAPNG_ISB_IFDROP, s->ifdrop);
		if (s->has_filteraccept)
			put_opt_u64(w, PCAPNG_ISB_FILTERACCEPT, s->filteraccept);
		if (s->has_osdrop)
			put_opt_u64(w, PCAPNG_ISB_OSDROP, s->osdrop);
		if (s->has_usrdeliv)
			put_opt_u64(w, PCAPNG_ISB_USRDELIV, s->usrdeliv);
	}
	if (wbuf_len(&w->out) != start)
		put_opt_end(w);
	return blk_end(w);
}

int pcapng_write_custom(struct pcapng_writer *w, bool copyable, uint32_t pen, const void *data,
			size_t len)
{
	if (ready(w, true) < 0)
		return -1;
	if (data == NULL && len > 0)
		return fail(w, EINVAL, "no custom data");
	blk_begin(w, copyable ? PCAPNG_BT_CB_COPY : PCAPNG_BT_CB_NOCOPY);
	put_u32(w, pen);
	put(w, data, len);
	put_pad(w);
	return blk_end(w);
}

/* Bytes of the command line kept: whole leading arguments when it is too long. */
int pcapng_write_darwin_process(struct pcapng_writer *w, uint32_t pid, const char *name,
				 uint32_t *index)
{
	int r;

	if (ready(w, true) < 0)
		return -1;
	blk_begin(w, PCAPNG_BT_DARWIN_PIB);
	put_u32(w, pid);
	put_opt_str(w, PCAPNG_DARWIN_PIB_NAME, name);
	put_opt_end(w);
	r = blk_end(w);
	if (r == 0 || w->failed != 0) {
		/* a write error after the block was accepted: it counts, as for IDBs */
		if (index != NULL)
			*index = w->darwin_pibs;
		w->darwin_pibs++;
	}
	return r;
}

static size_t cmdline_fit(const void *cmdline, size_t len)
{
	const uint8_t *nul;

	if (len <= PCAPNG_OPT_MAX_VALUE)
		return len;
	/* A NUL at offset PCAPNG_OPT_MAX_VALUE still ends an argument that fits. */
	nul = memrchr(cmdline, 0, PCAPNG_OPT_MAX_VALUE + 1);
	return nul != NULL ? (size_t)(nul - (const uint8_t *)cmdline) : PCAPNG_OPT_MAX_VALUE;
}

/* The entry of a Wireshark process record: u32 pid, then options, all little-endian. */
static void put_process_entry(struct pcapng_writer *w, const struct pcapng_process *p)
{
	put_u32(w, p->pid);
	put_opt_str(w, PCAPNG_PIB_NAME, p->name);
	put_opt_str(w, PCAPNG_PIB_PATH, p->path);
	if (p->cmdline_len > 0)
		put_opt(w, PCAPNG_PIB_CMDLINE, p->cmdline, cmdline_fit(p->cmdline, p->cmdline_len));
	if (p->has_ppid)
		put_opt_u32(w, PCAPNG_PIB_PPID, p->ppid);
	if (p->has_uid)
		put_opt_u32(w, PCAPNG_PIB_UID, p->uid);
	put_opt_str(w, PCAPNG_PIB_USER, p->user);
	if (p->has_starttime)
		put_opt_u64(w, PCAPNG_PIB_STARTTIME, p->starttime_ns);
	put_opt_comments(w, p->comments, p->n_comments);
	for (size_t i = 0; i < p->n_custom; i++)
		put_opt_custom(w, &p->custom[i]);
	put_opt_end(w);
}

int pcapng_write_process(struct pcapng_writer *w, const struct pcapng_process *p)
{
	size_t len_at;

	if (ready(w, true) < 0)
		return -1;
	if (p == NULL || (p->cmdline == NULL && p->cmdline_len) ||
	    (p->comments == NULL && p->n_comments) || (p->custom == NULL && p->n_custom))
		return fail(w, EINVAL, "process record missing or incomplete");
	blk_begin(w, PCAPNG_BT_CB_COPY);
	put_u32(w, PCAPNG_PEN_WIRESHARK);  /* the PEN is in section order */
	w->big = false;
	put_u32(w, PCAPNG_WS_ENTRY_PROCESS);
	wbuf_reserve_u32(&w->out, &len_at);  /* entry length, known at the end */
	put_process_entry(w, p);
	wbuf_patch_u32_e(&w->out, len_at, false,
			 (uint32_t)(wbuf_len(&w->out) - len_at - U32_BYTES));
	/* The entry is a multiple of 4 bytes, so no padding follows it. */
	return blk_end(w);
}

/* ---------------------------------------------------------------- file */

static void writer_free(struct pcapng_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->name);
	free(w->part);
	wbuf_release(&w->out);
	free(w->snaplens);
	free(w);
}

static bool plain_name(const char *name)
{
	return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

struct pcapng_writer *pcapng_writer_open(int dirfd, const char *name, char *err, size_t errlen)
{
	struct pcapng_writer *w;
	int e;

	if (!plain_name(name)) {
		snprintf(err, errlen, "not a plain file name: %s", name ? name : "(null)");
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		goto nomem;
	w->fd = w->dirfd = -1;
	w->name = strdup(name);
	w->part = malloc(strlen(name) + sizeof(PART_SUFFIX));
	if (!wbuf_init_growable(&w->out, PCAPNG_WRITER_BUF_BYTES, OUT_MAX_BYTES) ||
	    w->name == NULL || w->part == NULL)
		goto nomem;
	strcpy(w->part, name);
	strcat(w->part, PART_SUFFIX);
	w->dirfd = dirfd == AT_FDCWD ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
				     : fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (w->dirfd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot use the directory of %s: %s", name, strerror(e));
		goto fail;
	}
	w->fd = openat(w->dirfd, w->part, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
		       FILE_MODE);
	if (w->fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot create %s: %s", w->part, strerror(e));
		goto fail;
	}
	return w;
nomem:
	e = ENOMEM;
	snprintf(err, errlen, "out of memory");
fail:
	if (w != NULL)
		writer_free(w);
	errno = e;
	return NULL;
}

uint64_t pcapng_writer_bytes(const struct pcapng_writer *w)
{
	return w->flushed + wbuf_len(&w->out);
}

const char *pcapng_writer_error(const struct pcapng_writer *w)
{
	return w->err;
}

/* Keeps the first error of close: its errno and message. */
static void close_step(struct pcapng_writer *w, int *e, const char *what)
{
	if (*e != 0)
		return;
	*e = errno;
	snprintf(w->err, sizeof(w->err), "%s %s: %s", what, w->part, strerror(*e));
}

int pcapng_writer_close(struct pcapng_writer *w, char *err, size_t errlen)
{
	int e, r;

	if (w == NULL)
		return 0;
	if (w->failed == 0 && wbuf_len(&w->out) > 0)
		flush(w);
	e = w->failed;
	do
		r = fsync(w->fd);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		close_step(w, &e, "syncing");
	r = close(w->fd);
	w->fd = -1;
	if (r < 0)
		close_step(w, &e, "closing");
	if (renameat(w->dirfd, w->part, w->dirfd, w->name) < 0) {
		close_step(w, &e, "renaming");
	} else if (fsync(w->dirfd) < 0 && errno != EINVAL) {
		/* EINVAL: the file system cannot sync directories */
		close_step(w, &e, "syncing the directory of");
	}
	if (e != 0)
		snprintf(err, errlen, "%s", w->err);
	writer_free(w);
	errno = e;
	return e != 0 ? -1 : 0;
}

void pcapng_writer_abort(struct pcapng_writer *w)
{
	int saved = errno;

	if (w == NULL)
		return;
	close(w->fd);
	w->fd = -1;
	unlinkat(w->dirfd, w->part, 0);
	writer_free(w);
	errno = saved;
}
