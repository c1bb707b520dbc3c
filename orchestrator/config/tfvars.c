/*
 * tfvars: a line-based reader of constant `key = value` assignments and an in-place
 * rewriter (see tfvars.h for why this narrow subset of HCL is enough and what it refuses).
 * The parser remembers the byte span of every value so that a rewrite replaces exactly
 * those bytes; after a rewrite the text is parsed again, so spans never go stale.
 */
#include "config/tfvars.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"

struct tfvars {
	char *path;
	buf text;
	tfvars_entry *entries;
	size_t n, cap;
};

struct cursor {
	const char *s;
	size_t len, pos;
	int line;
	const char *path;
	const char *key; /* the assignment being read, for messages */
	err *e;
};

static int at_end(const struct cursor *c)
{
	return c->pos >= c->len;
}

static char peek(const struct cursor *c, size_t ahead)
{
	return c->pos + ahead < c->len ? c->s[c->pos + ahead] : '\0';
}

static int fail(struct cursor *c, const char *unused, const char *what)
{
	(void)unused;
	if (c->key)
		return err_set(c->e, ORC_EUSAGE, "%s:%d: %s: %s", c->path, c->line, c->key, what);
	return err_set(c->e, ORC_EUSAGE, "%s:%d: %s", c->path, c->line, what);
}

/* Skips spaces and tabs (not newlines). */
static void skip_blank(struct cursor *c)
{
	while (!at_end(c) && (peek(c, 0) == ' ' || peek(c, 0) == '\t' || peek(c, 0) == '\r'))
		c->pos++;
}

/* Skips a comment starting at the cursor, if any (*skipped says whether there was one);
 * block comments may span lines only when allow_lines. Returns 0 or the error code. */
static int skip_comment(struct cursor *c, int allow_lines, int *skipped)
{
	*skipped = 0;
	if (peek(c, 0) == '#' || (peek(c, 0) == '/' && peek(c, 1) == '/')) {
		while (!at_end(c) && peek(c, 0) != '\n')
			c->pos++;
		*skipped = 1;
		return 0;
	}
	if (peek(c, 0) == '/' && peek(c, 1) == '*') {
		int start = c->line;
		c->pos += 2;
		while (!at_end(c) && !(peek(c, 0) == '*' && peek(c, 1) == '/')) {
			if (peek(c, 0) == '\n') {
				if (!allow_lines)
					return fail(c, NULL,
					            "a block comment after a value must end on the "
					            "same line "
					            "(use # comments)");
				c->line++;
			}
			c->pos++;
		}
		if (at_end(c)) {
			c->line = start;
			return fail(c, NULL, "unterminated /* comment (close it with */)");
		}
		c->pos += 2;
		*skipped = 1;
	}
	return 0;
}

static int is_ident_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_';
}

static int is_ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

