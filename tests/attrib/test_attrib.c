/* \summary: attribution: packets named by option 8 linked to their flows' ends, counts per process */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "attrib/attrib.h"
#include "attrib/procmap.h"
#include "decode/proto.h"
#include "flow/flow.h"
#include "util/units.h"
#include "../tap.h"

#ifndef PIDCAP_TEST_HOOKS
#error "built with -DPIDCAP_TEST_HOOKS (Makefile.am): allocations are refused through the hook"
#endif

#define MS NS_PER_MSEC
#define EPB_DIR_IN 1u    /* epb_flags bits 0-1: inbound */
#define MAX_ROWS 8

/* The store, as the attribution sees it: rows handed out in order. */
struct fake_store {
	int64_t next_row;
	uint32_t pid_of_row[MAX_ROWS];
	int anomalies;
	const char *last_anomaly;
};

static int64_t add_process(void *ctx, const char *source, uint32_t pid,
			   const struct proc_record *pr, const char *name)
{
	struct fake_store *fs = ctx;

	(void)source;
	(void)pr;
	(void)name;
	if (fs->next_row + 1 >= MAX_ROWS)
		return 0;
	fs->pid_of_row[++fs->next_row] = pid;
	return fs->next_row;
}

static void anomaly(void *ctx, const char *name)
{
	((struct fake_store *)ctx)->anomalies++;
	((struct fake_store *)ctx)->last_anomaly = name;
}

static struct flow_record last;

static void collect(void *ctx, const struct flow_record *r)
{
	(void)ctx;
	last = *r;
}

static struct decoded udp(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct decoded d;

	memset(&d, 0, sizeof(d));
	d.ip.version = 4;
	d.ip.proto = 17;
	inet_pton(AF_INET, src, d.ip.src);
	inet_pton(AF_INET, dst, d.ip.dst);
	d.ip.sport = sport;
	d.ip.dport = dport;
	d.l4_ok = true;
	d.payload_len = 10;
	d.ip_bytes = IPV4_MIN_HDR_BYTES + UDP_HDR_BYTES + 10;
	return d;
}

/* One packet through the flow table and the attribution; pid 0: none named. */
static int64_t packet(struct flow_table *t, struct attrib *a, struct decoded d, uint32_t pid,
		      bool inbound, int64_t ms)
{
	struct cap_packet pkt = { .number = 1, .has_ts = true, .ts_ns = ms * MS };
	struct flow_pkt fp;

	pkt.has_pid = pid != 0;
	pkt.pid = pid;
	pkt.has_flags = inbound;
	pkt.flags = inbound ? EPB_DIR_IN : 0;
	flow_table_packet(t, &d, pkt.ts_ns, 1, d.ip_bytes + 14, &fp);
	return attrib_packet(a, &pkt, &d, pkt.ts_ns, &fp);
}

/* A flow table with the defaults, exporting to collect(). */
static struct flow_table *new_flow_table(void)
{
	struct flow_config cfg;

	flow_config_default(&cfg);
	return flow_table_new(&cfg, collect, NULL);
}

static void count_rows(void *ctx, int64_t row, uint64_t packets, uint64_t flows)
{
	uint64_t *sum = ctx;

	(void)row;
	sum[0] += packets;
	sum[1] += flows;
}

/*
 * Allocation failures (issue 10, defect 3), refused through the test hook:
 * counted, reported once as out_of_memory, told apart from a full table.
 */
