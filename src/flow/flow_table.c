/* \summary: the flow table: hashing, slab allocation, timer lists, expiry and eviction */
/*
 * Flows live in a chained hash table whose bucket array doubles with the
 * flows held (up to one bucket per flow of the cap), so a small table stays
 * in cache; flows come from large slabs handed out in order, and freed
 * flows are reused first, so a packet allocates only when the table grows.
 * Every flow sits on one timer list (flow_int.h); appending at the tail
 * keeps each list in removal-time order, so expiry and least-recently-used
 * eviction look only at list heads: O(1) per packet.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow/community_id.h"
#include "flow/flow_int.h"
#include "util/mix.h"
#include "util/testhook.h"
#include "util/units.h"

#define FLOW_SLAB_BYTES (4u << 20)  /* per allocation: two 2 MiB huge pages */
#define FLOW_SLAB_ALIGN (2u << 20)
#define FLOW_MIN_BUCKETS 4096u
#define FLOW_SLAB_MIN_FLOWS 16u     /* the smallest slab tried when memory is short */
#define FLOW_SLAB_SHRINK 4u         /* each retry asks for this much less */
#define FLOW_ADDR_BYTES 16          /* struct ip_endpoints addresses, IPv4 zero-padded */

/* Zeek base/protocols/dns ports: its analyzer runs on UDP flows to them. */
static const uint16_t dns_ports[] = { 53, 137, 5353, 5355 };

/* RFC 919 limited broadcast. */
static const uint8_t ipv4_broadcast[4] = { 255, 255, 255, 255 };

/* DNS_Analyzer::ExpireTimer removes a flow idle this much less than a period. */
#define DNS_TIMER_SLACK_NS NS_PER_SEC

/* Zeek UDPAnalyzer's history masks: one 'D' per side. */
#define HIST_UDP_ORIG_DATA 0x1u
#define HIST_UDP_RESP_DATA 0x2u

struct flow_slab {
	struct flow_slab *next;
	uint32_t n, used;          /* flows in the slab, flows handed out */
	struct flow flows[];
};

struct flow_list {
	struct flow *head, *tail;
};

struct flow_table {
	struct flow_config cfg;
	flow_export_fn fn;
	void *ctx;
	flow_record_slot_fn slot;  /* NULL: records are built in own_record */
	void *slot_ctx;
	struct flow_record own_record;
	struct community_id_hasher *cid;   /* NULL: the one-shot SHA-1 */
	struct flow **buckets;
	uint32_t bucket_mask;
	uint32_t max_buckets;      /* one per flow of the cap, a power of two */
	struct flow_slab *slabs;   /* the newest first */
	struct flow *free_flows;   /* linked through hash_next */
	uint32_t carved;           /* flows in all slabs */
	struct flow_list lists[FLOW_LIST_COUNT];
	int64_t now_ns;            /* the latest packet time: time never goes back */
	bool clock_started;
	uint64_t next_id;
	uint32_t capture_id;
	struct flow_stats stats;
	flow_anomaly_fn anomaly;
	void *anomaly_ctx;
	bool oom_reported;         /* the out-of-memory anomaly went out */
};

/* The 5-tuple of one packet, in its own direction. */
struct pkt_key {
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint8_t proto, version;
	bool one_way;
	uint32_t hash;
};

/* ---- hashing */

static inline uint64_t end_hash(const uint8_t *addr, uint16_t port)
{
	uint64_t a, b;

	memcpy(&a, addr, sizeof(a));
	memcpy(&b, addr + sizeof(a), sizeof(b));
	return mix64(a ^ mix64(b ^ port));
}

/* The same for both directions: the two ends are added. */
static uint32_t key_hash(const struct pkt_key *k)
{
	uint64_t h = end_hash(k->src, k->sport) + end_hash(k->dst, k->dport);

	return (uint32_t)mix64(h ^ ((uint64_t)k->proto << 8) ^ k->version);
}

static inline bool addr_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, FLOW_ADDR_BYTES) == 0;
}

/* ---- keys */

