/*
 * parse: libpg_query's JSON parse tree, statement locations and errors (see parse.h).
 * libpg_query reports error positions as 1-based character counts (the parser runs in
 * UTF-8) and statement locations as byte offsets; both become byte offsets here.
 */
#include "pg/parse.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "pg/sqlsplit.h"

const cJSON *parse_fields(const cJSON *node)
{
	return node && node->child && cJSON_IsObject(node->child) ? node->child : NULL;
}

const cJSON *parse_get(const cJSON *obj, const char *path)
{
	char part[64];
	while (obj && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof part)
			return NULL;
		memcpy(part, path, n);
		part[n] = 0;
		obj = cJSON_GetObjectItemCaseSensitive(obj, part);
		path += n + (path[n] == '.');
	}
	return obj;
}

const char *parse_str(const cJSON *obj, const char *path)
{
	const cJSON *v = parse_get(obj, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int parse_bool(const cJSON *obj, const char *path)
{
	const cJSON *v = parse_get(obj, path);
	return cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0);
}

void parse_line_col(const char *text, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n' || (text[i] == '\r' && text[i + 1] != '\n')) {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80 && text[i] != '\r') {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Byte offset of the 1-based character position pos in s (n bytes). */
static size_t char_to_byte(const char *s, size_t n, int pos)
{
	size_t i = 0;
	for (int chars = 1; i < n && chars < pos; chars++) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

cJSON *parse_sql(const char *text, size_t len, char **error, size_t *error_off)
{
	/* libpg_query reads a C string: a NUL byte ends the text it sees, and so does s. */
	char *s = xstrndup(text, len);
	size_t n = strlen(s);
	PgQueryParseResult r = pg_query_parse(s);
	cJSON *tree = NULL;
	*error = NULL;
	*error_off = 0;
	if (r.error) {
		*error = xstrdup(r.error->message);
		*error_off = r.error->cursorpos > 0 ? char_to_byte(s, n, r.error->cursorpos) : 0;
	} else {
		tree = cJSON_Parse(r.parse_tree);
		if (!tree)
			*error = xstrdup("libpg_query returned a parse tree cJSON cannot read");
	}
	pg_query_free_parse_result(r);
	free(s);
	return tree;
}

/* Index after blanks and comments (line comments, nested block comments) from i. */
static size_t skip_blank(const char *t, size_t len, size_t i)
{
	while (i < len) {
		if (isspace((unsigned char)t[i])) {
			i++;
		} else if (t[i] == '-' && i + 1 < len && t[i + 1] == '-') {
			while (i < len && t[i] != '\n')
				i++;
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			int depth = 1;
			for (i += 2; i < len && depth; i++) {
				if (t[i] == '/' && i + 1 < len && t[i + 1] == '*')
					depth++, i++;
				else if (t[i] == '*' && i + 1 < len && t[i + 1] == '/')
					depth--, i++;
			}
		} else {
			break;
		}
	}
	return i;
}

static parse_stmt *add_stmt(parse_script *s, size_t *cap)
{
	if (s->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		s->v = xrealloc(s->v, *cap * sizeof *s->v);
	}
	parse_stmt *st = &s->v[s->n++];
	memset(st, 0, sizeof *st);
	return st;
}

static void keep_tree(parse_script *s, cJSON *tree)
{
	ARRAY_GROW(s->trees, s->n_trees + 1, s->trees_cap);
	s->trees[s->n_trees++] = tree;
}

/* The statements of a tree parsed from text[base .. base+len). */
static void add_tree(parse_script *s, size_t *cap, const cJSON *tree, const char *text, size_t base,
                     size_t len)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(tree, "stmts"))
	{
		const cJSON *loc = cJSON_GetObjectItemCaseSensitive(e, "stmt_location");
		const cJSON *sl = cJSON_GetObjectItemCaseSensitive(e, "stmt_len");
		size_t from = cJSON_IsNumber(loc) ? (size_t)loc->valuedouble : 0;
		size_t to = cJSON_IsNumber(sl) && sl->valuedouble > 0
		                ? from + (size_t)sl->valuedouble
		                : len; /* 0: up to the end of the text */
		if (to > len)
			to = len;
		from = skip_blank(text + base, to, from);
		while (to > from && isspace((unsigned char)text[base + to - 1]))
			to--;
		parse_stmt *st = add_stmt(s, cap);
		st->off = base + from;
		st->len = to - from;
		st->node = cJSON_GetObjectItemCaseSensitive(e, "stmt");
		st->base = base;
		st->kind = st->node && st->node->child ? st->node->child->string : NULL;
	}
}

static int copy_from_stdin(const parse_script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const cJSON *f = parse_fields(s->v[i].node);
		if (s->v[i].kind && strcmp(s->v[i].kind, "CopyStmt") == 0 &&
		    parse_bool(f, "is_from") && !parse_str(f, "filename"))
			return 1;
	}
	return 0;
}

