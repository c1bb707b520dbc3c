/* compare: two databases' tables side by side, computed inside each server (see compare.h). */
#include "pg/compare.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "core/log.h"
#include "core/progress.h"
#include "pg/conn.h"

#define DEFAULT_SPLIT_PAGES 8192 /* 64 MB of 8 kB pages */
#define SAMPLE_SCALE 1000000     /* sample_pct resolution: 0.0001 % */

/* The text form of every value must not depend on either server's or role's settings. */
static const char session_sql[] =
    "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC';"
    "SET extra_float_digits = 1; SET bytea_output = 'hex'; SET lc_monetary = 'C';"
    "SET default_transaction_read_only = on; SET statement_timeout = 0";
static const char begin_sql[] = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/* One row per column (a table without columns gives one row of NULLs), sorted by name. */
static const char catalog_sql[] =
    "SELECT n.nspname, c.relname, c.relkind::text,"
    " pg_relation_size(c.oid) / current_setting('block_size')::int,"
    " a.attname, format_type(a.atttypid, a.atttypmod), co.collname,"
    " (SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
    "  WHERE k.attnum = a.attnum),"
    " a.atttypid, ty.typtype::text"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    " LEFT JOIN pg_type ty ON ty.oid = a.atttypid"
    " LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0"
    " LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
    " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname !~ '^pg_(toast|temp_)'"
    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\", a.attname COLLATE \"C\"";

typedef struct column {
	const char *name, *type, *collation; /* point into the side's catalog result */
	int pkpos;                           /* 1-based position in the primary key, 0 none */
	unsigned typoid;                     /* pg_type oid */
	char typtype;                        /* b base, d domain, e enum, c composite... */
} column;

typedef struct table {
	const char *schema, *name;
	char kind; /* r plain, p partitioned */
	long long pages;
	column *cols;
	size_t ncols;
} table;

typedef struct side {
	const char *label;
	PGconn **conns;
	int nconns;
	PGresult *catalog;
	table *tables;
	size_t ntables;
	int version;
} side;

typedef struct unit {
	size_t table; /* index into the result's tables */
	int which;    /* 0 source, 1 target */
	char *sql;    /* heap */
	int done;
} unit;

typedef struct plan {
	int compared; /* both sides present: units were made */
	int pending[2];
	int columns_same;
	size_t ncommon;
} plan;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remote_error(PGconn *c, PGresult *r, const char *label, const char *what, err *e)
{
	buf m = BUF_INIT;
	conn_describe_error(r, c, &m);
	log_redact(&m);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int code = state && strncmp(state, "42501", 5) == 0 ? ORC_EREMOTE : ORC_EFAIL;
	err_set(e, code, "%s: %s: %s%s", label, what, buf_cstr(&m),
	        code == ORC_EREMOTE ? " (the role needs SELECT on every compared table)" : "");
	buf_free(&m);
	return code;
}

static int side_exec(side *s, int i, const char *sql, PGresult **res, const char *what, err *e)
{
	PGresult *r = PQexec(s->conns[i], sql);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (res)
			*res = r;
		else
			PQclear(r);
		return 0;
	}
	int rc = remote_error(s->conns[i], r, s->label, what, e);
	PQclear(r);
	return rc;
}

static void side_close(side *s)
{
	for (int i = 0; i < s->nconns; i++)
		if (s->conns[i])
			PQfinish(s->conns[i]);
	free(s->conns);
	for (size_t i = 0; i < s->ntables; i++)
		free(s->tables[i].cols);
	free(s->tables);
	PQclear(s->catalog);
}

/* The catalog result turned into tables, each owning a run of its rows. */
static void side_tables(side *s)
{
	PGresult *r = s->catalog;
	int n = PQntuples(r);
	s->tables = xcalloc((size_t)n + 1, sizeof *s->tables);
	for (int i = 0; i < n; i++) {
		table *t = s->ntables ? &s->tables[s->ntables - 1] : NULL;
		if (!t || strcmp(t->schema, PQgetvalue(r, i, 0)) ||
		    strcmp(t->name, PQgetvalue(r, i, 1))) {
			t = &s->tables[s->ntables++];
			t->schema = PQgetvalue(r, i, 0);
			t->name = PQgetvalue(r, i, 1);
			t->kind = PQgetvalue(r, i, 2)[0];
			t->pages = atoll(PQgetvalue(r, i, 3));
			t->cols = xcalloc((size_t)n - i, sizeof *t->cols);
		}
		if (PQgetisnull(r, i, 4))
			continue;
		column *c = &t->cols[t->ncols++];
		c->name = PQgetvalue(r, i, 4);
		c->type = PQgetvalue(r, i, 5);
		c->collation = PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6);
		c->pkpos = PQgetisnull(r, i, 7) ? 0 : atoi(PQgetvalue(r, i, 7));
		c->typoid = (unsigned)strtoul(PQgetvalue(r, i, 8), NULL, 10);
		c->typtype = PQgetvalue(r, i, 9)[0];
	}
}

