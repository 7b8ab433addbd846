/* \summary: Zeek's TCP endpoint state machine, history letters, sizes and content gaps */
/*
 * A port of what conn.log shows from Zeek's TCP analysis: the per-packet
 * steps of TCPSessionAdapter::Process (src/packet_analysis/protocol/tcp/
 * TCPSessionAdapter.cc), the endpoint bookkeeping of TCP_Endpoint.cc, and
 * the gap accounting of TCP_Reassembler.cc reduced to one out-of-order block
 * per direction (payload bytes are never kept). Sequence numbers are
 * compared modulo 2^32 (RFC 9293 §3.4); "relative" sequences count from the
 * endpoint's initial sequence number, 64 bits wide across wraps.
 */
#include "config.h"

#include <ctype.h>

#include "flow/flow_int.h"
#include "util/units.h"

/* Zeek TOO_LARGE_SEQ_DELTA: SYN/RST sequence jumps past this are not trusted. */
#define TCP_TOO_LARGE_SEQ_DELTA 1048576

/* Zeek TCP_Endpoint::HistoryMasks; the responder's sit 16 bits higher. */
#define HIST_SYN_PKT 0x1u
#define HIST_FIN_PKT 0x2u
#define HIST_RST_PKT 0x4u
#define HIST_FIN_RST_PKT 0x8u
#define HIST_DATA_PKT 0x10u
#define HIST_ACK_PKT 0x20u
#define HIST_MULTI_FLAG_PKT 0x40u
#define HIST_RESP_SHIFT 16

/* Zeek's reassembler starts at relative sequence 1 (just past the SYN). */
#define TCP_REASSEM_START 1

static inline int32_t seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
	return ((uint64_t)wraps << 32) + seq;
}

static inline struct flow_tcp_end *end_of(struct flow *f, int dir)
{
	return dir == FLOW_ORIG ? &f->orig.tcp : &f->resp.tcp;
}

static inline struct flow_dir *dir_of(struct flow *f, int dir)
{
	return dir == FLOW_ORIG ? &f->orig : &f->resp;
}

static inline bool is_handshake(uint8_t st)
{
	return st == FLOW_TCP_INACTIVE || st == FLOW_TCP_SYN_SENT || st == FLOW_TCP_SYN_ACK_SENT;
}

void flow_tcp_init(struct flow *f)
{
	f->orig.tcp.reassem_seq = f->orig.tcp.trim_seq = TCP_REASSEM_START;
	f->resp.tcp.reassem_seq = f->resp.tcp.trim_seq = TCP_REASSEM_START;
}

/* TCP_Endpoint::SetState, with its switch to tcp_inactivity_timeout once
 * the handshake is over. */
static void set_state(struct flow *f, int dir, uint8_t st)
{
	struct flow_tcp_end *e = end_of(f, dir);

	if (st == e->state)
		return;
	if (!is_handshake(st) && is_handshake(e->state) && is_handshake(end_of(f, !dir)->state))
		f->long_timeout = true;
	e->prev_state = e->state;
	e->state = st;
}

/* ---- history */

static bool end_check_history(struct flow *f, int dir, uint32_t mask, char code)
{
	if (dir == FLOW_RESP) {
		mask <<= HIST_RESP_SHIFT;
		code = (char)tolower((unsigned char)code);
	}
	return flow_hist_check(f, mask, code);
}

static void end_add_history(struct flow *f, int dir, char code)
{
	flow_hist_add(f, dir == FLOW_RESP ? (char)tolower((unsigned char)code) : code);
}

static void end_scaled(struct flow *f, int dir, char code, uint32_t *cnt, uint8_t *exp)
{
	flow_hist_scaled(f, dir == FLOW_RESP ? (char)tolower((unsigned char)code) : code, cnt, exp);
}

