/* \summary: the /proc poller process (privilege-separated --no-bpf attribution) and its pipe protocol */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/poller.h"
#include "sandbox/sandbox.h"
#include "util/cur.h"
#include "util/wbuf.h"
#include "util/units.h"

#define POLLER_PIPE_BYTES (1 << 20)          /* asked for; the kernel may give less */
#define POLLER_BUF_BYTES (64u * 1024u)       /* recorder's read buffer */
#define POLLER_READ_BUDGET_BYTES (1u << 20)  /* per poller_read(): the capture comes first */
#define POLLER_BATCH 256u                    /* records handed over per callback */
#define POLLER_ENCODE_RECORDS 1024u          /* records per write() in the poller */
#define POLLER_REAP_TRIES 200                /* x 10 ms */
#define POLLER_PID_MAX 4194304u              /* PID_MAX_LIMIT, include/linux/threads.h */
#define POLLER_TCP_STATE_MAX 11u             /* TCP_CLOSING; 12 (NEW_SYN_RECV) is never dumped */
#define POLLER_FD 3                          /* the pipe's fd inside the poller */
#define POLLER_PROC_NAME "pidcap-poller"
#define IPV4_ADDR_BYTES 4u
#define ADDR_BYTES 16u

struct poller {
	pid_t pid;
	int fd;
	char caps[96];
	/* stream state */
	uint8_t buf[POLLER_BUF_BYTES];
	size_t have;
	bool in_frame;
	uint32_t left;              /* records still due in the current frame */
	uint32_t last_gen;
	struct snap_sock batch[POLLER_BATCH];
	size_t n_batch;
	struct poller_stats st;
};

/* The capabilities the poller may keep, and why. */
static const struct {
	cap_value_t cap;
	const char *name;
} kept_caps[] = {
	{ CAP_SYS_PTRACE, "cap_sys_ptrace" },           /* ptrace-mode checks on /proc/PID/fd and ns/net */
	{ CAP_DAC_READ_SEARCH, "cap_dac_read_search" }, /* other users' /proc/PID/fd directories (0500) */
	{ CAP_SYS_ADMIN, "cap_sys_admin" },             /* setns() into another network namespace */
};
#define N_KEPT_CAPS (sizeof(kept_caps) / sizeof(kept_caps[0]))

/* ------------------------------------------------------------ the poller process */

/* One record, laid out as poller.h says. */
static void encode_record(struct wbuf *o, const struct snap_sock *s)
{
	wbuf_put_le64(o, s->cookie);
	wbuf_put_u8(o, s->family);
	wbuf_put_u8(o, s->ip_proto);
	wbuf_put_u8(o, s->tcp_state);
	wbuf_put_u8(o, s->listener ? 1 : 0);
	wbuf_put_bytes(o, s->laddr, ADDR_BYTES);
	wbuf_put_bytes(o, s->raddr, ADDR_BYTES);
	wbuf_put_le16(o, s->lport);
	wbuf_put_le16(o, s->rport);
	wbuf_put_le32(o, s->inode);
	wbuf_put_le32(o, s->uid);
	wbuf_put_le32(o, s->pid);
	wbuf_put_le32(o, s->n_holders);
	wbuf_put_le32(o, s->netns);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes what o holds, which must be exactly want bytes (the layout of poller.h). */
static int write_wbuf(int fd, const struct wbuf *o, size_t want)
{
	if (wbuf_failed(o) || wbuf_len(o) != want)
		return -1;
	return write_all(fd, wbuf_data(o), want);
}

/* Writes one frame; -1 when the recorder is gone. */
static int send_round(int fd, uint32_t gen, const struct snap_sock *s, size_t n, unsigned skipped,
		      bool capped)
{
	static uint8_t out[POLLER_ENCODE_RECORDS * POLLER_RECORD_BYTES];
	uint8_t hdr[POLLER_HEADER_BYTES];
	struct wbuf o;

	if (n > POLLER_MAX_RECORDS) {
		n = POLLER_MAX_RECORDS;
		capped = true;
	}
	wbuf_init_fixed(&o, hdr, sizeof(hdr));
	wbuf_put_le32(&o, POLLER_MAGIC);
	wbuf_put_le32(&o, gen);
	wbuf_put_le32(&o, (uint32_t)n);
	wbuf_put_le32(&o, skipped);
	wbuf_put_le32(&o, capped ? POLLER_FLAG_CAPPED : 0);
	if (write_wbuf(fd, &o, POLLER_HEADER_BYTES) != 0)
		return -1;
	for (size_t i = 0; i < n; i += POLLER_ENCODE_RECORDS) {
		size_t k = n - i < POLLER_ENCODE_RECORDS ? n - i : POLLER_ENCODE_RECORDS;

		wbuf_init_fixed(&o, out, sizeof(out));
		for (size_t j = 0; j < k; j++)
			encode_record(&o, &s[i + j]);
		if (write_wbuf(fd, &o, k * POLLER_RECORD_BYTES) != 0)
			return -1;
	}
	return 0;
}

/* Sleeps ms; true when the recorder has closed its end or has died. */
static bool recorder_gone(int fd, int ms, pid_t parent)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };

	/* a pipe's write end reports POLLERR as soon as no reader is left */
	if (poll(&pfd, 1, ms) > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
		return true;
	return getppid() != parent;
}

