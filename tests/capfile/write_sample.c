/* \summary: writes a sample pcapng with every kind of block pidcap records (for interop.sh) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/pcapng_const.h"
#include "capfile/pcapng_writer.h"
#include "capfile/linktype.h"
#include "decode/proto.h"
#include "util/units.h"

/*
 * Usage: write_sample OUT.pcapng
 *
 * Writes SHB, two Ethernet IDBs, two process records (Custom Blocks, PEN
 * 32622, entry type 3), SAMPLE_PACKETS EPBs of Ethernet/IPv4/UDP (DNS) and
 * TCP (HTTP) frames with epb_flags, comments, epb_processid_threadid and
 * copyable custom options, one do-not-copy Custom Block and an ISB per
 * interface. Prints a manifest on standard output:
 *   packet SECONDS.NANOSECONDS HEX      one per EPB, in file order
 *   expect KEY VALUE                    counts `pidcap info --json` must report
 */

#define SAMPLE_PACKETS  20
#define PEN_EXAMPLE     32473u                 /* RFC 5612 documentation PEN */
#define SNAPLEN         262144u
#define TS_BASE_NS      1700000000123456789LL  /* 2023-11-14T22:13:20.123456789Z */
#define TS_STEP_NS      1234567LL
#define FRAME_MAX       256

#define IPV4_TTL     64
#define TCP_FLAGS_PSH_ACK 0x18
#define TCP_WINDOW   64240
#define PORT_DNS     53
#define PORT_HTTP    80
#define DNS_HDR      12
#define DNS_TYPE_A   1
#define DNS_CLASS_IN 1
#define DNS_FLAG_RD  0x0100

