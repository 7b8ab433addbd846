/* \summary: test helper: captures its own UDP datagrams on an interface into a pcapng file */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "record/capture.h"
#include "record/output.h"
#include "util/units.h"

/*
 * Usage: capture_lo DIR NAME IFACE PORT COUNT
 * Captures "udp port PORT" on IFACE, sends COUNT datagrams to 127.0.0.1:PORT
 * and COUNT to PORT + 1 (which the filter must keep out), writes what it
 * captures to DIR/NAME through output, and prints key=value lines: the
 * link type, packets written, the capture's counters, any warning. Exits 0
 * when COUNT packets were written and the file was closed without error,
 * 1 otherwise, 2 on bad usage. The checks of the file itself are the
 * caller's (tshark, tcpdump, capinfos).
 */

#define WAIT_MS       5000
#define POLL_MS       50
#define PAYLOAD_BYTES 64
#define ERRLEN        600

struct run {
	struct capture *cap;
	struct output *out;
	unsigned long written, failed;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / NS_PER_MSEC;
}

static void on_packet(void *ctx, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
		      uint32_t origlen)
{
	struct run *r = ctx;

	if (output_packet(r->out, ts_ns, data, caplen, origlen, NULL) == 0)
		r->written++;
	else
		r->failed++;
}

static void on_stats(void *ctx, struct pcapng_isb *isb)
{
	struct run *r = ctx;
	struct capture_stats cs;

	if (capture_stats(r->cap, &cs) != 0)
		return;
	isb->has_ifrecv = isb->has_osdrop = isb->has_ifdrop = true;
	isb->ifrecv = cs.recv;
	isb->osdrop = cs.drop;
	isb->ifdrop = cs.ifdrop;
}

static int send_datagrams(unsigned port, unsigned count)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	char payload[PAYLOAD_BYTES];
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (unsigned i = 0; i < 2 * count; i++) {
		/* odd ones to the next port: the filter keeps them out */
		to.sin_port = htons((uint16_t)(port + (i & 1)));
		snprintf(payload, sizeof(payload), "pidcap capture test %u", i);
		if (sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			close(s);
			return -1;
		}
	}
	close(s);
	return 0;
}

static int open_all(struct run *r, const char *dir, const char *name, const char *iface,
		    const char *filter)
{
	struct output_config oc = { 0 };
	char err[ERRLEN];
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	r->cap = capture_open(iface, 0, filter, err, sizeof(err));
	if (r->cap == NULL || dirfd < 0) {
		fprintf(stderr, "capture_lo: %s\n", r->cap ? strerror(errno) : err);
		return -1;
	}
	oc.dirfd = dirfd;
	oc.name = name;
	oc.linktype = (uint16_t)capture_linktype(r->cap);
	oc.snaplen = capture_snaplen(r->cap);
	oc.if_name = capture_iface(r->cap);
	oc.if_filter = capture_filter(r->cap);
	oc.if_os = "Linux";
	oc.stats_fn = on_stats;
	oc.ctx = r;
	r->out = output_open(&oc, err, sizeof(err));
	close(dirfd);
	if (r->out == NULL) {
		fprintf(stderr, "capture_lo: %s\n", err);
		return -1;
	}
	return 0;
}

/* Polls and dispatches until count packets are written or WAIT_MS pass. */
static int capture_until(struct run *r, unsigned long count)
{
	int64_t deadline = mono_ms() + WAIT_MS;

	while (r->written + r->failed < count && mono_ms() < deadline) {
		struct pollfd pfd = { .fd = capture_fd(r->cap), .events = POLLIN };

		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR)
			return -1;
		if (capture_dispatch(r->cap, 0, on_packet, r) < 0) {
			fprintf(stderr, "capture_lo: %s\n", capture_error(r->cap));
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	struct capture_stats cs = { 0 };
	char filter[64], err[ERRLEN];
	unsigned port, count;
	int rc = 0;

	if (argc != 6 || (port = (unsigned)atoi(argv[4])) == 0 || port > 65534 ||
	    (count = (unsigned)atoi(argv[5])) == 0) {
		fprintf(stderr, "usage: capture_lo DIR NAME IFACE PORT COUNT\n");
		return 2;
	}
	snprintf(filter, sizeof(filter), "udp port %u", port);
	if (open_all(&r, argv[1], argv[2], argv[3], filter) < 0)
		return 1;
	if (send_datagrams(port, count) < 0 || capture_until(&r, count) < 0) {
		fprintf(stderr, "capture_lo: %s\n", strerror(errno));
		rc = 1;
	}
	capture_stats(r.cap, &cs);
	printf("linktype=%d\nsnaplen=%u\nwritten=%lu\nfailed=%lu\nrecv=%llu\ndrop=%llu\nwarning=%s\n",
	       capture_linktype(r.cap), capture_snaplen(r.cap), r.written, r.failed,
	       (unsigned long long)cs.recv, (unsigned long long)cs.drop, capture_warning(r.cap));
	if (output_close(r.out, err, sizeof(err)) != 0) {
		fprintf(stderr, "capture_lo: %s\n", err);
		rc = 1;
	}
	capture_close(r.cap);
	if (r.written != count)
		rc = 1;
	return rc;
}
