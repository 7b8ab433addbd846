/* \summary: SQLite (WAL, a writer thread, a large CREATE INDEX) under the ANALYZE sandbox */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../tap.h"
#include "child.h"
#include "sandbox/sandbox.h"
#include "store/store.h"

/*
 * The child confines itself like `pidcap analyze` will (output directory
 * only, ANALYZE profile), then writes 200k rows from a second thread and
 * builds an index over them (a sort bigger than SQLite's cache, which would
 * spill to a temporary file outside the directory without temp_store=MEMORY).
 * The parent, unconfined, checks the result independently; a second child
 * shows the sandbox was in force by failing to create a database elsewhere.
 */

#define N_ROWS 200000
#define DB_NAME "t.db"

struct ctx {
	char dir[64];     /* the only writable directory */
	char other[64];   /* a directory the sandbox must keep closed */
	int dir_fd;
	char path[128];
	sqlite3 *db;
	int thread_rc;
};

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sql, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

static void *insert_rows(void *arg)
{
	struct ctx *c = arg;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = exec_sql(c->db, "BEGIN");
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c->db, "INSERT INTO t(k, v) VALUES (?1, ?2)", -1, &st, NULL);
	for (int i = 0; rc == SQLITE_OK && i < N_ROWS; i++) {
		/* keys in a scrambled order so the index build really sorts */
		sqlite3_bind_int64(st, 1, (sqlite3_int64)((unsigned)i * 2654435761u));
		sqlite3_bind_text(st, 2, "some payload to make the rows wider than a key", -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = exec_sql(c->db, "COMMIT");
	c->thread_rc = rc;
	return NULL;
}

static int apply(struct ctx *c, struct sandbox_report *r)
{
	struct sandbox_policy p = {
		.profile = SANDBOX_PROFILE_ANALYZE, .mode = SANDBOX_BEST_EFFORT,
		.write_dir_fd = c->dir_fd, .preinit = store_sandbox_preinit,
	};
	char err[256];

	if (sandbox_apply(&p, r, err, sizeof(err)) != 0) {
		printf("# sandbox_apply: %s\n", err);
		return -1;
	}
	printf("# sandbox: %s\n", r->summary);
	return 0;
}

/* Exit codes: 0 ok, 10 sandbox, 11 not fully in force, 12 open, 13 schema,
 * 14 thread, 15 inserts, 16 index, 17 close. */
static int sqlite_child(void *arg)
{
	struct ctx *c = arg;
	struct sandbox_report r;
	pthread_t t;

	if (apply(c, &r) != 0)
		return 10;
	if (!r.landlock_fs || !r.seccomp)
		return 11;
	if (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		printf("# open: %s\n", sqlite3_errmsg(c->db));
		return 12;
	}
	/* cache_size small: the index build must sort through temp storage */
	if (exec_sql(c->db, "PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-2000;"
		     "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT)") != SQLITE_OK)
		return 13;
	if (pthread_create(&t, NULL, insert_rows, c) != 0) {
		printf("# pthread_create: %s\n", strerror(errno));
		return 14;
	}
	pthread_join(t, NULL);
	if (c->thread_rc != SQLITE_OK)
		return 15;
	if (exec_sql(c->db, "CREATE INDEX t_k ON t(k, v)") != SQLITE_OK)
		return 16;
	return sqlite3_close(c->db) == SQLITE_OK ? 0 : 17;
}

/* Exit 0 when a database outside the output directory could NOT be made. */
static int outside_child(void *arg)
{
	struct ctx *c = arg;
	struct sandbox_report r;
	char path[128];
	sqlite3 *db = NULL;
	int rc;

	if (apply(c, &r) != 0)
		return 10;
	if (!r.landlock_fs)
		return 11;
	snprintf(path, sizeof(path), "%s/x.db", c->other);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "CREATE TABLE x(a)", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 1 : 0;
}

static long long query_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static bool exists_in(const char *dir, const char *name)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void cleanup(struct ctx *c)
{
	static const char *const names[] = { DB_NAME, DB_NAME "-wal", DB_NAME "-shm", DB_NAME "-journal" };
	char path[160];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", c->dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/x.db", c->other);
	unlink(path);
	rmdir(c->dir);
	rmdir(c->other);
}

int main(void)
{
	struct ctx c = { .dir = "/tmp/pidcap-sqlite-sandbox.XXXXXX", .other = "/tmp/pidcap-sqlite-other.XXXXXX" };
	struct child_end e;

	if (mkdtemp(c.dir) == NULL || mkdtemp(c.other) == NULL ||
	    (c.dir_fd = open(c.dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		printf("Bail out! temporary directories: %s\n", strerror(errno));
		return 1;
	}
	snprintf(c.path, sizeof(c.path), "%s/%s", c.dir, DB_NAME);
	/* the test needs Landlock and seccomp to mean anything */
	e = child_run(outside_child, &c);
	if (child_exited(e, 11)) {
		printf("1..0 # SKIP Landlock is not available here\n");
		cleanup(&c);
		return 0;
	}
	tap_ok(child_exited(e, 0), "sandboxed: a database outside the output directory cannot be made");
	tap_ok(!exists_in(c.other, "x.db"), "... and no file appeared there");
	e = child_run(sqlite_child, &c);
	tap_ok(child_exited(e, 0), "sandboxed: WAL database, %d rows from a thread, CREATE INDEX", N_ROWS);
	tap_ok(exists_in(c.dir, DB_NAME) && !exists_in(c.dir, DB_NAME "-wal") &&
	       !exists_in(c.dir, DB_NAME "-shm"),
	       "the database is there; -wal and -shm were removed at close (unlink allowed)");
	TAP_EQ_I(query_int(c.path, "SELECT count(*) FROM t"), N_ROWS, "all rows are in the database");
	TAP_EQ_I(query_int(c.path, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='t_k'"),
		 1, "the index exists");
	TAP_EQ_I(query_int(c.path, "SELECT count(*) FROM t INDEXED BY t_k WHERE k >= 0"), N_ROWS,
		 "the index covers every row");
	TAP_EQ_I(query_int(c.path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"),
		 1, "integrity_check says ok");
	cleanup(&c);
	return tap_done();
}
