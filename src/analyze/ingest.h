/* \summary: analysing one capture file into the store */
#ifndef PIDCAP_INGEST_H
#define PIDCAP_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

enum ingest_result {
	INGEST_DONE = 0,      /* read completely and committed */
	INGEST_PARTIAL = 1,   /* committed, but the file was truncated or damaged */
	INGEST_SKIPPED = 2,   /* already in the database (same SHA-256) */
	INGEST_FAILED = 3,    /* not a capture, unreadable, or a database error */
};

struct ingest_totals {
	uint64_t packets, flows, processes, anomalies, attributed_flows;
	uint64_t bytes;
	/* wall-clock seconds per phase, for -v */
	double hash_s, read_s, drain_s, commit_s;
};

struct ingest_options {
	bool progress;        /* progress bar on a terminal */
	uint32_t max_flows;   /* flow table cap (0 = default) */
};

/*
 * Analyses the capture at path into s, in one transaction. Adds its counts to
 * *totals and writes a message for the user into msg when the result is not
 * INGEST_DONE.
 */
enum ingest_result ingest_file(struct store *s, const char *path, const struct ingest_options *o,
			       struct ingest_totals *totals, char *msg, size_t msglen);

#endif
