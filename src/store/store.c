/* \summary: SQLite store: connection settings, prepared statements, one transaction per capture */
#include "config.h"

#include <errno.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "capfile/linktype.h"
#include "store/schema.h"
#include "store/store.h"
#include "util/units.h"

#define MAX_ANOMALY_NAMES 256u
#define BUSY_TIMEOUT_MS 5000
#define PRAGMA_RETRY_MS 10
#define STORE_ERROR_BYTES 512

enum stmt_id {
	ST_FIND_CAPTURE, ST_DELETE_CRASHED, ST_INSERT_CAPTURE, ST_MAX_FLOW, ST_INTERFACE,
	ST_PROCESS, ST_PROCESS_COUNTS, ST_FLOW, ST_ANOMALY, ST_ANOMALY_COUNT, ST_END_CAPTURE,
	ST_SOCKET, ST_SIZE_PRESENT, ST_SET_SHA256, ST_COUNT
};

/* captures.sha256 of a capture begun before its hash is known (unique: one
 * capture is begun at a time, under the write lock, and it is replaced
 * before the commit); no hex digest equals it. */
#define SHA256_PENDING "pending"

static const char *const stmt_sql[ST_COUNT] = {
	/* a crashed file is analysed again: its row only says what happened */
	[ST_FIND_CAPTURE] = "SELECT id FROM captures WHERE sha256 = ?1 AND status != 'crashed'",
	[ST_DELETE_CRASHED] = "DELETE FROM captures WHERE sha256 = ?1 AND status = 'crashed'",
	[ST_SIZE_PRESENT] = "SELECT 1 FROM captures WHERE size_bytes = ?1 AND status != 'crashed' LIMIT 1",
	[ST_SET_SHA256] = "UPDATE captures SET sha256 = ?2 WHERE id = ?1",
	[ST_INSERT_CAPTURE] =
		"INSERT INTO captures (sha256, path, format, gzip, size_bytes, packets, status, "
		"pidcap_version, analyzed_at, sandbox, status_detail) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?10, ?8, ?6, ?7, ?9, ?11)",
	[ST_MAX_FLOW] = "SELECT IFNULL(MAX(id), 0) FROM flows",
	[ST_INTERFACE] =
		"INSERT INTO interfaces (capture_id, id, section, linktype, linktype_name, snaplen, "
		"tsresol, name, description, filter, os, packets) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_PROCESS] =
		"INSERT INTO processes (capture_id, source, pid, name, path, cmdline, argv, ppid, uid, "
		"user, start_time_ns, uuid, attribution, cgroup, container) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[ST_PROCESS_COUNTS] =
		"UPDATE processes SET packets = packets + ?2, flows = flows + ?3 WHERE id = ?1",
	[ST_FLOW] =
		"INSERT INTO flows (id, capture_id, ts, ts_ns, duration, orig_h, orig_p, resp_h, resp_p, "
		"proto, ip_proto, conn_state, history, orig_pkts, orig_bytes, orig_ip_bytes, resp_pkts, "
		"resp_bytes, resp_ip_bytes, missed_bytes, vlan, inner_vlan, tunnel, tunnel_orig_h, "
		"tunnel_resp_h, community_id, process_id, end_reason, first_packet, resp_process_id) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
		"?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
	[ST_ANOMALY] =
		"INSERT INTO anomalies (capture_id, name, detail, flow_id, packet, ts) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ANOMALY_COUNT] =
		"INSERT INTO anomaly_counts (capture_id, name, count) VALUES (?1, ?2, ?3)",
	[ST_END_CAPTURE] =
		"UPDATE captures SET packets = ?2, first_time = ?3, last_time = ?4, first_time_ns = ?5, "
		"last_time_ns = ?6, status = ?7, status_detail = ?8, error_offset = ?9, flows = ?10, "
		"flows_evicted = ?11, anomalies = ?12, attributed_packets = ?13, "
		"reattributed_packets = ?14, unattributed_flows = ?15 WHERE id = ?1",
	[ST_SOCKET] =
		"INSERT INTO sockets (capture_id, process_id, pid, tid, family, ip_proto, proto, local_h, "
		"local_p, remote_h, remote_p, listener, cookie, proc_start_ns, first_time_ns, "
		"last_time_ns, final, how, packets) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
};

