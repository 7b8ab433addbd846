/* \summary: which process a packet and a flow belong to: pcapng options, PKTAP, socket records */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "attrib/attrib.h"
#include "attrib/procmap.h"
#include "capfile/pcapng_const.h"
#include "util/array.h"

#define MAX_DARWIN_PROCS 65536u   /* Apple process blocks per section */

struct attrib {
	struct attrib_ops ops;
	struct procmap *pm;
	struct sockmap *sm;         /* socket records, for packets without option 8 */
	int64_t *darwin_rows;       /* Apple PIB index (per section) -> process row */
	size_t n_darwin, darwin_cap;
	uint64_t darwin_alloc_failed;
	bool oom_reported;          /* the out-of-memory anomaly went out */
	struct attrib_stats stats;
};

struct attrib *attrib_new(const struct attrib_ops *ops)
{
	struct attrib *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->ops = *ops;
	a->pm = procmap_new();
	a->sm = sockmap_new();
	if (a->pm == NULL || a->sm == NULL) {
		attrib_free(a);
		return NULL;
	}
	return a;
}

void attrib_free(struct attrib *a)
{
	if (a == NULL)
		return;
	procmap_free(a->pm);
	sockmap_free(a->sm);
	free(a->darwin_rows);
	free(a);
}

static uint64_t alloc_failures(const struct attrib *a)
{
	return a->darwin_alloc_failed + procmap_alloc_failed(a->pm) + sockmap_alloc_failed(a->sm);
}

/* Reports the first refused allocation (attrib.h); called after every
 * insertion into a table. */
static void check_memory(struct attrib *a)
{
	if (!a->oom_reported && alloc_failures(a) != 0) {
		a->oom_reported = true;
		a->ops.anomaly(a->ops.ctx, ATTRIB_ANOMALY_OUT_OF_MEMORY);
	}
}

void attrib_section(struct attrib *a)
{
	a->n_darwin = 0;
}

/* A row for a process description, entered in the map for later packets. */
static int64_t add_process(struct attrib *a, const char *source, uint32_t pid,
			   const struct proc_record *pr, const char *name, int64_t start_ns)
{
	int64_t row = a->ops.add_process(a->ops.ctx, source, pid, pr, name);

	if (row == 0)
		return 0;
	switch (procmap_add(a->pm, pid, start_ns, row)) {
	case PROCMAP_ADDED:
		break;
	case PROCMAP_FULL:
		a->ops.anomaly(a->ops.ctx, "too_many_processes");
		break;
	case PROCMAP_NO_MEMORY:
		check_memory(a);
		break;
	}
	return row;
}

void attrib_process_record(struct attrib *a, const struct cap_record *rec)
{
	struct proc_record pr;
	int64_t row;

	if (!proc_record_decode(rec, &pr))
		return;
	if (pr.bad)
		a->ops.anomaly(a->ops.ctx, "malformed_process_record");
	if (pr.source == PROC_SRC_WIRESHARK) {
		add_process(a, "pcapng-process-block", pr.pid, &pr, NULL,
			    pr.has_starttime ? (int64_t)pr.starttime_ns : PROCMAP_NO_START);
		return;
	}
	row = add_process(a, "darwin-process-block", pr.pid, &pr, NULL, PROCMAP_NO_START);
	if (a->n_darwin >= MAX_DARWIN_PROCS)
		return;
	if (attrib_alloc_refused() ||
	    !ARRAY_RESERVE(a->darwin_rows, a->darwin_cap, a->n_darwin + 1, 16)) {
		a->darwin_alloc_failed++;
		check_memory(a);
		return;
	}
	a->darwin_rows[a->n_darwin++] = row;
}

void attrib_socket_record(struct attrib *a, const struct cap_record *rec)
{
	struct sock_record r;

	if (!sockrec_decode(rec, &r)) {
		a->ops.anomaly(a->ops.ctx, "malformed_socket_record");
		return;
	}
	if (sockmap_add(a->sm, &r) == SOCKMAP_FULL)
		a->ops.anomaly(a->ops.ctx, "too_many_sockets");
	check_memory(a);   /* the record, or a larger bucket array, refused */
}

/* The process row of a socket's owner: by pid and the process's start time
 * (the packet's time when the record has none), as option 8 would find it. */
static int64_t socket_process(const struct attrib *a, const struct sock_record *r, int64_t ts)
{
	return procmap_find(a->pm, r->pid, r->proc_start_ns != 0 ? r->proc_start_ns : ts);
}

/* Whether the socket r is the packet's source end (its sender). */
static bool sock_sent(const struct sock_record *r, const struct decoded *d)
{
	static const uint8_t any[16];
	size_t alen = d->ip.version == 4 ? 4 : 16;

	if (d->ip.sport != r->lport)
		return false;
	if (memcmp(r->laddr, any, 16) == 0 || memcmp(r->laddr, d->ip.src, alen) == 0)
		return !(r->rport != 0 && d->ip.dport != r->rport);
	return false;
}

