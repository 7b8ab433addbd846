/* \summary: the decoder on Zeek's test traces: the anomalies Zeek names for
 * truncated packets, and the connections Zeek finds (tunnels, VLAN, MPLS,
 * VN-Tag, SLL2, pcapng, IPv6 fragments) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "trace.h"
#include "../tap.h"

#define ZEEK "testdata/zeek/"

/* ------------------------------------------------------ truncated packets */

struct trunc_case {
	const char *trace;
	const char *weird;     /* what Zeek's weird.log says, NULL for nothing */
};

/* In the order of Zeek's testing/btest/core/truncation.test, whose weird.log
 * lines Baseline/core.truncation/output concatenates. */
static const struct trunc_case TRUNC[] = {
	{ ZEEK "trunc/ip4-trunc.pcap", "truncated_IP" },
	{ ZEEK "trunc/ip6-trunc.pcap", "truncated_IP" },
	{ ZEEK "trunc/ip6-ext-trunc.pcap", "truncated_IP_len" },
	{ ZEEK "trunc/icmp-payload-trunc.pcap", NULL },
	{ ZEEK "trunc/icmp-header-trunc.pcap", "internally_truncated_header" },
	{ ZEEK "trunc/trunc-hdr.pcap", "truncated_ethernet_frame" },
	{ ZEEK "trunc/ipv4-truncated-broken-header.pcap", "invalid_IP_header_size" },
	{ ZEEK "trunc/ipv4-internally-truncated-header.pcap", "internally_truncated_header" },
	{ ZEEK "trunc/mpls-6in6-6in6-4in6-trunc.pcap", "truncated_inner_IP" },
	{ ZEEK "trunc/ip-discarder-truncated-tcp-oob.pcapng", "internally_truncated_header" },
};
#define N_TRUNC (sizeof(TRUNC) / sizeof(TRUNC[0]))

struct anomaly_run {
	struct decoder *dec;
	struct strset names;
	unsigned packets;
};

static void anomaly_packet(void *ctx, uint32_t lt, const struct cap_packet *pkt)
{
	struct anomaly_run *r = ctx;
	struct decoded d;

	r->packets++;
	decode_packet(r->dec, lt, pkt->data, pkt->caplen, pkt->origlen, pkt->ts_ns, &d);
	for (unsigned i = 0; i < d.n_anomalies; i++)
		strset_add(&r->names, d.anomaly[i]);
}

/* The weird names of the baseline: one weird.log per trace, each opening
 * with "#separator"; answers the distinct name of each, in order. */
static void baseline_names(struct strset *names)
{
	char *text = trace_slurp(trace_path(ZEEK "Baseline/core.truncation/output")), *line, *next;
	char name[96] = "";
	unsigned section = 0;

	for (line = text; line && *line; line = next) {
		char *f = line;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "#separator", 10) == 0)
			section++;
		if (line[0] == '#')
			continue;
		/* ts uid orig_h orig_p resp_h resp_p name ... */
		for (int col = 0; col < 6 && f; col++) {
			f = strchr(f, '\t');
			if (f)
				f++;
		}
		if (f == NULL)
			continue;
		*strchrnul(f, '\t') = '\0';
		snprintf(name, sizeof(name), "%u %s", section, f);
		strset_add(names, name);
	}
	free(text);
}

static void test_truncation(void)
{
	struct strset want = { 0 };
	unsigned i, k = 0;
	bool same = true;

	/* the table above must say what the oracle says, in its order */
	baseline_names(&want);
	for (i = 0; i < N_TRUNC; i++) {
		if (TRUNC[i].weird == NULL)
			continue;
		if (k >= want.n || strcmp(strchr(want.s[k], ' ') + 1, TRUNC[i].weird) != 0)
			same = false;
		k++;
	}
	tap_ok(same && k == want.n, "the expected names follow Baseline/core.truncation/output (%zu)", want.n);
	strset_free(&want);

	for (i = 0; i < N_TRUNC; i++) {
		struct anomaly_run r = { decoder_new(NULL), { 0 }, 0 };
		char all[256] = "";

		trace_each(trace_path(TRUNC[i].trace), anomaly_packet, &r);
		for (size_t j = 0; j < r.names.n; j++) {
			strncat(all, " ", sizeof(all) - strlen(all) - 1);
			strncat(all, r.names.s[j], sizeof(all) - strlen(all) - 1);
		}
		if (TRUNC[i].weird == NULL)
			tap_ok(r.packets > 0 && r.names.n == 0, "%s: no anomaly (%s)", TRUNC[i].trace, all);
		else
			tap_ok(r.names.n == 1 && strset_has(&r.names, TRUNC[i].weird), "%s: %s (%s)",
			       TRUNC[i].trace, TRUNC[i].weird, all);
		strset_free(&r.names);
		decoder_free(r.dec);
	}
}

/* ------------------------------------------------------------ connections */

struct flow_run {
	struct decoder *dec;
	struct strset tuples;
	unsigned packets, reassembled, tunneled;
	uint32_t max_payload;
	struct decoded last;
};

