/* \summary: pid -> process row map with Wireshark's start-time matching; socket records by tuple */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "attrib/procmap.h"
#include "util/array.h"
#include "util/mix.h"
#include "util/testhook.h"
#include "util/units.h"

#define PROC_BUCKETS_MIN 4096u   /* power of two; doubled as the map fills */

#ifdef PIDCAP_TEST_HOOKS
static uint64_t test_allocs_left = UINT64_MAX;

void attrib_test_fail_allocs_after(uint64_t n)
{
	test_allocs_left = n;
}

bool attrib_alloc_refused(void)
{
	return testhook_alloc_refused(&test_allocs_left);
}
#else
bool attrib_alloc_refused(void)
{
	return false;
}
#endif

struct entry {
	uint32_t pid;
	int64_t start_ns;
	int64_t row;
	uint64_t packets, flows;
	uint32_t next;       /* next entry of the same bucket + 1, 0 = end */
};

struct procmap {
	uint32_t *bucket;    /* first entry + 1; chains list the newest first */
	uint32_t n_buckets;  /* power of two, at least the entries (but on out of memory) */
	struct entry *e;
	uint32_t n;
	size_t cap;
	uint64_t alloc_failed, probes;
	bool rows_sorted;    /* every entry's row above the previous one's */
};

/* The maps count probes from lookups that take them const: they only ever
 * live on the heap (procmap_new, sockmap_new), never in const objects. */
#define COUNT_PROBE(map) ((void)((*(uint64_t *)&(map)->probes)++))

static uint32_t bucket_of(const struct procmap *pm, uint32_t pid)
{
	return (uint32_t)mix64(pid) & (pm->n_buckets - 1);
}

struct procmap *procmap_new(void)
{
	struct procmap *pm = calloc(1, sizeof(*pm));

	if (pm == NULL)
		return NULL;
	pm->bucket = calloc(PROC_BUCKETS_MIN, sizeof(*pm->bucket));
	if (pm->bucket == NULL) {
		free(pm);
		return NULL;
	}
	pm->n_buckets = PROC_BUCKETS_MIN;
	pm->rows_sorted = true;
	return pm;
}

void procmap_free(struct procmap *pm)
{
	if (pm == NULL)
		return;
	free(pm->bucket);
	free(pm->e);
	free(pm);
}

/* Doubles the buckets when there are as many entries; a failure keeps the
 * old ones (longer chains, still correct) and is counted. */
static void proc_rehash(struct procmap *pm)
{
	uint32_t nb = pm->n_buckets * 2, *b;

	if (pm->n < pm->n_buckets || nb == 0)
		return;
	b = attrib_alloc_refused() ? NULL : calloc(nb, sizeof(*b));
	if (b == NULL) {
		pm->alloc_failed++;
		return;
	}
	free(pm->bucket);
	pm->bucket = b;
	pm->n_buckets = nb;
	/* in insertion order, so that every chain lists the newest first again */
	for (uint32_t i = 0; i < pm->n; i++) {
		uint32_t slot = bucket_of(pm, pm->e[i].pid);

		pm->e[i].next = b[slot];
		b[slot] = i + 1;
	}
}

/* Entries of pid (in bucket b), counted up to the per-pid cap. */
static uint32_t pid_entries(const struct procmap *pm, uint32_t pid, uint32_t b)
{
	uint32_t n = 0;

	for (uint32_t i = pm->bucket[b]; i != 0 && n < PROCMAP_MAX_PER_PID; i = pm->e[i - 1].next)
		n += pm->e[i - 1].pid == pid;
	return n;
}

enum procmap_add_result procmap_add(struct procmap *pm, uint32_t pid, int64_t start_ns,
				    int64_t row)
{
	uint32_t b = bucket_of(pm, pid);

	if (pm->n >= PROCMAP_MAX_ENTRIES || pid_entries(pm, pid, b) >= PROCMAP_MAX_PER_PID)
		return PROCMAP_FULL;
	if (attrib_alloc_refused() || !ARRAY_RESERVE(pm->e, pm->cap, pm->n + 1, 64)) {
		pm->alloc_failed++;
		return PROCMAP_NO_MEMORY;
	}
	if (pm->n > 0 && row <= pm->e[pm->n - 1].row)
		pm->rows_sorted = false;
	pm->e[pm->n] = (struct entry){ pid, start_ns, row, 0, 0, pm->bucket[b] };
	pm->bucket[b] = ++pm->n;
	proc_rehash(pm);
	return PROCMAP_ADDED;
}

