/* flyway_toml: the strict TOML subset of flyway.toml, and Flyway's environments (see
 * flyway_toml.h). */
#include "config/flyway_toml.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"

/* The connection keys of [environments.NAME], as flyway.conf names them. */
static const char *const env_keys[] = {"url", "user", "password", "schemas", "displayName"};
/* Flyway settings of an environment this engine does not read: named as such rather than
 * as a typo. */
static const char *const env_unsupported[] = {"driver",         "initSql",
                                              "jdbcProperties", "resolvers",
                                              "connectRetries", "connectRetriesInterval",
                                              "provisioner"};
/* Settings that take a list (a TOML array, or a comma-separated string). */
static const char *const list_keys[] = {"locations", "schemas"};
/* Flyway Desktop's own entries in the same file, not Flyway's: left alone. */
static const char *const desktop_root[] = {"id", "name", "databaseType"};
static const char *const desktop_tables[] = {"flywayDesktop", "redgateCompare"};

#define COUNT(a) (sizeof(a) / sizeof *(a))

static int in_list(const char *s, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && strncmp(s, list[i], n) == 0)
			return 1;
	return 0;
}

/* The reader: a cursor over one file. */
typedef struct reader {
	const char *path;
	const char *p, *end;
	int line;
	err *e;
} reader;

static int fail(reader *r, const char *what)
{
	return err_set(r->e, ORC_EUSAGE, "%s:%d: %s", r->path, r->line, what);
}

static void skip_blank(reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
		r->p++;
}

/* Blanks, newlines and comments (inside an array). */
static void skip_space(reader *r)
{
	for (;;) {
		skip_blank(r);
		if (r->p < r->end && *r->p == '#') {
			while (r->p < r->end && *r->p != '\n')
				r->p++;
		}
		if (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
			if (*r->p == '\n')
				r->line++;
			r->p++;
			continue;
		}
		return;
	}
}

/* The end of a line: blanks, an optional comment, then a newline or the end. */
static int end_of_line(reader *r)
{
	skip_blank(r);
	if (r->p < r->end && *r->p == '#')
		while (r->p < r->end && *r->p != '\n')
			r->p++;
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p != '\n')
		return fail(r, "unexpected text after the value (one key = value per line; a "
		               "comment starts with #)");
	return 0;
}

