/* \summary: bidirectional flows with Zeek's conn.log semantics */
#ifndef PIDCAP_FLOW_H
#define PIDCAP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/community_id.h"

/*
 * A flow is one connection in Zeek's sense: keyed on the 5-tuple of the
 * innermost IP packet (VLAN ids are recorded, not keyed), originator = the
 * SYN sender, else the sender of the first packet (with Zeek's port-based
 * flip for partial connections, marked '^' in the history). The table
 * expires idle flows with Zeek's default timeouts, removes closed TCP
 * connections and unanswered attempts as Zeek's TCP timers do, and evicts
 * the least recently used flow when its memory cap is reached; every flow
 * leaves the table exactly once, through the export callback.
 *
 * Time is the packets' and never goes back, as Zeek's network time; a jump
 * back by more than the longest inactivity timeout starts over (another
 * capture): every flow held then ends with FLOW_END_TIMEOUT.
 *
 * Like Zeek, protocols other than TCP, UDP, SCTP and ICMP are keyed on
 * addresses only (ports 0); SCTP keeps its ports (Zeek parses no SCTP and
 * keys it on addresses; the Community ID spec and tshark use the ports), and ICMP on (type, counterpart type) for request/reply
 * pairs, else (type, code) in one direction only; UDP flows to DNS ports
 * end after 9-19 s of silence as Zeek's DNS analyzer makes them. Unlike
 * Zeek run without -C, checksums are not verified (no 'c' letter): every
 * packet counts.
 *
 * Flows are private to src/flow (flow_int.h). Consumers see, per packet,
 * the flow's stable id, the direction, whether the packet created it and
 * its protocol (struct flow_pkt), and when it ends its record (struct
 * flow_record). Per-flow state of later layers lives in their side tables
 * keyed by the flow id, except attribution's slot (struct flow_attrib).
 */

#define FLOW_HISTORY_BYTES 32   /* Zeek caps nothing; letters past this are dropped */

enum flow_end_reason {
	FLOW_END_TIMEOUT = 1,     /* idle longer than its protocol's timeout */
	FLOW_END_EVICTED,         /* the table was full: least recently used went */
	FLOW_END_FLUSH,           /* end of input */
	FLOW_END_CLOSED,          /* TCP: closed or reset (Zeek tcp_close_delay), or an
				   * unanswered SYN (tcp_attempt_delay) */
	FLOW_END_REUSED,          /* TCP: a new SYN on the same 5-tuple started a new flow */
};

/*
 * The attribution layer's slot in a flow (src/attrib): zeroed when the flow
 * is created, never read or written by the table, copied into the flow's
 * record when it ends. It lives inside the flow, reached through the
 * per-packet answer (struct flow_pkt.attrib), because the per-packet path
 * is hot: a side table keyed by flow id costs a hash probe per attributed
 * packet and a removal per flow, measured at +3.5 ns a packet with 2,000
 * flows held (the benchmark's peak) and +100 ns with 500,000 (a cache miss
 * each: +0.2 s for 1.95 M packets); the slot costs 32 bytes of the flow.
 * Later layers (reassembly, DPI), whose state most flows never need, keep
 * theirs in side tables keyed by the flow id.
 */
struct flow_attrib {
	int64_t process_row;       /* store row of the process owning the flow, 0 = unknown:
				    * the originator's when it is local, else the responder's */
	int64_t resp_process_row;  /* the responder's process when it is local (both ends
				    * are, on loopback or between namespaces), 0 = unknown */
	uint64_t attributed_pkts;  /* packets of the flow with a process attributed */
	bool process_from_resp;    /* process_row is the responder's (none for the originator yet) */
};

/* One direction of a finished flow. */
struct flow_counts {
	uint64_t pkts;
	uint64_t ip_bytes;        /* sum of IP total lengths (Zeek *_ip_bytes) */
	uint64_t frame_bytes;     /* sum of frame lengths on the wire (tshark conv bytes) */
	uint64_t payload_bytes;   /* TCP: from sequence numbers, as Zeek; UDP/ICMP: payload lengths */
	uint64_t missed_bytes;    /* TCP content gaps (Zeek missed_bytes) */
};

