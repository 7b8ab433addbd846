/* \summary: byte source for capture files: mmap, or a bounded window over gzip/pipes */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile/source.h"
#include "util/array.h"

#define WINDOW_START_BYTES (256u * 1024)
#define GZ_BUFFER_BYTES    (256u * 1024)
/* Mapped pages behind the reader are released in steps of this size, so a
 * large file does not stay resident (records before the current one are
 * never read again, by the capfile contract). */
#define RELEASE_STEP_BYTES (32u * 1024 * 1024)
#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b

struct source {
	/* Whole stream in memory (mapped file or caller buffer). */
	const uint8_t *base;
	size_t len;
	bool mapped;
	size_t released;          /* mapped bytes already given back */
	/* Streamed through a window buf[start, end). */
	gzFile gz;
	uint8_t *buf;
	size_t cap, start, end;
	bool eof;
	bool gzipped;
	size_t max_window;
	uint64_t consumed;
	uint64_t size;
	char err[160];
};

static struct source *source_new(size_t max_window)
{
	struct source *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->max_window = max_window;
	return s;
}

static bool fd_starts_with_gzip(int fd)
{
	uint8_t magic[2];

	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       magic[0] == GZIP_MAGIC0 && magic[1] == GZIP_MAGIC1;
}

static bool source_map(struct source *s, int fd, const struct stat *st)
{
	void *p;

	if (st->st_size == 0) {
		s->base = (const uint8_t *)"";
		s->len = 0;
		return true;
	}
	p = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return false;
	(void)madvise(p, (size_t)st->st_size, MADV_SEQUENTIAL);
	s->base = p;
	s->len = (size_t)st->st_size;
	s->mapped = true;
	return true;
}

struct source *source_open_fd(int fd, size_t max_window, char *err, size_t errlen)
{
	struct source *s = source_new(max_window);
	struct stat st;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		s->size = (uint64_t)st.st_size;
		if (!fd_starts_with_gzip(fd) && source_map(s, fd, &st)) {
			close(fd);
			return s;
		}
	}
	/* gzip, pipes, and files that cannot be mapped: stream. gzread passes
	 * uncompressed data through unchanged. */
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

static void window_fill(struct source *s, size_t want)
{
	while (s->end - s->start < want && !s->eof) {
		int n = gzread(s->gz, s->buf + s->end, (unsigned)(s->cap - s->end));

		if (n > 0) {
			s->end += (size_t)n;
			continue;
		}
		s->eof = true;
		if (n < 0 || !gzeof(s->gz)) {
			int zerr;
			const char *msg = gzerror(s->gz, &zerr);

			snprintf(s->err, sizeof(s->err), "%s error: %s",
				 gzdirect(s->gz) ? "read" : "gzip",
				 zerr == Z_ERRNO ? strerror(errno) : msg);
		}
	}
	if (!gzdirect(s->gz))
		s->gzipped = true;
}

const uint8_t *source_peek(struct source *s, size_t want, size_t *got)
{
	size_t avail;

	if (s->gz == NULL) {
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

static void release_behind(struct source *s)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t upto = ((size_t)s->consumed / page) * page;

	if (upto - s->released < RELEASE_STEP_BYTES)
		return;
	(void)madvise((void *)(s->base + s->released), upto - s->released, MADV_DONTNEED);
	s->released = upto;
}

void source_advance(struct source *s, size_t n)
{
	s->consumed += n;
	if (s->gz != NULL)
		s->start += n;
	else if (s->mapped)
		release_behind(s);
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
	if (s->mapped)
		munmap((void *)s->base, s->len);
	if (s->gz != NULL)
		gzclose(s->gz);
	free(s->buf);
	free(s);
}