struct anomaly_count {
	const char *name;
	uint64_t count;
};

struct store {
	sqlite3 *db;
	char errbuf[STORE_ERROR_BYTES];   /* the first error of the operation (store_error) */
	bool have_error;
	sqlite3_stmt *st[ST_COUNT];
	bool in_capture;
	bool indexes_dropped;       /* rebuilt by store_close() */
	bool pending_index_drop;    /* dropped in the open transaction */
	bool defer_indexes;         /* store_close() leaves them to another connection */
	int64_t flow_base;
	struct anomaly_count anomalies[MAX_ANOMALY_NAMES];
	uint32_t n_anomaly_names;
	uint64_t anomalies_total;
};

/* Settings for a bulk writer that must survive kill -9 (WAL is always
 * consistent; NORMAL is durable against process crashes) and that runs
 * inside a sandbox (temporary data in memory, no extra files). */
static const char *const connection_pragmas =
	"PRAGMA page_size = 16384;"          /* new databases only: fewer, fuller pages for bulk rows */
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"PRAGMA temp_store = MEMORY;"
	"PRAGMA foreign_keys = OFF;"
	"PRAGMA cache_size = -65536;"
	"PRAGMA journal_size_limit = 67108864;"
	"PRAGMA trusted_schema = OFF;"
	"PRAGMA cell_size_check = ON;";

static int create_indexes(struct store *s, bool lookup, store_index_progress_fn fn, void *ctx,
			  struct store_index_stats *stats);

static int fail_db(struct store *s, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "out of memory");
	return STORE_ERROR;
}

int store_library_init(void)
{
	static bool done;

	if (done)
		return STORE_OK;
	/* both fail harmlessly (SQLITE_MISUSE) if SQLite is already running */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_initialize() != SQLITE_OK)
		return STORE_ERROR;
	done = true;
	return STORE_OK;
}

int store_sandbox_preinit(void *ctx, char *err, size_t errlen)
{
	unsigned char seed[16];

	(void)ctx;
	if (store_library_init() != STORE_OK) {
		snprintf(err, errlen, "cannot initialise SQLite");
		return -1;
	}
	sqlite3_randomness(sizeof(seed), seed);
	return 0;
}

/* The connection's settings. Switching a new database to WAL needs an
 * exclusive lock, and SQLite answers BUSY at once (no busy handler) while
 * another process is setting up the same file: retry until the busy timeout. */
static int set_pragmas(sqlite3 *db, char **msg)
{
	int rc;

	for (int waited_ms = 0;; waited_ms += PRAGMA_RETRY_MS) {
		sqlite3_free(*msg);
		*msg = NULL;
		rc = sqlite3_exec(db, connection_pragmas, NULL, NULL, msg);
		if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= BUSY_TIMEOUT_MS)
			return rc;
		sqlite3_sleep(PRAGMA_RETRY_MS);
	}
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	char *msg = NULL;

	if (s == NULL || store_library_init() != STORE_OK) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fail_db(s, err, errlen, "cannot open the database");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	/* before anything writes: a foreign or newer file stays as it is */
	if (schema_check(s->db, err, errlen) != SQLITE_OK)
		goto fail;
	if (set_pragmas(s->db, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot set up the database: %s", msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	if (schema_apply(s->db, err, errlen) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			fail_db(s, err, errlen, "cannot prepare a statement");
			goto fail;
		}
	}
	return s;
fail:
	store_close(s, NULL, 0);
	return NULL;
}

int store_close(struct store *s, char *err, size_t errlen)
{
	int rc = STORE_OK;

	if (s == NULL)
		return STORE_OK;
	if (s->in_capture)
		store_abort_capture(s);
	if (s->indexes_dropped && !s->defer_indexes &&
	    create_indexes(s, false, NULL, NULL, NULL) != STORE_OK) {
		if (err)
			snprintf(err, errlen, "building the indexes: %s", sqlite3_errmsg(s->db));
		rc = STORE_ERROR;
	}
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL) {
		sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		if (sqlite3_close(s->db) != SQLITE_OK && rc == STORE_OK) {
			if (err)
				snprintf(err, errlen, "closing the database: %s", sqlite3_errmsg(s->db));
			rc = STORE_ERROR;
		}
	}
	free(s);
	return rc;
}

