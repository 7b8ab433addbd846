/* \summary: minimal JSON output helpers */
#ifndef PIDCAP_JSON_H
#define PIDCAP_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes s (len bytes, may hold any byte) as a JSON string literal. Bytes
 * that are not valid UTF-8 are written as \u00XX of their value (Latin-1),
 * so the output is always valid JSON. */
void json_str(FILE *out, const char *s, size_t len);

/* json_str() of a NUL-terminated string, or null for NULL. */
void json_cstr(FILE *out, const char *s);

#endif
