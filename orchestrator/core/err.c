/* err: result codes with a message built once and prefixed with context on the way up. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(err *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = code;
	e->transient = 0;
	return code;
}

int err_prefix(err *e, const char *fmt, ...)
{
	if (!e)
		return ORC_EFAIL;
	char ctx[512], old[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* Truncation keeps the front (the context), which is what the reader needs first. */
	int n = snprintf(e->msg, sizeof e->msg, "%s: ", ctx);
	if (n > 0 && (size_t)n < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - (size_t)n, "%.*s",
		         (int)(sizeof e->msg - (size_t)n - 1), old);
	return e->code;
}

void err_clear(err *e)
{
	e->code = 0;
	e->transient = 0;
	e->msg[0] = '\0';
}
