/*
 * migrate: the engine (see migrate.h). The heart is classify(): it lines up the files
 * with the history rows and gives every migration its Flyway state (Pending, Success,
 * Failed, Missing, Outdated, Ignored, Baseline, Future, ...) plus the problems validation
 * reports; migrate, info, validate and repair all read that one table, so they can never
 * disagree about what a state means.
 */
#include "pg/migrate.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "pg/conn.h"
#include "pg/discover.h"
#include "pg/history.h"
#include "pg/sqlsplit.h"
#include "pg/version.h"

enum {
	P_CHANGED = 1,  /* applied file changed: checksum or description */
	P_FAILED = 2,   /* a failed row */
	P_MISSING = 4,  /* applied, no file */
	P_IGNORED = 8,  /* pending below the highest applied version */
	P_PENDING = 16, /* not applied yet */
};

typedef struct info_row {
	const pg_migration *file; /* NULL for a row without file */
	const pg_applied *row;    /* NULL for a file not applied */
	const char *state;
	int problems;
	int apply; /* migrate runs it */
} info_row;

typedef struct engine {
	const migrate_opts *o;
	PGconn *c;
	pg_history h;
	pg_migrations m;
	int server_version;
	char *user, *database, *search_path;
	info_row *rows;
	size_t n_rows;
	unsigned batches;
	const char *baseline;    /* version of the last BASELINE row */
	const char *max_applied; /* highest successful version */
} engine;

static const char *const default_locations[] = {"sql"};

#define SET_PATH_SQL "SELECT pg_catalog.set_config('search_path', $1, false)"

static void engine_free(engine *g)
{
	free(g->rows);
	free(g->user);
	free(g->database);
	free(g->search_path);
	history_close(&g->h);
	discover_free(&g->m);
	if (g->c)
		PQfinish(g->c);
}

/* Files first (a bad file name fails before any connection), then the connection, the
 * session facts and the history table's name. */
static int engine_open(engine *g, const migrate_opts *o, int need_files, err *e)
{
	memset(g, 0, sizeof *g);
	g->o = o;
	if (need_files) {
		const char *const *locs = o->n_locations ? o->locations : default_locations;
		size_t nl = o->n_locations ? o->n_locations : 1;
		if (discover_scan(locs, nl, &g->m, e))
			return e->code;
	}
	if (o->target && !version_valid(o->target, strlen(o->target)))
		return err_set(e, ORC_EUSAGE,
		               "--target %s: not a version (digits separated by '.')", o->target);
	if (conn_open(o->url, &g->c, e))
		return e->code;
	g->server_version = PQserverVersion(g->c);
	PQclear(PQexec(g->c, "SET client_min_messages = warning"));
	/* A runner killed mid-migration: the server notices within a second and rolls back
	 * (PostgreSQL 14+), releasing the lock for the next runner. */
	if (g->server_version >= 140000)
		PQclear(PQexec(g->c, "SET client_connection_check_interval = 1000"));
	if (history_open(&g->h, g->c, o->schema, o->table, e))
		return e->code;
	PGresult *r;
	if (conn_exec(g->c,
	              "SELECT current_user, current_database(), current_setting('search_path')", &r,
	              e))
		return err_prefix(e, "reading the session");
	g->user = xstrdup(o->installed_by ? o->installed_by : PQgetvalue(r, 0, 0));
	g->database = xstrdup(PQgetvalue(r, 0, 1));
	g->search_path = xstrdup(PQgetvalue(r, 0, 2));
	PQclear(r);
	return 0;
}

/* --schema also becomes the first schema of search_path for the migrations (Flyway's
 * defaultSchema behaviour). */
static int engine_set_search_path(engine *g, err *e)
{
	if (!g->o->schema)
		return 0;
	char *q = PQescapeIdentifier(g->c, g->h.schema, strlen(g->h.schema));
	char *sp = g->search_path[0] ? xasprintf("%s, %s", q, g->search_path) : xstrdup(q);
	PQfreemem(q);
	free(g->search_path);
	g->search_path = sp;
	const char *p[] = {sp};
	if (conn_execp(g->c, SET_PATH_SQL, 1, p, NULL, e))
		return err_prefix(e, "setting search_path to %s", sp);
	return 0;
}

/* ---- classification ---- */

static int cmp_file_version(const void *key, const void *elem)
{
	return version_cmp(key, ((const pg_migration *)elem)->version);
}

static int cmp_file_desc(const void *key, const void *elem)
{
	return strcmp(key, ((const pg_migration *)elem)->description);
}

static const pg_migration *find_versioned(const engine *g, const char *version)
{
	return bsearch(version, g->m.v, g->m.n_versioned, sizeof *g->m.v, cmp_file_version);
}

static const pg_migration *find_repeatable(const engine *g, const char *desc)
{
	return bsearch(desc, g->m.v + g->m.n_versioned, g->m.n - g->m.n_versioned, sizeof *g->m.v,
	               cmp_file_desc);
}

static int is_marker(const pg_applied *a)
{
	return strcmp(a->type, "SCHEMA") == 0 || strcmp(a->type, "DELETE") == 0;
}

