/* \summary: the byte stream under a capture file: a bounded window over a file, gzip or a pipe */
#ifndef PIDCAP_SOURCE_H
#define PIDCAP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A source hands out contiguous views of the next bytes of the stream.
 * Files (plain or gzip) and pipes are read through a window that grows only
 * as far as the largest block allowed (max_window bytes), so a hostile
 * length can never make it allocate more; a memory buffer is zero-copy.
 * A regular file that ends before the size it had when opened (truncated
 * while being read) sets source_error() "truncated while reading: ...".
 */
struct source;

struct stat;

/* Opens fd (taken over). Detects gzip by its magic. NULL + err on failure. */
struct source *source_open_fd(int fd, size_t max_window, char *err, size_t errlen);

/* As source_open_fd() with fd's fstat() taken by the caller (st; NULL:
 * taken here), for a process whose sandbox refuses fstat's path-taking form. */
struct source *source_open_fd_stat(int fd, const struct stat *st, size_t max_window, char *err,
				   size_t errlen);

/* Wraps a caller-owned buffer. */
struct source *source_open_mem(const void *buf, size_t len, size_t max_window);

/*
 * Makes up to want bytes from the current position contiguous and returns a
 * pointer to them; *got is how many are available (less than want only at
 * the end of the stream or on error). want must be <= max_window.
 */
const uint8_t *source_peek(struct source *s, size_t want, size_t *got);

/* Consumes n bytes, which must have been returned by source_peek(). */
void source_advance(struct source *s, size_t n);

uint64_t source_offset(const struct source *s);   /* bytes consumed */
uint64_t source_size(const struct source *s);     /* on-disk size, 0 if unknown */
bool source_gzipped(const struct source *s);
/* Non-NULL after a read or decompression error. */
const char *source_error(const struct source *s);
void source_close(struct source *s);

#endif
