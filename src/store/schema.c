/* \summary: recognising pidcap's databases and applying the embedded schema steps */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include "store/schema.h"

int schema_latest_version(void)
{
	return schema_step_count ? schema_steps[schema_step_count - 1].version : 0;
}

/* One integer from a query (a PRAGMA, a count). */
static int query_int(sqlite3 *db, const char *sql, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int schema_check(sqlite3 *db, char *err, size_t errlen)
{
	/* one statement, so one snapshot: another process may be creating the
	 * schema right now, and its tables and user_version come together */
	static const char *const sql =
		"SELECT (SELECT application_id FROM pragma_application_id), "
		"(SELECT user_version FROM pragma_user_version), "
		"(SELECT count(*) FROM sqlite_master), "
		"(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
		"name IN ('captures', 'flows', 'processes'))";
	sqlite3_stmt *st;
	int app, version, objects, ours, rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : sqlite3_errcode(db);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "not a SQLite database (%s); left untouched: give -o a new file name",
			 sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return SQLITE_NOTADB;
	}
	app = sqlite3_column_int(st, 0);
	version = sqlite3_column_int(st, 1);
	objects = sqlite3_column_int(st, 2);
	ours = sqlite3_column_int(st, 3);
	sqlite3_finalize(st);
	if (app != SCHEMA_APPLICATION_ID && app != 0) {
		snprintf(err, errlen, "a SQLite database of another program (application_id 0x%08x); "
			 "left untouched: give -o a new file name", (unsigned)app);
		return SQLITE_NOTADB;
	}
	/* pidcap's own databases from before application_id have its tables */
	if (app == 0 && objects > 0 && (ours != 3 || version < 1)) {
		snprintf(err, errlen, "not a pidcap database (it has tables of its own); left untouched: "
			 "give -o a new file name");
		return SQLITE_NOTADB;
	}
	if (version > schema_latest_version()) {
		snprintf(err, errlen, "the database has schema version %d, newer than this pidcap (%d): "
			 "use a newer pidcap or another output file", version, schema_latest_version());
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

/* Applies every step above the version read inside the transaction, so two
 * processes creating one database at once apply each step once: the second
 * waits for the first's lock, then finds nothing left to do. */
static int apply_locked(sqlite3 *db, char *err, size_t errlen)
{
	char pragma[96];
	char *msg = NULL;
	const char *what = "reading the schema version";
	int v = 0, rc = query_int(db, "PRAGMA user_version", &v);

	if (rc == SQLITE_OK && v > schema_latest_version()) {
		snprintf(err, errlen, "the database has schema version %d, newer than this pidcap (%d)",
			 v, schema_latest_version());
		return SQLITE_ERROR;
	}
	for (unsigned i = 0; rc == SQLITE_OK && i < schema_step_count; i++) {
		if (schema_steps[i].version <= v)
			continue;
		what = schema_steps[i].name;
		rc = sqlite3_exec(db, schema_steps[i].sql, NULL, NULL, &msg);
	}
	if (rc == SQLITE_OK) {
		what = "setting the schema version";
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d; PRAGMA application_id = %d",
			 v > schema_latest_version() ? v : schema_latest_version(),
			 SCHEMA_APPLICATION_ID);
		rc = sqlite3_exec(db, pragma, NULL, NULL, &msg);
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "applying schema %s: %s", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return rc;
}

int schema_apply(sqlite3 *db, char *err, size_t errlen)
{
	int v = 0, app = 0, rc;

	/* nothing to do, and no write lock taken, on an up-to-date database */
	if (query_int(db, "PRAGMA user_version", &v) == SQLITE_OK &&
	    query_int(db, "PRAGMA application_id", &app) == SQLITE_OK &&
	    v == schema_latest_version() && app == SCHEMA_APPLICATION_ID)
		return SQLITE_OK;
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "locking the database to set up its schema: %s",
			 sqlite3_errmsg(db));
		return rc;
	}
	rc = apply_locked(db, err, errlen);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
