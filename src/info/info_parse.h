/* \summary: `pidcap info`: the sandboxed child that parses one capture file */
#ifndef PIDCAP_INFO_PARSE_H
#define PIDCAP_INFO_PARSE_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

/* Exit statuses of the child besides 0 (its result was sent). */
#define INFO_PARSE_EXIT_SANDBOX 3   /* the sandbox could not be applied (a FAIL message says why) */
#define INFO_PARSE_EXIT_PIPE    4   /* its pipe could not be written: the parent is gone */

struct info_parse_config {
	const char *path;          /* the file's name, for messages only */
	bool want_sequence;        /* keep the pcapng block sequence (--blocks) */
	enum sandbox_mode mode;
	pid_t parent;              /* the supervisor; the child stops if it is gone */
};

/*
 * The child's whole life, called right after fork(): dies with the parent
 * (PR_SET_PDEATHSIG), closes every descriptor but in_fd (the open input)
 * and out_fd (the write end of its pipe) — fd 2 stays open in sanitizer
 * builds, whose runtime reports there — applies SANDBOX_PROFILE_PARSE (no
 * write directory, no read path, uid nobody when root), parses the file and
 * sends its summary as info_msg.h frames, progress first. Never returns.
 */
void info_parse_child(int in_fd, int out_fd, const struct info_parse_config *c)
	__attribute__((noreturn));

#endif