/* Zeek keys ICMP on (type, counterpart), other transports on addresses.
 * SCTP keeps its ports (Zeek has no SCTP analyzer and keys it on addresses;
 * the Community ID spec and tshark key it on its ports, as pidcap does). */
static bool packet_key(const struct decoded *d, struct pkt_key *k)
{
	if (d->ip.version == 0 || d->fragment)
		return false;
	memset(k, 0, sizeof(*k));
	k->src = d->ip.src;
	k->dst = d->ip.dst;
	k->proto = d->ip.proto;
	k->version = d->ip.version;
	switch (d->ip.proto) {
	case FLOW_PROTO_TCP:
	case FLOW_PROTO_UDP:
		if (!d->l4_ok)
			return false;
		k->sport = d->ip.sport;
		k->dport = d->ip.dport;
		break;
	case FLOW_PROTO_SCTP:
		/* a cut SCTP header keys on addresses only, as before */
		if (!d->l4_ok)
			break;
		k->sport = d->ip.sport;
		k->dport = d->ip.dport;
		break;
	case FLOW_PROTO_ICMP:
	case FLOW_PROTO_ICMPV6:
		if (!d->l4_ok)
			return false;
		/* Zeek keys ICMP as the Community ID spec does: type and counterpart */
		k->one_way = !community_id_icmp_ports(d->ip.proto, d->icmp_type, d->icmp_code,
						       &k->sport, &k->dport);
		break;
	default:
		break;
	}
	k->hash = key_hash(k);
	return true;
}

/* Zeek's is_orig: the packet's source is the originator's address and port. */
static bool flow_matches(const struct flow *f, const struct pkt_key *k, bool *is_orig)
{
	if (f->hash != k->hash || f->key.proto != k->proto || f->key.version != k->version)
		return false;
	if (f->key.sport == k->sport && f->key.dport == k->dport && addr_eq(f->key.src, k->src) &&
	    addr_eq(f->key.dst, k->dst)) {
		*is_orig = true;
		return true;
	}
	if (f->one_way || k->one_way)
		return false;
	if (f->key.sport == k->dport && f->key.dport == k->sport && addr_eq(f->key.src, k->dst) &&
	    addr_eq(f->key.dst, k->src)) {
		*is_orig = false;
		return true;
	}
	return false;
}

static struct flow *lookup(const struct flow_table *t, const struct pkt_key *k, bool *is_orig)
{
	struct flow *f = t->buckets[k->hash & t->bucket_mask];

	for (; f != NULL; f = f->hash_next) {
		if (flow_matches(f, k, is_orig))
			return f;
	}
	return NULL;
}

static void hash_insert(struct flow_table *t, struct flow *f)
{
	struct flow **b = &t->buckets[f->hash & t->bucket_mask];

	f->hash_next = *b;
	*b = f;
}

static void hash_remove(struct flow_table *t, struct flow *f)
{
	struct flow **p = &t->buckets[f->hash & t->bucket_mask];

	while (*p != NULL && *p != f)
		p = &(*p)->hash_next;
	if (*p == f)
		*p = f->hash_next;
	f->hash_next = NULL;
}

/* ---- timer lists */

/*
 * Deadlines saturate at INT64_MAX (ns_add_sat): one that far is past the
 * end of representable time and never passes, so packets stamped at
 * INT64_MAX do not end the flows they belong to.
 */
static inline bool deadline_passed(int64_t deadline_ns, int64_t now_ns)
{
	return deadline_ns != INT64_MAX && deadline_ns <= now_ns;
}

static void list_unlink(struct flow_table *t, struct flow *f)
{
	struct flow_list *l;

	if (f->list == FLOW_LIST_NONE)
		return;
	l = &t->lists[f->list];
	if (f->lru_prev != NULL)
		f->lru_prev->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next != NULL)
		f->lru_next->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
	f->list = FLOW_LIST_NONE;
}

static void list_append(struct flow_table *t, struct flow *f, uint8_t list)
{
	struct flow_list *l = &t->lists[list];

	f->list = list;
	f->lru_next = NULL;
	f->lru_prev = l->tail;
	if (l->tail != NULL)
		l->tail->lru_next = f;
	else
		l->head = f;
	l->tail = f;
}