static void test_alloc_failure(void)
{
	struct attrib_stats st;
	struct sock_record r = { .family = 4, .ip_proto = 17, .lport = 53, .pid = 7 };
	struct sockmap *sm = sockmap_new();
	struct fake_store fs = { 0 };
	struct attrib_ops ops = { add_process, anomaly, &fs };
	struct attrib *a = attrib_new(&ops);
	struct flow_table *t = new_flow_table();

	if (!tap_ok(a != NULL && t != NULL && sm != NULL, "oom: tables created"))
		return;
	attrib_test_fail_allocs_after(0);
	tap_ok(packet(t, a, udp("10.0.0.1", 5000, "10.0.0.2", 7000), 300, false, 0) == 1,
	       "oom: the packet still gets its row");
	packet(t, a, udp("10.0.0.1", 5001, "10.0.0.2", 7000), 301, false, 1);
	attrib_get_stats(a, &st);
	TAP_EQ_U(st.alloc_failed, 2, "oom: both refused allocations counted");
	tap_ok(fs.anomalies == 1 && fs.last_anomaly != NULL &&
	       strcmp(fs.last_anomaly, ATTRIB_ANOMALY_OUT_OF_MEMORY) == 0,
	       "oom: one out_of_memory anomaly, not too_many_processes (%d, %s)", fs.anomalies,
	       fs.last_anomaly ? fs.last_anomaly : "none");
	TAP_EQ_I(sockmap_add(sm, &r), SOCKMAP_NO_MEMORY, "oom: a socket record not kept, said so");
	attrib_test_fail_allocs_after(UINT64_MAX);
	TAP_EQ_I(sockmap_add(sm, &r), SOCKMAP_ADDED, "memory back: the record is kept");
	sockmap_free(sm);
	flow_table_free(t);
	attrib_free(a);
}

/* A connected TCP socket 10.0.0.2:40000 -> 10.0.0.7:443, the i-th of a
 * port reused: alive STEP/2 from i STEP. */
#define STRESS_STEP_NS (10 * MS)
#define STRESS_T0_NS   (1000 * NS_PER_SEC)

static struct sock_record reused_socket(uint32_t i)
{
	struct sock_record r = { .family = 4, .ip_proto = 6, .lport = 40000, .rport = 443,
				 .cookie = i + 1u, .pid = 1000 + i % 50,
				 .first_ns = STRESS_T0_NS + i * STRESS_STEP_NS,
				 .last_ns = STRESS_T0_NS + i * STRESS_STEP_NS + STRESS_STEP_NS / 2,
				 .final = true };

	inet_pton(AF_INET, "10.0.0.2", r.laddr);
	inet_pton(AF_INET, "10.0.0.7", r.raddr);
	return r;
}

/*
 * Lookups cost a bounded number of steps per packet however the keys
 * collide (issue 10, defect 4): counted probes, deterministic, instead of a
 * wall clock. Before, 80,000 pids that are multiples of 4096 shared one
 * bucket (n^2 / 2 probes) and 40,000 records on one tuple were all read for
 * every record and packet.
 */
