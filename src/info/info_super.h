/* \summary: `pidcap info`: the unprivileged-parser supervisor, one child per file */
#ifndef PIDCAP_INFO_SUPER_H
#define PIDCAP_INFO_SUPER_H

#include <stdbool.h>

#include "info/summary.h"
#include "sandbox/sandbox.h"

struct info_collect_opts {
	bool want_sequence;        /* --blocks */
	bool progress;             /* a bar on a terminal is allowed */
	enum sandbox_mode mode;    /* of the parser's sandbox */
};

/*
 * Fills *s for path ("-" = standard input) without parsing a byte here: the
 * file is opened in this process and handed to a sandboxed child
 * (info_parse_child), whose messages are checked as hostile (info_msg.h)
 * and turned back into *s; its progress messages drive the progress bar.
 * When the file cannot be opened, or the child crashes, cannot apply its
 * sandbox or sends anything invalid, *s is an unopened summary (exit class
 * 2) whose open_error says what happened ("parser crashed: killed by
 * signal N (SIGX) at byte B, packet P"). The caller must run no other
 * thread. summary_free() frees *s in every case.
 */
void info_collect(struct summary *s, const char *path, const struct info_collect_opts *o);

#endif