/* Keeps the first error of an operation with the system's reason (SQLite
 * says "database or disk is full", the system which): what follows it (a
 * ROLLBACK of a transaction SQLite already rolled back) must not replace it. */
static void note_error(struct store *s)
{
	int e = sqlite3_system_errno(s->db);

	if (s->have_error)
		return;
	/* SQLite clears the errno of a write that found no space (unixWrite) */
	if (e == 0 && (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_FULL)
		e = ENOSPC;
	if (e != 0)
		snprintf(s->errbuf, sizeof(s->errbuf), "%s (%s)", sqlite3_errmsg(s->db), strerror(e));
	else
		snprintf(s->errbuf, sizeof(s->errbuf), "%s", sqlite3_errmsg(s->db));
	s->have_error = true;
}

const char *store_error(const struct store *s)
{
	return s->have_error ? s->errbuf : sqlite3_errmsg(s->db);
}

/* Runs a bound statement to completion and resets it. */
static int run(struct store *s, enum stmt_id id)
{
	int rc = sqlite3_step(s->st[id]);

	sqlite3_reset(s->st[id]);
	/* The hot flow insert binds every parameter each time, NULLs included;
	 * the others leave optional ones unbound, which must then read NULL. */
	if (id != ST_FLOW)
		sqlite3_clear_bindings(s->st[id]);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return STORE_OK;
	note_error(s);
	return STORE_ERROR;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void utc_now(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int exec(struct store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return STORE_OK;
	if (strcmp(sql, "ROLLBACK") != 0)
		note_error(s);
	return STORE_ERROR;
}

/* Drops every index of the schema (inside the caller's transaction). */
static int drop_indexes(struct store *s)
{
	static const char *const names_sql =
		"SELECT 'DROP INDEX ' || quote(name) || ';' FROM sqlite_master "
		"WHERE type = 'index' AND sql IS NOT NULL";
	sqlite3_stmt *st;
	char *drops;
	int rc = STORE_OK;

	if (sqlite3_prepare_v2(s->db, names_sql, -1, &st, NULL) != SQLITE_OK)
		return STORE_ERROR;
	/* collect first: dropping while the query runs would change sqlite_master under it */
	drops = sqlite3_mprintf("%s", "");
	while (drops != NULL && sqlite3_step(st) == SQLITE_ROW) {
		char *n = sqlite3_mprintf("%s%s", drops, (const char *)sqlite3_column_text(st, 0));

		sqlite3_free(drops);
		drops = n;
	}
	sqlite3_finalize(st);
	if (drops == NULL || exec(s, drops) != STORE_OK)
		rc = STORE_ERROR;
	sqlite3_free(drops);
	return rc;
}

/* The index a "CREATE INDEX IF NOT EXISTS name ON ..." statement makes. */
static void index_name(const char *sql, char *out, size_t outlen)
{
	const char *p = strstr(sql, "EXISTS ");
	size_t n = 0;

	p = p ? p + strlen("EXISTS ") : "?";
	while (p[n] != '\0' && p[n] != ' ' && n + 1 < outlen)
		n++;
	snprintf(out, outlen, "%.*s", (int)n, p);
}

static bool index_exists(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Whether the database asks for the lookup indexes (settings, schema 5). */
static bool lookup_wanted(struct store *s)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(s->db, "SELECT value = '1' FROM settings WHERE name = 'lookup_indexes'",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
	sqlite3_finalize(st);
	return yes;
}

/* What one index build is doing, for the progress callback. */
struct index_job {
	store_index_progress_fn fn;
	void *ctx;
	unsigned done, total;
	const char *name;
};

static int index_progress(void *arg)
{
	struct index_job *j = arg;

	j->fn(j->ctx, j->done, j->total, j->name);
	return 0;
}

/* Runs each statement of sql (CREATE INDEX IF NOT EXISTS ...): in one
 * transaction when together, else one transaction per index, so that an
 * interrupted build keeps the indexes it finished. */
static int create_index_list(struct store *s, const char *sql, bool together, struct index_job *j,
			     struct store_index_stats *stats)
{
	const char *next = sql;
	char name[64];
	int rc = STORE_OK;

	if (together && exec(s, "BEGIN IMMEDIATE") != STORE_OK)
		return STORE_ERROR;
	while (rc == STORE_OK && *next != '\0') {
		sqlite3_stmt *st = NULL;
		const char *tail;

		if (sqlite3_prepare_v2(s->db, next, -1, &st, &tail) != SQLITE_OK) {
			rc = STORE_ERROR;
			break;
		}
		next = tail;
		if (st == NULL)
			continue;   /* comments and blank lines at the end */
		index_name(sqlite3_sql(st), name, sizeof(name));
		if (index_exists(s, name)) {
			stats->present++;
		} else {
			j->name = name;
			if (j->fn != NULL)
				index_progress(j);
			if ((!together && exec(s, "BEGIN IMMEDIATE") != STORE_OK) ||
			    sqlite3_step(st) != SQLITE_DONE ||
			    (!together && exec(s, "COMMIT") != STORE_OK)) {
				if (!together)
					exec(s, "ROLLBACK");
				rc = STORE_ERROR;
			} else {
				stats->built++;
			}
		}
		sqlite3_finalize(st);
		j->done++;
	}
	if (together)
		rc = rc == STORE_OK ? exec(s, "COMMIT") : (exec(s, "ROLLBACK"), STORE_ERROR);
	return rc;
}

/* Statements in sql (one per index). */
static unsigned count_statements(struct store *s, const char *sql)
{
	const char *next = sql;
	unsigned n = 0;

	while (*next != '\0') {
		sqlite3_stmt *st = NULL;
		const char *tail;

		if (sqlite3_prepare_v2(s->db, next, -1, &st, &tail) != SQLITE_OK)
			break;
		n += st != NULL;
		sqlite3_finalize(st);
		next = tail;
	}
	return n;
}

/* Creates the default indexes (the schema steps named *index*, idempotent)
 * in one transaction: one commit and one WAL checkpoint, not one each; then
 * the lookup indexes when wanted, one transaction each. */
static int create_indexes(struct store *s, bool lookup, store_index_progress_fn fn, void *ctx,
			  struct store_index_stats *stats)
{
	struct index_job j = { fn, ctx, 0, 0, NULL };
	struct store_index_stats unused;
	int rc = STORE_OK;

	if (stats == NULL)
		stats = &unused;
	memset(stats, 0, sizeof(*stats));
	if (lookup && exec(s, "INSERT OR REPLACE INTO settings (name, value) "
			      "VALUES ('lookup_indexes', '1')") != STORE_OK)
		return STORE_ERROR;
	lookup = lookup || lookup_wanted(s);
	for (unsigned i = 0; i < schema_step_count; i++)
		if (strstr(schema_steps[i].name, "index") != NULL)
			j.total += count_statements(s, schema_steps[i].sql);
	if (lookup)
		j.total += count_statements(s, schema_index_lookup_sql);
	if (fn != NULL)
		sqlite3_progress_handler(s->db, INDEX_PROGRESS_OPS, index_progress, &j);
	for (unsigned i = 0; rc == STORE_OK && i < schema_step_count; i++)
		if (strstr(schema_steps[i].name, "index") != NULL)
			rc = create_index_list(s, schema_steps[i].sql, true, &j, stats);
	if (rc == STORE_OK && lookup)
		rc = create_index_list(s, schema_index_lookup_sql, false, &j, stats);
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	return rc;
}

/* Replaces a crashed row of the same file by a new captures row. */
static int insert_capture(struct store *s, const struct capture_meta *m, const char *status,
			  uint64_t packets, const char *detail)
{
	sqlite3_stmt *st = s->st[ST_DELETE_CRASHED];
	char now[32];

	sqlite3_bind_text(st, 1, m->sha256_hex, -1, SQLITE_TRANSIENT);
	if (run(s, ST_DELETE_CRASHED) != STORE_OK)
		return STORE_ERROR;
	st = s->st[ST_INSERT_CAPTURE];
	utc_now(now, sizeof(now));
	sqlite3_bind_text(st, 1, m->sha256_hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, m->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, m->format, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, m->gzip);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)m->size_bytes);
	sqlite3_bind_text(st, 6, PACKAGE_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, status, -1, SQLITE_STATIC);
	bind_text(st, 9, m->sandbox);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)packets);
	bind_text(st, 11, detail);
	return run(s, ST_INSERT_CAPTURE);
}

