/* \summary: the writer's side of one file: spawn the parser, hash, validate its messages, store */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze/hasher.h"
#include "analyze/msg.h"
#include "analyze/writer.h"
#include "util/array.h"
#include "util/progress.h"
#include "util/sha256file.h"

#define READ_BUF_BYTES (1024u * 1024u)      /* a file's buffer at first */
#define READ_CHUNK_BYTES (256u * 1024u)     /* room wanted before a read */
#define SPOOL_MAX_BYTES (8u * 1024u * 1024u)   /* a parser running ahead waits beyond this */
#define MAX_ANOMALY_NAMES 256u    /* distinct names kept per file; more go under "other" */

struct wfile {
	struct store *s;
	const struct worker_config *wc;
	const char *path;
	struct file_report *rep;
	struct worker w;
	bool spawned;
	struct hasher *hasher;
	bool regular;
	uint64_t size;
	char sha[SHA256_HEX_BYTES];
	bool have_sha;
	struct capture_meta meta;
	int64_t capture_id;
	bool begun, hello, ended, failed, db_failed;
	const char *invalid;          /* the protocol was broken: why */
	struct capture_result result;
	char detail[MSG_TEXT_BYTES];
	int64_t *rows;                /* local process id -> processes.id */
	size_t rows_cap;
	uint32_t processes;
	char names[MAX_ANOMALY_NAMES][MSG_NAME_BYTES];
	unsigned n_names;
	uint64_t packets;             /* the last packet count reported */
	uint64_t bad_records;         /* bad_block and bad_options anomalies */
	struct progress pg;
	struct msg *m;
	uint8_t *buf;                 /* the pipe's bytes not handled yet (a spool while
	                               * an earlier file is being written) */
	size_t len, cap;
	bool eof;                     /* the parser closed its pipe */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void db_check(struct wfile *f, int rc)
{
	if (rc != STORE_OK)
		f->db_failed = true;
}

/* The anomaly name as a string that lives as long as the file's run (the
 * store keeps the pointer for its counts). */
static const char *intern(struct wfile *f, const char *name)
{
	for (unsigned i = 0; i < f->n_names; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->names[i];
	if (f->n_names == MAX_ANOMALY_NAMES)
		return "other";
	snprintf(f->names[f->n_names], MSG_NAME_BYTES, "%s", name);
	return f->names[f->n_names++];
}

static int64_t row_of(const struct wfile *f, int64_t local)
{
	return local > 0 && (uint64_t)local <= f->processes ? f->rows[local] : 0;
}

static void begin_capture(struct wfile *f, const struct msg *m)
{
	int rc;

	f->meta = (struct capture_meta){ f->have_sha ? f->sha : NULL, f->path,
		m->u.meta.pcapng ? "pcapng" : "pcap", m->u.meta.gzip, f->size,
		f->rep->sandbox[0] ? f->rep->sandbox : NULL };
	rc = store_begin_capture(f->s, &f->meta, &f->capture_id);
	if (rc == STORE_EXISTS) {
		f->rep->outcome = FILE_SKIPPED;
		f->failed = true;
	} else if (rc != STORE_OK) {
		f->db_failed = true;
	} else {
		f->begun = true;
	}
}

static void add_process(struct wfile *f, const struct msg *m)
{
	int64_t row = 0;

	if (!ARRAY_RESERVE(f->rows, f->rows_cap, (size_t)f->processes + 2, 64)) {
		f->db_failed = true;
		return;
	}
	db_check(f, store_process(f->s, f->capture_id, msg_source_name(m->u.process.source),
				  m->u.process.pid, m->u.process.has_record ? &m->u.process.pr : NULL,
				  m->u.process.name[0] ? m->u.process.name : NULL, &row));
	f->rows[++f->processes] = row;
	f->rep->processes++;
}

static void add_flow(struct wfile *f, struct msg *m)
{
	struct flow_record *r = &m->u.flow;

	r->attrib.process_row = row_of(f, r->attrib.process_row);
	r->attrib.resp_process_row = row_of(f, r->attrib.resp_process_row);
	if (r->attrib.process_row != 0)
		f->rep->attributed_flows++;
	f->rep->flows++;
	db_check(f, store_flow(f->s, f->capture_id, r));
}

static void add_anomaly(struct wfile *f, const struct msg *m)
{
	const char *name = intern(f, m->u.anomaly.name);

	/* malformed blocks or options: a finding, exit 1 (as pidcap info) */
	if (strcmp(name, "bad_block") == 0 || strcmp(name, "bad_options") == 0)
		f->bad_records++;
	if (store_anomaly_count(f->s, name))
		db_check(f, store_anomaly_row(f->s, f->capture_id, name,
					      m->u.anomaly.detail[0] ? m->u.anomaly.detail : NULL,
					      m->u.anomaly.flow_id, m->u.anomaly.packet,
					      m->u.anomaly.ts_ns));
}

/* One message, in the order the protocol allows. */
static void handle(struct wfile *f, struct msg *m)
{
	if (!f->hello && m->type != MSG_HELLO) {
		f->invalid = "no HELLO first";
		return;
	}
	if (f->ended || (!f->begun && m->type != MSG_HELLO && m->type != MSG_META &&
			 m->type != MSG_FAIL && m->type != MSG_PROGRESS)) {
		f->invalid = f->ended ? "a message after END" : "a message before META";
		return;
	}
	switch (m->type) {
	case MSG_HELLO:
		if (f->hello || m->u.hello.version != MSG_VERSION) {
			f->invalid = f->hello ? "a second HELLO" : "another protocol version";
			return;
		}
		f->hello = true;
		snprintf(f->rep->sandbox, sizeof(f->rep->sandbox), "%.*s",
			 (int)sizeof(f->rep->sandbox) - 1, m->u.hello.sandbox);
		f->rep->sandbox_complete = m->u.hello.sandbox_complete;
		break;
	case MSG_META:
		if (f->begun) {
			f->invalid = "a second META";
			return;
		}
		begin_capture(f, m);
		break;
	case MSG_PROCESS:
		add_process(f, m);
		break;
	case MSG_FLOW:
		add_flow(f, m);
		break;
	case MSG_ANOMALY:
		add_anomaly(f, m);
		break;
	case MSG_INTERFACE:
		db_check(f, store_interface(f->s, f->capture_id, m->u.iface.idx, &m->u.iface.ifc,
					    m->u.iface.packets));
		break;
	case MSG_SOCKET:
		db_check(f, store_socket(f->s, f->capture_id, &m->u.socket.r,
					 row_of(f, m->u.socket.process), m->u.socket.packets));
		break;
	case MSG_PROCESS_COUNTS:
		db_check(f, store_process_counts(f->s, row_of(f, m->u.counts.process),
						 m->u.counts.packets, m->u.counts.flows));
		break;
	case MSG_PROGRESS:
		f->packets = m->u.progress.packets;
		progress_update_now(&f->pg, m->u.progress.offset, f->packets);
		break;
	case MSG_END:
		f->result = m->u.end.r;
		snprintf(f->detail, sizeof(f->detail), "%s", m->u.end.detail);
		f->result.status_detail = f->detail[0] ? f->detail : NULL;
		f->packets = f->result.packets;
		f->ended = true;
		break;
	case MSG_FAIL:
		snprintf(f->rep->msg, sizeof(f->rep->msg), "%s", m->u.fail);
		f->failed = true;
		break;
	default:
		f->invalid = "unknown message";
		break;
	}
}

/* Reads what the parser has written so far (one read; the caller polled):
 * false at the end of the pipe or on an error. */
static bool spool(struct wfile *f)
{
	ssize_t n;

	if (f->cap - f->len < READ_CHUNK_BYTES && f->cap < SPOOL_MAX_BYTES) {
		size_t ncap = f->cap * 2;
		uint8_t *nb = realloc(f->buf, ncap);

		if (nb != NULL) {
			f->buf = nb;
			f->cap = ncap;
		}
	}
	if (f->len == f->cap)
		return true;   /* full: wait until it is written */
	do
		n = read(f->w.fd, f->buf + f->len, f->cap - f->len);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		f->eof = true;
		return false;
	}
	f->len += (size_t)n;
	return true;
}

/* Waits until f's parser has written more, spooling meanwhile what the
 * parsers of the later files write (up to SPOOL_MAX_BYTES each). */
static void wait_for_more(struct wfile *f, struct wfile **later, size_t n_later)
{
	struct pollfd pfd[1 + WRITER_MAX_JOBS];
	size_t n = 0;

	pfd[n++] = (struct pollfd){ .fd = f->w.fd, .events = POLLIN };
	for (size_t i = 0; i < n_later && n < sizeof(pfd) / sizeof(pfd[0]); i++)
		if (!later[i]->eof && later[i]->len < SPOOL_MAX_BYTES)
			pfd[n++] = (struct pollfd){ .fd = later[i]->w.fd, .events = POLLIN };
	if (n == 1) {
		spool(f);   /* nothing else to watch: a blocking read */
		return;
	}
	if (poll(pfd, n, -1) < 0)
		return;   /* EINTR: the caller asks again */
	for (size_t i = 1, j = 0; i < n; i++) {
		while (later[j]->w.fd != pfd[i].fd)
			j++;
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			spool(later[j]);
	}
	if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
		spool(f);
}

/* Handles f's messages until its parser's end of pipe, a broken rule, a
 * database error or a skip. */
static void read_messages(struct wfile *f, struct wfile **later, size_t n_later)
{
	const char *why = NULL;

	while (!f->invalid && !f->db_failed && !f->failed) {
		struct cur c = cur_make(f->buf, f->len);
		enum msg_read_status st;

		while ((st = msg_decode(&c, f->processes, f->m, &why)) == MSG_OK) {
			handle(f, f->m);
			if (f->invalid || f->db_failed || f->failed)
				return;
		}
		if (st == MSG_INVALID) {
			f->invalid = why;
			return;
		}
		f->len = cur_left(&c);
		memmove(f->buf, cur_data(&c), f->len);
		if (f->eof) {
			if (f->len > 0)
				f->invalid = "the last message was cut short";
			return;
		}
		wait_for_more(f, later, n_later);
	}
}

/* Opens the input and starts the parser on it, with the hash on a thread. */
static bool start(struct wfile *f)
{
	struct stat st;
	char err[WORKER_MSG_BYTES];
	/* "-" is standard input, as for tcpdump -r - */
	int fd = strcmp(f->path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
					    : open(f->path, O_RDONLY | O_CLOEXEC);
	int feed[2] = { -1, -1 }, parser_in;

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "cannot open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	f->regular = S_ISREG(st.st_mode);
	f->size = f->regular ? (uint64_t)st.st_size : 0;
	/* a file that may be present already is hashed first, so it is not parsed */
	if (f->regular && store_size_present(f->s, f->size)) {
		double t0 = now_s();

		f->have_sha = sha256_fd(fd, f->sha) == 0;
		f->rep->hash_s += now_s() - t0;
	}
	parser_in = fd;
	if (!f->regular && pipe2(feed, O_CLOEXEC) == 0)
		parser_in = feed[0];   /* read once: hashed and passed on by the thread */
	if (worker_spawn(f->wc, parser_in, &f->w, err, sizeof(err)) != 0) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "%s", err);
		close(fd);
		if (feed[0] >= 0) {
			close(feed[0]);
			close(feed[1]);
		}
		return false;
	}
	f->spawned = true;
	if (feed[0] >= 0) {
		close(feed[0]);
		f->hasher = hasher_start_copy(fd, feed[1]);
	} else if (!f->have_sha) {
		f->hasher = hasher_start(fd);
		if (f->hasher == NULL)
			f->have_sha = sha256_fd(fd, f->sha) == 0;
	}
	close(fd);
	return true;
}