/* Keeps only `keep` in the permitted and effective sets; empties the rest. */
static void drop_to(const cap_value_t *keep, int n_keep)
{
	sandbox_caps_keep(keep, n_keep);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Only the pipe (as POLLER_FD) and stderr stay; stdin and stdout become /dev/null. */
static int isolate_fds(int w)
{
	int nul;

	if (w != POLLER_FD && dup2(w, POLLER_FD) < 0)
		return -1;
	if (close_range(POLLER_FD + 1, ~0u, 0) != 0)
		return -1;
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		(void)dup2(nul, STDIN_FILENO);
		(void)dup2(nul, STDOUT_FILENO);
		if (w == STDERR_FILENO)   /* started with stderr closed: never write into the pipe */
			(void)dup2(nul, STDERR_FILENO);
		close(nul);
	}
	return 0;
}

/* The poller's whole life; never returns. */
static void __attribute__((noreturn))
poller_child(int w, pid_t parent, const cap_value_t *keep, int n_keep)
{
	bool said = false;
	uint32_t gen = 0;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(0);   /* the recorder died before the line above */
	(void)prctl(PR_SET_NAME, POLLER_PROC_NAME, 0, 0, 0);
	signal(SIGINT, SIG_IGN);    /* a terminal's ^C is for the recorder, which then closes the pipe */
	signal(SIGHUP, SIG_IGN);    /* the recorder's "new file" */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	if (isolate_fds(w) != 0) {
		fprintf(stderr, "pidcap record: /proc poller: cannot close inherited files: %s\n",
			strerror(errno));
		_exit(1);
	}
	drop_to(keep, n_keep);
	for (;;) {
		struct snap_sock *s = NULL;
		size_t n = 0;
		unsigned skipped = 0;
		char err[256];
		int rc = snapshot_sockets_all(&s, &n, &skipped, err, sizeof(err));

		if (rc < 0 && !said) {
			fprintf(stderr, "pidcap record: /proc poller: %s\n", err);
			said = true;
		}
		if (rc >= 0 && send_round(POLLER_FD, ++gen, s, n, skipped, rc == 1) != 0)
			_exit(0);   /* the recorder closed the pipe */
		free(s);
		if (recorder_gone(POLLER_FD, (int)(POLLER_INTERVAL_NS / NS_PER_MSEC), parent))
			_exit(0);
	}
}

/* ------------------------------------------------------------ the recorder's side */

