/* \summary: private interface between the flow table and the per-protocol state machines */
#ifndef PIDCAP_FLOW_INT_H
#define PIDCAP_FLOW_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"

/* IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
#define FLOW_PROTO_ICMP 1
#define FLOW_PROTO_TCP 6
#define FLOW_PROTO_UDP 17
#define FLOW_PROTO_ICMPV6 58
#define FLOW_PROTO_SCTP 132

/* TCP header flags (RFC 9293 §3.1). */
#define FLOW_TH_FIN 0x01
#define FLOW_TH_SYN 0x02
#define FLOW_TH_RST 0x04
#define FLOW_TH_ACK 0x10

/* The two sides of a flow, as array-like indices. */
#define FLOW_ORIG 0
#define FLOW_RESP 1

/*
 * Timer lists. Each holds flows whose removal time is their position's key
 * plus one fixed delay, so appending at the tail keeps every list sorted by
 * removal time and expiry only ever looks at heads.
 */
enum flow_list_id {
	FLOW_LIST_TCP = 0,     /* TCP, handshake over: last activity + tcp_inactivity */
	FLOW_LIST_UDP,         /* UDP, and TCP still in its handshake: + udp_inactivity */
	FLOW_LIST_ICMP,        /* + icmp_inactivity */
	FLOW_LIST_OTHER,       /* + other_inactivity */
	FLOW_LIST_DNS,         /* UDP DNS: Zeek's 10 s DNS timer; removal times are only
				* nearly sorted here, so lookups check them too */
	FLOW_LIST_ATTEMPT,     /* TCP SYN not answered: SYN time + tcp_attempt */
	FLOW_LIST_CLOSING,     /* TCP closed or reset: close time + tcp_close */
	FLOW_LIST_COUNT,
	FLOW_LIST_NONE = 0xff, /* not linked */
};

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

/* tcp_state.c: one TCP endpoint as Zeek's TCP_Endpoint tracks it. */
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
	struct flow_counts count;   /* as exported (flow.h) */
	struct flow_tcp_end tcp;
};

/* A flow while the table holds it; consumers see struct flow_record. */
struct flow {
	uint64_t id;              /* unique in the run, in creation order */
	struct ip_endpoints key;  /* src = originator; ICMP dport = counterpart type or code */
	uint32_t hash;            /* next to the key, one cache line for lookups */
	struct flow *hash_next;
	int64_t first_ts_ns;      /* Zeek ts */
	int64_t last_ts_ns;       /* Zeek's last time: first_ts + duration (trailing TCP
				   * packets after both sides closed do not move it) */
	struct flow_dir orig, resp;
	char history[FLOW_HISTORY_BYTES];
	uint8_t history_len;
	struct flow_first first;
	bool flipped;              /* Zeek's '^': roles swapped by a heuristic */
	struct flow_attrib attrib; /* the attribution layer's (flow.h) */
	/* Zeek connection state and table links. */
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

/* One TCP segment as the state machine needs it. */
struct flow_tcp_seg {
	int64_t ts_ns;
	uint32_t seq, ack;
	uint32_t len;          /* payload bytes the headers claim */
	uint16_t win;
	uint8_t flags;
};

/* ---- flow.c: history letters, role flips, Zeek's tables, records */

/* Zeek's conn_state ("S0", "SF", "REJ", ... "OTH") of a flow. */
const char *flow_conn_state(const struct flow *f);

/* Fills r with what f leaves behind, ending for reason why; cid computes
 * the Community ID (NULL: OpenSSL's one-shot call). */
void flow_record_fill(const struct flow *f, enum flow_end_reason why,
		      struct community_id_hasher *cid, struct flow_record *r);

/* Zeek Connection::CheckHistory: true if mask was already given, else
 * records it and appends code. */
bool flow_hist_check(struct flow *f, uint32_t mask, char code);

/* Appends code (silently dropped once the history is full). */
void flow_hist_add(struct flow *f, char code);

/* Zeek ScaledHistoryEntry: counts one event and appends code on the 1st,
 * 10th, 100th ... one. Returns true when it appended. */
bool flow_hist_scaled(struct flow *f, char code, uint32_t *cnt, uint8_t *exp);

/* Zeek Connection::FlipRoles: swaps the endpoints and both directions'
 * state, and appends '^'. */
void flow_flip(struct flow *f);

/* ICMP (proto 1) or ICMPv6 (58) message type and code to Zeek's responder
 * "port": the counterpart type for request/reply pairs, else the code with
 * *one_way set. */

/* ---- tcp_state.c: Zeek's TCP analysis */

/* Starts both endpoints' reassembly bookkeeping for a new TCP flow. */
void flow_tcp_init(struct flow *f);

/*
 * Processes one segment sent by side dir (FLOW_ORIG/FLOW_RESP) of f, as
 * Zeek's TCPSessionAdapter::Process does: endpoint states, history, sizes,
 * gaps, f->last_ts_ns, and the removal schedule (f->closing, f->expire_ns,
 * f->attempt_*). Returns the sender's side afterwards: the other one when
 * the segment made Zeek flip the roles.
 */
int flow_tcp_segment(struct flow *f, int dir, const struct flow_tcp_seg *s,
		     const struct flow_config *cfg);

/* Zeek TCPSessionAdapter::IsReuse: true if this segment starts a new
 * connection on f's 5-tuple (a SYN with a new sequence, or after a close). */
bool flow_tcp_is_reuse(const struct flow *f, const struct flow_tcp_seg *s);

/* True while f waits for its first SYN's answer (the attempt timer runs). */
bool flow_tcp_attempt_pending(const struct flow *f);

/* Sets orig/resp payload_bytes from sequence numbers (Zeek TCP_Endpoint::Size). */
void flow_tcp_sizes(struct flow *f);

#endif
