/* \summary: the reorder window: captured packets wait briefly for late eBPF events */
#ifndef PIDCAP_RECORD_REORDER_H
#define PIDCAP_RECORD_REORDER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * An inbound packet is captured before the kernel's socket hooks see it, so
 * its socket event arrives a few microseconds after the packet. Packets are
 * therefore held for a short window (by arrival time) and attributed only
 * after the events that arrived meanwhile have been read. The queue is a
 * FIFO with a cap on packets and bytes; over the cap the oldest packet
 * leaves early instead of memory growing.
 */

struct reorder_pkt {
	int64_t ts_ns;          /* capture timestamp */
	int64_t arrival_ns;     /* CLOCK_MONOTONIC when queued */
	uint32_t caplen, origlen;
	uint8_t *data;          /* caplen bytes inside the queue's arena */
};

struct reorder;

/* A queue holding at most max_packets packets and max_bytes bytes. NULL on
 * out of memory. */
struct reorder *reorder_new(uint32_t max_packets, uint64_t max_bytes);
void reorder_free(struct reorder *q);

/* Copies a packet in. Answers false when full (the caller releases the
 * oldest first with reorder_pop and retries); a packet larger than the
 * whole arena never fits. */
bool reorder_push(struct reorder *q, int64_t ts_ns, int64_t arrival_ns, const uint8_t *data,
		  uint32_t caplen, uint32_t origlen);

/* The oldest packet if it arrived before not_after_ns (INT64_MAX: any),
 * else NULL. Valid until reorder_pop. */
const struct reorder_pkt *reorder_peek(const struct reorder *q, int64_t not_after_ns);

/* Drops the oldest packet. */
void reorder_pop(struct reorder *q);

uint32_t reorder_count(const struct reorder *q);

#endif