static void put_utf8(buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xC0 | (cp >> 6)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xE0 | (cp >> 12)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(b, (char)(0xF0 | (cp >> 18)));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* A quoted string at the cursor ('"'), decoded into out. */
static int parse_string(struct cursor *c, buf *out)
{
	c->pos++; /* opening quote */
	for (;;) {
		if (at_end(c) || peek(c, 0) == '\n')
			return fail(c, NULL,
			            "unterminated string (a tfvars string must close on its line; "
			            "write \\n for a newline)");
		char ch = peek(c, 0);
		if (ch == '"') {
			c->pos++;
			return 0;
		}
		if (ch == '$' && peek(c, 1) == '$' && peek(c, 2) == '{') {
			buf_puts(out, "${");
			c->pos += 3;
			continue;
		}
		if (ch == '%' && peek(c, 1) == '%' && peek(c, 2) == '{') {
			buf_puts(out, "%{");
			c->pos += 3;
			continue;
		}
		if ((ch == '$' || ch == '%') && peek(c, 1) == '{')
			return fail(
			    c, NULL,
			    "template interpolation is not a constant (a tfvars value must be "
			    "literal; write $${ or %%{ for the characters themselves)");
		if (ch == '\\') {
			char esc = peek(c, 1);
			c->pos += 2;
			switch (esc) {
			case 'n': buf_putc(out, '\n'); break;
			case 'r': buf_putc(out, '\r'); break;
			case 't': buf_putc(out, '\t'); break;
			case '"': buf_putc(out, '"'); break;
			case '\\': buf_putc(out, '\\'); break;
			case 'u':
			case 'U': {
				size_t digits = esc == 'u' ? 4 : 8;
				unsigned long cp = 0;
				for (size_t i = 0; i < digits; i++) {
					char h = peek(c, 0);
					if (!isxdigit((unsigned char)h))
						return fail(c, NULL,
						            "bad \\u escape in string (\\uNNNN or "
						            "\\UNNNNNNNN, hexadecimal)");
					cp = cp * 16 +
					     (unsigned long)(isdigit((unsigned char)h)
					                         ? h - '0'
					                         : (tolower((unsigned char)h) -
					                            'a' + 10));
					c->pos++;
				}
				if (cp > 0x10FFFF || cp == 0)
					return fail(c, NULL, "\\u escape out of range in string");
				put_utf8(out, cp);
				break;
			}
			default:
				return fail(
				    c, NULL,
				    "unknown escape in string (HCL knows \\n \\r \\t \\\" \\\\ "
				    "\\uNNNN \\UNNNNNNNN)");
			}
			continue;
		}
		buf_putc(out, ch);
		c->pos++;
	}
}

/* A number, true, false or null at the cursor: the literal, or NULL when none. */
static char *parse_word(struct cursor *c, tfvars_kind *kind)
{
	size_t start = c->pos;
	if (peek(c, 0) == '-' || isdigit((unsigned char)peek(c, 0))) {
		if (peek(c, 0) == '-')
			c->pos++;
		if (!isdigit((unsigned char)peek(c, 0))) {
			c->pos = start;
			return NULL;
		}
		while (isdigit((unsigned char)peek(c, 0)))
			c->pos++;
		if (peek(c, 0) == '.' && isdigit((unsigned char)peek(c, 1))) {
			c->pos++;
			while (isdigit((unsigned char)peek(c, 0)))
				c->pos++;
		}
		if (peek(c, 0) == 'e' || peek(c, 0) == 'E') {
			size_t save = c->pos;
			c->pos++;
			if (peek(c, 0) == '+' || peek(c, 0) == '-')
				c->pos++;
			if (!isdigit((unsigned char)peek(c, 0)))
				c->pos = save;
			while (isdigit((unsigned char)peek(c, 0)))
				c->pos++;
		}
		if (is_ident_char(peek(c, 0))) {
			c->pos = start;
			return NULL;
		}
		*kind = TFVARS_NUMBER;
		return xstrndup(c->s + start, c->pos - start);
	}
	if (!is_ident_start(peek(c, 0)))
		return NULL;
	while (is_ident_char(peek(c, 0)))
		c->pos++;
	size_t n = c->pos - start;
	const char *w = c->s + start;
	if ((n == 4 && !memcmp(w, "true", 4)) || (n == 5 && !memcmp(w, "false", 5))) {
		*kind = TFVARS_BOOL;
		return xstrndup(w, n);
	}
	if (n == 4 && !memcmp(w, "null", 4)) {
		*kind = TFVARS_NULL;
		return xstrndup(w, n);
	}
	c->pos = start;
	return NULL;
}

static int expression_error(struct cursor *c)
{
	return fail(c, NULL,
	            "not a constant value (this reader takes a quoted string, a number, true, "
	            "false, null or a one-line list of those; write the value literally)");
}

/* One scalar: string, number, bool or null. */
static int parse_scalar(struct cursor *c, tfvars_kind *kind, char **value)
{
	if (peek(c, 0) == '"') {
		buf s = BUF_INIT;
		int rc = parse_string(c, &s);
		if (rc) {
			buf_free(&s);
			return rc;
		}
		*kind = TFVARS_STRING;
		*value = buf_detach(&s);
		return 0;
	}
	if (peek(c, 0) == '<' && peek(c, 1) == '<')
		return fail(c, NULL,
		            "heredoc strings span several lines (write a one-line quoted string "
		            "with \\n escapes)");
	if (peek(c, 0) == '{')
		return fail(c, NULL,
		            "maps and objects are not read by this tool (keep values that "
		            "orchestrator reads or writes as strings, numbers, bools or one-line "
		            "lists)");
	*value = parse_word(c, kind);
	if (!*value)
		return expression_error(c);
	return 0;
}

static void entry_free(tfvars_entry *en)
{
	free(en->key);
	free(en->value);
	if (en->items) {
		for (size_t i = 0; i < en->nitems; i++)
			free(en->items[i]);
		free(en->items);
	}
	memset(en, 0, sizeof(*en));
}

static int parse_list(struct cursor *c, tfvars_entry *en)
{
	size_t cap = 0;
	ARRAY_GROW(en->items, 1, cap); /* NULL-terminated even when empty */
	en->items[0] = NULL;
	c->pos++; /* [ */
	for (;;) {
		skip_blank(c);
		int skipped;
		if (skip_comment(c, 0, &skipped))
			return c->e->code;
		skip_blank(c);
		if (at_end(c) || peek(c, 0) == '\n')
			return fail(c, NULL,
			            "a list must open and close on the same line (write it as "
			            "[\"a\", \"b\"] on one line)");
		if (peek(c, 0) == ']') {
			c->pos++;
			return 0;
		}
		tfvars_kind k;
		char *v = NULL;
		int rc = parse_scalar(c, &k, &v);
		if (rc)
			return rc;
		ARRAY_GROW(en->items, en->nitems + 2, cap);
		en->items[en->nitems++] = v;
		en->items[en->nitems] = NULL;
		skip_blank(c);
		if (peek(c, 0) == ',') {
			c->pos++;
			continue;
		}
		if (peek(c, 0) == ']')
			continue;
		if (at_end(c) || peek(c, 0) == '\n')
			continue; /* reported as an unclosed list above */
		return expression_error(c);
	}
}

static tfvars_entry *find(const tfvars *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->entries[i].key, key))
			return &t->entries[i];
	return NULL;
}

