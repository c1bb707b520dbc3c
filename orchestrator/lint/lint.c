/*
 * lint: the rules over libpg_query's JSON parse tree (see lint.h). One pass per file:
 * each statement is checked against the model as it stands before the statement, then
 * applied to it; checks that need the whole file (an index created after its foreign
 * key, a primary key added after CREATE TABLE) wait for the end of the file. Tables are
 * known by name without schema, which is what migrations of one schema use.
 */
#include "lint/lint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "pg/conn.h"
#include "pg/parse.h"

enum {
	R_INDEX,
	R_FK_NOT_VALID,
	R_CHECK_NOT_VALID,
	R_TYPE_REWRITE,
	R_SET_NOT_NULL,
	R_VOLATILE_DEFAULT,
	R_DROP_COLUMN,
	R_DROP_TABLE,
	R_RENAME_COLUMN,
	R_RENAME_TABLE,
	R_NARROWING,
	R_MIXED_TX,
	R_LOCK_TIMEOUT,
	R_STATEMENT_TIMEOUT,
	R_FK_INDEX,
	R_PRIMARY_KEY,
	R_IGNORE_UNKNOWN,
	R_NOT_PARSED,
	N_RULES
};

static const lint_rule rules[N_RULES] = {
    {"index-not-concurrent", LINT_ERROR,
     "CREATE INDEX without CONCURRENTLY blocks every write to the table while it builds",
     "CREATE INDEX CONCURRENTLY, in a migration of its own (it cannot run in a transaction)"},
    {"foreign-key-not-valid", LINT_ERROR,
     "ADD FOREIGN KEY checks every row while it blocks writes to both tables",
     "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later "
     "migration"},
    {"check-not-valid", LINT_ERROR, "ADD CHECK scans every row while it blocks reads and writes",
     "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later migration"},
    {"column-type-rewrite", LINT_ERROR,
     "ALTER COLUMN TYPE rewrites the table and its indexes while it blocks reads and writes",
     "add a column of the new type, backfill it in batches, switch the code, drop the old one"},
    {"set-not-null", LINT_ERROR, "SET NOT NULL scans every row while it blocks reads and writes",
     "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c; then SET NOT "
     "NULL, which PostgreSQL 12+ proves from the check without a scan"},
    {"add-column-volatile-default", LINT_ERROR,
     "ADD COLUMN with a volatile default (random(), a serial, ...) rewrites the whole table "
     "under an exclusive lock",
     "add the column without a default (or with a constant one), then backfill it in batches"},
    {"drop-column", LINT_WARNING, "DROP COLUMN breaks running code that still reads or writes it",
     "stop using the column in the code first, deploy, then drop it in a later migration"},
    {"drop-table", LINT_WARNING, "DROP TABLE breaks running code that still uses the table",
     "stop using the table in the code first, deploy, then drop it in a later migration"},
    {"rename-column", LINT_WARNING, "RENAME COLUMN breaks running code that uses the old name",
     "add the new column, write both, backfill, switch the readers, then drop the old one"},
    {"rename-table", LINT_WARNING, "RENAME TO breaks running code that uses the old name",
     "rename, then CREATE VIEW old_name AS SELECT * FROM new_name until the code follows"},
    {"column-type-narrowing", LINT_ERROR,
     "narrowing a column's type makes running code's writes fail (and rewrites the table)",
     "keep the wider type, or add a narrower column and move the writers to it first"},
    {"mixed-transaction", LINT_ERROR,
     "a statement that cannot run in a transaction makes the whole migration run without one, "
     "so a failure half-way leaves the statements before it applied",
     "put that statement in a migration of its own"},
    {"missing-lock-timeout", LINT_WARNING,
     "a statement waiting for its lock on a busy table blocks every query queued behind it",
     "SET lock_timeout = '5s'; at the top of the migration, and retry when it times out"},
    {"missing-statement-timeout", LINT_WARNING,
     "a locking statement without a time limit can hold its lock for as long as it runs",
     "SET statement_timeout = '1min'; at the top of the migration"},
    {"fk-without-index", LINT_WARNING,
     "a foreign key column without an index makes every delete or key update on the referenced "
     "table scan this one",
     "CREATE INDEX on the referencing column(s)"},
    {"table-without-primary-key", LINT_WARNING,
     "a table without a primary key cannot be replicated logically and its rows cannot be told "
     "apart",
     "declare a PRIMARY KEY (an identity column if nothing else is unique)"},
    {"lint-ignore-unknown", LINT_WARNING,
     "an orchestrator:lint-ignore comment names a rule that does not exist",
     "use a rule id from `orchestrator lint --rules`"},
    {"not-parsed", LINT_WARNING,
     "a statement that does not parse (a syntax error, a placeholder without a value, syntax "
     "newer than the parser's grammar) is checked by no rule",
     "fix it (orchestrator validate --syntax shows where) or pass the placeholder's value"},
};

