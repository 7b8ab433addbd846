/* \summary: formatting of ns timestamps */
#ifndef PIDCAP_TIMEFMT_H
#define PIDCAP_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_BYTES 64

/* "2024-01-31 12:34:56.123456789 UTC"; out has TIMEFMT_BYTES. */
char *timefmt_utc(int64_t ns, char *out);

/* "1706704496.123456789" (seconds since 1970, sign kept); out has TIMEFMT_BYTES. */
char *timefmt_epoch(int64_t ns, char *out);

#endif
