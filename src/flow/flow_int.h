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

/* One TCP segment as the state machine needs it. */
struct flow_tcp_seg {
	int64_t ts_ns;
	uint32_t seq, ack;
	uint32_t len;          /* payload bytes the headers claim */
	uint16_t win;
	uint8_t flags;
};

/* ---- flow.c: history letters, role flips, Zeek's tables */

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
