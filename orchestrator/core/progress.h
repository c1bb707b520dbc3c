/*
 * progress: long waits say what they wait for, with the elapsed time.
 *
 * A wait (a task, a snapshot, a push, a comparison) starts a progress with what it waits
 * for ("task 0123abcd") and reports each look at it: a state (RUNNING, creating) with a
 * tone for its colour, and a detail (45%, 3/5 tables). What reaches the user depends on
 * where stderr goes:
 *  - a terminal: one line rewritten in place, "task 0123abcd: RUNNING (1 min 05 s)",
 *    redrawn at most every PROGRESS_TTY_MS unless the state changed, other output printed
 *    above it, cleared by progress_end;
 *  - a log (a pipe, a file, GitHub Actions, TERM=dumb): plain lines at a bounded rate, one
 *    at each change of state and otherwise at most one every ORC_PROGRESS_SECONDS (15 s
 *    by default); a wait that printed anything ends with its last report when that was
 *    held back;
 *  - --quiet: nothing.
 * The lines go through core/log (log_status): redacted, control characters escaped, the
 * state coloured on a terminal unless NO_COLOR.
 */
#ifndef ORC_PROGRESS_H
#define ORC_PROGRESS_H

#include "core/log.h"

#define PROGRESS_TTY_MS 200
#define PROGRESS_DEFAULT_SECONDS 15.0

typedef struct progress progress;

/* Starts the clock of a wait for what (a printf format). Prints nothing yet. */
progress *progress_start(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports the wait: state (NULL: none; a change is always shown) in tone, then the
 * detail (a printf format, NULL: none). NULL p: nothing. */
void progress_update(progress *p, log_tone tone, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The wait is over: the terminal line is cleared; p is freed. NULL p: nothing. */
void progress_end(progress *p);
/* Appends seconds as "12 s", "2 min 05 s" or "1 h 03 min". */
void progress_elapsed(buf *out, double seconds);

#endif