/* Connects jobs connections that share one exported snapshot. The catalog is read on the
 * first one before the others connect: they import the snapshot however late they come. */
static int side_open(side *s, const char *url, const char *label, int jobs, err *e)
{
	int rc;
	s->label = label;
	s->conns = xcalloc((size_t)jobs, sizeof *s->conns);
	s->nconns = jobs;
	PGresult *snap = NULL;
	for (int i = 0; i < jobs; i++) {
		if ((rc = conn_open_as(url, label, &s->conns[i], e)))
			goto out;
		if ((rc = side_exec(s, i, session_sql, NULL, "session settings", e)) ||
		    (rc = side_exec(s, i, begin_sql, NULL, "BEGIN", e)))
			goto out;
		if (i == 0) {
			s->version = PQserverVersion(s->conns[0]);
			if (s->version < 110000) {
				rc = err_set(e, ORC_EUSAGE,
				             "%s: PostgreSQL %d is too old for db compare "
				             "(hashtextextended needs 11 or later)",
				             label, s->version / 10000);
				goto out;
			}
			if ((rc = side_exec(s, 0, "SELECT pg_export_snapshot()", &snap,
			                    "pg_export_snapshot", e)) ||
			    (rc = side_exec(s, 0, catalog_sql, &s->catalog, "reading the catalog",
			                    e)))
				goto out;
			continue;
		}
		char *lit = PQescapeLiteral(s->conns[i], PQgetvalue(snap, 0, 0),
		                            strlen(PQgetvalue(snap, 0, 0)));
		char *sql = xasprintf("SET TRANSACTION SNAPSHOT %s", lit);
		PQfreemem(lit);
		rc = side_exec(s, i, sql, NULL, "importing the exported snapshot", e);
		free(sql);
		if (rc)
			goto out;
	}
	side_tables(s);
	log_verbose("%s: %zu tables, snapshot %s, %d connection(s)", label, s->ntables,
	            PQgetvalue(snap, 0, 0), jobs);
out:
	PQclear(snap);
	return rc;
}

static int selected(const compare_opts *o, const table *t)
{
	int ok = o->nschemas == 0;
	for (size_t i = 0; i < o->nschemas; i++)
		ok |= strcmp(o->schemas[i], t->schema) == 0;
	if (!ok || o->ntables == 0)
		return ok;
	for (size_t i = 0; i < o->ntables; i++) {
		const char *dot = strchr(o->tables[i], '.');
		if (dot ? strncmp(o->tables[i], t->schema, (size_t)(dot - o->tables[i])) == 0 &&
		              t->schema[dot - o->tables[i]] == '\0' && strcmp(dot + 1, t->name) == 0
		        : strcmp(o->tables[i], t->name) == 0)
			return 1;
	}
	return 0;
}

static int table_cmp(const table *a, const table *b)
{
	int c = strcmp(a->schema, b->schema);
	return c ? c : strcmp(a->name, b->name);
}