typedef struct col {
	char *name, *type; /* type: PostgreSQL's internal name (int4, varchar, numeric) */
	int m1, m2;        /* type modifiers (length, precision, scale); -1 when absent */
} col;

typedef struct table {
	char *name;
	int from_db;
	int file; /* the file that created it (lint's counter), -1 for the database */
	col *cols;
	size_t ncols, cols_cap;
	char **leads; /* the leading column of each index (primary key and unique included) */
	size_t nleads, leads_cap;
	int has_pk;
} table;

struct lint {
	lint_severity sev[N_RULES];
	int have_db, db_lock_timeout, db_statement_timeout;
	table *t;
	size_t nt, t_cap;
	size_t *slots; /* open-addressing index of t by name: 0 empty, else index + 1 */
	size_t nslots;
	int stale; /* a table was dropped or renamed: rebuild the index before the next use */
	int nfile;
	lint_finding *f;
	size_t nf, f_cap;
};

/* What one file needs to remember while it is read. */
typedef struct pending {
	char *table, *col, *name; /* fk: table and column; not-null check: name, table, col */
	int line;
} pending;

typedef struct fctx {
	lint *l;
	const char *file, *text;
	int check; /* findings on (lint_check) or off (lint_learn) */
	const parse_stmt *st;
	char ignore[N_RULES];
	int lock_timeout, statement_timeout, lock_reported, statement_reported;
	pending *fks, *checks, *notnull, *new_tables;
	size_t nfks, nchecks, nnotnull, nnew;
	size_t fks_cap, checks_cap, notnull_cap, new_tables_cap;
} fctx;

const lint_rule *lint_rules(size_t *n)
{
	*n = N_RULES;
	return rules;
}

const lint_rule *lint_rule_find(const char *id)
{
	for (size_t i = 0; i < N_RULES; i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}

int lint_severity_parse(const char *s)
{
	if (strcmp(s, "off") == 0)
		return LINT_OFF;
	if (strcmp(s, "warning") == 0)
		return LINT_WARNING;
	if (strcmp(s, "error") == 0)
		return LINT_ERROR;
	return -1;
}

const char *lint_severity_name(lint_severity s)
{
	return s == LINT_ERROR ? "error" : s == LINT_WARNING ? "warning" : "off";
}

lint *lint_new(void)
{
	lint *l = xcalloc(1, sizeof *l);
	for (size_t i = 0; i < N_RULES; i++)
		l->sev[i] = rules[i].severity;
	return l;
}

static void table_free(table *t)
{
	free(t->name);
	for (size_t i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].type);
	}
	free(t->cols);
	for (size_t i = 0; i < t->nleads; i++)
		free(t->leads[i]);
	free(t->leads);
}

void lint_free(lint *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nt; i++)
		table_free(&l->t[i]);
	free(l->t);
	free(l->slots);
	for (size_t i = 0; i < l->nf; i++) {
		free(l->f[i].file);
		free(l->f[i].message);
	}
	free(l->f);
	free(l);
}

int lint_set_severity(lint *l, const char *rule, lint_severity s, err *e)
{
	const lint_rule *r = lint_rule_find(rule);
	if (!r)
		return err_set(
		    e, ORC_EUSAGE,
		    "lint rule \"%s\" does not exist (orchestrator lint --rules lists them)", rule);
	l->sev[r - rules] = s;
	return 0;
}

const lint_finding *lint_findings(const lint *l, size_t *n)
{
	*n = l->nf;
	return l->f;
}

size_t lint_count(const lint *l, lint_severity s)
{
	size_t n = 0;
	for (size_t i = 0; i < l->nf; i++)
		n += l->f[i].severity == s;
	return n;
}

/* ---- the model ---- */

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void index_put(lint *l, size_t i)
{
	size_t m = l->nslots - 1, k = name_hash(l->t[i].name) & m;
	while (l->slots[k])
		k = (k + 1) & m;
	l->slots[k] = i + 1;
}

static void index_rebuild(lint *l)
{
	size_t n = 64;
	while (n < 2 * (l->nt + 1))
		n *= 2;
	free(l->slots);
	l->slots = xcalloc(n, sizeof *l->slots);
	l->nslots = n;
	for (size_t i = 0; i < l->nt; i++)
		index_put(l, i);
	l->stale = 0;
}

static table *find_table(lint *l, const char *name)
{
	if (!name)
		return NULL;
	if (l->stale || !l->slots)
		index_rebuild(l);
	size_t m = l->nslots - 1;
	for (size_t k = name_hash(name) & m; l->slots[k]; k = (k + 1) & m)
		if (strcmp(l->t[l->slots[k] - 1].name, name) == 0)
			return &l->t[l->slots[k] - 1];
	return NULL;
}

