/* \summary: `pidcap info`: encoding the parser's messages, and checking them as hostile on the way back */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "info/info_msg.h"

#define OPEN_ERROR_BYTES  sizeof(((struct summary *)0)->open_error)
#define ERROR_BYTES       sizeof(((struct summary *)0)->error)
#define SHB_STRING_BYTES  sizeof(((struct summary *)0)->shb_hardware)
#define FIRST_BAD_BYTES   sizeof(((struct summary *)0)->first_bad)
#define PROGRESS_PAYLOAD  24u   /* three be64 */
#define UUID_BYTES        sizeof(((struct proc_record *)0)->uuid)

/* ---------------------------------------------------------------- encoding */

static size_t frame_begin(struct wbuf *w, enum info_msg_type type)
{
	size_t at;

	wbuf_put_u8(w, INFO_MSG_VERSION);
	wbuf_put_u8(w, (uint8_t)type);
	wbuf_reserve_u32(w, &at);
	return at;
}

static void frame_end(struct wbuf *w, size_t at)
{
	/* a failed writer ignores the patch; the caller checks wbuf_failed() */
	wbuf_patch_u32_e(w, at, true, (uint32_t)(wbuf_len(w) - at - sizeof(uint32_t)));
}

/* A string of at most cap - 1 bytes (cut there; it stops at a NUL anyway). */
static void put_str(struct wbuf *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap - 1);

	wbuf_put_be16(w, (uint16_t)n);
	wbuf_put_bytes(w, s, n);
}

static void put_opt_str(struct wbuf *w, const char *s, size_t cap)
{
	wbuf_put_u8(w, s != NULL);
	if (s != NULL)
		put_str(w, s, cap);
}

static void put_table(struct wbuf *w, const struct count_by_key *t, uint32_t n)
{
	wbuf_put_be32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		wbuf_put_be32(w, t[i].key);
		wbuf_put_be32(w, t[i].flag);
		wbuf_put_be64(w, t[i].count);
	}
}

void info_msg_put_progress(struct wbuf *w, uint64_t done_bytes, uint64_t total_bytes,
			   uint64_t packets)
{
	size_t at = frame_begin(w, INFO_MSG_PROGRESS);

	wbuf_put_be64(w, done_bytes);
	wbuf_put_be64(w, total_bytes);
	wbuf_put_be64(w, packets);
	frame_end(w, at);
}

void info_msg_put_fail(struct wbuf *w, const char *why)
{
	size_t at = frame_begin(w, INFO_MSG_FAIL);

	put_str(w, why, INFO_MSG_ERROR_BYTES);
	frame_end(w, at);
}

static void put_head_file(struct wbuf *w, const struct summary *s)
{
	wbuf_put_u8(w, s->opened);
	wbuf_put_u8(w, s->not_capture);
	put_str(w, s->open_error, OPEN_ERROR_BYTES);
	wbuf_put_u8(w, (uint8_t)s->format);
	wbuf_put_u8(w, s->gzipped);
	wbuf_put_u8(w, s->big_endian);
	wbuf_put_be16(w, s->major);
	wbuf_put_be16(w, s->minor);
	wbuf_put_u8(w, (uint8_t)s->pcap_variant);
	wbuf_put_be64(w, s->file_bytes);
	wbuf_put_u8(w, (uint8_t)s->status);
	put_str(w, s->error, ERROR_BYTES);
	wbuf_put_be64(w, s->error_offset);
	wbuf_put_be32(w, s->sections);
	put_str(w, s->shb_hardware, SHB_STRING_BYTES);
	put_str(w, s->shb_os, SHB_STRING_BYTES);
	put_str(w, s->shb_userappl, SHB_STRING_BYTES);
	wbuf_put_be32(w, s->n_comments);
	for (uint32_t i = 0; i < s->n_comments; i++)
		put_str(w, s->comments[i] ? s->comments[i] : "", SUMMARY_COMMENT_BYTES);
}