/* Flyway's repair (9+) marks a missing migration with a later DELETE row. */
static int is_deleted(const pg_history *h, const pg_applied *a)
{
	for (size_t i = 0; i < h->n; i++) {
		const pg_applied *d = &h->rows[i];
		if (d->rank <= a->rank || strcmp(d->type, "DELETE") != 0)
			continue;
		if (a->version ? d->version && version_cmp(a->version, d->version) == 0
		               : !d->version && strcmp(a->description, d->description) == 0)
			return 1;
	}
	return 0;
}

static void add_row(engine *g, const pg_migration *f, const pg_applied *a, const char *state,
                    int problems, int apply)
{
	info_row *r = &g->rows[g->n_rows++];
	r->file = f;
	r->row = a;
	r->state = state;
	r->problems = problems;
	r->apply = apply;
}

static void classify(engine *g)
{
	const pg_history *h = &g->h;
	const pg_migrations *m = &g->m;
	free(g->rows);
	g->rows = xcalloc(h->n + m->n + 1, sizeof *g->rows);
	g->n_rows = 0;
	g->baseline = g->max_applied = NULL;
	const char *max_file = m->n_versioned ? m->v[m->n_versioned - 1].version : NULL;
	/* Which file each row belongs to, and the latest row of every file. */
	const pg_applied **latest = xcalloc(m->n + 1, sizeof *latest);
	for (size_t i = 0; i < h->n; i++) {
		const pg_applied *a = &h->rows[i];
		if (is_marker(a))
			continue;
		if (strcmp(a->type, "BASELINE") == 0) {
			if (a->version)
				g->baseline = a->version;
		}
		if (a->version && a->success &&
		    (!g->max_applied || version_cmp(a->version, g->max_applied) > 0))
			g->max_applied = a->version;
		const pg_migration *f =
		    a->version
		        ? (strcmp(a->type, "BASELINE") == 0 ? NULL : find_versioned(g, a->version))
		        : find_repeatable(g, a->description);
		if (f)
			latest[f - m->v] = a;
	}
	for (size_t i = 0; i < h->n; i++) {
		const pg_applied *a = &h->rows[i];
		if (is_marker(a)) {
			add_row(g, NULL, a,
			        strcmp(a->type, "DELETE") == 0 ? "Deleted"
			        : a->success                   ? "Success"
			                                       : "Failed",
			        0, 0);
			continue;
		}
		if (strcmp(a->type, "BASELINE") == 0) {
			add_row(g, NULL, a, "Baseline", 0, 0);
			continue;
		}
		const pg_migration *f =
		    a->version ? find_versioned(g, a->version) : find_repeatable(g, a->description);
		int future = a->version && (!max_file || version_cmp(a->version, max_file) > 0);
		if (!a->success) {
			add_row(g, f, a,
			        f        ? "Failed"
			        : future ? "Failed (Future)"
			                 : "Failed (Missing)",
			        P_FAILED, 0);
		} else if (!f && is_deleted(h, a)) {
			add_row(g, NULL, a, "Deleted", 0, 0);
		} else if (!f) {
			add_row(g, NULL, a, future ? "Future" : "Missing", future ? 0 : P_MISSING,
			        0);
		} else if (a->version) {
			int changed = !a->has_checksum || a->checksum != f->checksum ||
			              strcmp(a->description, f->description) != 0;
			add_row(g, f, a, "Success", changed ? P_CHANGED : 0, 0);
		} else if (latest[f - m->v] != a) {
			add_row(g, f, a, "Superseded", 0, 0);
		} else {
			int same = a->has_checksum && a->checksum == f->checksum;
			add_row(g, f, a, same ? "Success" : "Outdated", 0, 0);
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		const pg_migration *f = &m->v[i];
		const pg_applied *a = latest[i];
		if (f->version) {
			if (a)
				continue;
			if (g->baseline && version_cmp(f->version, g->baseline) <= 0)
				add_row(g, f, NULL, "Below Baseline", 0, 0);
			else if (g->o->target && version_cmp(f->version, g->o->target) > 0)
				add_row(g, f, NULL, "Above Target", 0, 0);
			else if (g->max_applied && version_cmp(f->version, g->max_applied) < 0 &&
			         !g->o->out_of_order)
				add_row(g, f, NULL, "Ignored", P_IGNORED, 0);
			else
				add_row(g, f, NULL, "Pending", P_PENDING, 1);
		} else if (!a || !a->success || !a->has_checksum || a->checksum != f->checksum) {
			if (!a || a->success)
				add_row(g, f, NULL, "Pending", P_PENDING, 1);
		}
	}
	free(latest);
}

static const char *row_version(const info_row *r)
{
	return r->row ? r->row->version : r->file->version;
}

static const char *row_script(const info_row *r)
{
	return r->file ? r->file->script : r->row->script;
}

static const char *row_path(const info_row *r)
{
	return r->file ? r->file->path : r->row->script;
}

/* One line for a validation problem. */
static void describe_problem(const engine *g, const info_row *r, int p, buf *out)
{
	const char *v = row_version(r);
	buf label = BUF_INIT;
	if (v)
		buf_printf(&label, "migration %s (%s)", v, row_script(r));
	else
		buf_printf(&label, "repeatable migration '%s' (%s)",
		           r->file ? r->file->description : r->row->description, row_script(r));
	switch (p) {
	case P_CHANGED:
		if (!r->row->has_checksum || r->row->checksum != r->file->checksum)
			buf_printf(
			    out,
			    "%s: checksum mismatch: applied with checksum %d, the file now has %d; "
			    "revert the change, or run repair if it is intended",
			    r->file->path, r->row->has_checksum ? r->row->checksum : 0,
			    r->file->checksum);
		else
			buf_printf(
			    out,
			    "%s: description mismatch: applied as '%s', the file now says '%s'; "
			    "rename it back, or run repair",
			    r->file->path, r->row->description, r->file->description);
		break;
	case P_FAILED:
		buf_printf(
		    out,
		    "%s failed earlier (installed_rank %d in %s); clean up what it left, then "
		    "run repair",
		    buf_cstr(&label), r->row->rank, g->h.qualified);
		break;
	case P_MISSING:
		buf_printf(out,
		           "%s is applied but not in the locations; restore the file or check "
		           "--locations",
		           buf_cstr(&label));
		break;
	case P_IGNORED:
		buf_printf(
		    out,
		    "%s: pending but older than the highest applied version %s; rename it above "
		    "%s, or pass --out-of-order",
		    row_path(r), g->max_applied, g->max_applied);
		break;
	default: buf_printf(out, "%s: not applied yet; run migrate", row_path(r)); break;
	}
	buf_free(&label);
}

/* Reports every problem in mask: all but the first as error lines, the first in e. */
static int check(const engine *g, int mask, err *e)
{
	int count = 0;
	buf first = BUF_INIT, line = BUF_INIT;
	for (size_t i = 0; i < g->n_rows; i++) {
		const info_row *r = &g->rows[i];
		for (int p = 1; p <= P_PENDING; p <<= 1) {
			if (!(r->problems & p & mask))
				continue;
			buf_clear(&line);
			describe_problem(g, r, p, &line);
			if (count++ == 0)
				buf_puts(&first, buf_cstr(&line));
			else
				log_error("validate: %s", buf_cstr(&line));
		}
	}
	if (count)
		err_set(e, ORC_EFAIL, "validate: %s%s", buf_cstr(&first),
		        count > 1 ? " (more problems above)" : "");
	buf_free(&first);
	buf_free(&line);
	return count ? ORC_EFAIL : 0;
}

/* ---- running migrations ---- */

typedef struct prepared {
	info_row *row;
	buf text; /* placeholders replaced */
	sql_stmt *stmts;
	size_t n;
	const char *no_tx; /* the statement kind that forces running outside a transaction */
	int copy;          /* holds COPY ... FROM STDIN: cannot be pipelined */
	int resets_path;   /* may change search_path: restore it afterwards */
} prepared;

static void add_builtins(const engine *g, placeholder_set *ph)
{
	if (g->o->placeholders)
		for (size_t i = 0; i < g->o->placeholders->n; i++)
			placeholder_set_put(ph, g->o->placeholders->items[i].name,
			                    g->o->placeholders->items[i].value);
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	placeholder_set_put(ph, "flyway:defaultSchema", g->h.schema);
	placeholder_set_put(ph, "flyway:user", g->user);
	placeholder_set_put(ph, "flyway:database", g->database);
	placeholder_set_put(ph, "flyway:timestamp", ts);
	placeholder_set_put(ph, "flyway:table", g->h.table);
}

static int prepare(engine *g, const placeholder_set *ph, prepared *p, err *e)
{
	buf raw = BUF_INIT;
	int rc = fs_read_file(p->row->file->path, &raw, e);
	if (rc == 0)
		rc =
		    placeholder_apply(ph, p->row->file->path, buf_cstr(&raw), raw.len, &p->text, e);
	buf_free(&raw);
	if (rc)
		return rc;
	const char *t = buf_cstr(&p->text);
	if (p->text.len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		memset(p->text.ptr, ' ', 3); /* the BOM is not SQL */
	p->n = sqlsplit(t, p->text.len, &p->stmts);
	for (size_t i = 0; i < p->n; i++)
		p->copy |= p->stmts[i].copy;
	/* Only these change the session's search_path (SET, set_config, RESET, SET SCHEMA);
	 * restoring it after every other migration would cost a statement each. */
	p->resets_path = strcasestr(t, "search_path") || strcasestr(t, "reset") ||
	                 strcasestr(t, "set schema") || strcasestr(t, "discard");
	for (size_t i = 0; i < p->n && !p->no_tx; i++)
		sqlsplit_no_transaction(t + p->stmts[i].off, p->stmts[i].len, g->server_version,
		                        &p->no_tx);
	return 0;
}

/* The line of a failed statement: its start, moved to the server's position if any
 * (a 1-based character count into the statement). */
static int error_line(const prepared *p, size_t s, const PGresult *r)
{
	const sql_stmt *st = &p->stmts[s];
	const char *t = buf_cstr(&p->text) + st->off;
	const char *pos = r ? PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION) : NULL;
	int line = st->line;
	/* A runtime error inside a DO block: PL/pgSQL counts lines from the body's opening
	 * dollar quote. */
	const char *ctx = r ? PQresultErrorField(r, PG_DIAG_CONTEXT) : NULL;
	const char *in_do = ctx ? strstr(ctx, "PL/pgSQL function inline_code_block line ") : NULL;
	if (!pos && in_do && st->len > 2 && strncasecmp(t, "DO", 2) == 0) {
		const char *body = memchr(t, '$', st->len);
		int n = atoi(in_do + strlen("PL/pgSQL function inline_code_block line "));
		if (body && n > 0) {
			for (const char *c = t; c < body; c++)
				if (*c == '\n')
					line++;
			return line + n - 1;
		}
	}
	if (pos) {
		long chars = strtol(pos, NULL, 10);
		for (size_t i = 0; i < st->len && chars > 1; i++) {
			if (((unsigned char)t[i] & 0xC0) != 0x80 && i > 0)
				chars--;
			if (t[i] == '\n' || (t[i] == '\r' && t[i + 1] != '\n'))
				line++;
		}
	}
	return line;
}

static const char *migration_label(const pg_migration *f, buf *b)
{
	buf_clear(b);
	if (f->version)
		buf_printf(b, "V%s %s", f->version, f->description);
	else
		buf_printf(b, "R %s", f->description);
	return buf_cstr(b);
}

static int fail(engine *g, prepared *p, size_t s, const PGresult *r, const char *how,
                migrate_result *res, err *e)
{
	buf m = BUF_INIT;
	conn_describe_error(r, g->c, &m);
	/* the server may quote a piece of a secret placeholder value a statement broke on */
	log_redact_fragments(&m, buf_cstr(&p->text), p->text.len);
	int line = s < p->n ? error_line(p, s, r) : 0;
	free(res->fail_file);
	res->fail_file = xstrdup(p->row->file->path);
	res->fail_line = line;
	buf label = BUF_INIT;
	char at[16] = "";
	if (line > 0)
		snprintf(at, sizeof at, ":%d", line);
	err_set(e, ORC_EFAIL, "%s%s: migration %s failed: %s; %s", p->row->file->path, at,
	        migration_label(p->row->file, &label), buf_cstr(&m), how);
	buf_free(&label);
	buf_free(&m);
	return ORC_EFAIL;
}

static int pipe_send(PGconn *c, const char *sql, int n, const char *const *params)
{
	return PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0);
}

