/* \summary: libFuzzer target: socket and process records of capture files, decoded from a built record */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_const.h"
#include "capfile/procinfo.h"
#include "capfile/sockrec.h"

/*
 * sockrec_decode() and proc_record_decode() on a struct cap_record built
 * straight from the input, so the fuzzer spends no effort on the pcapng
 * framing around them (fuzz_capfile covers that path, and decodes the same
 * records it finds). Byte 0: bits 0-1 the record (0 Custom Block under
 * PIDCAP_PEN, 1 under Wireshark's PEN, 2 Apple process block, 3 Custom
 * Block under the PEN in the next 4 bytes), bit 2 a big-endian section.
 * An Apple block takes its pid from the next 4 bytes. The rest is the
 * custom data (or the Apple block's options), in a heap buffer of exactly
 * its size. Checks: a decoded socket record encodes back to the same bytes
 * (reserved flag bits and padding aside), and a process record's strings
 * are terminated inside their buffers.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SOCKREC_PAD_OFFSET 85u
#define SOCKREC_FLAGS_OFFSET 7u
#define SOCKREC_KNOWN_FLAGS (SOCKREC_F_LISTENER | SOCKREC_F_FINAL)

static volatile uint64_t sink;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_sockrec: broken contract: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_socket(const struct cap_record *rec, const uint8_t *buf, size_t len)
{
	struct sock_record r;
	uint8_t again[SOCKREC_BYTES], want[SOCKREC_BYTES];
	bool is_sock = sockrec_is_socket(rec);

	if (!sockrec_decode(rec, &r))
		return;
	CHECK(is_sock && rec->kind == CAP_REC_CUSTOM && rec->u.custom.pen == PIDCAP_PEN);
	CHECK(len == SOCKREC_BYTES && (r.family == 4 || r.family == 6));
	/* what the encoder writes back: the same bytes, minus what decoding ignores */
	memcpy(want, buf, SOCKREC_BYTES);
	want[SOCKREC_FLAGS_OFFSET] &= SOCKREC_KNOWN_FLAGS;
	memset(want + SOCKREC_PAD_OFFSET, 0, SOCKREC_BYTES - SOCKREC_PAD_OFFSET);
	CHECK(sockrec_encode(&r, again));
	CHECK(memcmp(again, want, SOCKREC_BYTES) == 0);
	sink += r.cookie + r.pid + (uint64_t)r.first_ns + (sockrec_how_name(r.how) != NULL);
}

static void check_str(const char *s, size_t n)
{
	CHECK(memchr(s, '\0', n) != NULL);
	sink += strlen(s);
}

static void check_process(const struct cap_record *rec)
{
	struct proc_record pr;

	if (!proc_record_decode(rec, &pr))
		return;
	CHECK(rec->kind == CAP_REC_DARWIN_PROCESS ||
	      (rec->kind == CAP_REC_CUSTOM && rec->u.custom.pen == PCAPNG_PEN_WIRESHARK));
	CHECK(pr.cmdline_len <= sizeof(pr.cmdline));
	check_str(pr.name, sizeof(pr.name));
	check_str(pr.path, sizeof(pr.path));
	check_str(pr.user, sizeof(pr.user));
	check_str(pr.attribution, sizeof(pr.attribution));
	check_str(pr.cgroup, sizeof(pr.cgroup));
	check_str(pr.container, sizeof(pr.container));
	for (uint32_t i = 0; i < pr.cmdline_len; i++)
		sink += pr.cmdline[i];
	sink += pr.pid + pr.ppid + pr.uid + pr.starttime_ns + pr.n_custom_opts + pr.n_comments;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_record rec;
	size_t pos = 1;
	uint8_t *buf;
	size_t len;

	if (size < 1)
		return 0;
	memset(&rec, 0, sizeof(rec));
	rec.big_endian = (data[0] & 4) != 0;
	switch (data[0] & 3) {
	case 0:
		rec.kind = CAP_REC_CUSTOM;
		rec.u.custom.pen = PIDCAP_PEN;
		break;
	case 1:
		rec.kind = CAP_REC_CUSTOM;
		rec.u.custom.pen = PCAPNG_PEN_WIRESHARK;
		break;
	case 2:
		rec.kind = CAP_REC_DARWIN_PROCESS;
		rec.block_type = PCAPNG_BT_DARWIN_PIB;
		if (size < 5)
			return 0;
		rec.u.darwin_pid = le32_at(data + 1);
		pos = 5;
		break;
	default:
		rec.kind = CAP_REC_CUSTOM;
		if (size < 5)
			return 0;
		rec.u.custom.pen = le32_at(data + 1);
		pos = 5;
		break;
	}
	len = size - pos;
	if ((buf = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(buf, data + pos, len);
	if (rec.kind == CAP_REC_CUSTOM) {
		rec.block_type = PCAPNG_BT_CB_COPY;
		rec.u.custom.copyable = true;
		rec.u.custom.data = cur_make(buf, len);
		rec.body = rec.u.custom.data;
	} else {
		rec.options = cur_make(buf, len);
		rec.body = rec.options;
	}
	rec.length = (uint32_t)(len < UINT32_MAX ? len : UINT32_MAX);
	check_socket(&rec, buf, len);
	check_process(&rec);
	free(buf);
	return 0;
}