static void put_head_packets(struct wbuf *w, const struct summary *s)
{
	const uint64_t counters[] = {
		s->packets, s->captured_bytes, s->original_bytes, s->packets_without_ts,
		s->packets_truncated, s->packets_bad_ts, s->packet_comments,
		s->packets_with_flags, s->packets_inbound, s->packets_outbound, s->packets_with_pid,
		s->packets_with_custom_opts, s->packets_with_darwin, s->packets_with_dropcount,
		s->dropcount_total, s->proc_records, s->bad_blocks, s->bad_options,
	};

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		wbuf_put_be64(w, counters[i]);
	wbuf_put_u8(w, s->have_ts);
	wbuf_put_be64(w, (uint64_t)s->first_ts_ns);
	wbuf_put_be64(w, (uint64_t)s->last_ts_ns);
}

static void info_msg_put_head(struct wbuf *w, const struct summary *s)
{
	size_t at = frame_begin(w, INFO_MSG_HEAD);

	put_head_file(w, s);
	put_head_packets(w, s);
	put_table(w, s->blocks, s->n_block_kinds);
	put_table(w, s->custom, s->n_custom_kinds);
	put_table(w, s->secrets, s->n_secret_kinds);
	put_str(w, s->first_bad, FIRST_BAD_BYTES);
	wbuf_put_be64(w, s->first_bad_offset);
	wbuf_put_u8(w, s->sequence_cut);
	wbuf_put_be32(w, s->n_ifaces);
	wbuf_put_be32(w, s->n_procs);
	wbuf_put_be32(w, s->want_sequence ? s->n_sequence : 0);
	frame_end(w, at);
}

static void info_msg_put_iface(struct wbuf *w, const struct summary *s, uint32_t idx)
{
	const struct cap_interface *ifc = &s->ifaces[idx];
	size_t at = frame_begin(w, INFO_MSG_IFACE);

	wbuf_put_be32(w, idx);
	wbuf_put_be32(w, ifc->section);
	wbuf_put_be32(w, ifc->linktype);
	wbuf_put_be32(w, ifc->snaplen);
	wbuf_put_u8(w, ifc->tsresol);
	wbuf_put_u8(w, ifc->tsresol_set);
	wbuf_put_be64(w, (uint64_t)ifc->tsoffset_s);
	wbuf_put_u8(w, ifc->fcslen);
	wbuf_put_u8(w, ifc->fcslen_set);
	wbuf_put_be64(w, ifc->speed_bps);
	put_opt_str(w, ifc->name, CAP_MAX_STRING_BYTES);
	put_opt_str(w, ifc->description, CAP_MAX_STRING_BYTES);
	put_opt_str(w, ifc->filter, CAP_MAX_STRING_BYTES);
	put_opt_str(w, ifc->os, CAP_MAX_STRING_BYTES);
	put_opt_str(w, ifc->hardware, CAP_MAX_STRING_BYTES);
	wbuf_put_be64(w, s->iface_stats ? s->iface_stats[idx].packets : 0);
	wbuf_put_be64(w, s->iface_stats ? s->iface_stats[idx].stats_blocks : 0);
	frame_end(w, at);
}

static void info_msg_put_proc(struct wbuf *w, const struct summary *s, uint32_t idx)
{
	const struct proc_record *p = &s->procs[idx];
	size_t at = frame_begin(w, INFO_MSG_PROC);
	uint32_t cmd = p->cmdline_len < sizeof(p->cmdline) ? p->cmdline_len : sizeof(p->cmdline);

	wbuf_put_u8(w, (uint8_t)p->source);
	wbuf_put_be32(w, p->pid);
	wbuf_put_u8(w, p->has_ppid);
	wbuf_put_u8(w, p->has_uid);
	wbuf_put_u8(w, p->has_starttime);
	wbuf_put_u8(w, p->has_uuid);
	wbuf_put_be32(w, p->ppid);
	wbuf_put_be32(w, p->uid);
	wbuf_put_be64(w, p->starttime_ns);
	wbuf_put_bytes(w, p->uuid, UUID_BYTES);
	put_str(w, p->name, sizeof(p->name));
	put_str(w, p->path, sizeof(p->path));
	put_str(w, p->user, sizeof(p->user));
	wbuf_put_be16(w, (uint16_t)cmd);
	wbuf_put_bytes(w, p->cmdline, cmd);
	put_str(w, p->attribution, sizeof(p->attribution));
	put_str(w, p->cgroup, sizeof(p->cgroup));
	put_str(w, p->container, sizeof(p->container));
	wbuf_put_be32(w, p->n_comments);
	wbuf_put_be32(w, p->n_custom_opts);
	wbuf_put_u8(w, p->bad);
	frame_end(w, at);
}

