/* \summary: the one bounds-checked, sticky-failing byte writer (BoringSSL's CBB is the model) */
#ifndef PIDCAP_WBUF_H
#define PIDCAP_WBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A byte writer over either the caller's fixed buffer or a heap buffer that
 * grows up to a hard maximum. Every put either appends all its bytes or
 * appends nothing and marks the writer failed; once failed, every later put
 * does nothing, so callers check wbuf_failed() once at the end (as with
 * BoringSSL's CBB). Nothing is ever written past the storage.
 *
 * The "_e" puts take the byte order to write (big_endian = true for
 * big-endian), as the matching cur_*_e getters read it.
 *
 * A length field whose value is known only later (pcapng block lengths,
 * netlink message lengths) is reserved with wbuf_reserve_u32() and filled
 * in with wbuf_patch_u32_e().
 */
struct wbuf {
	/* private: used only through the functions below */
	uint8_t *buf_;
	size_t len_;        /* bytes written */
	size_t cap_;        /* bytes of storage */
	size_t max_;        /* growable: most bytes it may hold; fixed: cap_ */
	bool growable_;
	int err_;           /* 0, or why the writer failed (ENOMEM, EMSGSIZE); sticky */
};

/* Writes into the cap bytes at buf (the caller's; never freed here). */
void wbuf_init_fixed(struct wbuf *w, void *buf, size_t cap);

/*
 * Writes into a heap buffer of initial_cap bytes (allocated now; 0 defers
 * it) that doubles as needed up to max_bytes. False on out of memory, with
 * *w a failed, empty writer that wbuf_release() accepts.
 */
bool wbuf_init_growable(struct wbuf *w, size_t initial_cap, size_t max_bytes);

/* Frees a growable writer's buffer (a fixed one's stays the caller's); *w
 * is then an empty writer with no room, on which every put fails. */
void wbuf_release(struct wbuf *w);

/* Out of line: makes room for n more bytes or fails the writer (see wbuf_space()). */
uint8_t *wbuf_grow_space(struct wbuf *w, size_t n);

/*
 * Appends n bytes of space and returns where they start, for the caller to
 * fill at once (all n of them); NULL, and the writer failed, when they do
 * not fit (EMSGSIZE: past the fixed buffer or the maximum; ENOMEM). For
 * n == 0 the answer may be NULL without a failure.
 */
static inline uint8_t *wbuf_space(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err_ != 0)
		return NULL;
	if (n > w->cap_ - w->len_)
		return wbuf_grow_space(w, n);
	/* no arithmetic on a NULL buffer (only possible with no storage, n == 0) */
	p = w->buf_ != NULL ? w->buf_ + w->len_ : NULL;
	w->len_ += n;
	return p;
}

/* True once a put did not fit: nothing was written by it or after it. */
static inline bool wbuf_failed(const struct wbuf *w) { return w->err_ != 0; }

/* Why the writer failed: 0, EMSGSIZE (no room under the limit) or ENOMEM. */
static inline int wbuf_error(const struct wbuf *w) { return w->err_; }

/* Bytes written so far. */
static inline size_t wbuf_len(const struct wbuf *w) { return w->len_; }

/* The bytes written (wbuf_len() of them); valid until the next put. */
static inline const uint8_t *wbuf_data(const struct wbuf *w) { return w->buf_; }

/* Bytes of storage now (a growable writer may grow past it up to its maximum). */
static inline size_t wbuf_capacity(const struct wbuf *w) { return w->cap_; }

/*
 * Drops every byte after the first len (len <= wbuf_len()) and clears a
 * failure: the writer goes back to a point the caller recorded with
 * wbuf_len(), as when a block is rejected whole or flushed.
 */
void wbuf_truncate(struct wbuf *w, size_t len);

/* Growable only: gives back storage above max(cap, wbuf_len()); no-op when it cannot. */
void wbuf_shrink(struct wbuf *w, size_t cap);

/* Appends the n bytes at p (p may be NULL when n is 0). */
static inline void wbuf_put_bytes(struct wbuf *w, const void *p, size_t n)
{
	uint8_t *d = wbuf_space(w, n);

	if (d != NULL && n > 0)
		memcpy(d, p, n);
}

/* Appends n zero bytes. */
static inline void wbuf_put_zeros(struct wbuf *w, size_t n)
{
	uint8_t *d = wbuf_space(w, n);

	if (d != NULL && n > 0)
		memset(d, 0, n);
}

/* Stores the low `bytes` bytes of v at d, most significant first or last. */
static inline void wbuf_store(uint8_t *d, uint64_t v, unsigned bytes, bool big_endian)
{
	for (unsigned i = 0; i < bytes; i++)
		d[big_endian ? bytes - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* Appends the low `bytes` bytes of v in the given byte order. */
static inline void wbuf_put_uint(struct wbuf *w, uint64_t v, unsigned bytes, bool big_endian)
{
	uint8_t *d = wbuf_space(w, bytes);

	if (d != NULL)
		wbuf_store(d, v, bytes, big_endian);
}

/* Append v in the byte order of their name (be: big-endian, le: little-endian). */
static inline void wbuf_put_u8(struct wbuf *w, uint8_t v) { wbuf_put_uint(w, v, 1, true); }
static inline void wbuf_put_be16(struct wbuf *w, uint16_t v) { wbuf_put_uint(w, v, 2, true); }
static inline void wbuf_put_le16(struct wbuf *w, uint16_t v) { wbuf_put_uint(w, v, 2, false); }
static inline void wbuf_put_be32(struct wbuf *w, uint32_t v) { wbuf_put_uint(w, v, 4, true); }
static inline void wbuf_put_le32(struct wbuf *w, uint32_t v) { wbuf_put_uint(w, v, 4, false); }
static inline void wbuf_put_be64(struct wbuf *w, uint64_t v) { wbuf_put_uint(w, v, 8, true); }
static inline void wbuf_put_le64(struct wbuf *w, uint64_t v) { wbuf_put_uint(w, v, 8, false); }

/* Append v in the byte order given (pcapng sections carry their own). */
static inline void wbuf_put_u16_e(struct wbuf *w, bool big_endian, uint16_t v)
{
	wbuf_put_uint(w, v, 2, big_endian);
}

static inline void wbuf_put_u32_e(struct wbuf *w, bool big_endian, uint32_t v)
{
	wbuf_put_uint(w, v, 4, big_endian);
}

static inline void wbuf_put_u64_e(struct wbuf *w, bool big_endian, uint64_t v)
{
	wbuf_put_uint(w, v, 8, big_endian);
}

/* Appends zeros until the bytes written since offset `from` are a multiple
 * of align (pcapng pads options and blocks to 4). align must be non-zero. */
static inline void wbuf_pad(struct wbuf *w, size_t from, size_t align)
{
	if (from <= w->len_)
		wbuf_put_zeros(w, (align - (w->len_ - from) % align) % align);
}

/* Appends a 32-bit length field of zeros and gives its offset in *at, for
 * wbuf_patch_u32_e() when the length is known. */
static inline void wbuf_reserve_u32(struct wbuf *w, size_t *at)
{
	*at = w->len_;
	wbuf_put_zeros(w, sizeof(uint32_t));
}

/*
 * Overwrites the 32-bit field written at offset at. A field not wholly
 * written (at + 4 > wbuf_len()) fails the writer; after a failure it does
 * nothing.
 */
void wbuf_patch_u32_e(struct wbuf *w, size_t at, bool big_endian, uint32_t v);

#endif
