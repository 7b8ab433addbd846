/* \summary: printing untrusted text to a terminal without control sequences */
#ifndef PIDCAP_TERMSAFE_H
#define PIDCAP_TERMSAFE_H

#include <stddef.h>
#include <stdio.h>

/* Writes len bytes of s, replacing control characters, DEL and bytes that
 * are not valid UTF-8 with \xNN escapes, so a hostile string cannot move the
 * cursor, change colours or retitle the terminal. A NUL byte ends s. */
void termsafe_write(FILE *out, const char *s, size_t len);

/* termsafe_write() of a NUL-terminated string; "-" for NULL. */
void termsafe_puts(FILE *out, const char *s);

#endif
