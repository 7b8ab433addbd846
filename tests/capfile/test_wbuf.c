/* \summary: the byte writer (src/util/wbuf.h): bounded, sticky, patchable */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cur.h"
#include "util/wbuf.h"
#include "../tap.h"

#define GUARD 0xA5

/* A heap buffer of exactly n bytes (ASan sees a write past them), filled with GUARD. */
static uint8_t *exact(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (b == NULL) {
		tap_diag("out of memory");
		exit(1);
	}
	memset(b, GUARD, n ? n : 1);
	return b;
}

static bool all_guard(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != GUARD)
			return false;
	return true;
}

/* Every put, in both byte orders, reads back through the cursor. */
static void test_puts(void)
{
	static const uint8_t want[] = {
		0x01,                                           /* u8 */
		0x02, 0x03, 0x05, 0x04,                         /* be16, le16 */
		0x06, 0x07, 0x08, 0x09, 0x0d, 0x0c, 0x0b, 0x0a, /* be32, le32 */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* be64 */
		0x28, 0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21, /* le64 */
		'a', 'b', 0, 0, 0,                              /* bytes, zeros */
		0x31, 0x32, 0x34, 0x33,                         /* u16_e */
		0x41, 0x42, 0x43, 0x44, 0x48, 0x47, 0x46, 0x45, /* u32_e */
		0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, /* u64_e (be) */
	};
	uint8_t *buf = exact(sizeof(want));
	struct wbuf w;

	wbuf_init_fixed(&w, buf, sizeof(want));
	wbuf_put_u8(&w, 0x01);
	wbuf_put_be16(&w, 0x0203);
	wbuf_put_le16(&w, 0x0405);
	wbuf_put_be32(&w, 0x06070809);
	wbuf_put_le32(&w, 0x0a0b0c0d);
	wbuf_put_be64(&w, 0x1112131415161718ull);
	wbuf_put_le64(&w, 0x2122232425262728ull);
	wbuf_put_bytes(&w, "ab", 2);
	wbuf_put_zeros(&w, 3);
	wbuf_put_u16_e(&w, true, 0x3132);
	wbuf_put_u16_e(&w, false, 0x3334);
	wbuf_put_u32_e(&w, true, 0x41424344);
	wbuf_put_u32_e(&w, false, 0x45464748);
	wbuf_put_u64_e(&w, true, 0x5152535455565758ull);
	tap_ok(!wbuf_failed(&w) && wbuf_len(&w) == sizeof(want) && wbuf_data(&w) == buf &&
	       memcmp(buf, want, sizeof(want)) == 0, "every put writes its bytes in order, exactly filling the buffer");
	wbuf_put_bytes(&w, "", 0);
	wbuf_put_zeros(&w, 0);
	tap_ok(!wbuf_failed(&w) && wbuf_len(&w) == sizeof(want), "empty puts on a full buffer succeed");
	wbuf_put_u8(&w, 0xff);
	tap_ok(wbuf_failed(&w) && wbuf_error(&w) == EMSGSIZE && wbuf_len(&w) == sizeof(want) &&
	       memcmp(buf, want, sizeof(want)) == 0, "one byte more fails and changes nothing");
	free(buf);
}

/* A put that does not fit writes none of its bytes; the failure sticks. */
static void test_fixed_overflow(void)
{
	for (size_t cap = 0; cap < 8; cap++) {
		uint8_t *buf = exact(cap);
		struct wbuf w;
		bool ok;

		wbuf_init_fixed(&w, buf, cap);
		wbuf_put_bytes(&w, "x", cap > 0 ? 1 : 0);   /* fits */
		wbuf_put_be64(&w, UINT64_MAX);             /* never fits: 8 > cap - 1 */
		ok = wbuf_failed(&w) && wbuf_len(&w) == (cap > 0 ? 1 : 0) &&
		     all_guard(buf + (cap > 0 ? 1 : 0), cap - (cap > 0 ? 1 : 0));
		wbuf_put_u8(&w, 0);                        /* would fit, but the writer failed */
		wbuf_put_bytes(&w, "yy", 2);
		wbuf_put_zeros(&w, 1);
		wbuf_put_le32(&w, 0);
		ok &= wbuf_failed(&w) && wbuf_len(&w) == (cap > 0 ? 1 : 0) &&
		      all_guard(buf + (cap > 0 ? 1 : 0), cap - (cap > 0 ? 1 : 0)) &&
		      wbuf_space(&w, 0) == NULL;
		tap_ok(ok, "fixed %zu bytes: an 8-byte put fails, writes nothing, and every later put too", cap);
		free(buf);
	}
	{
		uint8_t *buf = exact(4);
		struct wbuf w;

		wbuf_init_fixed(&w, buf, 4);
		wbuf_put_bytes(&w, "abc", 3);
		wbuf_put_zeros(&w, SIZE_MAX);
		tap_ok(wbuf_failed(&w) && wbuf_len(&w) == 3 && buf[3] == GUARD,
		       "a put of SIZE_MAX bytes fails without overflow");
		wbuf_truncate(&w, 1);
		wbuf_put_u8(&w, 'z');
		tap_ok(!wbuf_failed(&w) && wbuf_len(&w) == 2 && memcmp(buf, "az", 2) == 0,
		       "truncate drops the tail and clears the failure");
		free(buf);
	}
}