static void add_diff(compare_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_diff(compare_table *t, const char *fmt, ...)
{
	buf m = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	ARRAY_GROW(t->differences, t->ndifferences + 2, t->differences_cap);
	t->differences[t->ndifferences++] = buf_detach(&m);
	t->differences[t->ndifferences] = NULL;
}

static const char *or_none(const char *s)
{
	return s ? s : "none";
}

/* Column differences; the columns both sides have (sorted by name) go to common[] (the
 * source's) and common_b[] (the target's). */
static size_t columns_diff(compare_table *ct, const table *a, const table *b, const column **common,
                           const column **common_b)
{
	size_t i = 0, j = 0, n = 0;
	while (i < a->ncols || j < b->ncols) {
		int c = i == a->ncols   ? 1
		        : j == b->ncols ? -1
		                        : strcmp(a->cols[i].name, b->cols[j].name);
		if (c < 0) {
			add_diff(ct, "column %s only on source", a->cols[i++].name);
		} else if (c > 0) {
			add_diff(ct, "column %s only on target", b->cols[j++].name);
		} else {
			const column *x = &a->cols[i++], *y = &b->cols[j++];
			if (strcmp(x->type, y->type))
				add_diff(ct, "column %s is %s on source, %s on target", x->name,
				         x->type, y->type);
			else if ((x->collation || y->collation) &&
			         (!x->collation || !y->collation ||
			          strcmp(x->collation, y->collation)))
				add_diff(ct, "column %s has collation %s on source, %s on target",
				         x->name, or_none(x->collation), or_none(y->collation));
			common_b[n] = y;
			common[n++] = x;
		}
	}
	return n;
}

static int key_cmp(const void *a, const void *b)
{
	return (*(const column *const *)a)->pkpos - (*(const column *const *)b)->pkpos;
}

/* "ROW(t."a", t."b")::text COLLATE "C"" of cols. */
static void row_text(PGconn *c, const column *const *cols, size_t n, buf *out)
{
	buf_puts(out, "(ROW(");
	for (size_t i = 0; i < n; i++) {
		char *id = PQescapeIdentifier(c, cols[i]->name, strlen(cols[i]->name));
		buf_printf(out, "%st.%s", i ? ", " : "", id);
		PQfreemem(id);
	}
	buf_puts(out, ")::text COLLATE \"C\")");
}

/* Types whose own hash function (the one hash_record_extended calls) gives different values
 * for any two values of different text form, and the ROW field that hashes them. OIDs of
 * built-in types are fixed in every PostgreSQL release. Left out on purpose: numeric (its
 * hash ignores the scale and the sign: 1.5, 1.50 and -1.5 hash alike), float4/8 (0 and -0),
 * jsonb (numbers inside, and an XOR of rotated element hashes), arrays (only the elements
 * are hashed, not the bounds: '{1,2}' and '{{1},{2}}' hash alike), interval ('1 day' equals
 * '24 hours'), char(n) and domains (their cast to text trims), and every type without a hash
 * opclass: they go through their text form, as every column did before. */
static const struct {
	unsigned oid;
	const char *field; /* %s: the quoted column name */
} hashed_types[] = {
    {16, "t.%s"},   /* bool */
    {17, "t.%s"},   /* bytea: every byte */
    {21, "t.%s"},   /* int2 */
    {23, "t.%s"},   /* int4 */
    {1082, "t.%s"}, /* date: an int4 */
    {2950, "t.%s"}, /* uuid: all 16 bytes */
    /* text and varchar: their bytes, not a nondeterministic collation's sort key */
    {25, "(t.%s COLLATE \"C\")"},
    {1043, "(t.%s COLLATE \"C\")"},
    /* The hash of int8 and of the 64-bit time types folds the two halves into 32 bits
     * (0 and 4294967297 hash alike): their 8-byte binary form is hashed whole instead. */
    {20, "int8send(t.%s)"},          /* int8 */
    {1083, "time_send(t.%s)"},       /* time */
    {1114, "timestamp_send(t.%s)"},  /* timestamp */
    {1184, "timestamptz_send(t.%s)"} /* timestamptz */
};

/* The ROW field format of a column on both sides: its type's hash when both sides have the
 * same hashed type, else its text form. */
static const char *field_format(const column *x, const column *y)
{
	if (x->typoid == y->typoid && x->typtype == y->typtype && !strcmp(x->type, y->type))
		for (size_t i = 0; i < sizeof hashed_types / sizeof hashed_types[0]; i++)
			if (hashed_types[i].oid == x->typoid)
				return hashed_types[i].field;
	/* char(n)'s cast to text trims trailing blanks, and a domain's cast is its base
	 * type's: the output function through a one-field row keeps every character. */
	if (x->typoid == 1042 || x->typtype == 'd' || y->typoid == 1042 || y->typtype == 'd')
		return "(ROW(t.%s)::text COLLATE \"C\")";
	return "(t.%s::text COLLATE \"C\")";
}

/* The 64-bit hash of a row: hash_record_extended over one field per column (sorted by
 * name), each hashed by its type (field_format). hash_record_extended combines its fields
 * linearly (31 * h + field) and hashes NULL as 0, so the result goes once more through a
 * hash that mixes all 64 bits (hashint8extended's seed): without it, two rows swapping
 * their values of one column would leave the sum of the table unchanged, and a row of
 * NULLs would add 0. */
static void row_hash(PGconn *c, const column *const *cols, const column *const *other, size_t n,
                     buf *out)
{
	buf_puts(out, "hashint8extended(0, hash_record_extended(ROW(");
	for (size_t i = 0; i < n; i++) {
		char *id = PQescapeIdentifier(c, cols[i]->name, strlen(cols[i]->name));
		if (i)
			buf_puts(out, ", ");
		buf_printf(out, field_format(cols[i], other[i]), id);
		PQfreemem(id);
	}
	buf_puts(out, "), 0))");
}

/* The checksum query of one table (or one block range of it). The row hash: per column
 * by type (row_hash) when both servers have hash_record_extended (PostgreSQL 14), else
 * of the whole row's text form. */
static char *unit_sql(PGconn *c, const table *t, const column *const *cols,
                      const column *const *other, size_t ncols, int typed, const buf *sample,
                      long long lo, long long hi)
{
	buf q = BUF_INIT, h = BUF_INIT;
	if (typed) {
		row_hash(c, cols, other, ncols, &h);
	} else {
		buf_puts(&h, "hashtextextended(");
		row_text(c, cols, ncols, &h);
		buf_puts(&h, ", 0)");
	}
	if (sample->len)
		buf_printf(&q,
		           "SELECT count(*), count(*) FILTER (WHERE %s), coalesce(sum(%s) FILTER "
		           "(WHERE %s), 0)::text",
		           buf_cstr(sample), buf_cstr(&h), buf_cstr(sample));
	else
		buf_printf(&q, "SELECT count(*), count(*), coalesce(sum(%s), 0)::text",
		           buf_cstr(&h));
	char *s = PQescapeIdentifier(c, t->schema, strlen(t->schema));
	char *n = PQescapeIdentifier(c, t->name, strlen(t->name));
	buf_printf(&q, " FROM %s%s.%s AS t", t->kind == 'r' ? "ONLY " : "", s, n);
	PQfreemem(s);
	PQfreemem(n);
	if (lo > 0 || hi >= 0)
		buf_printf(&q, " WHERE t.ctid >= '(%lld,0)'::tid", lo);
	if (hi >= 0)
		buf_printf(&q, " AND t.ctid < '(%lld,0)'::tid", hi);
	buf_free(&h);
	return buf_detach(&q);
}

/* A sum printed by the server (any size, maybe negative) reduced modulo 2^64. */
static uint64_t sum_mod64(const char *s)
{
	uint64_t v = 0;
	int neg = *s == '-';
	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return neg ? (uint64_t)0 - v : v;
}

typedef struct run {
	const compare_opts *o;
	side sides[2];
	compare_result *res;
	plan *plans;
	unit *units;
	size_t nunits, units_cap, next[2];
	int typed; /* both servers hash rows by column type (row_hash) */
	size_t tables_done, tables_total;
	int64_t start;
	progress *shown; /* NULL: no progress (--no-progress) */
} run;

static void units_add(run *r, size_t ti, int which, char *sql)
{
	ARRAY_GROW(r->units, r->nunits + 1, r->units_cap);
	r->units[r->nunits++] = (unit){ti, which, sql, 0};
	r->plans[ti].pending[which]++;
}

/* Units of one side of a table: whole, or block ranges when it is large and jobs > 1. */
static void plan_side(run *r, size_t ti, int which, const table *t, const column *const *cols,
                      const column *const *other, size_t ncols, const buf *sample)
{
	side *s = &r->sides[which];
	long long split = r->o->split_pages > 0 ? r->o->split_pages : DEFAULT_SPLIT_PAGES;
	int parts = 1;
	/* TID range scans (PostgreSQL 14) read only the range; before, every part would scan
	 * the whole table. */
	if (t->kind == 'r' && s->nconns > 1 && s->version >= 140000 && t->pages > split)
		parts = s->nconns;
	long long step = (t->pages + parts - 1) / parts;
	for (int p = 0; p < parts; p++) {
		long long lo = p * step, hi = p == parts - 1 ? -1 : (p + 1) * step;
		if (parts == 1)
			lo = 0;
		units_add(r, ti, which,
		          unit_sql(s->conns[0], t, cols, other, ncols, r->typed, sample, lo, hi));
	}
}

/* Matches the two catalogs: tables and columns on one side only are differences; every
 * table on both sides gets its units. */
static void plan_all(run *r)
{
	const compare_opts *o = r->o;
	side *a = &r->sides[0], *b = &r->sides[1];
	compare_result *res = r->res;
	res->tables = xcalloc(a->ntables + b->ntables + 1, sizeof *res->tables);
	r->plans = xcalloc(a->ntables + b->ntables + 1, sizeof *r->plans);
	double pct = o->sample_pct > 0 && o->sample_pct < 100 ? o->sample_pct : 0;
	size_t i = 0, j = 0;
	while (i < a->ntables || j < b->ntables) {
		const table *x = i < a->ntables ? &a->tables[i] : NULL;
		const table *y = j < b->ntables ? &b->tables[j] : NULL;
		int c = !x ? 1 : !y ? -1 : table_cmp(x, y);
		if (c < 0)
			y = NULL, i++;
		else if (c > 0)
			x = NULL, j++;
		else
			i++, j++;
		const table *t = x ? x : y;
		if (!selected(o, t))
			continue;
		size_t ti = res->ntables++;
		compare_table *ct = &res->tables[ti];
		ct->schema = xstrdup(t->schema);
		ct->name = xstrdup(t->name);
		ct->source.present = x != NULL;
		ct->target.present = y != NULL;
		if (!x || !y) {
			/* Its rows are still counted, to say what is missing. */
			add_diff(ct, "table only on %s", x ? "source" : "target");
			const column **all = xcalloc(t->ncols + 1, sizeof *all);
			for (size_t k = 0; k < t->ncols; k++)
				all[k] = &t->cols[k];
			buf none = BUF_INIT;
			plan_side(r, ti, x ? 0 : 1, t, all, all, t->ncols, &none);
			free(all);
			r->tables_total++;
			continue;
		}
		const column **common = xcalloc(x->ncols + 1, sizeof *common);
		const column **common_b = xcalloc(x->ncols + 1, sizeof *common_b);
		size_t n = columns_diff(ct, x, y, common, common_b);
		r->plans[ti].columns_same = ct->ndifferences == 0;
		r->plans[ti].ncommon = n;
		buf sample = BUF_INIT;
		if (pct > 0) {
			/* The key: the source's primary key, when the target has the same one. */
			const column **key = xcalloc(n + 1, sizeof *key);
			size_t nk = 0, nkx = 0, nky = 0;
			for (size_t k = 0; k < x->ncols; k++)
				nkx += x->cols[k].pkpos > 0;
			for (size_t k = 0; k < y->ncols; k++)
				nky += y->cols[k].pkpos > 0;
			for (size_t k = 0; k < n; k++)
				if (common[k]->pkpos > 0)
					key[nk++] = common[k];
			if (nk > 0 && nk == nkx && nk == nky) {
				qsort(key, nk, sizeof *key, key_cmp);
				buf_puts(&sample, "abs(hashtextextended(");
				row_text(a->conns[0], key, nk, &sample);
				buf_printf(&sample, ", 1) %% %d) < %lld", SAMPLE_SCALE,
				           (long long)(pct * (SAMPLE_SCALE / 100) + 0.5));
				ct->sampled = 1;
			} else {
				ct->no_key = 1;
			}
			free(key);
		}
		plan_side(r, ti, 0, x, common, common_b, n, &sample);
		plan_side(r, ti, 1, y, common_b, common, n, &sample);
		r->plans[ti].compared = 1;
		r->tables_total++;
		buf_free(&sample);
		free(common);
		free(common_b);
	}
}

static void show_progress(run *r)
{
	double secs = (now_ms() - r->start) / 1000.0;
	progress_update(r->shown, LOG_TONE_NONE, NULL, "%zu/%zu tables, %lld rows, %.0f rows/s",
	                r->tables_done, r->tables_total, r->res->rows,
	                secs > 0 ? r->res->rows / secs : 0.0);
}

static void finish_table(run *r, size_t ti)
{
	compare_table *ct = &r->res->tables[ti];
	plan *p = &r->plans[ti];
	r->tables_done++;
	if (!ct->source.present || !ct->target.present)
		return;
	if (ct->source.rows != ct->target.rows)
		add_diff(ct, "row count %lld on source, %lld on target", ct->source.rows,
		         ct->target.rows);
	if (ct->source.checksum != ct->target.checksum ||
	    ct->source.sampled_rows != ct->target.sampled_rows) {
		if (!p->columns_same)
			add_diff(ct, "checksum of the %zu common columns differs", p->ncommon);
		else if (ct->sampled)
			add_diff(ct,
			         "checksum of the sampled rows differs (%lld on source, %lld on "
			         "target)",
			         ct->source.sampled_rows, ct->target.sampled_rows);
		else
			add_diff(ct, "checksum differs");
	}
}

static int on_result(run *r, unit *u, PGconn *c, PGresult *res, err *e)
{
	side *s = &r->sides[u->which];
	compare_table *ct = &r->res->tables[u->table];
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char *what = xasprintf("%s.%s", ct->schema, ct->name);
		int rc = remote_error(c, res, s->label, what, e);
		free(what);
		return rc;
	}
	compare_side *cs = u->which ? &ct->target : &ct->source;
	long long rows = atoll(PQgetvalue(res, 0, 0));
	cs->rows += rows;
	cs->sampled_rows += atoll(PQgetvalue(res, 0, 1));
	cs->checksum += sum_mod64(PQgetvalue(res, 0, 2));
	if (u->which == 0)
		r->res->rows += rows;
	u->done = 1;
	if (--r->plans[u->table].pending[u->which] == 0 &&
	    r->plans[u->table].pending[!u->which] == 0)
		finish_table(r, u->table);
	return 0;
}