static void test_scale(void)
{
	const uint32_t n_pids = 800000, n_socks = 400000;
	struct procmap *pm = procmap_new();
	struct sockmap *sm = sockmap_new();
	struct ip_endpoints ip = { .version = 4, .proto = 6, .sport = 40000, .dport = 443 };
	uint32_t ok = 0;
	uint64_t before;

	if (!tap_ok(pm != NULL && sm != NULL, "scale: maps created"))
		return;
	for (uint32_t i = 0; i < n_pids; i++)
		ok += procmap_add(pm, (i + 1) * 4096u, PROCMAP_NO_START, i + 1) == PROCMAP_ADDED;
	TAP_EQ_U(ok, n_pids, "scale: %u pids, multiples of 4096, added", n_pids);
	before = procmap_probes(pm);
	ok = 0;
	for (uint32_t i = 0; i < n_pids; i++)
		ok += procmap_find(pm, (i + 1) * 4096u, 0) == (int64_t)i + 1;
	TAP_EQ_U(ok, n_pids, "scale: each pid finds its row");
	tap_ok(procmap_probes(pm) - before <= 3ull * n_pids, "scale: %llu probes for %u pid lookups",
	       (unsigned long long)(procmap_probes(pm) - before), n_pids);

	ok = 0;
	for (uint32_t i = 0; i < n_socks; i++) {
		struct sock_record r = reused_socket(i);

		ok += sockmap_add(sm, &r) == SOCKMAP_ADDED;
	}
	TAP_EQ_U(ok, n_socks, "scale: %u socket records on one tuple added", n_socks);
	tap_ok(sockmap_probes(sm) <= 32ull * n_socks, "scale: %llu probes to add them",
	       (unsigned long long)sockmap_probes(sm));
	inet_pton(AF_INET, "10.0.0.2", ip.src);
	inet_pton(AF_INET, "10.0.0.7", ip.dst);
	before = sockmap_probes(sm);
	ok = 0;
	for (uint32_t i = 0; i < n_socks; i++) {
		int64_t ts = STRESS_T0_NS + i * STRESS_STEP_NS + STRESS_STEP_NS / 4;
		const struct sock_record *r = sockmap_record(sm, sockmap_find(sm, &ip, ts));

		/* the latest started whose window (1 s of slack each side) holds ts */
		ok += r != NULL && r->first_ns == (i + 100 < n_socks ? ts - STRESS_STEP_NS / 4 + NS_PER_SEC
								    : STRESS_T0_NS + (n_socks - 1) * STRESS_STEP_NS);
	}
	TAP_EQ_U(ok, n_socks, "scale: each packet finds the socket that started last in its window");
	tap_ok(sockmap_probes(sm) - before <= 32ull * n_socks, "scale: %llu probes for %u lookups",
	       (unsigned long long)(sockmap_probes(sm) - before), n_socks);
	/* long after they all closed: a bounded walk, counted, and no match */
	before = sockmap_probes(sm);
	tap_ok(sockmap_find(sm, &ip, STRESS_T0_NS + (int64_t)n_socks * STRESS_STEP_NS + 60 * NS_PER_SEC) == 0 &&
	       sockmap_walks_cut(sm) == 1 && sockmap_probes(sm) - before <= 64 + 4 * SOCKMAP_MAX_WALK,
	       "scale: a packet after every window: no match in a bounded walk");
	sockmap_free(sm);
	procmap_free(pm);
}

int main(void)
{
	struct fake_store fs = { 0 };
	struct attrib_ops ops = { add_process, anomaly, &fs };
	struct attrib *a = attrib_new(&ops);
	struct flow_table *t = new_flow_table();
	struct attrib_stats st;
	uint64_t sum[2] = { 0, 0 };
	int64_t client, server;

	if (!tap_ok(a != NULL && t != NULL, "attribution and flow table created"))
		return tap_done();

	/* The responder's process receives first: it owns the flow until the
	 * originator's own process shows up. */
	tap_ok(packet(t, a, udp("10.0.0.1", 5000, "10.0.0.2", 7000), 0, false, 0) == 0,
	       "a packet naming no process (and no socket record): none");
	server = packet(t, a, udp("10.0.0.1", 5000, "10.0.0.2", 7000), 200, true, 1);
	tap_ok(server == 1 && fs.pid_of_row[1] == 200, "option 8 of an unknown pid: a bare row");
	client = packet(t, a, udp("10.0.0.1", 5000, "10.0.0.2", 7000), 100, false, 2);
	tap_ok(client == 2, "the sender's pid: its own row");
	tap_ok(packet(t, a, udp("10.0.0.2", 7000, "10.0.0.1", 5000), 200, false, 3) == server,
	       "a known pid: its row again, no new one");
	flow_table_flush(t);
	attrib_flow_end(a, &last);
	tap_ok(last.attrib.process_row == client && !last.attrib.process_from_resp,
	       "the flow's process is the originator's");
	tap_ok(last.attrib.resp_process_row == server, "the responder's process is kept too");
	TAP_EQ_U(last.attrib.attributed_pkts, 3, "attributed packets of the flow");

	attrib_get_stats(a, &st);
	TAP_EQ_U(st.attributed_packets, 3, "attributed packets");
	TAP_EQ_U(st.attributed_flows, 1, "attributed flows");
	TAP_EQ_U(st.reattributed_packets, 0, "nothing through socket records");
	attrib_each_process(a, count_rows, sum);
	tap_ok(sum[0] == 3 && sum[1] == 1, "per-process counters add up");
	TAP_EQ_I(fs.anomalies, 0, "no anomaly");

	flow_table_free(t);
	attrib_free(a);
	test_alloc_failure();
	test_scale();
	return tap_done();
}