static void put_utf8(buf *out, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(out, (char)(0xC0 | (cp >> 6)));
		buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(out, (char)(0xE0 | (cp >> 12)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(out, (char)(0xF0 | (cp >> 18)));
		buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	}
}

/* A basic ("...") or literal ('...') string on one line; the cursor is on the quote. */
static int read_string(reader *r, buf *out)
{
	char q = *r->p;
	if (r->end - r->p >= 3 && r->p[1] == q && r->p[2] == q)
		return fail(r, "multi-line strings (\"\"\" or ''') are not read here: write the "
		               "value on one line");
	for (r->p++; r->p < r->end && *r->p != q; r->p++) {
		char c = *r->p;
		if (c == '\n' || c == '\r')
			break;
		if (c != '\\' || q == '\'') {
			buf_putc(out, c);
			continue;
		}
		if (++r->p >= r->end)
			break;
		int digits = 0;
		switch (*r->p) {
		case 'b': buf_putc(out, '\b'); break;
		case 't': buf_putc(out, '\t'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 'f': buf_putc(out, '\f'); break;
		case 'r': buf_putc(out, '\r'); break;
		case '"': buf_putc(out, '"'); break;
		case '\\': buf_putc(out, '\\'); break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			return fail(
			    r, "unknown escape in a \"...\" string (use \\\\ for a backslash)");
		}
		if (digits) {
			char hex[9] = {0};
			for (int i = 0; i < digits; i++) {
				if (r->p + 1 + i >= r->end ||
				    !strchr("0123456789abcdefABCDEF", r->p[1 + i]) || !r->p[1 + i])
					return fail(r, "\\u takes 4 hex digits, \\U 8");
				hex[i] = r->p[1 + i];
			}
			unsigned long cp = strtoul(hex, NULL, 16);
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				return fail(r, "\\u escape is not a Unicode scalar value");
			put_utf8(out, cp);
			r->p += digits;
		}
	}
	if (r->p >= r->end || *r->p != q)
		return fail(r, "string not closed on its line");
	r->p++;
	return 0;
}

/* A key: bare words or quoted strings joined by dots; out gets them joined with '.'. */
static int read_key(reader *r, buf *out)
{
	for (;;) {
		skip_blank(r);
		const char *s = r->p;
		if (r->p < r->end && (*r->p == '"' || *r->p == '\'')) {
			if (read_string(r, out))
				return r->e->code;
		} else {
			while (r->p < r->end &&
			       (strchr("_-", *r->p) || (*r->p >= 'a' && *r->p <= 'z') ||
			        (*r->p >= 'A' && *r->p <= 'Z') || (*r->p >= '0' && *r->p <= '9')))
				r->p++;
			if (r->p == s)
				return fail(
				    r, "expected a key (letters, digits, '_' or '-', or a quoted "
				       "name)");
			buf_put(out, s, (size_t)(r->p - s));
		}
		skip_blank(r);
		if (r->p >= r->end || *r->p != '.')
			return 0;
		r->p++;
		buf_putc(out, '.');
	}
}

/* One value that is not an array: a string, true/false, or a decimal integer. */
static int read_scalar(reader *r, buf *out)
{
	const char *s = r->p;
	if (r->p < r->end && (*r->p == '"' || *r->p == '\''))
		return read_string(r, out);
	if (r->p < r->end && *r->p == '{')
		return fail(r, "inline tables ({...}) are not read here: write a [table] section");
	while (r->p < r->end && !strchr(" \t\r\n,]#", *r->p))
		r->p++;
	size_t n = (size_t)(r->p - s);
	if ((n == 4 && strncmp(s, "true", 4) == 0) || (n == 5 && strncmp(s, "false", 5) == 0)) {
		buf_put(out, s, n);
		return 0;
	}
	/* [+-]digits with single underscores between digits */
	size_t i = (n && (s[0] == '+' || s[0] == '-')) ? 1 : 0, digits = 0;
	int ok = i < n;
	for (; ok && i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else
			ok = s[i] == '_' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9' &&
			     digits;
	}
	if (ok && !(digits > 1 && s[s[0] == '+' || s[0] == '-'] == '0')) {
		for (i = 0; i < n; i++)
			if (s[i] != '_' && s[i] != '+')
				buf_putc(out, s[i]);
		return 0;
	}
	if (n == 0)
		return fail(r,
		            "expected a value (a \"string\", true/false, a number or [an, array])");
	return fail(r, "not a value read here: use a \"string\", true/false, a decimal "
	               "integer or [an, array] of those (floats, dates and other forms are "
	               "not read)");
}

/* A value: a scalar, or an array of scalars (over several lines, trailing comma
 * allowed) joined with ','. *array says which it was. */
static int read_value(reader *r, buf *out, int *array)
{
	*array = r->p < r->end && *r->p == '[';
	if (!*array)
		return read_scalar(r, out);
	r->p++;
	int first = 1;
	for (;;) {
		skip_space(r);
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return 0;
		}
		if (r->p >= r->end)
			return fail(r, "array not closed with ]");
		if (*r->p == '[')
			return fail(r, "nested arrays are not read here");
		if (!first)
			buf_putc(out, ',');
		first = 0;
		if (read_scalar(r, out))
			return r->e->code;
		skip_space(r);
		if (r->p < r->end && *r->p == ',')
			r->p++;
		else if (r->p < r->end && *r->p != ']')
			return fail(r, "expected ',' or ']' in the array");
	}
}

/* Flyway's environment-variable resolver: ${env.NAME} in a value becomes $NAME. Resolved
 * for the settings in use only, as Flyway resolves the chosen environment. */
static int resolve_env(const flyway_toml_entry *x, buf *v, err *e)
{
	buf_puts(v, x->value);
	const char *s;
	while ((s = strstr(buf_cstr(v), "${env.")) != NULL) {
		const char *close = strchr(s, '}');
		if (!close)
			return err_set(e, ORC_EUSAGE, "%s:%d: ${env. without a closing }", x->file,
			               x->line);
		char *name = xstrndup(s + 6, (size_t)(close - s - 6));
		const char *val = getenv(name);
		if (!val) {
			err_set(e, ORC_EUSAGE,
			        "%s:%d: ${env.%s}: the environment variable %s is not set", x->file,
			        x->line, name, name);
			free(name);
			return e->code;
		}
		buf rest = BUF_INIT;
		buf_put(&rest, v->ptr, (size_t)(s - v->ptr));
		buf_puts(&rest, val);
		buf_puts(&rest, close + 1);
		free(name);
		buf_free(v);
		*v = rest;
	}
	return 0;
}

/* Checks a full key against Flyway's model and what this engine reads. Returns 0 to
 * keep it, 1 to leave it alone (Flyway Desktop's), else the error. */
static int check_key(reader *r, const char *key, int array)
{
	const char *dot = strchr(key, '.');
	size_t first = dot ? (size_t)(dot - key) : strlen(key);
	if ((!dot && in_list(key, first, desktop_root, COUNT(desktop_root))) ||
	    (dot && in_list(key, first, desktop_tables, COUNT(desktop_tables))))
		return 1;
	const char *setting = NULL; /* the name inside [flyway] */
	int env_level = 0;
	if (dot && first == 6 && strncmp(key, "flyway", 6) == 0) {
		setting = dot + 1;
	} else if (dot && first == 12 && strncmp(key, "environments", 12) == 0) {
		const char *name_end = strchr(dot + 1, '.');
		if (!name_end || name_end == dot + 1)
			return fail(r, "a setting of an environment goes in [environments.NAME]");
		const char *k = name_end + 1;
		size_t kn = strcspn(k, ".");
		if (strncmp(k, "flyway.", 7) == 0) {
			setting = k + 7;
			env_level = 1;
		} else if (in_list(k, kn, env_unsupported, COUNT(env_unsupported))) {
			err_set(r->e, ORC_EUSAGE,
			        "%s:%d: '%.*s' is a Flyway setting this engine does not read (see "
			        "README, Coming from Flyway): remove it",
			        r->path, r->line, (int)kn, k);
			return r->e->code;
		} else if (!k[kn] && in_list(k, kn, env_keys, COUNT(env_keys))) {
			if (array && strcmp(k, "schemas") != 0)
				return fail(r, "this setting takes one value, not an array");
			return 0;
		} else {
			const char *near = opt_suggest(k, env_keys, COUNT(env_keys));
			err_set(r->e, ORC_EUSAGE,
			        "%s:%d: unknown setting '%s' in [environments.%.*s]%s%s%s", r->path,
			        r->line, k, (int)(name_end - dot - 1), dot + 1,
			        near ? " (did you mean '" : "", near ? near : "",
			        near ? "'?)" : "");
			return r->e->code;
		}
	}
	if (!setting) {
		static const char *const tops[] = {"flyway", "environments"};
		char part[64];
		snprintf(part, sizeof part, "%.*s", (int)first, key);
		const char *near = opt_suggest(part, tops, COUNT(tops));
		err_set(r->e, ORC_EUSAGE, "%s:%d: unknown setting '%s'%s%s%s%s", r->path, r->line,
		        key, near ? " (did you mean '" : "", near ? near : "",
		        near && dot ? dot : "", near ? "'?)" : "");
		return r->e->code;
	}
	if (!env_level && strcmp(setting, "environment") == 0)
		return array ? fail(r, "environment takes one name, not an array") : 0;
	if (in_list(setting, strlen(setting), env_keys, COUNT(env_keys))) {
		err_set(
		    r->e, ORC_EUSAGE,
		    "%s:%d: '%s' is not a [flyway] setting in flyway.toml: the connection (url, "
		    "user, password, schemas) goes in [environments.NAME]",
		    r->path, r->line, setting);
		return r->e->code;
	}
	buf full = BUF_INIT;
	buf_printf(&full, "flyway.%s", setting);
	const char *near = NULL;
	int ok = strcmp(setting, "environment") != 0 && flyway_conf_known(buf_cstr(&full), &near);
	if (!ok)
		err_set(r->e, ORC_EUSAGE, "%s:%d: unknown setting '%s'%s%s%s", r->path, r->line,
		        key, near ? " (did you mean '" : "", near ? near + 7 : "",
		        near ? "'?)" : "");
	else if (array && !in_list(setting, strlen(setting), list_keys, COUNT(list_keys)))
		ok = !fail(r, "this setting takes one value, not an array");
	buf_free(&full);
	return ok ? 0 : r->e->code;
}

static flyway_toml_entry *find(const flyway_toml *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].key, key) == 0)
			return &t->v[i];
	return NULL;
}

