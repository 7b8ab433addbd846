-- Indexes for the obvious questions: who talked to whom, over which
-- protocol, by which process, and what went wrong. `pidcap analyze` drops
-- them when it starts writing and runs this file again when it is done:
-- building an index once by sorting is several times faster than updating it
-- row by row. A run stopped on the way leaves them missing (queries stay
-- correct, only slower) until the next run ends.
CREATE INDEX IF NOT EXISTS flows_orig ON flows(orig_h);
CREATE INDEX IF NOT EXISTS flows_resp ON flows(resp_h);
CREATE INDEX IF NOT EXISTS flows_community_id ON flows(community_id);
CREATE INDEX IF NOT EXISTS flows_process ON flows(process_id) WHERE process_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS processes_capture_pid ON processes(capture_id, pid);
CREATE INDEX IF NOT EXISTS anomalies_capture_name ON anomalies(capture_id, name);
