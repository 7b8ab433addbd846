/* \summary: the packet decoder on frames built in code: every link type,
 * tunnel and transport in IPv4 and IPv6, malformed headers, fragments, and
 * a truncate-at-every-offset loop */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode.h"
#include "decode/proto.h"
#include "frames.h"
#include "util/units.h"
#include "../tap.h"

#define LT_NULL      0u
#define LT_ETHERNET  1u
#define LT_PPP       9u
#define LT_RAW12     12u
#define LT_RAW14     14u
#define LT_PPP_HDLC  50u
#define LT_PPP_ETHER 51u
#define LT_RAW       101u
#define LT_C_HDLC    104u
#define LT_LOOP      108u
#define LT_SLL       113u
#define LT_IPV4      228u
#define LT_IPV6      229u
#define LT_PKTAP     258u
#define LT_SLL2      276u


#define TH_SYN 0x02
#define TH_ACK 0x10

/*
 * The watchdog: the "bounded time" checks come after their loops, so a
 * runaway loop would hang before reaching them. SIGALRM turns a hang into a
 * "not ok" line and exit status 1 within the step's limit.
 */
#define RUN_LIMIT_S   600   /* the whole test (ASan builds are slow) */
#define STEP_LIMIT_S  10    /* one hostile frame: decoded in microseconds */
#define FLOOD_LIMIT_S 120   /* 200000 fragments */

static char watchdog_msg[256];
static size_t watchdog_len;
static time_t run_deadline;

static void watchdog_fire(int sig)
{
	ssize_t r;

	(void)sig;
	/* only async-signal-safe calls; tap_ok() flushed every earlier line */
	r = write(STDOUT_FILENO, watchdog_msg, watchdog_len);
	_exit(r < 0 ? 2 : 1);
}

/* From now on, seconds more without a watchdog_*() call fails the test with what. */
static void watchdog_arm(unsigned seconds, const char *what)
{
	int n = snprintf(watchdog_msg, sizeof(watchdog_msg),
			 "not ok - %s: still running after %u s (a runaway loop?)\n", what, seconds);

	watchdog_len = n < 0 ? 0 : (size_t)n < sizeof(watchdog_msg) ? (size_t)n : sizeof(watchdog_msg) - 1;
	alarm(seconds);
}

/* Back to the limit of the whole run after a step. */
static void watchdog_step_done(void)
{
	time_t left = run_deadline - time(NULL);

	watchdog_arm(left > 0 ? (unsigned)left : 1, "the decoder tests");
}

static void watchdog_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog_fire;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	run_deadline = time(NULL) + RUN_LIMIT_S;
	watchdog_arm(RUN_LIMIT_S, "the decoder tests");
}

static struct decoder *dec;
static struct decoded out;
static uint8_t *copy;           /* the exact-size copy of the last frame decoded */
static int64_t now_ns = 1700000000 * NS_PER_SEC;

/* Decodes an exact-size heap copy of the frame (caplen bytes of wirelen). */
static bool run_cut(uint32_t lt, const uint8_t *p, size_t caplen, size_t wirelen)
{
	free(copy);
	copy = malloc(caplen ? caplen : 1);
	if (caplen)
		memcpy(copy, p, caplen);
	now_ns += 1000;
	return decode_packet(dec, lt, copy, (uint32_t)caplen, (uint32_t)wirelen, now_ns, &out);
}

static bool run(uint32_t lt, const struct frame *f)
{
	return run_cut(lt, fr_data(f), fr_len(f), fr_len(f));
}

static bool has(const char *name)
{
	for (unsigned i = 0; i < out.n_anomalies; i++)
		if (strcmp(out.anomaly[i], name) == 0)
			return true;
	return false;
}

static void show_anomalies(void)
{
	for (unsigned i = 0; i < out.n_anomalies; i++)
		tap_diag("anomaly %s", out.anomaly[i]);
}

static bool addr_is(const uint8_t *got, const uint8_t *want, unsigned version)
{
	static const uint8_t zero[12];

	if (version == 4)
		return memcmp(got, want, 4) == 0 && memcmp(got + 4, zero, 12) == 0;
	return memcmp(got, want, 16) == 0;
}

static bool ep_is(const struct ip_endpoints *ep, unsigned version, const uint8_t *src,
		  const uint8_t *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	return ep->version == version && addr_is(ep->src, src, version) &&
	       addr_is(ep->dst, dst, version) && ep->proto == proto && ep->sport == sport &&
	       ep->dport == dport;
}

/* The innermost tuple, or a diagnostic of what came instead. */
static int tuple_ok(unsigned version, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		    uint16_t sport, uint16_t dport, const char *what)
{
	int ok = tap_ok(ep_is(&out.ip, version, src, dst, proto, sport, dport), "%s: tuple", what);

	if (!ok) {
		tap_diag("got v%u proto %u ports %u %u", out.ip.version, out.ip.proto, out.ip.sport,
			 out.ip.dport);
		show_anomalies();
	}
	return ok;
}

/* A TCP SYN with a little payload from A to B, over IPv4 or IPv6. */
static void tcp_packet(struct frame *f, unsigned version, const void *payload, size_t n)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2 };

	fr_init(f, payload, n);
	fr_tcp(f, 40000, 443, TH_SYN, 1000, 0, mss, sizeof(mss));
	if (version == 4)
		fr_ipv4(f, FR_A4, FR_B4, IPPROTO_NUM_TCP);
	else
		fr_ipv6(f, FR_A6, FR_B6, IPPROTO_NUM_TCP);
}

static const uint8_t *A(unsigned v) { return v == 4 ? FR_A4 : FR_A6; }
static const uint8_t *B(unsigned v) { return v == 4 ? FR_B4 : FR_B6; }
static uint16_t ethertype(unsigned v) { return v == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6; }

/* ------------------------------------------------------------------ links */