static table *add_table(lint *l, const char *name, int file)
{
	table *t = find_table(l, name);
	if (t)
		return t;
	ARRAY_GROW(l->t, l->nt + 1, l->t_cap);
	t = &l->t[l->nt++];
	memset(t, 0, sizeof *t);
	t->name = xstrdup(name);
	t->file = file;
	t->from_db = file < 0;
	if (2 * l->nt > l->nslots)
		index_rebuild(l);
	else
		index_put(l, l->nt - 1);
	return t;
}

static void drop_table(lint *l, const char *name)
{
	table *t = find_table(l, name);
	if (!t)
		return;
	table_free(t);
	*t = l->t[--l->nt];
	l->stale = 1;
}

static col *find_col(table *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

static void set_col(table *t, const char *name, const char *type, int m1, int m2)
{
	if (!t || !name)
		return;
	col *c = find_col(t, name);
	if (!c) {
		ARRAY_GROW(t->cols, t->ncols + 1, t->cols_cap);
		c = &t->cols[t->ncols++];
		c->name = xstrdup(name);
		c->type = NULL;
	}
	free(c->type);
	c->type = type ? xstrdup(type) : NULL;
	c->m1 = m1;
	c->m2 = m2;
}

static void add_lead(table *t, const char *colname)
{
	if (!t || !colname)
		return;
	ARRAY_GROW(t->leads, t->nleads + 1, t->leads_cap);
	t->leads[t->nleads++] = xstrdup(colname);
}

static int has_lead(const table *t, const char *colname)
{
	for (size_t i = 0; t && i < t->nleads; i++)
		if (strcmp(t->leads[i], colname) == 0)
			return 1;
	return 0;
}

/* Existing = holds data before this migration: found in the database, or (without one)
 * created by an earlier file. */
static int existing(const fctx *fc, const table *t)
{
	return t && (t->from_db || (!fc->l->have_db && t->file != fc->l->nfile));
}

/* ---- findings ---- */

static int line_of(const fctx *fc, const cJSON *obj)
{
	const cJSON *loc = cJSON_GetObjectItemCaseSensitive(obj, "location");
	if (!cJSON_IsNumber(loc) || loc->valuedouble < 0)
		return fc->st->line;
	int line, colno;
	parse_line_col(fc->text, fc->st->base + (size_t)loc->valuedouble, &line, &colno);
	return line;
}

static void finding(fctx *fc, int rule, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void finding(fctx *fc, int rule, int line, const char *fmt, ...)
{
	lint *l = fc->l;
	if (!fc->check || fc->ignore[rule] || l->sev[rule] == LINT_OFF)
		return;
	buf m = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	ARRAY_GROW(l->f, l->nf + 1, l->f_cap);
	lint_finding *f = &l->f[l->nf++];
	f->rule = &rules[rule];
	f->severity = l->sev[rule];
	f->file = xstrdup(fc->file);
	f->line = line;
	f->message = buf_detach(&m);
}

static void remember(pending **v, size_t *n, size_t *cap, const char *tbl, const char *c,
                     const char *name, int line)
{
	ARRAY_GROW(*v, *n + 1, *cap);
	(*v)[*n] = (pending){tbl ? xstrdup(tbl) : NULL, c ? xstrdup(c) : NULL,
	                     name ? xstrdup(name) : NULL, line};
	(*n)++;
}

static void forget(pending *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].table);
		free(v[i].col);
		free(v[i].name);
	}
	free(v);
}

/* ---- reading the tree ---- */

static const char *last_name(const cJSON *list)
{
	const cJSON *last = NULL, *e;
	cJSON_ArrayForEach(e, list) last = e;
	return last ? parse_str(last, "String.sval") : NULL;
}

/* A TypeName's internal name and modifiers. */
static const char *type_of(const cJSON *tn, int *m1, int *m2)
{
	*m1 = *m2 = -1;
	const cJSON *e;
	int i = 0;
	cJSON_ArrayForEach(e, parse_get(tn, "typmods"))
	{
		const cJSON *v = parse_get(e, "A_Const.ival");
		int n =
		    v ? (cJSON_IsNumber(parse_get(v, "ival")) ? parse_get(v, "ival")->valueint : 0)
		      : -1;
		if (i == 0)
			*m1 = n;
		else if (i == 1)
			*m2 = n;
		i++;
	}
	const char *name = last_name(parse_get(tn, "names"));
	if (name && strcmp(name, "numeric") == 0 && *m1 >= 0 && *m2 < 0)
		*m2 = 0; /* numeric(p) is numeric(p, 0) */
	return name;
}

