/*
 * version: parsing and comparing Flyway versions (see version.h). Parts are compared
 * by their digits with leading zeros skipped: longer digit run = larger number, equal
 * length = byte comparison. A missing part counts as 0, which makes trailing zeros
 * insignificant.
 */
#include "pg/version.h"

#include <string.h>

#include "core/buf.h"

static int is_sep(char c)
{
	return c == '.' || c == '_';
}

int version_valid(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	int digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			digits++;
		} else if (is_sep(s[i])) {
			if (!digits)
				return 0;
			digits = 0;
		} else {
			return 0;
		}
	}
	return digits > 0;
}

char *version_display(const char *s, size_t n)
{
	char *v = xstrndup(s, n);
	for (char *p = v; *p; p++)
		if (*p == '_')
			*p = '.';
	return v;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Past the rest of a part (characters that are neither digits nor separators, only in
 * history rows written by hand) and its separator. */
static const char *part_end(const char *s)
{
	while (*s && !is_sep(*s) && !is_digit(*s))
		s++;
	return is_sep(*s) ? s + 1 : s;
}

/* One pass over both strings, part by part, without copying or measuring first: info
 * and validate compare versions a few hundred thousand times on a 10,000-row history. */
int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		int first = 0; /* the first differing digit decides between equal lengths */
		for (; is_digit(*a) && is_digit(*b); a++, b++)
			if (!first && *a != *b)
				first = *a < *b ? -1 : 1;
		if (is_digit(*a))
			return 1; /* more significant digits: larger */
		if (is_digit(*b))
			return -1;
		if (first)
			return first;
		a = part_end(a);
		b = part_end(b);
	}
	return 0;
}
