/* \summary: one sandboxed, resource-limited child process per input file, supervised */
#ifndef PIDCAP_WORKER_H
#define PIDCAP_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/ingest.h"
#include "sandbox/sandbox.h"

#define WORKER_SANDBOX_TEXT_BYTES 384
#define WORKER_MSG_BYTES 512

struct worker_config {
	struct ingest_options o;     /* o.sandbox and o.status are set per file */
	const char *db_path;         /* opened by each worker, after its sandbox */
	enum sandbox_mode mode;
	int write_dir_fd;            /* the database's directory, O_PATH */
	bool drop_uid;               /* see sandbox_policy; false: uid_note says why */
	const char *uid_note;        /* appended to the level when root keeps its uid; may be NULL */
	unsigned cpu_limit_s;        /* RLIMIT_CPU per file; 0 = none */
	unsigned memory_limit_mb;    /* RLIMIT_DATA per file; 0 = none */
	bool build_indexes;          /* the last file's worker builds the indexes, under its
	                              * sandbox and while SQLite's cache still holds the table */
	bool index_lookup;           /* ... the lookup indexes too (--index) */
};

enum worker_outcome {
	WORKER_INGESTED,        /* result, msg and totals are the worker's */
	WORKER_SANDBOX_FAILED,  /* the sandbox could not be applied (msg); no input was read */
	WORKER_CRASHED,         /* killed by a signal or a limit, or failed under the memory
	                         * limit (msg: how, and the packet) */
	WORKER_NOT_STARTED,     /* fork or shared memory failed (msg) */
};

struct worker_report {
	enum worker_outcome outcome;
	enum ingest_result result;
	struct ingest_totals totals;            /* this file's */
	struct ingest_status status;            /* meta and packet reached */
	bool sandbox_complete;                  /* every layer in force */
	bool indexes_built;                     /* build_indexes was asked and done */
	double index_s;                         /* seconds it took, with the close */
	char sandbox[WORKER_SANDBOX_TEXT_BYTES];   /* level, as stored in captures.sandbox */
	char msg[WORKER_MSG_BYTES];
};

/*
 * Whether a root worker may change to nobody (sandbox_policy.drop_uid):
 * only when nobody can write the database directory dir and the database
 * files at db (and its -wal, -shm, -journal) that exist. Otherwise, when
 * root, *note says why uid 0 is kept (the worker then holds no capability:
 * no DAC override, it writes only what root owns), else NULL. Reads the
 * user database: call before any sandbox.
 */
bool worker_can_drop_uid(const char *db, const char *dir, const char **note);

/*
 * Analyses one file in a child process: it opens the file, sets its
 * resource limits, applies SANDBOX_PROFILE_ANALYZE (with c->mode, write
 * rights beneath c->write_dir_fd), then opens the database at c->db_path
 * (indexes deferred to the caller: store_build_indexes, unless
 * c->build_indexes) and runs ingest_fd.
 * The child dies with the caller (PR_SET_PDEATHSIG). The caller must hold no
 * SQLite connection and run no other thread. Fills *rep; returns
 * rep->outcome.
 */
enum worker_outcome worker_run(const struct worker_config *c, const char *path,
			       struct worker_report *rep);

#endif
