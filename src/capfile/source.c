/* \summary: byte source for capture files: a bounded window over reads of a file, gzip or a pipe */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile/source.h"
#include "util/array.h"

#define WINDOW_START_BYTES (256u * 1024)
#define GZ_BUFFER_BYTES    (256u * 1024)
#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b

/*
 * Files are read, never mapped: a mapped file that shrinks under the reader
 * (truncated by someone else) raises SIGBUS on the next access of a page
 * past its new end, while read() just ends early, and an end short of the
 * size seen at open is reported ("truncated while reading"). One copy from
 * the page cache into the window costs little next to the parsing.
 */
struct source {
	/* Whole stream in memory (caller buffer). */
	const uint8_t *base;
	size_t len;
	/* Streamed through a window buf[start, end): plain reads of fd, or gz. */
	int fd;                   /* -1 unless a plain regular file */
	gzFile gz;
	uint8_t *buf;
	size_t cap, start, end;
	bool eof;
	bool gzipped;
	size_t max_window;
	uint64_t consumed;
	uint64_t read_bytes;      /* bytes read from fd */
	uint64_t size;
	char err[160];
};

static struct source *source_new(size_t max_window)
{
	struct source *s = calloc(1, sizeof(*s));

	if (s != NULL) {
		s->max_window = max_window;
		s->fd = -1;
	}
	return s;
}

static bool fd_starts_with_gzip(int fd)
{
	uint8_t magic[2];

	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       magic[0] == GZIP_MAGIC0 && magic[1] == GZIP_MAGIC1;
}

struct source *source_open_fd_stat(int fd, const struct stat *known, size_t max_window, char *err,
				   size_t errlen)
{
	struct source *s = source_new(max_window);
	struct stat st;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	if (known != NULL) {
		st = *known;
	} else if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		s->size = (uint64_t)st.st_size;
		if (!fd_starts_with_gzip(fd)) {
			s->fd = fd;
			return s;
		}
	}
	/* gzip and pipes: gzread passes uncompressed data through unchanged. */
	s->gz = gzdopen(fd, "rb");
	if (s->gz == NULL) {
		snprintf(err, errlen, "cannot read: out of memory");
		goto fail;
	}
	gzbuffer(s->gz, GZ_BUFFER_BYTES);
	return s;
fail:
	close(fd);
	free(s);
	return NULL;
}

struct source *source_open_fd(int fd, size_t max_window, char *err, size_t errlen)
{
	return source_open_fd_stat(fd, NULL, max_window, err, errlen);
}

struct source *source_open_mem(const void *buf, size_t len, size_t max_window)
{
	struct source *s = source_new(max_window);

	if (s == NULL)
		return NULL;
	s->base = buf;
	s->len = len;
	s->size = len;
	return s;
}

static bool window_reserve(struct source *s, size_t want)
{
	if (s->start > 0 && s->cap - s->start < want) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	return ARRAY_RESERVE_MAX(s->buf, s->cap, want, WINDOW_START_BYTES, s->max_window);
}

/* Reads into the window from the plain file; false at its end or on error. */
static bool read_plain(struct source *s)
{
	ssize_t n = read(s->fd, s->buf + s->end, s->cap - s->end);

	if (n < 0 && errno == EINTR)
		return true;
	if (n > 0) {
		s->end += (size_t)n;
		s->read_bytes += (uint64_t)n;
		return true;
	}
	if (n < 0)
		snprintf(s->err, sizeof(s->err), "read error: %s", strerror(errno));
	else if (s->read_bytes < s->size)
		snprintf(s->err, sizeof(s->err), "truncated while reading: the file ends at byte %llu, "
			 "it had %llu when opened", (unsigned long long)s->read_bytes,
			 (unsigned long long)s->size);
	return false;
}

/* Reads into the window through zlib; false at the end or on error. */
static bool read_gz(struct source *s)
{
	int n = gzread(s->gz, s->buf + s->end, (unsigned)(s->cap - s->end));
	int zerr;
	const char *msg;

	if (n > 0) {
		s->end += (size_t)n;
		return true;
	}
	if (n < 0 || !gzeof(s->gz)) {
		msg = gzerror(s->gz, &zerr);
		snprintf(s->err, sizeof(s->err), "%s error: %s", gzdirect(s->gz) ? "read" : "gzip",
			 zerr == Z_ERRNO ? strerror(errno) : msg);
	}
	return false;
}

static void window_fill(struct source *s, size_t want)
{
	while (s->end - s->start < want && !s->eof)
		s->eof = !(s->gz != NULL ? read_gz(s) : read_plain(s));
	if (s->gz != NULL && !gzdirect(s->gz))
		s->gzipped = true;
}

const uint8_t *source_peek(struct source *s, size_t want, size_t *got)
{
	size_t avail;

	if (s->gz == NULL && s->fd < 0) {
		avail = s->len - (size_t)s->consumed;
		*got = want < avail ? want : avail;
		return s->base + s->consumed;
	}
	if (want > s->max_window)
		want = s->max_window;
	if (s->end - s->start < want && !s->eof) {
		if (!window_reserve(s, want)) {
			snprintf(s->err, sizeof(s->err), "out of memory for a %zu-byte window", want);
			s->eof = true;
		} else {
			window_fill(s, want);
		}
	}
	avail = s->end - s->start;
	*got = want < avail ? want : avail;
	return s->buf + s->start;
}

void source_advance(struct source *s, size_t n)
{
	s->consumed += n;
	if (s->gz != NULL || s->fd >= 0)
		s->start += n;
}

uint64_t source_offset(const struct source *s) { return s->consumed; }
uint64_t source_size(const struct source *s) { return s->size; }
bool source_gzipped(const struct source *s) { return s->gzipped; }

const char *source_error(const struct source *s)
{
	return s->err[0] ? s->err : NULL;
}

void source_close(struct source *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->gz != NULL)
		gzclose(s->gz);
	free(s->buf);
	free(s);
}