/* Waits for the hash thread, if any. */
static void join_hash(struct wfile *f)
{
	double t0 = now_s();

	if (f->hasher != NULL) {
		f->have_sha = hasher_finish(f->hasher, f->sha) == 0;
		f->hasher = NULL;
	}
	f->rep->hash_s += now_s() - t0;
}

/* The parser died or broke the rules: nothing of the file stays but a
 * 'crashed' row (when the file could be hashed). */
static void record_crash(struct wfile *f)
{
	struct capture_meta m = f->meta;

	f->rep->outcome = FILE_CRASHED;
	if (f->begun)
		store_abort_capture(f->s);
	f->begun = false;
	join_hash(f);
	if (!f->have_sha)
		return;
	m.sha256_hex = f->sha;
	m.path = f->path;
	if (m.format == NULL)
		m.format = "unknown";
	m.size_bytes = f->size;
	m.sandbox = f->rep->sandbox[0] ? f->rep->sandbox : NULL;
	if (store_record_crash(f->s, &m, f->packets, f->rep->msg) != STORE_OK)
		f->rep->db_error = true;
}

/* The parser finished: the hash, then the commit. */
static void commit(struct wfile *f)
{
	double t0;
	int rc;

	join_hash(f);
	if (!f->have_sha) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "cannot read: %s", strerror(errno));
		store_abort_capture(f->s);
		f->rep->outcome = FILE_FAILED;
		return;
	}
	if (f->meta.sha256_hex == NULL) {
		rc = store_set_capture_sha256(f->s, f->capture_id, f->sha);
		if (rc != STORE_OK) {
			store_abort_capture(f->s);
			f->rep->outcome = rc == STORE_EXISTS ? FILE_SKIPPED : FILE_FAILED;
			f->rep->db_error = rc != STORE_EXISTS;
			return;
		}
	}
	t0 = now_s();
	if (store_end_capture(f->s, f->capture_id, &f->result) != STORE_OK) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "database: %s", store_error(f->s));
		f->rep->outcome = FILE_FAILED;
		f->rep->db_error = true;
		return;
	}
	f->rep->commit_s += now_s() - t0;
	f->rep->packets = f->result.packets;
	f->rep->bytes = f->size;
	f->rep->outcome = f->result.status == CAP_END && !f->result.partial ? FILE_DONE : FILE_PARTIAL;
	if (f->rep->outcome == FILE_DONE && f->bad_records > 0) {
		f->rep->outcome = FILE_PARTIAL;
		snprintf(f->rep->msg, sizeof(f->rep->msg), "stored, with %llu malformed blocks or "
			 "options (see the anomalies table)", (unsigned long long)f->bad_records);
	} else if (f->rep->outcome == FILE_PARTIAL)
		snprintf(f->rep->msg, sizeof(f->rep->msg), "%s: %.400s",
			 f->result.status == CAP_END ? "stored, but not all of it was analysed"
						     : "stored up to the damage", f->detail);
}