/* Transactional migrations ps[0..n), each in its own transaction, sent as one pipeline
 * with a single Sync: BEGIN, its statements, the history INSERT, COMMIT and the restored
 * search_path, for every migration, in one round trip. After an error the server skips
 * everything up to the Sync, so nothing after a failing migration runs; the ones before
 * it stay committed. *done counts those; ms[i] is the server's execution time. */
static int run_batch(engine *g, prepared *ps, size_t n, const char *insert_sql, size_t *done,
                     int *ms, migrate_result *res, err *e)
{
	PGconn *c = g->c;
	const char *sp[] = {g->search_path};
	*done = 0;
	/* The history INSERT is prepared once per batch (a unique name: a migration may have
	 * run DEALLOCATE or DISCARD since the last batch). */
	char stmt_name[32];
	snprintf(stmt_name, sizeof stmt_name, "orc_history_%u", ++g->batches);
	int ok = PQenterPipelineMode(c) && PQsendPrepare(c, stmt_name, insert_sql, 8, NULL);
	for (size_t j = 0; ok && j < n; j++) {
		prepared *p = &ps[j];
		const pg_migration *f = p->row->file;
		char cs[16];
		snprintf(cs, sizeof cs, "%d", (int)f->checksum);
		const char *ip[] = {f->version, f->description, "SQL", f->script,
		                    cs,         g->user,        NULL,  "true"};
		ok = pipe_send(c, "BEGIN", 0, NULL);
		for (size_t i = 0; ok && i < p->n; i++) {
			char *stmt =
			    xstrndup(buf_cstr(&p->text) + p->stmts[i].off, p->stmts[i].len);
			ok = pipe_send(c, stmt, 0, NULL);
			free(stmt);
		}
		ok = ok && PQsendQueryPrepared(c, stmt_name, 8, ip, NULL, NULL, 0) &&
		     pipe_send(c, "COMMIT", 0, NULL);
		if (p->resets_path)
			ok = ok && pipe_send(c, SET_PATH_SQL, 1, sp);
	}
	ok = ok && PQpipelineSync(c);
	if (!ok) {
		err_set(e, ORC_EREMOTE, "%s: sending migrations failed: %s", ps[0].row->file->path,
		        PQerrorMessage(c));
		PQexitPipelineMode(c);
		return ORC_EREMOTE;
	}
	PGresult *bad = NULL;
	size_t bad_j = 0, bad_q = 0;
	PGresult *r;
	while ((r = PQgetResult(c))) {
		if (!bad && PQresultStatus(r) != PGRES_COMMAND_OK) {
			bad = r;
			bad_q = SIZE_MAX; /* the prepare: reported as a history failure */
			continue;
		}
		PQclear(r);
	}
	for (size_t j = 0; j < n && PQstatus(c) != CONNECTION_BAD; j++) {
		size_t nq = ps[j].n + 3 + (size_t)ps[j].resets_path;
		for (size_t q = 0; q < nq; q++) {
			while ((r = PQgetResult(c))) {
				ExecStatusType st = PQresultStatus(r);
				if (!bad && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
				    st != PGRES_PIPELINE_ABORTED && st != PGRES_EMPTY_QUERY) {
					bad = r;
					bad_j = j;
					bad_q = q;
					continue;
				}
				if (!bad && q == ps[j].n + 1 && st == PGRES_TUPLES_OK &&
				    PQntuples(r) == 1)
					ms[j] = atoi(PQgetvalue(r, 0, 0));
				PQclear(r);
			}
			if (PQstatus(c) == CONNECTION_BAD)
				break;
		}
		if (!bad && PQstatus(c) != CONNECTION_BAD)
			*done = j + 1;
	}
	while ((r = PQgetResult(c)) && PQresultStatus(r) != PGRES_PIPELINE_SYNC)
		PQclear(r);
	PQclear(r);
	PQexitPipelineMode(c);
	if (!bad && PQstatus(c) == CONNECTION_BAD) {
		err_set(e, ORC_EREMOTE, "%s: connection lost during the migration: %s",
		        ps[*done < n ? *done : n - 1].row->file->path, PQerrorMessage(c));
		return ORC_EREMOTE;
	}
	if (!bad)
		return 0;
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
	prepared *p = &ps[bad_j];
	int rc;
	if (bad_q >= 1 && bad_q <= p->n)
		rc = fail(g, p, bad_q - 1, bad, "nothing of it was applied (rolled back)", res, e);
	else
		rc = fail(g, p, p->n, bad, "recording it in the history table failed, rolled back",
		          res, e);
	PQclear(bad);
	return rc;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* One statement with PQexec; COPY ... FROM STDIN gets its data. */
static PGresult *exec_stmt(PGconn *c, const prepared *p, const sql_stmt *st)
{
	char *stmt = xstrndup(buf_cstr(&p->text) + st->off, st->len);
	PGresult *r = PQexec(c, stmt);
	free(stmt);
	if (st->copy && PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		const char *data = buf_cstr(&p->text) + st->copy_off;
		if (PQputCopyData(c, data, (int)st->copy_len) != 1 || PQputCopyEnd(c, NULL) != 1)
			return PQgetResult(c);
		r = PQgetResult(c);
		PGresult *extra;
		while ((extra = PQgetResult(c)))
			PQclear(extra);
	}
	return r;
}

/* A migration run statement by statement: inside one transaction when it holds COPY ...
 * FROM STDIN (COPY cannot be pipelined), or in autocommit when it holds a statement that
 * cannot run in a transaction. */
static int run_serial(engine *g, prepared *p, int in_tx, migrate_result *res, err *e)
{
	const pg_migration *f = p->row->file;
	if (!in_tx)
		log_warn("%s: runs outside a transaction because it holds %s; a failure part-way "
		         "leaves the statements before it applied",
		         f->path, p->no_tx);
	double t0 = now_ms();
	int32_t cs = f->checksum;
	if (in_tx && conn_exec(g->c, "BEGIN", NULL, e))
		return err_prefix(e, "%s", f->path);
	for (size_t i = 0; i < p->n; i++) {
		PGresult *r = exec_stmt(g->c, p, &p->stmts[i]);
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
			PQclear(r);
			continue;
		}
		if (PQtransactionStatus(g->c) != PQTRANS_IDLE)
			PQclear(PQexec(g->c, "ROLLBACK"));
		int rc;
		if (in_tx) {
			rc = fail(g, p, i, r, "nothing of it was applied (rolled back)", res, e);
		} else {
			err ie = ERR_INIT;
			history_insert(&g->h, f->version, f->description, "SQL", f->script, &cs,
			               g->user, (int)(now_ms() - t0), 0, &ie);
			rc = fail(g, p, i, r,
			          i ? "the statements before it stay applied; recorded as failed: "
			              "clean up, then run repair"
			            : "recorded as failed: run repair after fixing it",
			          res, e);
		}
		PQclear(r);
		return rc;
	}
	const char *sp[] = {g->search_path};
	int rc = history_insert(&g->h, f->version, f->description, "SQL", f->script, &cs, g->user,
	                        (int)(now_ms() - t0), 1, e);
	if (rc == 0 && in_tx)
		rc = conn_exec(g->c, "COMMIT", NULL, e);
	if (rc && in_tx)
		PQclear(PQexec(g->c, "ROLLBACK"));
	if (rc == 0)
		rc = conn_execp(g->c, SET_PATH_SQL, 1, sp, NULL, e);
	return rc;
}

