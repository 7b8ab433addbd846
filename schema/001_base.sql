-- pidcap database, schema version 1: captures, interfaces, flows, processes, anomalies.
-- Applied by `pidcap analyze` (src/store/schema.c) inside one transaction that
-- also sets PRAGMA user_version = 1. Times are seconds since 1970 (REAL, as
-- Zeek's SQLite writer stores them) plus exact integer nanoseconds (_ns).

-- One row per analysed input file. A file whose SHA-256 is already here is
-- not analysed again.
CREATE TABLE captures (
	id              INTEGER PRIMARY KEY,
	sha256          TEXT NOT NULL UNIQUE,    -- of the file as stored (compressed if gzip)
	path            TEXT NOT NULL,           -- as given on the command line
	format          TEXT NOT NULL,           -- 'pcap' or 'pcapng'
	gzip            INTEGER NOT NULL,        -- 1 if gzip-compressed
	size_bytes      INTEGER NOT NULL,
	packets         INTEGER NOT NULL,
	first_time      REAL,                    -- earliest packet
	last_time       REAL,                    -- latest packet
	first_time_ns   INTEGER,
	last_time_ns    INTEGER,
	status          TEXT NOT NULL,           -- 'complete', 'truncated', 'corrupt', 'read error'
	status_detail   TEXT,                    -- the reader's message when not complete
	error_offset    INTEGER,                 -- byte offset of the damage
	flows           INTEGER NOT NULL DEFAULT 0,
	flows_evicted   INTEGER NOT NULL DEFAULT 0,  -- flows pushed out by the memory cap
	anomalies       INTEGER NOT NULL DEFAULT 0,
	pidcap_version  TEXT NOT NULL,
	analyzed_at     TEXT NOT NULL            -- UTC, ISO 8601
);

-- Interfaces as the file declares them (pcapng IDBs; one for classic pcap).
CREATE TABLE interfaces (
	capture_id      INTEGER NOT NULL REFERENCES captures(id),
	id              INTEGER NOT NULL,        -- 0-based over the whole file
	section         INTEGER NOT NULL,
	linktype        INTEGER NOT NULL,
	linktype_name   TEXT,
	snaplen         INTEGER NOT NULL,
	tsresol         INTEGER NOT NULL,        -- raw if_tsresol byte
	name            TEXT,
	description     TEXT,
	filter          TEXT,
	os              TEXT,
	packets         INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (capture_id, id)
);

-- Processes described by the file: Wireshark's process records (Custom Block,
-- PEN 32622, entry type 3), Apple's process blocks (0x80000001), or only a pid
-- seen in epb_processid_threadid (option 8) or a PKTAP header.
CREATE TABLE processes (
	id              INTEGER PRIMARY KEY,
	capture_id      INTEGER NOT NULL REFERENCES captures(id),
	source          TEXT NOT NULL,           -- 'pcapng-process-block', 'darwin-process-block', 'epb-pid', 'pktap'
	pid             INTEGER NOT NULL,
	name            TEXT,
	path            TEXT,
	cmdline         TEXT,                    -- arguments joined by spaces (display)
	argv            BLOB,                    -- arguments as recorded, NUL-separated
	ppid            INTEGER,
	uid             INTEGER,
	user            TEXT,
	start_time_ns   INTEGER,
	uuid            TEXT,
	packets         INTEGER NOT NULL DEFAULT 0,  -- packets attributed to it
	flows           INTEGER NOT NULL DEFAULT 0   -- flows attributed to it
);

-- Connections with Zeek's conn.log semantics (originator = SYN sender, else
-- first packet; conn_state and history as Zeek writes them).
CREATE TABLE flows (
	id              INTEGER PRIMARY KEY,
	capture_id      INTEGER NOT NULL REFERENCES captures(id),
	ts              REAL NOT NULL,           -- first packet
	ts_ns           INTEGER NOT NULL,
	duration        REAL NOT NULL,
	orig_h          TEXT NOT NULL,
	orig_p          INTEGER NOT NULL,        -- ICMP: type
	resp_h          TEXT NOT NULL,
	resp_p          INTEGER NOT NULL,        -- ICMP: code
	proto           TEXT NOT NULL,           -- 'tcp', 'udp', 'icmp', 'sctp', 'unknown_transport'
	ip_proto        INTEGER NOT NULL,
	service         TEXT,                    -- filled by the protocol analyzers
	conn_state      TEXT NOT NULL,
	history         TEXT NOT NULL,
	orig_pkts       INTEGER NOT NULL,
	orig_bytes      INTEGER NOT NULL,        -- payload bytes
	orig_ip_bytes   INTEGER NOT NULL,
	resp_pkts       INTEGER NOT NULL,
	resp_bytes      INTEGER NOT NULL,
	resp_ip_bytes   INTEGER NOT NULL,
	missed_bytes    INTEGER NOT NULL,
	vlan            INTEGER,
	inner_vlan      INTEGER,
	tunnel          TEXT,                    -- 'ip', 'gre', 'vxlan', 'teredo'
	tunnel_orig_h   TEXT,
	tunnel_resp_h   TEXT,
	community_id    TEXT NOT NULL,
	process_id      INTEGER REFERENCES processes(id),
	end_reason      TEXT NOT NULL,           -- 'closed', 'timeout', 'reused', 'evicted', 'end'
	first_packet    INTEGER NOT NULL         -- packet number in its capture
);

-- Malformed or surprising input, like Zeek's weird.log. At most a fixed number
-- of rows per name and capture are kept; anomaly_counts has every count.
CREATE TABLE anomalies (
	id              INTEGER PRIMARY KEY,
	capture_id      INTEGER NOT NULL REFERENCES captures(id),
	name            TEXT NOT NULL,
	detail          TEXT,
	flow_id         INTEGER REFERENCES flows(id),
	packet          INTEGER,                 -- packet number in its capture
	ts              REAL
);

CREATE TABLE anomaly_counts (
	capture_id      INTEGER NOT NULL REFERENCES captures(id),
	name            TEXT NOT NULL,
	count           INTEGER NOT NULL,
	PRIMARY KEY (capture_id, name)
);