/* What the flow's first packet said: set when the flow is created. */
struct flow_first {
	uint16_t vlan, inner_vlan;
	uint8_t n_vlans;
	enum decode_tunnel tunnel;
	struct ip_endpoints tunnel_outer;   /* the outermost packet, when tunnelled */
	uint64_t packet_no;        /* packet number in its capture */
	uint32_t capture_id;       /* which input file opened it */
};

/*
 * What a flow leaves behind when it ends: the exported value, filled by the
 * table (flows themselves are private to src/flow). Plain data: it may be
 * copied and kept after the call that produced it.
 */
struct flow_record {
	uint64_t id;               /* the flow's id: unique in the run, in creation order */
	struct ip_endpoints key;   /* src = originator; ICMP dport = counterpart type or code */
	int64_t first_ts_ns;       /* Zeek ts */
	int64_t last_ts_ns;        /* Zeek's last time: first_ts + duration (trailing TCP
				    * packets after both sides closed do not move it) */
	struct flow_counts orig, resp;
	char history[FLOW_HISTORY_BYTES];  /* NUL-terminated, "" when none */
	const char *conn_state;    /* Zeek's conn_state ("S0", "SF", "REJ", ... "OTH"), static */
	bool flipped;              /* Zeek's '^': roles swapped by a heuristic */
	struct flow_first first;
	char community_id[COMMUNITY_ID_BYTES];   /* Community ID v1, seed 0, of the key */
	enum flow_end_reason why;
	struct flow_attrib attrib; /* the attribution layer's results */
};

/*
 * Called once for every flow that leaves the table, with its record (see
 * flow_table_set_record_slot for where the record is built). It must not
 * call back into the table.
 */
typedef void (*flow_export_fn)(void *ctx, const struct flow_record *r);

/*
 * Where the table builds the next record: a buffer of the consumer (e.g. a
 * slot of a writer's batch, so the record is written once and never
 * copied), valid until the export callback that follows returns. The
 * record, Community ID included, is built on the thread that feeds the
 * table.
 */
typedef struct flow_record *(*flow_record_slot_fn)(void *ctx);

/*
 * The answer for one packet (flow_table_packet), for the layers above the
 * table: attribution now, per-flow DPI state (kept in side tables keyed by
 * flow_id) later.
 */
struct flow_pkt {
	uint64_t flow_id;          /* 0: the packet has no flow (the fields below are unset) */
	bool is_orig;              /* sent by the originator (after any role flip) */
	bool is_new;               /* this packet created the flow */
	uint8_t proto;             /* the flow's IP protocol (key.proto) */
	struct flow_attrib *attrib;   /* the flow's attribution slot, valid until the next call */
};

struct flow_config {
	uint32_t max_flows;             /* memory cap: flows held at once */
	int64_t tcp_inactivity_ns;      /* Zeek tcp_inactivity_timeout, 5 min */
	int64_t udp_inactivity_ns;      /* udp_inactivity_timeout, 1 min (also TCP in handshake) */
	int64_t icmp_inactivity_ns;     /* icmp_inactivity_timeout, 1 min */
	int64_t other_inactivity_ns;    /* unknown_ip_inactivity_timeout, 1 min */
	int64_t tcp_attempt_ns;         /* tcp_attempt_delay, 5 s: SYN with no reply */
	int64_t tcp_close_ns;           /* tcp_close_delay / tcp_reset_delay, 5 s */
	int64_t dns_session_ns;         /* dns_session_timeout, 10 s: UDP flows to DNS ports */
};

/* Zeek's defaults and a cap of 1,000,000 flows. */
void flow_config_default(struct flow_config *cfg);

struct flow_table;