static const uint8_t mac_host[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t mac_gw[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t ip_host[4] = { 10, 0, 0, 2 };
static const uint8_t ip_dns[4] = { 10, 0, 0, 1 };
static const uint8_t ip_web[4] = { 93, 184, 216, 34 };

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

static void be16_at(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32_at(uint8_t *p, uint32_t v)
{
	be16_at(p, (uint16_t)(v >> 16));
	be16_at(p + 2, (uint16_t)v);
}

/* RFC 1071 sum, not yet folded or complemented. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n % 2)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IPv4 headers around an L4 segment already at b + 34. */
static void ip_wrap(struct frame *f, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		    size_t l4len, uint16_t ip_id, bool inbound)
{
	uint8_t *ip = f->b + ETH_HDR_BYTES, *l4 = ip + IPV4_MIN_HDR_BYTES, pseudo[12];
	size_t ck_off = proto == IPPROTO_NUM_UDP ? 6 : 16;
	uint16_t ck;

	memcpy(f->b, inbound ? mac_host : mac_gw, 6);
	memcpy(f->b + 6, inbound ? mac_gw : mac_host, 6);
	be16_at(f->b + 12, ETHERTYPE_IPV4);
	memset(ip, 0, IPV4_MIN_HDR_BYTES);
	ip[0] = 0x45;  /* version 4, 5 words */
	be16_at(ip + 2, (uint16_t)(IPV4_MIN_HDR_BYTES + l4len));
	be16_at(ip + 4, ip_id);
	be16_at(ip + 6, 0x4000);  /* don't fragment */
	ip[8] = IPV4_TTL;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	be16_at(ip + 10, fold(sum16(ip, IPV4_MIN_HDR_BYTES, 0)));
	memcpy(pseudo, src, 4);
	memcpy(pseudo + 4, dst, 4);
	pseudo[8] = 0;
	pseudo[9] = proto;
	be16_at(pseudo + 10, (uint16_t)l4len);
	be16_at(l4 + ck_off, 0);
	ck = fold(sum16(l4, l4len, sum16(pseudo, sizeof(pseudo), 0)));
	be16_at(l4 + ck_off, proto == IPPROTO_NUM_UDP && ck == 0 ? 0xffff : ck);
	f->len = ETH_HDR_BYTES + IPV4_MIN_HDR_BYTES + l4len;
}

/* A DNS query for example.org, type A, from the host to its resolver. */
static void dns_query(struct frame *f, unsigned i)
{
	static const uint8_t qname[] = "\7example\3org";
	uint8_t *udp = f->b + ETH_HDR_BYTES + IPV4_MIN_HDR_BYTES, *dns = udp + UDP_HDR_BYTES;
	size_t qlen = sizeof(qname), dlen = DNS_HDR + qlen + 4;  /* name with its 0, type, class */

	be16_at(udp, (uint16_t)(40000 + i));
	be16_at(udp + 2, PORT_DNS);
	be16_at(udp + 4, (uint16_t)(UDP_HDR_BYTES + dlen));
	memset(dns, 0, DNS_HDR);
	be16_at(dns, (uint16_t)(0x1000 + i));  /* id */
	be16_at(dns + 2, DNS_FLAG_RD);
	be16_at(dns + 4, 1);  /* one question */
	memcpy(dns + DNS_HDR, qname, qlen);
	be16_at(dns + DNS_HDR + qlen, DNS_TYPE_A);
	be16_at(dns + DNS_HDR + qlen + 2, DNS_CLASS_IN);
	ip_wrap(f, ip_host, ip_dns, IPPROTO_NUM_UDP, UDP_HDR_BYTES + dlen, (uint16_t)(0x100 + i), false);
}

/* A TCP segment of one HTTP connection; inbound ones come from the server. */
static void http_segment(struct frame *f, unsigned i, bool inbound)
{
	static uint32_t client_seq = 1000, server_seq = 5000;  /* next bytes of each side */
	uint8_t *tcp = f->b + ETH_HDR_BYTES + IPV4_MIN_HDR_BYTES;
	char text[80];
	int n = inbound ? snprintf(text, sizeof(text), "HTTP/1.1 204 No Content\r\nX-Seq: %u\r\n\r\n", i)
			: snprintf(text, sizeof(text), "GET /item/%u HTTP/1.1\r\nHost: example.org\r\n\r\n", i);

	memset(tcp, 0, TCP_MIN_HDR_BYTES);
	be16_at(tcp, inbound ? PORT_HTTP : 50000);
	be16_at(tcp + 2, inbound ? 50000 : PORT_HTTP);
	be32_at(tcp + 4, inbound ? server_seq : client_seq);
	be32_at(tcp + 8, inbound ? client_seq : server_seq);
	*(inbound ? &server_seq : &client_seq) += (uint32_t)n;
	tcp[12] = (TCP_MIN_HDR_BYTES / 4) << 4;
	tcp[13] = TCP_FLAGS_PSH_ACK;
	be16_at(tcp + 14, TCP_WINDOW);
	memcpy(tcp + TCP_MIN_HDR_BYTES, text, (size_t)n);
	ip_wrap(f, inbound ? ip_web : ip_host, inbound ? ip_host : ip_web, IPPROTO_NUM_TCP,
		TCP_MIN_HDR_BYTES + (size_t)n, (uint16_t)(0x200 + i), inbound);
}

static void print_packet(int64_t ts, const struct frame *f)
{
	printf("packet %lld.%09lld ", (long long)(ts / NS_PER_SEC), (long long)(ts % NS_PER_SEC));
	for (size_t j = 0; j < f->len; j++)
		printf("%02x", f->b[j]);
	printf("\n");
}

struct counts {
	unsigned comments, pid, custom, flags;
};

static const char cmd_curl[] = "curl\0-s\0http://example.org/item/1";
static const char cmd_dig[] = "dig\0example.org";
static const char *const proc_note[] = { "container: web-1" };
static const char proc_cgroup[] = "cgroup=/user.slice/user-1000.slice/session-2.scope";
static const struct pcapng_custom_opt proc_custom[] = {
	{ PCAPNG_OPT_CUSTOM_STR_COPY, PEN_EXAMPLE, proc_cgroup, sizeof(proc_cgroup) - 1 },
};

static int write_processes(struct pcapng_writer *w)
{
	struct pcapng_process curl = {
		.pid = 4242, .name = "curl", .path = "/usr/bin/curl", .user = "alice",
		.cmdline = cmd_curl, .cmdline_len = sizeof(cmd_curl) - 1,
		.has_ppid = true, .ppid = 4000, .has_uid = true, .uid = 1000,
		.has_starttime = true, .starttime_ns = TS_BASE_NS - NS_PER_SEC,
		.comments = proc_note, .n_comments = 1,
		.custom = proc_custom, .n_custom = 1,
	};
	struct pcapng_process dig = {
		.pid = 4343, .name = "dig", .path = "/usr/bin/dig", .user = "root",
		.cmdline = cmd_dig, .cmdline_len = sizeof(cmd_dig) - 1,
		.has_ppid = true, .ppid = 4000, .has_uid = true, .uid = 0,
		.has_starttime = true, .starttime_ns = TS_BASE_NS - 2 * NS_PER_SEC,
	};

	return pcapng_write_process(w, &curl) | pcapng_write_process(w, &dig);
}

static int write_packet(struct pcapng_writer *w, unsigned i, struct counts *c)
{
	static const char cgroup[] = "cgroup=/user.slice/user-1000.slice/session-2.scope";
	static const uint8_t netns[8] = { 0xf0, 0x00, 0x00, 0xef, 0x01, 0x00, 0x00, 0x00 };
	static const char *const notes[] = { "sample packet", "second comment\nwith two lines" };
	struct pcapng_custom_opt custom[2] = {
		{ PCAPNG_OPT_CUSTOM_STR_COPY, PEN_EXAMPLE, cgroup, sizeof(cgroup) - 1 },
		{ PCAPNG_OPT_CUSTOM_BIN_COPY, PEN_EXAMPLE, netns, sizeof(netns) },
	};
	bool dns = i % 2 == 0, inbound = !dns && i % 4 == 3;
	struct pcapng_epb_opts o = { .has_flags = true };
	int64_t ts = TS_BASE_NS + (int64_t)i * TS_STEP_NS;
	struct frame f;

	if (dns)
		dns_query(&f, i);
	else
		http_segment(&f, i, inbound);
	o.flags = inbound ? PCAPNG_EPB_DIR_IN : PCAPNG_EPB_DIR_OUT;
	/* Inbound packets have no sending process here. */
	o.has_pid = !inbound;
	o.pid = dns ? 4343 : 4242;
	o.tid = o.pid + i % 3;
	o.comments = notes;
	o.n_comments = i % 5 == 0 ? (i == 10 ? 2 : 1) : 0;
	o.custom = custom;
	o.n_custom = i % 3 == 0 ? (i % 6 == 0 ? 2 : 1) : 0;
	c->flags++;
	c->pid += o.has_pid;
	c->comments += o.n_comments > 0;
	c->custom += o.n_custom > 0;
	print_packet(ts, &f);
	return pcapng_write_epb(w, i % 2, ts, f.b, (uint32_t)f.len, (uint32_t)f.len, &o);
}

static int write_stats(struct pcapng_writer *w)
{
	int64_t end = TS_BASE_NS + SAMPLE_PACKETS * TS_STEP_NS;
	struct pcapng_isb s = {
		.has_starttime = true, .starttime_ns = TS_BASE_NS - 1000,
		.has_endtime = true, .endtime_ns = end,
		.has_ifrecv = true, .ifrecv = SAMPLE_PACKETS / 2 + 1,
		.has_ifdrop = true, .ifdrop = 1,
		.has_osdrop = true, .osdrop = 0,
		.has_usrdeliv = true, .usrdeliv = SAMPLE_PACKETS / 2,
	};

	return pcapng_write_isb(w, 0, end, &s) | pcapng_write_isb(w, 1, end, &s);
}

static int write_all(struct pcapng_writer *w, struct counts *c)
{
	static const char private_data[] = "interface 0 index 2, interface 1 index 3";
	int rc = 0;

	rc |= pcapng_write_shb(w, "x86_64 test rig", "Linux 6.1.0", "pidcap write_sample");
	rc |= pcapng_write_idb(w, LINKTYPE_ETHERNET, SNAPLEN, "eth0", "not port 22", "Linux 6.1.0", NULL);
	rc |= pcapng_write_idb(w, LINKTYPE_ETHERNET, SNAPLEN, "wlan0", NULL, "Linux 6.1.0", NULL);
	rc |= write_processes(w);
	for (unsigned i = 0; i < SAMPLE_PACKETS; i++) {
		rc |= write_packet(w, i, c);
		/* Data that depends on interface ids: do-not-copy, dropped by rewriters. */
		if (i == SAMPLE_PACKETS / 2)
			rc |= pcapng_write_custom(w, false, PEN_EXAMPLE, private_data, sizeof(private_data) - 1);
	}
	rc |= write_stats(w);
	return rc;
}

int main(int argc, char **argv)
{
	char err[300], *dir, *slash;
	const char *base;
	struct pcapng_writer *w;
	struct counts c = { 0 };
	int dfd, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: write_sample OUT.pcapng\n");
		return 2;
	}
	dir = strdup(argv[1]);
	slash = dir ? strrchr(dir, '/') : NULL;
	base = slash ? slash + 1 : argv[1];
	if (slash != NULL)
		*slash = '\0';
	dfd = open(slash == NULL ? "." : slash == dir ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(stderr, "write_sample: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	w = pcapng_writer_open(dfd, base, err, sizeof(err));
	close(dfd);
	if (w == NULL) {
		fprintf(stderr, "write_sample: %s\n", err);
		return 1;
	}
	if (write_all(w, &c) != 0) {
		fprintf(stderr, "write_sample: %s\n", pcapng_writer_error(w));
		pcapng_writer_abort(w);
		return 1;
	}
	rc = pcapng_writer_close(w, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "write_sample: %s\n", err);
		return 1;
	}
	printf("expect packets %d\n", SAMPLE_PACKETS);
	printf("expect packets_with_flags %u\n", c.flags);
	printf("expect packets_with_comments %u\n", c.comments);
	printf("expect packets_with_process_id %u\n", c.pid);
	printf("expect packets_with_custom_options %u\n", c.custom);
	printf("expect process_records 2\n");
	printf("expect custom_32622_copyable 2\n");
	printf("expect custom_32473_nocopy 1\n");
	free(dir);
	return 0;
}