static void info_msg_put_sequence(struct wbuf *w, const struct summary *s, uint32_t from, uint32_t n)
{
	size_t at = frame_begin(w, INFO_MSG_SEQUENCE);

	wbuf_put_be32(w, n);
	for (uint32_t i = 0; i < n; i++)
		wbuf_put_be32(w, s->sequence[from + i]);
	frame_end(w, at);
}

static void info_msg_put_done(struct wbuf *w)
{
	frame_end(w, frame_begin(w, INFO_MSG_DONE));
}

void info_msg_put_result(struct wbuf *w, const struct summary *s, info_msg_flush_fn *flush,
			 void *ctx)
{
	uint32_t n_seq = s->want_sequence ? s->n_sequence : 0;

	info_msg_put_head(w, s);
	if (flush != NULL)
		flush(ctx, w);
	for (uint32_t i = 0; i < s->n_ifaces; i++) {
		info_msg_put_iface(w, s, i);
		if (flush != NULL)
			flush(ctx, w);
	}
	for (uint32_t i = 0; i < s->n_procs; i++) {
		info_msg_put_proc(w, s, i);
		if (flush != NULL)
			flush(ctx, w);
	}
	for (uint32_t i = 0; i < n_seq; i += INFO_MSG_SEQUENCE_PER_FRAME) {
		uint32_t n = n_seq - i < INFO_MSG_SEQUENCE_PER_FRAME ? n_seq - i :
								     INFO_MSG_SEQUENCE_PER_FRAME;

		info_msg_put_sequence(w, s, i, n);
		if (flush != NULL)
			flush(ctx, w);
	}
	info_msg_put_done(w);
	if (flush != NULL)
		flush(ctx, w);
}

/* ---------------------------------------------------------------- decoding */

int info_msg_take_frame(struct cur *in, struct info_msg_frame *f, char *err, size_t errlen)
{
	struct cur t = *in;
	uint8_t version;
	uint32_t len;

	if (cur_left(in) < INFO_MSG_HEADER_BYTES)
		return 0;
	(void)(cur_u8(&t, &version) && cur_u8(&t, &f->type) && cur_be32(&t, &len));
	if (version != INFO_MSG_VERSION) {
		snprintf(err, errlen, "message version %u, want %u", version, INFO_MSG_VERSION);
		return -1;
	}
	if (len > INFO_MSG_MAX_PAYLOAD) {
		snprintf(err, errlen, "message of %u bytes (most %u)", len, INFO_MSG_MAX_PAYLOAD);
		return -1;
	}
	if (!cur_sub(&t, len, &f->payload))
		return 0;
	*in = t;
	return 1;
}

void info_msg_decoder_init(struct info_msg_decoder *d, struct summary *s)
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	d->state = INFO_MSG_WANT_HEAD;
}

static bool get_bool(struct cur *c, bool *out)
{
	uint8_t v;

	if (!cur_u8(c, &v) || v > 1)
		return false;
	*out = v != 0;
	return true;
}

/* A string shorter than cap, without NUL bytes, copied to out and terminated. */
static bool get_str(struct cur *c, char *out, size_t cap)
{
	struct cur v;

	if (!cur_u16_prefixed(c, &v) || cur_left(&v) >= cap ||
	    memchr(cur_data(&v), '\0', cur_left(&v)) != NULL)
		return false;
	memcpy(out, cur_data(&v), cur_left(&v));
	out[cur_left(&v)] = '\0';
	return true;
}

static bool get_opt_str(struct cur *c, char **out)
{
	char buf[CAP_MAX_STRING_BYTES];
	bool present;

	*out = NULL;
	if (!get_bool(c, &present))
		return false;
	if (!present)
		return true;
	if (!get_str(c, buf, sizeof(buf)))
		return false;
	*out = strdup(buf);
	return *out != NULL;
}