/* The id of a capture (not a crashed one) with that SHA-256, or 0. */
static int64_t find_capture(struct store *s, const char *sha256_hex)
{
	sqlite3_stmt *st = s->st[ST_FIND_CAPTURE];
	int64_t id = 0;

	sqlite3_bind_text(st, 1, sha256_hex, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

int store_begin_capture(struct store *s, const struct capture_meta *m, int64_t *capture_id)
{
	struct capture_meta pending = *m;

	s->have_error = false;   /* a new operation: its own first error */
	if (exec(s, "BEGIN IMMEDIATE") != STORE_OK)
		return STORE_ERROR;
	if (m->sha256_hex != NULL && find_capture(s, m->sha256_hex) != 0) {
		exec(s, "ROLLBACK");
		return STORE_EXISTS;
	}
	if (pending.sha256_hex == NULL)
		pending.sha256_hex = SHA256_PENDING;
	if (insert_capture(s, &pending, "in progress", 0, NULL) != STORE_OK)
		goto fail;
	*capture_id = sqlite3_last_insert_rowid(s->db);
	if (sqlite3_step(s->st[ST_MAX_FLOW]) != SQLITE_ROW) {
		sqlite3_reset(s->st[ST_MAX_FLOW]);
		goto fail;
	}
	s->flow_base = sqlite3_column_int64(s->st[ST_MAX_FLOW], 0);
	sqlite3_reset(s->st[ST_MAX_FLOW]);
	/* Bulk insert without indexes; inside this transaction, so a capture
	 * rolled back takes the drop back with it. */
	if (!s->indexes_dropped) {
		if (drop_indexes(s) != STORE_OK)
			goto fail;
		s->pending_index_drop = true;
	}
	s->in_capture = true;
	s->n_anomaly_names = 0;
	s->anomalies_total = 0;
	return STORE_OK;
fail:
	exec(s, "ROLLBACK");
	return STORE_ERROR;
}

bool store_size_present(struct store *s, uint64_t size_bytes)
{
	sqlite3_stmt *st = s->st[ST_SIZE_PRESENT];
	bool present;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)size_bytes);
	present = sqlite3_step(st) != SQLITE_DONE;   /* a row, or an error: hash first */
	sqlite3_reset(st);
	return present;
}