/* A packet that names no process: the owner of the socket records that match it. */
static int64_t reattribute(struct attrib *a, const struct decoded *d, int64_t ts, bool *sender)
{
	const struct sock_record *r;
	uint32_t id;
	int64_t row;

	if (d->ip.version == 0 || d->fragment || !d->l4_ok)
		return 0;
	id = sockmap_find(a->sm, &d->ip, ts);
	r = sockmap_record(a->sm, id);
	if (r == NULL || r->pid == 0)
		return 0;
	*sender = sock_sent(r, d);
	row = socket_process(a, r, ts);
	if (row == 0)
		row = add_process(a, "socket-record", r->pid, NULL, NULL, PROCMAP_NO_START);
	if (row != 0) {
		sockmap_count(a->sm, id);
		a->stats.reattributed_packets++;
	}
	return row;
}

/* The process row a packet names, creating a bare row for an unknown pid;
 * *sender says whether that process sent the packet (else it received it:
 * epb_flags direction inbound, or the matching socket is the destination). */
static int64_t packet_process(struct attrib *a, const struct cap_packet *pkt,
			      const struct decoded *d, int64_t ts, bool *sender)
{
	int64_t row;

	*sender = !(pkt->has_flags && (pkt->flags & PCAPNG_EPB_DIR_MASK) == PCAPNG_EPB_DIR_IN);
	if (d->has_pktap && (d->pktap_flags & DECODE_PKTAP_DIR_IN))
		*sender = false;

	/* option 8 first: pidcap --compat darwin writes both, and the process
	 * records option 8 refers to are the fuller ones */
	if (pkt->has_pid && pkt->pid != 0) {
		row = procmap_find(a->pm, pkt->pid, ts);
		return row ? row : add_process(a, "epb-pid", pkt->pid, NULL, NULL, PROCMAP_NO_START);
	}
	if (pkt->has_darwin_pib && pkt->darwin_pib < a->n_darwin)
		return a->darwin_rows[pkt->darwin_pib];
	if (d->has_pktap && d->pktap_pid > 0) {
		row = procmap_find(a->pm, d->pktap_pid, ts);
		return row ? row : add_process(a, "pktap", d->pktap_pid, NULL, d->pktap_comm,
					       PROCMAP_NO_START);
	}
	return reattribute(a, d, ts, sender);
}

/* Links the flow to the process at the end of the packet it belongs to. */
static void link_flow(struct flow_attrib *f, bool is_orig, bool sender, int64_t row)
{
	if (is_orig == sender) {
		/* the originator's end */
		if (f->process_row == 0 || f->process_from_resp) {
			f->process_row = row;
			f->process_from_resp = false;
		}
	} else {
		if (f->resp_process_row == 0)
			f->resp_process_row = row;
		if (f->process_row == 0) {
			f->process_row = row;
			f->process_from_resp = true;
		}
	}
	f->attributed_pkts++;
}

int64_t attrib_packet(struct attrib *a, const struct cap_packet *pkt, const struct decoded *d,
		      int64_t ts_ns, const struct flow_pkt *fp)
{
	bool sender;
	int64_t row = packet_process(a, pkt, d, ts_ns, &sender);

	if (row == 0)
		return 0;
	a->stats.attributed_packets++;
	procmap_count(a->pm, row, 1, 0);
	if (fp->flow_id != 0)
		link_flow(fp->attrib, fp->is_orig, sender, row);
	return row;
}

void attrib_flow_end(struct attrib *a, const struct flow_record *r)
{
	if (r->attrib.process_row == 0)
		return;
	procmap_count(a->pm, r->attrib.process_row, 0, 1);
	a->stats.attributed_flows++;
}

void attrib_each_process(const struct attrib *a,
			 void (*fn)(void *ctx, int64_t row, uint64_t packets, uint64_t flows),
			 void *ctx)
{
	procmap_each(a->pm, fn, ctx);
}

struct socket_visit {
	const struct attrib *a;
	void (*fn)(void *ctx, const struct sock_record *r, int64_t process_row, uint64_t packets);
	void *ctx;
};

static void visit_socket(void *ctx, const struct sock_record *r, uint64_t packets)
{
	struct socket_visit *v = ctx;

	v->fn(v->ctx, r, socket_process(v->a, r, r->first_ns), packets);
}

void attrib_each_socket(const struct attrib *a,
			void (*fn)(void *ctx, const struct sock_record *r, int64_t process_row,
				   uint64_t packets),
			void *ctx)
{
	struct socket_visit v = { a, fn, ctx };

	sockmap_each(a->sm, visit_socket, &v);
}

void attrib_get_stats(const struct attrib *a, struct attrib_stats *out)
{
	*out = a->stats;
	out->alloc_failed = alloc_failures(a);
}