static void summary_row(buf *md, const pg_migration *f, int ms)
{
	buf_printf(md, "| %s | %s | %s | %d |\n", f->version ? f->version : "", f->description,
	           f->version ? "Versioned" : "Repeatable", ms);
}

/* Flyway's rule: a schema that already holds objects but no history table is not
 * migrated from scratch (it would re-create what is there) unless it is baselined first;
 * --baseline-on-migrate does that on the way. */
static int guard_existing_schema(engine *g, err *e)
{
	if (history_refresh(&g->h, e) || g->h.exists)
		return e->code;
	const char *p[] = {g->h.schema};
	PGresult *r;
	if (conn_execp(
	        g->c,
	        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
	        " ON n.oid = c.relnamespace WHERE n.nspname = $1) OR EXISTS (SELECT 1 FROM "
	        "pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace "
	        "WHERE n.nspname = $1) OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN "
	        "pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND "
	        "t.typrelid = 0 AND t.typcategory <> 'A')",
	        1, p, &r, e))
		return err_prefix(e, "looking into schema %s", g->h.schema);
	int used = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!used)
		return 0;
	if (!g->o->baseline_on_migrate)
		return err_set(e, ORC_EFAIL,
		               "schema %s already holds objects but has no %s table: run baseline "
		               "first (or pass --baseline-on-migrate) so that migrate does not "
		               "re-create what is there",
		               g->h.schema, g->h.table);
	const char *version = g->o->baseline_version ? g->o->baseline_version : "1";
	const char *desc =
	    g->o->baseline_description ? g->o->baseline_description : "<< Flyway Baseline >>";
	if (!version_valid(version, strlen(version)))
		return err_set(e, ORC_EUSAGE,
		               "--baseline-version %s: not a version (digits separated by '.')",
		               version);
	char *v = version_display(version, strlen(version));
	int rc = history_create(&g->h, e);
	if (rc == 0)
		rc = history_insert(&g->h, v, desc, "BASELINE", desc, NULL, g->user, 0, 1, e);
	if (rc == 0)
		log_info("baselined schema %s at version %s (it held objects and no history)",
		         g->h.schema, v);
	free(v);
	return rc;
}