static void test_link_types(unsigned v)
{
	static struct frame f;
	static const char payload[] = "hello";
	uint8_t *h;

	tcp_packet(&f, v, payload, 5);
	run(v == 4 ? LT_IPV4 : LT_IPV6, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, v == 4 ? "LINKTYPE_IPV4" : "LINKTYPE_IPV6");
	TAP_EQ_U(out.tcp_flags, TH_SYN, "v%u: TCP flags", v);
	TAP_EQ_U(out.tcp_seq, 1000, "v%u: TCP seq", v);
	TAP_EQ_U(out.tcp_win, 65535, "v%u: TCP window", v);
	tap_ok(out.l4_ok && cur_left(&out.payload) == 5 && out.payload_len == 5 &&
	       memcmp(cur_data(&out.payload), payload, 5) == 0, "v%u: TCP payload", v);
	TAP_EQ_U(out.ip_bytes, fr_len(&f), "v%u: ip_bytes", v);
	TAP_EQ_U(out.ttl, v == 4 ? 64 : 63, "v%u: ttl", v);
	run(LT_RAW, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "LINKTYPE_RAW");
	run(LT_RAW12, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "DLT_RAW 12");
	run(LT_RAW14, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "DLT_RAW 14");

	/* NULL in either host byte order, LOOP in network order */
	tcp_packet(&f, v, payload, 5);
	h = fr_push(&f, 4);
	h[0] = v == 4 ? 2 : 30;
	run(LT_NULL, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "NULL little-endian");
	h[0] = 0;
	h[3] = v == 4 ? 2 : 24;
	run(LT_NULL, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "NULL big-endian");
	h[3] = v == 4 ? 2 : 28;
	run(LT_LOOP, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "LOOP");
	h[3] = 7;
	tap_ok(!run(LT_LOOP, &f), "v%u: LOOP of an unknown family is not IP", v);

	/* Ethernet */
	tcp_packet(&f, v, payload, 5);
	fr_eth(&f, ethertype(v));
	run(LT_ETHERNET, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "Ethernet");
	tap_ok(out.has_l2_addrs && memcmp(out.l2_src, FR_MAC_SRC, 6) == 0 &&
	       memcmp(out.l2_dst, FR_MAC_DST, 6) == 0, "v%u: Ethernet addresses", v);

	/* SLL: packet type, ARPHRD_ETHER, address length 6, address, protocol */
	tcp_packet(&f, v, payload, 5);
	h = fr_push(&f, 16);
	fr_put16(h + 2, 1);
	fr_put16(h + 4, 6);
	memcpy(h + 6, FR_MAC_SRC, 6);
	fr_put16(h + 14, ethertype(v));
	run(LT_SLL, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "SLL");
	tap_ok(out.has_l2_addrs && memcmp(out.l2_src, FR_MAC_SRC, 6) == 0, "v%u: SLL source address", v);

	/* SLL2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address */
	tcp_packet(&f, v, payload, 5);
	h = fr_push(&f, 20);
	fr_put16(h, ethertype(v));
	fr_put32(h + 4, 3);
	fr_put16(h + 8, 1);
	h[11] = 6;
	memcpy(h + 12, FR_MAC_SRC, 6);
	run(LT_SLL2, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "SLL2");

	/* PPP: HDLC-like framing, bare, protocol-field compression */
	tcp_packet(&f, v, payload, 5);
	h = fr_push(&f, 4);
	h[0] = 0xff;
	h[1] = 0x03;
	fr_put16(h + 2, v == 4 ? 0x0021 : 0x0057);
	run(LT_PPP, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "PPP");
	run(LT_PPP_HDLC, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "PPP_HDLC");
	tcp_packet(&f, v, payload, 5);
	h = fr_push(&f, 1);
	h[0] = v == 4 ? 0x21 : 0x57;
	run(LT_PPP, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "PPP compressed protocol");

	/* PPPoE session, bare (51) and in Ethernet */
	tcp_packet(&f, v, payload, 5);
	fr_put16(fr_push(&f, 2), v == 4 ? 0x0021 : 0x0057);
	{
		size_t len = fr_len(&f);

		h = fr_push(&f, 6);
		h[0] = 0x11;
		fr_put16(h + 2, 0x1234);
		fr_put16(h + 4, (uint16_t)len);
	}
	run(LT_PPP_ETHER, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "PPPoE");
	fr_eth(&f, ETHERTYPE_PPPOE_SESS);
	run(LT_ETHERNET, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "Ethernet PPPoE");

	/* Cisco HDLC */
	tcp_packet(&f, v, payload, 5);
	h = fr_push(&f, 4);
	h[0] = 0x0f;
	fr_put16(h + 2, ethertype(v));
	run(LT_C_HDLC, &f);
	tuple_ok(v, A(v), B(v), IPPROTO_NUM_TCP, 40000, 443, "Cisco HDLC");
}

/* Apple PKTAP, version 1 (struct pktap_header) and version 2. */
static void test_pktap(void)
{
	static struct frame f;
	uint8_t *h;

	tcp_packet(&f, 4, "x", 1);
	fr_eth(&f, ETHERTYPE_IPV4);
	h = fr_push(&f, 156);
	h[0] = 156;                 /* pth_length, little-endian */
	h[4] = 1;                   /* pth_type_next: packet */
	h[8] = 1;                   /* pth_dlt: Ethernet */
	memcpy(h + 12, "en0", 3);
	h[36] = 0x02;               /* pth_flags: outgoing */
	h[52] = 0x39;               /* pth_pid 12345 */
	h[53] = 0x30;
	memcpy(h + 56, "curl", 4);
	h[84] = 0x2a;               /* pth_epid 42 */
	memcpy(h + 88, "launchd-named-17b", 17);   /* no NUL within 17 bytes */
	run(LT_PKTAP, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_TCP, 40000, 443, "PKTAP v1");
	tap_ok(out.has_pktap && out.pktap_pid == 12345 && out.pktap_epid == 42 &&
	       strcmp(out.pktap_comm, "curl") == 0 && strcmp(out.pktap_ecomm, "launchd-named-17b") == 0 &&
	       out.pktap_flags == 2, "PKTAP v1: process fields");
	h[4] = 0;
	tap_ok(!run(LT_PKTAP, &f) && out.has_pktap && out.pktap_pid == 12345,
	       "PKTAP v1 without a packet: process fields only");
	h[4] = 1;
	h[8] = 0x02;                /* DLT 258 inside PKTAP */
	h[9] = 0x01;
	tap_ok(!run(LT_PKTAP, &f) && has("pktap_nested"), "PKTAP inside PKTAP is refused");
	h[0] = 100;                 /* shorter than a version 1 header */
	h[8] = 1;
	h[9] = 0;
	tap_ok(!run(LT_PKTAP, &f) && has("bad_pktap_header") && !out.has_pktap, "PKTAP v1 too short");

	tcp_packet(&f, 6, "x", 1);
	h = fr_push(&f, 60);
	h[0] = 60;                  /* pth_length */
	h[4] = 40;                  /* pth_comm_offset */
	h[5] = 0;                   /* no pth_e_comm */
	h[6] = 12;                  /* DLT_RAW */
	h[28] = 7;                  /* pid */
	h[32] = 8;                  /* epid */
	h[38] = 0x08;               /* PTH_FLAG_V2_HDR (0x80000) */
	memcpy(h + 40, "ssh", 3);
	run(LT_PKTAP, &f);
	tuple_ok(6, FR_A6, FR_B6, IPPROTO_NUM_TCP, 40000, 443, "PKTAP v2");
	tap_ok(out.pktap_pid == 7 && out.pktap_epid == 8 && strcmp(out.pktap_comm, "ssh") == 0 &&
	       out.pktap_ecomm[0] == '\0', "PKTAP v2: process fields");
}

