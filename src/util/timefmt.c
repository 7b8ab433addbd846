/* \summary: timestamp formatting in UTC, never in the local zone (reproducible output) */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "util/timefmt.h"
#include "util/units.h"


static void split(int64_t ns, int64_t *s, int64_t *frac)
{
	*s = ns / NS_PER_SEC;
	*frac = ns % NS_PER_SEC;
	if (*frac < 0) {
		*frac += NS_PER_SEC;
		(*s)--;
	}
}

char *timefmt_utc(int64_t ns, char *out)
{
	int64_t s, frac;
	time_t t;
	struct tm tm;

	split(ns, &s, &frac);
	t = (time_t)s;
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, TIMEFMT_BYTES, "(out of range)");
		return out;
	}
	snprintf(out, TIMEFMT_BYTES, "%04d-%02d-%02d %02d:%02d:%02d.%09lld UTC", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)frac);
	return out;
}

char *timefmt_epoch(int64_t ns, char *out)
{
	int64_t s, frac;

	split(ns, &s, &frac);
	if (s < 0 && frac != 0) {
		/* print -1.5 s as "-1.500000000", not "-2.500000000" */
		s++;
		frac = NS_PER_SEC - frac;
		snprintf(out, TIMEFMT_BYTES, "-%lld.%09lld", (long long)-s, (long long)frac);
		return out;
	}
	snprintf(out, TIMEFMT_BYTES, "%lld.%09lld", (long long)s, (long long)frac);
	return out;
}