/*
 * Creates a table with its own copy of cfg (max_flows 0 is taken as 1).
 * fn is called once for every flow that leaves the table (NULL: none is
 * reported). Returns NULL on out of memory.
 */
struct flow_table *flow_table_new(const struct flow_config *cfg, flow_export_fn fn, void *ctx);

/* Records are built in the buffer slot(ctx) answers from now on (NULL, the
 * default: in the table's own buffer). */
void flow_table_set_record_slot(struct flow_table *t, flow_record_slot_fn slot, void *ctx);

/* Flows created from now on record this capture id (default 0). */
void flow_table_set_capture_id(struct flow_table *t, uint32_t capture_id);

/*
 * Accounts one decoded IP packet (d->ip.version != 0, not a bare fragment)
 * seen at ts_ns, whose frame was wire_len bytes long, creating its flow if
 * needed, and describes its flow in *out. Expires flows idle past their
 * timeout first. Returns false (out->flow_id 0) when the packet cannot be
 * keyed (no IP, a fragment, or a TCP, UDP or ICMP header cut short, which
 * Zeek ignores as well) or no flow could be allocated (counted in
 * flow_stats.lost_pkts: see Memory below).
 */
bool flow_table_packet(struct flow_table *t, const struct decoded *d, int64_t ts_ns,
		       uint64_t packet_no, uint32_t wire_len, struct flow_pkt *out);

/* Exports every flow still held (FLOW_END_FLUSH) and empties the table. */
void flow_table_flush(struct flow_table *t);

/* Frees the table without exporting what it holds. NULL is accepted. */
void flow_table_free(struct flow_table *t);

struct flow_stats {
	uint64_t created, expired, evicted, flushed, closed, reused;
	uint64_t alloc_failed;     /* allocations refused (flow slabs, bucket arrays), each one,
				    * also those the table recovered from */
	uint64_t lost_pkts;        /* keyable packets left without a flow: no memory for one */
	uint32_t held, peak_held;
};

/* The counters so far (every flow created leaves through exactly one of
 * expired..reused, or is still held). */
void flow_table_get_stats(const struct flow_table *t, struct flow_stats *out);

/*
 * Memory. When an allocation fails, the table caps itself at the flows it
 * could allocate (evicting the least recently used, as at max_flows), and
 * counts the failure (flow_stats.alloc_failed); a packet that gets no flow
 * at all (nothing held to evict) counts in flow_stats.lost_pkts. The first
 * failure is also reported once through the anomaly callback, named
 * FLOW_ANOMALY_OUT_OF_MEMORY: the caller records it and marks the capture's
 * analysis partial (status 'partial', exit 1), since flows ended early or
 * packets went unaccounted.
 */
#define FLOW_ANOMALY_OUT_OF_MEMORY "out_of_memory"

/* Called on the table's thread; it must not call back into the table. */
typedef void (*flow_anomaly_fn)(void *ctx, const char *name);

/* Anomalies go to fn(ctx, name) from now on (NULL: none is reported). */
void flow_table_set_anomaly(struct flow_table *t, flow_anomaly_fn fn, void *ctx);

#ifdef PIDCAP_TEST_HOOKS
/* Test hook: n more allocations of flow tables succeed, then every one is
 * refused (UINT64_MAX, the default: none is). */
void flow_table_test_fail_allocs_after(uint64_t n);
#endif

/* Zeek's service-independent "proto" column: "tcp", "udp", "icmp", "sctp" (Zeek: unknown_transport)
 * or "unknown_transport". */
const char *flow_proto_name(uint8_t ip_proto);

/* Zeek's duration (last_ts - first_ts), in ns. */
int64_t flow_duration_ns(const struct flow_record *r);

/*
 * True when Zeek's default scripts register port as a server port of
 * proto (likely_server_ports): the flip heuristic's table, see flow.c.
 */
bool flow_likely_server_port(uint8_t ip_proto, uint16_t port);

#endif