/* How the parser ended decides what is kept. */
static void conclude(struct wfile *f)
{
	enum worker_outcome how;
	char msg[WORKER_MSG_BYTES];

	/* nothing more of it is wanted (after FAIL the parser ends by itself) */
	if (f->invalid || f->db_failed || f->rep->outcome == FILE_SKIPPED)
		kill(f->w.pid, SIGKILL);
	how = worker_reap(f->wc, &f->w, &f->packets, msg, sizeof(msg));
	if (f->ended)
		f->packets = f->result.packets;
	if (f->db_failed) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "database: %s", store_error(f->s));
		f->rep->outcome = FILE_FAILED;
		f->rep->db_error = true;
		if (f->begun)
			store_abort_capture(f->s);
	} else if (f->failed && f->rep->outcome == FILE_SKIPPED) {
		join_hash(f);
	} else if (how == WORKER_SANDBOX_FAILED) {
		f->rep->outcome = FILE_SANDBOX_FAILED;
		join_hash(f);
	} else if (f->invalid) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "the parser broke the protocol: %s at packet %llu",
			 f->invalid, (unsigned long long)f->packets);
		record_crash(f);
	} else if (how == WORKER_CRASHED) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "%s", msg);
		record_crash(f);
	} else if (f->failed) {
		f->rep->outcome = FILE_FAILED;   /* not a capture: FAIL said why */
		if (f->begun)
			store_abort_capture(f->s);
		join_hash(f);
	} else if (!f->ended) {
		snprintf(f->rep->msg, sizeof(f->rep->msg), "the parser stopped without finishing at packet %llu",
			 (unsigned long long)f->packets);
		record_crash(f);
	} else {
		commit(f);
	}
}

