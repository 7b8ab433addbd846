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

/* The version a fully upgraded database has. */
int schema_latest_version(void);

/*
 * Brings db up to the latest version, applying each missing step in its own
 * transaction together with its user_version. Returns SQLITE_OK, or an error
 * with a message in err; a database newer than this program is refused.
 */
int schema_apply(sqlite3 *db, char *err, size_t errlen);

#endif
