/* \summary: pid -> process row map with Wireshark's start-time matching */
#include "config.h"

#include <stdlib.h>

#include "analyze/procmap.h"

#define BUCKETS 4096u   /* power of two */

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
	uint32_t n, cap;
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

bool procmap_add(struct procmap *pm, uint32_t pid, int64_t start_ns, int64_t row)
{
	uint32_t b = bucket_of(pid);

	if (pm->n >= PROCMAP_MAX_ENTRIES)
		return false;
	if (pm->n == pm->cap) {
		uint32_t ncap = pm->cap ? pm->cap * 2 : 64;
		struct entry *ne = realloc(pm->e, ncap * sizeof(*ne));

		if (ne == NULL)
			return false;
		pm->e = ne;
		pm->cap = ncap;
	}
	pm->e[pm->n] = (struct entry){ pid, start_ns, row, 0, 0, pm->bucket[b] };
	pm->bucket[b] = ++pm->n;
	return true;
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
