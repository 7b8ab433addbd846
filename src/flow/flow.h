/* \summary: bidirectional flows with Zeek's conn.log semantics */
#ifndef PIDCAP_FLOW_H
#define PIDCAP_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"

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
 * Like Zeek, protocols other than TCP, UDP and ICMP are keyed on addresses
 * only (ports 0), and ICMP on (type, counterpart type) for request/reply
 * pairs, else (type, code) in one direction only; UDP flows to DNS ports
 * end after 9-19 s of silence as Zeek's DNS analyzer makes them. Unlike
 * Zeek run without -C, checksums are not verified (no 'c' letter): every
 * packet counts.
 */

#define FLOW_HISTORY_BYTES 32   /* Zeek caps nothing; letters past this are dropped */

/* Zeek's TCP endpoint states (TCP_ENDPOINT_*), in Zeek's order. */
enum flow_tcp_state {
	FLOW_TCP_INACTIVE = 0,    /* nothing seen from this side */
	FLOW_TCP_SYN_SENT,        /* SYN seen, no ack */
	FLOW_TCP_SYN_ACK_SENT,    /* SYN-ACK seen, no initial SYN */
	FLOW_TCP_PARTIAL,         /* data seen, no SYN */
	FLOW_TCP_ESTABLISHED,
	FLOW_TCP_CLOSED,          /* FIN seen */
	FLOW_TCP_RESET,           /* RST seen */
};

/* Private (flow/tcp_state.c): one TCP endpoint as Zeek's TCP_Endpoint tracks it. */
struct flow_tcp_end {
	uint32_t start_seq, last_seq, ack_seq;  /* ack_seq: how far the peer acked us */
	uint32_t seq_wraps, ack_wraps;
	uint32_t fin_cnt;
	uint64_t fin_seq;                 /* relative sequence just past the FIN */
	uint64_t reassem_seq, trim_seq;   /* relative: delivered up to, acked up to */
	uint64_t ooo_lo, ooo_hi;          /* one block of data above a hole */
	uint32_t hist_last_syn, hist_last_fin, hist_last_rst;
	uint32_t rxmit_cnt, win0_cnt, gap_cnt;  /* scaled history counters */
	uint8_t rxmit_exp, win0_exp, gap_exp;   /* next letter at 10^exp events */
	uint8_t state, prev_state;        /* enum flow_tcp_state */
	bool did_close;
};

/* One direction of a flow. */
struct flow_dir {
	uint64_t pkts;
	uint64_t ip_bytes;        /* sum of IP total lengths (Zeek *_ip_bytes) */
	uint64_t frame_bytes;     /* sum of frame lengths on the wire (tshark conv bytes) */
	uint64_t payload_bytes;   /* TCP: from sequence numbers, as Zeek; UDP/ICMP: payload lengths */
	uint64_t missed_bytes;    /* TCP content gaps (Zeek missed_bytes) */
	struct flow_tcp_end tcp;  /* private */
};

