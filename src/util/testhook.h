/* \summary: the one allocation-refusal budget of the test hooks (PIDCAP_TEST_HOOKS only) */
#ifndef PIDCAP_TESTHOOK_H
#define PIDCAP_TESTHOOK_H

#include <stdbool.h>
#include <stdint.h>

#ifdef PIDCAP_TEST_HOOKS
/*
 * The verdict on one allocation under a module's test budget *left: while
 * it is above 0, the allocation goes ahead and the budget shrinks; at 0 it
 * is refused. UINT64_MAX (the modules' default) refuses none.
 */
static inline bool testhook_alloc_refused(uint64_t *left)
{
	if (*left == UINT64_MAX)
		return false;
	if (*left == 0)
		return true;
	(*left)--;
	return false;
}
#endif

#endif