/* Next unit of side which, or NULL. */
static unit *next_unit(run *r, int which)
{
	while (r->next[which] < r->nunits && r->units[r->next[which]].which != which)
		r->next[which]++;
	return r->next[which] < r->nunits ? &r->units[r->next[which]++] : NULL;
}

/* Drives every connection of both sides until all units are done. */
static int drive(run *r, err *e)
{
	int n = r->sides[0].nconns + r->sides[1].nconns;
	PGconn **conns = xcalloc((size_t)n, sizeof *conns);
	int *which = xcalloc((size_t)n, sizeof *which);
	unit **busy = xcalloc((size_t)n, sizeof *busy);
	struct pollfd *fds = xcalloc((size_t)n, sizeof *fds);
	int k = 0, rc = 0;
	for (int w = 0; w < 2; w++)
		for (int i = 0; i < r->sides[w].nconns; i++, k++)
			conns[k] = r->sides[w].conns[i], which[k] = w;
	for (;;) {
		int active = 0;
		for (int i = 0; i < n; i++) {
			if (!busy[i] && (busy[i] = next_unit(r, which[i]))) {
				if (!PQsendQuery(conns[i], busy[i]->sql)) {
					rc = remote_error(conns[i], NULL, r->sides[which[i]].label,
					                  "sending a query", e);
					goto out;
				}
			}
			if (busy[i]) {
				fds[active].fd = PQsocket(conns[i]);
				fds[active].events = POLLIN;
				fds[active].revents = 0;
				active++;
			}
		}
		if (!active)
			break;
		show_progress(r);
		if (poll(fds, (nfds_t)active, 500) < 0)
			continue; /* EINTR: look again */
		for (int i = 0; i < n; i++) {
			if (!busy[i])
				continue;
			if (!PQconsumeInput(conns[i])) {
				rc = remote_error(conns[i], NULL, r->sides[which[i]].label,
				                  "connection lost", e);
				goto out;
			}
			while (busy[i] && !PQisBusy(conns[i])) {
				PGresult *res = PQgetResult(conns[i]);
				if (!res) {
					busy[i] = NULL;
					break;
				}
				if (!busy[i]->done)
					rc = on_result(r, busy[i], conns[i], res, e);
				PQclear(res);
				if (rc)
					goto out;
			}
		}
	}
	show_progress(r);
out:
	free(conns);
	free(which);
	free(busy);
	free(fds);
	return rc;
}