/* Inactivity list and timeout for a flow's protocol. */
static uint8_t idle_list(const struct flow_table *t, const struct flow *f, int64_t *timeout_ns)
{
	switch (f->key.proto) {
	case FLOW_PROTO_TCP:
		if (f->long_timeout) {
			*timeout_ns = t->cfg.tcp_inactivity_ns;
			return FLOW_LIST_TCP;
		}
		/* Zeek gives TCP the UDP timeout until the handshake is over. */
		*timeout_ns = t->cfg.udp_inactivity_ns;
		return FLOW_LIST_UDP;
	case FLOW_PROTO_UDP:
		*timeout_ns = t->cfg.udp_inactivity_ns;
		return FLOW_LIST_UDP;
	case FLOW_PROTO_ICMP:
	case FLOW_PROTO_ICMPV6:
		*timeout_ns = t->cfg.icmp_inactivity_ns;
		return FLOW_LIST_ICMP;
	default:
		*timeout_ns = t->cfg.other_inactivity_ns;
		return FLOW_LIST_OTHER;
	}
}

static bool is_dns_port(uint16_t port)
{
	for (size_t i = 0; i < sizeof(dns_ports) / sizeof(dns_ports[0]); i++) {
		if (dns_ports[i] == port)
			return true;
	}
	return false;
}

/* DNS_Analyzer::ExpireTimer fires every dns_session_timeout from the flow's
 * start and removes the flow once idle for a period less 1 s. */
static int64_t dns_deadline(const struct flow_table *t, const struct flow *f)
{
	int64_t period = t->cfg.dns_session_ns;
	int64_t idle = period > DNS_TIMER_SLACK_NS ? period - DNS_TIMER_SLACK_NS : 0;
	int64_t need = ns_add_sat(ns_sub_sat(f->last_ts_ns, f->first_ts_ns), idle);
	int64_t rest;

	/* the first tick at or after need: need rounded up to a whole period */
	if (period <= 0 || need <= period)
		return ns_add_sat(f->first_ts_ns, period);
	rest = need % period;
	return ns_add_sat(f->first_ts_ns, rest != 0 ? ns_add_sat(need, period - rest) : need);
}

/* Puts f on the list its state calls for, at the tail when it moved. */
static void place_flow(struct flow_table *t, struct flow *f)
{
	int64_t timeout_ns, expire_ns;
	uint8_t list;

	if (f->closing) {
		list = FLOW_LIST_CLOSING;
		expire_ns = f->expire_ns;
	} else if (f->key.proto == FLOW_PROTO_TCP && flow_tcp_attempt_pending(f)) {
		list = FLOW_LIST_ATTEMPT;
		expire_ns = f->attempt_ns;
	} else if (f->dns_timer) {
		list = FLOW_LIST_DNS;
		expire_ns = dns_deadline(t, f);
	} else {
		list = idle_list(t, f, &timeout_ns);
		expire_ns = ns_add_sat(f->last_ts_ns, timeout_ns);
	}
	/* Removal after a close or an attempt does not move with traffic. */
	if (list == f->list && (list == FLOW_LIST_ATTEMPT || list == FLOW_LIST_CLOSING))
		return;
	f->expire_ns = expire_ns;
	if (list == f->list && f->lru_next == NULL)
		return;
	list_unlink(t, f);
	f->expire_ns = expire_ns;
	list_append(t, f, list);
}

/* ---- allocation and removal */

#ifdef PIDCAP_TEST_HOOKS
static uint64_t test_allocs_left = UINT64_MAX;

void flow_table_test_fail_allocs_after(uint64_t n)
{
	test_allocs_left = n;
}

static bool alloc_refused(void)
{
	return testhook_alloc_refused(&test_allocs_left);
}
#else
static inline bool alloc_refused(void)
{
	return false;
}
#endif

/* Counts a refused allocation; the first one is reported (flow.h, Memory). */
static void note_alloc_failure(struct flow_table *t)
{
	t->stats.alloc_failed++;
	if (!t->oom_reported && t->anomaly != NULL) {
		t->oom_reported = true;
		t->anomaly(t->anomaly_ctx, FLOW_ANOMALY_OUT_OF_MEMORY);
	}
}