static bool get_table(struct cur *c, struct count_by_key *t, uint32_t *n)
{
	uint32_t want;

	if (!cur_be32(c, &want) || want > SUMMARY_MAX_KINDS)
		return false;
	for (*n = 0; *n < want; (*n)++)
		if (!cur_be32(c, &t[*n].key) || !cur_be32(c, &t[*n].flag) ||
		    !cur_be64(c, &t[*n].count))
			return false;
	return true;
}

static bool get_enum(struct cur *c, uint8_t lo, uint8_t hi, uint8_t *out)
{
	return cur_u8(c, out) && *out >= lo && *out <= hi;
}

static bool get_head_file(struct cur *c, struct summary *s)
{
	uint8_t format, variant, status;
	uint32_t n_comments;

	if (!get_bool(c, &s->opened) || !get_bool(c, &s->not_capture) ||
	    !get_str(c, s->open_error, sizeof(s->open_error)) ||
	    !get_enum(c, s->opened ? CAP_FORMAT_PCAP : 0, CAP_FORMAT_PCAPNG, &format) ||
	    !get_bool(c, &s->gzipped) || !get_bool(c, &s->big_endian) ||
	    !cur_be16(c, &s->major) || !cur_be16(c, &s->minor) ||
	    !get_enum(c, CAP_PCAP_USEC, CAP_PCAP_KUZNETZOV, &variant) ||
	    !cur_be64(c, &s->file_bytes) || !get_enum(c, CAP_OK, CAP_IO_ERROR, &status) ||
	    !get_str(c, s->error, sizeof(s->error)) || !cur_be64(c, &s->error_offset) ||
	    !cur_be32(c, &s->sections) ||
	    !get_str(c, s->shb_hardware, sizeof(s->shb_hardware)) ||
	    !get_str(c, s->shb_os, sizeof(s->shb_os)) ||
	    !get_str(c, s->shb_userappl, sizeof(s->shb_userappl)) ||
	    !cur_be32(c, &n_comments) || n_comments > SUMMARY_MAX_COMMENTS)
		return false;
	s->format = (enum cap_format)format;
	s->pcap_variant = (enum cap_pcap_variant)variant;
	s->status = (enum cap_status)status;
	/* counted as they are made: summary_free frees exactly those */
	for (s->n_comments = 0; s->n_comments < n_comments; s->n_comments++) {
		char buf[SUMMARY_COMMENT_BYTES];

		if (!get_str(c, buf, sizeof(buf)) ||
		    (s->comments[s->n_comments] = strdup(buf)) == NULL)
			return false;
	}
	return true;
}

static bool get_head_packets(struct cur *c, struct summary *s)
{
	uint64_t *const counters[] = {
		&s->packets, &s->captured_bytes, &s->original_bytes, &s->packets_without_ts,
		&s->packets_truncated, &s->packets_bad_ts, &s->packet_comments,
		&s->packets_with_flags, &s->packets_inbound, &s->packets_outbound, &s->packets_with_pid,
		&s->packets_with_custom_opts, &s->packets_with_darwin, &s->packets_with_dropcount,
		&s->dropcount_total, &s->proc_records, &s->bad_blocks, &s->bad_options,
	};
	uint64_t first, last;

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (!cur_be64(c, counters[i]))
			return false;
	if (!get_bool(c, &s->have_ts) || !cur_be64(c, &first) || !cur_be64(c, &last))
		return false;
	s->first_ts_ns = (int64_t)first;
	s->last_ts_ns = (int64_t)last;
	return !s->have_ts || s->first_ts_ns <= s->last_ts_ns;
}

/* The tables the items fill, sized by the counts announced. */
static bool alloc_items(struct info_msg_decoder *d)
{
	struct summary *s = d->s;
	size_t n_if = d->want_ifaces ? d->want_ifaces : 1;

	s->ifaces = calloc(n_if, sizeof(*s->ifaces));
	s->iface_stats = calloc(n_if, sizeof(*s->iface_stats));
	if (d->want_procs > 0)
		s->procs = calloc(d->want_procs, sizeof(*s->procs));
	if (d->want_sequence > 0) {
		s->sequence = calloc(d->want_sequence, sizeof(*s->sequence));
		s->cap_sequence = d->want_sequence;
	}
	return s->ifaces != NULL && s->iface_stats != NULL &&
	       (d->want_procs == 0 || s->procs != NULL) &&
	       (d->want_sequence == 0 || s->sequence != NULL);
}

