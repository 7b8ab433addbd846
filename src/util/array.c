/* \summary: the one growable-array helper */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

bool array_reserve_max(void **arr, size_t *cap, size_t need, size_t elem_size, size_t min_cap,
		       size_t max_cap)
{
	size_t ncap = *cap ? *cap : (min_cap ? min_cap : 1);
	void *n;

	if (need <= *cap)
		return true;
	if (need > max_cap)
		return false;
	while (ncap < need)
		ncap = ncap > max_cap / 2 ? max_cap : ncap * 2;
	if (ncap > max_cap)
		ncap = max_cap;   /* min_cap above the maximum */
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

bool array_reserve(void **arr, size_t *cap, size_t need, size_t elem_size, size_t min_cap)
{
	return array_reserve_max(arr, cap, need, elem_size, min_cap, SIZE_MAX);
}