/* A new slab of n flows, or false when memory is short; its pages are
 * touched only as flows are handed out. Huge pages spare most page faults. */
static bool try_slab(struct flow_table *t, uint32_t n)
{
	size_t bytes = sizeof(struct flow_slab) + (size_t)n * sizeof(struct flow);
	struct flow_slab *s;

	if (alloc_refused()) {
		s = NULL;
	} else if (bytes >= FLOW_SLAB_ALIGN) {
		s = aligned_alloc(FLOW_SLAB_ALIGN, (bytes + FLOW_SLAB_ALIGN - 1) & ~(size_t)(FLOW_SLAB_ALIGN - 1));
		if (s != NULL)
			(void)madvise(s, bytes, MADV_HUGEPAGE);
	} else {
		s = malloc(bytes);
	}
	if (s == NULL) {
		note_alloc_failure(t);
		return false;
	}
	s->next = t->slabs;
	s->n = n;
	s->used = 0;
	t->slabs = s;
	t->carved += n;
	return true;
}

/*
 * A new slab for up to the cap's remaining flows, smaller ones when memory
 * is short. When none can be had, the table caps itself at the flows it
 * holds memory for (evicting from then on, without trying again).
 */
static bool carve_slab(struct flow_table *t)
{
	uint32_t n = (FLOW_SLAB_BYTES - sizeof(struct flow_slab)) / sizeof(struct flow);

	if (t->carved >= t->cfg.max_flows)
		return false;
	if (n > t->cfg.max_flows - t->carved)
		n = t->cfg.max_flows - t->carved;
	for (;;) {
		if (try_slab(t, n))
			return true;
		if (n <= FLOW_SLAB_MIN_FLOWS)
			break;
		n = n / FLOW_SLAB_SHRINK > FLOW_SLAB_MIN_FLOWS ? n / FLOW_SLAB_SHRINK : FLOW_SLAB_MIN_FLOWS;
	}
	if (t->carved > 0)
		t->cfg.max_flows = t->carved;
	return false;
}

static struct flow *take_flow(struct flow_table *t)
{
	struct flow *f = t->free_flows;

	if (f != NULL) {
		t->free_flows = f->hash_next;
		return f;
	}
	if ((t->slabs == NULL || t->slabs->used == t->slabs->n) && !carve_slab(t))
		return NULL;
	return &t->slabs->flows[t->slabs->used++];
}

