/* flyway_conf: Java-properties reading of flyway.conf (see flyway_conf.h). */
#include "config/flyway_conf.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"

static const char *const known[] = {
    "flyway.url",
    "flyway.user",
    "flyway.password",
    "flyway.locations",
    "flyway.schemas",
    "flyway.defaultSchema",
    "flyway.table",
    "flyway.baselineOnMigrate",
    "flyway.baselineVersion",
    "flyway.baselineDescription",
    "flyway.outOfOrder",
    "flyway.target",
    "flyway.mixed",
    "flyway.validateMigrationNaming",
    "flyway.failOnMissingLocations",
    "flyway.cleanDisabled",
    "flyway.installedBy",
    "flyway.environment",
};

/* Decodes one logical line's escapes into out. */
static void unescape(const char *s, size_t n, buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			buf_putc(out, s[i]);
			continue;
		}
		char c = s[++i];
		if (c == 'u' && i + 4 < n) {
			char hex[5] = {s[i + 1], s[i + 2], s[i + 3], s[i + 4], 0};
			unsigned long cp = strtoul(hex, NULL, 16);
			i += 4;
			/* UTF-8 of a BMP code point */
			if (cp < 0x80) {
				buf_putc(out, (char)cp);
			} else if (cp < 0x800) {
				buf_putc(out, (char)(0xC0 | (cp >> 6)));
				buf_putc(out, (char)(0x80 | (cp & 0x3F)));
			} else {
				buf_putc(out, (char)(0xE0 | (cp >> 12)));
				buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
				buf_putc(out, (char)(0x80 | (cp & 0x3F)));
			}
			continue;
		}
		buf_putc(out, c == 't'   ? '\t'
		              : c == 'n' ? '\n'
		              : c == 'r' ? '\r'
		              : c == 'f' ? '\f'
		                         : c);
	}
}

static void put(flyway_conf *c, const char *key, const char *value)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->keys[i], key) == 0) {
			free(c->values[i]);
			c->values[i] = xstrdup(value);
			return;
		}
	ARRAY_GROW(c->keys, c->n + 1, c->keys_cap);
	ARRAY_GROW(c->values, c->n + 1, c->values_cap);
	c->keys[c->n] = xstrdup(key);
	c->values[c->n++] = xstrdup(value);
}

int flyway_conf_known(const char *key, const char **near)
{
	int ok = strncmp(key, "flyway.placeholders.", 20) == 0 && key[20];
	for (size_t i = 0; !ok && i < sizeof known / sizeof *known; i++)
		ok = strcmp(key, known[i]) == 0;
	if (near)
		*near = ok ? NULL : opt_suggest(key, known, sizeof known / sizeof *known);
	return ok;
}

void flyway_conf_set(flyway_conf *c, const char *key, const char *value)
{
	put(c, key, value);
}

/* Checks and stores one key=value read at path:line. */
static int setting(flyway_conf *c, const char *path, int line, const char *key, const char *value,
                   err *e)
{
	const char *near;
	if (!flyway_conf_known(key, &near)) {
		return err_set(e, ORC_EUSAGE, "%s:%d: unknown setting '%s'%s%s%s", path, line, key,
		               near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	}
	if (strcmp(key, "flyway.password") == 0)
		log_add_secret(value);
	put(c, key, value);
	return 0;
}

int flyway_conf_load(flyway_conf *c, const char *path, err *e)
{
	buf text = BUF_INIT, logical = BUF_INIT, key = BUF_INIT, value = BUF_INIT;
	int rc = fs_read_file(path, &text, e);
	const char *p = buf_cstr(&text), *end = p + text.len;
	int line = 0, start_line = 0;
	while (rc == 0 && p < end) {
		const char *eol = p + strcspn(p, "\r\n");
		line++;
		const char *s = p;
		while (s < eol && (*s == ' ' || *s == '\t' || *s == '\f'))
			s++;
		int continuing = logical.len > 0;
		if (!continuing && (s == eol || *s == '#' || *s == '!')) {
			p = eol + (eol < end && *eol == '\r' && eol[1] == '\n' ? 2 : 1);
			continue;
		}
		if (!continuing)
			start_line = line;
		/* a trailing odd number of backslashes continues the line */
		size_t n = (size_t)(eol - s), bs = 0;
		while (bs < n && s[n - 1 - bs] == '\\')
			bs++;
		buf_put(&logical, s, bs % 2 ? n - 1 : n);
		p = eol + (eol < end && *eol == '\r' && eol[1] == '\n' ? 2 : 1);
		if (bs % 2 && p < end)
			continue;
		/* key ends at an unescaped '=', ':' or whitespace */
		const char *l = buf_cstr(&logical);
		size_t k = 0;
		while (k < logical.len && l[k] != '=' && l[k] != ':' && l[k] != ' ' &&
		       l[k] != '\t') {
			if (l[k] == '\\')
				k++;
			k++;
		}
		size_t v = k;
		while (v < logical.len && (l[v] == ' ' || l[v] == '\t'))
			v++;
		if (v < logical.len && (l[v] == '=' || l[v] == ':'))
			v++;
		while (v < logical.len && (l[v] == ' ' || l[v] == '\t'))
			v++;
		buf_clear(&key);
		buf_clear(&value);
		unescape(l, k < logical.len ? k : logical.len, &key);
		if (v < logical.len)
			unescape(l + v, logical.len - v, &value);
		rc = setting(c, path, start_line, buf_cstr(&key), buf_cstr(&value), e);
		buf_clear(&logical);
	}
	buf_free(&text);
	buf_free(&logical);
	buf_free(&key);
	buf_free(&value);
	return rc;
}

const char *flyway_conf_get(const flyway_conf *c, const char *key)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->keys[i], key) == 0)
			return c->values[i];
	return NULL;
}

void flyway_conf_free(flyway_conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->keys[i]);
		free(c->values[i]);
	}
	free(c->keys);
	free(c->values);
	memset(c, 0, sizeof *c);
}
