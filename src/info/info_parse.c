/* \summary: `pidcap info`: the sandboxed child that parses one capture file and reports up its pipe */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "info/info_msg.h"
#include "info/info_parse.h"
#include "info/summary.h"

/*
 * Sanitizer runtimes write their reports to fd 2, and a report lost is a
 * bug hidden: in those builds the child keeps stderr (it writes nothing
 * there itself). Every other build closes it with the rest.
 */
#if defined(__SANITIZE_ADDRESS__)
#define PARSE_KEEP_STDERR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARSE_KEEP_STDERR 1
#endif
#endif
#ifndef PARSE_KEEP_STDERR
#define PARSE_KEEP_STDERR 0
#endif

#define FRAME_BYTES (INFO_MSG_HEADER_BYTES + INFO_MSG_MAX_PAYLOAD)

struct parse_out {
	int fd;
	struct wbuf w;
};

/* Closes [lo, hi] (inclusive, lo <= hi) but keep. */
static void close_span(unsigned lo, unsigned hi, int keep)
{
	if (keep >= 0 && (unsigned)keep >= lo && (unsigned)keep <= hi) {
		if ((unsigned)keep > lo)
			(void)close_range(lo, (unsigned)keep - 1, 0);
		if ((unsigned)keep < hi)
			(void)close_range((unsigned)keep + 1, hi, 0);
	} else {
		(void)close_range(lo, hi, 0);
	}
}

/* Closes every descriptor but a and b (and fd 2 in sanitizer builds). */
static void close_all_but(int a, int b)
{
	unsigned lo = (unsigned)(a < b ? a : b), hi = (unsigned)(a < b ? b : a);
	int keep = PARSE_KEEP_STDERR ? STDERR_FILENO : -1;

	if (lo > 0)
		close_span(0, lo - 1, keep);
	if (hi > lo + 1)
		close_span(lo + 1, hi - 1, keep);
	close_span(hi + 1, ~0u, keep);
}

/* Writes the frame in o->w and empties it; a write that fails ends the child. */
static void send_frame(struct parse_out *o)
{
	const uint8_t *p = wbuf_data(&o->w);
	size_t left = wbuf_len(&o->w);

	if (wbuf_failed(&o->w))
		_exit(INFO_PARSE_EXIT_PIPE);   /* the parent sees a result that never ends */
	while (left > 0) {
		ssize_t n = write(o->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(INFO_PARSE_EXIT_PIPE);
		p += n;
		left -= (size_t)n;
	}
	wbuf_truncate(&o->w, 0);
}

static void on_progress(void *ctx, uint64_t done_bytes, uint64_t total_bytes, uint64_t packets)
{
	struct parse_out *o = ctx;

	info_msg_put_progress(&o->w, done_bytes, total_bytes, packets);
	send_frame(o);
}

static void flush_frame(void *ctx, struct wbuf *w)
{
	(void)w;
	send_frame(ctx);
}

/* The test-hook build only: PIDCAP_TEST_INFO_CHILD=abort makes the sandboxed
 * child die of SIGABRT (which sanitizers do not turn into an exit, unlike
 * SIGSEGV), =garbage makes it send bytes that are no message. */
static void test_hook(struct parse_out *o)
{
#ifdef PIDCAP_TEST_HOOKS
	const char *v = getenv("PIDCAP_TEST_INFO_CHILD");

	if (v != NULL && strcmp(v, "abort") == 0)
		abort();
	if (v != NULL && strcmp(v, "garbage") == 0) {
		wbuf_put_bytes(&o->w, "\x01\x03\x00\x00\x00\x02??", 8);
		send_frame(o);
		_exit(0);
	}
#else
	(void)o;
#endif
}

void info_parse_child(int in_fd, int out_fd, const struct info_parse_config *c)
{
	static uint8_t frame[FRAME_BYTES];
	struct sandbox_policy pol = {
		.profile = SANDBOX_PROFILE_PARSE, .mode = c->mode, .write_dir_fd = -1,
		.drop_uid = true,
	};
	struct parse_out o = { .fd = out_fd };
	struct sandbox_report r;
	struct summary s;
	struct stat st;
	bool have_st;
	char err[INFO_MSG_ERROR_BYTES];

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != c->parent)
		_exit(INFO_PARSE_EXIT_PIPE);   /* the parent is already gone */
	wbuf_init_fixed(&o.w, frame, sizeof(frame));
	/* now: the sandbox refuses fstat (glibc makes it newfstatat, a path call) */
	have_st = fstat(in_fd, &st) == 0;
	close_all_but(in_fd, out_fd);
	if (sandbox_apply(&pol, &r, err, sizeof(err)) != 0) {
		info_msg_put_fail(&o.w, err);
		send_frame(&o);
		_exit(INFO_PARSE_EXIT_SANDBOX);
	}
	test_hook(&o);
	summary_collect_fd(&s, in_fd, have_st ? &st : NULL, c->path, c->want_sequence, on_progress, &o);
	info_msg_put_result(&o.w, &s, flush_frame, &o);
	_exit(0);
}
