/* \summary: the byte writer's out-of-line parts: growth, truncation, patching */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/wbuf.h"

void wbuf_init_fixed(struct wbuf *w, void *buf, size_t cap)
{
	w->buf_ = buf;
	w->len_ = 0;
	w->cap_ = w->max_ = cap;
	w->growable_ = false;
	w->err_ = 0;
}

bool wbuf_init_growable(struct wbuf *w, size_t initial_cap, size_t max_bytes)
{
	wbuf_init_fixed(w, NULL, 0);
	w->growable_ = true;
	w->max_ = max_bytes;
	if (initial_cap > max_bytes)
		initial_cap = max_bytes;
	if (initial_cap > 0) {
		w->buf_ = malloc(initial_cap);
		if (w->buf_ == NULL) {
			w->err_ = ENOMEM;
			return false;
		}
		w->cap_ = initial_cap;
	}
	return true;
}

void wbuf_release(struct wbuf *w)
{
	if (w->growable_)
		free(w->buf_);
	w->buf_ = NULL;
	w->len_ = w->cap_ = w->max_ = 0;
	w->err_ = ENOMEM;
}

static uint8_t *fail(struct wbuf *w, int e)
{
	w->err_ = e;
	return NULL;
}

uint8_t *wbuf_grow_space(struct wbuf *w, size_t n)
{
	size_t need, ncap;
	uint8_t *nbuf;

	if (w->err_ != 0)
		return NULL;
	if (!w->growable_ || n > w->max_ - w->len_)
		return fail(w, EMSGSIZE);
	need = w->len_ + n;
	ncap = w->cap_ ? w->cap_ : need;
	while (ncap < need)
		ncap = ncap > w->max_ / 2 ? w->max_ : ncap * 2;
	if (ncap > w->cap_) {
		nbuf = realloc(w->buf_, ncap);
		if (nbuf == NULL)
			return fail(w, ENOMEM);
		w->buf_ = nbuf;
		w->cap_ = ncap;
	}
	nbuf = w->buf_ + w->len_;
	w->len_ = need;
	return nbuf;
}

void wbuf_truncate(struct wbuf *w, size_t len)
{
	if (len < w->len_)
		w->len_ = len;
	w->err_ = 0;
}

void wbuf_shrink(struct wbuf *w, size_t cap)
{
	uint8_t *nbuf;

	if (!w->growable_ || cap < w->len_ || cap == 0 || cap >= w->cap_)
		return;
	nbuf = realloc(w->buf_, cap);
	if (nbuf == NULL)
		return;
	w->buf_ = nbuf;
	w->cap_ = cap;
}

void wbuf_patch_u32_e(struct wbuf *w, size_t at, bool big_endian, uint32_t v)
{
	if (w->err_ != 0)
		return;
	if (at > w->len_ || w->len_ - at < sizeof(uint32_t)) {
		w->err_ = EMSGSIZE;
		return;
	}
	wbuf_store(w->buf_ + at, v, sizeof(uint32_t), big_endian);
}
