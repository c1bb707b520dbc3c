/*
 * callback: Flyway's SQL callbacks (beforeMigrate.sql, afterEachMigrate__audit.sql, ...),
 * found in the locations by discover and run around the commands as Flyway runs them.
 *
 * Order: every callback of one event, by description, the one without a description
 * first (Flyway sorts its callbacks by name). Placeholders are replaced as in migrations;
 * nothing is recorded in the history table.
 *
 * Transactions, as Flyway's DefaultCallbackExecutor: the callbacks around a command
 * (beforeMigrate, afterMigrate, beforeValidate, afterInfo, ...) run each in a
 * transaction of its own, or statement by statement outside one when the script holds a
 * statement that refuses a transaction; the callbacks around each migration
 * (beforeEachMigrate, afterEachMigrate) run inside the migration's own transaction, on
 * its connection (callback_inline). After a callback that may have changed them, the
 * role, session user and search_path are restored, as Flyway restores the connection's
 * state before each callback and migration.
 *
 * Each script is read by discover and prepared (placeholders, statements) the first time
 * its event comes, so a command never fails on a callback it does not run.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "pg/conn.h"
#include "pg/engine.h"

/* The events this engine runs; the other callback names Flyway knows (per statement,
 * undo, connect, schema creation) are valid names, warned about when found.
 * afterInfoError is accepted without a warning, but its event never comes: between
 * beforeInfo and afterInfo nothing can fail here (the history was read before). */
static const char *const supported[] = {
    "beforeMigrate",     "beforeEachMigrate",  "afterEachMigrate",    "afterEachMigrateError",
    "beforeRepeatables", "afterVersioned",     "afterMigrateApplied", "afterMigrate",
    "afterMigrateError", "beforeValidate",     "afterValidate",       "afterValidateError",
    "beforeInfo",        "afterInfo",          "afterInfoError",      "beforeBaseline",
    "afterBaseline",     "afterBaselineError", "beforeRepair",        "afterRepair",
    "afterRepairError",  "beforeClean",        "afterClean",          "afterCleanError",
};

static int is_supported(const char *event)
{
	for (size_t i = 0; i < sizeof supported / sizeof *supported; i++)
		if (strcmp(supported[i], event) == 0)
			return 1;
	return 0;
}

void callback_warn_unsupported(const engine *g)
{
	for (size_t i = 0; i < g->m.n_cb; i++)
		if (!is_supported(g->m.cb[i].event))
			log_warn("%s: Flyway's %s callback is not run by this engine (see README, "
			         "Coming from Flyway)",
			         g->m.cb[i].path, g->m.cb[i].event);
}

int callback_has(const engine *g, const char *event)
{
	for (size_t i = 0; i < g->m.n_cb; i++)
		if (strcmp(g->m.cb[i].event, event) == 0)
			return 1;
	return 0;
}

void callback_free(engine *g)
{
	for (size_t i = 0; g->cbr && i < g->m.n_cb; i++) {
		buf_free(&g->cbr[i].text);
		free(g->cbr[i].stmts);
	}
	free(g->cbr);
	g->cbr = NULL;
}

/* Placeholders replaced, statements cut, and what the script does to the session. */
static int prepare(engine *g, size_t i, err *e)
{
	if (!g->cbr)
		g->cbr = xcalloc(g->m.n_cb + 1, sizeof *g->cbr);
	cb_ready *r = &g->cbr[i];
	if (r->ready)
		return 0;
	const pg_callback *cb = &g->m.cb[i];
	if (placeholder_apply(&g->ph, cb->path, cb->text, cb->len, &r->text, e))
		return e->code;
	const char *t = buf_cstr(&r->text);
	if (r->text.len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		memset(r->text.ptr, ' ', 3); /* the BOM is not SQL */
	r->n = sqlsplit(t, r->text.len, &r->stmts);
	for (size_t s = 0; s < r->n && !r->no_tx; s++)
		sqlsplit_no_transaction(t + r->stmts[s].off, r->stmts[s].len, g->server_version,
		                        &r->no_tx);
	execute_session_effects(t, &r->resets_path, &r->resets_role);
	r->ready = 1;
	return 0;
}

/* The failure of statement s of callback i: file, line, SQLSTATE, message and HINT, the
 * values of secret placeholders masked. */
static int fail(engine *g, size_t i, size_t s, const PGresult *r, migrate_result *res, err *e)
{
	const pg_callback *cb = &g->m.cb[i];
	const cb_ready *p = &g->cbr[i];
	buf m = BUF_INIT;
	conn_describe_error(r, g->c, &m);
	const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
	if (hint)
		buf_printf(&m, " HINT: %s", hint);
	log_redact_fragments(&m, buf_cstr(&p->text), p->text.len);
	int line = execute_error_line(buf_cstr(&p->text), &p->stmts[s], r);
	err_set(e, ORC_EFAIL, "%s:%d: %s callback failed: %s", cb->path, line, cb->event,
	        buf_cstr(&m));
	if (res) {
		free(res->fail_file);
		res->fail_file = xstrdup(cb->path);
		res->fail_line = line;
	}
	buf_free(&m);
	return ORC_EFAIL;
}

/* The statements of callback i, on the connection as it is. */
static int run_statements(engine *g, size_t i, migrate_result *res, err *e)
{
	const cb_ready *p = &g->cbr[i];
	for (size_t s = 0; s < p->n; s++) {
		PGresult *r = execute_stmt(g->c, buf_cstr(&p->text), &p->stmts[s]);
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
			int rc = fail(g, i, s, r, res, e);
			PQclear(r);
			return rc;
		}
		PQclear(r);
	}
	return 0;
}