int store_set_capture_sha256(struct store *s, int64_t capture_id, const char *sha256_hex)
{
	int64_t other = find_capture(s, sha256_hex);

	if (other != 0 && other != capture_id)
		return STORE_EXISTS;
	sqlite3_bind_text(s->st[ST_DELETE_CRASHED], 1, sha256_hex, -1, SQLITE_TRANSIENT);
	if (run(s, ST_DELETE_CRASHED) != STORE_OK)
		return STORE_ERROR;
	sqlite3_bind_int64(s->st[ST_SET_SHA256], 1, capture_id);
	sqlite3_bind_text(s->st[ST_SET_SHA256], 2, sha256_hex, -1, SQLITE_TRANSIENT);
	return run(s, ST_SET_SHA256);
}

int64_t store_flow_row(const struct store *s, uint64_t flow_id)
{
	return s->flow_base + (int64_t)flow_id;
}

int store_interface(struct store *s, int64_t capture_id, uint32_t idx,
		    const struct cap_interface *ifc, uint64_t packets)
{
	sqlite3_stmt *st = s->st[ST_INTERFACE];

	sqlite3_bind_int64(st, 1, capture_id);
	sqlite3_bind_int64(st, 2, idx);
	sqlite3_bind_int64(st, 3, ifc->section);
	sqlite3_bind_int64(st, 4, ifc->linktype);
	bind_text(st, 5, linktype_name(ifc->linktype));
	sqlite3_bind_int64(st, 6, ifc->snaplen);
	sqlite3_bind_int(st, 7, ifc->tsresol);
	bind_text(st, 8, ifc->name);
	bind_text(st, 9, ifc->description);
	bind_text(st, 10, ifc->filter);
	bind_text(st, 11, ifc->os);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)packets);
	return run(s, ST_INTERFACE);
}