static int server_encoding_check(run *r, err *e)
{
	const char *a = PQparameterStatus(r->sides[0].conns[0], "server_encoding");
	const char *b = PQparameterStatus(r->sides[1].conns[0], "server_encoding");
	if (a && b && strcmp(a, b))
		return err_set(e, ORC_EUSAGE,
		               "the databases have different encodings (%s on source, %s on "
		               "target): text would hash differently everywhere; db compare needs "
		               "the same encoding on both sides",
		               a, b);
	return 0;
}

int compare_run(const compare_opts *o, compare_result **out, err *e)
{
	run r = {0};
	r.o = o;
	int jobs = o->jobs > 0 ? o->jobs : 1;
	int rc;
	r.start = now_ms();
	if (o->progress)
		r.shown = progress_start("db compare");
	r.res = xcalloc(1, sizeof *r.res);
	r.res->sample_pct = o->sample_pct > 0 && o->sample_pct < 100 ? o->sample_pct : 0;
	if ((rc = side_open(&r.sides[0], o->source_url, o->source_label, jobs, e)) ||
	    (rc = side_open(&r.sides[1], o->target_url, o->target_label, jobs, e)) ||
	    (rc = server_encoding_check(&r, e)))
		goto out;
	r.typed = r.sides[0].version >= 140000 && r.sides[1].version >= 140000;
	plan_all(&r);
	for (size_t i = 0; i < o->ntables; i++) {
		int found = 0;
		const char *dot = strchr(o->tables[i], '.');
		size_t slen = dot ? (size_t)(dot - o->tables[i]) : 0;
		for (size_t t = 0; t < r.res->ntables && !found; t++) {
			compare_table *ct = &r.res->tables[t];
			found = strcmp(dot ? dot + 1 : o->tables[i], ct->name) == 0 &&
			        (!dot || (strncmp(o->tables[i], ct->schema, slen) == 0 &&
			                  ct->schema[slen] == '\0'));
		}
		if (!found) {
			rc = err_set(e, ORC_EUSAGE,
			             "--table %s: no such table on either side (check the name, "
			             "SCHEMA.NAME, and --schema)",
			             o->tables[i]);
			goto out;
		}
	}
	if ((rc = drive(&r, e)))
		goto out;
	for (size_t i = 0; i < r.res->ntables; i++)
		r.res->ndifferent += r.res->tables[i].ndifferences > 0;
	r.res->seconds = (now_ms() - r.start) / 1000.0;
	*out = r.res;
	r.res = NULL;
out:
	progress_end(r.shown);
	/* Read-only transactions: closing the connections ends them; nothing to commit. */
	side_close(&r.sides[0]);
	side_close(&r.sides[1]);
	for (size_t i = 0; i < r.nunits; i++)
		free(r.units[i].sql);
	free(r.units);
	free(r.plans);
	compare_result_free(r.res);
	return rc;
}

