/* \summary: applying the embedded schema steps, versioned by PRAGMA user_version */
#include "config.h"

#include <stdio.h>

#include "store/schema.h"

int schema_latest_version(void)
{
	return schema_step_count ? schema_steps[schema_step_count - 1].version : 0;
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int apply_step(sqlite3 *db, const struct schema_step *step, char *err, size_t errlen)
{
	char pragma[64];
	char *msg = NULL;
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, step->sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK) {
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", step->version);
		rc = sqlite3_exec(db, pragma, NULL, NULL, &msg);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "applying schema %s: %s", step->name,
			 msg ? msg : sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_free(msg);
	return rc;
}

int schema_apply(sqlite3 *db, char *err, size_t errlen)
{
	int v, rc = user_version(db, &v);

	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "reading the schema version: %s", sqlite3_errmsg(db));
		return rc;
	}
	if (v > schema_latest_version()) {
		snprintf(err, errlen, "the database has schema version %d, newer than this pidcap (%d): "
			 "use a newer pidcap or another output file", v, schema_latest_version());
		return SQLITE_ERROR;
	}
	for (unsigned i = 0; i < schema_step_count; i++) {
		if (schema_steps[i].version <= v)
			continue;
		rc = apply_step(db, &schema_steps[i], err, errlen);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}