/* update_history(): s h f r repeat when their sequence moves; a d i q once. */
static void update_history(struct flow *f, int dir, uint8_t fl, uint64_t rel_seq, uint32_t len)
{
	struct flow_tcp_end *e = end_of(f, dir);
	int bits = !!(fl & FLOW_TH_SYN) + !!(fl & FLOW_TH_FIN) + !!(fl & FLOW_TH_RST);

	if (bits > 1) {
		if ((fl & FLOW_TH_FIN) && (fl & FLOW_TH_RST))
			end_check_history(f, dir, HIST_FIN_RST_PKT, 'I');
		else
			end_check_history(f, dir, HIST_MULTI_FLAG_PKT, 'Q');
		return;
	}
	if (fl & FLOW_TH_SYN) {
		char code = (fl & FLOW_TH_ACK) ? 'H' : 'S';

		if (end_check_history(f, dir, HIST_SYN_PKT, code) && (uint32_t)rel_seq != e->hist_last_syn)
			end_add_history(f, dir, code);
		e->hist_last_syn = (uint32_t)rel_seq;
	} else if (fl & FLOW_TH_FIN) {
		/* A FIN's sequence is the one after its data. */
		uint32_t at = (uint32_t)(rel_seq + len);

		if (end_check_history(f, dir, HIST_FIN_PKT, 'F') && at != e->hist_last_fin)
			end_add_history(f, dir, 'F');
		e->hist_last_fin = at;
	} else if (fl & FLOW_TH_RST) {
		if (end_check_history(f, dir, HIST_RST_PKT, 'R') && (uint32_t)rel_seq != e->hist_last_rst)
			end_add_history(f, dir, 'R');
		e->hist_last_rst = (uint32_t)rel_seq;
	} else if (len > 0) {
		end_check_history(f, dir, HIST_DATA_PKT, 'D');
	} else if (fl & FLOW_TH_ACK) {
		end_check_history(f, dir, HIST_ACK_PKT, 'A');
	}
}

/* update_window(): only the zero-window letter matters here. */
static void check_zero_window(struct flow *f, int dir, uint16_t win, uint8_t fl)
{
	struct flow_tcp_end *e = end_of(f, dir);

	if (win == 0 && !(fl & FLOW_TH_RST) && end_of(f, !dir)->state != FLOW_TCP_CLOSED &&
	    e->state != FLOW_TCP_RESET)
		end_scaled(f, dir, 'W', &e->win0_cnt, &e->win0_exp);
}

/* ---- sequence bookkeeping */

static uint32_t segment_len(uint32_t len, uint8_t fl)
{
	uint32_t n = len;

	if (fl & FLOW_TH_SYN)
		n++;
	if (fl & FLOW_TH_FIN)
		n++;
	/* RST payload is not part of the stream. */
	if (fl & FLOW_TH_RST)
		n -= len;
	return n;
}

static void reinit_seq(struct flow_tcp_end *e, uint32_t first, uint32_t last)
{
	e->start_seq = e->ack_seq = first;
	e->last_seq = last;
}

/* init_endpoint(): picks the initial sequence, faking a SYN for partial flows. */
static void init_endpoint(struct flow_tcp_end *e, uint8_t fl, uint32_t first, uint32_t last)
{
	bool syn = fl & FLOW_TH_SYN;

	switch (e->state) {
	case FLOW_TCP_INACTIVE:
		if (syn)
			reinit_seq(e, first, last);
		else
			reinit_seq(e, first - 1, first);
		break;
	case FLOW_TCP_SYN_SENT:
	case FLOW_TCP_SYN_ACK_SENT:
		if (syn && first != e->start_seq)
			reinit_seq(e, first, last);
		break;
	case FLOW_TCP_ESTABLISHED:
	case FLOW_TCP_PARTIAL:
		if (syn)
			reinit_seq(e, first, last);
		break;
	case FLOW_TCP_RESET:
		/* An earlier RST may have been spoofed: trust the SYN. */
		if (syn && e->prev_state == FLOW_TCP_INACTIVE)
			reinit_seq(e, first, last);
		break;
	default:
		break;
	}
}