int64_t procmap_find(const struct procmap *pm, uint32_t pid, int64_t ts_ns)
{
	const struct entry *best_before = NULL, *earliest = NULL, *unstarted = NULL;

	for (uint32_t i = pm->bucket[bucket_of(pm, pid)]; i != 0; i = pm->e[i - 1].next) {
		const struct entry *e = &pm->e[i - 1];

		COUNT_PROBE(pm);
		if (e->pid != pid)
			continue;
		if (e->start_ns == PROCMAP_NO_START) {
			/* buckets list newest first: the first seen is the last written */
			if (unstarted == NULL)
				unstarted = e;
			continue;
		}
		if (e->start_ns <= ts_ns && (best_before == NULL || e->start_ns > best_before->start_ns))
			best_before = e;
		if (earliest == NULL || e->start_ns < earliest->start_ns)
			earliest = e;
	}
	if (best_before != NULL)
		return best_before->row;
	if (unstarted != NULL)
		return unstarted->row;
	return earliest != NULL ? earliest->row : 0;
}

uint64_t procmap_alloc_failed(const struct procmap *pm)
{
	return pm->alloc_failed;
}

uint64_t procmap_probes(const struct procmap *pm)
{
	return pm->probes;
}

/*
 * The entry of a row, or NULL. The store hands rows out in increasing
 * order, so row - first row is the index while no row was skipped, and the
 * entries are sorted by row anyway (a binary search); a scan only should
 * that ever not hold. A row the map does not hold (past its caps) is
 * searched for on every packet of its process: never scanned for.
 */
static struct entry *entry_of_row(struct procmap *pm, int64_t row)
{
	uint64_t i = pm->n ? (uint64_t)row - (uint64_t)pm->e[0].row : 0;
	uint32_t lo = 0, hi = pm->n;

