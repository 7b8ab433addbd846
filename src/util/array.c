/* \summary: the one growable-array helper */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

bool array_reserve(void **arr, size_t *cap, size_t need, size_t elem_size, size_t min_cap)
{
	size_t ncap = *cap ? *cap : (min_cap ? min_cap : 1);
	void *n;

	if (need <= *cap)
		return true;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return false;
		ncap *= 2;
	}
	if (elem_size != 0 && ncap > SIZE_MAX / elem_size)
		return false;
	n = realloc(*arr, ncap * elem_size);
	if (n == NULL)
		return false;
	memset((char *)n + *cap * elem_size, 0, (ncap - *cap) * elem_size);
	*arr = n;
	*cap = ncap;
	return true;
}
