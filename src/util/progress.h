/* \summary: a progress bar on standard error, shown only on a terminal */
#ifndef PIDCAP_PROGRESS_H
#define PIDCAP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool enabled;          /* stderr is a terminal and the caller allows it */
	bool drawn;
	const char *label;
	uint64_t total_bytes;  /* 0 = unknown */
	uint64_t start_ns, last_ns;
	uint32_t calls;
};

/* Prepares a bar for work of total_bytes (0 if unknown); draws nothing yet. */
void progress_begin(struct progress *pg, const char *label, uint64_t total_bytes, bool allowed);

/* Cheap enough to call per packet: redraws at most five times a second, and
 * only after the work has run for a second. */
void progress_update(struct progress *pg, uint64_t done_bytes, uint64_t packets);

/* As progress_update() for callers that report rarely (pidcap info's parent,
 * once per MiB its parser reads): looks at the clock on every call. */
void progress_update_now(struct progress *pg, uint64_t done_bytes, uint64_t packets);

/* For work counted in steps (indexes built): done of total, what is the
 * step under way (pidcap's own text). Redraws at most five times a second,
 * only after the work has run for a second. */
void progress_step(struct progress *pg, uint64_t done, uint64_t total, const char *what);

/* Erases the bar. */
void progress_end(struct progress *pg);

#endif
