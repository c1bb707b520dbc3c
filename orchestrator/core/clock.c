/*
 * clock: UTC timestamps through gmtime_r (never the local zone: identifiers and signatures
 * must not depend on TZ) and nanosleep resumed after EINTR.
 */
#include "core/clock.h"

#include <errno.h>
#include <time.h>

void clock_utc(char *out, size_t n, const char *fmt)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	if (n && strftime(out, n, fmt, &tm) == 0)
		out[0] = '\0';
}

void clock_sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