static void test_vlan_mpls(void)
{
	static struct frame f;
	bool ok;
	clock_t t0;

	tcp_packet(&f, 4, NULL, 0);
	fr_vlan(&f, 20, ETHERTYPE_IPV4);
	fr_vlan(&f, 0x2000 | 10, ETHERTYPE_VLAN);    /* PCP bits are not part of the id */
	fr_eth(&f, ETHERTYPE_QINQ);
	run(LT_ETHERNET, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_TCP, 40000, 443, "QinQ");
	tap_ok(out.n_vlans == 2 && out.vlan == 10 && out.inner_vlan == 20, "QinQ: vlan 10, inner 20");

	tcp_packet(&f, 6, NULL, 0);
	fr_vlan(&f, 3, ETHERTYPE_IPV6);
	fr_vlan(&f, 2, ETHERTYPE_VLAN);
	fr_vlan(&f, 1, ETHERTYPE_VLAN);
	fr_eth(&f, ETHERTYPE_QINQ_OLD1);
	run(LT_ETHERNET, &f);
	tap_ok(out.ip.version == 6 && out.n_vlans == 3 && out.vlan == 1 && out.inner_vlan == 3,
	       "three tags: the first, and the last (as Zeek)");

	tcp_packet(&f, 4, NULL, 0);
	fr_vlan(&f, 99, ETHERTYPE_IPV4);
	for (int i = 0; i < 99; i++)
		fr_vlan(&f, (uint16_t)i, ETHERTYPE_VLAN);
	fr_eth(&f, ETHERTYPE_VLAN);
	watchdog_arm(STEP_LIMIT_S, "100 VLAN tags");
	t0 = clock();
	ok = !run(LT_ETHERNET, &f) && has("vlan_stack_too_deep");
	tap_ok(ok && out.n_vlans == DECODE_MAX_LINK_DEPTH, "100 VLAN tags: vlan_stack_too_deep");
	tap_ok(clock() - t0 < CLOCKS_PER_SEC, "100 VLAN tags: bounded time");
	watchdog_step_done();

	tcp_packet(&f, 4, NULL, 0);
	fr_mpls(&f, 17, 1);
	fr_mpls(&f, 16, 0);
	fr_eth(&f, ETHERTYPE_MPLS);
	run(LT_ETHERNET, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_TCP, 40000, 443, "MPLS");
	TAP_EQ_U(out.n_mpls, 2, "MPLS: two labels");

	/* an Ethernet pseudowire with a control word */
	tcp_packet(&f, 6, NULL, 0);
	fr_eth(&f, ETHERTYPE_IPV6);
	fr_push(&f, 4);
	fr_mpls(&f, 100, 1);
	fr_eth(&f, ETHERTYPE_MPLS);
	run(LT_ETHERNET, &f);
	tuple_ok(6, FR_A6, FR_B6, IPPROTO_NUM_TCP, 40000, 443, "MPLS Ethernet pseudowire");

	tcp_packet(&f, 4, NULL, 0);
	fr_mpls(&f, 1, 1);
	for (int i = 0; i < 30; i++)
		fr_mpls(&f, 1, 0);
	fr_eth(&f, ETHERTYPE_MPLS);
	tap_ok(!run(LT_ETHERNET, &f) && has("mpls_stack_too_deep"), "31 MPLS labels: mpls_stack_too_deep");

	/* no bottom-of-stack bit before the end */
	fr_init(&f, NULL, 0);
	fr_mpls(&f, 1, 0);
	fr_mpls(&f, 2, 0);
	fr_eth(&f, ETHERTYPE_MPLS);
	tap_ok(!run(LT_ETHERNET, &f) && has("truncated_link_header"),
	       "MPLS stack without bottom: truncated_link_header");

	/* 802.3 length + LLC/SNAP with an EtherType */
	tcp_packet(&f, 4, NULL, 0);
	{
		uint8_t *h = fr_push(&f, 8);
		size_t len = fr_len(&f);

		h[0] = 0xaa;
		h[1] = 0xaa;
		h[2] = 0x03;
		fr_put16(h + 6, ETHERTYPE_IPV4);
		fr_eth(&f, (uint16_t)len);
	}
	run(LT_ETHERNET, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_TCP, 40000, 443, "802.3 LLC/SNAP");

	/* VN-Tag, PBB */
	tcp_packet(&f, 4, NULL, 0);
	fr_put16(fr_push(&f, 2), ETHERTYPE_IPV4);
	fr_push(&f, 4);
	fr_eth(&f, ETHERTYPE_VNTAG);
	run(LT_ETHERNET, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_TCP, 40000, 443, "VN-Tag");
	tcp_packet(&f, 6, NULL, 0);
	fr_eth(&f, ETHERTYPE_IPV6);
	fr_push(&f, 4);
	fr_eth(&f, ETHERTYPE_PBB);
	run(LT_ETHERNET, &f);
	tuple_ok(6, FR_A6, FR_B6, IPPROTO_NUM_TCP, 40000, 443, "PBB");

	fr_init(&f, "xx", 2);
	fr_eth(&f, ETHERTYPE_ARP);
	tap_ok(!run(LT_ETHERNET, &f) && out.n_anomalies == 0, "ARP: not IP, no anomaly");
	fr_eth(&f, 0x05f0);
	tap_ok(!run(LT_ETHERNET, &f) && has("undefined_ether_type"), "EtherType 0x05f0: undefined_ether_type");
}

/* ---------------------------------------------------------------- tunnels */

/* An inner UDP packet C:5353 -> D:53 of the given version. */
static void inner_udp(struct frame *f, unsigned v)
{
	fr_init(f, "query", 5);
	fr_udp(f, 5353, 53);
	if (v == 4)
		fr_ipv4(f, FR_C4, FR_D4, IPPROTO_NUM_UDP);
	else
		fr_ipv6(f, FR_C6, FR_D6, IPPROTO_NUM_UDP);
}

static const uint8_t *C(unsigned v) { return v == 4 ? FR_C4 : FR_C6; }
static const uint8_t *D(unsigned v) { return v == 4 ? FR_D4 : FR_D6; }

static void outer_ip(struct frame *f, unsigned v, uint8_t proto)
{
	if (v == 4)
		fr_ipv4(f, FR_A4, FR_B4, proto);
	else
		fr_ipv6(f, FR_A6, FR_B6, proto);
}

static void test_ip_tunnels(void)
{
	static struct frame f;
	char what[64];

	for (unsigned ov = 4; ov <= 6; ov += 2) {
		for (unsigned iv = 4; iv <= 6; iv += 2) {
			snprintf(what, sizeof(what), "%uin%u", iv, ov);
			inner_udp(&f, iv);
			outer_ip(&f, ov, iv == 4 ? IPPROTO_NUM_IPIP : IPPROTO_NUM_IPV6);
			fr_eth(&f, ethertype(ov));
			run(LT_ETHERNET, &f);
			tuple_ok(iv, C(iv), D(iv), IPPROTO_NUM_UDP, 5353, 53, what);
			tap_ok(out.tunnel == TUNNEL_IP && out.tunnel_depth == 1 &&
			       ep_is(&out.outer, ov, A(ov), B(ov), iv == 4 ? IPPROTO_NUM_IPIP : IPPROTO_NUM_IPV6, 0, 0),
			       "%s: outer endpoints", what);
			tap_ok(out.payload_len == 5 && memcmp(cur_data(&out.payload), "query", 5) == 0,
			       "%s: inner payload", what);
		}
	}
	/* the inner version must match the protocol number */
	inner_udp(&f, 6);
	outer_ip(&f, 4, IPPROTO_NUM_IPIP);
	run(LT_RAW, &f);
	tap_ok(has("invalid_inner_IP_version") && out.tunnel == TUNNEL_NONE &&
	       ep_is(&out.ip, 4, FR_A4, FR_B4, IPPROTO_NUM_IPIP, 0, 0), "IPv6 in proto 4: the outer flow stays");
	/* an inner packet longer than the tunnel carried */
	inner_udp(&f, 4);
	f.b[f.off + 3] += 10;
	outer_ip(&f, 6, IPPROTO_NUM_IPIP);
	run(LT_RAW, &f);
	tap_ok(has("truncated_inner_IP") && out.ip.version == 6 && out.ip.proto == IPPROTO_NUM_IPIP,
	       "inner length beyond the tunnel: truncated_inner_IP");
	inner_udp(&f, 4);
	f.b[f.off + 3] -= 1;
	outer_ip(&f, 4, IPPROTO_NUM_IPIP);
	run(LT_RAW, &f);
	tap_ok(has("inner_IP_payload_length_mismatch"), "inner length short of the tunnel");

	/* nesting beyond the limit: the fourth tunnel is the flow */
	inner_udp(&f, 4);
	for (int i = 0; i < DECODE_MAX_TUNNEL_DEPTH + 1; i++)
		outer_ip(&f, i % 2 ? 4 : 6, i % 2 ? IPPROTO_NUM_IPV6 : IPPROTO_NUM_IPIP);
	run(LT_RAW, &f);
	tap_ok(has("exceeded_tunnel_max_depth") && out.tunnel_depth == DECODE_MAX_TUNNEL_DEPTH &&
	       out.outer.version == 6 && out.ip.version == 6 && out.ip.proto == IPPROTO_NUM_IPIP,
	       "tunnels nested 5 deep: stop at 4");
}

