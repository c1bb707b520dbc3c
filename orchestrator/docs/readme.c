/*
 * readme: the section splicer. One pass over the lines finds the first heading line and
 * the first start/end marker pair outside fenced code; the rest is copying.
 */
#include "docs/readme.h"

#include <stdlib.h>
#include <string.h>

#include "git/git2.h"

/* The line without its line break and trailing blanks equals want. */
static int line_is(const char *p, size_t n, const char *want)
{
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == strlen(want) && memcmp(p, want, n) == 0;
}

/* A fence opener/closer: up to 3 spaces, then 3+ backticks or tildes. Sets *ch, *len. */
static int fence(const char *p, size_t n, char *ch, size_t *len)
{
	size_t i = 0;
	while (i < n && i < 3 && p[i] == ' ')
		i++;
	if (i >= n || (p[i] != '`' && p[i] != '~'))
		return 0;
	char c = p[i];
	size_t k = 0;
	while (i + k < n && p[i + k] == c)
		k++;
	if (k < 3)
		return 0;
	*ch = c;
	*len = k;
	return 1;
}

/* Where the section lies, as found by one pass over the lines. */
typedef struct scan {
	size_t heading, start, start_end, end;
	int start_line;
	size_t open; /* an opening fence never closed: its offset, else (size_t)-1 */
	char fch;    /* and its character and length */
	size_t flen;
} scan;

#define NONE ((size_t)-1)

/* ignored: offsets of fence lines not to count as openers (unclosed ones, see below). */
static void scan_lines(const char *text, size_t len, const size_t *ignored, size_t nignored,
                       scan *s)
{
	*s = (scan){NONE, NONE, 0, NONE, 0, NONE, 0, 0};
	int line = 0;
	char fch = 0;
	size_t flen = 0, fopen = 0;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) + 1 : len - off;
		const char *p = text + off;
		char c;
		size_t k;
		int skip = 0;
		for (size_t i = 0; i < nignored; i++)
			skip |= ignored[i] == off;
		line++;
		if (fch) {
			if (fence(p, n, &c, &k) && c == fch && k >= flen)
				fch = 0;
		} else if (!skip && fence(p, n, &c, &k)) {
			fch = c;
			flen = k;
			fopen = off;
		} else if (s->start == NONE && line_is(p, n, README_START)) {
			s->start = off;
			s->start_end = off + n;
			s->start_line = line;
		} else if (s->start != NONE && s->end == NONE && line_is(p, n, README_END)) {
			s->end = off;
		} else if (s->heading == NONE && s->start == NONE &&
		           line_is(p, n, README_HEADING)) {
			s->heading = off;
		}
		off += n;
	}
	if (fch) {
		s->open = fopen;
		s->fch = fch;
		s->flen = flen;
	}
}

/*
 * A fence left open runs to the end of the file in CommonMark, so the section after it
 * would be code, and a heading appended after it would never be found again: every run
 * would append another section. Such an opener is not counted (the scan is redone without
 * it, as often as needed), and in the heading convention a closing fence is written just
 * before the heading: from then on the fence is closed, the heading is found, and the
 * README stays the same from run to run.
 */
int readme_parts(const char *name, const char *text, size_t len, buf *before, buf *after, err *e)
{
	scan s;
	size_t *ignored = NULL, nignored = 0;
	char close_ch = 0;
	size_t close_len = 0;
	char *fchs = NULL;
	size_t *flens = NULL;
	size_t ignored_cap = 0, fchs_cap = 0, flens_cap = 0;
	for (;;) {
		scan_lines(text, len, ignored, nignored, &s);
		if (s.open == NONE)
			break;
		ARRAY_GROW(ignored, nignored + 1, ignored_cap);
		ARRAY_GROW(fchs, nignored + 1, fchs_cap);
		ARRAY_GROW(flens, nignored + 1, flens_cap);
		fchs[nignored] = s.fch;
		flens[nignored] = s.flen;
		ignored[nignored++] = s.open;
	}
	size_t heading = s.heading, start = s.start, start_end = s.start_end, end = s.end;
	/* The fence to close: the first open one above where the heading goes. */
	for (size_t i = 0; i < nignored && !close_ch; i++) {
		if (heading == NONE || ignored[i] < heading) {
			close_ch = fchs[i];
			close_len = flens[i];
		}
	}
	free(ignored);
	free(fchs);
	free(flens);

	if (start != NONE) {
		if (end == NONE)
			return err_set(e, ORC_EUSAGE,
			               "%s:%d: %s has no %s line after it (add the end marker, or "
			               "remove the start marker to use the '%s' heading)",
			               name, s.start_line, README_START, README_END,
			               README_HEADING);
		buf_put(before, text, start_end);
		if (start_end && text[start_end - 1] != '\n')
			buf_putc(before, '\n');
		buf_putc(before, '\n');
		buf_putc(after, '\n');
		buf_put(after, text + end, len - end);
		return 0;
	}
	if (heading != NONE) {
		buf_put(before, text, heading);
	} else if (len) {
		buf_put(before, text, len);
		if (text[len - 1] != '\n')
			buf_putc(before, '\n');
		buf_putc(before, '\n');
	}
	if (close_ch) {
		for (size_t i = 0; i < close_len; i++)
			buf_putc(before, close_ch);
		buf_puts(before, "\n\n");
	}
	buf_puts(before, README_HEADING "\n\n");
	return 0;
}

int readme_splice(const char *name, const char *text, size_t len, const char *body, buf *out,
                  err *e)
{
	buf after = BUF_INIT;
	int rc = readme_parts(name, text, len, out, &after, e);
	if (rc == 0) {
		buf_puts(out, body);
		buf_put(out, after.ptr ? after.ptr : "", after.len);
	}
	buf_free(&after);
	return rc;
}

int readme_diff(const char *name, const char *old, size_t oldlen, const char *new_text,
                size_t newlen, buf *out, err *e)
{
	git_libgit2_init();
	git_patch *patch = NULL;
	git_buf text = GIT_BUF_INIT;
	int rc = git_patch_from_buffers(&patch, old, old ? oldlen : 0, name, new_text,
	                                new_text ? newlen : 0, name, NULL);
	if (rc == 0)
		rc = git_patch_to_buf(&text, patch);
	if (rc) {
		const git_error *ge = git_error_last();
		err_set(e, ORC_EFAIL, "%s: cannot diff: %s", name, ge ? ge->message : "libgit2");
	} else if (text.size) {
		buf_put(out, text.ptr, text.size);
	}
	git_buf_dispose(&text);
	git_patch_free(patch);
	git_libgit2_shutdown();
	return rc ? ORC_EFAIL : 0;
}
