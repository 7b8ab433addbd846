-- Indexes built by every run: small ones (a partial index over the few
-- attributed flows, and the processes and anomalies tables). `pidcap analyze`
-- drops them when it starts writing and runs this file again when it is done:
-- building an index once by sorting is several times faster than updating it
-- row by row. A run stopped on the way leaves them missing (queries stay
-- correct, only slower) until the next run ends.
--
-- The lookup indexes over every flow row (by address, by Community ID) are
-- in index_lookup.sql: not built by default, see schema/README.md.
CREATE INDEX IF NOT EXISTS flows_process ON flows(process_id) WHERE process_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS processes_capture_pid ON processes(capture_id, pid);
CREATE INDEX IF NOT EXISTS anomalies_capture_name ON anomalies(capture_id, name);