static int int_rank(const char *t)
{
	if (!t)
		return 0;
	if (strcmp(t, "int2") == 0)
		return 1;
	if (strcmp(t, "int4") == 0)
		return 2;
	if (strcmp(t, "int8") == 0)
		return 3;
	return 0;
}

static int is_varlen_text(const char *t)
{
	return t && (strcmp(t, "varchar") == 0 || strcmp(t, "text") == 0);
}

/* 0: no rewrite; 1: rewrite; 2: narrowing. */
static int type_change(const col *old, const char *nt, int n1, int n2)
{
	const char *ot = old->type;
	if (!ot || !nt)
		return 1;
	if (strcmp(ot, nt) == 0) {
		if (strcmp(nt, "varchar") == 0 || strcmp(nt, "bpchar") == 0) {
			if (n1 < 0 || (old->m1 >= 0 && n1 >= old->m1))
				return strcmp(nt, "bpchar") == 0 && n1 != old->m1 ? 1 : 0;
			return 2;
		}
		if (strcmp(nt, "numeric") == 0) {
			if (n1 < 0)
				return 0;
			if (old->m1 < 0 || n1 < old->m1 || n2 < old->m2)
				return 2;
			return n2 == old->m2 ? 0 : 1;
		}
		return n1 == old->m1 && n2 == old->m2 ? 0 : 1;
	}
	if (is_varlen_text(ot) && is_varlen_text(nt))
		return strcmp(nt, "varchar") == 0 && n1 >= 0 ? 2 : 0;
	if (int_rank(ot) && int_rank(nt))
		return int_rank(nt) < int_rank(ot) ? 2 : 1;
	if (strcmp(ot, "float8") == 0 && strcmp(nt, "float4") == 0)
		return 2;
	return 1;
}

static void type_text(const char *t, int m1, int m2, char *out, size_t n)
{
	if (m1 >= 0 && m2 >= 0)
		snprintf(out, n, "%s(%d,%d)", t ? t : "?", m1, m2);
	else if (m1 >= 0)
		snprintf(out, n, "%s(%d)", t ? t : "?", m1);
	else
		snprintf(out, n, "%s", t ? t : "?");
}

static const char *const volatile_fns[] = {
    "random",
    "random_normal",
    "gen_random_uuid",
    "gen_random_bytes",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "setseed",
    NULL,
};

/* The name of a volatile function called anywhere inside expr, or NULL. */
static const char *volatile_call(const cJSON *expr)
{
	if (!expr)
		return NULL;
	if (expr->string && strcmp(expr->string, "FuncCall") == 0) {
		const char *fn = last_name(parse_get(expr, "funcname"));
		for (size_t i = 0; fn && volatile_fns[i]; i++)
			if (strcasecmp(fn, volatile_fns[i]) == 0)
				return volatile_fns[i];
	}
	for (const cJSON *c = expr->child; c; c = c->next) {
		const char *v = volatile_call(c);
		if (v)
			return v;
	}
	return NULL;
}

static const char *first_key(const cJSON *list)
{
	return list && list->child ? parse_str(list->child, "String.sval") : NULL;
}

/* ---- rules per statement ---- */

/* A statement that locks an existing table: lock_timeout and statement_timeout first. */
static void locking(fctx *fc, const char *what, const table *t)
{
	if (!existing(fc, t))
		return;
	if (!fc->lock_timeout && !fc->l->db_lock_timeout && !fc->lock_reported) {
		fc->lock_reported = 1;
		finding(fc, R_LOCK_TIMEOUT, fc->st->line,
		        "%s locks table %s without a lock_timeout set before it", what, t->name);
	}
	if (!fc->statement_timeout && !fc->l->db_statement_timeout && !fc->statement_reported) {
		fc->statement_reported = 1;
		finding(fc, R_STATEMENT_TIMEOUT, fc->st->line,
		        "%s locks table %s without a statement_timeout set before it", what,
		        t->name);
	}
}

