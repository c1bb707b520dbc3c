/*
 * clock: UTC timestamps through gmtime_r (never the local zone: identifiers and signatures
 * must not depend on TZ) and nanosleep resumed after EINTR.
 */
#include "core/clock.h"

#include <errno.h>
#include <time.h>

void clock_utc_in(char *out, size_t n, const char *fmt, long ms)
{
	time_t when = time(NULL) + ms / 1000;
	struct tm tm;
	gmtime_r(&when, &tm);
	if (n && strftime(out, n, fmt, &tm) == 0)
		out[0] = '\0';
}

void clock_utc(char *out, size_t n, const char *fmt)
{
	clock_utc_in(out, n, fmt, 0);
}

void clock_sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

double clock_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