static void test_gre(void)
{
	static struct frame f;
	uint8_t *h;

	inner_udp(&f, 4);
	fr_gre(&f, 0x2000 | 0x1000, ETHERTYPE_IPV4);     /* key and sequence */
	outer_ip(&f, 4, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tuple_ok(4, FR_C4, FR_D4, IPPROTO_NUM_UDP, 5353, 53, "GRE IPv4 with key and sequence");
	tap_ok(out.tunnel == TUNNEL_GRE && ep_is(&out.outer, 4, FR_A4, FR_B4, IPPROTO_NUM_GRE, 0, 0),
	       "GRE: outer endpoints");

	inner_udp(&f, 6);
	fr_eth(&f, ETHERTYPE_IPV6);
	fr_gre(&f, 0x8000, ETHERTYPE_TEB);              /* checksum, transparent bridging */
	outer_ip(&f, 6, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tuple_ok(6, FR_C6, FR_D6, IPPROTO_NUM_UDP, 5353, 53, "GRE transparent Ethernet bridging");

	inner_udp(&f, 4);
	fr_eth(&f, ETHERTYPE_IPV4);
	fr_push(&f, 8);                           /* ERSPAN type II header */
	fr_gre(&f, 0x1000, 0x88be);
	outer_ip(&f, 4, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tuple_ok(4, FR_C4, FR_D4, IPPROTO_NUM_UDP, 5353, 53, "ERSPAN type II");

	inner_udp(&f, 4);
	fr_eth(&f, ETHERTYPE_IPV4);
	fr_push(&f, 8);                           /* platform subheader */
	h = fr_push(&f, 12);                      /* ERSPAN type III, O bit set */
	h[11] = 0x01;
	fr_gre(&f, 0, 0x22eb);
	outer_ip(&f, 4, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tuple_ok(4, FR_C4, FR_D4, IPPROTO_NUM_UDP, 5353, 53, "ERSPAN type III with subheader");

	/* PPTP: enhanced GRE (version 1, key, sequence) with PPP */
	inner_udp(&f, 4);
	h = fr_push(&f, 4);
	h[0] = 0xff;
	h[1] = 0x03;
	fr_put16(h + 2, 0x0021);
	fr_gre(&f, 0x2000 | 0x1000 | 1, 0x880b);
	outer_ip(&f, 4, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tuple_ok(4, FR_C4, FR_D4, IPPROTO_NUM_UDP, 5353, 53, "PPTP");

	inner_udp(&f, 4);
	fr_gre(&f, 2, ETHERTYPE_IPV4);
	outer_ip(&f, 4, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tap_ok(has("unknown_gre_version") && ep_is(&out.ip, 4, FR_A4, FR_B4, IPPROTO_NUM_GRE, 0, 0),
	       "GRE version 2: unknown_gre_version, the GRE flow stays");
	inner_udp(&f, 4);
	fr_gre(&f, 0x4000, ETHERTYPE_IPV4);
	outer_ip(&f, 4, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tap_ok(has("gre_routing"), "GRE routing: gre_routing");
	fr_init(&f, "\x00", 1);
	outer_ip(&f, 4, IPPROTO_NUM_GRE);
	run(LT_RAW, &f);
	tap_ok(has("truncated_GRE") && out.ip.proto == IPPROTO_NUM_GRE, "1-byte GRE: truncated_GRE");
}

static void test_udp_tunnels(void)
{
	static struct frame f;
	uint8_t *h;

	/* VXLAN: Ethernet in UDP to 4789 */
	tcp_packet(&f, 6, NULL, 0);
	fr_eth(&f, ETHERTYPE_IPV6);
	fr_vxlan(&f, 42);
	fr_udp(&f, 38071, 4789);
	outer_ip(&f, 4, IPPROTO_NUM_UDP);
	fr_eth(&f, ETHERTYPE_IPV4);
	run(LT_ETHERNET, &f);
	tuple_ok(6, FR_A6, FR_B6, IPPROTO_NUM_TCP, 40000, 443, "VXLAN");
	tap_ok(out.tunnel == TUNNEL_VXLAN && ep_is(&out.outer, 4, FR_A4, FR_B4, IPPROTO_NUM_UDP, 38071, 4789),
	       "VXLAN: outer endpoints with the UDP ports");

	/* VXLAN whose frame is not IP: the UDP flow stays */
	fr_init(&f, "arp", 3);
	fr_eth(&f, ETHERTYPE_ARP);
	fr_vxlan(&f, 1);
	fr_udp(&f, 1000, 4789);
	outer_ip(&f, 4, IPPROTO_NUM_UDP);
	run(LT_RAW, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_UDP, 1000, 4789, "VXLAN carrying ARP");
	TAP_EQ_U(out.tunnel, TUNNEL_NONE, "VXLAN carrying ARP: no tunnel");

	/* Teredo on its port with an origin indication */
	inner_udp(&f, 6);
	h = fr_push(&f, 8);
	fr_put16(h + 2, 0xffff ^ 3544);
	fr_udp(&f, 3797, 3544);
	outer_ip(&f, 4, IPPROTO_NUM_UDP);
	run(LT_RAW, &f);
	tuple_ok(6, FR_C6, FR_D6, IPPROTO_NUM_UDP, 5353, 53, "Teredo with origin indication");
	tap_ok(out.tunnel == TUNNEL_TEREDO && ep_is(&out.outer, 4, FR_A4, FR_B4, IPPROTO_NUM_UDP, 3797, 3544),
	       "Teredo: outer endpoints");

	/* Teredo with authentication (id 2, auth 3) off the port: a relay */
	inner_udp(&f, 6);
	h = fr_push(&f, 13 + 5);
	fr_put16(h, 1);
	h[2] = 2;
	h[3] = 3;
	fr_udp(&f, 32900, 3797);
	outer_ip(&f, 4, IPPROTO_NUM_UDP);
	run(LT_RAW, &f);
	tuple_ok(6, FR_C6, FR_D6, IPPROTO_NUM_UDP, 5353, 53, "Teredo with authentication from a relay");

	/* off the port without Teredo addresses: plain UDP that happens to hold IPv6 */
	fr_init(&f, "q", 1);
	fr_udp(&f, 1, 2);
	fr_ipv6(&f, FR_A6, FR_B6, IPPROTO_NUM_UDP);
	fr_udp(&f, 5000, 6000);
	outer_ip(&f, 4, IPPROTO_NUM_UDP);
	run(LT_RAW, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_UDP, 5000, 6000, "IPv6 in UDP off the Teredo port");

	/* a bubble keeps the UDP flow */
	fr_init(&f, NULL, 0);
	fr_ipv6(&f, FR_C6, FR_D6, IPPROTO_NUM_NONE);
	fr_udp(&f, 3797, 3544);
	outer_ip(&f, 4, IPPROTO_NUM_UDP);
	run(LT_RAW, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_UDP, 3797, 3544, "Teredo bubble");
	tap_ok(out.tunnel == TUNNEL_NONE && out.n_anomalies == 0, "Teredo bubble: no tunnel, no anomaly");

	/* the inner length must match the datagram */
	inner_udp(&f, 6);
	f.b[f.off + 5] += 1;
	fr_udp(&f, 3797, 3544);
	outer_ip(&f, 4, IPPROTO_NUM_UDP);
	run(LT_RAW, &f);
	tuple_ok(4, FR_A4, FR_B4, IPPROTO_NUM_UDP, 3797, 3544, "Teredo with a wrong inner length");
}

/* ------------------------------------------------------------- transports */

static void test_transports(void)
{
	static struct frame f;

	for (unsigned v = 4; v <= 6; v += 2) {
		fr_init(&f, "ping", 4);
		fr_icmp(&f, v == 4 ? 8 : 128, 0);
		if (v == 4)
			fr_ipv4(&f, FR_A4, FR_B4, IPPROTO_NUM_ICMP);
		else
			fr_ipv6(&f, FR_A6, FR_B6, IPPROTO_NUM_ICMPV6);
		run(LT_RAW, &f);
		tuple_ok(v, A(v), B(v), v == 4 ? IPPROTO_NUM_ICMP : IPPROTO_NUM_ICMPV6, v == 4 ? 8 : 128, 0, "ICMP echo");
		tap_ok(out.icmp_type == (v == 4 ? 8 : 128) && out.icmp_code == 0 &&
		       out.payload_len == 4, "v%u: ICMP type, code, payload", v);

		fr_init(&f, NULL, 0);
		fr_icmp(&f, 3, 4);
		outer_ip(&f, v, v == 4 ? IPPROTO_NUM_ICMP : IPPROTO_NUM_ICMPV6);
		run(LT_RAW, &f);
		tap_ok(out.ip.sport == 3 && out.ip.dport == 4, "v%u: ICMP sport=type dport=code", v);

		fr_init(&f, "chunk", 5);
		fr_sctp(&f, 7, 9);
		outer_ip(&f, v, IPPROTO_NUM_SCTP);
		run(LT_RAW, &f);
		tuple_ok(v, A(v), B(v), IPPROTO_NUM_SCTP, 7, 9, "SCTP");

		fr_init(&f, "ospf", 4);
		outer_ip(&f, v, 89);
		run(LT_RAW, &f);
		tap_ok(out.ip.proto == 89 && out.l4_ok && out.payload_len == 4 && out.ip.sport == 0,
		       "v%u: unknown protocol: no ports, payload", v);

		fr_init(&f, "data", 4);
		fr_udp(&f, 53, 5353);
		outer_ip(&f, v, IPPROTO_NUM_UDP);
		run(LT_RAW, &f);
		tuple_ok(v, A(v), B(v), IPPROTO_NUM_UDP, 53, 5353, "UDP");
		tap_ok(out.payload_len == 4 && out.n_anomalies == 0, "v%u: UDP payload", v);
	}
	/* ESP ends an IPv6 chain */
	fr_init(&f, "encrypted", 9);
	fr_ipv6_ext(&f, IPPROTO_NUM_ESP, 0);
	fr_ipv6(&f, FR_A6, FR_B6, 0);
	run(LT_RAW, &f);
	tap_ok(out.ip.proto == IPPROTO_NUM_ESP && out.l4_ok && out.payload_len == 9, "IPv6 hop-by-hop then ESP");
	/* routing type 0 */
	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_ACK, 0, 0, NULL, 0);
	fr_ipv6_ext(&f, IPPROTO_NUM_TCP, 2);
	f.b[f.off + 2] = 0;
	fr_ipv6(&f, FR_A6, FR_B6, IPPROTO_NUM_ROUTING);
	run(LT_RAW, &f);
	tap_ok(out.ip.proto == IPPROTO_NUM_TCP && out.ip.dport == 2 && has("routing0_hdr"), "IPv6 routing type 0: routing0_hdr");
	/* no next header */
	fr_init(&f, NULL, 0);
	fr_ipv6(&f, FR_A6, FR_B6, IPPROTO_NUM_NONE);
	run(LT_RAW, &f);
	tap_ok(out.ip.proto == IPPROTO_NUM_NONE && has("ipv6_no_next"), "IPv6 no next header: ipv6_no_next");
	/* UDP length disagreeing with IP */
	fr_init(&f, "abcdef", 6);
	fr_udp(&f, 1, 2);
	fr_put16(f.b + f.off + 4, 10);
	fr_ipv4(&f, FR_A4, FR_B4, IPPROTO_NUM_UDP);
	run(LT_RAW, &f);
	tap_ok(has("UDP_datagram_length_mismatch") && out.payload_len == 2 && cur_left(&out.payload) == 2,
	       "UDP length 10 in 14 bytes: mismatch, 2 bytes of payload (the UDP length)");
}

/* -------------------------------------------------------------- malformed */

static void test_malformed(void)
{
	static struct frame f;
	static const uint8_t opt_len0[] = { 2, 0, 0, 0 }, opt_len1[] = { 8, 1, 0, 0 };
	static const uint8_t opt_over[] = { 1, 1, 8, 10 };
	clock_t t0;

	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, opt_len0, sizeof(opt_len0));
	fr_ipv4(&f, FR_A4, FR_B4, IPPROTO_NUM_TCP);
	watchdog_arm(STEP_LIMIT_S, "TCP option length 0");
	t0 = clock();
	run(LT_RAW, &f);
	tap_ok(has("corrupt_tcp_options") && out.ip.dport == 2, "TCP option length 0: corrupt_tcp_options");
	tap_ok(clock() - t0 < CLOCKS_PER_SEC, "TCP option length 0: bounded time");
	watchdog_step_done();
	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, opt_len1, sizeof(opt_len1));
	fr_ipv4(&f, FR_A4, FR_B4, IPPROTO_NUM_TCP);
	run(LT_RAW, &f);
	tap_ok(has("corrupt_tcp_options"), "TCP option length 1: corrupt_tcp_options");
	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, opt_over, sizeof(opt_over));
	fr_ipv6(&f, FR_A6, FR_B6, IPPROTO_NUM_TCP);
	run(LT_RAW, &f);
	tap_ok(has("corrupt_tcp_options"), "TCP option past the header: corrupt_tcp_options");

	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, NULL, 0);
	f.b[f.off + 12] = 4 << 4;
	fr_ipv4(&f, FR_A4, FR_B4, IPPROTO_NUM_TCP);
	run(LT_RAW, &f);
	tap_ok(has("bad_TCP_header_len") && !out.l4_ok && out.ip.sport == 1,
	       "TCP data offset 4: bad_TCP_header_len, ports kept");
	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, NULL, 0);
	f.b[f.off + 12] = 15 << 4;
	fr_ipv4(&f, FR_A4, FR_B4, IPPROTO_NUM_TCP);
	run(LT_RAW, &f);
	tap_ok(has("truncated_header") && !out.l4_ok, "TCP data offset 15 in 20 bytes: truncated_header");

	fr_init(&f, "0123456789abcdef0123", 20);
	fr_ipv4_x(&f, FR_A4, FR_B4, IPPROTO_NUM_TCP, 1, 0, 3);
	tap_ok(!run(LT_RAW, &f) && has("IPv4_min_header_size"), "IHL 3: IPv4_min_header_size");
	fr_init(&f, "0123456789abcdef0123", 20);
	fr_ipv4(&f, FR_A4, FR_B4, IPPROTO_NUM_TCP);
	f.b[f.off] = 0x4f;
	tap_ok(!run(LT_RAW, &f) && has("invalid_IP_header_size"), "IHL 15 in a 40-byte packet: invalid_IP_header_size");
	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, NULL, 0);
	fr_ipv4_x(&f, FR_A4, FR_B4, IPPROTO_NUM_TCP, 1, 0, 15);
	run(LT_RAW, &f);
	tap_ok(out.ip.dport == 2 && out.l4_ok && out.n_anomalies == 0, "IHL 15 with 40 bytes of options: fine");

	tcp_packet(&f, 4, NULL, 0);
	tap_ok(!run_cut(LT_RAW, fr_data(&f), 12, 12) && has("truncated_IP"), "12 bytes of IPv4: truncated_IP");
	tap_ok(!run_cut(LT_RAW, fr_data(&f), 30, 30) && has("truncated_IP_len"),
	       "IPv4 longer than the wire: truncated_IP_len");
	run_cut(LT_RAW, fr_data(&f), 30, fr_len(&f));
	tap_ok(out.ip.version == 4 && has("internally_truncated_header") && !out.l4_ok,
	       "snap length inside TCP: internally_truncated_header");
	tcp_packet(&f, 4, "0123456789", 10);
	run_cut(LT_RAW, fr_data(&f), fr_len(&f) - 4, fr_len(&f));
	tap_ok(out.l4_ok && cur_left(&out.payload) == 6 && out.payload_len == 10 && out.n_anomalies == 0,
	       "snap length inside the payload: 6 of 10 bytes, no anomaly");
	tcp_packet(&f, 4, "0123", 4);
	fr_eth(&f, ETHERTYPE_IPV4);
	{
		static uint8_t padded[128];

		memcpy(padded, fr_data(&f), fr_len(&f));
		run_cut(LT_ETHERNET, padded, 120, 120);
		tap_ok(cur_left(&out.payload) == 4 && out.payload_len == 4 && out.ip_bytes == fr_len(&f) - 14,
		       "Ethernet padding: the IP length wins");
	}
	tcp_packet(&f, 4, "0123", 4);
	fr_put16(f.b + f.off + 2, 0);
	run(LT_RAW, &f);
	tap_ok(has("ip_hdr_len_zero") && out.l4_ok && out.payload_len == 4, "IPv4 length 0 (offload): the capture's");
	fr_init(&f, "x", 1);
	f.b[f.off] = 0x50;
	tap_ok(!run(LT_RAW, &f) && has("unknown_ip_version"), "version 5: unknown_ip_version");

	/* IPv6: a long chain, a chain past the packet, a chain past the capture */
	tcp_packet(&f, 6, NULL, 0);
	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, NULL, 0);
	fr_ipv6_ext(&f, IPPROTO_NUM_TCP, 0);
	for (int i = 0; i < 40; i++)
		fr_ipv6_ext(&f, IPPROTO_NUM_DSTOPTS, 0);
	fr_ipv6(&f, FR_A6, FR_B6, IPPROTO_NUM_DSTOPTS);
	watchdog_arm(STEP_LIMIT_S, "long IPv6 chain");
	t0 = clock();
	run(LT_RAW, &f);
	tap_ok(out.ip.version == 6 && has("ipv6_ext_chain_too_long") && !out.l4_ok,
	       "41 destination-options headers: ipv6_ext_chain_too_long");
	tap_ok(clock() - t0 < CLOCKS_PER_SEC, "long IPv6 chain: bounded time");
	watchdog_step_done();
	fr_init(&f, NULL, 0);
	fr_ipv6_ext(&f, 0, 0);
	fr_ipv6_ext(&f, 0, 0);
	f.b[f.off + 1] = 200;                 /* claims 1608 bytes */
	fr_ipv6(&f, FR_A6, FR_B6, 0);
	run(LT_RAW, &f);
	tap_ok(has("truncated_header") && out.ip.proto == 0, "hop-by-hop longer than the packet: truncated_header");
	fr_init(&f, NULL, 0);
	fr_tcp(&f, 1, 2, TH_SYN, 0, 0, NULL, 0);
	fr_ipv6_ext(&f, IPPROTO_NUM_TCP, 3);
	fr_ipv6(&f, FR_A6, FR_B6, IPPROTO_NUM_DSTOPTS);
	run_cut(LT_RAW, fr_data(&f), 50, fr_len(&f));
	tap_ok(has("internally_truncated_header"), "options cut by the snap length: internally_truncated_header");
	/* every extension header of the chain naming itself: bounded by the cap */
	fr_init(&f, NULL, 0);
	for (int i = 0; i < 100; i++)
		fr_ipv6_ext(&f, 0, 0);
	fr_ipv6(&f, FR_A6, FR_B6, 0);
	run(LT_RAW, &f);
	tap_ok(has("ipv6_ext_chain_too_long"), "100 hop-by-hop headers in a loop: ipv6_ext_chain_too_long");
	/* a jumbogram: payload length 0, Jumbo Payload option */
	fr_init(&f, "jumbo", 5);
	fr_udp(&f, 1, 2);
	{
		uint8_t *h = fr_push(&f, 8);
		uint32_t jl = (uint32_t)fr_len(&f);

		h[0] = IPPROTO_NUM_UDP;
		h[2] = 0xc2;
		h[3] = 4;
		fr_put32(h + 4, jl);
	}
	fr_ipv6(&f, FR_A6, FR_B6, 0);
	fr_put16(f.b + f.off + 4, 0);
	run(LT_RAW, &f);
	tap_ok(out.ip.proto == IPPROTO_NUM_UDP && out.ip.dport == 2 && out.ip_bytes == fr_len(&f),
	       "IPv6 jumbogram: the Jumbo Payload length");

	fr_init(&f, NULL, 0);
	fr_eth(&f, ETHERTYPE_IPV4);
	tap_ok(!run_cut(LT_ETHERNET, fr_data(&f), 10, 10) && has("truncated_ethernet_frame"),
	       "10-byte Ethernet: truncated_ethernet_frame");
	tap_ok(!run_cut(LT_SLL, fr_data(&f), 10, 10) && has("truncated_Linux_SLL_header"), "short SLL");
	tap_ok(!run_cut(LT_SLL2, fr_data(&f), 10, 10) && has("truncated_Linux_SLL2_header"), "short SLL2");
	tap_ok(!run_cut(LT_NULL, fr_data(&f), 3, 3) && has("null_analyzer_failed"), "short NULL");
	fr_init(&f, NULL, 0);
	fr_vlan(&f, 1, ETHERTYPE_IPV4);
	fr_eth(&f, ETHERTYPE_VLAN);
	tap_ok(!run_cut(LT_ETHERNET, fr_data(&f), 16, 16) && has("truncated_VLAN_header"), "short VLAN tag");
	tap_ok(!run_cut(LT_ETHERNET, fr_data(&f), 18, 18) && has("truncated_IP"), "VLAN then nothing: truncated_IP");
}

