/* \summary: pid -> process row map with Wireshark's start-time matching; socket records by tuple */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "attrib/procmap.h"
#include "util/array.h"

#define BUCKETS 4096u   /* power of two */

#ifdef PIDCAP_TEST_HOOKS
static uint64_t test_allocs_left = UINT64_MAX;

void attrib_test_fail_allocs_after(uint64_t n)
{
	test_allocs_left = n;
}

bool attrib_alloc_refused(void)
{
	if (test_allocs_left == UINT64_MAX)
		return false;
	if (test_allocs_left == 0)
		return true;
	test_allocs_left--;
	return false;
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
	uint32_t bucket[BUCKETS];   /* first entry + 1 */
	struct entry *e;
	uint32_t n;
	size_t cap;
	uint64_t alloc_failed;
};

static uint32_t bucket_of(uint32_t pid)
{
	return (pid * 2654435761u) & (BUCKETS - 1);
}

struct procmap *procmap_new(void)
{
	return calloc(1, sizeof(struct procmap));
}

void procmap_free(struct procmap *pm)
{
	if (pm == NULL)
		return;
	free(pm->e);
	free(pm);
}

enum procmap_add_result procmap_add(struct procmap *pm, uint32_t pid, int64_t start_ns,
				    int64_t row)
{
	uint32_t b = bucket_of(pid);

	if (pm->n >= PROCMAP_MAX_ENTRIES)
		return PROCMAP_FULL;
	if (attrib_alloc_refused() || !ARRAY_RESERVE(pm->e, pm->cap, pm->n + 1, 64)) {
		pm->alloc_failed++;
		return PROCMAP_NO_MEMORY;
	}
	pm->e[pm->n] = (struct entry){ pid, start_ns, row, 0, 0, pm->bucket[b] };
	pm->bucket[b] = ++pm->n;
	return PROCMAP_ADDED;
}

uint64_t procmap_alloc_failed(const struct procmap *pm)
{
	return pm->alloc_failed;
}

int64_t procmap_find(const struct procmap *pm, uint32_t pid, int64_t ts_ns)
{
	const struct entry *best_before = NULL, *earliest = NULL, *unstarted = NULL;

	for (uint32_t i = pm->bucket[bucket_of(pid)]; i != 0; i = pm->e[i - 1].next) {
		const struct entry *e = &pm->e[i - 1];

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

void procmap_count(struct procmap *pm, int64_t row, uint64_t packets, uint64_t flows)
{
	/* Rows are inserted one after another, so row - first row is the index;
	 * fall back to a scan should that ever not hold. */
	uint64_t i = pm->n ? (uint64_t)(row - pm->e[0].row) : 0;

	if (!(i < pm->n && pm->e[i].row == row)) {
		for (i = 0; i < pm->n && pm->e[i].row != row; i++)
			;
		if (i == pm->n)
			return;
	}
	pm->e[i].packets += packets;
	pm->e[i].flows += flows;
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
#define FNV_OFFSET       2166136261u
#define FNV_PRIME        16777619u

enum port_proto {   /* transports whose packets carry ports (IANA protocol numbers) */
	PROTO_TCP = 6, PROTO_UDP = 17, PROTO_DCCP = 33, PROTO_SCTP = 132, PROTO_UDPLITE = 136,
};

/* What a socket is hashed on; remote zero for listeners and unconnected sockets. */
struct sock_key {
	uint8_t family, proto;
	uint16_t lport, rport;
	uint8_t laddr[ADDR_BYTES], raddr[ADDR_BYTES];
};

struct sock_entry {
	struct sock_record rec;
	uint64_t packets;
	uint32_t hash;
	uint32_t next;       /* next entry of the same bucket + 1, 0 = end */
};

struct sockmap {
	uint32_t *bucket;    /* first entry + 1 */
	uint32_t n_buckets;  /* power of two */
	struct sock_entry *e;
	uint32_t n;
	size_t cap;
	uint64_t alloc_failed;
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
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = FNV_OFFSET;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

static bool key_eq_record(const struct sock_key *k, const struct sock_record *r)
{
	struct sock_key rk;

	key_of_record(r, &rk);
	return memcmp(k, &rk, sizeof(rk)) == 0;
}

struct sockmap *sockmap_new(void)
{
	struct sockmap *sm = calloc(1, sizeof(*sm));

	if (sm == NULL)
		return NULL;
	sm->bucket = calloc(SOCK_BUCKETS_MIN, sizeof(*sm->bucket));
	if (sm->bucket == NULL) {
		free(sm);
		return NULL;
	}
	sm->n_buckets = SOCK_BUCKETS_MIN;
	return sm;
}

void sockmap_free(struct sockmap *sm)
{
	if (sm == NULL)
		return;
	free(sm->bucket);
	free(sm->e);
	free(sm);
}

/* Doubles the buckets when there are as many entries; a failure keeps the old ones. */
static void sock_rehash(struct sockmap *sm)
{
	uint32_t nb = sm->n_buckets * 2, *b;

	if (sm->n < sm->n_buckets || nb == 0)
		return;
	b = attrib_alloc_refused() ? NULL : calloc(nb, sizeof(*b));
	if (b == NULL) {
		sm->alloc_failed++;
		return;
	}
	for (uint32_t i = 0; i < sm->n; i++) {
		uint32_t slot = sm->e[i].hash & (nb - 1);

		sm->e[i].next = b[slot];
		b[slot] = i + 1;
	}
	free(sm->bucket);
	sm->bucket = b;
	sm->n_buckets = nb;
}

/* The entry that r describes again: same tuple, same owner, same socket. */
static struct sock_entry *sock_same(struct sockmap *sm, const struct sock_key *k, uint32_t h,
				    const struct sock_record *r)
{
	for (uint32_t i = sm->bucket[h & (sm->n_buckets - 1)]; i != 0; i = sm->e[i - 1].next) {
		struct sock_entry *e = &sm->e[i - 1];

		if (e->hash != h || e->rec.pid != r->pid || e->rec.cookie != r->cookie ||
		    !key_eq_record(k, &e->rec))
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
	uint32_t h, slot;

	key_of_record(r, &k);
	h = key_hash(&k);
	e = sock_same(sm, &k, h, r);
	if (e != NULL) {
		if (r->last_ns != 0 || r->final)
			e->rec.last_ns = r->last_ns;
		e->rec.final |= r->final;
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
	slot = h & (sm->n_buckets - 1);
	sm->e[sm->n] = (struct sock_entry){ *r, 0, h, sm->bucket[slot] };
	sm->bucket[slot] = ++sm->n;
	sock_rehash(sm);
	return SOCKMAP_ADDED;
}

static bool in_window(const struct sock_record *r, int64_t ts)
{
	return (r->first_ns == 0 || ts >= ns_sub_sat(r->first_ns, SOCKMAP_SLACK_NS)) &&
	       (r->last_ns == 0 || ts <= ns_add_sat(r->last_ns, SOCKMAP_SLACK_NS));
}

/* The matching socket with the latest first_ns (id), or 0. */
static uint32_t sock_lookup(const struct sockmap *sm, const struct sock_key *k, int64_t ts)
{
	uint32_t h = key_hash(k), best = 0;

	for (uint32_t i = sm->bucket[h & (sm->n_buckets - 1)]; i != 0; i = sm->e[i - 1].next) {
		const struct sock_entry *e = &sm->e[i - 1];

		if (e->hash != h || !key_eq_record(k, &e->rec) || !in_window(&e->rec, ts))
			continue;
		if (best == 0 || e->rec.first_ns > sm->e[best - 1].rec.first_ns)
			best = i;
	}
	return best;
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
