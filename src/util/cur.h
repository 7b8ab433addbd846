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
	/* private: read only through the functions below, never outside this file */
	const uint8_t *p_;
	size_t len_;
};

/* A view of the len bytes at p (p may be NULL when len is 0). */
static inline struct cur cur_make(const void *p, size_t len)
{
	struct cur c = { (const uint8_t *)p, len };
	return c;
}

/* A view of no bytes. */
static inline struct cur cur_empty(void)
{
	return cur_make("", 0);   /* not NULL: no arithmetic on a null pointer */
}

/* Bytes left in the view. */
static inline size_t cur_left(const struct cur *c) { return c->len_; }

/*
 * The first byte of the view, for handing the whole view to memcmp, memcpy,
 * a hash or a write: the caller reads at most cur_left(c) bytes from it.
 * May be NULL for an empty view.
 */
static inline const uint8_t *cur_data(const struct cur *c) { return c->p_; }

/* True when the view holds exactly the n bytes at p (a magic, a tag). */
static inline bool cur_equal(const struct cur *c, const void *p, size_t n)
{
	return c->len_ == n && (n == 0 || memcmp(c->p_, p, n) == 0);
}

static inline bool cur_skip(struct cur *c, size_t n)
{
	if (c->len_ < n)
		return false;
	c->p_ += n;
	c->len_ -= n;
	return true;
}

/* Takes n bytes as a sub-cursor. */
static inline bool cur_sub(struct cur *c, size_t n, struct cur *out)
{
	if (c->len_ < n)
		return false;
	*out = cur_make(c->p_, n);
	c->p_ += n;
	c->len_ -= n;
	return true;
}

/* Points *out at the next n bytes and consumes them. */
static inline bool cur_bytes(struct cur *c, size_t n, const uint8_t **out)
{
	if (c->len_ < n)
		return false;
	*out = c->p_;
	c->p_ += n;
	c->len_ -= n;
	return true;
}

static inline bool cur_copy(struct cur *c, void *out, size_t n)
{
	if (c->len_ < n)
		return false;
	memcpy(out, c->p_, n);
	c->p_ += n;
	c->len_ -= n;
	return true;
}

static inline bool cur_u8(struct cur *c, uint8_t *out)
{
	if (c->len_ < 1)
		return false;
	*out = c->p_[0];
	c->p_++;
	c->len_--;
	return true;
}

static inline bool cur_be16(struct cur *c, uint16_t *out)
{
	if (c->len_ < 2)
		return false;
	*out = (uint16_t)((uint16_t)c->p_[0] << 8 | c->p_[1]);
	return cur_skip(c, 2);
}

static inline bool cur_le16(struct cur *c, uint16_t *out)
{
	if (c->len_ < 2)
		return false;
	*out = (uint16_t)((uint16_t)c->p_[1] << 8 | c->p_[0]);
	return cur_skip(c, 2);
}

static inline bool cur_be32(struct cur *c, uint32_t *out)
{
	if (c->len_ < 4)
		return false;
	*out = (uint32_t)c->p_[0] << 24 | (uint32_t)c->p_[1] << 16 |
	       (uint32_t)c->p_[2] << 8 | c->p_[3];
	return cur_skip(c, 4);
}

/* A 24-bit big-endian value (TLS handshake lengths), in the low bits of *out. */
static inline bool cur_be24(struct cur *c, uint32_t *out)
{
	if (c->len_ < 3)
		return false;
	*out = (uint32_t)c->p_[0] << 16 | (uint32_t)c->p_[1] << 8 | c->p_[2];
	return cur_skip(c, 3);
}

static inline bool cur_le32(struct cur *c, uint32_t *out)
{
	if (c->len_ < 4)
		return false;
	*out = (uint32_t)c->p_[3] << 24 | (uint32_t)c->p_[2] << 16 |
	       (uint32_t)c->p_[1] << 8 | c->p_[0];
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

/*
 * The peeks cur_peek_u8, cur_peek_be16, cur_peek_be32, cur_peek_le16 and
 * cur_peek_le32 (c, off, out) read the value at offset off of the view
 * without consuming anything; false when the view is shorter than off plus
 * the width. One definition for the five (they differ in the getter only).
 */
#define CUR_DEFINE_PEEK(getter, type)                                                    \
	static inline bool cur_peek_##getter(const struct cur *c, size_t off, type *out) \
	{                                                                                \
		struct cur t = *c;                                                       \
		return cur_skip(&t, off) && cur_##getter(&t, out);                       \
	}

CUR_DEFINE_PEEK(u8, uint8_t)
CUR_DEFINE_PEEK(be16, uint16_t)
CUR_DEFINE_PEEK(be32, uint32_t)
CUR_DEFINE_PEEK(le16, uint16_t)
CUR_DEFINE_PEEK(le32, uint32_t)

/* ---------------------------------------------------------------- sub-cursors */

/*
 * The length-prefixed getters read a big-endian length of 1, 2 or 3 bytes
 * (len_bytes, at most sizeof(size_t)) and take that many bytes after it as
 * *out (TLS vectors, DNS labels, SSH strings use such prefixes). On a short prefix or a length past the end
 * they answer false and leave both *c and *out untouched.
 */
static inline bool cur_prefixed(struct cur *c, unsigned len_bytes, struct cur *out)
{
	struct cur t = *c;
	size_t n = 0;
	uint8_t b;

	for (unsigned i = 0; i < len_bytes; i++) {
		if (!cur_u8(&t, &b))
			return false;
		n = n << 8 | b;
	}
	if (!cur_sub(&t, n, out))
		return false;
	*c = t;
	return true;
}

static inline bool cur_u8_prefixed(struct cur *c, struct cur *out)
{
	return cur_prefixed(c, 1, out);
}

static inline bool cur_u16_prefixed(struct cur *c, struct cur *out)
{
	return cur_prefixed(c, 2, out);
}

static inline bool cur_u24_prefixed(struct cur *c, struct cur *out)
{
	return cur_prefixed(c, 3, out);
}

/*
 * Takes the bytes before the first occurrence of byte as *out and consumes
 * them, leaving the delimiter as the next byte of *c (HTTP lines, SSH
 * banners). False, with *c and *out untouched, when byte does not occur.
 */
static inline bool cur_until(struct cur *c, uint8_t byte, struct cur *out)
{
	const uint8_t *hit = c->len_ ? memchr(c->p_, byte, c->len_) : NULL;

	if (hit == NULL)
		return false;
	return cur_sub(c, (size_t)(hit - c->p_), out);
}

#endif