/* -------------------------------------------------------------- fragments */

/* Fragment i of n of a UDP datagram of 'len' bytes (payload bytes i & 0xff). */
static void frag_v4(struct frame *f, const uint8_t *dgram, size_t lo, size_t hi, bool more,
		    uint16_t id, uint16_t df)
{
	fr_init(f, dgram + lo, hi - lo);
	fr_ipv4_x(f, FR_A4, FR_B4, IPPROTO_NUM_UDP, id, (uint16_t)(df | (more ? 0x2000 : 0) | (lo / 8)), 0);
}

static void frag_v6(struct frame *f, const uint8_t *dgram, size_t lo, size_t hi, bool more,
		    uint32_t id, bool hbh)
{
	fr_init(f, dgram + lo, hi - lo);
	fr_ipv6_frag(f, IPPROTO_NUM_UDP, (uint16_t)lo, more, id);
	if (hbh) {
		fr_ipv6_ext(f, IPPROTO_NUM_FRAGMENT, 0);
		fr_ipv6(f, FR_A6, FR_B6, 0);
	} else {
		fr_ipv6(f, FR_A6, FR_B6, IPPROTO_NUM_FRAGMENT);
	}
}

/* A UDP datagram of n bytes: header, then payload bytes (i * 7) & 0xff. */
static void make_dgram(uint8_t *d, size_t n)
{
	memset(d, 0, 8);
	fr_put16(d, 1111);
	fr_put16(d + 2, 2222);
	fr_put16(d + 4, (uint16_t)n);
	for (size_t i = 8; i < n; i++)
		d[i] = (uint8_t)(i * 7);
}

