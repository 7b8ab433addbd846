/* \summary: the reorder window: captured packets wait briefly for late eBPF events */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "record/reorder.h"

/*
 * Packet bytes live in one circular arena (no allocation per packet): each
 * packet is stored contiguously at the write position, or at the start of
 * the arena when it does not fit before the end. The oldest packet's bytes
 * start at the read position.
 */
struct reorder {
	struct reorder_pkt *ring;
	uint32_t cap, head, count;
	uint8_t *arena;
	size_t size, wpos, rpos;
};

struct reorder *reorder_new(uint32_t max_packets, uint64_t max_bytes)
{
	struct reorder *q = calloc(1, sizeof(*q));

	if (q == NULL || max_packets == 0 || max_bytes == 0)
		goto fail;
	q->ring = calloc(max_packets, sizeof(*q->ring));
	q->arena = malloc(max_bytes);
	if (q->ring == NULL || q->arena == NULL)
		goto fail;
	/* fault the pages in now: a first touch while packets stream costs more
	 * than the copy itself */
	memset(q->arena, 0, max_bytes);
	q->cap = max_packets;
	q->size = max_bytes;
	return q;
fail:
	if (q != NULL) {
		free(q->ring);
		free(q->arena);
	}
	free(q);
	return NULL;
}

void reorder_free(struct reorder *q)
{
	if (q == NULL)
		return;
	free(q->ring);
	free(q->arena);
	free(q);
}

/* Where n contiguous bytes fit, or (size_t)-1. */
static size_t place(const struct reorder *q, size_t n)
{
	if (q->count == 0)
		return n <= q->size ? 0 : (size_t)-1;
	if (q->wpos > q->rpos || (q->wpos == q->rpos && q->count == 0)) {
		if (n <= q->size - q->wpos)
			return q->wpos;
		return n < q->rpos ? 0 : (size_t)-1;   /* wrap; never catch up with rpos */
	}
	return q->wpos + n < q->rpos ? q->wpos : (size_t)-1;
}

bool reorder_push(struct reorder *q, int64_t ts_ns, int64_t arrival_ns, const uint8_t *data,
		  uint32_t caplen, uint32_t origlen)
{
	struct reorder_pkt *p;
	size_t at;

	if (q->count == q->cap)
		return false;
	at = place(q, caplen);
	if (at == (size_t)-1)
		return false;
	p = &q->ring[(q->head + q->count) % q->cap];
	p->data = q->arena + at;
	memcpy(p->data, data, caplen);
	p->ts_ns = ts_ns;
	p->arrival_ns = arrival_ns;
	p->caplen = caplen;
	p->origlen = origlen;
	if (q->count == 0)
		q->rpos = at;
	q->wpos = at + caplen;
	q->count++;
	return true;
}

const struct reorder_pkt *reorder_peek(const struct reorder *q, int64_t not_after_ns)
{
	const struct reorder_pkt *p;

	if (q->count == 0)
		return NULL;
	p = &q->ring[q->head];
	return p->arrival_ns <= not_after_ns ? p : NULL;
}

void reorder_pop(struct reorder *q)
{
	if (q->count == 0)
		return;
	q->ring[q->head].data = NULL;
	q->head = (q->head + 1) % q->cap;
	q->count--;
	if (q->count == 0)
		q->rpos = q->wpos = 0;
	else
		q->rpos = (size_t)(q->ring[q->head].data - q->arena);
}

uint32_t reorder_count(const struct reorder *q)
{
	return q->count;
}
