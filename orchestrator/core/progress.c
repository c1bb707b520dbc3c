/*
 * progress: the policy of what a wait prints (see progress.h); core/log does the writing.
 *
 * The rate in logs is bounded so that an hour's wait in GitHub Actions is a few hundred
 * lines at most, while every change of state is seen when it happens. On a terminal the
 * line is cheap to rewrite, but a caller reporting per row or per table would repaint it
 * thousands of times a second: PROGRESS_TTY_MS bounds that.
 */
#include "core/progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"

struct progress {
	char *what;
	char *state; /* the last state reported, NULL before any */
	double start, shown_at;
	double every; /* seconds between plain lines without a change of state */
	int in_place;
	int shown_any;
	/* The last report, kept for the end when it was held back. */
	int held;
	log_tone tone;
	buf head, tail;
};

static double every_seconds(void)
{
	const char *s = getenv("ORC_PROGRESS_SECONDS");
	if (s && *s) {
		char *end;
		double d = strtod(s, &end);
		if (*end == '\0' && d >= 0 && d <= 86400)
			return d;
	}
	return PROGRESS_DEFAULT_SECONDS;
}

progress *progress_start(const char *fmt, ...)
{
	progress *p = xcalloc(1, sizeof *p);
	buf what = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&what, fmt, ap);
	va_end(ap);
	p->what = buf_detach(&what);
	p->start = p->shown_at = clock_monotonic();
	p->every = every_seconds();
	p->in_place = log_is_terminal();
	return p;
}

void progress_elapsed(buf *out, double seconds)
{
	long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
	if (s < 60)
		buf_printf(out, "%ld s", s);
	else if (s < 3600)
		buf_printf(out, "%ld min %02ld s", s / 60, s % 60);
	else
		buf_printf(out, "%ld h %02ld min", s / 3600, s % 3600 / 60);
}

static void show(progress *p)
{
	log_status(p->in_place, buf_cstr(&p->head), p->tone, p->state, buf_cstr(&p->tail));
	p->shown_any = 1;
	p->held = 0;
}

void progress_update(progress *p, log_tone tone, const char *state, const char *fmt, ...)
{
	if (!p || log_is_quiet())
		return;
	double now = clock_monotonic();
	int changed = state && (!p->state || strcmp(state, p->state) != 0);
	if (changed) {
		free(p->state);
		p->state = xstrdup(state);
	}
	p->tone = tone;
	buf_clear(&p->head);
	buf_clear(&p->tail);
	buf_printf(&p->head, "%s: ", p->what);
	if (fmt) {
		if (p->state)
			buf_putc(&p->tail, ' ');
		va_list ap;
		va_start(ap, fmt);
		buf_vprintf(&p->tail, fmt, ap);
		va_end(ap);
	}
	buf_puts(&p->tail, " (");
	progress_elapsed(&p->tail, now - p->start);
	buf_putc(&p->tail, ')');
	p->held = 1;
	double every = p->in_place ? PROGRESS_TTY_MS / 1000.0 : p->every;
	if (changed || now - p->shown_at >= every) {
		p->shown_at = now;
		show(p);
	}
}

void progress_end(progress *p)
{
	if (!p)
		return;
	if (p->in_place)
		log_status_clear();
	else if (p->held && p->shown_any && !log_is_quiet())
		show(p);
	free(p->what);
	free(p->state);
	buf_free(&p->head);
	buf_free(&p->tail);
	free(p);
}