/* "curl\0-s\0http://x" -> "curl -s http://x" */
static void cmdline_text(const struct proc_record *pr, char *out, size_t outlen)
{
	size_t n = pr->cmdline_len < outlen - 1 ? pr->cmdline_len : outlen - 1;

	memcpy(out, pr->cmdline, n);
	while (n > 0 && out[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\0')
			out[i] = ' ';
	out[n] = '\0';
}

static void uuid_text(const uint8_t u[16], char *out)
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

int store_process(struct store *s, int64_t capture_id, const char *source, uint32_t pid,
		  const struct proc_record *pr, const char *name, int64_t *row)
{
	sqlite3_stmt *st = s->st[ST_PROCESS];
	char cmd[PROC_CMDLINE_BYTES + 1], uuid[40];

	sqlite3_bind_int64(st, 1, capture_id);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pid);
	if (pr != NULL) {
		bind_text(st, 4, pr->name);
		bind_text(st, 5, pr->path);
		cmdline_text(pr, cmd, sizeof(cmd));
		bind_text(st, 6, cmd);
		if (pr->cmdline_len > 0)
			sqlite3_bind_blob(st, 7, pr->cmdline, (int)pr->cmdline_len, SQLITE_TRANSIENT);
		if (pr->has_ppid)
			sqlite3_bind_int64(st, 8, pr->ppid);
		if (pr->has_uid)
			sqlite3_bind_int64(st, 9, pr->uid);
		bind_text(st, 10, pr->user);
		if (pr->has_starttime)
			sqlite3_bind_int64(st, 11, (sqlite3_int64)pr->starttime_ns);
		if (pr->has_uuid) {
			uuid_text(pr->uuid, uuid);
			bind_text(st, 12, uuid);
		}
		bind_text(st, 13, pr->attribution);
		bind_text(st, 14, pr->cgroup);
		bind_text(st, 15, pr->container);
	} else {
		bind_text(st, 4, name);
	}
	if (run(s, ST_PROCESS) != STORE_OK)
		return STORE_ERROR;
	*row = sqlite3_last_insert_rowid(s->db);
	return STORE_OK;
}

int store_process_counts(struct store *s, int64_t row, uint64_t packets, uint64_t flows)
{
	sqlite3_stmt *st = s->st[ST_PROCESS_COUNTS];

	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)packets);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)flows);
	return run(s, ST_PROCESS_COUNTS);
}

