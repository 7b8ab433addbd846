/* \summary: Community ID v1 against the spec's tables and per-packet baselines,
 * and against Zeek's community_id_v1() results on its own traces */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/community_id.h"
#include "trace.h"
#include "../tap.h"

#define SPEC_PCAP       "testdata/community-id-spec/pcaps/combined.pcap.gz"
#define SPEC_DEFAULT    "testdata/community-id-spec/baseline/baseline_deflt.json"
#define SPEC_SEED1      "testdata/community-id-spec/baseline/baseline_seed1.json"
#define ZEEK_OUT_DIR    "testdata/zeek/Baseline/bifs.community_id.run-pcaps"
#define ZEEK_TRACE_DIR  "testdata/zeek/communityid"
#define NO_PORT         (-1)

/* ---------------------------------------------------- the spec's README tables */

struct vector {
	uint8_t proto;
	const char *src, *dst;
	int sport, dport;          /* ICMP: type and code; NO_PORT for none */
	const char *id0, *id1;     /* seed 0, seed 1 */
};

/* corelight/community-id-spec baseline/README.md, "Default settings" and "A custom seed=1 value". */
static const struct vector VECTORS[] = {
	{ 6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM=", "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ 6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM=", "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ 17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=", "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
	{ 17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=", "1:OShq+iKDAMVouh/4bMxB9Sz4amw=" },
	{ 132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=", "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
	{ 132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=", "1:uitchpn5MMGAQKBJh7bIr/bAr7s=" },
	{ 1, "1.2.3.4", "5.6.7.8", 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
	{ 1, "5.6.7.8", "1.2.3.4", 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=" },
	{ 1, "1.2.3.4", "5.6.7.8", 11, 0, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=", "1:1DD7cWGC/Yg91YGsQeni8du3pIA=" },
	{ 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 128, 0,
	  "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=", "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
	{ 58, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", 129, 0,
	  "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=", "1:IO27GQzPuCtNnwFvjWALMHu5tJE=" },
	{ 58, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", 146, 0,
	  "1:fYC8+pz24E+EhANP1EZhpX0Dw10=", "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=" },
	{ 46, "1.2.3.4", "5.6.7.8", NO_PORT, NO_PORT, "1:ikv3kmf89luf73WPz1jOs49S768=", "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
	{ 46, "5.6.7.8", "1.2.3.4", NO_PORT, NO_PORT, "1:ikv3kmf89luf73WPz1jOs49S768=", "1:/buhqeOmaRCopOZFy9HnoJd5XW8=" },
	{ 46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", NO_PORT, NO_PORT,
	  "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=", "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
	{ 46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", NO_PORT, NO_PORT,
	  "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=", "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=" },
};

static bool endpoints(struct ip_endpoints *ep, uint8_t proto, const char *src, const char *dst,
		      int sport, int dport)
{
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;

	memset(ep, 0, sizeof(*ep));
	ep->version = af == AF_INET6 ? 6 : 4;
	ep->proto = proto;
	ep->sport = sport == NO_PORT ? 0 : (uint16_t)sport;
	ep->dport = dport == NO_PORT ? 0 : (uint16_t)dport;
	return inet_pton(af, src, ep->src) == 1 && inet_pton(af, dst, ep->dst) == 1;
}

static void test_vectors(void)
{
	struct ip_endpoints ep;
	char id0[COMMUNITY_ID_BYTES], id1[COMMUNITY_ID_BYTES];
	unsigned ok = 0, n = sizeof(VECTORS) / sizeof(VECTORS[0]);

	for (unsigned i = 0; i < n; i++) {
		const struct vector *v = &VECTORS[i];

		if (!endpoints(&ep, v->proto, v->src, v->dst, v->sport, v->dport))
			continue;
		community_id_v1(&ep, 0, id0);
		community_id_v1(&ep, 1, id1);
		if (strcmp(id0, v->id0) == 0 && strcmp(id1, v->id1) == 0)
			ok++;
		else
			tap_diag("vector %u: got %s %s, want %s %s", i, id0, id1, v->id0, v->id1);
	}
	TAP_EQ_U(ok, n, "spec README tables: %u vectors, seeds 0 and 1", n);
}

/* --------------------------------------------- per packet of combined.pcap.gz */

struct expect {
	uint8_t proto;
	char saddr[64], daddr[64];
	int sport, dport;
	char id[COMMUNITY_ID_BYTES];
};

#define MAX_EXPECT 64

/* A number or null after "key": in the object [p, end). */
static bool json_int(const char *p, const char *end, const char *key, int *v)
{
	const char *k = strstr(p, key);

	if (k == NULL || k >= end)
		return false;
	k += strlen(key);
	while (*k == ' ' || *k == ':')
		k++;
	*v = strncmp(k, "null", 4) == 0 ? NO_PORT : atoi(k);
	return true;
}

static bool json_str(const char *p, const char *end, const char *key, char *out, size_t outlen)
{
	const char *k = strstr(p, key), *q;
	size_t n;

	if (k == NULL || k >= end || (k = strchr(k + strlen(key), '"')) == NULL ||
	    (q = strchr(k + 1, '"')) == NULL || q >= end)
		return false;
	n = (size_t)(q - k - 1);
	if (n >= outlen)
		return false;
	memcpy(out, k + 1, n);
	out[n] = '\0';
	return true;
}

/* The baselines are lists of flat objects: parsed by hand, key by key. */
static int read_baseline(const char *path, struct expect *e, int max)
{
	char *text = trace_slurp(path), *p, *end;
	int n = 0, proto;

	if (text == NULL)
		return -1;
	for (p = strchr(text, '{'); p != NULL && n < max; p = strchr(end, '{')) {
		end = strchr(p, '}');
		if (end == NULL)
			break;
		if (!json_int(p, end, "\"proto\"", &proto) ||
		    !json_str(p, end, "\"saddr\"", e[n].saddr, sizeof(e[n].saddr)) ||
		    !json_str(p, end, "\"daddr\"", e[n].daddr, sizeof(e[n].daddr)) ||
		    !json_int(p, end, "\"sport\"", &e[n].sport) ||
		    !json_int(p, end, "\"dport\"", &e[n].dport) ||
		    !json_str(p, end, "\"communityid\"", e[n].id, sizeof(e[n].id)))
			break;
		e[n++].proto = (uint8_t)proto;
	}
	free(text);
	return n;
}

struct spec_run {
	struct decoder *dec;
	uint16_t seed;
	const struct expect *e;
	int n_expect;
	unsigned packets, ip_packets, matched, not_ip;
	int seen[MAX_EXPECT];           /* order in which baseline entries first matched */
	int n_seen;
};

/* The baseline's view of a packet: addresses as text, ICMP ports mapped. */
static int find_expect(const struct spec_run *r, const struct decoded *d)
{
	char sa[64], da[64];
	int af = d->ip.version == 6 ? AF_INET6 : AF_INET;
	uint16_t sp = d->ip.sport, dp = d->ip.dport;
	bool ports = d->ip.proto == 6 || d->ip.proto == 17 || d->ip.proto == 132 ||
		     d->ip.proto == 1 || d->ip.proto == 58;

	inet_ntop(af, d->ip.src, sa, sizeof(sa));
	inet_ntop(af, d->ip.dst, da, sizeof(da));
	if (d->ip.proto == 1 || d->ip.proto == 58)
		community_id_icmp_ports(d->ip.proto, d->icmp_type, d->icmp_code, &sp, &dp);
	for (int i = 0; i < r->n_expect; i++) {
		const struct expect *x = &r->e[i];

		if (x->proto == d->ip.proto && strcmp(x->saddr, sa) == 0 && strcmp(x->daddr, da) == 0 &&
		    (ports ? x->sport == sp && x->dport == dp : x->sport == NO_PORT))
			return i;
	}
	return -1;
}

static void spec_packet(void *ctx, uint32_t lt, const struct cap_packet *pkt)
{
	struct spec_run *r = ctx;
	struct decoded d;
	char id[COMMUNITY_ID_BYTES];
	int i;

	r->packets++;
	if (!decode_packet(r->dec, lt, pkt->data, pkt->caplen, pkt->origlen, pkt->ts_ns, &d)) {
		r->not_ip++;
		return;
	}
	r->ip_packets++;
	i = find_expect(r, &d);
	community_id_v1(&d.ip, r->seed, id);
	if (i < 0) {
		tap_diag("packet %llu: tuple not in the baseline (%s)", (unsigned long long)pkt->number, id);
		return;
	}
	if (strcmp(id, r->e[i].id) == 0)
		r->matched++;
	else
		tap_diag("packet %llu: %s, want %s", (unsigned long long)pkt->number, id, r->e[i].id);
	for (int k = 0; k < r->n_seen; k++)
		if (r->seen[k] == i)
			return;
	if (r->n_seen < MAX_EXPECT)
		r->seen[r->n_seen++] = i;
}

static void test_spec_baseline(const char *json, uint16_t seed)
{
	struct expect e[MAX_EXPECT];
	struct spec_run r;
	bool in_order = true;

	memset(&r, 0, sizeof(r));
	r.n_expect = read_baseline(trace_path(json), e, MAX_EXPECT);
	if (!tap_ok(r.n_expect == 23, "%s: 23 distinct tuples read", json))
		return;
	r.e = e;
	r.seed = seed;
	r.dec = decoder_new(NULL);
	tap_ok(trace_each(trace_path(SPEC_PCAP), spec_packet, &r), "combined.pcap.gz read to its end");
	TAP_EQ_U(r.packets, 68, "seed %u: 68 packets", seed);
	TAP_EQ_U(r.not_ip, 6, "seed %u: the 6 ARP packets have no ID", seed);
	tap_ok(r.matched == r.ip_packets && r.ip_packets == 62,
	       "seed %u: Community ID matches for %u of %u IP packets", seed, r.matched, r.ip_packets);
	for (int k = 0; k < r.n_seen; k++)
		in_order &= r.seen[k] == k;
	tap_ok(r.n_seen == r.n_expect && in_order,
	       "seed %u: every baseline tuple seen, in the baseline's order (%d of %d)", seed, r.n_seen,
	       r.n_expect);
	decoder_free(r.dec);
}

/* ---------------------------------------------- Zeek's run-pcaps baselines */

struct zeek_run {
	struct decoder *dec;
	struct strset ids;              /* every ID our decode gives the trace */
};

static void zeek_packet(void *ctx, uint32_t lt, const struct cap_packet *pkt)
{
	struct zeek_run *r = ctx;
	struct decoded d;
	char id[COMMUNITY_ID_BYTES];

	if (!decode_packet(r->dec, lt, pkt->data, pkt->caplen, pkt->origlen, pkt->ts_ns, &d) ||
	    d.fragment)
		return;
	community_id_v1(&d.ip, 0, id);
	strset_add(&r->ids, id);
}

/*
 * Zeek prints conn_id, community ID per connection. Two checks: the hash of
 * Zeek's own tuple must be Zeek's ID, and our decode of the trace must give
 * that ID to some packet. Zeek does not parse SCTP, so it hashes SCTP with
 * ports 0 where the spec (and pidcap) use the SCTP ports: that one differs
 * by design and is only checked the first way.
 */
static void test_zeek_trace(const char *name)
{
	char path[256], line[1024], want[COMMUNITY_ID_BYTES], got[COMMUNITY_ID_BYTES];
	struct zeek_run r = { decoder_new(NULL), { 0 } };
	struct zeek_conn_id zid;
	struct ip_endpoints ep;
	const char *rest;
	unsigned lines = 0, hash_ok = 0, seen = 0, sctp = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ZEEK_TRACE_DIR, name);
	trace_each(trace_path(path), zeek_packet, &r);
	snprintf(path, sizeof(path), "%s/%s.out", ZEEK_OUT_DIR, name);
	f = fopen(trace_path(path), "r");
	if (!tap_ok(f != NULL, "%s: Zeek baseline opened", name))
		goto out;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (!zeek_conn_id_parse(line, &zid, &rest) || sscanf(rest, ", %31s", want) != 1)
			continue;
		lines++;
		endpoints(&ep, zid.proto, zid.orig_h, zid.resp_h, zid.orig_p, zid.resp_p);
		community_id_v1(&ep, 0, got);
		hash_ok += strcmp(got, want) == 0;
		if (zid.proto == 132)
			sctp++;
		else
			seen += strset_has(&r.ids, want);
	}
	fclose(f);
	tap_ok(hash_ok == lines, "%s: Zeek's %u tuples hash to Zeek's IDs (%u)", name, lines, hash_ok);
	tap_ok(seen + sctp == lines, "%s: %u of %u IDs also from decoding the trace%s", name, seen,
	       lines - sctp, sctp ? " (SCTP: Zeek hashes ports 0)" : "");
out:
	strset_free(&r.ids);
	decoder_free(r.dec);
}

int main(void)
{
	static const char *const ZEEK_TRACES[] = {
		"arp.pcap", "icmp.pcap", "icmp6.pcap", "ipv6.pcap", "sctp.pcap", "tcp.pcap", "udp.pcap",
	};

	test_vectors();
	test_spec_baseline(SPEC_DEFAULT, 0);
	test_spec_baseline(SPEC_SEED1, 1);
	for (size_t i = 0; i < sizeof(ZEEK_TRACES) / sizeof(ZEEK_TRACES[0]); i++)
		test_zeek_trace(ZEEK_TRACES[i]);
	return tap_done();
}