/* Statement by statement, cut by sqlsplit (which takes COPY data): every statement that
 * parses gets its tree, the others the parser's error. */
static void parse_pieces(const char *t, size_t len, parse_script *out, size_t *cap)
{
	sql_stmt *pieces = NULL;
	size_t n = sqlsplit(t, len, &pieces);
	for (size_t i = 0; i < n; i++) {
		char *msg = NULL;
		size_t at = 0;
		cJSON *tree = parse_sql(t + pieces[i].off, pieces[i].len, &msg, &at);
		size_t first = out->n;
		if (tree) {
			keep_tree(out, tree);
			add_tree(out, cap, tree, t, pieces[i].off, pieces[i].len);
		} else {
			parse_stmt *st = add_stmt(out, cap);
			st->off = pieces[i].off;
			st->len = pieces[i].len;
			st->error = msg;
			st->error_off = pieces[i].off + at;
		}
		if (pieces[i].copy && out->n > first) {
			parse_stmt *last = &out->v[out->n - 1];
			last->copy = 1;
			last->copy_off = pieces[i].copy_off;
			last->copy_len = pieces[i].copy_len;
		}
	}
	free(pieces);
}

void parse_script_text(const char *text, size_t len, parse_script *out)
{
	memset(out, 0, sizeof *out);
	char *t = xstrndup(text, len);
	if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		memset(t, ' ', 3); /* the BOM is not SQL */
	size_t cap = 0;
	char *msg = NULL;
	size_t at;
	cJSON *tree = parse_sql(t, len, &msg, &at);
	if (tree) {
		keep_tree(out, tree);
		add_tree(out, &cap, tree, t, 0, len);
		if (copy_from_stdin(out)) { /* its data must be cut out first */
			parse_script_free(out);
			cap = 0;
			parse_pieces(t, len, out, &cap);
		}
	} else {
		free(msg);
		parse_pieces(t, len, out, &cap);
	}
	/* Lines in one pass. */
	int line = 1;
	size_t pos = 0;
	for (size_t i = 0; i < out->n; i++) {
		for (; pos < out->v[i].off; pos++)
			if (t[pos] == '\n' ||
			    (t[pos] == '\r' && (pos + 1 >= len || t[pos + 1] != '\n')))
				line++;
		out->v[i].line = line;
	}
	free(t);
}

void parse_script_free(parse_script *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].error);
	free(s->v);
	for (size_t i = 0; i < s->n_trees; i++)
		cJSON_Delete(s->trees[i]);
	free(s->trees);
	memset(s, 0, sizeof *s);
}

size_t parse_script_errors(const parse_script *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].error != NULL;
	return n;
}

/* The value of option name in a DefElem list ("true", "false", "off", ...), or NULL when
 * absent; a DefElem without argument reads "true". */
static const char *option(const cJSON *list, const char *name)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, list)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "DefElem");
		const char *n = parse_str(d, "defname");
		if (!n || strcasecmp(n, name) != 0)
			continue;
		const cJSON *arg = parse_get(d, "arg");
		if (parse_get(arg, "Boolean"))
			return parse_bool(arg, "Boolean.boolval") ? "true" : "false";
		if (parse_get(arg, "Integer"))
			return parse_bool(arg, "Integer.ival") ? "true" : "false";
		const char *v = parse_str(arg, "String.sval");
		return v ? v : "true";
	}
	return NULL;
}

static int is_false(const char *v)
{
	return v && (strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0 ||
	             strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0);
}

static int kind_is(const cJSON *node, const char *kind)
{
	return node && node->child && node->child->string && strcmp(node->child->string, kind) == 0;
}