void compare_result_free(compare_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntables; i++) {
		compare_table *t = &r->tables[i];
		free(t->schema);
		free(t->name);
		for (size_t d = 0; d < t->ndifferences; d++)
			free(t->differences[d]);
		free(t->differences);
	}
	free(r->tables);
	free(r);
}

static void side_cell(const compare_side *s, buf *out, int checksum)
{
	if (!s->present)
		buf_printf(out, checksum ? "%-16s" : "%12s", "-");
	else if (checksum)
		buf_printf(out, "%016llx", (unsigned long long)s->checksum);
	else
		buf_printf(out, "%12lld", s->rows);
}

static void join_names(const compare_result *r, int sampled, buf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ntables; i++) {
		const compare_table *t = &r->tables[i];
		if (sampled ? t->sampled : t->no_key)
			buf_printf(out, "%s%s.%s", n++ ? ", " : "", t->schema, t->name);
	}
}

static void summary_line(const compare_result *r, buf *out)
{
	buf_printf(out,
	           "db compare: %zu table%s, %zu equal, %zu different; %lld source rows in %.1f s",
	           r->ntables, r->ntables == 1 ? "" : "s", r->ntables - r->ndifferent,
	           r->ndifferent, r->rows, r->seconds);
	if (r->sample_pct > 0) {
		buf names = BUF_INIT, nokey = BUF_INIT;
		join_names(r, 1, &names);
		join_names(r, 0, &nokey);
		buf_printf(out, "; checksums of a %g%% sample by primary-key hash: %s",
		           r->sample_pct, names.len ? buf_cstr(&names) : "none");
		if (nokey.len)
			buf_printf(out, "; no primary key, checksummed in full: %s",
			           buf_cstr(&nokey));
		buf_free(&names);
		buf_free(&nokey);
	}
}

