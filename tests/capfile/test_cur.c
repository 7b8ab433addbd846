/* \summary: the bounds-checked cursor (src/util/cur.h): short reads never move it */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/cur.h"
#include "../tap.h"

/* 8 bytes whose value differs in every byte order. */
static const uint8_t SAMPLE[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

/* One getter under test, wrapped to a common shape: reads from c into a
 * 64-bit value, needs `width` bytes. */
struct getter {
	const char *name;
	size_t width;
	bool (*get)(struct cur *c, uint64_t *out);
	uint64_t want;   /* value read from SAMPLE */
};

static bool g_u8(struct cur *c, uint64_t *o) { uint8_t v = 0; bool r = cur_u8(c, &v); *o = v; return r; }
static bool g_be16(struct cur *c, uint64_t *o) { uint16_t v = 0; bool r = cur_be16(c, &v); *o = v; return r; }
static bool g_le16(struct cur *c, uint64_t *o) { uint16_t v = 0; bool r = cur_le16(c, &v); *o = v; return r; }
static bool g_be32(struct cur *c, uint64_t *o) { uint32_t v = 0; bool r = cur_be32(c, &v); *o = v; return r; }
static bool g_le32(struct cur *c, uint64_t *o) { uint32_t v = 0; bool r = cur_le32(c, &v); *o = v; return r; }
static bool g_be64(struct cur *c, uint64_t *o) { return cur_be64(c, o); }
static bool g_le64(struct cur *c, uint64_t *o) { return cur_le64(c, o); }
static bool g_u16_be(struct cur *c, uint64_t *o) { uint16_t v = 0; bool r = cur_u16_e(c, true, &v); *o = v; return r; }
static bool g_u16_le(struct cur *c, uint64_t *o) { uint16_t v = 0; bool r = cur_u16_e(c, false, &v); *o = v; return r; }
static bool g_u32_be(struct cur *c, uint64_t *o) { uint32_t v = 0; bool r = cur_u32_e(c, true, &v); *o = v; return r; }
static bool g_u32_le(struct cur *c, uint64_t *o) { uint32_t v = 0; bool r = cur_u32_e(c, false, &v); *o = v; return r; }
static bool g_u64_be(struct cur *c, uint64_t *o) { return cur_u64_e(c, true, o); }
static bool g_u64_le(struct cur *c, uint64_t *o) { return cur_u64_e(c, false, o); }

static const struct getter GETTERS[] = {
	{ "cur_u8", 1, g_u8, 0x01 },
	{ "cur_be16", 2, g_be16, 0x0123 },
	{ "cur_le16", 2, g_le16, 0x2301 },
	{ "cur_be32", 4, g_be32, 0x01234567 },
	{ "cur_le32", 4, g_le32, 0x67452301 },
	{ "cur_be64", 8, g_be64, 0x0123456789abcdefull },
	{ "cur_le64", 8, g_le64, 0xefcdab8967452301ull },
	{ "cur_u16_e(be)", 2, g_u16_be, 0x0123 },
	{ "cur_u16_e(le)", 2, g_u16_le, 0x2301 },
	{ "cur_u32_e(be)", 4, g_u32_be, 0x01234567 },
	{ "cur_u32_e(le)", 4, g_u32_le, 0x67452301 },
	{ "cur_u64_e(be)", 8, g_u64_be, 0x0123456789abcdefull },
	{ "cur_u64_e(le)", 8, g_u64_le, 0xefcdab8967452301ull },
};

#define N_GETTERS (sizeof(GETTERS) / sizeof(GETTERS[0]))
#define POISON 0x5a5a5a5a5a5a5a5aull

/* Every length below the width fails and leaves the cursor where it was. */
static void test_short_reads(const struct getter *g)
{
	bool all_ok = true;

	for (size_t len = 0; len < g->width; len++) {
		uint8_t *buf = malloc(len ? len : 1);  /* exact size: ASan sees over-reads */
		struct cur c;
		uint64_t v = POISON;

		memcpy(buf, SAMPLE, len);
		c = cur_make(buf, len);
		if (g->get(&c, &v) || c.p != buf || c.len != len) {
			tap_diag("%s on %zu bytes moved the cursor or succeeded", g->name, len);
			all_ok = false;
		}
		free(buf);
	}
	tap_ok(all_ok, "%s: every short length fails and leaves the cursor", g->name);
}

/* Exact and longer lengths succeed, consume exactly width, read the value. */
static void test_full_reads(const struct getter *g)
{
	uint8_t *buf = malloc(sizeof(SAMPLE));
	struct cur c;
	uint64_t v = 0;

	memcpy(buf, SAMPLE, sizeof(SAMPLE));
	c = cur_make(buf, g->width);
	tap_ok(g->get(&c, &v) && c.len == 0 && c.p == buf + g->width,
	       "%s: exact length consumes %zu bytes", g->name, g->width);
	TAP_EQ_U(v, g->want, "%s: value", g->name);
	c = cur_make(buf, sizeof(SAMPLE));
	tap_ok(g->get(&c, &v) && c.len == sizeof(SAMPLE) - g->width,
	       "%s: longer view leaves the rest", g->name);
	free(buf);
}

static void test_views(void)
{
	uint8_t *buf = malloc(sizeof(SAMPLE));
	struct cur c, sub;
	const uint8_t *p = NULL;
	uint8_t out[8] = { 0 };
	uint32_t v = 0;

	memcpy(buf, SAMPLE, sizeof(SAMPLE));
	for (size_t n = 0; n <= sizeof(SAMPLE) + 1; n++) {
		bool fits = n <= sizeof(SAMPLE);
		bool ok = true;

		c = cur_make(buf, sizeof(SAMPLE));
		ok &= cur_skip(&c, n) == fits && c.len == (fits ? sizeof(SAMPLE) - n : sizeof(SAMPLE));
		c = cur_make(buf, sizeof(SAMPLE));
		sub = cur_make(NULL, 99);
		ok &= cur_sub(&c, n, &sub) == fits;
		ok &= fits ? sub.p == buf && sub.len == n && c.p == buf + n : sub.len == 99 && c.p == buf;
		c = cur_make(buf, sizeof(SAMPLE));
		p = NULL;
		ok &= cur_bytes(&c, n, &p) == fits;
		ok &= fits ? p == buf && c.len == sizeof(SAMPLE) - n : p == NULL && c.len == sizeof(SAMPLE);
		c = cur_make(buf, sizeof(SAMPLE));
		memset(out, 0xEE, sizeof(out));
		if (n <= sizeof(out)) {
			ok &= cur_copy(&c, out, n) == fits;
			ok &= memcmp(out, SAMPLE, n) == 0;
		}
		tap_ok(ok, "skip/sub/bytes/copy of %zu bytes from 8", n);
	}
	c = cur_make(buf, 3);
	tap_ok(!cur_peek_u32_e(&c, true, &v) && c.len == 3, "peek on 3 bytes fails");
	c = cur_make(buf, 4);
	tap_ok(cur_peek_u32_e(&c, true, &v) && v == 0x01234567 && c.len == 4 && c.p == buf,
	       "peek big-endian does not consume");
	tap_ok(cur_peek_u32_e(&c, false, &v) && v == 0x67452301 && c.len == 4,
	       "peek little-endian does not consume");
	c = cur_make(buf, 8);
	TAP_EQ_U(cur_left(&c), 8, "cur_left");
	free(buf);
}

/* A run of mixed reads walks the bytes in order. */
static void test_sequence(void)
{
	struct cur c = cur_make(SAMPLE, sizeof(SAMPLE));
	uint8_t a;
	uint16_t b;
	uint32_t d;
	uint64_t e;

	tap_ok(cur_u8(&c, &a) && a == 0x01 && cur_le16(&c, &b) && b == 0x4523 &&
	       cur_be32(&c, &d) && d == 0x6789abcd && cur_left(&c) == 1,
	       "mixed reads advance byte by byte");
	tap_ok(!cur_be16(&c, &b) && cur_left(&c) == 1, "then a 2-byte read of 1 byte fails");
	tap_ok(cur_u8(&c, &a) && a == 0xef && cur_left(&c) == 0, "the last byte reads");
	tap_ok(!cur_u8(&c, &a) && !cur_le64(&c, &e), "an empty cursor gives nothing");
}

int main(void)
{
	for (size_t i = 0; i < N_GETTERS; i++) {
		test_short_reads(&GETTERS[i]);
		test_full_reads(&GETTERS[i]);
	}
	test_views();
	test_sequence();
	return tap_done();
}
