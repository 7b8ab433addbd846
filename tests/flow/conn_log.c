/* \summary: prints the flows of captures as Zeek conn.log lines, for the oracle comparisons */
/*
 * conn_log [-m max_flows] capture...
 *
 * Reads every packet (capfile_next -> decode_packet -> flow_table_packet),
 * flushes the table at the end and prints one tab-separated line per flow,
 * sorted by start time, in Zeek conn.log column order with Zeek's
 * conventions: duration and the payload byte counts are "-" when the
 * duration is 0, an empty history is "-". Three columns Zeek does not have
 * close each line: frame bytes per direction (tshark's conversation bytes)
 * and the outermost tunnel packet's endpoints ("-" when not tunnelled).
 * "#carrier" lines at the end name every distinct outermost packet of a
 * tunnel seen (proto src sport dst dport).
 * The table's counters go to standard error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "util/array.h"
#include "util/units.h"

#define ERRLEN 512
#define ADDR_TEXT 64
#define EXIT_USAGE 2

struct collected {
	struct flow_record *v;
	size_t n, cap;
	bool oom;
};

/* The distinct outermost tunnel packets seen (tunnel carriers). */
struct carriers {
	struct ip_endpoints *v;
	size_t n, cap;
};

static void add_carrier(struct carriers *c, const struct ip_endpoints *e)
{
	for (size_t i = 0; i < c->n; i++) {
		if (memcmp(&c->v[i], e, sizeof(*e)) == 0)
			return;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct ip_endpoints *nv = realloc(c->v, ncap * sizeof(*nv));

		if (nv == NULL)
			return;
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = *e;
}

static void collect(void *ctx, const struct flow_record *f)
{
	struct collected *c = ctx;

	if (!ARRAY_RESERVE(c->v, c->cap, c->n + 1, 1024)) {
		c->oom = true;
		return;
	}
	c->v[c->n++] = *f;
}

static int by_start(const void *a, const void *b)
{
	const struct flow_record *x = a, *y = b;

	if (x->first_ts_ns != y->first_ts_ns)
		return x->first_ts_ns < y->first_ts_ns ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const char *addr_text(const struct ip_endpoints *k, const uint8_t *a, char *buf)
{
	return inet_ntop(k->version == 6 ? AF_INET6 : AF_INET, a, buf, ADDR_TEXT) ? buf : "?";
}

/* Zeek reads captures through libpcap at microsecond precision: nanosecond
 * timestamps are cut to whole microseconds before any arithmetic. */
static int64_t zeek_us(int64_t ns)
{
	return ns >= 0 ? ns / NS_PER_USEC : -((-ns + NS_PER_USEC - 1) / NS_PER_USEC);
}

/* Seconds with 6 decimals, as Zeek prints times and intervals. */
static void print_us(int64_t us)
{
	int64_t mag = us < 0 ? -us : us;

	printf("%s%" PRId64 ".%06" PRId64, us < 0 ? "-" : "", mag / USEC_PER_SEC, mag % USEC_PER_SEC);
}

/* Tunnel endpoints as "proto src sport dst dport". */
static void print_endpoints(const struct ip_endpoints *e)
{
	char src[ADDR_TEXT], dst[ADDR_TEXT];

	printf("%s %s %u %s %u", flow_proto_name(e->proto), addr_text(e, e->src, src), e->sport,
	       addr_text(e, e->dst, dst), e->dport);
}

static void print_outer(const struct flow_record *f)
{
	if (f->first.tunnel == TUNNEL_NONE || f->first.tunnel_outer.version == 0)
		printf("-");
	else
		print_endpoints(&f->first.tunnel_outer);
}

static void print_flow(const struct flow_record *f)
{
	char src[ADDR_TEXT], dst[ADDR_TEXT];
	int64_t dur = zeek_us(f->last_ts_ns) - zeek_us(f->first_ts_ns);
	bool other = strcmp(flow_proto_name(f->key.proto), "unknown_transport") == 0;

	print_us(zeek_us(f->first_ts_ns));
	printf("\t%s\t%u\t%s\t%u\t%s\t%s\t%s", addr_text(&f->key, f->key.src, src),
	       other ? 0 : f->key.sport, addr_text(&f->key, f->key.dst, dst), other ? 0 : f->key.dport,
	       flow_proto_name(f->key.proto), f->conn_state,
	       f->history[0] != '\0' ? f->history : "-");
	printf("\t%" PRIu64, f->orig.pkts);
	if (dur > 0)
		printf("\t%" PRIu64, f->orig.payload_bytes);
	else
		printf("\t-");
	printf("\t%" PRIu64 "\t%" PRIu64, f->orig.ip_bytes, f->resp.pkts);
	if (dur > 0)
		printf("\t%" PRIu64, f->resp.payload_bytes);
	else
		printf("\t-");
	printf("\t%" PRIu64 "\t%" PRIu64 "\t", f->resp.ip_bytes,
	       f->orig.missed_bytes + f->resp.missed_bytes);
	if (dur > 0)
		print_us(dur);
	else
		printf("-");
	printf("\t%" PRIu64 "\t%" PRIu64 "\t", f->orig.frame_bytes, f->resp.frame_bytes);
	print_outer(f);
	printf("\n");
}

static int read_capture(const char *path, uint32_t id, struct decoder *dec, struct flow_table *t,
			struct carriers *car)
{
	char err[ERRLEN];
	bool not_capture = false;
	struct flow_pkt fp;
	struct capfile *cf = capfile_open(path, err, sizeof(err), &not_capture);
	struct cap_record rec;
	struct decoded d;
	enum cap_status st;

	if (cf == NULL) {
		fprintf(stderr, "conn_log: %s\n", err);
		return -1;
	}
	flow_table_set_capture_id(t, id);
	while ((st = capfile_next(cf, &rec)) == CAP_OK) {
		const struct cap_interface *ifc;

		if (rec.kind != CAP_REC_PACKET)
			continue;
		ifc = capfile_interface(cf, rec.u.pkt.iface);
		if (ifc == NULL)
			continue;
		if (!decode_packet(dec, ifc->linktype, rec.u.pkt.data, rec.u.pkt.caplen,
				   rec.u.pkt.origlen, rec.u.pkt.ts_ns, &d))
			continue;
		if (d.tunnel != TUNNEL_NONE && d.outer.version != 0)
			add_carrier(car, &d.outer);
		flow_table_packet(t, &d, rec.u.pkt.ts_ns, rec.u.pkt.number, rec.u.pkt.origlen, &fp);
	}
	if (st != CAP_END)
		fprintf(stderr, "conn_log: %s: %s\n", path, capfile_error(cf));
	capfile_close(cf);
	return 0;
}

static void print_stats(const struct flow_table *t)
{
	struct flow_stats s;

	flow_table_get_stats(t, &s);
	fprintf(stderr,
		"flows: created %" PRIu64 " expired %" PRIu64 " closed %" PRIu64 " reused %" PRIu64
		" evicted %" PRIu64 " flushed %" PRIu64 " peak %" PRIu32 "\n",
		s.created, s.expired, s.closed, s.reused, s.evicted, s.flushed, s.peak_held);
}

int main(int argc, char **argv)
{
	struct flow_config cfg;
	struct collected c = { 0 };
	struct carriers car = { 0 };
	struct decoder *dec;
	struct flow_table *t;
	int opt, rc = 0;

	flow_config_default(&cfg);
	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt != 'm')
			return EXIT_USAGE;
		cfg.max_flows = (uint32_t)strtoul(optarg, NULL, 10);
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: conn_log [-m max_flows] capture...\n");
		return EXIT_USAGE;
	}
	dec = decoder_new(NULL);
	t = flow_table_new(&cfg, collect, &c);
	if (dec == NULL || t == NULL) {
		fprintf(stderr, "conn_log: out of memory\n");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		if (read_capture(argv[i], (uint32_t)(i - optind), dec, t, &car) != 0)
			rc = 1;
	}
	flow_table_flush(t);
	print_stats(t);
	if (c.n > 0)
		qsort(c.v, c.n, sizeof(*c.v), by_start);
	printf("#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\thistory"
	       "\torig_pkts\torig_bytes\torig_ip_bytes\tresp_pkts\tresp_bytes\tresp_ip_bytes"
	       "\tmissed_bytes\tduration\torig_frame_bytes\tresp_frame_bytes\ttunnel_outer\n");
	for (size_t i = 0; i < c.n; i++)
		print_flow(&c.v[i]);
	for (size_t i = 0; i < car.n; i++) {
		printf("#carrier\t");
		print_endpoints(&car.v[i]);
		printf("\n");
	}
	if (c.oom) {
		fprintf(stderr, "conn_log: out of memory, flows lost\n");
		rc = 1;
	}
	free(c.v);
	free(car.v);
	flow_table_free(t);
	decoder_free(dec);
	return rc;
}
