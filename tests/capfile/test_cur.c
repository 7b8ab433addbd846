/* \summary: the bounds-checked cursor (src/util/cur.h): short reads never move it */
#include "config.h"

#include <stdint.h>
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
static bool g_be24(struct cur *c, uint64_t *o) { uint32_t v = 0; bool r = cur_be24(c, &v); *o = v; return r; }
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
	{ "cur_be24", 3, g_be24, 0x012345 },
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
		if (g->get(&c, &v) || cur_data(&c) != buf || cur_left(&c) != len) {
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
	tap_ok(g->get(&c, &v) && cur_left(&c) == 0 && cur_data(&c) == buf + g->width,
	       "%s: exact length consumes %zu bytes", g->name, g->width);
	TAP_EQ_U(v, g->want, "%s: value", g->name);
	c = cur_make(buf, sizeof(SAMPLE));
	tap_ok(g->get(&c, &v) && cur_left(&c) == sizeof(SAMPLE) - g->width,
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
		ok &= cur_skip(&c, n) == fits && cur_left(&c) == (fits ? sizeof(SAMPLE) - n : sizeof(SAMPLE));
		c = cur_make(buf, sizeof(SAMPLE));
		sub = cur_make(NULL, 99);
		ok &= cur_sub(&c, n, &sub) == fits;
		ok &= fits ? cur_data(&sub) == buf && cur_left(&sub) == n && cur_data(&c) == buf + n : cur_left(&sub) == 99 && cur_data(&c) == buf;
		c = cur_make(buf, sizeof(SAMPLE));
		p = NULL;
		ok &= cur_bytes(&c, n, &p) == fits;
		ok &= fits ? p == buf && cur_left(&c) == sizeof(SAMPLE) - n : p == NULL && cur_left(&c) == sizeof(SAMPLE);
		c = cur_make(buf, sizeof(SAMPLE));
		memset(out, 0xEE, sizeof(out));
		if (n <= sizeof(out)) {
			ok &= cur_copy(&c, out, n) == fits;
			ok &= memcmp(out, SAMPLE, n) == 0;
		}
		tap_ok(ok, "skip/sub/bytes/copy of %zu bytes from 8", n);
	}
	c = cur_make(buf, 3);
	tap_ok(!cur_peek_u32_e(&c, true, &v) && cur_left(&c) == 3, "peek on 3 bytes fails");
	c = cur_make(buf, 4);
	tap_ok(cur_peek_u32_e(&c, true, &v) && v == 0x01234567 && cur_left(&c) == 4 && cur_data(&c) == buf,
	       "peek big-endian does not consume");
	tap_ok(cur_peek_u32_e(&c, false, &v) && v == 0x67452301 && cur_left(&c) == 4,
	       "peek little-endian does not consume");
	c = cur_make(buf, 8);
	TAP_EQ_U(cur_left(&c), 8, "cur_left");
	free(buf);
}

/* A heap copy of exactly n bytes: ASan sees any read past them. */
static uint8_t *exact(const void *src, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (b == NULL) {
		tap_diag("out of memory");
		exit(1);
	}
	if (n)
		memcpy(b, src, n);
	return b;
}

/* True when c still views the n bytes at p. */
static bool views(const struct cur *c, const uint8_t *p, size_t n)
{
	return cur_data(c) == p && cur_left(c) == n;
}

/* The offset peeks: in range they read without consuming; out of range they fail. */
static void test_peeks(void)
{
	uint8_t *buf = exact(SAMPLE, sizeof(SAMPLE));
	struct cur c = cur_make(buf, sizeof(SAMPLE));
	uint8_t v8 = 0;
	uint16_t v16 = 0;
	uint32_t v32 = 0;
	bool ok = true;

	tap_ok(cur_peek_u8(&c, 7, &v8) && v8 == 0xef && cur_peek_be16(&c, 6, &v16) &&
	       v16 == 0xcdef && cur_peek_le16(&c, 6, &v16) && v16 == 0xefcd &&
	       cur_peek_be32(&c, 4, &v32) && v32 == 0x89abcdef && cur_peek_le32(&c, 4, &v32) &&
	       v32 == 0xefcdab89 && views(&c, buf, sizeof(SAMPLE)),
	       "peeks at the last offsets that fit read the value and do not consume");
	v8 = 0x5a;
	v16 = 0x5a5a;
	v32 = 0x5a5a5a5a;
	ok &= !cur_peek_u8(&c, 8, &v8) && !cur_peek_be16(&c, 7, &v16) &&
	      !cur_peek_le16(&c, 7, &v16) && !cur_peek_be32(&c, 5, &v32) &&
	      !cur_peek_le32(&c, 5, &v32) && !cur_peek_u8(&c, SIZE_MAX, &v8) &&
	      !cur_peek_be32(&c, SIZE_MAX - 1, &v32);
	tap_ok(ok && v8 == 0x5a && v16 == 0x5a5a && v32 == 0x5a5a5a5a &&
	       views(&c, buf, sizeof(SAMPLE)),
	       "peeks past the end (and at huge offsets) fail and change nothing");
	free(buf);
}

/* One length-prefixed getter: prefix width and the function. */
struct prefixed {
	const char *name;
	size_t width;
	bool (*get)(struct cur *c, struct cur *out);
};

static const struct prefixed PREFIXED[] = {
	{ "cur_u8_prefixed", 1, cur_u8_prefixed },
	{ "cur_u16_prefixed", 2, cur_u16_prefixed },
	{ "cur_u24_prefixed", 3, cur_u24_prefixed },
};

