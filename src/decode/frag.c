/* \summary: IP fragment reassembly: IPv4 (RFC 791 section 3.2) and IPv6
 * (RFC 8200 section 4.5), with caps on datagrams and bytes and a timeout */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"

/*
 * Overlap policy: first wins. Bytes already received are kept and a later
 * fragment only fills holes, as Zeek's reassembler and the BSD stacks do
 * (and Linux before 4.19, which now drops such datagrams as RFC 5722 asks
 * for IPv6). Every overlap is an anomaly: "fragment_overlap" when the
 * bytes agree, "fragment_inconsistency" when they differ (Zeek's names), so
 * an evasion attempt is visible while the analysis sees what Zeek sees.
 *
 * A datagram is keyed on (version, source, destination, id) and, for IPv4,
 * the protocol (RFC 791). It is dropped when its first fragment is older
 * than the timeout, when it would need more than FRAG_MAX_RANGES disjoint
 * pieces, or (oldest first) when the table is over its datagram or byte cap.
 */

#define FRAG_MAX_RANGES     64        /* disjoint pieces held per datagram */
#define FRAG_HDR_ROOM       256       /* largest unfragmentable part kept */
#define FRAG_MAX_IP_LEN     65535     /* the 16-bit length fields of both versions */
#define FRAG_BUF_STEP       2048
/* Zeek's MIN_ACCEPTABLE_FRAG_SIZE and MAX_ACCEPTABLE_FRAG_SIZE (src/Frag.cc). */
#define FRAG_SMALL_BYTES    64
#define FRAG_LARGE_BYTES    64000
/* RFC 791: the fields to rewrite in a rebuilt IPv4 header. */
#define IPV4_TOTAL_LEN_OFF  2
#define IPV4_FRAG_OFF       6
#define IPV4_FLAG_DF_HI     0x40      /* DF in the high byte of the flags/offset word */

struct frag_range {
	uint32_t lo, hi;
};

struct frag_dgram {
	struct frag_dgram *hnext;            /* hash chain, or the retired list */
	struct frag_dgram *older, *newer;    /* creation order */
	uint32_t hash;
	uint8_t version, proto;
	uint8_t next_proto;                  /* v6: the payload's protocol (offset 0 fragment) */
	bool have_hdr, hdr_from_first, have_last;
	uint8_t src[16], dst[16];
	uint32_t id;
	int64_t first_ts_ns;
	uint32_t end;                        /* payload length, once the last fragment came */
	uint16_t hdr_len, nh_off;
	uint16_t n_ranges;
	struct frag_range range[FRAG_MAX_RANGES];
	uint32_t cap;                        /* payload bytes allocated after the header room */
	uint8_t *buf;                        /* FRAG_HDR_ROOM bytes, then the payload */
};

static uint64_t dgram_bytes(const struct frag_dgram *g)
{
	return sizeof(*g) + FRAG_HDR_ROOM + (uint64_t)g->cap;
}

static uint32_t frag_hash(const struct frag_in *f)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	uint8_t key[4 + 2];

	key[0] = (uint8_t)(f->id >> 24);
	key[1] = (uint8_t)(f->id >> 16);
	key[2] = (uint8_t)(f->id >> 8);
	key[3] = (uint8_t)f->id;
	key[4] = f->version;
	key[5] = f->version == 4 ? f->proto : 0;
	for (size_t i = 0; i < sizeof(key); i++)
		h = (h ^ key[i]) * 16777619u;
	for (size_t i = 0; i < 16; i++)
		h = (h ^ f->src[i] ^ (uint32_t)f->dst[i] << 8) * 16777619u;
	return h;
}

static bool same_key(const struct frag_dgram *g, const struct frag_in *f, uint32_t hash)
{
	return g->hash == hash && g->version == f->version && g->id == f->id &&
	       (f->version != 4 || g->proto == f->proto) && memcmp(g->src, f->src, 16) == 0 &&
	       memcmp(g->dst, f->dst, 16) == 0;
}