int migrate_run(const migrate_opts *o, migrate_result *res, err *e)
{
	engine g;
	memset(res, 0, sizeof *res);
	int rc = engine_open(&g, o, 1, e);
	if (rc == 0)
		rc = engine_set_search_path(&g, e);
	if (rc == 0)
		rc = history_lock(&g.h, e);
	if (rc == 0)
		rc = guard_existing_schema(&g, e);
	if (rc == 0)
		rc = history_create(&g.h, e);
	if (rc == 0)
		rc = history_read(&g.h, e);
	if (rc) {
		engine_free(&g);
		return rc;
	}
	classify(&g);
	rc = check(&g, P_CHANGED | P_FAILED | P_MISSING | P_IGNORED, e);
	size_t n = 0;
	for (size_t i = 0; i < g.n_rows; i++)
		n += g.rows[i].apply;
	prepared *ps = xcalloc(n + 1, sizeof *ps);
	placeholder_set ph = {0};
	add_builtins(&g, &ph);
	/* Every placeholder resolved before anything runs. */
	size_t k = 0;
	for (size_t i = 0; rc == 0 && i < g.n_rows; i++) {
		if (!g.rows[i].apply)
			continue;
		ps[k].row = &g.rows[i];
		rc = prepare(&g, &ph, &ps[k], e);
		k++;
	}
	char *insert_sql = history_insert_sql(&g.h);
	buf md = BUF_INIT, label = BUF_INIT;
	buf_puts(
	    &md,
	    "### Migrations applied\n\n| Version | Description | Type | ms |\n|---|---|---|---|\n");
	int *ms = xcalloc(n + 1, sizeof *ms);
	for (size_t i = 0; rc == 0 && i < n;) {
		if (ps[i].no_tx || ps[i].copy) {
			double t0 = now_ms();
			rc = run_serial(&g, &ps[i], !ps[i].no_tx, res, e);
			if (rc)
				break;
			ms[i] = (int)(now_ms() - t0);
			res->applied++;
			log_info("applied %s (%d ms)", migration_label(ps[i].row->file, &label),
			         ms[i]);
			summary_row(&md, ps[i].row->file, ms[i]);
			i++;
			continue;
		}
		/* A batch: consecutive transactional migrations, bounded in count and size. */
		size_t j = i, bytes = 0;
		while (j < n && !ps[j].no_tx && !ps[j].copy && j - i < 500 && bytes < (8u << 20))
			bytes += ps[j++].text.len;
		size_t done = 0;
		rc = run_batch(&g, ps + i, j - i, insert_sql, &done, ms + i, res, e);
		for (size_t d = i; d < i + done; d++) {
			res->applied++;
			log_info("applied %s (%d ms)", migration_label(ps[d].row->file, &label),
			         ms[d]);
			summary_row(&md, ps[d].row->file, ms[d]);
		}
		i = j;
	}
	free(ms);
	if (rc && res->fail_file)
		buf_printf(&md, "\nFailed: `%s` line %d\n", res->fail_file, res->fail_line);
	if (rc == 0) {
		if (n == 0)
			log_info("schema %s is up to date%s%s", g.h.schema,
			         g.max_applied ? ": version " : "",
			         g.max_applied ? g.max_applied : "");
		else
			log_info("applied %d migration%s to schema %s", res->applied,
			         res->applied == 1 ? "" : "s", g.h.schema);
	}
	if (res->applied || res->fail_file)
		log_gha_summary(buf_cstr(&md));
	history_unlock(&g.h);
	for (size_t i = 0; i < n; i++) {
		buf_free(&ps[i].text);
		free(ps[i].stmts);
	}
	free(ps);
	free(insert_sql);
	buf_free(&md);
	buf_free(&label);
	placeholder_set_free(&ph);
	engine_free(&g);
	return rc;
}

