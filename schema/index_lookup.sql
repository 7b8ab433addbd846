-- Lookup indexes over every flow row: by originator and responder address
-- and by Community ID. They make "which flows touched 10.0.0.5" or "the flow
-- with this Community ID" an index search instead of a scan, and cost about
-- as much as the rest of a run to build (1.5 s CPU for 715 k flows), so
-- `pidcap analyze` leaves them out unless asked: `pidcap index DB` or
-- `pidcap analyze --index` build them, and from then on every run on that
-- database rebuilds them at its end (settings.lookup_indexes = '1').
-- Not a schema step: no user_version of its own. One statement per index,
-- each built in its own transaction, so an interrupted build keeps what it
-- finished.
CREATE INDEX IF NOT EXISTS flows_orig ON flows(orig_h);
CREATE INDEX IF NOT EXISTS flows_resp ON flows(resp_h);
CREATE INDEX IF NOT EXISTS flows_community_id ON flows(community_id);