static void wfile_free(struct wfile *f)
{
	if (f == NULL)
		return;
	if (f->hasher != NULL)
		join_hash(f);
	free(f->rows);
	free(f->m);
	free(f->buf);
	free(f);
}

struct wfile *writer_open_file(struct store *s, const struct worker_config *wc, const char *path,
			       struct file_report *rep)
{
	struct wfile *f = calloc(1, sizeof(*f));

	memset(rep, 0, sizeof(*rep));
	rep->outcome = FILE_FAILED;
	if (f == NULL || (f->m = malloc(sizeof(*f->m))) == NULL ||
	    (f->buf = malloc(READ_BUF_BYTES)) == NULL) {
		snprintf(rep->msg, sizeof(rep->msg), "out of memory");
		wfile_free(f);
		return NULL;
	}
	f->s = s;
	f->wc = wc;
	f->path = path;
	f->rep = rep;
	f->cap = READ_BUF_BYTES;
	f->w = (struct worker){ -1, -1, NULL };
	if (!start(f)) {
		wfile_free(f);
		return NULL;
	}
	return f;
}

void writer_finish_file(struct wfile *f, struct wfile **later, size_t n_later, bool progress)
{
	double t0 = now_s();

	progress_begin(&f->pg, f->path, f->size, progress);
	read_messages(f, later, n_later);
	progress_end(&f->pg);
	f->rep->read_s = now_s() - t0;   /* its turn; it may have been parsed ahead */
	conclude(f);
	wfile_free(f);
}

void writer_abandon_file(struct wfile *f)
{
	uint64_t packets;
	char msg[WORKER_MSG_BYTES];

	if (f == NULL)
		return;
	kill(f->w.pid, SIGKILL);
	(void)worker_reap(f->wc, &f->w, &packets, msg, sizeof(msg));
	wfile_free(f);
}