void migrate_result_free(migrate_result *res)
{
	free(res->fail_file);
	memset(res, 0, sizeof *res);
}

/* ---- info, validate, baseline, repair ---- */

static const char *category(const info_row *r)
{
	if (r->row && is_marker(r->row))
		return "";
	return row_version(r) ? "Versioned" : "Repeatable";
}

static const char *row_type(const info_row *r)
{
	return r->row ? r->row->type : "SQL";
}

static const char *row_description(const info_row *r)
{
	return r->file ? r->file->description : r->row->description;
}

static void print_table(const engine *g)
{
	const char *head[] = {"Category",     "Version",   "Description", "Type",
	                      "Installed On", "Time (ms)", "State"};
	size_t w[7];
	for (int c = 0; c < 7; c++)
		w[c] = strlen(head[c]);
	char ms[16];
	for (size_t i = 0; i < g->n_rows; i++) {
		const info_row *r = &g->rows[i];
		const char *v = row_version(r);
		const char *cells[7] = {category(r),
		                        v ? v : "",
		                        row_description(r),
		                        row_type(r),
		                        r->row ? r->row->installed_on : "",
		                        "",
		                        r->state};
		for (int c = 0; c < 7; c++)
			if (strlen(cells[c]) > w[c])
				w[c] = strlen(cells[c]);
	}
	buf out = BUF_INIT;
	buf_printf(&out, "Schema %s, table %s, version %s\n", g->h.schema, g->h.table,
	           g->max_applied ? g->max_applied : "<< Empty Schema >>");
	for (int c = 0; c < 7; c++)
		buf_printf(&out, "%-*s%s", (int)w[c], head[c], c < 6 ? " | " : "\n");
	for (size_t i = 0; i < g->n_rows; i++) {
		const info_row *r = &g->rows[i];
		const char *v = row_version(r);
		ms[0] = 0;
		if (r->row)
			snprintf(ms, sizeof ms, "%d", r->row->execution_time);
		const char *cells[7] = {category(r),
		                        v ? v : "",
		                        row_description(r),
		                        row_type(r),
		                        r->row ? r->row->installed_on : "",
		                        ms,
		                        r->state};
		for (int c = 0; c < 7; c++)
			buf_printf(&out, "%-*s%s", (int)w[c], cells[c], c < 6 ? " | " : "\n");
	}
	fputs(buf_cstr(&out), stdout);
	buf_free(&out);
}