static bool dgram_ok(const uint8_t *d, size_t n)
{
	return out.reassembled && !out.fragment && out.ip.proto == IPPROTO_NUM_UDP && out.ip.sport == 1111 &&
	       out.ip.dport == 2222 && out.payload_len == n - 8 && cur_left(&out.payload) == n - 8 &&
	       memcmp(cur_data(&out.payload), d + 8, n - 8) == 0;
}

static void test_fragments_v4(void)
{
	static struct frame f;
	static uint8_t d[3008], d2[3008];
	struct decoder_stats s0, s1;

	make_dgram(d, sizeof(d));
	decoder_get_stats(dec, &s0);
	frag_v4(&f, d, 0, 1480, true, 1, 0);
	tap_ok(run(LT_RAW, &f) && out.fragment && out.ip.proto == IPPROTO_NUM_UDP && out.ip.sport == 0,
	       "v4 first fragment: a fragment, no ports yet");
	frag_v4(&f, d, 1480, 2960, true, 1, 0);
	run(LT_RAW, &f);
	frag_v4(&f, d, 2960, 3008, false, 1, 0);
	run(LT_RAW, &f);
	tap_ok(dgram_ok(d, sizeof(d)) && out.ip_bytes == 3028 && out.n_anomalies == 0,
	       "v4 three fragments in order: reassembled");
	decoder_get_stats(dec, &s1);
	TAP_EQ_U(s1.frags_reassembled - s0.frags_reassembled, 1, "v4: one datagram reassembled");

	/* reverse order, and an exact duplicate in the middle */
	frag_v4(&f, d, 2960, 3008, false, 2, 0);
	run(LT_RAW, &f);
	frag_v4(&f, d, 1480, 2960, true, 2, 0);
	run(LT_RAW, &f);
	frag_v4(&f, d, 1480, 2960, true, 2, 0);
	run(LT_RAW, &f);
	tap_ok(has("fragment_overlap") && out.fragment, "v4 duplicate fragment: fragment_overlap");
	frag_v4(&f, d, 0, 1480, true, 2, 0);
	run(LT_RAW, &f);
	tap_ok(dgram_ok(d, sizeof(d)), "v4 reverse order with a duplicate: reassembled");

	/* overlap with different bytes: the first bytes win */
	memcpy(d2, d, sizeof(d));
	memset(d2 + 1000, 0xee, 600);
	frag_v4(&f, d, 0, 1480, true, 3, 0);
	run(LT_RAW, &f);
	frag_v4(&f, d2, 1000, 2000, true, 3, 0);
	run(LT_RAW, &f);
	tap_ok(has("fragment_inconsistency"), "v4 overlap with other bytes: fragment_inconsistency");
	frag_v4(&f, d, 2000, 3008, false, 3, 0);
	run(LT_RAW, &f);
	memcpy(d2, d, 1480);
	tap_ok(out.reassembled && memcmp(cur_data(&out.payload) + 1000 - 8, d + 1000, 480) == 0 &&
	       memcmp(cur_data(&out.payload) + 1480 - 8, d2 + 1480, 520) == 0, "v4 overlap: first wins, holes filled");

	/* DF on a fragment, tiny middle fragment */
	frag_v4(&f, d, 0, 16, true, 4, 0x4000);
	run(LT_RAW, &f);
	tap_ok(has("fragment_with_DF") && has("excessively_small_fragment"), "v4: fragment_with_DF, excessively_small_fragment");

	/* too large: offset 8100 * 8 + 1480 > 65535 */
	fr_init(&f, d, 1480);
	fr_ipv4_x(&f, FR_A4, FR_B4, IPPROTO_NUM_UDP, 5, 0x2000 | 8100, 0);
	run(LT_RAW, &f);
	tap_ok(has("excessively_large_fragment") && out.fragment, "v4 fragment past 65535: excessively_large_fragment");

	/* snap length cut: the first fragment is read, later ones are not */
	frag_v4(&f, d, 0, 1480, true, 6, 0);
	run_cut(LT_RAW, fr_data(&f), 100, fr_len(&f));
	tap_ok(has("incompletely_captured_fragment") && !out.fragment && out.ip.dport == 2222,
	       "v4 first fragment cut: incompletely_captured_fragment, headers read");
	frag_v4(&f, d, 1480, 2960, true, 6, 0);
	run_cut(LT_RAW, fr_data(&f), 100, fr_len(&f));
	tap_ok(has("incompletely_captured_fragment") && out.fragment, "v4 later fragment cut: left alone");

	/* timeout: the second half comes 31 s later (first, let the leftovers expire) */
	now_ns += 31 * NS_PER_SEC;
	tcp_packet(&f, 4, NULL, 0);
	run(LT_RAW, &f);
	decoder_get_stats(dec, &s0);
	frag_v4(&f, d, 0, 1480, true, 7, 0);
	run(LT_RAW, &f);
	now_ns += 31 * NS_PER_SEC;
	frag_v4(&f, d, 1480, 3008, false, 7, 0);
	run(LT_RAW, &f);
	decoder_get_stats(dec, &s1);
	tap_ok(out.fragment && !out.reassembled && s1.frags_timed_out - s0.frags_timed_out == 1,
	       "v4 fragments 31 s apart: timed out");
	now_ns += 31 * NS_PER_SEC;
	run(LT_RAW, &f);
}

