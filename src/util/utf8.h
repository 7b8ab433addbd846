/* \summary: UTF-8 validation */
#ifndef PIDCAP_UTF8_H
#define PIDCAP_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid, shortest-form UTF-8 sequence at s, which has
 * left >= 1 bytes; 0 if the bytes there are not valid UTF-8. */
size_t utf8_valid_seq(const unsigned char *s, size_t left);

#endif