static void print_json(const engine *g)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "schemaName", g->h.schema);
	cJSON_AddStringToObject(root, "table", g->h.table);
	if (g->max_applied)
		cJSON_AddStringToObject(root, "schemaVersion", g->max_applied);
	else
		cJSON_AddNullToObject(root, "schemaVersion");
	cJSON *arr = cJSON_AddArrayToObject(root, "migrations");
	for (size_t i = 0; i < g->n_rows; i++) {
		const info_row *r = &g->rows[i];
		cJSON *o = cJSON_CreateObject();
		const char *v = row_version(r);
		cJSON_AddStringToObject(o, "category", category(r));
		if (v)
			cJSON_AddStringToObject(o, "version", v);
		else
			cJSON_AddNullToObject(o, "version");
		cJSON_AddStringToObject(o, "description", row_description(r));
		cJSON_AddStringToObject(o, "type", row_type(r));
		cJSON_AddStringToObject(o, "script", row_script(r));
		if (r->file)
			cJSON_AddNumberToObject(o, "checksum", r->file->checksum);
		else if (r->row->has_checksum)
			cJSON_AddNumberToObject(o, "checksum", r->row->checksum);
		else
			cJSON_AddNullToObject(o, "checksum");
		cJSON_AddStringToObject(o, "state", r->state);
		if (r->row) {
			cJSON_AddNumberToObject(o, "installedRank", r->row->rank);
			cJSON_AddStringToObject(o, "installedOn", r->row->installed_on);
			cJSON_AddStringToObject(o, "installedBy", r->row->installed_by);
			cJSON_AddNumberToObject(o, "executionTime", r->row->execution_time);
		}
		if (r->file)
			cJSON_AddStringToObject(o, "filepath", r->file->path);
		cJSON_AddItemToArray(arr, o);
	}
	char *s = cJSON_Print(root);
	buf b = BUF_INIT;
	buf_puts(&b, s);
	log_redact(&b);
	puts(buf_cstr(&b));
	buf_free(&b);
	cJSON_free(s);
	cJSON_Delete(root);
}

static int open_read(engine *g, const migrate_opts *o, err *e)
{
	int rc = engine_open(g, o, 1, e);
	if (rc == 0)
		rc = history_read(&g->h, e);
	if (rc == 0)
		classify(g);
	return rc;
}