/* PostgreSQL 15's PreventInTransactionBlock callers, statement by statement. */
const char *parse_no_transaction(const cJSON *node, int server_version)
{
	const cJSON *f = parse_fields(node);
	if (!f)
		return NULL;
	if (kind_is(node, "IndexStmt"))
		return parse_bool(f, "concurrent") ? "CREATE INDEX CONCURRENTLY" : NULL;
	if (kind_is(node, "DropStmt")) {
		return parse_bool(f, "concurrent") &&
		               strcmp(parse_str(f, "removeType") ? parse_str(f, "removeType") : "",
		                      "OBJECT_INDEX") == 0
		           ? "DROP INDEX CONCURRENTLY"
		           : NULL;
	}
	if (kind_is(node, "ReindexStmt")) {
		const char *k = parse_str(f, "kind");
		const char *conc = option(parse_get(f, "params"), "concurrently");
		if (conc && !is_false(conc))
			return "REINDEX CONCURRENTLY";
		if (k && strcmp(k, "REINDEX_OBJECT_SCHEMA") == 0)
			return "REINDEX SCHEMA";
		if (k && strcmp(k, "REINDEX_OBJECT_DATABASE") == 0)
			return "REINDEX DATABASE";
		if (k && strcmp(k, "REINDEX_OBJECT_SYSTEM") == 0)
			return "REINDEX SYSTEM";
		return NULL;
	}
	if (kind_is(node, "VacuumStmt"))
		return parse_bool(f, "is_vacuumcmd") ? "VACUUM" : NULL;
	if (kind_is(node, "ClusterStmt"))
		return parse_get(f, "relation") ? NULL : "CLUSTER (every table)";
	if (kind_is(node, "CreatedbStmt"))
		return "CREATE DATABASE";
	if (kind_is(node, "DropdbStmt"))
		return "DROP DATABASE";
	if (kind_is(node, "AlterDatabaseStmt"))
		return option(parse_get(f, "options"), "tablespace")
		           ? "ALTER DATABASE SET TABLESPACE"
		           : NULL;
	if (kind_is(node, "CreateTableSpaceStmt"))
		return "CREATE TABLESPACE";
	if (kind_is(node, "DropTableSpaceStmt"))
		return "DROP TABLESPACE";
	if (kind_is(node, "AlterSystemStmt"))
		return "ALTER SYSTEM";
	if (kind_is(node, "DiscardStmt")) {
		const char *t = parse_str(f, "target");
		return t && strcmp(t, "DISCARD_ALL") == 0 ? "DISCARD ALL" : NULL;
	}
	if (kind_is(node, "TransactionStmt")) {
		const char *k = parse_str(f, "kind");
		if (k && strcmp(k, "TRANS_STMT_COMMIT_PREPARED") == 0)
			return "COMMIT PREPARED";
		if (k && strcmp(k, "TRANS_STMT_ROLLBACK_PREPARED") == 0)
			return "ROLLBACK PREPARED";
		return NULL;
	}
	if (kind_is(node, "CreateSubscriptionStmt")) {
		/* create_slot defaults to true, and to false with connect = false. */
		const cJSON *o = parse_get(f, "options");
		const char *slot = option(o, "create_slot");
		if (slot ? is_false(slot) : is_false(option(o, "connect")))
			return NULL;
		return "CREATE SUBSCRIPTION (with a replication slot)";
	}
	if (kind_is(node, "DropSubscriptionStmt"))
		return "DROP SUBSCRIPTION";
	if (kind_is(node, "AlterSubscriptionStmt")) {
		const char *k = parse_str(f, "kind");
		if (k && strcmp(k, "ALTER_SUBSCRIPTION_REFRESH") == 0)
			return "ALTER SUBSCRIPTION ... REFRESH";
		if (k &&
		    (strcmp(k, "ALTER_SUBSCRIPTION_SET_PUBLICATION") == 0 ||
		     strcmp(k, "ALTER_SUBSCRIPTION_ADD_PUBLICATION") == 0 ||
		     strcmp(k, "ALTER_SUBSCRIPTION_DROP_PUBLICATION") == 0) &&
		    !is_false(option(parse_get(f, "options"), "refresh")))
			return "ALTER SUBSCRIPTION ... PUBLICATION (with refresh)";
		return NULL;
	}
	if (kind_is(node, "AlterTableStmt")) {
		const cJSON *c;
		cJSON_ArrayForEach(c, parse_get(f, "cmds"))
		{
			const char *sub = parse_str(c, "AlterTableCmd.subtype");
			if (sub && strcmp(sub, "AT_DetachPartition") == 0 &&
			    parse_bool(c, "AlterTableCmd.def.PartitionCmd.concurrent"))
				return "ALTER TABLE ... DETACH PARTITION CONCURRENTLY";
		}
		return NULL;
	}
	if (kind_is(node, "AlterEnumStmt") && server_version && server_version < 120000 &&
	    parse_str(f, "newVal") && !parse_str(f, "oldVal"))
		return "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)";
	return NULL;
}