/* get_relative_seq(): cur relative to e's start, tracking 32-bit wraps. */
static uint64_t relative_seq(const struct flow_tcp_end *e, uint32_t cur, uint32_t last,
			     uint32_t wraps, bool *underflow)
{
	int32_t delta = seq_delta(cur, last);

	if (delta < 0 && wraps && cur > last)
		wraps--;
	else if (delta > 0 && cur < last)
		wraps++;
	if (wraps == 0) {
		delta = seq_delta(cur, e->start_seq);
		if (underflow && delta < 0)
			*underflow = true;
		return (uint64_t)(int64_t)delta;
	}
	return full_seq(cur, wraps) - e->start_seq;
}

static void raise_last_seq(struct flow_tcp_end *e, uint32_t seq)
{
	if (seq < e->last_seq)
		e->seq_wraps++;
	e->last_seq = seq;
}

static void raise_ack_seq(struct flow_tcp_end *e, uint32_t seq)
{
	if (seq < e->ack_seq)
		e->ack_wraps++;
	e->ack_seq = seq;
}

/* update_ack_seq(): an ack of 0 far ahead is more likely broken than a wrap. */
static void update_ack_seq(struct flow_tcp_end *peer, uint32_t ack)
{
	int32_t delta = seq_delta(ack, peer->ack_seq);

	if (ack == 0 && delta > TCP_TOO_LARGE_SEQ_DELTA)
		return;
	if (delta > 0)
		raise_ack_seq(peer, ack);
}

/* update_last_seq(): moves the end of the stream, or counts a retransmission. */
static void update_last_seq(struct flow *f, int dir, uint32_t last, uint8_t fl, uint32_t len)
{
	struct flow_tcp_end *e = end_of(f, dir);
	int32_t delta = seq_delta(last, e->last_seq);

	if ((fl & (FLOW_TH_SYN | FLOW_TH_RST)) &&
	    (delta > TCP_TOO_LARGE_SEQ_DELTA || delta < -TCP_TOO_LARGE_SEQ_DELTA))
		return;
	if ((fl & FLOW_TH_FIN) && e->last_seq == e->start_seq + 1) {
		/* Only SYN and FIN seen (> 2 GB flows): trust the FIN. */
		raise_last_seq(e, last);
	} else if (e->state == FLOW_TCP_RESET) {
		/* Nothing after a RST is trusted. */
	} else if (delta > 0) {
		raise_last_seq(e, last);
	} else if (len > 0) {
		end_scaled(f, dir, 'T', &e->rxmit_cnt, &e->rxmit_exp);
	}
}

static bool no_data_acked(const struct flow_tcp_end *e)
{
	uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);

	return ack == e->start_seq || ack == (uint64_t)e->start_seq + 1;
}

/* TCP_Endpoint::Size(): payload bytes from the highest sequence or ack seen. */
static uint64_t end_size(const struct flow_tcp_end *e, const struct flow_tcp_end *peer)
{
	uint64_t last = full_seq(e->last_seq, e->seq_wraps);
	uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
	uint64_t size;

	/* A half-open connection found and aborted: its numbers mislead. */
	if (e->prev_state == FLOW_TCP_SYN_SENT && e->state == FLOW_TCP_RESET &&
	    peer->state == FLOW_TCP_INACTIVE && !no_data_acked(e))
		return 0;
	size = (last > ack ? last : ack) - e->start_seq;
	/* Neither the SYN nor the FIN octet is payload. */
	if (size != 0)
		size--;
	if (e->fin_cnt > 0 && size != 0)
		size--;
	return size;
}

void flow_tcp_sizes(struct flow *f)
{
	f->orig.count.payload_bytes = end_size(&f->orig.tcp, &f->resp.tcp);
	f->resp.count.payload_bytes = end_size(&f->resp.tcp, &f->orig.tcp);
}

