/* \summary: the database schema, embedded from the schema/NNN_name.sql files at build time */
#ifndef PIDCAP_SCHEMA_H
#define PIDCAP_SCHEMA_H

#include <stddef.h>
#include <sqlite3.h>

/* One schema file: applying it moves PRAGMA user_version to version. */
struct schema_step {
	int version;
	const char *name;
	const char *sql;
};

extern const struct schema_step schema_steps[];
extern const unsigned schema_step_count;

/* schema/index_lookup.sql: the lookup indexes over every flow row, built on
 * demand (store_build_indexes), one CREATE INDEX IF NOT EXISTS per statement. */
extern const char schema_index_lookup_sql[];

/* PRAGMA application_id of pidcap's databases: "pdcp" in ASCII. */
#define SCHEMA_APPLICATION_ID 0x70646370

/* The version a fully upgraded database has. */
int schema_latest_version(void);

/*
 * Says, without changing anything, whether db may be used: an empty (new)
 * database, one of pidcap's (its application_id, or from before pidcap set
 * one: its tables and a user_version), at this program's schema version or
 * older. Returns SQLITE_OK, or SQLITE_NOTADB (not SQLite, another program's
 * database, a database with tables of its own) or SQLITE_ERROR (a newer
 * schema) with a message in err. Call before any PRAGMA that writes.
 */
int schema_check(sqlite3 *db, char *err, size_t errlen);

/*
 * Brings db up to the latest version: in one BEGIN IMMEDIATE transaction
 * that reads user_version inside it, applies every missing step, then sets
 * user_version (never lowered) and application_id. Concurrent callers on one
 * new database wait for each other (the connection's busy timeout) and each
 * step is applied once. Returns SQLITE_OK, or an error with a message in err.
 */
int schema_apply(sqlite3 *db, char *err, size_t errlen);

#endif