void compare_render_text(const compare_result *r, buf *out)
{
	buf_printf(out, "%-40s %12s %12s  %-16s %-16s  %s\n", "table", "source rows", "target rows",
	           "source checksum", "target checksum", "result");
	for (size_t i = 0; i < r->ntables; i++) {
		const compare_table *t = &r->tables[i];
		char name[512];
		snprintf(name, sizeof name, "%s.%s", t->schema, t->name);
		buf_printf(out, "%-40s ", name);
		side_cell(&t->source, out, 0);
		buf_putc(out, ' ');
		side_cell(&t->target, out, 0);
		buf_puts(out, "  ");
		side_cell(&t->source, out, 1);
		buf_putc(out, ' ');
		side_cell(&t->target, out, 1);
		buf_puts(out, t->ndifferences ? "  DIFFERENT: " : "  equal");
		for (size_t d = 0; d < t->ndifferences; d++)
			buf_printf(out, "%s%s", d ? "; " : "", t->differences[d]);
		if (t->sampled)
			buf_printf(out, " (sampled %g%%: %lld rows)", r->sample_pct,
			           t->source.sampled_rows);
		else if (t->no_key)
			buf_puts(out, " (no primary key: checksummed in full)");
		buf_putc(out, '\n');
	}
	summary_line(r, out);
	buf_putc(out, '\n');
}