/* Writes a big-endian length of width bytes, then body_len bytes of 0xB0... */
static size_t put_prefixed(uint8_t *b, size_t width, size_t len, size_t body_len)
{
	for (size_t i = 0; i < width; i++)
		b[i] = (uint8_t)(len >> (8 * (width - 1 - i)));
	for (size_t i = 0; i < body_len; i++)
		b[width + i] = (uint8_t)(0xB0 + i);
	return width + body_len;
}

/* A prefix of len over body_len bytes of body fails and changes neither cursor. */
static void expect_refused(const struct prefixed *g, size_t len, size_t body_len, const char *what)
{
	uint8_t tmp[16];
	size_t n = put_prefixed(tmp, g->width, len, body_len);
	uint8_t *buf = exact(tmp, n);
	struct cur c = cur_make(buf, n), out = cur_make(SAMPLE, 1);

	tap_ok(!g->get(&c, &out) && views(&c, buf, n) && views(&out, SAMPLE, 1),
	       "%s: %s fails, cursor untouched", g->name, what);
	free(buf);
}

static void test_prefixed(const struct prefixed *g)
{
	uint8_t tmp[16];
	uint8_t *buf;
	struct cur c, out, sentinel = cur_make(SAMPLE, 1);
	size_t n;
	bool ok = true;

	/* length 3, 3 bytes of body, 2 bytes after */
	n = put_prefixed(tmp, g->width, 3, 5);
	buf = exact(tmp, n);
	c = cur_make(buf, n);
	tap_ok(g->get(&c, &out) && views(&out, buf + g->width, 3) &&
	       views(&c, buf + g->width + 3, 2), "%s: takes the body, leaves the rest", g->name);
	free(buf);

	/* length 0: an empty sub-cursor */
	n = put_prefixed(tmp, g->width, 0, 0);
	buf = exact(tmp, n);
	c = cur_make(buf, n);
	tap_ok(g->get(&c, &out) && cur_left(&out) == 0 && views(&c, buf + n, 0),
	       "%s: length 0 gives an empty view", g->name);
	free(buf);

	/* every short prefix fails and leaves both cursors */
	for (size_t len = 0; len < g->width; len++) {
		buf = exact(tmp, len);
		c = cur_make(buf, len);
		out = sentinel;
		ok &= !g->get(&c, &out) && views(&c, buf, len) && views(&out, SAMPLE, 1);
		free(buf);
	}
	tap_ok(ok, "%s: a short length prefix fails, cursor untouched", g->name);

	expect_refused(g, 4, 3, "a length past the end");
	expect_refused(g, ((size_t)1 << (8 * g->width)) - 1, 2,
		       "the largest length over a short view");
}

static void test_until(void)
{
	static const uint8_t line[] = { 'G', 'E', 'T', '\r', '\n', 'x' };
	uint8_t *buf = exact(line, sizeof(line));
	struct cur c = cur_make(buf, sizeof(line)), out, sentinel = cur_make(SAMPLE, 1);
	uint8_t b = 0;

	tap_ok(cur_until(&c, '\r', &out) && views(&out, buf, 3) && views(&c, buf + 3, 3) &&
	       cur_u8(&c, &b) && b == '\r', "cur_until: the bytes before the delimiter; the delimiter stays");
	c = cur_make(buf, sizeof(line));
	tap_ok(cur_until(&c, 'G', &out) && cur_left(&out) == 0 && views(&c, buf, sizeof(line)),
	       "cur_until: a delimiter at the start gives an empty view");
	c = cur_make(buf, sizeof(line));
	tap_ok(cur_until(&c, 'x', &out) && views(&out, buf, 5) && views(&c, buf + 5, 1),
	       "cur_until: a delimiter as the last byte");
	c = cur_make(buf, sizeof(line));
	out = sentinel;
	tap_ok(!cur_until(&c, 0, &out) && views(&c, buf, sizeof(line)) && views(&out, SAMPLE, 1),
	       "cur_until: a missing delimiter fails, cursor untouched");
	/* the delimiter just past the view must not be found */
	c = cur_make(buf, 3);
	out = sentinel;
	tap_ok(!cur_until(&c, '\r', &out) && views(&c, buf, 3) && views(&out, SAMPLE, 1),
	       "cur_until: never looks past the view");
	c = cur_empty();
	tap_ok(!cur_until(&c, 'G', &out) && cur_left(&c) == 0, "cur_until: an empty view fails");
	free(buf);
}

static void test_accessors(void)
{
	uint8_t *buf = exact(SAMPLE, sizeof(SAMPLE));
	struct cur c = cur_make(buf, sizeof(SAMPLE)), e = cur_empty();

	tap_ok(cur_data(&c) == buf && cur_left(&c) == sizeof(SAMPLE), "cur_data: the first byte");
	tap_ok(cur_left(&e) == 0 && cur_data(&e) != NULL && cur_skip(&e, 0) && !cur_skip(&e, 1),
	       "cur_empty: no bytes, a non-NULL pointer, skips nothing");
	tap_ok(cur_equal(&c, SAMPLE, sizeof(SAMPLE)) && !cur_equal(&c, SAMPLE, 7) &&
	       cur_equal(&e, NULL, 0), "cur_equal: same length and bytes");
	buf[7] ^= 1;
	tap_ok(!cur_equal(&c, SAMPLE, sizeof(SAMPLE)), "cur_equal: one bit differs");
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
	test_peeks();
	for (size_t i = 0; i < sizeof(PREFIXED) / sizeof(PREFIXED[0]); i++)
		test_prefixed(&PREFIXED[i]);
	test_until();
	test_accessors();
	test_sequence();
	return tap_done();
}
