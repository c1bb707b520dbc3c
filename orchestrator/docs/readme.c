/*
 * readme: the section splicer. One pass over the lines finds the first heading line and
 * the first start/end marker pair outside fenced code; the rest is copying.
 */
#include "docs/readme.h"

#include <string.h>

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

int readme_splice(const char *name, const char *text, size_t len, const char *body, buf *out,
                  err *e)
{
	size_t heading = (size_t)-1, start = (size_t)-1, start_end = 0, end = (size_t)-1;
	int start_line = 0, line = 0;
	char fch = 0;
	size_t flen = 0;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) + 1 : len - off;
		const char *p = text + off;
		char c;
		size_t k;
		line++;
		if (fch) {
			if (fence(p, n, &c, &k) && c == fch && k >= flen)
				fch = 0;
		} else if (fence(p, n, &c, &k)) {
			fch = c;
			flen = k;
		} else if (start == (size_t)-1 && line_is(p, n, README_START)) {
			start = off;
			start_end = off + n;
			start_line = line;
		} else if (start != (size_t)-1 && end == (size_t)-1 && line_is(p, n, README_END)) {
			end = off;
		} else if (heading == (size_t)-1 && start == (size_t)-1 &&
		           line_is(p, n, README_HEADING)) {
			heading = off;
		}
		off += n;
	}

	if (start != (size_t)-1) {
		if (end == (size_t)-1)
			return err_set(e, ORC_EUSAGE,
			               "%s:%d: %s has no %s line after it (add the end marker, or "
			               "remove the start marker to use the '%s' heading)",
			               name, start_line, README_START, README_END, README_HEADING);
		buf_put(out, text, start_end);
		if (start_end && text[start_end - 1] != '\n')
			buf_putc(out, '\n');
		buf_putc(out, '\n');
		buf_puts(out, body);
		buf_putc(out, '\n');
		buf_put(out, text + end, len - end);
		return 0;
	}
	if (heading != (size_t)-1) {
		buf_put(out, text, heading);
	} else if (len) {
		buf_put(out, text, len);
		if (text[len - 1] != '\n')
			buf_putc(out, '\n');
		buf_putc(out, '\n');
	}
	buf_puts(out, README_HEADING "\n\n");
	buf_puts(out, body);
	return 0;
}