static cJSON *side_json(const compare_side *s)
{
	if (!s->present)
		return cJSON_CreateNull();
	cJSON *j = cJSON_CreateObject();
	char hex[17];
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)s->checksum);
	cJSON_AddNumberToObject(j, "rows", (double)s->rows);
	cJSON_AddNumberToObject(j, "checksummed_rows", (double)s->sampled_rows);
	cJSON_AddStringToObject(j, "checksum", hex);
	return j;
}

void compare_render_json(const compare_result *r, buf *out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "equal", r->ndifferent == 0);
	cJSON *tables = cJSON_AddArrayToObject(root, "tables");
	for (size_t i = 0; i < r->ntables; i++) {
		const compare_table *t = &r->tables[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "schema", t->schema);
		cJSON_AddStringToObject(j, "table", t->name);
		cJSON_AddBoolToObject(j, "equal", t->ndifferences == 0);
		cJSON_AddItemToObject(j, "source", side_json(&t->source));
		cJSON_AddItemToObject(j, "target", side_json(&t->target));
		if (t->sampled)
			cJSON_AddNumberToObject(j, "sample_pct", r->sample_pct);
		else
			cJSON_AddNullToObject(j, "sample_pct");
		cJSON_AddBoolToObject(j, "no_primary_key", t->no_key);
		cJSON *d = cJSON_AddArrayToObject(j, "differences");
		for (size_t k = 0; k < t->ndifferences; k++)
			cJSON_AddItemToArray(d, cJSON_CreateString(t->differences[k]));
		cJSON_AddItemToArray(tables, j);
	}
	cJSON *s = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(s, "tables", (double)r->ntables);
	cJSON_AddNumberToObject(s, "different", (double)r->ndifferent);
	cJSON_AddNumberToObject(s, "source_rows", (double)r->rows);
	cJSON_AddNumberToObject(s, "seconds", r->seconds);
	if (r->sample_pct > 0)
		cJSON_AddNumberToObject(s, "sample_pct", r->sample_pct);
	else
		cJSON_AddNullToObject(s, "sample_pct");
	char *text = cJSON_PrintUnformatted(root);
	buf_puts(out, text);
	buf_putc(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}

/* Markdown cell text: pipes and newlines would break the table. */
static void md_cell(buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			buf_puts(out, "\\|");
		else if (*s == '\n' || *s == '\r')
			buf_putc(out, ' ');
		else
			buf_putc(out, *s);
	}
}

void compare_render_markdown(const compare_result *r, buf *out)
{
	buf_printf(out, "### db compare: %s\n\n",
	           r->ndifferent ? "differences found" : "the databases are equal");
	buf_puts(out, "| table | source rows | target rows | source checksum | target checksum | "
	              "result |\n|---|---:|---:|---|---|---|\n");
	for (size_t i = 0; i < r->ntables; i++) {
		const compare_table *t = &r->tables[i];
		buf_puts(out, "| ");
		md_cell(out, t->schema);
		buf_putc(out, '.');
		md_cell(out, t->name);
		buf_puts(out, " | ");
		side_cell(&t->source, out, 0);
		buf_puts(out, " | ");
		side_cell(&t->target, out, 0);
		buf_puts(out, " | ");
		side_cell(&t->source, out, 1);
		buf_puts(out, " | ");
		side_cell(&t->target, out, 1);
		buf_puts(out, " | ");
		if (!t->ndifferences)
			buf_puts(out, "equal");
		for (size_t d = 0; d < t->ndifferences; d++) {
			buf_puts(out, d ? "; " : "**different**: ");
			md_cell(out, t->differences[d]);
		}
		if (t->sampled)
			buf_printf(out, " (sampled %g%%)", r->sample_pct);
		buf_puts(out, " |\n");
	}
	buf_putc(out, '\n');
	summary_line(r, out);
	buf_putc(out, '\n');
}
