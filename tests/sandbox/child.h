/* \summary: run a test step in a forked child (the sandbox cannot be undone) */
#ifndef PIDCAP_TESTS_SANDBOX_CHILD_H
#define PIDCAP_TESTS_SANDBOX_CHILD_H

#include <stdbool.h>

/* How a child ended: its exit code, or the signal that killed it. */
struct child_end {
	int code;     /* -1 when killed */
	int signal;   /* 0 when it exited */
};

/* Runs fn(arg) in a child process whose exit code is fn's return value;
 * returns how the child ended ({-1, 0} when it could not be started). */
struct child_end child_run(int (*fn)(void *arg), void *arg);

/* True when the child exited with code. */
bool child_exited(struct child_end e, int code);

/* True when the child was killed by sig. */
bool child_killed(struct child_end e, int sig);

/* Reads "Key:\t<value>" from /proc/self/status into out (empty when absent). */
void child_status_field(const char *key, char *out, unsigned len);

#endif