static void clear_entries(tfvars *t)
{
	for (size_t i = 0; i < t->n; i++)
		entry_free(&t->entries[i]);
	t->n = 0;
}

static int parse_all(tfvars *t, err *e)
{
	struct cursor c = {t->text.ptr ? t->text.ptr : "", t->text.len, 0, 1, t->path, NULL, e};
	clear_entries(t);
	while (!at_end(&c)) {
		skip_blank(&c);
		int skipped;
		if (skip_comment(&c, 1, &skipped))
			return e->code;
		if (skipped)
			continue;
		if (at_end(&c))
			break;
		if (peek(&c, 0) == '\n') {
			c.pos++;
			c.line++;
			continue;
		}
		if (!is_ident_start(peek(&c, 0)))
			return fail(&c, NULL,
			            "expected a `name = value` assignment (a variable name starts "
			            "with a letter or _)");
		size_t kstart = c.pos;
		while (is_ident_char(peek(&c, 0)))
			c.pos++;
		char *key = xstrndup(c.s + kstart, c.pos - kstart);
		c.key = key;
		skip_blank(&c);
		if (peek(&c, 0) != '=' || peek(&c, 1) == '=') {
			int rc =
			    peek(&c, 0) == '{'
			        ? fail(&c, NULL,
			               "blocks are not allowed in a tfvars file (write `name = "
			               "value`)")
			        : fail(&c, NULL, "expected `=` after the variable name");
			free(key);
			return rc;
		}
		c.pos++;
		skip_blank(&c);
		if (find(t, key)) {
			int line = find(t, key)->line;
			err_set(
			    e, ORC_EUSAGE,
			    "%s:%d: %s is assigned twice (first on line %d; keep one assignment)",
			    t->path, c.line, key, line);
			free(key);
			return ORC_EUSAGE;
		}
		ARRAY_GROW(t->entries, t->n + 1, t->cap);
		tfvars_entry *en = &t->entries[t->n];
		memset(en, 0, sizeof(*en));
		en->key = key;
		en->line = c.line;
		en->value_start = c.pos;
		int rc;
		if (at_end(&c) || peek(&c, 0) == '\n') {
			rc = fail(&c, NULL,
			          "missing value after `=` (values must be on the same line)");
		} else if (peek(&c, 0) == '[') {
			en->kind = TFVARS_LIST;
			rc = parse_list(&c, en);
		} else {
			rc = parse_scalar(&c, &en->kind, &en->value);
		}
		if (rc) {
			entry_free(en); /* frees key */
			return rc;
		}
		en->value_end = c.pos;
		t->n++;
		/* after the value: blanks, then a comment, then the end of the line */
		skip_blank(&c);
		int after;
		if (skip_comment(&c, 0, &after))
			return e->code;
		skip_blank(&c);
		if (!at_end(&c) && peek(&c, 0) != '\n')
			return fail(&c, NULL,
			            "unexpected text after the value (one assignment per line, "
			            "constant values only)");
		c.key = NULL;
	}
	return 0;
}

