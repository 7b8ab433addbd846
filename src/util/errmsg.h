/* \summary: the one "message and errno" setter of modules that keep their last error */
#ifndef PIDCAP_ERRMSG_H
#define PIDCAP_ERRMSG_H

#include <stddef.h>

/*
 * Formats a message into buf (len bytes, always NUL-terminated when len >
 * 0), then sets errno to e and answers -1, so that a failing function can
 * end with `return errmsg_set(...)`.
 */
int errmsg_set(char *buf, size_t len, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