/* The growable writer doubles up to its maximum and never past it. */
static void test_growable(void)
{
	struct wbuf w;
	size_t max = 100;
	bool ok = true;

	tap_ok(wbuf_init_growable(&w, 0, max) && wbuf_len(&w) == 0 && wbuf_capacity(&w) == 0,
	       "growable: starts empty without storage");
	for (size_t i = 0; i < max; i++)
		wbuf_put_u8(&w, (uint8_t)i);
	for (size_t i = 0; i < max; i++)
		ok &= wbuf_data(&w)[i] == (uint8_t)i;
	tap_ok(ok && !wbuf_failed(&w) && wbuf_len(&w) == max && wbuf_capacity(&w) == max,
	       "growable: grows byte by byte up to exactly its maximum");
	wbuf_put_u8(&w, 0);
	tap_ok(wbuf_failed(&w) && wbuf_error(&w) == EMSGSIZE && wbuf_len(&w) == max &&
	       wbuf_capacity(&w) == max, "growable: one byte past the maximum fails; storage stays at the maximum");
	wbuf_truncate(&w, 10);
	wbuf_shrink(&w, 16);
	tap_ok(!wbuf_failed(&w) && wbuf_len(&w) == 10 && wbuf_capacity(&w) == 16 &&
	       wbuf_data(&w)[9] == 9, "growable: shrink keeps the bytes written");
	wbuf_shrink(&w, 5);
	tap_ok(wbuf_capacity(&w) == 16, "growable: shrink never below the bytes written");
	wbuf_put_zeros(&w, max - 10);
	tap_ok(!wbuf_failed(&w) && wbuf_len(&w) == max, "growable: a large put grows at once, up to the maximum");
	wbuf_release(&w);
	wbuf_put_u8(&w, 0);
	tap_ok(wbuf_failed(&w) && wbuf_len(&w) == 0, "released: puts fail");

	tap_ok(wbuf_init_growable(&w, 1000, 64) && wbuf_capacity(&w) == 64,
	       "growable: the first allocation is capped by the maximum");
	wbuf_put_zeros(&w, 65);
	tap_ok(wbuf_failed(&w) && wbuf_len(&w) == 0, "growable: a put over the maximum fails whole");
	wbuf_release(&w);

	tap_ok(wbuf_init_growable(&w, 4, SIZE_MAX) && (wbuf_put_zeros(&w, 3), wbuf_len(&w) == 3),
	       "growable: unbounded maximum");
	wbuf_put_zeros(&w, SIZE_MAX - 2);
	tap_ok(wbuf_failed(&w) && wbuf_len(&w) == 3, "growable: a put that would wrap size_t fails");
	wbuf_release(&w);
}

/* Padding to a multiple of 4 from a start offset; reserving and patching a length. */
static void test_pad_and_patch(void)
{
	uint8_t *buf = exact(16);
	struct wbuf w;
	size_t at = 99, at2;
	struct cur c;
	uint32_t v;

	wbuf_init_fixed(&w, buf, 16);
	wbuf_put_u8(&w, 0xEE);                  /* the "block" starts at 1 */
	wbuf_reserve_u32(&w, &at);
	wbuf_put_bytes(&w, "abcde", 5);
	wbuf_pad(&w, 1, 4);
	tap_ok(!wbuf_failed(&w) && at == 1 && wbuf_len(&w) == 13 && buf[10] == 0 && buf[11] == 0 &&
	       buf[12] == 0, "pad: zeros up to a multiple of 4 from the start offset");
	wbuf_pad(&w, 1, 4);
	tap_ok(wbuf_len(&w) == 13, "pad: nothing when already aligned");
	wbuf_patch_u32_e(&w, at, false, 12);
	c = cur_make(buf + at, 4);
	tap_ok(!wbuf_failed(&w) && cur_le32(&c, &v) && v == 12, "patch: little-endian length at the reserved place");
	wbuf_patch_u32_e(&w, at, true, 12);
	c = cur_make(buf + at, 4);
	tap_ok(cur_be32(&c, &v) && v == 12 && memcmp(buf + 5, "abcde", 5) == 0,
	       "patch: big-endian, the bytes around it untouched");
	wbuf_patch_u32_e(&w, 10, true, 1);      /* 10 + 4 > 13 */
	tap_ok(wbuf_failed(&w) && buf[13] == GUARD, "patch: a field not wholly written fails the writer");
	wbuf_truncate(&w, 13);
	wbuf_patch_u32_e(&w, SIZE_MAX - 1, true, 1);
	tap_ok(wbuf_failed(&w), "patch: a huge offset fails without overflow");
	wbuf_truncate(&w, 13);
	wbuf_reserve_u32(&w, &at2);             /* 13 + 4 > 16 */
	tap_ok(wbuf_failed(&w) && wbuf_len(&w) == 13 && all_guard(buf + 13, 3),
	       "reserve: no room fails, nothing written");
	wbuf_truncate(&w, 14);
	wbuf_pad(&w, 0, 4);                     /* needs 2 more: fits exactly */
	tap_ok(!wbuf_failed(&w) && wbuf_len(&w) == 16, "pad: fills exactly to the end");
	wbuf_truncate(&w, 15);
	wbuf_put_u8(&w, 1);
	wbuf_pad(&w, 3, 4);                     /* 13 bytes since offset 3: 3 more, no room */
	tap_ok(wbuf_failed(&w) && wbuf_len(&w) == 16, "pad: no room fails");
	free(buf);
}

int main(void)
{
	test_puts();
	test_fixed_overflow();
	test_growable();
	test_pad_and_patch();
	return tap_done();
}