/* ---- content gaps (TCP_Reassembler, without the bytes) */

static bool is_clean(const struct flow_tcp_end *e)
{
	return e->state == FLOW_TCP_ESTABLISHED ||
	       (e->state == FLOW_TCP_CLOSED && e->prev_state == FLOW_TCP_ESTABLISHED);
}

/* TCP_Reassembler::Gap(): only cleanly established flows report gaps. */
static void report_gap(struct flow *f, int dir, uint64_t len)
{
	struct flow_tcp_end *e = end_of(f, dir);

	if (!is_clean(e) || !is_clean(end_of(f, !dir)))
		return;
	end_scaled(f, dir, 'G', &e->gap_cnt, &e->gap_exp);
	dir_of(f, dir)->count.missed_bytes += len;
}

static bool has_ooo(const struct flow_tcp_end *e)
{
	return e->ooo_hi > e->ooo_lo;
}

/* Delivers the out-of-order block once the stream reaches it. */
static void absorb_ooo(struct flow_tcp_end *e)
{
	if (has_ooo(e) && e->ooo_lo <= e->reassem_seq) {
		if (e->ooo_hi > e->reassem_seq)
			e->reassem_seq = e->ooo_hi;
		e->ooo_lo = e->ooo_hi = 0;
	}
}

/* Reassembler::NewBlock() for the payload [seq, upper). */
static void new_block(struct flow_tcp_end *e, uint64_t seq, uint64_t upper)
{
	if (upper <= e->trim_seq)
		return;
	if (seq < e->trim_seq)
		seq = e->trim_seq;
	if (seq <= e->reassem_seq) {
		if (upper > e->reassem_seq)
			e->reassem_seq = upper;
		absorb_ooo(e);
	} else if (!has_ooo(e)) {
		e->ooo_lo = seq;
		e->ooo_hi = upper;
	} else {
		/* One block is kept: holes between blocks above the first are lost. */
		if (seq < e->ooo_lo)
			e->ooo_lo = seq;
		if (upper > e->ooo_hi)
			e->ooo_hi = upper;
	}
}

/* TCP_Reassembler::DataSent(): already-acked data is dropped first. */
static void data_sent(struct flow *f, int dir, uint64_t seq, uint32_t len)
{
	struct flow_tcp_end *e = end_of(f, dir);
	uint64_t acked = full_seq(e->ack_seq, e->ack_wraps) - e->start_seq;
	uint64_t upper = seq + len;

	if (seq < acked) {
		if (upper <= acked)
			return;
		seq = acked;
	}
	new_block(e, seq, upper);
}

/* TCP_Reassembler::Undelivered(): the peer acked data never seen. */
static void undelivered(struct flow *f, int dir, uint64_t up_to)
{
	struct flow_tcp_end *e = end_of(f, dir);

	/* A partial flow's faked SYN (1) or keep-alive octet (2): not a gap. */
	if (up_to <= 2 && f->is_partial)
		return;
	if (has_ooo(e) && e->ooo_lo < up_to && e->ooo_lo > e->reassem_seq) {
		report_gap(f, dir, e->ooo_lo - e->reassem_seq);
		e->reassem_seq = e->ooo_lo;
		absorb_ooo(e);
	}
	if (up_to > e->reassem_seq) {
		report_gap(f, dir, up_to - e->reassem_seq);
		e->reassem_seq = up_to;
	}
}

/* TCP_Reassembler::AckReceived() on side dir, acked up to seq (relative). */
static void ack_received(struct flow *f, int dir, uint64_t seq)
{
	struct flow_tcp_end *e = end_of(f, dir);

	/* The FIN's octet is acked but is no data. */
	if (e->fin_cnt > 0 && seq >= e->fin_seq)
		seq = e->fin_seq - 1;
	if (seq <= e->trim_seq)
		return;
	if (seq > e->reassem_seq)
		undelivered(f, dir, seq);
	if (has_ooo(e) && e->ooo_hi <= seq)
		e->ooo_lo = e->ooo_hi = 0;
	absorb_ooo(e);
	e->trim_seq = seq;
}