static const char *decode_head(struct info_msg_decoder *d, struct cur *c)
{
	struct summary *s = d->s;
	bool want_sequence = s->want_sequence;

	if (!get_head_file(c, s) || !get_head_packets(c, s))
		return "bad header message";
	if (!get_table(c, s->blocks, &s->n_block_kinds) ||
	    !get_table(c, s->custom, &s->n_custom_kinds) ||
	    !get_table(c, s->secrets, &s->n_secret_kinds) ||
	    !get_str(c, s->first_bad, sizeof(s->first_bad)) || !cur_be64(c, &s->first_bad_offset) ||
	    !get_bool(c, &s->sequence_cut) || !cur_be32(c, &d->want_ifaces) ||
	    !cur_be32(c, &d->want_procs) || !cur_be32(c, &d->want_sequence) || cur_left(c) != 0)
		return "bad header message";
	if (d->want_ifaces > CAP_MAX_INTERFACES || d->want_procs > SUMMARY_MAX_PROCS ||
	    d->want_procs > s->proc_records || d->want_sequence > SUMMARY_MAX_SEQUENCE ||
	    (!want_sequence && (d->want_sequence > 0 || s->sequence_cut)))
		return "header message announces too many entries";
	if (!s->opened && (d->want_ifaces | d->want_procs | d->want_sequence) != 0)
		return "header message of an unopened file announces entries";
	s->want_sequence = want_sequence;
	if (!alloc_items(d))
		return "out of memory";
	d->state = INFO_MSG_WANT_ITEMS;
	return NULL;
}

static const char *decode_iface(struct info_msg_decoder *d, struct cur *c)
{
	struct summary *s = d->s;
	struct cap_interface *ifc;
	struct iface_summary *st;
	uint32_t idx;
	char **strs[5];

	if (s->n_ifaces >= d->want_ifaces || s->n_procs > 0 || s->n_sequence > 0)
		return "interface message out of place";
	ifc = &s->ifaces[s->n_ifaces];
	st = &s->iface_stats[s->n_ifaces];
	/* counted now, so that summary_free frees what this frame allocated */
	s->n_ifaces++;
	strs[0] = &ifc->name, strs[1] = &ifc->description, strs[2] = &ifc->filter;
	strs[3] = &ifc->os, strs[4] = &ifc->hardware;
	if (!cur_be32(c, &idx) || idx != s->n_ifaces - 1 || !cur_be32(c, &ifc->section) ||
	    !cur_be32(c, &ifc->linktype) || !cur_be32(c, &ifc->snaplen) ||
	    !cur_u8(c, &ifc->tsresol) || !get_bool(c, &ifc->tsresol_set) ||
	    !cur_be64(c, (uint64_t *)&ifc->tsoffset_s) || !cur_u8(c, &ifc->fcslen) ||
	    !get_bool(c, &ifc->fcslen_set) || !cur_be64(c, &ifc->speed_bps))
		return "bad interface message";
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!get_opt_str(c, strs[i]))
			return "bad interface message";
	if (!cur_be64(c, &st->packets) || !cur_be64(c, &st->stats_blocks) || cur_left(c) != 0)
		return "bad interface message";
	return NULL;
}