static int store(reader *r, flyway_toml *t, const char *key, buf *value, size_t first_of_file)
{
	flyway_toml_entry *old = find(t, key);
	if (old && old - t->v >= (ptrdiff_t)first_of_file) {
		err_set(r->e, ORC_EUSAGE, "%s:%d: '%s' is already set at line %d", r->path, r->line,
		        key, old->line);
		return r->e->code;
	}
	size_t n = strlen(key);
	if (n >= 9 && strcmp(key + n - 9, ".password") == 0 && !strstr(buf_cstr(value), "${env."))
		log_add_secret(buf_cstr(value));
	if (!old) {
		ARRAY_GROW(t->v, t->n + 1, t->cap);
		old = &t->v[t->n++];
		old->key = xstrdup(key);
	} else {
		/* a later file wins: the entry moves to this file */
		flyway_toml_entry moved = *old;
		memmove(old, old + 1, (size_t)(t->v + t->n - old - 1) * sizeof *old);
		t->v[t->n - 1] = moved;
		old = &t->v[t->n - 1];
		free(old->value);
		free(old->file);
	}
	old->value = xstrdup(buf_cstr(value));
	old->file = xstrdup(r->path);
	old->line = r->line;
	return 0;
}

/* The headers of this file, to refuse one given twice. */
typedef struct seen {
	char **v;
	size_t n, cap;
} seen;