/* ---- the state machine (TCPSessionAdapter::Update*State) */

struct tcp_step {
	struct flow *f;
	const struct flow_tcp_seg *s;
	const struct flow_config *cfg;
	int dir;                /* the sender's side; changes when the roles flip */
	bool is_orig;           /* the sender's side before any flip, as Zeek keeps it */
	bool do_close;
};

/* Removal after a close or reset; an earlier schedule wins. */
static void schedule_removal(struct flow *f, int64_t when_ns)
{
	if (!f->closing || when_ns < f->expire_ns) {
		f->closing = true;
		f->expire_ns = when_ns;
	}
}

/* A SYN answered by the side that sent the first SYN-ACK: Zeek flips. */
static void flip_reversed_handshake(struct tcp_step *st)
{
	st->f->is_partial = false;
	flow_flip(st->f);
	st->dir = !st->dir;
	set_state(st->f, !st->dir, FLOW_TCP_ESTABLISHED);
}

static void inactive_syn(struct tcp_step *st)
{
	struct flow *f = st->f;
	uint8_t fl = st->s->flags;

	if (st->is_orig) {
		set_state(f, st->dir, (fl & FLOW_TH_ACK) ? FLOW_TCP_SYN_ACK_SENT : FLOW_TCP_SYN_SENT);
		f->attempt_armed = true;
		f->attempt_ns = ns_add_sat(st->s->ts_ns, st->cfg->tcp_attempt_ns);
		return;
	}
	if (!(fl & FLOW_TH_ACK) && end_of(f, !st->dir)->state == FLOW_TCP_SYN_ACK_SENT &&
	    st->s->seq == end_of(f, st->dir)->start_seq)
		flip_reversed_handshake(st);
	if (end_of(f, !st->dir)->state == FLOW_TCP_SYN_SENT)
		set_state(f, !st->dir, FLOW_TCP_ESTABLISHED);
	set_state(f, st->dir, FLOW_TCP_ESTABLISHED);
}

/* No control flag moved an inactive endpoint: partial, or a missed SYN. */
static void inactive_no_flags(struct tcp_step *st)
{
	struct flow *f = st->f;
	uint8_t peer_state = end_of(f, !st->dir)->state;

	/* Some stacks ack a SYN before answering it: not a partial flow. */
	if (!st->is_orig && st->s->len == 0 && f->orig.tcp.state == FLOW_TCP_SYN_SENT)
		return;
	if ((st->s->flags & FLOW_TH_ACK) && peer_state == FLOW_TCP_ESTABLISHED) {
		/* SYN-ACK then ACK: only the SYN was missed. */
		set_state(f, st->dir, FLOW_TCP_ESTABLISHED);
		f->is_partial = false;
		return;
	}
	set_state(f, st->dir, FLOW_TCP_PARTIAL);
}

static void update_inactive(struct tcp_step *st)
{
	uint8_t fl = st->s->flags;

	if (fl & FLOW_TH_SYN)
		inactive_syn(st);
	if (fl & FLOW_TH_FIN) {
		set_state(st->f, st->dir, FLOW_TCP_CLOSED);
		st->do_close = true;
	}
	if (fl & FLOW_TH_RST) {
		set_state(st->f, st->dir, FLOW_TCP_RESET);
		st->do_close = true;
	}
	if (end_of(st->f, st->dir)->state == FLOW_TCP_INACTIVE)
		inactive_no_flags(st);
}

static void update_syn_sent(struct tcp_step *st)
{
	uint8_t fl = st->s->flags;

	if (fl & FLOW_TH_FIN) {
		set_state(st->f, st->dir, FLOW_TCP_CLOSED);
		st->do_close = true;
	}
	if (fl & FLOW_TH_RST) {
		set_state(st->f, st->dir, FLOW_TCP_RESET);
		st->do_close = true;
	}
}

