/*
 * execute: runs the pending migrations classify found (see migrate.h for the order and
 * the transaction rules). Every file is read and its placeholders resolved before the
 * first statement runs, so a missing value stops the run with nothing applied (after
 * every missing value of every pending file is listed).
 * Consecutive transactional migrations go to the server as one pipeline (run_batch); a
 * migration holding COPY ... FROM STDIN or a statement that refuses a transaction runs
 * statement by statement (run_serial).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "pg/locsrc.h"
#include "pg/conn.h"
#include "pg/engine.h"

void execute_builtins(const engine *g, placeholder_set *ph)
{
	if (g->o->placeholders)
		for (size_t i = 0; i < g->o->placeholders->n; i++)
			placeholder_set_put(ph, g->o->placeholders->items[i].name,
			                    g->o->placeholders->items[i].value);
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	char *cwd = getcwd(NULL, 0);
	placeholder_set_put(ph, "flyway:defaultSchema", g->h.schema);
	placeholder_set_put(ph, "flyway:user", g->conn_user);
	placeholder_set_put(ph, "flyway:workingDirectory", cwd ? cwd : ".");
	placeholder_set_put(ph, "flyway:environment",
	                    g->o->environment ? g->o->environment : "default");
	free(cwd);
	placeholder_set_put(ph, "flyway:database", g->database);
	placeholder_set_put(ph, "flyway:timestamp", ts);
	placeholder_set_put(ph, "flyway:table", g->h.table);
}

void execute_session_effects(const char *t, int *path, int *role)
{
	/* Only these change the session's search_path (SET, set_config, RESET, SET SCHEMA);
	 * restoring it after every other migration would cost a statement each. */
	*path = strcasestr(t, "search_path") || strcasestr(t, "reset") ||
	        strcasestr(t, "set schema") || strcasestr(t, "discard");
	/* SET ROLE, SET SESSION AUTHORIZATION (or set_config of either): the history row is
	 * written, and the next migration runs, as the user who connected (Flyway restores
	 * the role after each migration too). */
	*role = strcasestr(t, "role") || strcasestr(t, "authorization");
}

const char *execute_type(const pg_migration *f)
{
	return f->baseline ? "SQL_BASELINE" : "SQL";
}