static void test_fragments_v6(void)
{
	static struct frame f;
	static uint8_t d[2008];

	make_dgram(d, sizeof(d));
	frag_v6(&f, d, 0, 1000, true, 77, false);
	tap_ok(run(LT_RAW, &f) && out.fragment && out.ip.proto == IPPROTO_NUM_UDP, "v6 first fragment");
	frag_v6(&f, d, 1000, 2008, false, 77, false);
	run(LT_RAW, &f);
	tap_ok(dgram_ok(d, sizeof(d)) && out.ip_bytes == 40 + 2008, "v6 two fragments: reassembled");

	/* a hop-by-hop header before the fragment header stays, its next header rewritten */
	frag_v6(&f, d, 1000, 2008, false, 78, true);
	run(LT_RAW, &f);
	frag_v6(&f, d, 0, 1000, true, 78, true);
	run(LT_RAW, &f);
	tap_ok(dgram_ok(d, sizeof(d)) && out.ip_bytes == 48 + 2008, "v6 with hop-by-hop: reassembled");

	/* an atomic fragment (offset 0, no more) is just a packet */
	frag_v6(&f, d, 0, 2008, false, 79, false);
	run(LT_RAW, &f);
	tap_ok(!out.fragment && !out.reassembled && out.ip.dport == 2222, "v6 atomic fragment");

	/* inconsistent next header */
	frag_v6(&f, d, 0, 1000, true, 80, false);
	run(LT_RAW, &f);
	frag_v6(&f, d, 1000, 2008, false, 80, false);
	f.b[f.off + 40] = IPPROTO_NUM_TCP;
	run(LT_RAW, &f);
	tap_ok(has("fragment_protocol_inconsistency"), "v6 next header differs: fragment_protocol_inconsistency");
}