static void update_established(struct tcp_step *st)
{
	struct flow *f = st->f;
	struct flow_tcp_end *e = end_of(f, st->dir), *peer = end_of(f, !st->dir);
	uint8_t fl = st->s->flags;

	if ((fl & FLOW_TH_SYN) && !(fl & FLOW_TH_ACK) && e->state == FLOW_TCP_PARTIAL &&
	    peer->state == FLOW_TCP_INACTIVE)
		set_state(f, st->dir, FLOW_TCP_SYN_SENT);
	if ((fl & FLOW_TH_FIN) && !(fl & FLOW_TH_RST)) {
		set_state(f, st->dir, FLOW_TCP_CLOSED);
		/* The peer's FIN then RST was a normal close after all. */
		if (peer->state == FLOW_TCP_RESET && peer->prev_state == FLOW_TCP_CLOSED)
			set_state(f, !st->dir, FLOW_TCP_CLOSED);
		st->do_close = true;
	}
	if (fl & FLOW_TH_RST) {
		set_state(f, st->dir, FLOW_TCP_RESET);
		st->do_close = true;
	}
}

static void update_closed(struct tcp_step *st)
{
	struct flow_tcp_end *e = end_of(st->f, st->dir);

	/* After a FIN exchange a RST changes nothing. */
	if (!(st->s->flags & FLOW_TH_RST) || end_of(st->f, !st->dir)->state == FLOW_TCP_CLOSED)
		return;
	set_state(st->f, st->dir, FLOW_TCP_RESET);
	if (!e->did_close)
		st->do_close = true;
	schedule_removal(st->f, ns_add_sat(st->s->ts_ns, st->cfg->tcp_close_ns));
}

static void update_state_machine(struct tcp_step *st)
{
	switch (end_of(st->f, st->dir)->state) {
	case FLOW_TCP_INACTIVE:
		update_inactive(st);
		break;
	case FLOW_TCP_SYN_SENT:
	case FLOW_TCP_SYN_ACK_SENT:
		update_syn_sent(st);
		break;
	case FLOW_TCP_ESTABLISHED:
	case FLOW_TCP_PARTIAL:
		update_established(st);
		break;
	case FLOW_TCP_CLOSED:
		update_closed(st);
		break;
	default:
		/* RESET: nothing moves it. */
		break;
	}
}

/* ConnectionClosed(): a full close schedules removal (tcp_close_delay). */
static void connection_closed(struct flow *f, int dir, const struct flow_config *cfg)
{
	struct flow_tcp_end *e = end_of(f, dir), *peer = end_of(f, !dir);

	if (e->did_close)
		return;
	e->did_close = true;
	if (e->state == FLOW_TCP_RESET || peer->did_close || peer->state == FLOW_TCP_INACTIVE)
		schedule_removal(f, ns_add_sat(f->last_ts_ns, cfg->tcp_close_ns));
}

/* SetPartialStatus(): a flow is partial unless each side began with a SYN. */
static void set_partial_status(struct flow *f, int dir, uint8_t fl)
{
	if (dir == FLOW_ORIG) {
		if (!(f->first_seen & 1))
			f->is_partial = !(fl & FLOW_TH_SYN) || (fl & FLOW_TH_ACK);
	} else if (!(f->first_seen & 2) && !f->is_partial) {
		f->is_partial = !(fl & FLOW_TH_SYN);
	}
}

