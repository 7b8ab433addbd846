/* \summary: libFuzzer target: the inet_diag (NETLINK_SOCK_DIAG) reply parser of pidcap record */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "record/snapshot.h"

/*
 * Feeds snapshot_diag_parse() a dump as the recorder receives it: a sequence
 * of datagrams into one socket list, until one answers NLMSG_DONE or an
 * error. Input: byte 0 picks the dump (bits 0-1: AF_INET/AF_INET6 x TCP/UDP,
 * with the sequence number 1..4 that diag_dump_all() gives it); then each
 * datagram is a 2-byte big-endian length and its bytes (the last one may be
 * short). Each datagram is copied into a heap buffer of exactly its size at
 * an odd address, so AddressSanitizer sees any over-read and UBSan any
 * misaligned access. Contracts of snapshot.h abort when broken.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TCP_STATE_NEW_SYN_RECV 12
#define FUZZ_NETNS 4026531840u

static volatile uint64_t sink;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_inetdiag: broken contract: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static int parse_datagram(const uint8_t *p, size_t n, const struct snap_diag_query *q,
			  struct snap_list *l, char *err, size_t errlen)
{
	uint8_t *buf = malloc(n + 1);   /* +1: the datagram starts at an odd address */
	size_t before = l->n;
	int rc;

	if (buf == NULL)
		return -1;
	memcpy(buf + 1, p, n);
	err[0] = '\0';
	rc = snapshot_diag_parse(buf + 1, n, q, l, err, errlen);
	free(buf);
	CHECK(rc >= -1 && rc <= 1);
	CHECK(rc != -1 || err[0] != '\0');
	CHECK(l->n >= before && l->n <= SNAP_MAX_SOCKETS && l->n <= l->cap);
	/* each socket takes a message of at least a header and an inet_diag_msg */
	CHECK((l->n - before) * 88 <= n);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct snap_list l = { 0 };
	struct snap_diag_query q;
	char err[256];
	size_t pos = 1;
	int rc = 0;

	if (size < 1)
		return 0;
	q.seq = (uint32_t)(data[0] & 3) + 1;
	q.family = families[(data[0] >> 1) & 1];
	q.ip_proto = protos[data[0] & 1];
	q.netns = FUZZ_NETNS;
	while (rc == 0 && pos < size) {
		size_t n = data[pos] << 8;

		if (pos + 1 < size)
			n |= data[pos + 1];
		pos += 2;
		if (pos > size)
			pos = size;
		if (n > size - pos)
			n = size - pos;
		rc = parse_datagram(data + pos, n, &q, &l, err, sizeof(err));
		pos += n;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct snap_sock *s = &l.v[i];

		CHECK(s->family == q.family && s->ip_proto == q.ip_proto && s->netns == q.netns);
		CHECK(s->tcp_state != TCP_STATE_NEW_SYN_RECV);
		CHECK(s->pid == 0 && s->n_holders == 0);
		CHECK(!s->listener || q.ip_proto == IPPROTO_UDP || s->tcp_state == 10);
		sink += s->cookie + s->inode + s->lport;
	}
	free(l.v);
	return 0;
}