static void column_def(fctx *fc, table *t, const cJSON *cd, int added)
{
	const char *name = parse_str(cd, "colname");
	int m1, m2;
	const char *type = type_of(parse_get(cd, "typeName"), &m1, &m2);
	const cJSON *c;
	cJSON_ArrayForEach(c, parse_get(cd, "constraints"))
	{
		const cJSON *k = parse_get(c, "Constraint");
		const char *ct = parse_str(k, "contype");
		if (!ct)
			continue;
		if (strcmp(ct, "CONSTR_PRIMARY") == 0) {
			t->has_pk = 1;
			add_lead(t, name);
		} else if (strcmp(ct, "CONSTR_UNIQUE") == 0) {
			add_lead(t, name);
		} else if (strcmp(ct, "CONSTR_FOREIGN") == 0) {
			remember(&fc->fks, &fc->nfks, &fc->fks_cap, t->name, name, NULL,
			         line_of(fc, k));
		} else if (strcmp(ct, "CONSTR_DEFAULT") == 0 && added && existing(fc, t)) {
			const char *fn = volatile_call(parse_get(k, "raw_expr"));
			if (fn)
				finding(
				    fc, R_VOLATILE_DEFAULT, line_of(fc, k),
				    "ADD COLUMN %s to existing table %s with a volatile default "
				    "(%s())",
				    name, t->name, fn);
		}
	}
	if (added && existing(fc, t) && type &&
	    (strcmp(type, "serial") == 0 || strcmp(type, "bigserial") == 0 ||
	     strcmp(type, "smallserial") == 0 || strcmp(type, "serial4") == 0 ||
	     strcmp(type, "serial8") == 0 || strcmp(type, "serial2") == 0))
		finding(fc, R_VOLATILE_DEFAULT, line_of(fc, cd),
		        "ADD COLUMN %s %s to existing table %s fills every row from a sequence",
		        name, type, t->name);
	if (type && strcmp(type, "serial") == 0)
		type = "int4";
	else if (type && strcmp(type, "bigserial") == 0)
		type = "int8";
	set_col(t, name, type, m1, m2);
}

static void table_constraint(fctx *fc, table *t, const cJSON *k, int altered)
{
	const char *ct = parse_str(k, "contype");
	if (!ct)
		return;
	int ex = altered && existing(fc, t);
	int line = line_of(fc, k);
	if (strcmp(ct, "CONSTR_PRIMARY") == 0) {
		t->has_pk = 1;
		add_lead(t, first_key(parse_get(k, "keys")));
	} else if (strcmp(ct, "CONSTR_UNIQUE") == 0) {
		add_lead(t, first_key(parse_get(k, "keys")));
	} else if (strcmp(ct, "CONSTR_FOREIGN") == 0) {
		if (ex && !parse_bool(k, "skip_validation"))
			finding(fc, R_FK_NOT_VALID, line,
			        "ADD FOREIGN KEY on existing table %s without NOT VALID", t->name);
		remember(&fc->fks, &fc->nfks, &fc->fks_cap, t->name,
		         first_key(parse_get(k, "fk_attrs")), NULL, line);
	} else if (strcmp(ct, "CONSTR_CHECK") == 0) {
		int not_valid = parse_bool(k, "skip_validation");
		if (ex && !not_valid)
			finding(fc, R_CHECK_NOT_VALID, line,
			        "ADD CHECK on existing table %s without NOT VALID", t->name);
		const cJSON *nt = parse_get(k, "raw_expr.NullTest");
		const char *nc = first_key(parse_get(nt, "arg.ColumnRef.fields"));
		const char *kind = parse_str(nt, "nulltesttype");
		if (nc && kind && strcmp(kind, "IS_NOT_NULL") == 0) {
			if (not_valid)
				remember(&fc->checks, &fc->nchecks, &fc->checks_cap, t->name, nc,
				         parse_str(k, "conname"), line);
			else
				remember(&fc->notnull, &fc->nnotnull, &fc->notnull_cap, t->name, nc,
				         NULL, line);
		}
	}
}

static int notnull_proven(const fctx *fc, const char *tbl, const char *c)
{
	for (size_t i = 0; i < fc->nnotnull; i++)
		if (strcmp(fc->notnull[i].table, tbl) == 0 && strcmp(fc->notnull[i].col, c) == 0)
			return 1;
	return 0;
}

static void create_stmt(fctx *fc, const cJSON *f)
{
	const char *name = parse_str(f, "relation.relname");
	if (!name)
		return;
	table *t = add_table(fc->l, name, fc->l->nfile);
	const cJSON *e;
	int inherits = parse_get(f, "inhRelations") != NULL || parse_get(f, "partbound") != NULL;
	cJSON_ArrayForEach(e, parse_get(f, "tableElts"))
	{
		if (parse_get(e, "ColumnDef"))
			column_def(fc, t, parse_get(e, "ColumnDef"), 0);
		else if (parse_get(e, "Constraint"))
			table_constraint(fc, t, parse_get(e, "Constraint"), 0);
		else if (parse_get(e, "TableLikeClause"))
			inherits = 1;
	}
	const char *persistence = parse_str(f, "relation.relpersistence");
	if (!inherits && !(persistence && strcmp(persistence, "t") == 0))
		remember(&fc->new_tables, &fc->nnew, &fc->new_tables_cap, name, NULL, NULL,
		         fc->st->line);
}

