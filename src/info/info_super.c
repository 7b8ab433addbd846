/* \summary: `pidcap info`: open the file, fork the sandboxed parser, check what it sends */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "info/info_msg.h"
#include "info/info_parse.h"
#include "info/info_super.h"
#include "util/progress.h"

#define READ_BUF_BYTES (INFO_MSG_HEADER_BYTES + INFO_MSG_MAX_PAYLOAD)

struct reader {
	struct info_msg_decoder d;
	struct progress pg;
	bool pg_begun, allow_progress;
	const char *label;
	bool bad;                          /* an invalid message: the child was killed */
	char err[INFO_MSG_ERROR_BYTES];
};

/* Starts over as an unopened summary saying why. */
static void fail_summary(struct summary *s, const struct info_collect_opts *o, const char *path,
			 const char *why)
{
	summary_free(s);
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->want_sequence = o->want_sequence;
	snprintf(s->open_error, sizeof(s->open_error), "%s", why);
}

static void on_frame_progress(struct reader *r)
{
	if (!r->pg_begun) {
		progress_begin(&r->pg, r->label, r->d.total_bytes, r->allow_progress);
		r->pg_begun = true;
	}
	progress_update_now(&r->pg, r->d.done_bytes, r->d.packets);
}

/* Decodes every whole frame at the front of buf[0, *have) and keeps the rest. */
static int drain(struct reader *r, uint8_t *buf, size_t *have)
{
	struct cur in = cur_make(buf, *have);
	int rc = info_msg_feed(&r->d, &in, r->err, sizeof(r->err));

	if (r->d.have_progress)
		on_frame_progress(r);
	memmove(buf, cur_data(&in), cur_left(&in));
	*have = cur_left(&in);
	return rc;
}

/* Reads the child's pipe to its end (or to the first invalid message). */
static void read_child(struct reader *r, int fd)
{
	uint8_t *buf = malloc(READ_BUF_BYTES);
	size_t have = 0;

	if (buf == NULL) {
		r->bad = true;
		snprintf(r->err, sizeof(r->err), "out of memory");
		return;
	}
	for (;;) {
		ssize_t n = read(fd, buf + have, READ_BUF_BYTES - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->bad = true;
			snprintf(r->err, sizeof(r->err), "reading its pipe: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			if (have > 0) {
				r->bad = true;
				snprintf(r->err, sizeof(r->err), "its last message is cut short");
			}
			break;
		}
		have += (size_t)n;
		if (drain(r, buf, &have) != 0) {
			r->bad = true;
			break;
		}
	}
	free(buf);
}

/* What went wrong with the child, or NULL when its result stands. */
static const char *judge(const struct reader *r, int wstatus, char *msg, size_t len)
{
	const struct info_msg_decoder *d = &r->d;
	int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;

	if (r->bad)
		snprintf(msg, len, "parser sent an invalid message: %s", r->err);
	else if (sig != 0)
		snprintf(msg, len, "parser crashed: killed by signal %d (SIG%s) at byte %llu, packet %llu",
			 sig, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
			 (unsigned long long)d->done_bytes, (unsigned long long)d->packets);
	else if (d->state == INFO_MSG_FAILED)
		snprintf(msg, len, "parser could not start: %s", d->fail);
	else if (d->state != INFO_MSG_FINISHED || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		snprintf(msg, len, "parser ended without a result (exit status %d)",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	else
		return NULL;
	return msg;
}

static int open_input(const char *path)
{
	if (strcmp(path, "-") == 0)
		return fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	return open(path, O_RDONLY | O_CLOEXEC);
}

void info_collect(struct summary *s, const char *path, const struct info_collect_opts *o)
{
	struct info_parse_config pc = {
		.path = path, .want_sequence = o->want_sequence, .mode = o->mode, .parent = getpid(),
	};
	struct reader r = { .label = path, .allow_progress = o->progress };
	char msg[sizeof(s->open_error)];
	int fd, pipefd[2], wstatus = 0;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->want_sequence = o->want_sequence;
	fd = open_input(path);
	if (fd < 0) {
		snprintf(s->open_error, sizeof(s->open_error), "cannot open: %s", strerror(errno));
		return;
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		snprintf(s->open_error, sizeof(s->open_error), "pipe: %s", strerror(errno));
		close(fd);
		return;
	}
	fflush(NULL);   /* nothing buffered twice */
	pid = fork();
	if (pid == 0)
		info_parse_child(fd, pipefd[1], &pc);
	close(fd);
	close(pipefd[1]);
	if (pid < 0) {
		snprintf(s->open_error, sizeof(s->open_error), "fork: %s", strerror(errno));
		close(pipefd[0]);
		return;
	}
	info_msg_decoder_init(&r.d, s);
	read_child(&r, pipefd[0]);
	if (r.bad)
		(void)kill(pid, SIGKILL);
	close(pipefd[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (r.pg_begun)
		progress_end(&r.pg);
	if (judge(&r, wstatus, msg, sizeof(msg)) != NULL)
		fail_summary(s, o, path, msg);
}