static const char *decode_proc(struct info_msg_decoder *d, struct cur *c)
{
	struct summary *s = d->s;
	struct proc_record *p;
	uint8_t source;
	uint16_t cmd;

	if (s->n_procs >= d->want_procs || s->n_sequence > 0)
		return "process message out of place";
	p = &s->procs[s->n_procs];
	if (!get_enum(c, PROC_SRC_WIRESHARK, PROC_SRC_DARWIN, &source) || !cur_be32(c, &p->pid) ||
	    !get_bool(c, &p->has_ppid) || !get_bool(c, &p->has_uid) ||
	    !get_bool(c, &p->has_starttime) || !get_bool(c, &p->has_uuid) ||
	    !cur_be32(c, &p->ppid) || !cur_be32(c, &p->uid) || !cur_be64(c, &p->starttime_ns) ||
	    !cur_copy(c, p->uuid, UUID_BYTES) || !get_str(c, p->name, sizeof(p->name)) ||
	    !get_str(c, p->path, sizeof(p->path)) || !get_str(c, p->user, sizeof(p->user)) ||
	    !cur_be16(c, &cmd) || cmd > sizeof(p->cmdline) || !cur_copy(c, p->cmdline, cmd) ||
	    !get_str(c, p->attribution, sizeof(p->attribution)) ||
	    !get_str(c, p->cgroup, sizeof(p->cgroup)) ||
	    !get_str(c, p->container, sizeof(p->container)) || !cur_be32(c, &p->n_comments) ||
	    !cur_be32(c, &p->n_custom_opts) || !get_bool(c, &p->bad) || cur_left(c) != 0)
		return "bad process message";
	p->source = (enum proc_source)source;
	p->cmdline_len = cmd;
	s->n_procs++;
	return NULL;
}

static const char *decode_sequence(struct info_msg_decoder *d, struct cur *c)
{
	struct summary *s = d->s;
	uint32_t n;

	if (!cur_be32(c, &n) || n == 0 || n > INFO_MSG_SEQUENCE_PER_FRAME ||
	    n > d->want_sequence - s->n_sequence || cur_left(c) != (size_t)n * sizeof(uint32_t))
		return "bad block sequence message";
	for (uint32_t i = 0; i < n; i++)
		(void)cur_be32(c, &s->sequence[s->n_sequence++]);
	return NULL;
}

static const char *decode_progress(struct info_msg_decoder *d, struct cur *c)
{
	if (cur_left(c) != PROGRESS_PAYLOAD)
		return "bad progress message";
	(void)(cur_be64(c, &d->done_bytes) && cur_be64(c, &d->total_bytes) &&
	       cur_be64(c, &d->packets));
	d->have_progress = true;
	return NULL;
}

static const char *decode_done(struct info_msg_decoder *d, const struct cur *c)
{
	const struct summary *s = d->s;

	if (cur_left(c) != 0 || s->n_ifaces != d->want_ifaces || s->n_procs != d->want_procs ||
	    s->n_sequence != d->want_sequence)
		return "the result ended before every announced entry";
	d->state = INFO_MSG_FINISHED;
	return NULL;
}

int info_msg_decode(struct info_msg_decoder *d, const struct info_msg_frame *f, char *err,
		    size_t errlen)
{
	struct cur c = f->payload;
	const char *why = "message after the end";

	if (d->state == INFO_MSG_WANT_HEAD) {
		switch (f->type) {
		case INFO_MSG_PROGRESS: why = decode_progress(d, &c); break;
		case INFO_MSG_HEAD: why = decode_head(d, &c); break;
		case INFO_MSG_FAIL:
			why = get_str(&c, d->fail, sizeof(d->fail)) && cur_left(&c) == 0 ?
			      NULL : "bad failure message";
			if (why == NULL)
				d->state = INFO_MSG_FAILED;
			break;
		default: why = "unexpected message before the header"; break;
		}
	} else if (d->state == INFO_MSG_WANT_ITEMS) {
		switch (f->type) {
		case INFO_MSG_PROGRESS: why = decode_progress(d, &c); break;
		case INFO_MSG_IFACE: why = decode_iface(d, &c); break;
		case INFO_MSG_PROC: why = decode_proc(d, &c); break;
		case INFO_MSG_SEQUENCE: why = decode_sequence(d, &c); break;
		case INFO_MSG_DONE: why = decode_done(d, &c); break;
		default: why = "unexpected message after the header"; break;
		}
	}
	if (why == NULL)
		return 0;
	snprintf(err, errlen, "%s (type %u)", why, f->type);
	return -1;
}

int info_msg_feed(struct info_msg_decoder *d, struct cur *in, char *err, size_t errlen)
{
	struct info_msg_frame f;
	int rc;

	while ((rc = info_msg_take_frame(in, &f, err, errlen)) == 1)
		if (info_msg_decode(d, &f, err, errlen) != 0)
			return -1;
	return rc < 0 ? -1 : 0;
}
