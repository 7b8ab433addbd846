/* \summary: the one "message and errno" setter */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "util/errmsg.h"

int errmsg_set(char *buf, size_t len, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	errno = e;   /* after vsnprintf, which may change it */
	return -1;
}