/* The ack side of Process(): returns the ack relative to the peer's start. */
static uint64_t take_ack(struct flow *f, int dir, const struct flow_tcp_seg *s)
{
	struct flow_tcp_end *peer = end_of(f, !dir);
	bool underflow = false;
	uint64_t rel_ack;

	if (peer->state == FLOW_TCP_INACTIVE) {
		/* Number the peer's stream as if its SYN had been seen. */
		peer->start_seq = peer->ack_seq = peer->last_seq = s->ack - 1;
		return 1;
	}
	rel_ack = relative_seq(peer, s->ack, peer->ack_seq, peer->ack_wraps, &underflow);
	if (underflow)
		return 0;
	/* Acks in RSTs are not trusted. */
	if (!(s->flags & FLOW_TH_RST))
		update_ack_seq(peer, s->ack);
	return rel_ack;
}

int flow_tcp_segment(struct flow *f, int dir, const struct flow_tcp_seg *s,
		     const struct flow_config *cfg)
{
	struct tcp_step st = { .f = f, .s = s, .cfg = cfg, .dir = dir, .is_orig = dir == FLOW_ORIG };
	struct flow_tcp_end *e = end_of(f, dir);
	uint8_t fl = s->flags;
	uint32_t seg_len = segment_len(s->len, fl);
	uint32_t past = s->seq + seg_len;
	bool underflow = false;
	uint64_t rel_seq, rel_ack = 0;

	set_partial_status(f, dir, fl);
	init_endpoint(e, fl, s->seq, past);
	rel_seq = relative_seq(e, s->seq, e->last_seq, e->seq_wraps, &underflow);
	update_history(f, dir, fl, rel_seq, s->len);
	check_zero_window(f, dir, s->win, fl);
	/* Zeek's duration ignores what follows a close of both sides. */
	if (!f->orig.tcp.did_close || !f->resp.tcp.did_close)
		f->last_ts_ns = s->ts_ns;
	if (fl & FLOW_TH_FIN) {
		e->fin_cnt++;
		e->fin_seq = rel_seq + seg_len;
	}
	if (fl & FLOW_TH_ACK)
		rel_ack = take_ack(f, dir, s);
	update_last_seq(f, dir, past, fl, s->len);
	update_state_machine(&st);
	/* Gaps are judged after the state moved, as Zeek does. */
	if (fl & FLOW_TH_ACK)
		ack_received(f, !st.dir, rel_ack);
	if (s->len > 0 && !(fl & FLOW_TH_RST) && !underflow)
		data_sent(f, st.dir, (fl & FLOW_TH_SYN) ? rel_seq + 1 : rel_seq, s->len);
	f->first_seen |= st.is_orig ? 1 : 2;
	if (st.do_close)
		connection_closed(f, st.dir, cfg);
	flow_tcp_sizes(f);
	return st.dir;
}

bool flow_tcp_is_reuse(const struct flow *f, const struct flow_tcp_seg *s)
{
	const struct flow_tcp_end *orig = &f->orig.tcp, *resp = &f->resp.tcp;
	const struct flow_tcp_end *conn_orig = orig;
	bool ack = s->flags & FLOW_TH_ACK;

	/* Only an initial SYN (or, for half connections, a SYN-ACK) starts over. */
	if (!(s->flags & FLOW_TH_SYN))
		return false;
	if (ack) {
		if (orig->state != FLOW_TCP_INACTIVE)
			return false;
		conn_orig = resp;
	}
	if (orig->did_close || resp->did_close)
		return true;
	if (s->seq == conn_orig->start_seq)
		return false;
	/* SYN and SYN-ACK seen in reverse order: the flip happens later. */
	if (!ack && conn_orig->state == FLOW_TCP_SYN_ACK_SENT && resp->state == FLOW_TCP_INACTIVE &&
	    s->seq == resp->start_seq)
		return false;
	return true;
}

bool flow_tcp_attempt_pending(const struct flow *f)
{
	uint8_t os = f->orig.tcp.state;

	return f->attempt_armed && f->resp.tcp.state == FLOW_TCP_INACTIVE &&
	       (os == FLOW_TCP_SYN_SENT || os == FLOW_TCP_SYN_ACK_SENT);
}