/* Takes g out of the hash table and the creation list. */
static void dgram_unlink(struct decoder *d, struct frag_dgram *g)
{
	struct frag_dgram **pp = &d->buckets[g->hash & (d->n_buckets - 1)];

	while (*pp != g)
		pp = &(*pp)->hnext;
	*pp = g->hnext;
	g->hnext = NULL;
	if (g->older)
		g->older->newer = g->newer;
	else
		d->oldest = g->newer;
	if (g->newer)
		g->newer->older = g->older;
	else
		d->newest = g->older;
	d->n_dgrams--;
	d->frag_bytes -= dgram_bytes(g);
}

static void dgram_free(struct frag_dgram *g)
{
	free(g->buf);
	free(g);
}

static void dgram_drop(struct decoder *d, struct frag_dgram *g)
{
	dgram_unlink(d, g);
	dgram_free(g);
}

/* Evicts the oldest datagram other than keep; false when there is none. */
static bool evict_oldest(struct decoder *d, const struct frag_dgram *keep)
{
	struct frag_dgram *g = d->oldest;

	if (g == keep)
		g = g->newer;
	if (g == NULL)
		return false;
	dgram_drop(d, g);
	d->stats.frags_dropped_cap++;
	return true;
}

static struct frag_dgram *dgram_new(struct dstate *st, const struct frag_in *f, uint32_t hash)
{
	struct decoder *d = st->d;
	struct frag_dgram *g;
	uint32_t b;

	if (d->n_dgrams >= d->lim.max_frag_packets ||
	    d->frag_bytes + sizeof(*g) + FRAG_HDR_ROOM > d->lim.max_frag_bytes) {
		decode_anomaly(st, "fragment_table_full");
		while ((d->n_dgrams >= d->lim.max_frag_packets ||
			d->frag_bytes + sizeof(*g) + FRAG_HDR_ROOM > d->lim.max_frag_bytes) &&
		       evict_oldest(d, NULL))
			;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->buf = malloc(FRAG_HDR_ROOM);
	if (g->buf == NULL) {
		free(g);
		return NULL;
	}
	g->hash = hash;
	g->version = f->version;
	g->proto = f->proto;
	g->id = f->id;
	memcpy(g->src, f->src, 16);
	memcpy(g->dst, f->dst, 16);
	g->first_ts_ns = st->ts_ns;
	b = hash & (d->n_buckets - 1);
	g->hnext = d->buckets[b];
	d->buckets[b] = g;
	g->older = d->newest;
	if (d->newest)
		d->newest->newer = g;
	else
		d->oldest = g;
	d->newest = g;
	d->n_dgrams++;
	d->frag_bytes += dgram_bytes(g);
	return g;
}

static struct frag_dgram *dgram_find(struct dstate *st, const struct frag_in *f)
{
	struct decoder *d = st->d;
	uint32_t hash = frag_hash(f);
	struct frag_dgram *g;

