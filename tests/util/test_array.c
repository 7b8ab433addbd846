/* \summary: the growable-array helper (src/util/array.h): doubling, zeroed slots, the ceiling */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "util/array.h"
#include "../tap.h"

static bool all_zero(const uint32_t *v, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (v[i] != 0)
			return false;
	return true;
}

int main(void)
{
	uint32_t *v = NULL;
	size_t cap = 0;
	uint8_t *b = NULL;
	size_t bcap = 0;

	tap_ok(ARRAY_RESERVE(v, cap, 1, 4) && cap == 4 && v != NULL && all_zero(v, 0, 4),
	       "first reserve: min_cap zeroed slots");
	v[0] = v[3] = 7;
	tap_ok(ARRAY_RESERVE(v, cap, 4, 4) && cap == 4, "a need that fits changes nothing");
	tap_ok(ARRAY_RESERVE(v, cap, 9, 4) && cap == 16 && v[0] == 7 && v[3] == 7 && all_zero(v, 4, 16),
	       "doubles until the need fits; old slots kept, new ones zero");
	tap_ok(!ARRAY_RESERVE(v, cap, SIZE_MAX / 2, 4) && cap == 16 && v[3] == 7,
	       "a size that overflows fails and changes nothing");
	free(v);

	tap_ok(ARRAY_RESERVE_MAX(b, bcap, 5, 4, 20) && bcap == 8, "with a ceiling: doubles below it");
	tap_ok(ARRAY_RESERVE_MAX(b, bcap, 17, 4, 20) && bcap == 20, "the last step stops at the ceiling");
	tap_ok(!ARRAY_RESERVE_MAX(b, bcap, 21, 4, 20) && bcap == 20, "a need above the ceiling fails");
	b[19] = 1;   /* ASan: the 20 bytes are there */
	free(b);
	b = NULL;
	bcap = 0;
	tap_ok(ARRAY_RESERVE_MAX(b, bcap, 3, 64, 10) && bcap == 10, "min_cap above the ceiling is cut to it");
	free(b);
	return tap_done();
}
