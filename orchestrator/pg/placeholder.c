/*
 * placeholder: ${name} replacement (see placeholder.h). A name is what Flyway accepts
 * between "${" and "}": letters, digits and "_.:-". Anything else after "${" is left as
 * written, as Flyway does.
 */
#include "pg/placeholder.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fs.h"
#include "core/log.h"

extern char **environ;

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' || c == '-';
}

static char *own(placeholder_set *s, char *p)
{
	ARRAY_GROW(s->owned, s->n_owned + 1, s->owned_cap);
	s->owned[s->n_owned++] = p;
	return p;
}

void placeholder_set_put(placeholder_set *s, const char *name, const char *value)
{
	char *v = own(s, xstrdup(value));
	for (size_t i = 0; i < s->n; i++) {
		if (strcasecmp(s->items[i].name, name) == 0) {
			s->items[i].value = v;
			return;
		}
	}
	ARRAY_GROW(s->items, s->n + 1, s->cap);
	s->items[s->n].name = own(s, xstrdup(name));
	s->items[s->n].value = v;
	s->n++;
}

void placeholder_set_from_env(placeholder_set *s)
{
	static const char prefix[] = "FLYWAY_PLACEHOLDERS_";
	for (char **ep = environ; ep && *ep; ep++) {
		if (strncmp(*ep, prefix, sizeof prefix - 1) != 0)
			continue;
		const char *name = *ep + sizeof prefix - 1;
		const char *eq = strchr(name, '=');
		if (!eq || eq == name)
			continue;
		char *lower = xstrndup(name, (size_t)(eq - name));
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		log_add_secret(eq + 1);
		placeholder_set_put(s, lower, eq + 1);
		free(lower);
	}
}

/* Whether s already holds name (nlen bytes), case-insensitively. */
static int has_name(const placeholder_set *s, const char *name, size_t nlen)
{
	for (size_t k = 0; k < s->n; k++)
		if (strlen(s->items[k].name) == nlen &&
		    strncasecmp(s->items[k].name, name, nlen) == 0)
			return 1;
	return 0;
}

/* One line of a .env file: [export] NAME=VALUE, the value bare (to the end of the line,
 * trailing blanks dropped) or wholly in matching single or double quotes (taken as
 * written, no escapes). Sets *name and *value to spans of line; 0 when it is not that. */
static int env_line(char *line, char **name, size_t *nlen, char **value, size_t *vlen)
{
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
		p += 6;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	*name = p;
	while (name_char(*p) && *p != ':')
		p++;
	*nlen = (size_t)(p - *name);
	if (*nlen == 0 || *p != '=')
		return 0;
	p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0]) {
		p++;
		n -= 2;
		if (memchr(p, p[-1], n))
			return 0;
	} else if (n && (p[0] == '"' || p[0] == '\'')) {
		return 0; /* an opening quote never closed */
	}
	*value = p;
	*vlen = n;
	return 1;
}

int placeholder_set_load_env_file(placeholder_set *s, const char *path, err *e)
{
	buf raw = BUF_INIT;
	if (fs_read_file(path, &raw, e))
		return err_prefix(e, "--placeholders-file");
	placeholder_set mine = {0};
	int rc = 0, lineno = 0;
	/* strtok_r would skip empty lines and so miscount: split by hand on '\n'. */
	for (char *line = raw.len ? raw.ptr : NULL, *next; line && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		const char *t = line + strspn(line, " \t");
		if (*t == 0 || *t == '#')
			continue;
		char *name, *value;
		size_t nlen, vlen;
		if (!env_line(line, &name, &nlen, &value, &vlen)) {
			rc = err_set(
			    e, ORC_EUSAGE,
			    "%s:%d: expected NAME=VALUE (NAME of letters, digits, '_', '.' or "
			    "'-'; a value in quotes is taken as written; '#' starts a comment "
			    "line)",
			    path, lineno);
			break;
		}
		if (has_name(&mine, name, nlen)) {
			rc = err_set(e, ORC_EUSAGE,
			             "%s:%d: %.*s is set twice in this file; keep one", path,
			             lineno, (int)nlen, name);
			break;
		}
		name[nlen] = 0;
		value[vlen] = 0;
		placeholder_set_put(&mine, name, value);
	}
	/* The lowest source: --placeholder and FLYWAY_PLACEHOLDERS_* win, in any order. */
	for (size_t i = 0; rc == 0 && i < mine.n; i++) {
		if (has_name(s, mine.items[i].name, strlen(mine.items[i].name)))
			continue;
		if (*mine.items[i].value)
			log_add_secret(mine.items[i].value);
		placeholder_set_put(s, mine.items[i].name, mine.items[i].value);
	}
	placeholder_set_free(&mine);
	if (raw.ptr) /* the file's text holds every value */
		OPENSSL_cleanse(raw.ptr, raw.cap);
	buf_free(&raw);
	return rc;
}

