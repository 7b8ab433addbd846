/* \summary: which process row a packet belongs to, by pid and start time */
#ifndef PIDCAP_PROCMAP_H
#define PIDCAP_PROCMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PROCMAP_MAX_ENTRIES 262144u   /* process descriptions per capture */
#define PROCMAP_NO_START INT64_MIN

/*
 * Process descriptions of one capture, looked up the way Wireshark matches
 * epb_processid_threadid to its process records: among the records of that
 * pid, the one with the latest start time not after the packet; if the
 * packet precedes them all, the earliest; records without a start time count
 * as the last one written. Each entry also counts the packets and flows
 * attributed to it.
 */
struct procmap;

struct procmap *procmap_new(void);
void procmap_free(struct procmap *pm);

/* Adds a description; false when the cap is reached or memory is short. */
bool procmap_add(struct procmap *pm, uint32_t pid, int64_t start_ns, int64_t row);

/* The row for pid at ts_ns, or 0 if the pid has no description. */
int64_t procmap_find(const struct procmap *pm, uint32_t pid, int64_t ts_ns);

/* Adds to the counters of the entry with that row. */
void procmap_count(struct procmap *pm, int64_t row, uint64_t packets, uint64_t flows);

/* Visits every entry's counters (for writing them out). */
void procmap_each(const struct procmap *pm, void (*fn)(void *ctx, int64_t row, uint64_t packets,
						       uint64_t flows), void *ctx);

uint32_t procmap_size(const struct procmap *pm);

#endif