static void alter_table(fctx *fc, const cJSON *f)
{
	const char *objtype = parse_str(f, "objtype");
	if (objtype && strcmp(objtype, "OBJECT_TABLE") != 0)
		return;
	const char *name = parse_str(f, "relation.relname");
	table *t = find_table(fc->l, name);
	if (!t)
		t = add_table(fc->l, name, fc->l->nfile); /* unknown to us: treat as new */
	locking(fc, "ALTER TABLE", t);
	int ex = existing(fc, t);
	const cJSON *c;
	cJSON_ArrayForEach(c, parse_get(f, "cmds"))
	{
		const cJSON *cmd = parse_get(c, "AlterTableCmd");
		const char *sub = parse_str(cmd, "subtype");
		const char *cn = parse_str(cmd, "name");
		if (!sub)
			continue;
		if (strcmp(sub, "AT_AddColumn") == 0) {
			column_def(fc, t, parse_get(cmd, "def.ColumnDef"), 1);
		} else if (strcmp(sub, "AT_AddConstraint") == 0) {
			table_constraint(fc, t, parse_get(cmd, "def.Constraint"), 1);
		} else if (strcmp(sub, "AT_ValidateConstraint") == 0 && cn) {
			for (size_t i = 0; i < fc->nchecks; i++)
				if (fc->checks[i].name && strcmp(fc->checks[i].name, cn) == 0 &&
				    strcmp(fc->checks[i].table, t->name) == 0)
					remember(&fc->notnull, &fc->nnotnull, &fc->notnull_cap,
					         t->name, fc->checks[i].col, NULL, fc->st->line);
		} else if (strcmp(sub, "AT_SetNotNull") == 0 && cn) {
			if (ex && !notnull_proven(fc, t->name, cn))
				finding(fc, R_SET_NOT_NULL, fc->st->line,
				        "SET NOT NULL on column %s of existing table %s without a "
				        "validated CHECK (%s IS NOT NULL) before it",
				        cn, t->name, cn);
		} else if (strcmp(sub, "AT_AlterColumnType") == 0 && cn) {
			int m1, m2;
			const char *nt =
			    type_of(parse_get(cmd, "def.ColumnDef.typeName"), &m1, &m2);
			col *old = find_col(t, cn);
			col unknown = {(char *)cn, NULL, -1, -1};
			int how = type_change(old ? old : &unknown, nt, m1, m2);
			if (ex && how == 2) {
				char from[64], to[64];
				type_text(old->type, old->m1, old->m2, from, sizeof from);
				type_text(nt, m1, m2, to, sizeof to);
				finding(fc, R_NARROWING, fc->st->line,
				        "column %s of existing table %s narrowed from %s to %s", cn,
				        t->name, from, to);
			} else if (ex && how == 1)
				finding(
				    fc, R_TYPE_REWRITE, fc->st->line,
				    "ALTER COLUMN %s TYPE %s on existing table %s rewrites it%s",
				    cn, nt ? nt : "?", t->name,
				    old && old->type ? "" : " (its current type is unknown here)");
			set_col(t, cn, nt, m1, m2);
		} else if (strcmp(sub, "AT_DropColumn") == 0 && cn) {
			if (ex)
				finding(fc, R_DROP_COLUMN, fc->st->line,
				        "DROP COLUMN %s of existing table %s", cn, t->name);
			col *old = find_col(t, cn);
			if (old) {
				free(old->name);
				free(old->type);
				*old = t->cols[--t->ncols];
			}
		}
	}
}

static void index_stmt(fctx *fc, const cJSON *f)
{
	table *t = find_table(fc->l, parse_str(f, "relation.relname"));
	int concurrent = parse_bool(f, "concurrent");
	if (!concurrent)
		locking(fc, "CREATE INDEX", t);
	if (existing(fc, t) && !concurrent)
		finding(fc, R_INDEX, fc->st->line, "CREATE INDEX on existing table %s", t->name);
	const cJSON *first = parse_get(f, "indexParams");
	const char *lead = first && first->child ? parse_str(first->child, "IndexElem.name") : NULL;
	add_lead(t, lead);
	if (t && parse_bool(f, "primary"))
		t->has_pk = 1;
}

static void rename_stmt(fctx *fc, const cJSON *f)
{
	const char *rt = parse_str(f, "renameType");
	table *t = find_table(fc->l, parse_str(f, "relation.relname"));
	const char *nn = parse_str(f, "newname");
	if (!rt || !t || !nn)
		return;
	int ex = existing(fc, t);
	if (strcmp(rt, "OBJECT_COLUMN") == 0) {
		const char *old = parse_str(f, "subname");
		locking(fc, "RENAME COLUMN", t);
		if (ex)
			finding(fc, R_RENAME_COLUMN, fc->st->line,
			        "RENAME COLUMN %s TO %s on existing table %s", old ? old : "?", nn,
			        t->name);
		col *c = find_col(t, old);
		if (c) {
			free(c->name);
			c->name = xstrdup(nn);
		}
	} else if (strcmp(rt, "OBJECT_TABLE") == 0) {
		locking(fc, "RENAME TO", t);
		if (ex)
			finding(fc, R_RENAME_TABLE, fc->st->line, "existing table %s renamed to %s",
			        t->name, nn);
		free(t->name);
		t->name = xstrdup(nn);
		fc->l->stale = 1;
	}
}