void placeholder_set_free(placeholder_set *s)
{
	/* values may be secrets (Secrets Manager, FLYWAY_PLACEHOLDERS_*) */
	for (size_t i = 0; i < s->n_owned; i++) {
		OPENSSL_cleanse(s->owned[i], strlen(s->owned[i]));
		free(s->owned[i]);
	}
	free(s->owned);
	free(s->items);
	memset(s, 0, sizeof *s);
}

/* The next ${name} reference at or after *i (a name of at least one name_char, closed by
 * '}'); *line counts the newlines passed. 0 at the end of text. */
static int next_ref(const char *text, size_t len, size_t *i, int *line, size_t *start, size_t *end)
{
	while (*i < len) {
		size_t k = *i;
		if (text[k] == '\n') {
			(*line)++;
			(*i)++;
			continue;
		}
		if (text[k] != '$' || k + 1 >= len || text[k + 1] != '{') {
			(*i)++;
			continue;
		}
		size_t j = k + 2;
		while (j < len && name_char(text[j]))
			j++;
		if (j == k + 2 || j >= len || text[j] != '}') {
			(*i)++;
			continue;
		}
		*start = k;
		*end = j;
		return 1;
	}
	return 0;
}

static const char *lookup(const placeholder_set *s, const char *base, const char *name, size_t nlen)
{
	if (nlen == 15 && strncasecmp(name, "flyway:filename", 15) == 0)
		return base;
	for (size_t k = 0; k < s->n; k++)
		if (strlen(s->items[k].name) == nlen &&
		    strncasecmp(s->items[k].name, name, nlen) == 0)
			return s->items[k].value;
	return NULL;
}

int placeholder_apply(const placeholder_set *s, const char *file, const char *text, size_t len,
                      buf *out, err *e)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t i = 0, done = 0, start, end;
	int line = 1;
	buf_grow(out, len);
	while (next_ref(text, len, &i, &line, &start, &end)) {
		size_t nlen = end - (start + 2);
		const char *name = text + start + 2;
		const char *value = lookup(s, base, name, nlen);
		if (!value)
			return err_set(e, ORC_EUSAGE,
			               "%s:%d: no value for placeholder ${%.*s}; pass "
			               "--placeholder %.*s=VALUE "
			               "or set FLYWAY_PLACEHOLDERS_%.*s (nothing was applied)",
			               file, line, (int)nlen, name, (int)nlen, name, (int)nlen,
			               name);
		buf_put(out, text + done, start - done);
		buf_puts(out, value);
		i = end + 1;
		done = i;
	}
	buf_put(out, text + done, len - done);
	return 0;
}

/* Whether names (", "-separated) holds name, case-insensitively. */
static int listed(const buf *names, const char *name, size_t nlen)
{
	const char *p = names->len ? buf_cstr(names) : "";
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == nlen && strncasecmp(p, name, nlen) == 0)
			return 1;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

size_t placeholder_report_missing(const placeholder_set *s, const char *file, const char *text,
                                  size_t len, buf *names)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t i = 0, start, end, n = 0;
	int line = 1;
	while (next_ref(text, len, &i, &line, &start, &end)) {
		size_t nlen = end - (start + 2);
		const char *name = text + start + 2;
		i = end + 1;
		if (lookup(s, base, name, nlen))
			continue;
		log_error_at(file, line, "%s:%d: no value for placeholder ${%.*s}", file, line,
		             (int)nlen, name);
		n++;
		if (!listed(names, name, nlen)) {
			if (names->len)
				buf_puts(names, ", ");
			buf_put(names, name, nlen);
		}
	}
	return n;
}

int placeholder_missing_error(const buf *names, size_t refs, err *e)
{
	size_t count = 1;
	for (const char *p = buf_cstr(names); *p; p++)
		count += *p == ',';
	return err_set(e, ORC_EUSAGE,
	               "%zu placeholder%s without a value (%zu use%s, listed above): %s; "
	               "pass --placeholder NAME=VALUE, set FLYWAY_PLACEHOLDERS_NAME or put "
	               "NAME=VALUE in a --placeholders-file (nothing was applied)",
	               count, count == 1 ? "" : "s", refs, refs == 1 ? "" : "s", buf_cstr(names));
}
