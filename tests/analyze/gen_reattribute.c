/* \summary: writes a capture with process and socket records and option 8 (for reattribute.sh) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capfile/pcapng_const.h"
#include "capfile/pcapng_writer.h"
#include "capfile/sockrec.h"
#include "capfile/linktype.h"
#include "decode/proto.h"
#include "util/units.h"

/*
 * Usage: gen_reattribute DIR NAME
 *
 * Writes DIR/NAME: two processes (curl 5001, dnsd 5002) described by process
 * records with pidcap's extras, their socket records, and four flows:
 *   F1 TCP 10.0.0.2:50000 -> 93.184.216.34:80    curl, connected socket
 *   F2 UDP 10.0.0.9:40001 -> 10.0.0.2:53         dnsd, unconnected socket on 0.0.0.0:53
 *   F3 TCP 10.0.0.2:50001 -> 10.0.0.7:22         no socket record, no option 8
 *   F4 TCP [2001:db8::2]:50002 -> [2001:db8::80]:443  curl, IPv6
 * Every packet of F1, F2 and F4 carries option 8 except one F2 packet sent
 * after dnsd's socket closed (final last_ns + 2 s), which must stay
 * unattributed. One damaged socket record (version 9) is an anomaly.
 */

#define T0_NS       1700000000000000000LL
#define STEP_NS     10000000LL     /* 10 ms between packets */
#define FRAME_MAX   256            /* the largest frame here: IPv6 + TCP + 60 bytes = 134 */
#define TCP_SYN     0x02
#define TCP_ACK     0x10
#define TCP_PSH_ACK 0x18
#define TCP_FIN_ACK 0x11
#define PID_CURL    5001u
#define PID_DNSD    5002u

static const uint8_t host4[16] = { 10, 0, 0, 2 }, web4[16] = { 93, 184, 216, 34 },
		     peer4[16] = { 10, 0, 0, 9 }, ssh4[16] = { 10, 0, 0, 7 };
static const uint8_t host6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		     web6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x80 };