/* Which of kept_caps the caller holds (permitted), and their names. */
static int caps_held(cap_value_t *keep, char *names, size_t len)
{
	cap_t now = cap_get_proc();
	int n = 0;

	snprintf(names, len, "none");
	for (size_t i = 0; now != NULL && i < N_KEPT_CAPS; i++) {
		cap_flag_value_t v = CAP_CLEAR;
		size_t used = n == 0 ? 0 : strlen(names);

		if (cap_get_flag(now, kept_caps[i].cap, CAP_PERMITTED, &v) != 0 || v != CAP_SET)
			continue;
		keep[n++] = kept_caps[i].cap;
		if (used < len)
			snprintf(names + used, len - used, "%s%s", used ? ", " : "", kept_caps[i].name);
	}
	cap_free(now);
	return n;
}

struct poller *poller_start(char *err, size_t errlen)
{
	struct poller *p = calloc(1, sizeof(*p));
	cap_value_t keep[N_KEPT_CAPS];
	pid_t parent = getpid();
	int fds[2], n_keep;

	if (p == NULL) {
		snprintf(err, errlen, "/proc poller: out of memory");
		return NULL;
	}
	n_keep = caps_held(keep, p->caps, sizeof(p->caps));
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "/proc poller: pipe: %s", strerror(errno));
		free(p);
		return NULL;
	}
	(void)fcntl(fds[1], F_SETPIPE_SZ, POLLER_PIPE_BYTES);
	fflush(NULL);   /* nothing buffered may be written twice */
	p->pid = fork();
	if (p->pid < 0) {
		snprintf(err, errlen, "/proc poller: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(p);
		return NULL;
	}
	if (p->pid == 0) {
		close(fds[0]);
		poller_child(fds[1], parent, keep, n_keep);
	}
	close(fds[1]);
	p->fd = fds[0];
	(void)fcntl(p->fd, F_SETFL, O_NONBLOCK);
	return p;
}

int poller_fd(const struct poller *p)
{
	return p->fd;
}

pid_t poller_pid(const struct poller *p)
{
	return p->pid;
}

const char *poller_caps(const struct poller *p)
{
	return p->caps;
}

void poller_get_stats(const struct poller *p, struct poller_stats *s)
{
	*s = p->st;
}

static void flush_batch(struct poller *p, poller_sockets_fn fn, void *ctx)
{
	if (p->n_batch > 0)
		fn(ctx, p->batch, p->n_batch);
	p->n_batch = 0;
}

