/* \summary: one sandboxed, resource-limited child process per input file, supervised */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze/parser.h"
#include "analyze/worker.h"

#define WORKER_EXIT_OK 0
#define WORKER_EXIT_PIPE 1      /* the writer went away */
#define WORKER_EXIT_SANDBOX 3
#define CPU_HARD_GRACE_S 5u   /* SIGXCPU at the soft limit, SIGKILL this much later */
#define BYTES_PER_MB (1024u * 1024u)
#define PIPE_BYTES (1024 * 1024)   /* Linux's default pipe-max-size */

static void set_limits(const struct worker_config *c)
{
	struct rlimit rl = { 0, 0 };

	/* no core file full of capture bytes, sandbox or not */
	(void)setrlimit(RLIMIT_CORE, &rl);
	if (c->cpu_limit_s > 0) {
		rl.rlim_cur = c->cpu_limit_s;
		rl.rlim_max = (rlim_t)c->cpu_limit_s + CPU_HARD_GRACE_S;
		(void)setrlimit(RLIMIT_CPU, &rl);
	}
	if (c->memory_limit_mb > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)c->memory_limit_mb * BYTES_PER_MB;
		(void)setrlimit(RLIMIT_DATA, &rl);
	}
}

static bool sandbox_complete(const struct sandbox_report *r)
{
	return r->landlock_fs && r->seccomp && r->caps_dropped && r->ambient_cleared &&
	       r->no_new_privs;
}

/* Sanitizer runtimes write their reports to fd 2: keep it in such builds. */
#if defined(__SANITIZE_ADDRESS__)
#define KEEP_STDERR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define KEEP_STDERR 1
#endif
#endif
#ifndef KEEP_STDERR
#define KEEP_STDERR 0
#endif

/* Puts from at fd to and closes from (when they differ). */
static int move_fd(int from, int to)
{
	if (from == to)
		return 0;
	if (dup2(from, to) < 0)
		return -1;
	close(from);
	return 0;
}

/*
 * Leaves the child with its input on PARSER_IN_FD and its pipe on
 * PARSER_OUT_FD and nothing else open (but stderr in sanitizer builds):
 * whatever the caller inherited (`pidcap analyze 7</etc/shadow`) is gone
 * before the first untrusted byte.
 */
static int keep_only_fds(int in_fd, int out_fd)
{
	/* move both above the targets first, so neither overwrites the other */
	int hi_in = fcntl(in_fd, F_DUPFD, PARSER_OUT_FD + 1);
	int hi_out = fcntl(out_fd, F_DUPFD, PARSER_OUT_FD + 1);

	if (hi_in < 0 || hi_out < 0 || move_fd(hi_in, PARSER_IN_FD) != 0 ||
	    move_fd(hi_out, PARSER_OUT_FD) != 0)
		return -1;
	for (int fd = 0; fd < PARSER_IN_FD; fd++)
		if (!(KEEP_STDERR && fd == STDERR_FILENO))
			close(fd);
	return (int)syscall(SYS_close_range, PARSER_OUT_FD + 1, ~0u, 0);
}

/* The child: never returns. */
static void child_main(const struct worker_config *c, int in_fd, int out_fd, pid_t parent,
		       uint64_t *packets)
{
	struct sandbox_policy pol = {
		.profile = SANDBOX_PROFILE_PARSE, .mode = c->mode,
		.write_dir_fd = -1, .drop_uid = true,
		/* LeakSanitizer would only check the writer's heap as it was at the
		 * fork (the writer's own exit checks it); the parser ends by _exit */
		.skip_leak_check = true,
	};
	struct parser_options o = { .max_flows = c->max_flows,
				    .crash_at_packet = c->crash_at_packet,
				    .spin_at_packet = c->spin_at_packet };
	struct sandbox_report sr;
	char err[300], level[WORKER_SANDBOX_TEXT_BYTES];

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(WORKER_EXIT_SANDBOX);   /* the parent is already gone */
	if (keep_only_fds(in_fd, out_fd) != 0)
		_exit(WORKER_EXIT_SANDBOX);
	set_limits(c);
	if (sandbox_apply(&pol, &sr, err, sizeof(err)) != 0) {
		parser_fail(PARSER_OUT_FD, sr.summary, err);
		_exit(WORKER_EXIT_SANDBOX);
	}
	if (c->mode == SANDBOX_OFF)
		snprintf(level, sizeof(level), "off");
	else
		snprintf(level, sizeof(level), "%s", sr.summary);
	o.sandbox = level;
	o.packet_counter = packets;
	o.sandbox_complete = c->mode != SANDBOX_OFF && sandbox_complete(&sr);
	_exit(parser_run(PARSER_IN_FD, PARSER_OUT_FD, &o) == 0 ? WORKER_EXIT_OK : WORKER_EXIT_PIPE);
}

int worker_spawn(const struct worker_config *c, int in_fd, struct worker *w, char *err,
		 size_t errlen)
{
	pid_t parent = getpid();
	int p[2];

	w->packets = mmap(NULL, sizeof(*w->packets), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->packets == MAP_FAILED) {
		w->packets = NULL;
		snprintf(err, errlen, "shared memory: %s", strerror(errno));
		return -1;
	}
	*w->packets = 0;
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		munmap(w->packets, sizeof(*w->packets));
		return -1;
	}
	/* fewer, larger transfers: the parser's messages come in 256 KiB writes */
	(void)fcntl(p[1], F_SETPIPE_SZ, PIPE_BYTES);
	fflush(NULL);   /* nothing buffered twice */
	w->pid = fork();
	if (w->pid == 0) {
		close(p[0]);
		child_main(c, in_fd, p[1], parent, w->packets);
	}
	close(p[1]);
	if (w->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		munmap(w->packets, sizeof(*w->packets));
		return -1;
	}
	w->fd = p[0];
	return 0;
}

enum worker_outcome worker_reap(const struct worker_config *c, struct worker *w,
				uint64_t *packets_out, char *msg, size_t msglen)
{
	unsigned long long pkt;
	struct rusage ru;
	int wstatus, sig;
	bool cpu_spent;

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	while (wait4(w->pid, &wstatus, 0, &ru) < 0) {
		if (errno != EINTR) {
			snprintf(msg, msglen, "wait: %s", strerror(errno));
			return WORKER_CRASHED;
		}
	}
	*packets_out = __atomic_load_n(w->packets, __ATOMIC_RELAXED);
	pkt = (unsigned long long)*packets_out;
	munmap(w->packets, sizeof(*w->packets));
	w->packets = NULL;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == WORKER_EXIT_OK)
		return WORKER_DONE;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == WORKER_EXIT_SANDBOX)
		return WORKER_SANDBOX_FAILED;
	sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	/* SIGKILL at the hard limit, if SIGXCPU was caught or ignored */
	cpu_spent = c->cpu_limit_s > 0 &&
		    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec >= (time_t)c->cpu_limit_s;
	if (sig == SIGXCPU || (sig == SIGKILL && cpu_spent))
		snprintf(msg, msglen, "CPU time limit (%u s) reached at packet %llu", c->cpu_limit_s,
			 pkt);
	else if (sig != 0)
		snprintf(msg, msglen, "killed by signal %d (SIG%s) at packet %llu", sig,
			 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", pkt);
	else
		snprintf(msg, msglen, "parser exited with status %d at packet %llu",
			 WEXITSTATUS(wstatus), pkt);
	return WORKER_CRASHED;
}

