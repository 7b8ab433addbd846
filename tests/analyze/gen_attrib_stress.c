/* \summary: writes captures that once made attribution quadratic (issue 10, defect 4) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/linktype.h"
#include "capfile/pcapng_const.h"
#include "capfile/pcapng_writer.h"
#include "capfile/sockrec.h"
#include "decode/proto.h"
#include "util/units.h"

/*
 * Usage: gen_attrib_stress DIR NAME sockets|pids N
 *
 * sockets: N socket records on one tuple (TCP 10.0.0.2:40000 -> 10.0.0.7:443,
 *   a port reused N times: socket i lives STEP/2 from T0 + i STEP, owned by
 *   pid 1000 + i % PIDS), all written first, then one packet per socket in
 *   its lifetime without option 8, so each is found through the records.
 * pids: N packets (UDP 10.0.0.2:40000 -> 10.0.0.9:53), packet i carrying
 *   option 8 with pid (i + 1) * 4096: pids that a multiplicative hash of the
 *   low bits puts in one bucket.
 */

#define T0_NS      1700000000000000000LL
#define STEP_NS    (10 * NS_PER_MSEC)
#define PIDS       50u
#define PID_STRIDE 4096u
#define PAYLOAD    16u
#define FRAME_MAX  (ETH_HDR_BYTES + IPV4_MIN_HDR_BYTES + TCP_MIN_HDR_BYTES + PAYLOAD)
#define TCP_ACK    0x10
#define TCP_WINDOW 65535u

static const uint8_t host[16] = { 10, 0, 0, 2 }, web[16] = { 10, 0, 0, 7 },
		     dns[16] = { 10, 0, 0, 9 };

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet + IPv4 + TCP or UDP from host:40000 to dst:dport, PAYLOAD zero bytes. */
static size_t frame(uint8_t *b, uint8_t proto, const uint8_t *dst, uint16_t dport)
{
	size_t l4 = proto == IPPROTO_NUM_TCP ? TCP_MIN_HDR_BYTES : UDP_HDR_BYTES;
	uint8_t *ip = b + ETH_HDR_BYTES, *t = ip + IPV4_MIN_HDR_BYTES;

	memset(b, 0, FRAME_MAX);
	b[0] = b[6] = 0x02;
	b[5] = 1;
	b[11] = 2;
	be16(b + 12, ETHERTYPE_IPV4);
	ip[0] = 0x45;
	be16(ip + 2, (uint32_t)(IPV4_MIN_HDR_BYTES + l4 + PAYLOAD));
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, host, 4);
	memcpy(ip + 16, dst, 4);
	be16(t, 40000);
	be16(t + 2, dport);
	if (proto == IPPROTO_NUM_UDP) {
		be16(t + 4, (uint32_t)(UDP_HDR_BYTES + PAYLOAD));
		return ETH_HDR_BYTES + IPV4_MIN_HDR_BYTES + l4 + PAYLOAD;
	}
	/* TCP: data offset and flags in one word, then the window */
	be16(t + 12, (uint32_t)(TCP_MIN_HDR_BYTES / 4) << 12 | TCP_ACK);
	be16(t + 14, TCP_WINDOW);
	return ETH_HDR_BYTES + IPV4_MIN_HDR_BYTES + l4 + PAYLOAD;
}

static int packet(struct pcapng_writer *w, uint8_t proto, const uint8_t *dst, uint16_t dport,
		  int64_t ts, uint32_t pid)
{
	struct pcapng_epb_opts o = { .has_flags = true, .flags = PCAPNG_EPB_DIR_OUT,
				     .has_pid = pid != 0, .pid = pid, .tid = pid };
	uint8_t b[FRAME_MAX];
	size_t n = frame(b, proto, dst, dport);

	return pcapng_write_epb(w, 0, ts, b, (uint32_t)n, (uint32_t)n, &o);
}

static int sockets(struct pcapng_writer *w, uint32_t n)
{
	int rc = 0;

	for (uint32_t i = 0; i < n && rc == 0; i++) {
		struct sock_record s = { .family = 4, .ip_proto = IPPROTO_NUM_TCP, .lport = 40000,
					 .rport = 443, .cookie = i + 1u, .pid = 1000 + i % PIDS,
					 .tid = 1000 + i % PIDS, .first_ns = T0_NS + i * STEP_NS,
					 .last_ns = T0_NS + i * STEP_NS + STEP_NS / 2, .final = true,
					 .how = SOCKREC_HOW_EBPF };

		memcpy(s.laddr, host, 16);
		memcpy(s.raddr, web, 16);
		rc = pcapng_write_socket(w, &s);
	}
	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = packet(w, IPPROTO_NUM_TCP, web, 443, T0_NS + i * STEP_NS + STEP_NS / 4, 0);
	return rc;
}

static int pids(struct pcapng_writer *w, uint32_t n)
{
	int rc = 0;

	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = packet(w, IPPROTO_NUM_UDP, dns, 53, T0_NS + i * NS_PER_MSEC, (i + 1) * PID_STRIDE);
	return rc;
}

/* Opens DIR/NAME for writing, with a section and an Ethernet interface; NULL after a message. */
static struct pcapng_writer *start(const char *dir, const char *name)
{
	char err[300];
	struct pcapng_writer *w = NULL;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd >= 0) {
		w = pcapng_writer_open(dfd, name, err, sizeof(err));
		close(dfd);
	} else {
		snprintf(err, sizeof(err), "%s: %s", dir, strerror(errno));
	}
	if (w == NULL) {
		fprintf(stderr, "gen_attrib_stress: %s\n", err);
		return NULL;
	}
	if ((pcapng_write_shb(w, NULL, "Linux", "gen_attrib_stress") |
	     pcapng_write_idb(w, LINKTYPE_ETHERNET, 0, "eth0", NULL, NULL, NULL)) != 0) {
		fprintf(stderr, "gen_attrib_stress: %s\n", pcapng_writer_error(w));
		pcapng_writer_abort(w);
		return NULL;
	}
	return w;
}

int main(int argc, char **argv)
{
	char err[300];
	struct pcapng_writer *w;
	unsigned long n;
	int rc;

	if (argc != 5 || (strcmp(argv[3], "sockets") != 0 && strcmp(argv[3], "pids") != 0)) {
		fprintf(stderr, "usage: gen_attrib_stress DIR NAME sockets|pids N\n");
		return 2;
	}
	n = strtoul(argv[4], NULL, 10);
	if (n == 0 || n > UINT32_MAX / PID_STRIDE) {
		fprintf(stderr, "gen_attrib_stress: N from 1 to %u\n", UINT32_MAX / PID_STRIDE);
		return 2;
	}
	if ((w = start(argv[1], argv[2])) == NULL)
		return 1;
	rc = argv[3][0] == 's' ? sockets(w, (uint32_t)n) : pids(w, (uint32_t)n);
	if (rc != 0) {
		fprintf(stderr, "gen_attrib_stress: %s\n", pcapng_writer_error(w));
		pcapng_writer_abort(w);
		return 1;
	}
	rc = pcapng_writer_close(w, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "gen_attrib_stress: %s\n", err);
	return rc != 0;
}
