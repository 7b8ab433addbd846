/* \summary: libFuzzer target: the packet decoder on a sequence of frames */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "util/units.h"

/*
 * Input: byte 0 picks the link type (LINK_TYPES[byte % n]) and, in its
 * high bits, how far apart in time the frames are; then frames, each a
 * 2-byte big-endian length and that many bytes (the last one takes what is
 * left). All frames go through one decoder, so fragments of one input meet
 * in its reassembly table. Each frame is decoded from an exact-size heap
 * copy (libFuzzer's buffer may have slack after it), twice: whole, and as
 * a snap-length cut of a longer wire packet. Decoder contracts that are
 * cheap to check abort when broken.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t LINK_TYPES[] = {
	1,      /* Ethernet */
	101,    /* raw IP */
	113,    /* Linux SLL */
	276,    /* Linux SLL2 */
	0,      /* BSD NULL */
	108,    /* BSD LOOP */
	9,      /* PPP */
	51,     /* PPPoE */
	104,    /* Cisco HDLC */
	258,    /* Apple PKTAP */
	228,    /* IPv4 */
	229,    /* IPv6 */
};
#define N_LINK_TYPES (sizeof(LINK_TYPES) / sizeof(LINK_TYPES[0]))
#define FUZZ_MAX_FRAMES 4096

static volatile uint32_t sink;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_decode: broken contract: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static void check(const struct decoded *d, const uint8_t *frame, size_t len)
{
	CHECK(d->n_anomalies <= DECODE_MAX_ANOMALIES);
	for (unsigned i = 0; i < d->n_anomalies; i++)
		CHECK(d->anomaly[i] != NULL && d->anomaly[i][0] != '\0');
	CHECK(d->ip.version == 0 || d->ip.version == 4 || d->ip.version == 6);
	CHECK(d->tunnel_depth <= DECODE_MAX_TUNNEL_DEPTH);
	CHECK(cur_left(&d->payload) <= d->payload_len);
	CHECK(cur_data(&d->payload) != NULL);
	if (cur_left(&d->payload) != 0 && !d->reassembled)
		CHECK(cur_data(&d->payload) >= frame &&
		      (size_t)(cur_data(&d->payload) - frame) <= len &&
		      cur_left(&d->payload) <= len - (size_t)(cur_data(&d->payload) - frame));
	CHECK(memchr(d->pktap_comm, 0, sizeof(d->pktap_comm)) != NULL);
	CHECK(memchr(d->pktap_ecomm, 0, sizeof(d->pktap_ecomm)) != NULL);
	/* touch every payload byte: ASan sees a pointer outside the buffers */
	for (size_t i = 0; i < cur_left(&d->payload); i++)
		sink += cur_data(&d->payload)[i];
	sink += d->ip.sport + d->ip.dport + d->ip.proto;
}

static void one_frame(struct decoder *dec, uint32_t lt, const uint8_t *p, size_t n, int64_t ts)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct decoded d;

	if (copy == NULL)
		return;
	if (n)
		memcpy(copy, p, n);
	decode_packet(dec, lt, copy, (uint32_t)n, (uint32_t)n, ts, &d);
	check(&d, copy, n);
	decode_packet(dec, lt, copy, (uint32_t)n, (uint32_t)n + 1000, ts, &d);
	check(&d, copy, n);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoder_limits lim = { 16, 256 * 1024, 0 };
	struct decoder *dec;
	uint32_t lt;
	int64_t ts = NS_PER_SEC, step;
	size_t off = 1;

	if (size < 1)
		return 0;
	lt = LINK_TYPES[data[0] % N_LINK_TYPES];
	/* 0, 1 ms, 10 s or 40 s between frames: the last outlives the fragment timeout */
	step = (int64_t[]){ 0, 1000000, 10000000000, 40000000000 }[data[0] >> 6];
	dec = decoder_new(&lim);
	if (dec == NULL)
		return 0;
	for (unsigned i = 0; off < size && i < FUZZ_MAX_FRAMES; i++) {
		size_t n = size - off;

		if (n >= 2 && (size_t)(data[off] << 8 | data[off + 1]) <= n - 2) {
			n = (size_t)(data[off] << 8 | data[off + 1]);
			off += 2;
		}
		one_frame(dec, lt, data + off, n, ts);
		off += n;
		ts += step;
	}
	decoder_free(dec);
	return 0;
}