/* Doubles the bucket array once the flows outnumber the buckets. */
static void grow_buckets(struct flow_table *t)
{
	uint32_t n = (t->bucket_mask + 1) * 2;
	struct flow **nb;

	if (n > t->max_buckets || n == 0)
		return;
	nb = alloc_refused() ? NULL : calloc(n, sizeof(*nb));
	if (nb == NULL) {
		/* longer chains, still correct; not tried again */
		note_alloc_failure(t);
		t->max_buckets = t->bucket_mask + 1;
		return;
	}
	for (uint32_t i = 0; i <= t->bucket_mask; i++) {
		struct flow *f = t->buckets[i], *next;

		for (; f != NULL; f = next) {
			next = f->hash_next;
			f->hash_next = nb[f->hash & (n - 1)];
			nb[f->hash & (n - 1)] = f;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->bucket_mask = n - 1;
}

static void remove_flow(struct flow_table *t, struct flow *f, enum flow_end_reason why)
{
	hash_remove(t, f);
	list_unlink(t, f);
	if (f->key.proto == FLOW_PROTO_TCP)
		flow_tcp_sizes(f);
	if (t->fn != NULL) {
		struct flow_record *r = t->slot != NULL ? t->slot(t->slot_ctx) : &t->own_record;

		flow_record_fill(f, why, t->cid, r);
		t->fn(t->ctx, r);
	}
	f->hash_next = t->free_flows;
	t->free_flows = f;
	t->stats.held--;
	switch (why) {
	case FLOW_END_TIMEOUT:
		t->stats.expired++;
		break;
	case FLOW_END_EVICTED:
		t->stats.evicted++;
		break;
	case FLOW_END_FLUSH:
		t->stats.flushed++;
		break;
	case FLOW_END_CLOSED:
		t->stats.closed++;
		break;
	case FLOW_END_REUSED:
		t->stats.reused++;
		break;
	}
}

/* The flow idle longest: the earliest head over all lists. */
static struct flow *least_recent(const struct flow_table *t)
{
	struct flow *best = NULL;

	for (int i = 0; i < FLOW_LIST_COUNT; i++) {
		struct flow *h = t->lists[i].head;

		if (h != NULL && (best == NULL || h->last_ts_ns < best->last_ts_ns))
			best = h;
	}
	return best;
}

/* Evicts the least recently used flow; false when the table is empty. */
static bool evict_one(struct flow_table *t)
{
	struct flow *f = least_recent(t);

	if (f == NULL)
		return false;
	remove_flow(t, f, FLOW_END_EVICTED);
	return true;
}

static struct flow *alloc_flow(struct flow_table *t)
{
	struct flow *f;

	if (t->stats.held >= t->cfg.max_flows && !evict_one(t))
		return NULL;
	f = take_flow(t);
	/* memory is short: as at the cap, the least recent flow makes room */
	if (f == NULL && evict_one(t))
		f = take_flow(t);
	return f;
}

static enum flow_end_reason end_reason(uint8_t list)
{
	return (list == FLOW_LIST_ATTEMPT || list == FLOW_LIST_CLOSING) ? FLOW_END_CLOSED
									: FLOW_END_TIMEOUT;
}

static void expire_due(struct flow_table *t)
{
	for (int i = 0; i < FLOW_LIST_COUNT; i++) {
		struct flow *f;

		while ((f = t->lists[i].head) != NULL && deadline_passed(f->expire_ns, t->now_ns))
			remove_flow(t, f, end_reason((uint8_t)i));
	}
}

static int64_t longest_timeout(const struct flow_config *c)
{
	int64_t m = c->tcp_inactivity_ns;

	if (c->udp_inactivity_ns > m)
		m = c->udp_inactivity_ns;
	if (c->icmp_inactivity_ns > m)
		m = c->icmp_inactivity_ns;
	if (c->other_inactivity_ns > m)
		m = c->other_inactivity_ns;
	return m;
}

/*
 * Zeek runs due timers before it looks at the packet that made them due, on
 * a clock that never goes back. A jump back by more than the longest
 * timeout is another capture (files concatenated or read one after the
 * other): its flows all end first. Zeek would instead time out every flow
 * of the older capture right after its first packet.
 */
static void advance_clock(struct flow_table *t, int64_t ts_ns)
{
	if (t->clock_started && ts_ns < t->now_ns &&
	    ns_sub_sat(t->now_ns, ts_ns) > longest_timeout(&t->cfg)) {
		for (int i = 0; i < FLOW_LIST_COUNT; i++) {
			while (t->lists[i].head != NULL)
				remove_flow(t, t->lists[i].head, FLOW_END_TIMEOUT);
		}
		t->now_ns = ts_ns;
	}
	if (!t->clock_started || ts_ns > t->now_ns) {
		t->now_ns = ts_ns;
		t->clock_started = true;
	}
	expire_due(t);
}

/* ---- new flows */

/* Zeek's WantConnection() flip: a partial flow from a likely server port. */
static bool wants_flip(const struct decoded *d, const struct pkt_key *k)
{
	bool src_srv, dst_srv;
	uint8_t fl = d->tcp_flags;

	if (k->proto != FLOW_PROTO_TCP && k->proto != FLOW_PROTO_UDP)
		return false;
	/* Zeek's NewConn() never flips toward 255.255.255.255 (IPAddr::IsBroadcast). */
	if (k->version == 4 && memcmp(k->dst, ipv4_broadcast, sizeof(ipv4_broadcast)) == 0)
		return false;
	src_srv = flow_likely_server_port(k->proto, k->sport);
	dst_srv = flow_likely_server_port(k->proto, k->dport);
	if (k->proto == FLOW_PROTO_UDP)
		return src_srv && !dst_srv;
	/* A clean SYN names its originator. */
	if ((fl & FLOW_TH_SYN) && !(fl & FLOW_TH_ACK))
		return false;
	if (!src_srv)
		return false;
	/* Both plausible: not for SYN-ACKs (stealth scans), and favour the lower port. */
	if (dst_srv)
		return !(fl & FLOW_TH_SYN) && k->sport < k->dport;
	return true;
}

static struct flow *create_flow(struct flow_table *t, const struct decoded *d,
				const struct pkt_key *k, int64_t ts_ns, uint64_t packet_no)
{
	struct flow *f = alloc_flow(t);

	if (f == NULL)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->id = ++t->next_id;
	f->key.version = k->version;
	f->key.proto = k->proto;
	memcpy(f->key.src, k->src, FLOW_ADDR_BYTES);
	memcpy(f->key.dst, k->dst, FLOW_ADDR_BYTES);
	f->key.sport = k->sport;
	f->key.dport = k->dport;
	f->one_way = k->one_way;
	f->hash = k->hash;
	f->first_ts_ns = f->last_ts_ns = ts_ns;
	f->first = (struct flow_first){ d->vlan, d->inner_vlan, d->n_vlans, d->tunnel, d->outer,
					packet_no, t->capture_id };
	f->list = FLOW_LIST_NONE;
	if (k->proto == FLOW_PROTO_TCP)
		flow_tcp_init(f);
	if (t->stats.held >= t->bucket_mask + 1)
		grow_buckets(t);
	hash_insert(t, f);
	if (wants_flip(d, k))
		flow_flip(f);
	/* Zeek picks analyzers by the responder's port, after the flip. */
	f->dns_timer = k->proto == FLOW_PROTO_UDP && t->cfg.dns_session_ns > 0 &&
		       is_dns_port(f->key.dport);
	t->stats.created++;
	if (++t->stats.held > t->stats.peak_held)
		t->stats.peak_held = t->stats.held;
	return f;
}

/* ---- per-protocol accounting */

static struct flow_dir *side(struct flow *f, int dir)
{
	return dir == FLOW_ORIG ? &f->orig : &f->resp;
}

static void tcp_seg_of(const struct decoded *d, int64_t ts_ns, struct flow_tcp_seg *s)
{
	s->ts_ns = ts_ns;
	s->seq = d->tcp_seq;
	s->ack = d->tcp_ack;
	s->len = d->payload_len;
	s->win = d->tcp_win;
	s->flags = d->tcp_flags;
}

/* UDPAnalyzer::DeliverPacket(): 'D'/'d' once, payload from the UDP length. */
static void udp_packet(struct flow *f, int dir, const struct decoded *d, int64_t ts_ns)
{
	if (dir == FLOW_ORIG)
		flow_hist_check(f, HIST_UDP_ORIG_DATA, 'D');
	else
		flow_hist_check(f, HIST_UDP_RESP_DATA, 'd');
	side(f, dir)->count.payload_bytes += d->payload_len;
	f->last_ts_ns = ts_ns;
}

/* ICMPAnalyzer::DeliverPacket(): no history; payload after the 8-byte header. */
static void icmp_packet(struct flow *f, int dir, const struct decoded *d, int64_t ts_ns)
{
	side(f, dir)->count.payload_bytes += d->payload_len;
	f->last_ts_ns = ts_ns;
}

/* Zeek ConnSize: packets and IP bytes per side; plus frame bytes. */
static void count_packet(struct flow *f, int dir, const struct decoded *d, uint32_t wire_len)
{
	struct flow_counts *c = &side(f, dir)->count;

	c->pkts++;
	c->ip_bytes += d->ip_bytes;
	c->frame_bytes += wire_len;
}

/* Returns the sender's side once the packet is accounted. */
static int account(struct flow_table *t, struct flow *f, int dir, const struct decoded *d,
		   int64_t ts_ns, uint32_t wire_len)
{
	struct flow_tcp_seg seg;
	int sender = dir;

	switch (f->key.proto) {
	case FLOW_PROTO_TCP:
		tcp_seg_of(d, ts_ns, &seg);
		sender = flow_tcp_segment(f, dir, &seg, &t->cfg);
		break;
	case FLOW_PROTO_UDP:
		udp_packet(f, dir, d, ts_ns);
		break;
	case FLOW_PROTO_ICMP:
	case FLOW_PROTO_ICMPV6:
		icmp_packet(f, dir, d, ts_ns);
		break;
	default:
		f->last_ts_ns = ts_ns;
		break;
	}
	/* Zeek counts with the direction the packet arrived with, even when
	 * the segment flipped the roles. */
	count_packet(f, dir, d, wire_len);
	return sender;
}

/* ---- public interface */

struct flow_table *flow_table_new(const struct flow_config *cfg, flow_export_fn fn, void *ctx)
{
	struct flow_table *t = calloc(1, sizeof(*t));
	uint32_t n = FLOW_MIN_BUCKETS;

	if (t == NULL)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_flows == 0)
		t->cfg.max_flows = 1;
	t->max_buckets = FLOW_MIN_BUCKETS;
	while (t->max_buckets < t->cfg.max_flows && t->max_buckets < (1u << 31))
		t->max_buckets <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	t->bucket_mask = n - 1;
	t->fn = fn;
	t->ctx = ctx;
	t->cid = community_id_hasher_new();
	return t;
}

void flow_table_set_record_slot(struct flow_table *t, flow_record_slot_fn slot, void *ctx)
{
	t->slot = slot;
	t->slot_ctx = ctx;
}

void flow_table_set_capture_id(struct flow_table *t, uint32_t capture_id)
{
	t->capture_id = capture_id;
}

bool flow_table_packet(struct flow_table *t, const struct decoded *d, int64_t ts_ns,
		       uint64_t packet_no, uint32_t wire_len, struct flow_pkt *out)
{
	struct pkt_key k;
	struct flow_tcp_seg seg;
	struct flow *f;
	bool orig = true;

	out->flow_id = 0;
	if (!packet_key(d, &k))
		return false;
	advance_clock(t, ts_ns);
	f = lookup(t, &k, &orig);
	/* Due, but behind an earlier-listed flow (DNS timers, clock jumps). */
	if (f != NULL && deadline_passed(f->expire_ns, t->now_ns)) {
		remove_flow(t, f, end_reason(f->list));
		f = NULL;
	}
	if (f != NULL && k.proto == FLOW_PROTO_TCP) {
		tcp_seg_of(d, ts_ns, &seg);
		if (flow_tcp_is_reuse(f, &seg)) {
			remove_flow(t, f, FLOW_END_REUSED);
			f = NULL;
		}
	}
	out->is_new = f == NULL;
	if (f == NULL) {
		f = create_flow(t, d, &k, ts_ns, packet_no);
		if (f == NULL) {
			t->stats.lost_pkts++;
			return false;
		}
		orig = !f->flipped;
	}
	out->is_orig = account(t, f, orig ? FLOW_ORIG : FLOW_RESP, d, ts_ns, wire_len) == FLOW_ORIG;
	place_flow(t, f);
	out->flow_id = f->id;
	out->proto = k.proto;
	out->attrib = &f->attrib;
	return true;
}

void flow_table_flush(struct flow_table *t)
{
	for (int i = 0; i < FLOW_LIST_COUNT; i++) {
		while (t->lists[i].head != NULL)
			remove_flow(t, t->lists[i].head, FLOW_END_FLUSH);
	}
}

void flow_table_free(struct flow_table *t)
{
	struct flow_slab *s, *next;

	if (t == NULL)
		return;
	for (s = t->slabs; s != NULL; s = next) {
		next = s->next;
		free(s);
	}
	free(t->buckets);
	community_id_hasher_free(t->cid);
	free(t);
}

void flow_table_set_anomaly(struct flow_table *t, flow_anomaly_fn fn, void *ctx)
{
	t->anomaly = fn;
	t->anomaly_ctx = ctx;
}

void flow_table_get_stats(const struct flow_table *t, struct flow_stats *out)
{
	*out = t->stats;
}