static void flow_packet(void *ctx, uint32_t lt, const struct cap_packet *pkt)
{
	struct flow_run *r = ctx;
	struct decoded d;
	char key[TUPLE_BYTES];

	r->packets++;
	if (!decode_packet(r->dec, lt, pkt->data, pkt->caplen, pkt->origlen, pkt->ts_ns, &d) ||
	    d.fragment || !d.l4_ok)
		return;
	tuple_of(key, &d.ip);
	strset_add(&r->tuples, key);
	if (d.tunnel != TUNNEL_NONE) {
		/* Zeek logs the tunnel's own connection too */
		tuple_of(key, &d.outer);
		strset_add(&r->tuples, key);
		r->tunneled++;
	}
	if (d.reassembled)
		r->reassembled++;
	if (d.payload_len > r->max_payload)
		r->max_payload = d.payload_len;
	r->last = d;
}

/* Compares the connections of a trace with a Zeek log: equal sets, or
 * (subset) every logged one among ours. */
static void compare(const char *trace, const char *log, bool subset, struct flow_run *r)
{
	struct strset want = { 0 };
	unsigned missing = 0, extra = 0;

	memset(r, 0, sizeof(*r));
	r->dec = decoder_new(NULL);
	trace_each(trace_path(trace), flow_packet, r);
	zeek_log_tuples(trace_path(log), &want);
	for (size_t i = 0; i < want.n; i++)
		if (!strset_has(&r->tuples, want.s[i])) {
			tap_diag("%s: Zeek has %s", trace, want.s[i]);
			missing++;
		}
	for (size_t i = 0; !subset && i < r->tuples.n; i++)
		if (!strset_has(&want, r->tuples.s[i])) {
			tap_diag("%s: only pidcap has %s", trace, r->tuples.s[i]);
			extra++;
		}
	tap_ok(want.n > 0 && missing == 0 && extra == 0, "%s: %s Zeek's %zu connections (%u missing, %u extra)",
	       trace, subset ? "has" : "same as", want.n, missing, extra);
	strset_free(&want);
	strset_free(&r->tuples);
	decoder_free(r->dec);
}

static void test_connections(void)
{
	struct flow_run r;

	compare(ZEEK "tunnels/Teredo.pcap", ZEEK "Baseline/core.tunnels.teredo/conn.log", false, &r);
	tap_ok(r.tunneled > 0, "Teredo: %u packets decapsulated", r.tunneled);
	compare(ZEEK "tunnels/vxlan.pcap", ZEEK "Baseline/core.tunnels.vxlan/conn.log", false, &r);
	tap_ok(r.tunneled == 8, "VXLAN: 8 packets decapsulated (%u)", r.tunneled);
	compare(ZEEK "q-in-q.pcap", ZEEK "Baseline/core.q-in-q/conn.log", false, &r);
	tap_ok(r.last.n_vlans == 2, "q-in-q: two tags");
	compare(ZEEK "mixed-vlan-mpls.pcap", ZEEK "Baseline/core.vlan-mpls/conn.log", false, &r);
	compare(ZEEK "vntag.pcap", ZEEK "Baseline/core.vntag/conn.log", false, &r);
	tap_ok(r.last.n_vlans == 1 && r.last.vlan == 11, "VN-Tag then VLAN 11");
	compare(ZEEK "pcapng-multi-interface.pcapng", ZEEK "Baseline/core.pcapng-pktsrc/conn.log", false, &r);
	compare(ZEEK "wikipedia.pcap", ZEEK "Baseline/opt.basic/conn.log", false, &r);
	compare(ZEEK "ipv6-fragmented-dns.pcap", ZEEK "Baseline/core.ipv6-frag/dns.log", true, &r);
	tap_ok(r.reassembled == 1 && r.max_payload > 3000,
	       "IPv6 fragments: one 3-fragment DNS answer reassembled (%u, %u bytes)", r.reassembled,
	       r.max_payload);
}

/* Zeek's core.linuxsll2 prints conn_id, icmp info, ...; the last line the L2 addresses. */
static void test_sll2(void)
{
	struct flow_run r;
	char *text = trace_slurp(trace_path(ZEEK "Baseline/core.linuxsll2/.stdout")), *line, *next;
	struct zeek_conn_id id;
	const char *rest;
	char key[TUPLE_BYTES];
	unsigned want = 0, have = 0;

	memset(&r, 0, sizeof(r));
	r.dec = decoder_new(NULL);
	trace_each(trace_path(ZEEK "linux_dlt_sll2.pcap"), flow_packet, &r);
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!zeek_conn_id_parse(line, &id, &rest) ||
		    !tuple_key_text(key, id.proto, id.orig_h, id.orig_p, id.resp_h, id.resp_p))
			continue;
		want++;
		have += strset_has(&r.tuples, key);
	}
	tap_ok(want == 4 && have == want, "SLL2: Zeek's %u ICMP tuples (%u found)", want, have);
	TAP_EQ_U(r.tuples.n, 2, "SLL2: two ICMP flows, ARP left out");
	free(text);
	strset_free(&r.tuples);
	decoder_free(r.dec);
}

int main(void)
{
	test_truncation();
	test_connections();
	test_sll2();
	return tap_done();
}
