/* \summary: analysing one capture file into the store */
#ifndef PIDCAP_INGEST_H
#define PIDCAP_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/sha256file.h"

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

/* What a supervisor needs to know about a file while it is being read
 * (kept in memory shared with it: see worker.h). */
struct ingest_status {
	bool have_meta;                        /* format, gzip and size_bytes are set */
	bool have_sha256;                      /* sha256_hex is set (it may come later:
						* it is computed while the file is read) */
	char sha256_hex[SHA256_HEX_BYTES];
	char format[8];                        /* "pcap" or "pcapng" */
	bool gzip;
	uint64_t size_bytes;
	uint64_t packets;                      /* the packet being read, 1-based */
};

struct ingest_options {
	bool progress;        /* progress bar on a terminal */
	uint32_t max_flows;   /* flow table cap (0 = default) */
	const char *sandbox;  /* stored in captures.sandbox; NULL: unknown */
	struct ingest_status *status;   /* filled as the file is read; may be NULL */
	/* Test only (PIDCAP_TEST_CRASH_AT_PACKET): abort() when packet number
	 * crash_at_packet is reached; 0 = never. */
	uint64_t crash_at_packet;
};

/*
 * Analyses the capture at path into s, in one transaction. Adds its counts to
 * *totals and writes a message for the user into msg when the result is not
 * INGEST_DONE.
 */
enum ingest_result ingest_file(struct store *s, const char *path, const struct ingest_options *o,
			       struct ingest_totals *totals, char *msg, size_t msglen);

/* As ingest_file, reading from fd (opened by the caller, e.g. before a
 * sandbox; closed here in every case); path is what the database records. */
enum ingest_result ingest_fd(struct store *s, int fd, const char *path,
			     const struct ingest_options *o, struct ingest_totals *totals,
			     char *msg, size_t msglen);

#endif
