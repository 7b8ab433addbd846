/* \summary: joining packets and flows to the processes that sent or received them */
#ifndef PIDCAP_ATTRIB_H
#define PIDCAP_ATTRIB_H

#include <stdbool.h>
#include <stdint.h>

#include "capfile/capfile.h"
#include "capfile/procinfo.h"
#include "capfile/sockrec.h"
#include "decode/decode.h"
#include "flow/flow.h"

/*
 * The attribution of one capture. A packet names its process by, in this
 * order: pcapng option 8 (epb_processid_threadid, pidcap's and Wireshark's),
 * Apple's process index (epb_darwin_pib), a PKTAP header's pid; else the
 * socket records of the capture (sockrec.h) name the owner of the socket
 * the packet matches ("reattributed"). Process descriptions come from
 * process blocks (Wireshark's and Apple's, through attrib_process_record);
 * a pid without one gets a bare row.
 *
 * A flow's process is its originator's when the originator is local, else
 * its responder's; both ends are kept when both are local (loopback, two
 * namespaces). The flow's slot (struct flow_attrib) is reached through the
 * flow table's per-packet answer, so linking costs no lookup.
 *
 * Storage stays with the caller: rows are created through ops, so this
 * module neither knows the store nor its locking.
 */

/* What the caller does for the attribution. */
struct attrib_ops {
	/*
	 * Stores a process description (pr and name may be NULL) found by
	 * source ("epb-pid", "pktap", "socket-record", "pcapng-process-block",
	 * "darwin-process-block") and answers its row, 0 on failure.
	 */
	int64_t (*add_process)(void *ctx, const char *source, uint32_t pid,
			       const struct proc_record *pr, const char *name);
	/* Reports an anomaly of the capture not tied to a packet or flow. */
	void (*anomaly)(void *ctx, const char *name);
	void *ctx;
};

struct attrib_stats {
	uint64_t attributed_packets;     /* packets with a process */
	uint64_t reattributed_packets;   /* of which found through socket records */
	uint64_t attributed_flows;       /* ended flows with a process */
	uint64_t alloc_failed;           /* allocations refused in the attribution tables */
};

/*
 * When an allocation of the attribution tables fails, the process or socket
 * record concerned is not kept (a packet of that pid still gets a row from
 * ops.add_process, later ones another), and the failure is counted
 * (attrib_stats.alloc_failed); the first one is also reported once through
 * ops.anomaly as ATTRIB_ANOMALY_OUT_OF_MEMORY. The caller marks the
 * capture's analysis partial (status 'partial', exit 1).
 */
#define ATTRIB_ANOMALY_OUT_OF_MEMORY "out_of_memory"

struct attrib;

/* An empty attribution reporting through *ops (copied), or NULL when
 * memory is short. */
struct attrib *attrib_new(const struct attrib_ops *ops);

/* Frees it; NULL is accepted. */
void attrib_free(struct attrib *a);

/* A new pcapng section starts: Apple's process indexes count per section. */
void attrib_section(struct attrib *a);

/* A process block (Wireshark's custom block or Apple's): a row and an entry
 * for later packets. Records that are not process records are ignored. */
void attrib_process_record(struct attrib *a, const struct cap_record *rec);

/* A socket record (sockrec_is_socket(rec)): kept for packets that name no
 * process. */
void attrib_socket_record(struct attrib *a, const struct cap_record *rec);

/*
 * The process row of one packet seen at ts_ns, 0 = none (creating a bare
 * row for a pid without description), counted for that process; when fp
 * names a flow (fp->flow_id != 0), the flow's slot is linked to it.
 */
int64_t attrib_packet(struct attrib *a, const struct cap_packet *pkt, const struct decoded *d,
		      int64_t ts_ns, const struct flow_pkt *fp);

/* Counts an ended flow for its process (call once per flow record). */
void attrib_flow_end(struct attrib *a, const struct flow_record *r);

/* Visits every process row with its attributed packet and flow counts. */
void attrib_each_process(const struct attrib *a,
			 void (*fn)(void *ctx, int64_t row, uint64_t packets, uint64_t flows),
			 void *ctx);

/* Visits every socket record with its owner's process row (0 = none) and
 * the packets attributed through it, in the order first seen. */
void attrib_each_socket(const struct attrib *a,
			void (*fn)(void *ctx, const struct sock_record *r, int64_t process_row,
				   uint64_t packets),
			void *ctx);

/* The counters so far. */
void attrib_get_stats(const struct attrib *a, struct attrib_stats *out);

#ifdef PIDCAP_TEST_HOOKS
/* Test hook: n more allocations of the attribution tables succeed, then
 * every one is refused (UINT64_MAX, the default: none is). */
void attrib_test_fail_allocs_after(uint64_t n);
#endif

#endif