static void drop_stmt(fctx *fc, const cJSON *f)
{
	const char *rt = parse_str(f, "removeType");
	if (!rt || strcmp(rt, "OBJECT_TABLE") != 0)
		return;
	const cJSON *o;
	cJSON_ArrayForEach(o, parse_get(f, "objects"))
	{
		const char *name = last_name(parse_get(o, "List.items"));
		table *t = find_table(fc->l, name);
		if (!t)
			continue;
		locking(fc, "DROP TABLE", t);
		if (existing(fc, t))
			finding(fc, R_DROP_TABLE, fc->st->line, "DROP TABLE %s (an existing table)",
			        name);
		drop_table(fc->l, name);
	}
}

static void set_stmt(fctx *fc, const cJSON *f)
{
	const char *name = parse_str(f, "name");
	const char *kind = parse_str(f, "kind");
	if (!name || !kind)
		return;
	int on = 0;
	if (strcmp(kind, "VAR_SET_VALUE") == 0) {
		const cJSON *a = parse_get(f, "args");
		const cJSON *c = a && a->child ? parse_get(a->child, "A_Const") : NULL;
		const char *s = parse_str(c, "sval.sval");
		on = s ? strcmp(s, "0") != 0 : parse_bool(c, "ival.ival");
	}
	if (strcasecmp(name, "lock_timeout") == 0)
		fc->lock_timeout = on;
	else if (strcasecmp(name, "statement_timeout") == 0)
		fc->statement_timeout = on;
}

static void statement(fctx *fc)
{
	const char *k = fc->st->kind;
	const cJSON *f = parse_fields(fc->st->node);
	if (strcmp(k, "CreateStmt") == 0)
		create_stmt(fc, f);
	else if (strcmp(k, "CreateTableAsStmt") == 0)
		add_table(fc->l,
		          parse_str(f, "into.rel.relname") ? parse_str(f, "into.rel.relname") : "",
		          fc->l->nfile);
	else if (strcmp(k, "AlterTableStmt") == 0)
		alter_table(fc, f);
	else if (strcmp(k, "IndexStmt") == 0)
		index_stmt(fc, f);
	else if (strcmp(k, "RenameStmt") == 0)
		rename_stmt(fc, f);
	else if (strcmp(k, "DropStmt") == 0)
		drop_stmt(fc, f);
	else if (strcmp(k, "VariableSetStmt") == 0)
		set_stmt(fc, f);
	else if (strcmp(k, "CreateTrigStmt") == 0 || strcmp(k, "TruncateStmt") == 0) {
		const cJSON *rel = strcmp(k, "TruncateStmt") == 0 && parse_get(f, "relations")
		                       ? parse_get(parse_get(f, "relations")->child, "RangeVar")
		                       : parse_get(f, "relation");
		locking(fc, strcmp(k, "TruncateStmt") == 0 ? "TRUNCATE" : "CREATE TRIGGER",
		        find_table(fc->l, parse_str(rel, "relname")));
	}
}