int migrate_info(const migrate_opts *o, err *e)
{
	engine g;
	int rc = open_read(&g, o, e);
	if (rc == 0) {
		if (o->json)
			print_json(&g);
		else
			print_table(&g);
	}
	engine_free(&g);
	return rc;
}

int migrate_validate(const migrate_opts *o, err *e)
{
	engine g;
	int rc = open_read(&g, o, e);
	if (rc == 0)
		rc = check(&g, P_CHANGED | P_FAILED | P_MISSING | P_IGNORED | P_PENDING, e);
	if (rc == 0)
		log_info("validated %zu migration%s against %s: no problems", g.m.n,
		         g.m.n == 1 ? "" : "s", g.h.qualified);
	engine_free(&g);
	return rc;
}

int migrate_baseline(const migrate_opts *o, err *e)
{
	const char *version = o->baseline_version ? o->baseline_version : "1";
	const char *desc =
	    o->baseline_description ? o->baseline_description : "<< Flyway Baseline >>";
	if (!version_valid(version, strlen(version)))
		return err_set(e, ORC_EUSAGE,
		               "--baseline-version %s: not a version (digits separated by '.')",
		               version);
	engine g;
	int rc = engine_open(&g, o, 0, e);
	if (rc == 0)
		rc = history_lock(&g.h, e);
	if (rc == 0)
		rc = history_create(&g.h, e);
	if (rc == 0)
		rc = history_read(&g.h, e);
	if (rc == 0) {
		char *v = version_display(version, strlen(version));
		for (size_t i = 0; i < g.h.n && rc == 0; i++) {
			const pg_applied *a = &g.h.rows[i];
			if (is_marker(a))
				continue;
			if (strcmp(a->type, "BASELINE") == 0 && a->version &&
			    version_cmp(a->version, v) == 0) {
				log_info("%s is already baselined at version %s", g.h.qualified, v);
				rc = -1;
			} else {
				rc = err_set(
				    e, ORC_EFAIL,
				    "baseline: %s already holds migrations (rank %d: %s); baseline "
				    "only applies to a database without history",
				    g.h.qualified, a->rank, a->script);
			}
		}
		if (rc == 0) {
			rc = history_insert(&g.h, v, desc, "BASELINE", desc, NULL, g.user, 0, 1, e);
			if (rc == 0)
				log_info("baselined schema %s at version %s", g.h.schema, v);
		}
		if (rc < 0)
			rc = 0;
		free(v);
		history_unlock(&g.h);
	}
	engine_free(&g);
	return rc;
}

int migrate_repair(const migrate_opts *o, err *e)
{
	engine g;
	int rc = engine_open(&g, o, 1, e);
	if (rc == 0)
		rc = history_lock(&g.h, e);
	if (rc == 0)
		rc = history_read(&g.h, e);
	if (rc) {
		engine_free(&g);
		return rc;
	}
	if (!g.h.exists) {
		log_info("%s does not exist: nothing to repair", g.h.qualified);
		engine_free(&g);
		return 0;
	}
	classify(&g);
	int removed = 0, aligned = 0;
	char *del = xasprintf("DELETE FROM %s WHERE installed_rank = $1", g.h.qualified);
	char *upd =
	    xasprintf("UPDATE %s SET checksum = $2, description = $3 WHERE installed_rank = $1",
	              g.h.qualified);
	rc = conn_exec(g.c, "BEGIN", NULL, e);
	for (size_t i = 0; rc == 0 && i < g.n_rows; i++) {
		const info_row *r = &g.rows[i];
		char rank[16], cs[16];
		if (!r->row)
			continue;
		snprintf(rank, sizeof rank, "%d", r->row->rank);
		if (r->problems & P_FAILED) {
			const char *p[] = {rank};
			rc = conn_execp(g.c, del, 1, p, NULL, e);
			if (rc == 0) {
				removed++;
				log_info("removed failed entry %s (%s)",
				         r->row->version ? r->row->version : r->row->description,
				         r->row->script);
			}
		} else if (r->problems & P_CHANGED) {
			snprintf(cs, sizeof cs, "%d", (int)r->file->checksum);
			const char *p[] = {rank, cs, r->file->description};
			rc = conn_execp(g.c, upd, 3, p, NULL, e);
			if (rc == 0) {
				aligned++;
				log_info("realigned %s (%s): checksum %d -> %d", r->row->version,
				         r->row->script,
				         r->row->has_checksum ? r->row->checksum : 0,
				         r->file->checksum);
			}
		}
	}
	if (rc == 0)
		rc = conn_exec(g.c, "COMMIT", NULL, e);
	if (rc) {
		PQclear(PQexec(g.c, "ROLLBACK"));
		err_prefix(e, "repair of %s (nothing changed)", g.h.qualified);
	} else {
		log_info("repaired %s: %d failed entr%s removed, %d checksum%s realigned",
		         g.h.qualified, removed, removed == 1 ? "y" : "ies", aligned,
		         aligned == 1 ? "" : "s");
	}
	free(del);
	free(upd);
	history_unlock(&g.h);
	engine_free(&g);
	return rc;
}
