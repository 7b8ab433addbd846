/* \summary: one sandboxed, unprivileged, resource-limited parser process per input file */
#ifndef PIDCAP_WORKER_H
#define PIDCAP_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

#define WORKER_SANDBOX_TEXT_BYTES 384
#define WORKER_MSG_BYTES 512
#define PARSER_IN_FD 3     /* the parser's input */
#define PARSER_OUT_FD 4    /* its pipe to the writer */

struct worker_config {
	enum sandbox_mode mode;
	uint32_t max_flows;          /* flow table cap (0 = default) */
	unsigned cpu_limit_s;        /* RLIMIT_CPU per file; 0 = none */
	unsigned memory_limit_mb;    /* RLIMIT_DATA per file; 0 = none */
	uint64_t crash_at_packet;    /* test hooks (test-hook build), 0 = off */
	uint64_t spin_at_packet;
};

/* A running parser: its pid and the read end of its pipe. */
struct worker {
	pid_t pid;
	int fd;
	uint64_t *packets;    /* a shared page: the packet the parser is reading */
};

enum worker_outcome {
	WORKER_DONE,            /* exited normally */
	WORKER_SANDBOX_FAILED,  /* the sandbox could not be applied; no input was read */
	WORKER_CRASHED,         /* killed by a signal or a limit, or exited abnormally (msg) */
};

/*
 * Starts a parser process for the open input in_fd (the caller keeps its
 * own descriptor: the child gets a copy). The child keeps only its input
 * and the write end of a pipe (PARSER_IN_FD, PARSER_OUT_FD; stderr too in
 * sanitizer builds), sets its resource limits, applies SANDBOX_PROFILE_PARSE
 * (as root it becomes nobody: it needs to write nothing), then runs
 * parser_run. It dies with the caller (PR_SET_PDEATHSIG). On success w->fd
 * is the pipe's read end and 0 is returned; -1 with a message in err.
 * The caller should hold no lock another thread could be holding at fork.
 */
int worker_spawn(const struct worker_config *c, int in_fd, struct worker *w, char *err,
		 size_t errlen);

/*
 * Closes w's pipe, waits for the parser and says how it ended; for a crash
 * msg tells how ("killed by signal 11 (SIGSEGV) at packet N", the CPU
 * limit), N being the packet the parser had reached (*packets_out, also
 * set otherwise; a number from the parser: only shown, never trusted).
 */
enum worker_outcome worker_reap(const struct worker_config *c, struct worker *w,
				uint64_t *packets_out, char *msg, size_t msglen);

#endif