/* `orchestrator:lint-ignore RULE[,RULE...]` anywhere in the file (in a comment). */
static void read_ignores(fctx *fc, const char *text, size_t len)
{
	static const char tag[] = "orchestrator:lint-ignore";
	const char *end = text + len;
	for (const char *p = text; (p = memmem(p, (size_t)(end - p), tag, sizeof tag - 1));) {
		p += sizeof tag - 1;
		int line = 0, colno;
		while (p < end && *p != '\n' && *p != '*') {
			while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
				p++;
			const char *w = p;
			while (p < end && (isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
				p++;
			if (p == w) {
				if (p < end && *p != '\n' && *p != '*')
					p++;
				continue;
			}
			char id[64];
			snprintf(id, sizeof id, "%.*s", (int)(p - w), w);
			const lint_rule *r = lint_rule_find(id);
			if (r) {
				fc->ignore[r - rules] = 1;
			} else {
				if (!line)
					parse_line_col(text, (size_t)(w - text), &line, &colno);
				finding(fc, R_IGNORE_UNKNOWN, line, "lint-ignore names rule \"%s\"",
				        id);
			}
		}
	}
}

static void run(lint *l, const char *file, const char *text, size_t len, int check)
{
	fctx fc = {.l = l, .file = file, .text = text, .check = check};
	parse_script s;
	parse_script_text(text, len, &s);
	if (check)
		read_ignores(&fc, text, len);
	const parse_stmt *no_tx = NULL, *tx = NULL;
	const char *no_tx_kind = NULL;
	for (size_t i = 0; i < s.n; i++) {
		fc.st = &s.v[i];
		if (!fc.st->node) {
			int line, colno;
			parse_line_col(text, fc.st->error_off, &line, &colno);
			finding(&fc, R_NOT_PARSED, line, "not linted: %s", fc.st->error);
			continue;
		}
		const char *k = parse_no_transaction(fc.st->node, 150000);
		if (k && !no_tx) {
			no_tx = fc.st;
			no_tx_kind = k;
		} else if (!k && !tx && strcmp(fc.st->kind, "VariableSetStmt") != 0) {
			tx = fc.st;
		}
		statement(&fc);
	}
	if (no_tx && tx) {
		fc.st = no_tx;
		finding(&fc, R_MIXED_TX, no_tx->line,
		        "%s (line %d) shares the migration with transactional statements (line %d)",
		        no_tx_kind, no_tx->line, tx->line);
	}
	for (size_t i = 0; i < fc.nfks; i++) {
		table *t = find_table(l, fc.fks[i].table);
		if (t && fc.fks[i].col && !has_lead(t, fc.fks[i].col))
			finding(
			    &fc, R_FK_INDEX, fc.fks[i].line,
			    "foreign key column %s of table %s has no index that starts with it",
			    fc.fks[i].col, t->name);
	}
	for (size_t i = 0; i < fc.nnew; i++) {
		table *t = find_table(l, fc.new_tables[i].table);
		if (t && !t->has_pk)
			finding(&fc, R_PRIMARY_KEY, fc.new_tables[i].line,
			        "table %s has no primary key", t->name);
	}
	forget(fc.fks, fc.nfks);
	forget(fc.checks, fc.nchecks);
	forget(fc.notnull, fc.nnotnull);
	forget(fc.new_tables, fc.nnew);
	parse_script_free(&s);
	l->nfile++;
}

void lint_learn(lint *l, const char *file, const char *text, size_t len)
{
	run(l, file, text, len, 0);
}

void lint_check(lint *l, const char *file, const char *text, size_t len)
{
	run(l, file, text, len, 1);
}

/* ---- the database ---- */

int lint_load_database(lint *l, const char *url, err *e)
{
	PGconn *c = NULL;
	if (conn_open(url, &c, e))
		return e->code;
	PGresult *r = NULL;
	int rc = conn_exec(
	    c,
	    "SELECT c.relname, a.attname, t.typname, CASE WHEN a.atttypmod < 0 THEN -1 WHEN "
	    "t.typname = 'numeric' THEN ((a.atttypmod - 4) >> 16) & 65535 ELSE a.atttypmod - 4 "
	    "END, CASE WHEN t.typname = 'numeric' AND a.atttypmod >= 0 THEN (a.atttypmod - 4) & "
	    "65535 ELSE -1 END FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid "
	    "= c.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > "
	    "0 AND NOT a.attisdropped JOIN pg_catalog.pg_type t ON t.oid = a.atttypid WHERE "
	    "c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
	    "AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1, a.attnum",
	    &r, e);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		table *t = add_table(l, PQgetvalue(r, i, 0), -1);
		set_col(t, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), atoi(PQgetvalue(r, i, 3)),
		        atoi(PQgetvalue(r, i, 4)));
	}
	PQclear(r);
	r = NULL;
	if (rc == 0)
		rc = conn_exec(
		    c,
		    "SELECT c.relname, a.attname, i.indisprimary FROM pg_catalog.pg_index i "
		    "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid JOIN "
		    "pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN "
		    "pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = "
		    "i.indkey[0] WHERE n.nspname NOT IN ('pg_catalog', "
		    "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'",
		    &r, e);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		table *t = find_table(l, PQgetvalue(r, i, 0));
		add_lead(t, PQgetvalue(r, i, 1));
		if (t && strcmp(PQgetvalue(r, i, 2), "t") == 0)
			t->has_pk = 1;
	}
	PQclear(r);
	r = NULL;
	if (rc == 0)
		rc = conn_exec(c,
		               "SELECT current_setting('lock_timeout') <> '0', "
		               "current_setting('statement_timeout') <> '0'",
		               &r, e);
	if (rc == 0) {
		l->db_lock_timeout = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		l->db_statement_timeout = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
		l->have_db = 1;
	}
	PQclear(r);
	PQfinish(c);
	return rc ? err_prefix(e, "reading the existing tables for lint") : 0;
}
