/* \summary: which process row a packet belongs to: by pid and start time, or by socket record */
#ifndef PIDCAP_PROCMAP_H
#define PIDCAP_PROCMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "capfile/sockrec.h"
#include "decode/decode.h"
#include "util/units.h"

/* The test hook's verdict on the next allocation of the attribution
 * tables (attrib_test_fail_allocs_after); always false without test hooks. */
bool attrib_alloc_refused(void);

#define PROCMAP_MAX_ENTRIES (1u << 20) /* process descriptions per capture: 48 MiB */
#define PROCMAP_MAX_PER_PID 256u      /* of one pid (reused): a lookup reads them all */
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

enum procmap_add_result {
	PROCMAP_ADDED = 0,
	PROCMAP_FULL,             /* PROCMAP_MAX_ENTRIES reached: not kept */
	PROCMAP_NO_MEMORY,        /* out of memory: not kept */
};

/* Adds a description (PROCMAP_FULL past either cap). */
enum procmap_add_result procmap_add(struct procmap *pm, uint32_t pid, int64_t start_ns,
				    int64_t row);

/* Allocations refused so far (also those the map recovered from). */
uint64_t procmap_alloc_failed(const struct procmap *pm);

/* Entries read by lookups so far (a step count for tests: stays O(lookups)). */
uint64_t procmap_probes(const struct procmap *pm);

/* The row for pid at ts_ns, or 0 if the pid has no description. Reads
 * about one entry of another pid per call (the pid is mixed, the buckets
 * grow with the entries), plus the pid's own (at most PROCMAP_MAX_PER_PID). */
int64_t procmap_find(const struct procmap *pm, uint32_t pid, int64_t ts_ns);

/* Adds to the counters of the entry with that row (none: nothing). O(log n). */
void procmap_count(struct procmap *pm, int64_t row, uint64_t packets, uint64_t flows);

/* Visits every entry's counters (for writing them out). */
void procmap_each(const struct procmap *pm, void (*fn)(void *ctx, int64_t row, uint64_t packets,
						       uint64_t flows), void *ctx);

uint32_t procmap_size(const struct procmap *pm);

/*
 * Socket records of one capture (capfile/sockrec.h), for packets that do not
 * name their process (no epb_processid_threadid, e.g. after editcap dropped
 * it). Hashed on the socket's tuple; IPv4-mapped IPv6 addresses count as
 * IPv4. A packet matches:
 *   1. a connected socket (rport != 0, not a listener) with the same
 *      protocol whose (local, remote) endpoints are the packet's (source,
 *      destination) or, failing that, (destination, source);
 *   2. else a listener or unconnected socket (rport 0) on the packet's
 *      source, then destination, (protocol, address, port); then the same
 *      with a wildcard local address (0.0.0.0, or :: also for IPv4).
 * Only while ts is within [first_ns - 1 s, last_ns + 1 s] (a bound that is
 * 0 = unknown is open); among several, the one that started last wins (an
 * unknown start counts as the earliest, and a record keeps the place its
 * first version gave it). Lookups take O(log n) for n records on a tuple:
 * a binary search on window starts, then a walk back over at most
 * SOCKMAP_MAX_WALK records whose windows closed (beyond: no match, counted).
 * A record with the cookie (or, cookie 0, the pid and first_ns) of one
 * already held on the same tuple updates it: the last record's last_ns
 * and final flag count.
 */
#define SOCKMAP_MAX_ENTRIES (1u << 20)     /* socket records per capture */
#define SOCKMAP_SLACK_NS    NS_PER_SEC     /* time window margin, 1 s */
#define SOCKMAP_MAX_WALK    256u           /* closed windows passed in one lookup */
#define SOCKMAP_MAX_SHIFT   4096u          /* records a late one may go behind, per tuple */

struct sockmap;

enum sockmap_add_result {
	SOCKMAP_ADDED = 0,
	SOCKMAP_UPDATED = 1,
	SOCKMAP_FULL = 2,         /* cap reached, or more than SOCKMAP_MAX_SHIFT records
				   * of its tuple started after it: not kept */
	SOCKMAP_NO_MEMORY = 3,    /* out of memory: not kept */
};

/* An empty table, or NULL when memory is short. */
struct sockmap *sockmap_new(void);

/* Frees the table; NULL is accepted. */
void sockmap_free(struct sockmap *sm);

/* Adds a record, or updates the socket it describes again (see above). */
enum sockmap_add_result sockmap_add(struct sockmap *sm, const struct sock_record *r);

/* The socket of a packet with these endpoints seen at ts_ns: an id for the
 * functions below, or 0 when none matches. Only TCP, UDP, SCTP, UDP-Lite,
 * DCCP are looked up (other protocols have no ports). */
uint32_t sockmap_find(const struct sockmap *sm, const struct ip_endpoints *ip, int64_t ts_ns);

/* The record of an id sockmap_find() answered. */
const struct sock_record *sockmap_record(const struct sockmap *sm, uint32_t id);

/* Counts a packet attributed through that socket. */
void sockmap_count(struct sockmap *sm, uint32_t id);

/* Visits every socket with its packet count, in the order first seen. */
void sockmap_each(const struct sockmap *sm, void (*fn)(void *ctx, const struct sock_record *r,
						       uint64_t packets), void *ctx);

/* Sockets held. */
uint32_t sockmap_size(const struct sockmap *sm);

/* Allocations refused so far (also those the map recovered from). */
uint64_t sockmap_alloc_failed(const struct sockmap *sm);

/* Buckets, groups and records read by lookups and insertions so far (a
 * step count for tests: stays O(n log n)). */
uint64_t sockmap_probes(const struct sockmap *sm);

/* Lookups that gave up after SOCKMAP_MAX_WALK closed windows. */
uint64_t sockmap_walks_cut(const struct sockmap *sm);

#endif