int tfvars_parse(const char *path, const char *text, size_t len, tfvars **out, err *e)
{
	tfvars *t = xcalloc(1, sizeof(*t));
	t->path = xstrdup(path);
	buf_put(&t->text, text, len);
	if (memchr(text, '\0', len)) {
		tfvars_free(t);
		return err_set(e, ORC_EUSAGE, "%s: contains a NUL byte (not a text file)", path);
	}
	int rc = parse_all(t, e);
	if (rc) {
		tfvars_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int tfvars_load(const char *path, tfvars **out, err *e)
{
	buf b = BUF_INIT;
	int rc = fs_read_file(path, &b, e);
	if (!rc)
		rc = tfvars_parse(path, buf_cstr(&b), b.len, out, e);
	buf_free(&b);
	return rc;
}

void tfvars_free(tfvars *t)
{
	if (!t)
		return;
	clear_entries(t);
	free(t->entries);
	buf_free(&t->text);
	free(t->path);
	free(t);
}

size_t tfvars_count(const tfvars *t)
{
	return t->n;
}

const tfvars_entry *tfvars_get(const tfvars *t, const char *key)
{
	return find(t, key);
}

const char *tfvars_text(const tfvars *t, size_t *len)
{
	if (len)
		*len = t->text.len;
	return buf_cstr(&t->text);
}

void tfvars_quote(buf *out, const char *value)
{
	buf_putc(out, '"');
	for (const char *p = value; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		switch (ch) {
		case '"': buf_puts(out, "\\\""); break;
		case '\\': buf_puts(out, "\\\\"); break;
		case '\n': buf_puts(out, "\\n"); break;
		case '\r': buf_puts(out, "\\r"); break;
		case '\t': buf_puts(out, "\\t"); break;
		case '$':
		case '%':
			buf_putc(out, (char)ch);
			if (p[1] == '{')
				buf_putc(out, (char)ch); /* $${ and %%{ stand for the characters */
			break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				buf_printf(out, "\\u%04x", ch);
			else
				buf_putc(out, (char)ch);
		}
	}
	buf_putc(out, '"');
}

int tfvars_set_string(tfvars *t, const char *key, const char *value, int *changed, err *e)
{
	if (changed)
		*changed = 0;
	tfvars_entry *en = find(t, key);
	if (en && en->kind == TFVARS_STRING && !strcmp(en->value, value))
		return 0;

	buf next = BUF_INIT;
	if (en) {
		buf_put(&next, t->text.ptr, en->value_start);
		tfvars_quote(&next, value);
		buf_put(&next, t->text.ptr + en->value_end, t->text.len - en->value_end);
	} else {
		buf_put(&next, buf_cstr(&t->text), t->text.len);
		if (next.len && next.ptr[next.len - 1] != '\n')
			buf_putc(&next, '\n');
		buf_printf(&next, "%s = ", key);
		tfvars_quote(&next, value);
		buf_putc(&next, '\n');
	}
	buf old = t->text;
	t->text = next;
	int rc = parse_all(t, e);
	if (rc) {
		/* cannot happen for text this module wrote; keep the old text if it does */
		buf_free(&t->text);
		t->text = old;
		err t2 = ERR_INIT;
		parse_all(t, &t2);
		return err_prefix(e, "%s: rewriting %s", t->path, key);
	}
	buf_free(&old);
	if (changed)
		*changed = 1;
	return 0;
}
