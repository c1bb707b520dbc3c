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

/* Next part of *p: start of its significant digits and their count; 0 digits for "0" or
 * for an exhausted version. Advances *p past the part and its separator. */
static void next_part(const char **p, const char **digits, size_t *n)
{
	const char *s = *p;
	while (*s == '0')
		s++;
	const char *start = s;
	while (*s >= '0' && *s <= '9')
		s++;
	*digits = start;
	*n = (size_t)(s - start);
	/* Not a digit: only in history rows written by hand; skip it so the loop ends. */
	while (*s && !is_sep(*s) && !(*s >= '0' && *s <= '9'))
		s++;
	if (is_sep(*s))
		s++;
	*p = s;
}

int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		const char *da, *db;
		size_t na, nb;
		next_part(&a, &da, &na);
		next_part(&b, &db, &nb);
		if (na != nb)
			return na < nb ? -1 : 1;
		int c = memcmp(da, db, na);
		if (c)
			return c < 0 ? -1 : 1;
	}
	return 0;
}