static void announce(const engine *g, size_t i)
{
	const pg_callback *cb = &g->m.cb[i];
	log_info("callback %s%s%s (%s)%s", cb->event, cb->description[0] ? " - " : "",
	         cb->description, cb->path, g->cbr[i].no_tx ? " [non-transactional]" : "");
}

/* The role, session user and search_path as connected, when a callback may have
 * changed them. */
static int restore(engine *g, const cb_ready *p, err *e)
{
	if (p->resets_role) {
		const char *role[] = {g->session_user, g->role};
		if (conn_execp(g->c, RESET_ROLE_SQL, 2, role, NULL, e))
			return err_prefix(e, "restoring the connected user %s", g->session_user);
	}
	if (p->resets_path) {
		const char *sp[] = {g->search_path};
		if (conn_execp(g->c, SET_PATH_SQL, 1, sp, NULL, e))
			return err_prefix(e, "restoring search_path");
	}
	return 0;
}

int callback_run(engine *g, const char *event, migrate_result *res, err *e)
{
	int rc = 0;
	for (size_t i = 0; i < g->m.n_cb && rc == 0; i++) {
		if (strcmp(g->m.cb[i].event, event) != 0)
			continue;
		if ((rc = prepare(g, i, e)) || (rc = engine_set_search_path(g, e)))
			break;
		const cb_ready *p = &g->cbr[i];
		announce(g, i);
		if (!p->no_tx && (rc = conn_exec(g->c, "BEGIN", NULL, e)))
			break;
		rc = run_statements(g, i, res, e);
		if (rc == 0 && !p->no_tx)
			rc = conn_exec(g->c, "COMMIT", NULL, e);
		if (rc && PQtransactionStatus(g->c) != PQTRANS_IDLE)
			PQclear(PQexec(g->c, "ROLLBACK"));
		err re = ERR_INIT;
		if (restore(g, p, &re) && rc == 0)
			rc = (*e = re).code;
	}
	return rc;
}

void callback_run_on_error(engine *g, const char *event)
{
	if (!callback_has(g, event))
		return;
	if (PQtransactionStatus(g->c) != PQTRANS_IDLE)
		PQclear(PQexec(g->c, "ROLLBACK"));
	err e = ERR_INIT;
	if (callback_run(g, event, NULL, &e))
		log_error("%s", e.msg);
}

int callback_inline(engine *g, const char *event, migrate_result *res, err *e)
{
	int rc = 0;
	for (size_t i = 0; i < g->m.n_cb && rc == 0; i++) {
		if (strcmp(g->m.cb[i].event, event) != 0)
			continue;
		if ((rc = prepare(g, i, e)))
			break;
		announce(g, i);
		rc = run_statements(g, i, res, e);
	}
	return rc;
}

int callback_inline_resets(engine *g, int *path, int *role, err *e)
{
	static const char *const each[] = {"beforeEachMigrate", "afterEachMigrate"};
	*path = *role = 0;
	for (size_t i = 0; i < g->m.n_cb; i++)
		for (size_t k = 0; k < 2; k++)
			if (strcmp(g->m.cb[i].event, each[k]) == 0) {
				if (prepare(g, i, e))
					return e->code;
				*path |= g->cbr[i].resets_path;
				*role |= g->cbr[i].resets_role;
			}
	return 0;
}