/* Formats an address (IPv4 in the first 4 bytes) into buf (INET6_ADDRSTRLEN). */
static const char *addr_text(uint8_t version, const uint8_t *a, char *buf)
{
	if (version == 4) {
		/* the common case, without inet_ntop's printf */
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			uint8_t v = a[i];

			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		return buf;
	}
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, bool present, int64_t v)
{
	if (present)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Binds text that stays valid until the statement has run (SQLITE_STATIC:
 * no copy); NULL binds NULL. */
static void bind_static(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static const char *tunnel_name(enum decode_tunnel t)
{
	switch (t) {
	case TUNNEL_IP: return "ip";
	case TUNNEL_GRE: return "gre";
	case TUNNEL_VXLAN: return "vxlan";
	case TUNNEL_TEREDO: return "teredo";
	case TUNNEL_NONE: break;
	}
	return NULL;
}

static const char *end_reason_name(enum flow_end_reason why)
{
	switch (why) {
	case FLOW_END_TIMEOUT: return "timeout";
	case FLOW_END_EVICTED: return "evicted";
	case FLOW_END_CLOSED: return "closed";
	case FLOW_END_REUSED: return "reused";
	case FLOW_END_FLUSH: break;
	}
	return "end";
}

static double seconds(int64_t ns)
{
	return (double)ns / (double)NS_PER_SEC;
}

int store_flow(struct store *s, int64_t capture_id, const struct flow_record *f)
{
	sqlite3_stmt *st = s->st[ST_FLOW];
	char orig[INET6_ADDRSTRLEN], resp[INET6_ADDRSTRLEN];
	char t_orig[INET6_ADDRSTRLEN], t_resp[INET6_ADDRSTRLEN];
	const struct ip_endpoints *outer = &f->first.tunnel_outer;
	bool tunnelled = f->first.tunnel != TUNNEL_NONE;

	/* every buffer bound below lives until run() has stepped the statement */
	sqlite3_bind_int64(st, 1, store_flow_row(s, f->id));
	sqlite3_bind_int64(st, 2, capture_id);
	sqlite3_bind_double(st, 3, seconds(f->first_ts_ns));
	sqlite3_bind_int64(st, 4, f->first_ts_ns);
	sqlite3_bind_double(st, 5, seconds(f->last_ts_ns - f->first_ts_ns));
	bind_static(st, 6, addr_text(f->key.version, f->key.src, orig));
	sqlite3_bind_int(st, 7, f->key.sport);
	bind_static(st, 8, addr_text(f->key.version, f->key.dst, resp));
	sqlite3_bind_int(st, 9, f->key.dport);
	bind_static(st, 10, flow_proto_name(f->key.proto));
	sqlite3_bind_int(st, 11, f->key.proto);
	bind_static(st, 12, f->conn_state);
	sqlite3_bind_text(st, 13, f->history, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)f->orig.pkts);
	sqlite3_bind_int64(st, 15, (sqlite3_int64)f->orig.payload_bytes);
	sqlite3_bind_int64(st, 16, (sqlite3_int64)f->orig.ip_bytes);
	sqlite3_bind_int64(st, 17, (sqlite3_int64)f->resp.pkts);
	sqlite3_bind_int64(st, 18, (sqlite3_int64)f->resp.payload_bytes);
	sqlite3_bind_int64(st, 19, (sqlite3_int64)f->resp.ip_bytes);
	sqlite3_bind_int64(st, 20, (sqlite3_int64)(f->orig.missed_bytes + f->resp.missed_bytes));
	bind_int_or_null(st, 21, f->first.n_vlans > 0, f->first.vlan);
	bind_int_or_null(st, 22, f->first.n_vlans > 1, f->first.inner_vlan);
	bind_static(st, 23, tunnelled ? tunnel_name(f->first.tunnel) : NULL);
	bind_static(st, 24, tunnelled ? addr_text(outer->version, outer->src, t_orig) : NULL);
	bind_static(st, 25, tunnelled ? addr_text(outer->version, outer->dst, t_resp) : NULL);
	bind_static(st, 26, f->community_id);
	bind_int_or_null(st, 27, f->attrib.process_row != 0, f->attrib.process_row);
	bind_static(st, 28, end_reason_name(f->why));
	sqlite3_bind_int64(st, 29, (sqlite3_int64)f->first.packet_no);
	bind_int_or_null(st, 30, f->attrib.resp_process_row != 0, f->attrib.resp_process_row);
	return run(s, ST_FLOW);
}

int store_socket(struct store *s, int64_t capture_id, const struct sock_record *r,
		 int64_t process_row, uint64_t packets)
{
	sqlite3_stmt *st = s->st[ST_SOCKET];
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
	bool connected = !r->listener && r->rport != 0;

	/* every text bound below lives until run() has stepped the statement */
	sqlite3_bind_int64(st, 1, capture_id);
	bind_int_or_null(st, 2, process_row != 0, process_row);
	sqlite3_bind_int64(st, 3, r->pid);
	bind_int_or_null(st, 4, r->tid != 0, r->tid);
	sqlite3_bind_int(st, 5, r->family);
	sqlite3_bind_int(st, 6, r->ip_proto);
	bind_static(st, 7, flow_proto_name(r->ip_proto));
	bind_static(st, 8, addr_text(r->family, r->laddr, local));
	sqlite3_bind_int(st, 9, r->lport);
	bind_static(st, 10, connected ? addr_text(r->family, r->raddr, remote) : NULL);
	bind_int_or_null(st, 11, connected, r->rport);
	sqlite3_bind_int(st, 12, r->listener);
	bind_int_or_null(st, 13, r->cookie != 0, (int64_t)r->cookie);
	bind_int_or_null(st, 14, r->proc_start_ns != 0, r->proc_start_ns);
	bind_int_or_null(st, 15, r->first_ns != 0, r->first_ns);
	bind_int_or_null(st, 16, r->last_ns != 0, r->last_ns);
	sqlite3_bind_int(st, 17, r->final);
	bind_static(st, 18, sockrec_how_name(r->how));
	sqlite3_bind_int64(st, 19, (sqlite3_int64)packets);
	return run(s, ST_SOCKET);
}

bool store_anomaly_count(struct store *s, const char *name)
{
	s->anomalies_total++;
	for (uint32_t i = 0; i < s->n_anomaly_names; i++) {
		if (s->anomalies[i].name == name || strcmp(s->anomalies[i].name, name) == 0)
			return ++s->anomalies[i].count <= STORE_ANOMALY_ROWS_PER_NAME;
	}
	if (s->n_anomaly_names == MAX_ANOMALY_NAMES)
		return false;
	s->anomalies[s->n_anomaly_names].name = name;
	s->anomalies[s->n_anomaly_names++].count = 1;
	return true;
}

int store_anomaly_row(struct store *s, int64_t capture_id, const char *name, const char *detail,
		      uint64_t flow_id, uint64_t packet, int64_t ts_ns)
{
	sqlite3_stmt *st = s->st[ST_ANOMALY];

	sqlite3_bind_int64(st, 1, capture_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	bind_text(st, 3, detail);
	if (flow_id != 0)
		sqlite3_bind_int64(st, 4, store_flow_row(s, flow_id));
	if (packet != 0)
		sqlite3_bind_int64(st, 5, (sqlite3_int64)packet);
	if (ts_ns != INT64_MIN)
		sqlite3_bind_double(st, 6, seconds(ts_ns));
	return run(s, ST_ANOMALY);
}

static int write_anomaly_counts(struct store *s, int64_t capture_id)
{
	sqlite3_stmt *st = s->st[ST_ANOMALY_COUNT];

	for (uint32_t i = 0; i < s->n_anomaly_names; i++) {
		sqlite3_bind_int64(st, 1, capture_id);
		sqlite3_bind_text(st, 2, s->anomalies[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)s->anomalies[i].count);
		if (run(s, ST_ANOMALY_COUNT) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_end_capture(struct store *s, int64_t capture_id, const struct capture_result *r)
{
	sqlite3_stmt *st = s->st[ST_END_CAPTURE];

	if (write_anomaly_counts(s, capture_id) != STORE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, capture_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->packets);
	if (r->have_ts) {
		sqlite3_bind_double(st, 3, seconds(r->first_ts_ns));
		sqlite3_bind_double(st, 4, seconds(r->last_ts_ns));
		sqlite3_bind_int64(st, 5, r->first_ts_ns);
		sqlite3_bind_int64(st, 6, r->last_ts_ns);
	}
	sqlite3_bind_text(st, 7, r->partial && r->status == CAP_END ? "partial"
						: cap_status_name(r->status), -1, SQLITE_STATIC);
	if (r->status != CAP_END || r->partial) {
		bind_text(st, 8, r->status_detail);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)r->error_offset);
	}
	sqlite3_bind_int64(st, 10, (sqlite3_int64)r->flows);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)r->flows_evicted);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)s->anomalies_total);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)r->attributed_packets);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)r->reattributed_packets);
	sqlite3_bind_int64(st, 15, (sqlite3_int64)r->unattributed_flows);
	if (run(s, ST_END_CAPTURE) != STORE_OK || exec(s, "COMMIT") != STORE_OK)
		goto fail;
	s->in_capture = false;
	s->indexes_dropped |= s->pending_index_drop;
	s->pending_index_drop = false;
	return STORE_OK;
fail:
	store_abort_capture(s);
	return STORE_ERROR;
}

void store_abort_capture(struct store *s)
{
	exec(s, "ROLLBACK");
	s->in_capture = false;
	s->pending_index_drop = false;
}

int store_record_crash(struct store *s, const struct capture_meta *m, uint64_t packets,
		       const char *detail)
{
	s->have_error = false;
	if (exec(s, "BEGIN IMMEDIATE") != STORE_OK)
		return STORE_ERROR;
	if (insert_capture(s, m, "crashed", packets, detail) != STORE_OK ||
	    exec(s, "COMMIT") != STORE_OK) {
		exec(s, "ROLLBACK");
		return STORE_ERROR;
	}
	return STORE_OK;
}

void store_defer_indexes(struct store *s)
{
	s->defer_indexes = true;
}

int store_build_indexes(struct store *s, bool lookup, store_index_progress_fn fn, void *ctx,
			struct store_index_stats *stats)
{
	s->have_error = false;
	return create_indexes(s, lookup, fn, ctx, stats);
}