static int table_header(reader *r, buf *table, seen *tables)
{
	r->p++;
	if (r->p < r->end && *r->p == '[')
		return fail(r, "arrays of tables ([[...]]) are not read here");
	buf_clear(table);
	if (read_key(r, table))
		return r->e->code;
	if (r->p >= r->end || *r->p != ']')
		return fail(r, "expected ] to close the table name");
	r->p++;
	for (size_t i = 0; i < tables->n; i++)
		if (strcmp(tables->v[i], buf_cstr(table)) == 0) {
			err_set(r->e, ORC_EUSAGE, "%s:%d: table [%s] is defined twice in this file",
			        r->path, r->line, buf_cstr(table));
			return r->e->code;
		}
	ARRAY_GROW(tables->v, tables->n + 1, tables->cap);
	tables->v[tables->n++] = xstrdup(buf_cstr(table));
	buf_putc(table, '.');
	return end_of_line(r);
}

static int key_value(reader *r, flyway_toml *t, const buf *table, size_t first_of_file)
{
	buf key = BUF_INIT, value = BUF_INIT;
	int line = r->line, array = 0, rc;
	buf_put(&key, table->ptr, table->len);
	if ((rc = read_key(r, &key)) == 0 && (r->p >= r->end || *r->p != '='))
		rc = fail(r, "expected = after the key");
	if (rc == 0) {
		r->p++;
		skip_blank(r);
		rc = read_value(r, &value, &array);
	}
	if (rc == 0)
		rc = end_of_line(r);
	int saved = r->line;
	r->line = line; /* errors below name the key's line */
	if (rc == 0 && (rc = check_key(r, buf_cstr(&key), array)) == 1)
		rc = 0;
	else if (rc == 0)
		rc = store(r, t, buf_cstr(&key), &value, first_of_file);
	r->line = saved;
	if (value.ptr)
		OPENSSL_cleanse(value.ptr, value.len);
	buf_free(&key);
	buf_free(&value);
	return rc;
}