struct ep {
	uint8_t version, proto;
	const uint8_t *src, *dst;
	uint16_t sport, dport;
};

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet + IP + TCP/UDP with payload_len zero bytes of payload (checksums 0). */
static size_t frame(uint8_t *b, const struct ep *e, uint8_t tcp_flags, size_t payload_len)
{
	size_t ip_hdr = e->version == 4 ? IPV4_MIN_HDR_BYTES : IPV6_HDR_BYTES;
	size_t l4 = e->proto == IPPROTO_NUM_TCP ? TCP_MIN_HDR_BYTES : UDP_HDR_BYTES;
	uint8_t *ip = b + ETH_HDR_BYTES, *t = ip + ip_hdr;

	memset(b, 0, FRAME_MAX);
	b[0] = b[6] = 0x02;
	b[5] = 1;
	b[11] = 2;
	be16(b + 12, e->version == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	if (e->version == 4) {
		ip[0] = 0x45;
		be16(ip + 2, (uint32_t)(IPV4_MIN_HDR_BYTES + l4 + payload_len));
		ip[8] = 64;
		ip[9] = e->proto;
		memcpy(ip + 12, e->src, 4);
		memcpy(ip + 16, e->dst, 4);
	} else {
		ip[0] = 0x60;
		be16(ip + 4, (uint32_t)(l4 + payload_len));
		ip[6] = e->proto;
		ip[7] = 64;
		memcpy(ip + 8, e->src, 16);
		memcpy(ip + 24, e->dst, 16);
	}
	be16(t, e->sport);
	be16(t + 2, e->dport);
	if (e->proto == IPPROTO_NUM_TCP) {
		t[12] = (TCP_MIN_HDR_BYTES / 4) << 4;
		t[13] = tcp_flags;
		be16(t + 14, 65535);
	} else {
		be16(t + 4, (uint32_t)(UDP_HDR_BYTES + payload_len));
	}
	return ETH_HDR_BYTES + ip_hdr + l4 + payload_len;
}

static struct ep reverse(struct ep e)
{
	struct ep r = { e.version, e.proto, e.dst, e.src, e.dport, e.sport };

	return r;
}

static int64_t now_ns = T0_NS;

/* One packet at the next time step; pid 0 = no option 8. */
static int packet(struct pcapng_writer *w, const struct ep *e, uint8_t flags, size_t len,
		  uint32_t pid, bool outbound)
{
	struct pcapng_epb_opts o = { .has_flags = true,
				     .flags = outbound ? PCAPNG_EPB_DIR_OUT : PCAPNG_EPB_DIR_IN,
				     .has_pid = pid != 0, .pid = pid, .tid = pid };
	uint8_t b[FRAME_MAX];
	size_t n;

	if (ETH_HDR_BYTES + IPV6_HDR_BYTES + TCP_MIN_HDR_BYTES + len > FRAME_MAX)
		return -1;
	n = frame(b, e, flags, len);

	now_ns += STEP_NS;
	return pcapng_write_epb(w, 0, now_ns, b, (uint32_t)n, (uint32_t)n, &o);
}

/* A short TCP conversation: handshake, request, reply, close (8 packets). */
static int tcp_talk(struct pcapng_writer *w, const struct ep *out, uint32_t pid)
{
	struct ep in = reverse(*out);

	return packet(w, out, TCP_SYN, 0, pid, true) | packet(w, &in, TCP_SYN | TCP_ACK, 0, pid, false) |
	       packet(w, out, TCP_ACK, 0, pid, true) | packet(w, out, TCP_PSH_ACK, 40, pid, true) |
	       packet(w, &in, TCP_PSH_ACK, 60, pid, false) | packet(w, out, TCP_FIN_ACK, 0, pid, true) |
	       packet(w, &in, TCP_FIN_ACK, 0, pid, false) | packet(w, out, TCP_ACK, 0, pid, true);
}

static int processes(struct pcapng_writer *w)
{
	static const char curl_cmd[] = "curl\0-s\0http://example.org/";
	static const char dnsd_cmd[] = "dnsd\0--port\0" "53";
	struct pidcap_proc_opts oc, od;
	struct pcapng_process curl = { .pid = PID_CURL, .name = "curl", .path = "/usr/bin/curl",
		.cmdline = curl_cmd, .cmdline_len = sizeof(curl_cmd) - 1,
		.has_starttime = true, .starttime_ns = T0_NS - 2 * NS_PER_SEC };
	struct pcapng_process dnsd = { .pid = PID_DNSD, .name = "dnsd", .path = "/usr/sbin/dnsd",
		.cmdline = dnsd_cmd, .cmdline_len = sizeof(dnsd_cmd) - 1,
		.has_starttime = true, .starttime_ns = T0_NS - 600 * NS_PER_SEC };

	if (pidcap_proc_opts(&oc, "ebpf", "/user.slice/user-1000.slice/session-2.scope", "web-1") != 3 ||
	    pidcap_proc_opts(&od, "snapshot", "/system.slice/dnsd.service", "dns-0") != 3)
		return -1;
	curl.custom = oc.opt;
	curl.n_custom = oc.n;
	dnsd.custom = od.opt;
	dnsd.n_custom = od.n;
	return pcapng_write_process(w, &curl) | pcapng_write_process(w, &dnsd);
}

static struct sock_record sock(uint8_t family, uint8_t proto, const uint8_t *l, uint16_t lport,
			       const uint8_t *r, uint16_t rport, uint64_t cookie, uint32_t pid,
			       int64_t start, uint8_t how)
{
	struct sock_record s = { .family = family, .ip_proto = proto, .lport = lport,
				 .rport = rport, .cookie = cookie, .pid = pid, .tid = pid,
				 .proc_start_ns = start, .first_ns = now_ns, .how = how };

	memcpy(s.laddr, l, 16);
	if (r != NULL)
		memcpy(s.raddr, r, 16);
	return s;
}

static int write_all(struct pcapng_writer *w)
{
	static const uint8_t any[16];
	static const char damaged[] = "PCSK\x09 a future version";
	struct ep f1 = { 4, IPPROTO_NUM_TCP, host4, web4, 50000, 80 };
	struct ep f2 = { 4, IPPROTO_NUM_UDP, peer4, host4, 40001, 53 };
	struct ep f3 = { 4, IPPROTO_NUM_TCP, host4, ssh4, 50001, 22 };
	struct ep f4 = { 6, IPPROTO_NUM_TCP, host6, web6, 50002, 443 };
	struct ep f2r = reverse(f2);
	struct sock_record s1, s2, s4;
	int rc = 0;

	rc |= pcapng_write_shb(w, NULL, "Linux", "gen_reattribute");
	rc |= pcapng_write_idb(w, LINKTYPE_ETHERNET, 0, "eth0", NULL, NULL, NULL);
	rc |= processes(w);
	/* dnsd's socket existed before recording (snapshot, first seen long ago) */
	s2 = sock(4, IPPROTO_NUM_UDP, any, 53, NULL, 0, 0xd25, PID_DNSD, T0_NS - 600 * NS_PER_SEC,
		  SOCKREC_HOW_SNAPSHOT);
	s2.first_ns = T0_NS - 500 * NS_PER_SEC;
	rc |= pcapng_write_socket(w, &s2);
	rc |= pcapng_write_custom(w, true, PIDCAP_PEN, damaged, sizeof(damaged) - 1);
	s1 = sock(4, IPPROTO_NUM_TCP, host4, 50000, web4, 80, 0xc1, PID_CURL, T0_NS - 2 * NS_PER_SEC,
		  SOCKREC_HOW_EBPF);
	rc |= pcapng_write_socket(w, &s1);
	rc |= tcp_talk(w, &f1, PID_CURL);
	for (int i = 0; i < 3; i++)
		rc |= packet(w, &f2, 0, 30, PID_DNSD, false) | packet(w, &f2r, 0, 80, PID_DNSD, true);
	rc |= packet(w, &f3, TCP_SYN, 0, 0, true) | packet(w, &f3, TCP_SYN, 0, 0, true);
	s4 = sock(6, IPPROTO_NUM_TCP, host6, 50002, web6, 443, 0xc4, PID_CURL, T0_NS - 2 * NS_PER_SEC,
		  SOCKREC_HOW_EBPF);
	rc |= pcapng_write_socket(w, &s4);
	rc |= tcp_talk(w, &f4, PID_CURL);
	/* final records: last_ns of each socket */
	s1.last_ns = s4.last_ns = s2.last_ns = now_ns;
	s1.final = s4.final = s2.final = true;
	rc |= pcapng_write_socket(w, &s1) | pcapng_write_socket(w, &s4) | pcapng_write_socket(w, &s2);
	/* after dnsd's socket closed: nobody's */
	now_ns += 2 * NS_PER_SEC;
	rc |= packet(w, &f2, 0, 30, 0, false);
	return rc;
}

int main(int argc, char **argv)
{
	char err[300];
	struct pcapng_writer *w;
	int dfd;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_reattribute DIR NAME\n");
		return 2;
	}
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(stderr, "gen_reattribute: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	w = pcapng_writer_open(dfd, argv[2], err, sizeof(err));
	close(dfd);
	if (w == NULL) {
		fprintf(stderr, "gen_reattribute: %s\n", err);
		return 1;
	}
	if (write_all(w) != 0) {
		fprintf(stderr, "gen_reattribute: %s\n", pcapng_writer_error(w));
		pcapng_writer_abort(w);
		return 1;
	}
	if (pcapng_writer_close(w, err, sizeof(err)) != 0) {
		fprintf(stderr, "gen_reattribute: %s\n", err);
		return 1;
	}
	return 0;
}
