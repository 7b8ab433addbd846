/* \summary: the one integer hash mixer (MurmurHash3's 64-bit finalizer) */
#ifndef PIDCAP_MIX_H
#define PIDCAP_MIX_H

#include <stdint.h>

/*
 * MurmurHash3's 64-bit finalizer: every input bit moves every output bit,
 * so keys that differ only in high bits (pids that are multiples of 4096)
 * or low bits land in different buckets of a power-of-two table.
 */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

#endif
