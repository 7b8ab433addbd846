/* \summary: units named once: time conversions shared by every module */
#ifndef PIDCAP_UNITS_H
#define PIDCAP_UNITS_H

#include <stdint.h>

/* Signed, so that differences of timestamps stay signed (int64_t ns everywhere). */
#define NS_PER_SEC  INT64_C(1000000000)
#define NS_PER_MSEC INT64_C(1000000)
#define NS_PER_USEC INT64_C(1000)
#define USEC_PER_SEC INT64_C(1000000)

#endif