	for (g = d->buckets[hash & (d->n_buckets - 1)]; g != NULL; g = g->hnext)
		if (same_key(g, f, hash))
			return g;
	return dgram_new(st, f, hash);
}

/* Grows the payload buffer to hold need bytes, within the byte cap. */
static bool dgram_reserve(struct decoder *d, struct frag_dgram *g, uint32_t need)
{
	uint32_t cap;
	uint8_t *nb;

	if (need <= g->cap)
		return true;
	cap = (need + FRAG_BUF_STEP - 1) / FRAG_BUF_STEP * FRAG_BUF_STEP;
	if (cap > FRAG_MAX_IP_LEN)
		cap = FRAG_MAX_IP_LEN;
	while (d->frag_bytes + (cap - g->cap) > d->lim.max_frag_bytes)
		if (!evict_oldest(d, g))
			return false;
	nb = realloc(g->buf, (size_t)FRAG_HDR_ROOM + cap);
	if (nb == NULL)
		return false;
	g->buf = nb;
	d->frag_bytes += cap - g->cap;
	g->cap = cap;
	return true;
}

/* Keeps the unfragmentable part; the offset-0 fragment's wins (Zeek takes
 * the next protocol from it too). */
static void dgram_header(struct dstate *st, struct frag_dgram *g, const struct frag_in *f)
{
	uint16_t len = (uint16_t)cur_left(&f->unfrag);

	if (g->have_hdr) {
		/* IPv4 keys on the protocol, so only its header length can differ */
		if (len != g->hdr_len || (g->version == 6 && f->proto != g->next_proto))
			decode_anomaly(st, "fragment_protocol_inconsistency");
		if (g->hdr_from_first || f->offset != 0)
			return;
	}
	memcpy(g->buf + FRAG_HDR_ROOM - len, cur_data(&f->unfrag), len);
	g->hdr_len = len;
	g->nh_off = f->nh_off;
	g->next_proto = f->proto;
	g->have_hdr = true;
	g->hdr_from_first = f->offset == 0;
}

/* Zeek's checks of a fragment's end against the datagram's (src/Frag.cc). */
static void dgram_end(struct dstate *st, struct frag_dgram *g, const struct frag_in *f, uint32_t upper)
{
	if (!f->more) {
		if (!g->have_last) {
			g->have_last = true;
			g->end = upper;
		} else if (upper != g->end) {
			decode_anomaly(st, "fragment_size_inconsistency");
			if (upper > g->end)
				g->end = upper;
		}
	} else if (f->total_len < FRAG_SMALL_BYTES) {
		decode_anomaly(st, "excessively_small_fragment");
	}
	if (g->have_last && upper > g->end) {
		decode_anomaly(st, "fragment_size_inconsistency");
		g->end = upper;
	}
}

/* Copies [lo, hi) where nothing was received yet; reports overlaps. */
static void fill_holes(struct dstate *st, struct frag_dgram *g, uint32_t lo, uint32_t hi,
		       const uint8_t *data)
{
	uint8_t *pay = g->buf + FRAG_HDR_ROOM;
	uint32_t pos = lo, a, b;
	bool overlap = false, differ = false;

	for (uint16_t i = 0; i < g->n_ranges && g->range[i].lo < hi; i++) {
		const struct frag_range *r = &g->range[i];

		if (r->hi <= lo)
			continue;
		a = r->lo > lo ? r->lo : lo;
		b = r->hi < hi ? r->hi : hi;
		overlap = true;
		differ |= memcmp(pay + a, data + (a - lo), b - a) != 0;
		if (a > pos)
			memcpy(pay + pos, data + (pos - lo), a - pos);
		pos = b;
	}
	if (pos < hi)
		memcpy(pay + pos, data + (pos - lo), hi - pos);
	if (overlap) {
		st->d->stats.frags_overlap++;
		decode_anomaly(st, differ ? "fragment_inconsistency" : "fragment_overlap");
	}
}

/* Adds [lo, hi) to the sorted, merged range list; false when it would overflow. */
static bool add_range(struct frag_dgram *g, uint32_t lo, uint32_t hi)
{
	struct frag_range merged[FRAG_MAX_RANGES + 1];
	uint16_t n = 0, i = 0;

	while (i < g->n_ranges && g->range[i].hi < lo)
		merged[n++] = g->range[i++];
	while (i < g->n_ranges && g->range[i].lo <= hi) {
		if (g->range[i].lo < lo)
			lo = g->range[i].lo;
		if (g->range[i].hi > hi)
			hi = g->range[i].hi;
		i++;
	}
	merged[n].lo = lo;
	merged[n++].hi = hi;
	while (i < g->n_ranges)
		merged[n++] = g->range[i++];
	if (n > FRAG_MAX_RANGES)
		return false;
	memcpy(g->range, merged, n * sizeof(merged[0]));
	g->n_ranges = n;
	return true;
}

/* The datagram as one packet when every byte is in, else false. */
static bool dgram_complete(struct dstate *st, struct frag_dgram *g, struct cur *whole)
{
	uint8_t *p;
	uint32_t total;

	if (!g->have_last || !g->have_hdr || g->n_ranges != 1 || g->range[0].lo != 0 ||
	    g->range[0].hi < g->end)
		return false;
	total = g->hdr_len + g->end;
	if (total > FRAG_MAX_IP_LEN)
		return false;
	p = g->buf + FRAG_HDR_ROOM - g->hdr_len;
	if (g->version == 4) {
		p[IPV4_TOTAL_LEN_OFF] = (uint8_t)(total >> 8);
		p[IPV4_TOTAL_LEN_OFF + 1] = (uint8_t)total;
		/* no MF, no offset: the rebuilt packet is not a fragment */
		p[IPV4_FRAG_OFF] &= IPV4_FLAG_DF_HI;
		p[IPV4_FRAG_OFF + 1] = 0;
	} else {
		p[IPV6_PLEN_OFF] = (uint8_t)((total - IPV6_HDR_BYTES) >> 8);
		p[IPV6_PLEN_OFF + 1] = (uint8_t)(total - IPV6_HDR_BYTES);
		/* the fragment header is gone: name the payload's protocol instead */
		p[g->nh_off] = g->next_proto;
	}
	*whole = cur_make(p, total);
	dgram_unlink(st->d, g);
	g->hnext = st->d->retired;
	st->d->retired = g;
	st->d->stats.frags_reassembled++;
	return true;
}

/* The size checks that need no datagram; false drops the fragment. */
static bool frag_sane(struct dstate *st, const struct frag_in *f, uint32_t upper)
{
	uint32_t unfrag = (uint32_t)cur_left(&f->unfrag);

	if (f->version == 4 && f->df)
		decode_anomaly(st, "fragment_with_DF");
	if (upper > FRAG_LARGE_BYTES)
		decode_anomaly(st, "excessively_large_fragment");
	if (unfrag > FRAG_HDR_ROOM || (f->version == 6 && f->nh_off >= unfrag)) {
		decode_anomaly(st, "fragment_header_too_large");
		return false;
	}
	/* the rebuilt length must fit its 16-bit field */
	return upper <= FRAG_MAX_IP_LEN - unfrag;
}

bool frag_add(struct dstate *st, const struct frag_in *f, struct cur *whole)
{
	uint32_t len = (uint32_t)cur_left(&f->data), upper = f->offset + len;
	struct frag_dgram *g;

	if (!frag_sane(st, f, upper))
		return false;
	g = dgram_find(st, f);
	if (g == NULL)
		return false;
	dgram_header(st, g, f);
	dgram_end(st, g, f, upper);
	if (len != 0) {
		if (!dgram_reserve(st->d, g, upper)) {
			dgram_drop(st->d, g);
			st->d->stats.frags_dropped_cap++;
			return false;
		}
		fill_holes(st, g, f->offset, upper, cur_data(&f->data));
		if (!add_range(g, f->offset, upper)) {
			decode_anomaly(st, "too_many_fragment_holes");
			dgram_drop(st->d, g);
			st->d->stats.frags_dropped_cap++;
			return false;
		}
	}
	return dgram_complete(st, g, whole);
}

/* Completed datagrams live until the packet after the one they completed. */
static void free_retired(struct decoder *d)
{
	struct frag_dgram *g;

	while ((g = d->retired) != NULL) {
		d->retired = g->hnext;
		dgram_free(g);
	}
}

void frag_tick(struct decoder *d, int64_t ts_ns)
{
	struct frag_dgram *g;

	free_retired(d);
	/* unsigned arithmetic: timestamps from a hostile file may be anything */
	while ((g = d->oldest) != NULL && ts_ns > g->first_ts_ns &&
	       (uint64_t)ts_ns - (uint64_t)g->first_ts_ns > (uint64_t)d->lim.frag_timeout_ns) {
		dgram_drop(d, g);
		d->stats.frags_timed_out++;
	}
}

void frag_free_all(struct decoder *d)
{
	while (d->oldest != NULL)
		dgram_drop(d, d->oldest);
	free_retired(d);
}