int execute_prepare(engine *g, const placeholder_set *ph, prepared *p, err *e)
{
	/* The text discovery kept (read once), else the file. */
	pg_migration *f = &g->m.v[p->row->file - g->m.v];
	buf raw = BUF_INIT;
	int rc = f->text ? 0 : locsrc_read_file(f->path, &raw, e);
	if (rc == 0) {
		const char *src = f->text ? f->text : buf_cstr(&raw);
		size_t len = f->text ? f->len : raw.len;
		rc = placeholder_apply(ph, f->path, src, len, &p->text, e);
		if (rc) /* every reference of the file, and the run goes on to the next */
			g->n_unresolved +=
			    placeholder_report_missing(ph, f->path, src, len, &g->unresolved);
	}
	buf_free(&raw);
	discover_drop_text(f);
	if (rc)
		return rc;
	const char *t = buf_cstr(&p->text);
	if (p->text.len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		memset(p->text.ptr, ' ', 3); /* the BOM is not SQL */
	p->n = sqlsplit(t, p->text.len, &p->stmts);
	for (size_t i = 0; i < p->n; i++)
		p->copy |= p->stmts[i].copy;
	execute_session_effects(t, &p->resets_path, &p->resets_role);
	/* Flyway's mixed=false: a file holding both statements that refuse a transaction and
	 * statements that run in one is refused before anything runs (run outside a
	 * transaction, a failure half-way would leave it half applied). */
	size_t first_no_tx = SIZE_MAX, first_tx = SIZE_MAX;
	for (size_t i = 0; i < p->n; i++) {
		const char *what = NULL;
		if (sqlsplit_no_transaction(t + p->stmts[i].off, p->stmts[i].len, g->server_version,
		                            &what)) {
			if (first_no_tx == SIZE_MAX) {
				first_no_tx = i;
				p->no_tx = what;
			}
		} else if (first_tx == SIZE_MAX) {
			first_tx = i;
		}
	}
	if (first_no_tx != SIZE_MAX && first_tx != SIZE_MAX && !g->o->mixed) {
		const sql_stmt *a = &p->stmts[first_tx], *b = &p->stmts[first_no_tx];
		size_t na = strcspn(t + a->off, "\r\n"), nb = strcspn(t + b->off, "\r\n");
		int la = (int)(na < a->len ? na : a->len), lb = (int)(nb < b->len ? nb : b->len);
		return err_set(
		    e, ORC_EFAIL,
		    "%s: mixes transactional and non-transactional statements (line %d: "
		    "%.*s%s; line %d, %s: %.*s%s); nothing was run: split the file, or "
		    "pass --mixed to run it statement by statement outside a transaction",
		    f->path, a->line, la > 60 ? 60 : la, t + a->off, la > 60 ? "..." : "", b->line,
		    p->no_tx, lb > 60 ? 60 : lb, t + b->off, lb > 60 ? "..." : "");
	}
	return 0;
}

/* The line of a failed statement: its start, moved to the server's position if any
 * (a 1-based character count into the statement). */
int execute_error_line(const char *text, const sql_stmt *st, const PGresult *r)
{
	const char *t = text + st->off;
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

/* Byte offset in p->text of the server's error position inside statement s, or SIZE_MAX
 * when the server gave none. */
static size_t error_offset(const prepared *p, size_t s, const PGresult *r)
{
	const sql_stmt *st = &p->stmts[s];
	const char *pos = r ? PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION) : NULL;
	if (!pos)
		return SIZE_MAX;
	const char *t = buf_cstr(&p->text) + st->off;
	long chars = strtol(pos, NULL, 10);
	size_t i = 0;
	for (; i < st->len && chars > 1; i++)
		if (((unsigned char)t[i + 1] & 0xC0) != 0x80)
			chars--;
	return st->off + (i < st->len ? i : st->len);
}

/* The failing line of the file, with a caret under the server's error position when it
 * gave one (registered secrets are masked by the log, as everywhere). */
static void show_source(const prepared *p, size_t s, const PGresult *r, int line)
{
	const char *t = buf_cstr(&p->text);
	size_t n = p->text.len, at = 0;
	for (int l = 1; l < line && at < n; at++)
		if (t[at] == '\n' || (t[at] == '\r' && (at + 1 >= n || t[at + 1] != '\n')))
			l++;
	if (at >= n)
		return;
	size_t end = at + strcspn(t + at, "\r\n");
	buf b = BUF_INIT;
	buf_printf(&b, "%5d | %.*s", line, (int)(end - at), t + at);
	log_info("%s", buf_cstr(&b));
	size_t eo = error_offset(p, s, r);
	if (eo != SIZE_MAX && eo >= at && eo <= end) {
		buf_clear(&b);
		buf_puts(&b, "      | ");
		for (size_t i = at; i < eo; i++)
			if (((unsigned char)t[i] & 0xC0) != 0x80)
				buf_putc(&b, t[i] == '\t' ? '\t' : ' ');
		buf_putc(&b, '^');
		log_info("%s", buf_cstr(&b));
	}
	buf_free(&b);
}

static int fail(engine *g, prepared *p, size_t s, const PGresult *r, const char *how,
                migrate_result *res, err *e)
{
	buf m = BUF_INIT;
	conn_describe_error(r, g->c, &m);
	/* the server may quote a piece of a secret placeholder value a statement broke on */
	log_redact_fragments(&m, buf_cstr(&p->text), p->text.len);
	const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
	if (hint) {
		buf_printf(&m, " HINT: %s", hint);
		log_redact_fragments(&m, buf_cstr(&p->text), p->text.len);
	}
	int line = s < p->n ? execute_error_line(buf_cstr(&p->text), &p->stmts[s], r) : 0;
	if (line > 0)
		show_source(p, s, r, line);
	free(res->fail_file);
	res->fail_file = xstrdup(p->row->file->path);
	res->fail_line = line;
	buf label = BUF_INIT;
	char at[16] = "";
	if (line > 0)
		snprintf(at, sizeof at, ":%d", line);
	err_set(e, ORC_EFAIL, "%s%s: migration %s failed: %s; %s", p->row->file->path, at,
	        present_label(p->row->file, &label), buf_cstr(&m), how);
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
	const char *role[] = {g->session_user, g->role};
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
		buf hd = BUF_INIT, hs = BUF_INIT;
		const char *ip[] = {f->version,
		                    history_abbrev_description(f->description, &hd),
		                    execute_type(f),
		                    history_abbrev_script(f->script, &hs),
		                    cs,
		                    g->user,
		                    NULL,
		                    "true"};
		/* A Flush after BEGIN and after COMMIT: the server sends those results at once
		 * instead of at the Sync, so progress shows while the batch runs. */
		ok = pipe_send(c, "BEGIN", 0, NULL) && PQsendFlushRequest(c);
		for (size_t i = 0; ok && i < p->n; i++) {
			char *stmt =
			    xstrndup(buf_cstr(&p->text) + p->stmts[i].off, p->stmts[i].len);
			ok = pipe_send(c, stmt, 0, NULL);
			free(stmt);
		}
		if (p->resets_role)
			ok = ok && pipe_send(c, RESET_ROLE_SQL, 2, role);
		ok = ok && PQsendQueryPrepared(c, stmt_name, 8, ip, NULL, NULL, 0) &&
		     pipe_send(c, "COMMIT", 0, NULL) && PQsendFlushRequest(c);
		buf_free(&hd);
		buf_free(&hs);
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
	buf label = BUF_INIT;
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
		size_t nq = ps[j].n + 3 + (size_t)ps[j].resets_path + (size_t)ps[j].resets_role;
		size_t insert_q = ps[j].n + 1 + (size_t)ps[j].resets_role;
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
				if (!bad && q == insert_q && st == PGRES_TUPLES_OK &&
				    PQntuples(r) == 1)
					ms[j] = atoi(PQgetvalue(r, 0, 0));
				/* Live progress: the results arrive as the server gets there, so a
				 * long migration shows when it starts and when it ends. */
				if (!bad && q == 0 && st == PGRES_COMMAND_OK)
					log_info("migrating %s",
					         present_label(ps[j].row->file, &label));
				else if (!bad && q == insert_q + 1 && st == PGRES_COMMAND_OK)
					log_info("applied %s (%d ms)",
					         present_label(ps[j].row->file, &label), ms[j]);
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
	buf_free(&label);
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
	else if (p->resets_role && bad_q == p->n + 1)
		rc = fail(g, p, p->n, bad, "restoring the connected user failed, rolled back", res,
		          e);
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
PGresult *execute_stmt(PGconn *c, const char *text, const sql_stmt *st)
{
	char *stmt = xstrndup(text + st->off, st->len);
	PGresult *r = PQexec(c, stmt);
	free(stmt);
	if (st->copy && PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		const char *data = text + st->copy_off;
		if (PQputCopyData(c, data, (int)st->copy_len) != 1 || PQputCopyEnd(c, NULL) != 1)
			return PQgetResult(c);
		r = PQgetResult(c);
		PGresult *extra;
		while ((extra = PQgetResult(c)))
			PQclear(extra);
	}
	return r;
}

/* Back to the user (and role) the engine connected as. */
static int reset_role(engine *g, err *e)
{
	const char *role[] = {g->session_user, g->role};
	if (conn_execp(g->c, RESET_ROLE_SQL, 2, role, NULL, e))
		return err_prefix(e, "restoring the connected user %s", g->session_user);
	return 0;
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
	/* Flyway's beforeEachMigrate callbacks: inside the migration's transaction. */
	int rc = callback_inline(g, "beforeEachMigrate", res, e);
	if (rc) {
		if (PQtransactionStatus(g->c) != PQTRANS_IDLE)
			PQclear(PQexec(g->c, "ROLLBACK"));
		err ie = ERR_INIT;
		if (p->resets_role)
			reset_role(g, &ie);
		return rc;
	}
	for (size_t i = 0; i < p->n; i++) {
		PGresult *r = execute_stmt(g->c, buf_cstr(&p->text), &p->stmts[i]);
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
			PQclear(r);
			continue;
		}
		if (PQtransactionStatus(g->c) != PQTRANS_IDLE)
			PQclear(PQexec(g->c, "ROLLBACK"));
		err ie = ERR_INIT;
		if (p->resets_role)
			reset_role(g, &ie);
		/* afterEachMigrateError: after the rollback (PostgreSQL refuses every statement
		 * in the aborted transaction), before the failed row of a migration that ran
		 * outside one. */
		callback_run_on_error(g, "afterEachMigrateError");
		if (in_tx) {
			rc = fail(g, p, i, r, "nothing of it was applied (rolled back)", res, e);
		} else {
			history_insert(&g->h, f->version, f->description, execute_type(f),
			               f->script, &cs, g->user, (int)(now_ms() - t0), 0, &ie);
			rc = fail(g, p, i, r,
			          i ? "the statements before it stay applied; recorded as failed: "
			              "clean up, then run repair"
			            : "recorded as failed: run repair after fixing it",
			          res, e);
		}
		PQclear(r);
		return rc;
	}
	/* Flyway's afterEachMigrate callbacks: still inside the migration's transaction, so a
	 * failure there rolls the migration back (outside one, it stays recorded as failed). */
	rc = callback_inline(g, "afterEachMigrate", res, e);
	if (rc) {
		if (PQtransactionStatus(g->c) != PQTRANS_IDLE)
			PQclear(PQexec(g->c, "ROLLBACK"));
		err ie = ERR_INIT;
		if (p->resets_role)
			reset_role(g, &ie);
		if (!in_tx)
			history_insert(&g->h, f->version, f->description, execute_type(f),
			               f->script, &cs, g->user, (int)(now_ms() - t0), 0, &ie);
		return rc;
	}
	const char *sp[] = {g->search_path};
	rc = p->resets_role ? reset_role(g, e) : 0;
	if (rc == 0)
		rc = history_insert(&g->h, f->version, f->description, execute_type(f), f->script,
		                    &cs, g->user, (int)(now_ms() - t0), 1, e);
	if (rc == 0 && in_tx)
		rc = conn_exec(g->c, "COMMIT", NULL, e);
	if (rc && in_tx)
		PQclear(PQexec(g->c, "ROLLBACK"));
	if (rc == 0)
		rc = conn_execp(g->c, SET_PATH_SQL, 1, sp, NULL, e);
	return rc;
}

void execute_prepared_free(prepared *p)
{
	buf_free(&p->text);
	free(p->stmts);
	p->stmts = NULL;
	p->n = 0;
}

int execute_pending(engine *g, migrate_result *res, err *e)
{
	int rc = 0;
	size_t n = 0;
	for (size_t i = 0; i < g->n_rows; i++)
		n += g->rows[i].apply;
	prepared *ps = xcalloc(n + 1, sizeof *ps);
	/* Every placeholder resolved before anything runs; a missing one does not stop the
	 * reading, so that one run lists them all. */
	size_t k = 0;
	for (size_t i = 0; rc == 0 && i < g->n_rows; i++) {
		if (!g->rows[i].apply)
			continue;
		ps[k].row = &g->rows[i];
		if (g->rows[i].file->unresolved) { /* listed when the engine opened */
			k++;
			continue;
		}
		size_t before = g->n_unresolved;
		rc = execute_prepare(g, &g->ph, &ps[k], e);
		k++;
		if (rc && g->n_unresolved > before) {
			rc = 0;
			err_clear(e);
		}
	}
	if (rc == 0 && g->n_unresolved)
		rc = placeholder_missing_error(&g->unresolved, g->n_unresolved, e);
	/* Callbacks around each migration run on its connection inside its transaction:
	 * then every migration runs statement by statement (no pipeline). */
	int serial_all = callback_has(g, "beforeEachMigrate") ||
	                 callback_has(g, "afterEachMigrate") ||
	                 callback_has(g, "afterEachMigrateError");
	int cb_path = 0, cb_role = 0;
	if (rc == 0 && serial_all && (rc = callback_inline_resets(g, &cb_path, &cb_role, e)) == 0)
		for (size_t i = 0; i < n; i++)
			ps[i].resets_path |= cb_path, ps[i].resets_role |= cb_role;
	/* afterVersioned and beforeRepeatables run between the last versioned migration and
	 * the first repeatable: no batch spans that point. */
	int split = callback_has(g, "afterVersioned") || callback_has(g, "beforeRepeatables");
	int versioned_done = 0;
	char *insert_sql = history_insert_sql(&g->h);
	buf md = BUF_INIT, label = BUF_INIT;
	buf_puts(
	    &md,
	    "### Migrations applied\n\n| Version | Description | Type | ms |\n|---|---|---|---|\n");
	int *ms = xcalloc(n + 1, sizeof *ms);
	for (size_t i = 0; rc == 0 && i < n;) {
		if (!versioned_done && !ps[i].row->file->version) {
			versioned_done = 1;
			if ((rc = callback_run(g, "afterVersioned", res, e)) ||
			    (rc = callback_run(g, "beforeRepeatables", res, e)))
				break;
		}
		if (serial_all || ps[i].no_tx || ps[i].copy) {
			log_info("migrating %s", present_label(ps[i].row->file, &label));
			double t0 = now_ms();
			rc = run_serial(g, &ps[i], !ps[i].no_tx, res, e);
			if (rc)
				break;
			ms[i] = (int)(now_ms() - t0);
			res->applied++;
			log_info("applied %s (%d ms)", present_label(ps[i].row->file, &label),
			         ms[i]);
			present_summary_row(&md, ps[i].row->file, ms[i]);
			present_applied(g, ps[i].row->file, ms[i]);
			i++;
			continue;
		}
		/* A batch: consecutive transactional migrations, bounded in count and size. */
		size_t j = i, bytes = 0;
		while (j < n && !ps[j].no_tx && !ps[j].copy && j - i < 500 && bytes < (8u << 20) &&
		       (!split || !ps[j].row->file->version == !ps[i].row->file->version))
			bytes += ps[j++].text.len;
		size_t done = 0;
		rc = run_batch(g, ps + i, j - i, insert_sql, &done, ms + i, res, e);
		for (size_t d = i; d < i + done; d++) {
			res->applied++;
			present_summary_row(&md, ps[d].row->file, ms[d]);
			present_applied(g, ps[d].row->file, ms[d]);
		}
		i = j;
	}
	free(ms);
	if (rc == 0 && !versioned_done)
		rc = callback_run(g, "afterVersioned", res, e);
	if (rc && res->fail_file)
		buf_printf(&md, "\nFailed: `%s` line %d\n", res->fail_file, res->fail_line);
	if (rc == 0) {
		if (n == 0)
			log_info("schema %s is up to date%s%s", g->h.schema,
			         g->max_applied ? ": version " : "",
			         g->max_applied ? g->max_applied : "");
		else
			log_info("applied %d migration%s to schema %s", res->applied,
			         res->applied == 1 ? "" : "s", g->h.schema);
	}
	if (res->applied || res->fail_file)
		log_gha_summary(buf_cstr(&md));
	for (size_t i = 0; i < n; i++)
		execute_prepared_free(&ps[i]);
	free(ps);
	free(insert_sql);
	buf_free(&md);
	buf_free(&label);
	return rc;
}
