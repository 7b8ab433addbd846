/* \summary: the one growable-array helper (capacity doubling, new slots zeroed) */
#ifndef PIDCAP_ARRAY_H
#define PIDCAP_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Makes room for at least need elements of elem_size bytes in *arr, whose
 * capacity is *cap elements: the capacity doubles (starting at min_cap)
 * until need fits, and the new slots are zeroed. Answers true when need
 * elements fit (also when nothing had to change); false on out of memory or
 * size overflow, leaving *arr and *cap as they were. Callers keep their own
 * count and their own cap on how many elements they accept.
 */
bool array_reserve(void **arr, size_t *cap, size_t need, size_t elem_size, size_t min_cap);

/*
 * The same with a ceiling: the capacity never goes past max_cap elements
 * (the last step stops at it), and a need above max_cap answers false.
 */
bool array_reserve_max(void **arr, size_t *cap, size_t need, size_t elem_size, size_t min_cap,
		       size_t max_cap);

/* The typed forms: ARRAY_RESERVE(v, cap, need, min_cap) for T *v; size_t cap. */
#define ARRAY_RESERVE(arr, cap, need, min_cap) \
	array_reserve((void **)&(arr), &(cap), (need), sizeof(*(arr)), (min_cap))
#define ARRAY_RESERVE_MAX(arr, cap, need, min_cap, max_cap) \
	array_reserve_max((void **)&(arr), &(cap), (need), sizeof(*(arr)), (min_cap), (max_cap))

#endif
