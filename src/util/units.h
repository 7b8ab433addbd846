/* \summary: units named once: time conversions shared by every module */
#ifndef PIDCAP_UNITS_H
#define PIDCAP_UNITS_H

#include <stdint.h>

/* Signed, so that differences of timestamps stay signed (int64_t ns everywhere). */
#define NS_PER_SEC  INT64_C(1000000000)
#define NS_PER_MSEC INT64_C(1000000)
#define NS_PER_USEC INT64_C(1000)
#define USEC_PER_SEC INT64_C(1000000)

/*
 * a + b and a - b clamped to [INT64_MIN, INT64_MAX]: for every deadline or
 * duration computed from a packet time, which a hostile file may put at
 * either end of int64_t (signed overflow is undefined behaviour).
 */
static inline int64_t ns_add_sat(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

static inline int64_t ns_sub_sat(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_sub_overflow(a, b, &r) ? (b < 0 ? INT64_MAX : INT64_MIN) : r;
}

#endif
