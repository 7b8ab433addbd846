/* \summary: the SQLite store that `pidcap analyze` writes */
#ifndef PIDCAP_STORE_H
#define PIDCAP_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "capfile/capfile.h"
#include "capfile/procinfo.h"
#include "capfile/sockrec.h"
#include "flow/flow.h"

/*
 * Each capture is written in one transaction that ends by marking it
 * complete: a crash (even kill -9) leaves the database as it was before the
 * capture, so running the same command again gives the same database as an
 * uninterrupted run. All values go through bound parameters.
 */

#define STORE_ANOMALY_ROWS_PER_NAME 1000u   /* rows kept per anomaly name and capture */
#define INDEX_PROGRESS_OPS 1000000          /* SQLite instructions between progress calls */

struct store;

enum store_status { STORE_OK = 0, STORE_EXISTS = 1, STORE_ERROR = -1 };

/* Configures and initialises SQLite for this process: no per-call mutex on
 * a connection (each is used by one thread at a time), no
 * memory statistics (a global mutex per allocation). Runs before the first
 * store_open, and before a sandbox is applied. Returns STORE_OK or
 * STORE_ERROR. */
int store_library_init(void);

/* A sandbox_policy.preinit for processes that use the store once confined:
 * initialises SQLite (store_library_init) and draws from its randomness, which
 * it would otherwise seed from /dev/urandom on first use. ctx is unused.
 * Returns 0, or -1 with a message in err. */
int store_sandbox_preinit(void *ctx, char *err, size_t errlen);

/* Opens or creates the database at path and brings its schema up to date
 * (calling store_library_init if nobody has). */
struct store *store_open(const char *path, char *err, size_t errlen);

/* Closes (checkpointing the WAL), rebuilding the indexes if a capture
 * dropped them, unless store_defer_indexes was called. Returns STORE_OK or
 * STORE_ERROR. */
int store_close(struct store *s, char *err, size_t errlen);

/* Leaves the index rebuild to whoever calls store_build_indexes later
 * (pidcap analyze's parent, once after all its workers): store_close then
 * leaves the indexes dropped by this connection's captures missing. */
void store_defer_indexes(struct store *s);

/* Called while indexes are built: done of total indexes are finished, and
 * name (NUL-terminated, pidcap's own) is being built. Called often (every
 * INDEX_PROGRESS_OPS SQLite instructions): rate-limit any drawing. */
typedef void (*store_index_progress_fn)(void *ctx, unsigned done, unsigned total, const char *name);

struct store_index_stats {
	unsigned built;     /* indexes created by this call */
	unsigned present;   /* indexes that were there already */
};

/*
 * Creates the indexes of the schema that are missing: the default ones
 * (schema/002_indexes.sql: small tables and partial indexes) in one
 * transaction, then, when lookup is true or the database asked for them
 * before (settings.lookup_indexes), the lookup indexes over every flow row
 * (schema/index_lookup.sql), each in its own transaction, so an interrupted
 * build keeps the finished ones and a second call completes the rest.
 * lookup = true also records the wish in the database, so later runs rebuild
 * them. fn (may be NULL) follows the progress; stats (may be NULL) gets the
 * counts. Returns STORE_OK or STORE_ERROR (message: store_error).
 */
int store_build_indexes(struct store *s, bool lookup, store_index_progress_fn fn, void *ctx,
			struct store_index_stats *stats);

/* The last SQLite error, for messages. */
const char *store_error(const struct store *s);

struct capture_meta {
	const char *sha256_hex;
	const char *path;
	const char *format;        /* "pcap" or "pcapng" */
	bool gzip;
	uint64_t size_bytes;
	const char *sandbox;       /* the worker's sandbox level, or "off"; NULL: unknown */
};

