/* \summary: the reorder window: captured packets wait briefly for late eBPF events */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "record/reorder.h"

struct reorder {
	struct reorder_pkt *ring;
	uint32_t cap, head, count;
	uint64_t bytes, max_bytes;
};

struct reorder *reorder_new(uint32_t max_packets, uint64_t max_bytes)
{
	struct reorder *q = calloc(1, sizeof(*q));

	if (q == NULL || max_packets == 0)
		goto fail;
	q->ring = calloc(max_packets, sizeof(*q->ring));
	if (q->ring == NULL)
		goto fail;
	q->cap = max_packets;
	q->max_bytes = max_bytes;
	return q;
fail:
	free(q);
	return NULL;
}

void reorder_free(struct reorder *q)
{
	if (q == NULL)
		return;
	while (q->count > 0)
		reorder_pop(q);
	free(q->ring);
	free(q);
}

bool reorder_push(struct reorder *q, int64_t ts_ns, int64_t arrival_ns, const uint8_t *data,
		  uint32_t caplen, uint32_t origlen)
{
	struct reorder_pkt *p;

	if (q->count == q->cap || (q->count > 0 && q->bytes + caplen > q->max_bytes))
		return false;
	p = &q->ring[(q->head + q->count) % q->cap];
	p->data = malloc(caplen ? caplen : 1);
	if (p->data == NULL)
		return false;
	memcpy(p->data, data, caplen);
	p->ts_ns = ts_ns;
	p->arrival_ns = arrival_ns;
	p->caplen = caplen;
	p->origlen = origlen;
	q->count++;
	q->bytes += caplen;
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
	struct reorder_pkt *p;

	if (q->count == 0)
		return;
	p = &q->ring[q->head];
	q->bytes -= p->caplen;
	free(p->data);
	p->data = NULL;
	q->head = (q->head + 1) % q->cap;
	q->count--;
}

uint32_t reorder_count(const struct reorder *q)
{
	return q->count;
}