	if (i < pm->n && pm->e[i].row == row)
		return &pm->e[i];
	if (!pm->rows_sorted) {
		for (i = 0; i < pm->n; i++) {
			if (pm->e[i].row == row)
				return &pm->e[i];
		}
		return NULL;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (pm->e[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pm->n && pm->e[lo].row == row ? &pm->e[lo] : NULL;
}

void procmap_count(struct procmap *pm, int64_t row, uint64_t packets, uint64_t flows)
{
	struct entry *e = entry_of_row(pm, row);

	if (e == NULL)
		return;
	e->packets += packets;
	e->flows += flows;
}

void procmap_each(const struct procmap *pm, void (*fn)(void *ctx, int64_t row, uint64_t packets,
						       uint64_t flows), void *ctx)
{
	for (uint32_t i = 0; i < pm->n; i++)
		fn(ctx, pm->e[i].row, pm->e[i].packets, pm->e[i].flows);
}

uint32_t procmap_size(const struct procmap *pm)
{
	return pm->n;
}

/* ---------------------------------------------------------------- sockets */

#define SOCK_BUCKETS_MIN 1024u   /* power of two; doubled as the table fills */
#define ADDR_BYTES       16u
#define V4_BYTES         4u
#define V4MAPPED_PREFIX  12u     /* ::ffff:a.b.c.d */
#define FAMILY_V4        4u
#define FAMILY_V6        6u
#define KEY_WORDS        5u      /* struct sock_key in 64-bit words, rounded up */

enum port_proto {   /* transports whose packets carry ports (IANA protocol numbers) */
	PROTO_TCP = 6, PROTO_UDP = 17, PROTO_DCCP = 33, PROTO_SCTP = 132, PROTO_UDPLITE = 136,
};

/* What a socket is hashed on; remote zero for listeners and unconnected sockets. */
struct sock_key {
	uint8_t family, proto;
	uint16_t lport, rport;
	uint8_t laddr[ADDR_BYTES], raddr[ADDR_BYTES];
};

/*
 * Records are found two ways. A new record looks for the one it describes
 * again by its identity (tuple, pid, and cookie or first_ns): one hash
 * chain over the entries. A packet looks for the records on a tuple: one
 * hash chain over the tuples (groups), whose records are kept in an array
 * sorted by window start, so a binary search finds the latest started
 * record whose window opened by then, and a short walk back the one whose
 * window is still open. Many records on one tuple (a port reused 400,000
 * times) cost a logarithm, not a scan.
 */
struct sock_entry {
	struct sock_record rec;
	uint64_t packets;
	int64_t order_ns;    /* window start when added: its place in the group */
	uint32_t id_hash;    /* of the identity */
	uint32_t id_next;    /* next entry of the same identity bucket + 1, 0 = end */
	uint32_t group;      /* its tuple's group */
};

struct sock_group {
	struct sock_key key;
	uint32_t hash;       /* of the key */
	uint32_t next;       /* next group of the same bucket + 1, 0 = end */
	uint32_t n;          /* records on the tuple */
	uint32_t one;        /* the record (+ 1) while n == 1 */
	uint32_t *ids;       /* n > 1: records (+ 1) by (order_ns, insertion) */
	size_t cap;
};

struct sockmap {
	uint32_t *id_bucket;   /* first entry + 1 */
	uint32_t *grp_bucket;  /* first group + 1 */
	uint32_t n_buckets;    /* power of two, both arrays */
	struct sock_entry *e;
	uint32_t n;
	size_t cap;
	struct sock_group *g;
	uint32_t n_groups;
	size_t g_cap;
	uint64_t alloc_failed, probes, walks_cut;
};

static bool v4mapped(const uint8_t a[ADDR_BYTES])
{
	static const uint8_t prefix[V4MAPPED_PREFIX] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, V4MAPPED_PREFIX) == 0;
}

static bool all_zero(const uint8_t a[ADDR_BYTES])
{
	static const uint8_t zero[ADDR_BYTES];

	return memcmp(a, zero, ADDR_BYTES) == 0;
}

/* Copies an address of family into the key's form: IPv4 (and IPv4-mapped) in 4 bytes. */
static void key_addr(uint8_t family, bool as_v4, const uint8_t *a, uint8_t out[ADDR_BYTES])
{
	memset(out, 0, ADDR_BYTES);
	if (family == FAMILY_V4)
		memcpy(out, a, V4_BYTES);
	else if (as_v4)
		memcpy(out, a + V4MAPPED_PREFIX, V4_BYTES);
	else
		memcpy(out, a, ADDR_BYTES);
}

static void key_make(struct sock_key *k, uint8_t family, uint8_t proto, const uint8_t *laddr,
		     uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	bool as_v4 = family == FAMILY_V6 && v4mapped(laddr) &&
		     (raddr == NULL || v4mapped(raddr) || all_zero(raddr));

	memset(k, 0, sizeof(*k));
	k->family = as_v4 ? FAMILY_V4 : family;
	k->proto = proto;
	k->lport = lport;
	k->rport = raddr != NULL ? rport : 0;
	key_addr(family, as_v4, laddr, k->laddr);
	if (raddr != NULL)
		key_addr(family, as_v4, raddr, k->raddr);
}

static void key_of_record(const struct sock_record *r, struct sock_key *k)
{
	bool connected = !r->listener && r->rport != 0;

	key_make(k, r->family, r->ip_proto, r->laddr, r->lport, connected ? r->raddr : NULL,
		 r->rport);
}

static uint32_t key_hash(const struct sock_key *k)
{
	uint64_t w[KEY_WORDS] = { 0 }, h = 0;

	memcpy(w, k, sizeof(*k));
	for (size_t i = 0; i < KEY_WORDS; i++)
		h = mix64(h ^ w[i]);
	return (uint32_t)h;
}

/* What makes a record the same socket as another on its tuple. */
static uint32_t identity_hash(uint32_t key_hash_v, const struct sock_record *r)
{
	uint64_t which = r->cookie != 0 ? r->cookie : (uint64_t)r->first_ns;

	return (uint32_t)mix64(mix64(((uint64_t)key_hash_v << 32) ^ r->pid) ^ which);
}

/* Where a record's window starts: first_ns less the slack, open when unknown. */
static int64_t window_start(const struct sock_record *r)
{
	return r->first_ns == 0 ? INT64_MIN : ns_sub_sat(r->first_ns, SOCKMAP_SLACK_NS);
}

static bool in_window(const struct sock_record *r, int64_t ts)
{
	return ts >= window_start(r) &&
	       (r->last_ns == 0 || ts <= ns_add_sat(r->last_ns, SOCKMAP_SLACK_NS));
}

struct sockmap *sockmap_new(void)
{
	struct sockmap *sm = calloc(1, sizeof(*sm));

	if (sm == NULL)
		return NULL;
	sm->id_bucket = calloc(SOCK_BUCKETS_MIN, sizeof(*sm->id_bucket));
	sm->grp_bucket = calloc(SOCK_BUCKETS_MIN, sizeof(*sm->grp_bucket));
	if (sm->id_bucket == NULL || sm->grp_bucket == NULL) {
		sockmap_free(sm);
		return NULL;
	}
	sm->n_buckets = SOCK_BUCKETS_MIN;
	return sm;
}

void sockmap_free(struct sockmap *sm)
{
	if (sm == NULL)
		return;
	for (uint32_t i = 0; i < sm->n_groups; i++)
		free(sm->g[i].ids);
	free(sm->g);
	free(sm->id_bucket);
	free(sm->grp_bucket);
	free(sm->e);
	free(sm);
}

/* Doubles both bucket arrays when there are as many entries; a failure
 * keeps the old ones (longer chains, still correct) and is counted. */
static void sock_rehash(struct sockmap *sm)
{
	uint32_t nb = sm->n_buckets * 2, *ib, *gb;

	if (sm->n < sm->n_buckets || nb == 0)
		return;
	ib = attrib_alloc_refused() ? NULL : calloc(nb, sizeof(*ib));
	gb = ib == NULL || attrib_alloc_refused() ? NULL : calloc(nb, sizeof(*gb));
	if (gb == NULL) {
		free(ib);
		sm->alloc_failed++;
		return;
	}
	for (uint32_t i = 0; i < sm->n; i++) {
		uint32_t slot = sm->e[i].id_hash & (nb - 1);

		sm->e[i].id_next = ib[slot];
		ib[slot] = i + 1;
	}
	for (uint32_t i = 0; i < sm->n_groups; i++) {
		uint32_t slot = sm->g[i].hash & (nb - 1);

		sm->g[i].next = gb[slot];
		gb[slot] = i + 1;
	}
	free(sm->id_bucket);
	free(sm->grp_bucket);
	sm->id_bucket = ib;
	sm->grp_bucket = gb;
	sm->n_buckets = nb;
}

/* The group of a tuple (+ 1), or 0. */
static uint32_t group_find(const struct sockmap *sm, const struct sock_key *k, uint32_t h)
{
	for (uint32_t i = sm->grp_bucket[h & (sm->n_buckets - 1)]; i != 0; i = sm->g[i - 1].next) {
		COUNT_PROBE(sm);
		if (sm->g[i - 1].hash == h && memcmp(&sm->g[i - 1].key, k, sizeof(*k)) == 0)
			return i;
	}
	return 0;
}

/* Record j (0-based) of a group, as an entry index + 1. */
static uint32_t group_at(const struct sock_group *g, uint32_t j)
{
	return g->n == 1 ? g->one : g->ids[j];
}

/* How many records of g have order_ns <= ts: the binary search. */
static uint32_t group_upper(const struct sockmap *sm, const struct sock_group *g, int64_t ts)
{
	uint32_t lo = 0, hi = g->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		COUNT_PROBE(sm);
		if (sm->e[group_at(g, mid) - 1].order_ns <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Files entry id (+ 1) in its group by window start. A record that comes
 * more than SOCKMAP_MAX_SHIFT places behind its tuple's latest (recorders
 * write them in order) is refused rather than shifting the array.
 */
static enum sockmap_add_result group_insert(struct sockmap *sm, struct sock_group *g, uint32_t id)
{
	uint32_t pos;

	if (g->n == 0) {
		g->one = id;
		g->n = 1;
		return SOCKMAP_ADDED;
	}
	if (attrib_alloc_refused() || !ARRAY_RESERVE(g->ids, g->cap, (size_t)g->n + 1, 4)) {
		sm->alloc_failed++;
		return SOCKMAP_NO_MEMORY;
	}
	if (g->n == 1)
		g->ids[0] = g->one;
	/* in order, as recorders write them: at the end, without a search */
	if (sm->e[group_at(g, g->n - 1) - 1].order_ns <= sm->e[id - 1].order_ns)
		pos = g->n;
	else
		pos = group_upper(sm, g, sm->e[id - 1].order_ns);
	if (g->n - pos > SOCKMAP_MAX_SHIFT)
		return SOCKMAP_FULL;
	memmove(&g->ids[pos + 1], &g->ids[pos], (size_t)(g->n - pos) * sizeof(*g->ids));
	g->ids[pos] = id;
	g->n++;
	return SOCKMAP_ADDED;
}

/* The group for a new record's tuple (+ 1), created if need be; 0 when memory is short. */
static uint32_t group_get(struct sockmap *sm, const struct sock_key *k, uint32_t h)
{
	uint32_t gi = group_find(sm, k, h), slot;

	if (gi != 0)
		return gi;
	if (attrib_alloc_refused() ||
	    !ARRAY_RESERVE(sm->g, sm->g_cap, (size_t)sm->n_groups + 1, 64)) {
		sm->alloc_failed++;
		return 0;
	}
	slot = h & (sm->n_buckets - 1);
	sm->g[sm->n_groups] = (struct sock_group){ .key = *k, .hash = h, .next = sm->grp_bucket[slot] };
	sm->grp_bucket[slot] = ++sm->n_groups;
	return sm->n_groups;
}

/* The entry that r describes again: same tuple, same owner, same socket. */
static struct sock_entry *sock_same(struct sockmap *sm, uint32_t gi, uint32_t idh,
				    const struct sock_record *r)
{
	for (uint32_t i = sm->id_bucket[idh & (sm->n_buckets - 1)]; i != 0; i = sm->e[i - 1].id_next) {
		struct sock_entry *e = &sm->e[i - 1];

		COUNT_PROBE(sm);
		if (e->id_hash != idh || e->group != gi || e->rec.pid != r->pid ||
		    e->rec.cookie != r->cookie)
			continue;
		if (r->cookie != 0 || e->rec.first_ns == r->first_ns)
			return e;
	}
	return NULL;
}

enum sockmap_add_result sockmap_add(struct sockmap *sm, const struct sock_record *r)
{
	struct sock_key k;
	struct sock_entry *e;
	enum sockmap_add_result res;
	uint32_t h, idh, gi, slot;

	key_of_record(r, &k);
	h = key_hash(&k);
	idh = identity_hash(h, r);
	gi = group_find(sm, &k, h);
	e = gi != 0 ? sock_same(sm, gi, idh, r) : NULL;
	if (e != NULL) {
		if (r->last_ns != 0 || r->final)
			e->rec.last_ns = r->last_ns;
		e->rec.final |= r->final;
		/* its place in the group (order_ns) stays: see sockmap_find */
		if (e->rec.first_ns == 0)
			e->rec.first_ns = r->first_ns;
		return SOCKMAP_UPDATED;
	}
	if (sm->n >= SOCKMAP_MAX_ENTRIES)
		return SOCKMAP_FULL;
	if (attrib_alloc_refused() || !ARRAY_RESERVE(sm->e, sm->cap, sm->n + 1, 64)) {
		sm->alloc_failed++;
		return SOCKMAP_NO_MEMORY;
	}
	if ((gi = group_get(sm, &k, h)) == 0)
		return SOCKMAP_NO_MEMORY;
	sm->e[sm->n] = (struct sock_entry){ .rec = *r, .order_ns = window_start(r), .id_hash = idh,
					    .group = gi };
	res = group_insert(sm, &sm->g[gi - 1], sm->n + 1);
	if (res != SOCKMAP_ADDED)
		return res;   /* only a group that had records refuses one */
	slot = idh & (sm->n_buckets - 1);
	sm->e[sm->n].id_next = sm->id_bucket[slot];
	sm->id_bucket[slot] = ++sm->n;
	sock_rehash(sm);
	return SOCKMAP_ADDED;
}

/* The matching socket that started last (id), or 0: the latest record whose
 * window opened by ts, walking back at most SOCKMAP_MAX_WALK records to one
 * whose window has not closed. */
static uint32_t sock_lookup(const struct sockmap *sm, const struct sock_key *k, int64_t ts)
{
	uint32_t h = key_hash(k), gi = group_find(sm, k, h), j, stop;
	const struct sock_group *g;

	if (gi == 0)
		return 0;
	g = &sm->g[gi - 1];
	j = group_upper(sm, g, ts);
	stop = j > SOCKMAP_MAX_WALK ? j - SOCKMAP_MAX_WALK : 0;
	while (j > stop) {
		uint32_t id = group_at(g, --j);

		COUNT_PROBE(sm);
		if (in_window(&sm->e[id - 1].rec, ts))
			return id;
	}
	if (stop != 0)
		(*(uint64_t *)&sm->walks_cut)++;
	return 0;
}

static bool has_ports(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP: case PROTO_UDP: case PROTO_DCCP: case PROTO_SCTP: case PROTO_UDPLITE:
		return true;
	default:
		return false;
	}
}

/* Listener or unconnected socket on (addr, port), then on a wildcard address. */
static uint32_t sock_find_local(const struct sockmap *sm, const struct ip_endpoints *ip,
				const uint8_t *addr, uint16_t port, int64_t ts)
{
	static const uint8_t any[ADDR_BYTES];
	struct sock_key k;
	uint32_t id;

	key_make(&k, ip->version, ip->proto, addr, port, NULL, 0);
	if ((id = sock_lookup(sm, &k, ts)) != 0)
		return id;
	key_make(&k, ip->version, ip->proto, any, port, NULL, 0);
	if ((id = sock_lookup(sm, &k, ts)) != 0)
		return id;
	if (k.family != FAMILY_V4)
		return 0;
	/* a dual-stack socket bound to :: receives IPv4 too */
	key_make(&k, FAMILY_V6, ip->proto, any, port, NULL, 0);
	return sock_lookup(sm, &k, ts);
}

uint32_t sockmap_find(const struct sockmap *sm, const struct ip_endpoints *ip, int64_t ts_ns)
{
	struct sock_key k;
	uint32_t id;

	if (sm->n == 0 || (ip->version != FAMILY_V4 && ip->version != FAMILY_V6) ||
	    !has_ports(ip->proto))
		return 0;
	if (ip->dport != 0) {
		key_make(&k, ip->version, ip->proto, ip->src, ip->sport, ip->dst, ip->dport);
		if ((id = sock_lookup(sm, &k, ts_ns)) != 0)
			return id;
	}
	if (ip->sport != 0) {
		key_make(&k, ip->version, ip->proto, ip->dst, ip->dport, ip->src, ip->sport);
		if ((id = sock_lookup(sm, &k, ts_ns)) != 0)
			return id;
	}
	if ((id = sock_find_local(sm, ip, ip->src, ip->sport, ts_ns)) != 0)
		return id;
	return sock_find_local(sm, ip, ip->dst, ip->dport, ts_ns);
}

const struct sock_record *sockmap_record(const struct sockmap *sm, uint32_t id)
{
	return id != 0 && id <= sm->n ? &sm->e[id - 1].rec : NULL;
}

void sockmap_count(struct sockmap *sm, uint32_t id)
{
	if (id != 0 && id <= sm->n)
		sm->e[id - 1].packets++;
}

void sockmap_each(const struct sockmap *sm, void (*fn)(void *ctx, const struct sock_record *r,
						       uint64_t packets), void *ctx)
{
	for (uint32_t i = 0; i < sm->n; i++)
		fn(ctx, &sm->e[i].rec, sm->e[i].packets);
}

uint32_t sockmap_size(const struct sockmap *sm)
{
	return sm->n;
}

uint64_t sockmap_alloc_failed(const struct sockmap *sm)
{
	return sm->alloc_failed;
}

uint64_t sockmap_probes(const struct sockmap *sm)
{
	return sm->probes;
}

uint64_t sockmap_walks_cut(const struct sockmap *sm)
{
	return sm->walks_cut;
}
