/* \summary: the writer: one input file, parsed by a sandboxed process, into the store */
#ifndef PIDCAP_WRITER_H
#define PIDCAP_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/worker.h"
#include "store/store.h"

enum file_outcome {
	FILE_DONE = 0,         /* read completely and committed */
	FILE_PARTIAL,          /* committed, but the file was truncated or damaged */
	FILE_SKIPPED,          /* already in the database (same SHA-256) */
	FILE_FAILED,           /* not a capture, unreadable, or a database error */
	FILE_CRASHED,          /* the parser died or broke the protocol: recorded as 'crashed' */
	FILE_SANDBOX_FAILED,   /* the parser's sandbox could not be applied: nothing read */
};

/* What became of one file, for the summary and -v. */
struct file_report {
	enum file_outcome outcome;
	bool db_error;                 /* FILE_FAILED by the database: the run should stop */
	char msg[WORKER_MSG_BYTES];    /* why, when not FILE_DONE (pidcap's text and the
	                                * parser's, which the caller escapes) */
	char sandbox[WORKER_SANDBOX_TEXT_BYTES];   /* the parser's level, "" = unknown */
	bool sandbox_complete;
	uint64_t packets, flows, processes, attributed_flows, bytes;
	double hash_s, read_s, commit_s;           /* wall seconds, for -v */
};

#define WRITER_MAX_JOBS 64    /* parsers at once (-j) */

struct wfile;

/*
 * Starts one input file: opens path (here, before any parser exists;
 * "-" is standard input), starts a parser process on it (worker_spawn) and
 * hashes it on a thread meanwhile (a pipe or FIFO is read once: the thread
 * hashes and forwards it to the parser). NULL when the file could not be
 * started (rep then says why: FILE_FAILED). rep must live until
 * writer_finish_file.
 */
struct wfile *writer_open_file(struct store *s, const struct worker_config *wc, const char *path,
			       struct file_report *rep);

/*
 * Writes f into the store in one transaction, turning its parser's
 * messages, each validated as untrusted, into rows; meanwhile the parsers of
 * the later files (later[0..n_later), opened with writer_open_file) may run
 * ahead: what they write is kept (up to 8 MiB each, then they wait) until
 * their turn. A file whose SHA-256 is present is not stored twice. A parser
 * that dies or sends what the protocol does not allow leaves nothing of
 * the file but a 'crashed' captures row. progress: a bar on a terminal.
 * Fills f's report and frees f.
 */
void writer_finish_file(struct wfile *f, struct wfile **later, size_t n_later, bool progress);

/* Stops f's parser and frees f without writing anything of it (the run
 * stopped before its turn). NULL is accepted. */
void writer_abandon_file(struct wfile *f);

#endif
