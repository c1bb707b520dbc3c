/*
 * clock: wall-clock time in UTC and waiting, one helper each, for RDS identifiers, SigV4
 * dates and retry back-off.
 */
#ifndef ORC_CLOCK_H
#define ORC_CLOCK_H

#include <stddef.h>

/* Formats the current time in UTC with strftime's fmt into out (size n). */
void clock_utc(char *out, size_t n, const char *fmt);
/* The same for a time ms milliseconds from now (when a wait ends). */
void clock_utc_in(char *out, size_t n, const char *fmt, long ms);
/* Seconds on the monotonic clock (for elapsed times: never jumps with the wall clock). */
double clock_monotonic(void);
/* Sleeps ms milliseconds, resuming after signals. */
void clock_sleep_ms(long ms);

#endif
