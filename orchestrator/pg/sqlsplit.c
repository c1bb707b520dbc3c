/*
 * sqlsplit: a small PostgreSQL lexer, just enough to find statement ends and COPY data
 * (see sqlsplit.h). It never rejects input: an unterminated quote runs to the end of the
 * script and the server reports the error. What a statement is comes from PostgreSQL's
 * parser (pg/parse.h), not from its keywords.
 */
#include "pg/sqlsplit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "pg/parse.h"

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static int ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Length of a dollar-quote tag ("$$", "$body$") at p, or 0 when p does not start one. */
static size_t dollar_tag(const char *p, const char *end)
{
	const char *q = p + 1;
	if (q < end && *q == '$')
		return 2;
	if (q >= end || !ident_start(*q))
		return 0;
	while (q < end && (isalnum((unsigned char)*q) || *q == '_' || (unsigned char)*q >= 0x80))
		q++;
	return q < end && *q == '$' ? (size_t)(q - p + 1) : 0;
}

/* Skips a quoted or commented region starting at text[i]; returns the index after it, or i
 * when nothing starts there. */
static size_t skip_region(const char *text, size_t len, size_t i)
{
	const char *end = text + len;
	char c = text[i];
	if (c == '-' && i + 1 < len && text[i + 1] == '-') {
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		return i;
	}
	if (c == '/' && i + 1 < len && text[i + 1] == '*') {
		int depth = 1;
		i += 2;
		while (i < len && depth) {
			if (text[i] == '/' && i + 1 < len && text[i + 1] == '*') {
				depth++;
				i += 2;
			} else if (text[i] == '*' && i + 1 < len && text[i + 1] == '/') {
				depth--;
				i += 2;
			} else {
				i++;
			}
		}
		return i;
	}
	if (c == '\'') {
		int escapes = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
		              (i < 2 || !ident_char(text[i - 2]));
		i++;
		while (i < len) {
			if (escapes && text[i] == '\\' && i + 1 < len) {
				i += 2;
			} else if (text[i] == '\'') {
				if (i + 1 < len && text[i + 1] == '\'')
					i += 2;
				else
					return i + 1;
			} else {
				i++;
			}
		}
		return i;
	}
	if (c == '"') {
		i++;
		while (i < len) {
			if (text[i] == '"') {
				if (i + 1 < len && text[i + 1] == '"')
					i += 2;
				else
					return i + 1;
			} else {
				i++;
			}
		}
		return i;
	}
	if (c == '$' && (i == 0 || !ident_char(text[i - 1]))) {
		size_t tl = dollar_tag(text + i, end);
		if (!tl)
			return i;
		const char *tag = text + i;
		i += tl;
		while (i < len) {
			if (text[i] == '$' && i + tl <= len && memcmp(text + i, tag, tl) == 0)
				return i + tl;
			i++;
		}
		return i;
	}
	return i;
}

static size_t words(const char *s, size_t len, char w[][24], size_t max);

/* For COPY ... FROM STDIN ending at text[semi]: records the data (from the next line up to
 * a line "\.") in st and returns the index after it; otherwise returns semi. */
static size_t copy_data(const char *text, size_t len, size_t semi, sql_stmt *st)
{
	char w[16][24];
	size_t n = words(text + st->off, st->len, w, 16);
	if (n < 3 || strcmp(w[0], "COPY") != 0 || strcmp(w[n - 1], "STDIN") != 0 ||
	    strcmp(w[n - 2], "FROM") != 0)
		return semi;
	size_t i = semi + 1;
	while (i < len && text[i] != '\n')
		i++;
	if (i < len)
		i++;
	st->copy = 1;
	st->copy_off = i;
	while (i < len) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t l = eol - i;
		if (l && text[i + l - 1] == '\r')
			l--;
		if (l == 2 && text[i] == '\\' && text[i + 1] == '.') {
			st->copy_len = i - st->copy_off;
			return eol < len ? eol : len - 1;
		}
		i = eol < len ? eol + 1 : len;
	}
	st->copy_len = len - st->copy_off;
	return len - 1;
}