int flyway_toml_load(flyway_toml *t, const char *path, err *e)
{
	buf text = BUF_INIT, table = BUF_INIT;
	seen tables = {0};
	int rc = fs_read_file(path, &text, e);
	reader r = {path, buf_cstr(&text), buf_cstr(&text) + text.len, 1, e};
	if (text.len >= 3 && memcmp(r.p, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3; /* a UTF-8 byte order mark, as editors on Windows write */
	size_t first_of_file = t->n;
	while (rc == 0 && r.p < r.end) {
		skip_blank(&r);
		if (r.p >= r.end)
			break;
		if (*r.p == '\n' || *r.p == '\r' || *r.p == '#')
			rc = end_of_line(&r);
		else if (*r.p == '[')
			rc = table_header(&r, &table, &tables);
		else
			rc = key_value(&r, t, &table, first_of_file);
		if (rc == 0 && r.p < r.end && *r.p == '\n') {
			r.p++;
			r.line++;
		}
	}
	for (size_t i = 0; i < tables.n; i++)
		free(tables.v[i]);
	free(tables.v);
	buf_free(&table);
	buf_free(&text);
	return rc;
}

const char *flyway_toml_get(const flyway_toml *t, const char *key)
{
	const flyway_toml_entry *x = find(t, key);
	return x ? x->value : NULL;
}

/* Sets flyway.NAME from entry x unless c holds it, ${env.X} resolved. */
static int set_from(const flyway_toml_entry *x, const char *name, flyway_conf *c, err *e)
{
	char *to = xasprintf("flyway.%s", name);
	int rc = 0;
	if (!flyway_conf_get(c, to)) {
		buf v = BUF_INIT;
		rc = resolve_env(x, &v, e);
		if (rc == 0 && strcmp(name, "password") == 0)
			log_add_secret(buf_cstr(&v));
		if (rc == 0)
			flyway_conf_set(c, to, buf_cstr(&v));
		if (v.ptr)
			OPENSSL_cleanse(v.ptr, v.len);
		buf_free(&v);
	}
	free(to);
	return rc;
}

/* Copies every "<prefix>NAME" entry to "flyway.NAME" unless c holds it. */
static int apply_prefix(const flyway_toml *t, const char *prefix, flyway_conf *c, err *e)
{
	size_t n = strlen(prefix);
	int rc = 0;
	for (size_t i = 0; i < t->n && rc == 0; i++) {
		const char *k = t->v[i].key;
		if (strncmp(k, prefix, n) == 0 && strcmp(k + n, "environment") != 0)
			rc = set_from(&t->v[i], k + n, c, e);
	}
	return rc;
}

int flyway_toml_apply(const flyway_toml *t, const char *env, flyway_conf *c, err *e)
{
	if (!env || !*env)
		env = "default";
	char *prefix = xasprintf("environments.%s.", env);
	size_t pn = strlen(prefix);
	int found = 0;
	/* the environments the files define, once each */
	char **names = xcalloc(t->n + 1, sizeof *names);
	size_t nn = 0;
	for (size_t i = 0; i < t->n; i++) {
		const char *k = t->v[i].key;
		if (strncmp(k, prefix, pn) == 0)
			found = 1;
		if (strncmp(k, "environments.", 13) != 0)
			continue;
		char *one = xstrndup(k + 13, strcspn(k + 13, "."));
		size_t j = 0;
		while (j < nn && strcmp(names[j], one) != 0)
			j++;
		if (j < nn)
			free(one);
		else
			names[nn++] = one;
	}
	int rc = 0;
	if (!found && strcmp(env, "default") != 0) {
		buf list = BUF_INIT;
		const char *near = NULL;
		for (size_t i = 0; i < nn; i++) {
			buf_printf(&list, "%s%s", list.len ? ", " : "", names[i]);
			if (!near && strcasecmp(names[i], env) == 0)
				near = names[i];
		}
		if (!near)
			near = opt_suggest(env, (const char *const *)names, nn);
		rc = err_set(e, ORC_EUSAGE,
		             "environment '%s' is not defined in flyway.toml (no [environments.%s] "
		             "table; defined: %s)%s%s%s",
		             env, env, list.len ? buf_cstr(&list) : "none",
		             near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		buf_free(&list);
	}
	char *eflyway = xasprintf("%sflyway.", prefix);
	/* the environment's own settings first, then [flyway], then the connection */
	if (rc == 0 && (rc = apply_prefix(t, eflyway, c, e)) == 0)
		rc = apply_prefix(t, "flyway.", c, e);
	free(eflyway);
	for (size_t i = 0; rc == 0 && i < COUNT(env_keys); i++) {
		char *k = xasprintf("%s%s", prefix, env_keys[i]);
		const flyway_toml_entry *x = find(t, k);
		if (x && strcmp(env_keys[i], "displayName") != 0)
			rc = set_from(x, env_keys[i], c, e);
		free(k);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(prefix);
	return rc;
}

void flyway_toml_free(flyway_toml *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].value);
		free(t->v[i].file);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}
