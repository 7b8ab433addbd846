/* \summary: SHA-256 of the input on a thread of its own, joined when the file is read */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/hasher.h"

struct hasher {
	pthread_t thread;
	int fd;                        /* the thread's duplicate */
	int copy_fd;                   /* -1, or where the bytes go on (closed at the end) */
	void (*done)(void *ctx, const char *hex);
	void *ctx;
	int rc, err;                   /* sha256_fd's answer and errno */
	char hex[SHA256_HEX_BYTES];
};

static void *hash_main(void *arg)
{
	struct hasher *h = arg;

	if (h->copy_fd >= 0) {
		h->rc = sha256_copy(h->fd, h->copy_fd, h->hex);
		h->err = errno;
		close(h->copy_fd);   /* the parser sees the end of its input */
		h->copy_fd = -1;
	} else {
		h->rc = sha256_fd(h->fd, h->hex);
	}
	h->err = errno;
	if (h->rc == 0 && h->done != NULL)
		h->done(h->ctx, h->hex);
	return NULL;
}

struct hasher *hasher_start(int fd, void (*done)(void *ctx, const char *hex), void *ctx)
{
	return hasher_start_copy(fd, -1, done, ctx);
}

struct hasher *hasher_start_copy(int fd, int copy_fd, void (*done)(void *ctx, const char *hex),
				 void *ctx)
{
	struct hasher *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		if (copy_fd >= 0)
			close(copy_fd);
		return NULL;
	}
	h->copy_fd = copy_fd;
	h->fd = dup(fd);
	h->done = done;
	h->ctx = ctx;
	if (h->fd < 0 || pthread_create(&h->thread, NULL, hash_main, h) != 0) {
		if (h->fd >= 0)
			close(h->fd);
		if (copy_fd >= 0)
			close(copy_fd);
		free(h);
		return NULL;
	}
	return h;
}

int hasher_finish(struct hasher *h, char *hex)
{
	int rc;

	pthread_join(h->thread, NULL);
	close(h->fd);
	rc = h->rc;
	if (rc == 0)
		memcpy(hex, h->hex, SHA256_HEX_BYTES);
	else
		errno = h->err;
	free(h);
	return rc;
}
