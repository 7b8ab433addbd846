-- pidcap database, schema version 5: per-database settings that later runs
-- follow. Applied by `pidcap analyze` (src/store/schema.c) in one transaction
-- with PRAGMA user_version = 5.

-- name -> value. Known names:
--   lookup_indexes  '1': the lookup indexes of index_lookup.sql are wanted
--                   (set by `pidcap index` and `pidcap analyze --index`);
--                   every run rebuilds them at its end.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Databases made before version 5 had the lookup indexes built by default:
-- they keep them.
INSERT INTO settings (name, value)
	SELECT 'lookup_indexes', '1' FROM sqlite_master
	WHERE type = 'index' AND name = 'flows_community_id';
