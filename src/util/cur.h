/* \summary: the one bounds-checked cursor through which untrusted bytes are read */
#ifndef PIDCAP_CUR_H
#define PIDCAP_CUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A read-only view of [p, p + len). Every getter either consumes exactly the
 * bytes it returns and answers true, or answers false and leaves the cursor
 * untouched (the CBS contract of BoringSSL). Nothing here reads outside the
 * view, so parsers never do pointer arithmetic of their own.
 *
 * The "_e" getters take the byte order of the data (big_endian = true for
 * big-endian), as pcap files and pcapng sections each carry their own.
 */
struct cur {
	const uint8_t *p;
	size_t len;
};

static inline struct cur cur_make(const void *p, size_t len)
{
	struct cur c = { (const uint8_t *)p, len };
	return c;
}

static inline size_t cur_left(const struct cur *c) { return c->len; }

static inline bool cur_skip(struct cur *c, size_t n)
{
	if (c->len < n)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

/* Takes n bytes as a sub-cursor. */
static inline bool cur_sub(struct cur *c, size_t n, struct cur *out)
{
	if (c->len < n)
		return false;
	*out = cur_make(c->p, n);
	c->p += n;
	c->len -= n;
	return true;
}

/* Points *out at the next n bytes and consumes them. */
static inline bool cur_bytes(struct cur *c, size_t n, const uint8_t **out)
{
	if (c->len < n)
		return false;
	*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool cur_copy(struct cur *c, void *out, size_t n)
{
	if (c->len < n)
		return false;
	memcpy(out, c->p, n);
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool cur_u8(struct cur *c, uint8_t *out)
{
	if (c->len < 1)
		return false;
	*out = c->p[0];
	c->p++;
	c->len--;
	return true;
}

static inline bool cur_be16(struct cur *c, uint16_t *out)
{
	if (c->len < 2)
		return false;
	*out = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	return cur_skip(c, 2);
}

static inline bool cur_le16(struct cur *c, uint16_t *out)
{
	if (c->len < 2)
		return false;
	*out = (uint16_t)((uint16_t)c->p[1] << 8 | c->p[0]);
	return cur_skip(c, 2);
}

static inline bool cur_be32(struct cur *c, uint32_t *out)
{
	if (c->len < 4)
		return false;
	*out = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	       (uint32_t)c->p[2] << 8 | c->p[3];
	return cur_skip(c, 4);
}

static inline bool cur_le32(struct cur *c, uint32_t *out)
{
	if (c->len < 4)
		return false;
	*out = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	       (uint32_t)c->p[1] << 8 | c->p[0];
	return cur_skip(c, 4);
}

static inline bool cur_be64(struct cur *c, uint64_t *out)
{
	uint32_t hi, lo;
	struct cur t = *c;

	if (!cur_be32(&t, &hi) || !cur_be32(&t, &lo))
		return false;
	*out = (uint64_t)hi << 32 | lo;
	*c = t;
	return true;
}

static inline bool cur_le64(struct cur *c, uint64_t *out)
{
	uint32_t hi, lo;
	struct cur t = *c;

	if (!cur_le32(&t, &lo) || !cur_le32(&t, &hi))
		return false;
	*out = (uint64_t)hi << 32 | lo;
	*c = t;
	return true;
}

static inline bool cur_u16_e(struct cur *c, bool big_endian, uint16_t *out)
{
	return big_endian ? cur_be16(c, out) : cur_le16(c, out);
}

static inline bool cur_u32_e(struct cur *c, bool big_endian, uint32_t *out)
{
	return big_endian ? cur_be32(c, out) : cur_le32(c, out);
}

static inline bool cur_u64_e(struct cur *c, bool big_endian, uint64_t *out)
{
	return big_endian ? cur_be64(c, out) : cur_le64(c, out);
}

/* Peeks without consuming. */
static inline bool cur_peek_u32_e(const struct cur *c, bool big_endian, uint32_t *out)
{
	struct cur t = *c;
	return cur_u32_e(&t, big_endian, out);
}

#endif