static void test_fragment_caps(void)
{
	static struct frame f;
	static uint8_t d[1024];
	struct decoder_limits lim = { 4, 64 * 1024, 0 };
	struct decoder *saved = dec;
	struct decoder_stats s;
	clock_t t0;
	unsigned i;

	make_dgram(d, sizeof(d));
	dec = decoder_new(&lim);
	for (i = 0; i < 10; i++) {
		frag_v4(&f, d, 0, 512, true, (uint16_t)(100 + i), 0);
		run(LT_RAW, &f);
	}
	decoder_get_stats(dec, &s);
	tap_ok(s.frags_dropped_cap == 6 && has("fragment_table_full"), "4-datagram cap: 6 dropped, oldest first");
	frag_v4(&f, d, 512, 1024, false, 109, 0);
	run(LT_RAW, &f);
	tap_ok(dgram_ok(d, sizeof(d)), "4-datagram cap: the newest still completes");

	/* many holes: every other 8-byte piece of a datagram */
	for (i = 0; i < 70; i++) {
		static uint8_t holes[70 * 16];

		frag_v4(&f, holes, i * 16, i * 16 + 8, true, 200, 0);
		run(LT_RAW, &f);
		if (has("too_many_fragment_holes"))
			break;
	}
	tap_ok(i == 64, "65 disjoint pieces: too_many_fragment_holes (at piece %u)", i + 1);

	/* a flood of first fragments: bounded memory and time */
	watchdog_arm(FLOOD_LIMIT_S, "fragment flood");
	t0 = clock();
	for (i = 0; i < 200000; i++) {
		frag_v4(&f, d, 0, 512, true, (uint16_t)i, 0);
		f.b[f.off + 12] = (uint8_t)(i >> 16);
		run(LT_RAW, &f);
	}
	decoder_get_stats(dec, &s);
	tap_ok(s.frags_dropped_cap >= 200000 - 4, "200000 datagrams through a cap of 4");
	tap_diag("fragment flood: %.2f s", (double)(clock() - t0) / CLOCKS_PER_SEC);
	tap_ok(clock() - t0 < 20 * CLOCKS_PER_SEC, "fragment flood: bounded time");
	watchdog_step_done();
	decoder_free(dec);

	/* the byte cap: 64 KiB holds a few datagrams of 60 KB at most */
	lim.max_frag_packets = 1000;
	lim.max_frag_bytes = 128 * 1024;
	dec = decoder_new(&lim);
	{
		static uint8_t big[60008];

		make_dgram(big, sizeof(big));
		for (i = 0; i < 5; i++) {
			frag_v4(&f, big, 30000, 60008, false, (uint16_t)(300 + i), 0);
			run(LT_RAW, &f);
		}
		decoder_get_stats(dec, &s);
		tap_ok(s.frags_dropped_cap >= 3, "128 KiB cap: 60 KB datagrams evicted (%llu)",
		       (unsigned long long)s.frags_dropped_cap);
	}
	decoder_free(dec);
	dec = saved;
}

/* --------------------------------------------------- truncate at every offset */

struct sample {
	uint32_t lt;
	size_t len;
	uint8_t *p;
};

#define MAX_SAMPLES 64
static struct sample samples[MAX_SAMPLES];
static unsigned n_samples;

static void keep(uint32_t lt, const struct frame *f)
{
	if (n_samples == MAX_SAMPLES)
		return;
	samples[n_samples].lt = lt;
	samples[n_samples].len = fr_len(f);
	samples[n_samples].p = malloc(fr_len(f));
	memcpy(samples[n_samples].p, fr_data(f), fr_len(f));
	n_samples++;
}

static void build_samples(void)
{
	static struct frame f;
	uint8_t *h;

	for (unsigned v = 4; v <= 6; v += 2) {
		tcp_packet(&f, v, "payload", 7);
		keep(LT_RAW, &f);
		fr_vlan(&f, 5, ethertype(v));
		fr_eth(&f, ETHERTYPE_VLAN);
		keep(LT_ETHERNET, &f);
		inner_udp(&f, v);
		fr_eth(&f, ethertype(v));
		fr_vxlan(&f, 9);
		fr_udp(&f, 1, 4789);
		outer_ip(&f, 10 - v, IPPROTO_NUM_UDP);
		fr_eth(&f, ethertype(10 - v));
		keep(LT_ETHERNET, &f);
		inner_udp(&f, v);
		fr_gre(&f, 0x2000, ethertype(v));
		outer_ip(&f, v, IPPROTO_NUM_GRE);
		fr_mpls(&f, 3, 1);
		fr_eth(&f, ETHERTYPE_MPLS);
		keep(LT_ETHERNET, &f);
		inner_udp(&f, 6);
		fr_push(&f, 8);
		fr_udp(&f, 3544, 3544);
		outer_ip(&f, v, IPPROTO_NUM_UDP);
		h = fr_push(&f, 20);
		fr_put16(h, ethertype(v));
		keep(LT_SLL2, &f);
		fr_init(&f, "x", 1);
		fr_icmp(&f, 8, 0);
		outer_ip(&f, v, v == 4 ? IPPROTO_NUM_ICMP : IPPROTO_NUM_ICMPV6);
		fr_ipv6_ext(&f, v == 4 ? IPPROTO_NUM_IPIP : IPPROTO_NUM_IPV6, 1);
		fr_ipv6(&f, FR_A6, FR_B6, 0);
		h = fr_push(&f, 4);
		h[0] = 30;
		keep(LT_NULL, &f);
	}
	tcp_packet(&f, 4, "x", 1);
	fr_eth(&f, ETHERTYPE_IPV4);
	h = fr_push(&f, 156);
	h[0] = 156;
	h[4] = 1;
	h[8] = 1;
	keep(LT_PKTAP, &f);
}

/* Pointers in *out must stay inside the frame (or a reassembly buffer). */
static bool invariants(const uint8_t *p, size_t caplen)
{
	if (out.n_anomalies > DECODE_MAX_ANOMALIES)
		return false;
	for (unsigned i = 0; i < out.n_anomalies; i++)
		if (out.anomaly[i] == NULL || out.anomaly[i][0] == '\0')
			return false;
	if (out.ip.version != 0 && out.ip.version != 4 && out.ip.version != 6)
		return false;
	if (cur_left(&out.payload) > out.payload_len)
		return false;
	if (cur_left(&out.payload) && !out.reassembled &&
	    (cur_data(&out.payload) < p || (size_t)(cur_data(&out.payload) - p) > caplen ||
	     cur_left(&out.payload) > caplen - (size_t)(cur_data(&out.payload) - p)))
		return false;
	return true;
}

static void test_truncation_loop(void)
{
	unsigned bad = 0, cuts = 0, ip_ok = 0;

	build_samples();
	for (unsigned s = 0; s < n_samples; s++) {
		const struct sample *sm = &samples[s];

		run_cut(sm->lt, sm->p, sm->len, sm->len);
		if (out.ip.version != 0 && out.l4_ok)
			ip_ok++;
		else
			tap_diag("sample %u (linktype %u) does not decode", s, sm->lt);
		for (size_t cut = 0; cut <= sm->len; cut++) {
			/* cut by the snap length, and a packet that really is that short */
			run_cut(sm->lt, sm->p, cut, sm->len);
			bad += !invariants(copy, cut);
			run_cut(sm->lt, sm->p, cut, cut);
			bad += !invariants(copy, cut);
			cuts += 2;
		}
	}
	TAP_EQ_U(ip_ok, n_samples, "every sample frame decodes whole (%u samples)", n_samples);
	tap_ok(bad == 0, "%u truncations of %u samples: invariants hold (%u bad)", cuts, n_samples, bad);
	for (unsigned s = 0; s < n_samples; s++)
		free(samples[s].p);
}

/* Decoding speed, for the record: the analyzer decodes millions of packets. */
static void test_speed(void)
{
	static struct frame f;
	const int n = 2000000;
	clock_t t0;
	double secs;

	tcp_packet(&f, 4, "payload", 7);
	fr_eth(&f, ETHERTYPE_IPV4);
	t0 = clock();
	for (int i = 0; i < n; i++) {
		decode_packet(dec, LT_ETHERNET, fr_data(&f), (uint32_t)fr_len(&f), (uint32_t)fr_len(&f),
			      now_ns, &out);
	}
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	tap_diag("%d Ethernet/IPv4/TCP frames: %.3f s, %.0f ns each", n, secs, secs * (double)NS_PER_SEC / n);
	tap_ok(out.ip.dport == 443 && secs < 30, "2M frames decoded");
}

int main(void)
{
	watchdog_start();
	dec = decoder_new(NULL);
	if (dec == NULL)
		return 1;
	test_link_types(4);
	test_link_types(6);
	test_pktap();
	test_vlan_mpls();
	test_ip_tunnels();
	test_gre();
	test_udp_tunnels();
	test_transports();
	test_malformed();
	test_fragments_v4();
	test_fragments_v6();
	test_fragment_caps();
	test_truncation_loop();
	test_speed();
	decoder_free(dec);
	free(copy);
	return tap_done();
}