struct flow {
	uint64_t id;              /* unique in the run, in creation order */
	struct ip_endpoints key;  /* src = originator; ICMP dport = counterpart type or code */
	uint32_t hash;            /* private: next to the key, one cache line for lookups */
	struct flow *hash_next;   /* private */
	int64_t first_ts_ns;      /* Zeek ts */
	int64_t last_ts_ns;       /* Zeek's last time: first_ts + duration (trailing TCP
				   * packets after both sides closed do not move it) */
	struct flow_dir orig, resp;
	char history[FLOW_HISTORY_BYTES];
	uint8_t history_len;
	uint16_t vlan, inner_vlan;
	uint8_t n_vlans;
	enum decode_tunnel tunnel;
	struct ip_endpoints tunnel_outer;
	uint64_t first_packet_no;  /* packet number in its capture */
	uint32_t capture_id;       /* which input file opened it */
	bool flipped;              /* Zeek's '^': roles swapped by a heuristic */
	/* The caller's: zero when the flow is created, never touched by the table. */
	int64_t process_row;       /* store row of the process owning the flow, 0 = unknown:
				    * the originator's when it is local, else the responder's */
	int64_t resp_process_row;  /* the responder's process when it is local (both ends
				    * are, on loopback or between namespaces), 0 = unknown */
	bool process_from_resp;    /* process_row is the responder's (none for the originator yet) */
	uint64_t attributed_pkts;  /* packets of the flow with a process attributed */
	/* Private: Zeek connection state and table links. */
	bool one_way;              /* ICMP message without counterpart: keyed in one direction */
	bool is_partial;           /* TCP: began without a clean SYN */
	bool long_timeout;         /* TCP: handshake over, tcp_inactivity applies */
	bool attempt_armed;        /* TCP: an initial SYN started the attempt timer */
	bool closing;              /* TCP: close complete, removal at expire_ns */
	bool dns_timer;            /* UDP to a DNS port: Zeek's DNS analyzer expires it */
	uint8_t first_seen;        /* TCP: sides seen (1 orig, 2 resp) */
	uint8_t list;              /* timer list the flow is on */
	uint32_t hist_seen;        /* history letters given once */
	int64_t attempt_ns;        /* TCP: attempt timer deadline */
	int64_t expire_ns;         /* removal time if nothing else happens */
	struct flow *lru_prev, *lru_next;
};

enum flow_end_reason {
	FLOW_END_TIMEOUT = 1,     /* idle longer than its protocol's timeout */
	FLOW_END_EVICTED,         /* the table was full: least recently used went */
	FLOW_END_FLUSH,           /* end of input */
	FLOW_END_CLOSED,          /* TCP: closed or reset (Zeek tcp_close_delay), or an
				   * unanswered SYN (tcp_attempt_delay) */
	FLOW_END_REUSED,          /* TCP: a new SYN on the same 5-tuple started a new flow */
};

typedef void (*flow_export_fn)(void *ctx, const struct flow *f, enum flow_end_reason why);

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
 * fn is called once for every flow that leaves the table; it must not call
 * back into the table. Returns NULL on out of memory.
 */
struct flow_table *flow_table_new(const struct flow_config *cfg, flow_export_fn fn, void *ctx);

/* Flows created from now on record this capture id (default 0). */
void flow_table_set_capture_id(struct flow_table *t, uint32_t capture_id);

/*
 * Accounts one decoded IP packet (d->ip.version != 0, not a bare fragment)
 * seen at ts_ns, whose frame was wire_len bytes long, creating its flow if
 * needed. Sets *is_orig to the packet's direction. Expires flows idle past
 * their timeout first. Returns the flow (valid until the next call), or
 * NULL when the packet cannot be keyed (no IP, a fragment, or a TCP, UDP or
 * ICMP header cut short, which Zeek ignores as well).
 */
struct flow *flow_table_packet(struct flow_table *t, const struct decoded *d, int64_t ts_ns,
			       uint64_t packet_no, uint32_t wire_len, bool *is_orig);

/* Exports every flow still held (FLOW_END_FLUSH) and empties the table. */
void flow_table_flush(struct flow_table *t);

/* Frees the table without exporting what it holds. NULL is accepted. */
void flow_table_free(struct flow_table *t);

struct flow_stats {
	uint64_t created, expired, evicted, flushed, closed, reused;
	uint32_t held, peak_held;
};
void flow_table_get_stats(const struct flow_table *t, struct flow_stats *out);

/* Zeek's conn_state ("S0", "SF", "REJ", ... "OTH") of a flow. */
const char *flow_conn_state(const struct flow *f);

/* Zeek's service-independent "proto" column: "tcp", "udp", "icmp", "sctp" (Zeek: unknown_transport)
 * or "unknown_transport". */
const char *flow_proto_name(uint8_t ip_proto);

/* Zeek's duration (last_ts - first_ts), in ns. */
int64_t flow_duration_ns(const struct flow *f);

/*
 * True when Zeek's default scripts register port as a server port of
 * proto (likely_server_ports): the flip heuristic's table, see flow.c.
 */
bool flow_likely_server_port(uint8_t ip_proto, uint16_t port);

#endif
