/* \summary: libFuzzer target: the capture-file reader on one in-memory file */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile/capfile.h"
#include "capfile/procinfo.h"
#include "capfile/sockrec.h"

/*
 * Reads every record of the input through capfile_open_mem(), walks every
 * option, decodes process and socket records and touches every byte the reader hands
 * out, so AddressSanitizer sees any pointer outside the input. The input is
 * first copied into a heap buffer of exactly its size (as nDPI's fuzzers
 * do): libFuzzer's own buffer may have slack after it. Reader contracts
 * that a fuzzer can check cheaply abort when broken.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_STR_BYTES 64
#define FUZZ_MAX_RECORDS 1000000u   /* far above what a max_len input can hold */

static volatile uint32_t sink;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_capfile: broken contract: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static uint32_t sum_bytes(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

/* The view must lie inside the input (an empty view may point anywhere). */
static void check_inside(const uint8_t *buf, size_t size, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	CHECK(p >= buf && n <= size && p <= buf + size - n);
	sink += sum_bytes(p, n);
}

static void walk_options(const uint8_t *buf, size_t size, struct cur opts, bool be)
{
	struct cap_opt o;
	struct cur data;
	uint32_t pen;
	bool bad = false;
	char s[FUZZ_STR_BYTES];
	size_t before;

	check_inside(buf, size, cur_data(&opts), cur_left(&opts));
	for (;;) {
		before = cur_left(&opts);
		if (!cap_opt_next(&opts, be, &o, &bad))
			break;
		CHECK(cur_left(&opts) < before);  /* every option makes progress */
		check_inside(buf, size, cur_data(&o.val), cur_left(&o.val));
		cap_opt_str(&o, s, sizeof(s));
		sink += (uint32_t)strlen(s);
		if (cap_opt_custom(&o, be, &pen, &data)) {
			check_inside(buf, size, cur_data(&data), cur_left(&data));
			sink += pen;
		}
	}
}

static void touch_proc(const struct cap_record *rec)
{
	struct proc_record pr;

	if (!proc_record_decode(rec, &pr))
		return;
	CHECK(pr.cmdline_len <= sizeof(pr.cmdline));
	CHECK(memchr(pr.name, 0, sizeof(pr.name)) != NULL);
	CHECK(memchr(pr.path, 0, sizeof(pr.path)) != NULL);
	CHECK(memchr(pr.user, 0, sizeof(pr.user)) != NULL);
	sink += pr.pid + (uint32_t)strlen(pr.name) + (uint32_t)strlen(pr.path) +
		sum_bytes(pr.cmdline, pr.cmdline_len);
}

static void touch_sock(const struct cap_record *rec)
{
	struct sock_record sr;

	if (!sockrec_decode(rec, &sr))
		return;
	CHECK(sockrec_is_socket(rec) && cur_left(&rec->u.custom.data) == SOCKREC_BYTES);
	CHECK(sr.family == 4 || sr.family == 6);
	sink += sr.pid + sr.lport + (uint32_t)sr.cookie + sr.how;
}

static void touch_interface(const struct cap_interface *ifc)
{
	const char *strs[] = { ifc->name, ifc->description, ifc->filter, ifc->os, ifc->hardware };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i] != NULL) {
			CHECK(strlen(strs[i]) < CAP_MAX_STRING_BYTES);
			sink += (uint32_t)strlen(strs[i]);
		}
	sink += ifc->linktype + ifc->snaplen + ifc->tsresol;
}

static void touch_record(struct capfile *cf, const uint8_t *buf, size_t size,
			 const struct cap_record *rec, uint64_t *packets)
{
	CHECK(rec->offset <= size && rec->length <= size - rec->offset);
	check_inside(buf, size, cur_data(&rec->body), cur_left(&rec->body));
	walk_options(buf, size, rec->options, rec->big_endian);
	switch (rec->kind) {
	case CAP_REC_PACKET:
		CHECK(rec->u.pkt.number == ++*packets);
		CHECK(rec->u.pkt.iface < capfile_interface_count(cf));
		CHECK(rec->u.pkt.caplen <= rec->length);
		check_inside(buf, size, rec->u.pkt.data, rec->u.pkt.caplen);
		sink += (uint32_t)rec->u.pkt.ts_ns;
		break;
	case CAP_REC_INTERFACE:
		touch_interface(rec->u.iface);
		break;
	case CAP_REC_SECRETS:
		check_inside(buf, size, cur_data(&rec->u.secrets.data), cur_left(&rec->u.secrets.data));
		break;
	case CAP_REC_CUSTOM:
		check_inside(buf, size, cur_data(&rec->u.custom.data), cur_left(&rec->u.custom.data));
		touch_proc(rec);
		touch_sock(rec);
		break;
	case CAP_REC_DARWIN_PROCESS:
		touch_proc(rec);
		break;
	case CAP_REC_BAD_BLOCK:
		CHECK(rec->bad_reason != NULL);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct capfile *cf;
	struct cap_record rec;
	enum cap_status st;
	uint64_t packets = 0;
	uint32_t records = 0;
	char err[256];
	bool notcap;

	if (buf == NULL)
		return 0;
	if (size)
		memcpy(buf, data, size);
	cf = capfile_open_mem(buf, size, err, sizeof(err), &notcap);
	if (cf == NULL) {
		CHECK(err[0] != '\0');
		free(buf);
		return 0;
	}
	while ((st = capfile_next(cf, &rec)) == CAP_OK) {
		CHECK(++records < FUZZ_MAX_RECORDS);
		touch_record(cf, buf, size, &rec, &packets);
		CHECK(capfile_offset(cf) <= size);
	}
	/* sticky: the same answer again, with a message unless a clean end */
	CHECK(capfile_next(cf, &rec) == st);
	CHECK(st == CAP_END || capfile_error(cf)[0] != '\0');
	CHECK(capfile_error_offset(cf) <= size);
	for (uint32_t i = 0; i < capfile_interface_count(cf); i++)
		touch_interface(capfile_interface(cf, i));
	CHECK(capfile_interface_count(cf) <= CAP_MAX_INTERFACES);
	capfile_close(cf);
	free(buf);
	return 0;
}