static bool zero_bytes(const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* Decodes and checks one record; false when any field is impossible. */
static bool decode_record(struct cur *c, struct snap_sock *s)
{
	uint8_t listener;

	memset(s, 0, sizeof(*s));
	if (!cur_le64(c, &s->cookie) || !cur_u8(c, &s->family) || !cur_u8(c, &s->ip_proto) ||
	    !cur_u8(c, &s->tcp_state) || !cur_u8(c, &listener) ||
	    !cur_copy(c, s->laddr, ADDR_BYTES) || !cur_copy(c, s->raddr, ADDR_BYTES) ||
	    !cur_le16(c, &s->lport) || !cur_le16(c, &s->rport) || !cur_le32(c, &s->inode) ||
	    !cur_le32(c, &s->uid) || !cur_le32(c, &s->pid) || !cur_le32(c, &s->n_holders) ||
	    !cur_le32(c, &s->netns))
		return false;
	s->listener = listener == 1;
	if (s->cookie == 0 || listener > 1)
		return false;
	if (s->family == AF_INET) {
		if (!zero_bytes(s->laddr + IPV4_ADDR_BYTES, ADDR_BYTES - IPV4_ADDR_BYTES) ||
		    !zero_bytes(s->raddr + IPV4_ADDR_BYTES, ADDR_BYTES - IPV4_ADDR_BYTES))
			return false;
	} else if (s->family != AF_INET6) {
		return false;
	}
	if (s->ip_proto != IPPROTO_TCP && s->ip_proto != IPPROTO_UDP)
		return false;
	if (s->tcp_state == 0 || s->tcp_state > POLLER_TCP_STATE_MAX)
		return false;
	if (s->pid >= POLLER_PID_MAX || (s->pid == 0) != (s->n_holders == 0))
		return false;
	return true;
}

static int parse_header(struct poller *p, struct cur *c, char *err, size_t errlen)
{
	uint32_t magic, gen, count, skipped, flags;

	if (!cur_le32(c, &magic) || !cur_le32(c, &gen) || !cur_le32(c, &count) ||
	    !cur_le32(c, &skipped) || !cur_le32(c, &flags))
		return -1;   /* the caller made sure the bytes are there */
	if (magic != POLLER_MAGIC || gen != p->last_gen + 1 || count > POLLER_MAX_RECORDS ||
	    skipped > SNAP_MAX_NETNS || (flags & ~POLLER_FLAGS_KNOWN) != 0) {
		snprintf(err, errlen, "/proc poller: bad frame header (magic %#x, generation %u after %u, "
			 "%u records, %u namespaces skipped, flags %#x)", magic, gen, p->last_gen, count,
			 skipped, flags);
		return -1;
	}
	p->last_gen = gen;
	p->left = count;
	p->in_frame = true;
	p->st.skipped_ns = skipped;
	if (flags & POLLER_FLAG_CAPPED)
		p->st.capped_rounds++;
	return 0;
}

/* Consumes every complete header and record in the buffer. Returns 0 or -1 (err). */
static int parse_buffer(struct poller *p, poller_sockets_fn fn, void *ctx, char *err, size_t errlen)
{
	struct cur c = cur_make(p->buf, p->have);

	for (;;) {
		if (!p->in_frame) {
			if (cur_left(&c) < POLLER_HEADER_BYTES)
				break;
			if (parse_header(p, &c, err, errlen) != 0)
				return -1;
		} else if (p->left > 0) {
			if (cur_left(&c) < POLLER_RECORD_BYTES)
				break;
			if (!decode_record(&c, &p->batch[p->n_batch])) {
				snprintf(err, errlen, "/proc poller: bad socket record in frame %u", p->last_gen);
				return -1;
			}
			p->left--;
			p->st.sockets++;
			if (++p->n_batch == POLLER_BATCH)
				flush_batch(p, fn, ctx);
		}
		if (p->in_frame && p->left == 0) {
			p->in_frame = false;
			p->st.rounds++;
		}
	}
	memmove(p->buf, cur_data(&c), cur_left(&c));
	p->have = cur_left(&c);
	return 0;
}

static void close_pipe(struct poller *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int poller_read(struct poller *p, poller_sockets_fn fn, void *ctx, char *err, size_t errlen)
{
	size_t budget = POLLER_READ_BUDGET_BYTES;
	int rc = 0;

	if (p->fd < 0)
		return 1;
	while (rc == 0 && budget > 0) {
		ssize_t got = read(p->fd, p->buf + p->have, sizeof(p->buf) - p->have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (got < 0) {
			snprintf(err, errlen, "/proc poller: read: %s", strerror(errno));
			rc = -1;
		} else if (got == 0) {
			rc = 1;
		} else {
			p->have += (size_t)got;
			budget -= (size_t)got < budget ? (size_t)got : budget;
			rc = parse_buffer(p, fn, ctx, err, errlen);
		}
	}
	flush_batch(p, fn, ctx);
	if (rc != 0)
		close_pipe(p);
	return rc;
}

void poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	close_pipe(p);
	for (int i = 0; p->pid > 0 && i < POLLER_REAP_TRIES; i++) {
		const struct timespec ten_ms = { 0, 10 * 1000000L };
		pid_t w = waitpid(p->pid, NULL, WNOHANG);

		if (w == p->pid || (w < 0 && errno != EINTR))
			break;
		nanosleep(&ten_ms, NULL);
	}
	free(p);
}
