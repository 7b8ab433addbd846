/* \summary: printing untrusted text to a terminal without control sequences */
#ifndef PIDCAP_TERMSAFE_H
#define PIDCAP_TERMSAFE_H

#include <stddef.h>
#include <stdio.h>

/* Writes len bytes of s, replacing control characters, DEL and bytes that
 * are not valid UTF-8 with \xNN escapes, so a hostile string cannot move the
 * cursor, change colours or retitle the terminal. A NUL byte ends s. */
void termsafe_write(FILE *out, const char *s, size_t len);

/* The escaped form of the NUL-terminated s ("-" for NULL) in dst, cut at a
 * whole character or escape when dstlen is short; returns dst (always
 * NUL-terminated when dstlen > 0). For printf's %s and field widths. */
const char *termsafe_format(char *dst, size_t dstlen, const char *s);

/* termsafe_write() of a NUL-terminated string; "-" for NULL. */
void termsafe_puts(FILE *out, const char *s);

#endif