static int word_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

size_t sqlsplit(const char *text, size_t len, sql_stmt **out)
{
	size_t n = 0, cap = 0;
	sql_stmt *v = NULL;
	size_t i = 0, start = 0;
	int content = 0; /* a token other than whitespace and comments since start */
	size_t first = 0;
	int atomic = 0; /* depth inside BEGIN ATOMIC ... END */
	int parens = 0; /* depth inside ( ): CREATE RULE ... DO ALSO (...; ...) */
	const char *prev_w = NULL;
	size_t prev_n = 0;
	while (i <= len) {
		if (i == len || (text[i] == ';' && !atomic && !parens)) {
			if (content) {
				ARRAY_GROW(v, n + 1, cap);
				memset(&v[n], 0, sizeof v[n]);
				v[n].off = first;
				v[n].len = i - first;
				if (i < len && (text[first] == 'c' || text[first] == 'C'))
					i = copy_data(text, len, i, &v[n]);
				n++;
			}
			i++;
			start = i;
			content = 0;
			atomic = 0;
			parens = 0;
			prev_w = NULL;
			continue;
		}
		size_t j = skip_region(text, len, i);
		if (j != i) {
			int comment = text[i] == '-' || text[i] == '/';
			if (!comment && !content) {
				content = 1;
				first = i;
			}
			if (!comment)
				prev_w = NULL;
			i = j;
			continue;
		}
		char c = text[i];
		if (isspace((unsigned char)c)) {
			i++;
			continue;
		}
		if (!content) {
			content = 1;
			first = i;
		}
		if (ident_start(c) && (i == 0 || !ident_char(text[i - 1]))) {
			size_t k = i;
			while (k < len && ident_char(text[k]))
				k++;
			const char *w = text + i;
			size_t wn = k - i;
			if (prev_w && word_is(prev_w, prev_n, "BEGIN") && word_is(w, wn, "ATOMIC"))
				atomic++;
			else if (atomic && word_is(w, wn, "CASE"))
				atomic++;
			else if (atomic && word_is(w, wn, "END"))
				atomic--;
			prev_w = w;
			prev_n = wn;
			i = k;
			continue;
		}
		if (c == '(')
			parens++;
		else if (c == ')' && parens > 0)
			parens--;
		prev_w = NULL;
		i++;
	}
	(void)start;
	/* Lines in one pass over the script. */
	int line = 1;
	size_t pos = 0;
	for (size_t s = 0; s < n; s++) {
		for (; pos < v[s].off; pos++) {
			if (text[pos] == '\n' ||
			    (text[pos] == '\r' && (pos + 1 >= len || text[pos + 1] != '\n')))
				line++;
		}
		v[s].line = line;
	}
	*out = v;
	return n;
}

/* The statement's words outside quotes and comments, upper-cased, at most max of them. */
static size_t words(const char *s, size_t len, char w[][24], size_t max)
{
	size_t n = 0, i = 0;
	while (i < len && n < max) {
		size_t j = skip_region(s, len, i);
		if (j != i) {
			i = j;
			continue;
		}
		if (ident_start(s[i])) {
			size_t k = 0;
			while (i < len && ident_char(s[i])) {
				if (k < 23)
					w[n][k++] = (char)toupper((unsigned char)s[i]);
				i++;
			}
			w[n][k] = 0;
			n++;
			continue;
		}
		i++;
	}
	return n;
}

int sqlsplit_no_transaction(const char *stmt, size_t len, int server_version, const char **what)
{
	/* From PostgreSQL's own parse tree. A statement its grammar does not read goes to the
	 * server as it is, inside the transaction: the server judges it. */
	char *msg = NULL;
	size_t at;
	cJSON *tree = parse_sql(stmt, len, &msg, &at);
	free(msg);
	const char *kind = NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(tree, "stmts"))
	{
		if (!kind)
			kind = parse_no_transaction(cJSON_GetObjectItemCaseSensitive(e, "stmt"),
			                            server_version);
	}
	cJSON_Delete(tree);
	if (kind)
		*what = kind;
	return kind != NULL;
}
