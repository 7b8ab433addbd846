-- pidcap database, schema version 3: how processes were attributed, the
-- sockets pidcap's recorder described, and attribution totals per capture.
-- Applied by `pidcap analyze` (src/store/schema.c) in one transaction with
-- PRAGMA user_version = 3. (No index here: every file named *index* is
-- rebuilt after each run, this one is not.)

-- pidcap's extras of a process record (custom string options under pidcap's
-- PEN in the PEN 32622 entry); NULL when the record has none.
ALTER TABLE processes ADD COLUMN attribution TEXT;   -- 'ebpf', 'snapshot', 'procfs'
ALTER TABLE processes ADD COLUMN cgroup TEXT;        -- cgroup v2 path
ALTER TABLE processes ADD COLUMN container TEXT;     -- container id or name

-- When both ends of a flow are local processes (loopback, or a veth pair
-- between namespaces), each packet belongs to its sender: process_id is then
-- the originator's process and resp_process_id the responder's.
ALTER TABLE flows ADD COLUMN resp_process_id INTEGER REFERENCES processes(id);

-- Packets with a process (option 8, Apple or PKTAP process, or a socket
-- record); of them, those attributed through socket records only (their
-- option 8 missing, e.g. dropped by editcap); flows no process owns.
ALTER TABLE captures ADD COLUMN attributed_packets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN reattributed_packets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE captures ADD COLUMN unattributed_flows INTEGER NOT NULL DEFAULT 0;

-- Sockets described by pidcap's socket records (Custom Block under pidcap's
-- PEN, magic "PCSK"), one row per socket: a later record of the same socket
-- (same cookie and pid) only updates last_time_ns and final.
CREATE TABLE sockets (
	id              INTEGER PRIMARY KEY,
	capture_id      INTEGER NOT NULL REFERENCES captures(id),
	process_id      INTEGER REFERENCES processes(id),  -- by pid and process start time
	pid             INTEGER NOT NULL,
	tid             INTEGER,
	family          INTEGER NOT NULL,        -- 4 or 6
	ip_proto        INTEGER NOT NULL,
	proto           TEXT NOT NULL,           -- 'tcp', 'udp', ... as in flows.proto
	local_h         TEXT NOT NULL,
	local_p         INTEGER NOT NULL,
	remote_h        TEXT,                    -- NULL for listeners and unconnected sockets
	remote_p        INTEGER,
	listener        INTEGER NOT NULL,        -- 1 for a listening socket
	cookie          INTEGER,                 -- kernel socket cookie (as signed 64-bit), NULL if unknown
	proc_start_ns   INTEGER,                 -- start time of the owning process
	first_time_ns   INTEGER,                 -- NULL if unknown
	last_time_ns    INTEGER,                 -- NULL if unknown (still open when recording ended)
	final           INTEGER NOT NULL,        -- 1 when last_time_ns is final (socket closed)
	how             TEXT,                    -- 'ebpf', 'snapshot', 'procfs'
	packets         INTEGER NOT NULL DEFAULT 0  -- packets attributed through this record
);