/*
 * Begins a capture. STORE_EXISTS when a capture with that SHA-256 is
 * already complete in the database (nothing is started); otherwise opens the
 * transaction and sets *capture_id. m->sha256_hex NULL: the hash is not
 * known yet and must be given with store_set_capture_sha256 before
 * store_end_capture.
 */
int store_begin_capture(struct store *s, const struct capture_meta *m, int64_t *capture_id);

/* Whether a capture (not a crashed one) of that many bytes is present, so
 * that a file of that size must be hashed before it is begun (also true
 * when the database cannot tell). */
bool store_size_present(struct store *s, uint64_t size_bytes);

/* Sets the SHA-256 of the capture begun without it (in its transaction).
 * STORE_EXISTS when another capture (not a crashed one) has that hash: the
 * caller then aborts the capture. */
int store_set_capture_sha256(struct store *s, int64_t capture_id, const char *sha256_hex);

int store_interface(struct store *s, int64_t capture_id, uint32_t idx,
		    const struct cap_interface *ifc, uint64_t packets);

/* Inserts a process; *row receives its processes.id. source is one of the
 * documented source names. pr may be NULL for a bare pid (epb-pid, pktap). */
int store_process(struct store *s, int64_t capture_id, const char *source, uint32_t pid,
		  const struct proc_record *pr, const char *name, int64_t *row);

/* Adds attributed packets/flows counts to a process row. */
int store_process_counts(struct store *s, int64_t row, uint64_t packets, uint64_t flows);

/* Inserts the flows row of a finished flow (its id, via store_flow_row, is
 * the row's id); r and its strings need only live during the call. */
int store_flow(struct store *s, int64_t capture_id, const struct flow_record *r);

/* Inserts a socket described by a socket record; process_row 0 = no
 * process row (NULL), packets = packets attributed through it. */
int store_socket(struct store *s, int64_t capture_id, const struct sock_record *r,
		 int64_t process_row, uint64_t packets);

/* Counts an anomaly of this name (a static string) and answers whether its
 * row is still wanted: rows are kept for the first STORE_ANOMALY_ROWS_PER_NAME
 * of each name, every one is counted. Touches no SQLite state. */
bool store_anomaly_count(struct store *s, const char *name);

/* Writes an anomaly row (after store_anomaly_count said yes). flow_id and
 * packet may be 0 (unknown), ts_ns INT64_MIN. */
int store_anomaly_row(struct store *s, int64_t capture_id, const char *name, const char *detail,
		      uint64_t flow_id, uint64_t packet, int64_t ts_ns);


struct capture_result {
	uint64_t packets;
	bool have_ts;
	int64_t first_ts_ns, last_ts_ns;
	enum cap_status status;
	const char *status_detail;
	uint64_t error_offset;
	uint64_t flows, flows_evicted;
	uint64_t attributed_packets;    /* packets with a process, however found */
	uint64_t reattributed_packets;  /* of them, found through socket records */
	uint64_t unattributed_flows;    /* flows no process owns */
	bool partial;                   /* read whole, but not all of it was analysed (memory
					 * ran out): stored as status 'partial' */
};

/* Writes the capture's totals and anomaly counts and commits. */
int store_end_capture(struct store *s, int64_t capture_id, const struct capture_result *r);

/* Records, in its own transaction, a file whose analysis crashed: a
 * captures row with status 'crashed', packets = the packet reached, and
 * detail as status_detail. It replaces an older crashed row of that file; a
 * later store_begin_capture of the same SHA-256 analyses it again. Not
 * during a capture. Returns STORE_OK or STORE_ERROR. */
int store_record_crash(struct store *s, const struct capture_meta *m, uint64_t packets,
		       const char *detail);

/* Rolls the capture back (nothing of it stays). */
void store_abort_capture(struct store *s);

/* flows.id of the flow whose in-run id (struct flow_record.id) is flow_id: rows
 * that refer to a flow can be written before the flow ends. */
int64_t store_flow_row(const struct store *s, uint64_t flow_id);

#endif
