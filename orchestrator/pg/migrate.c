/*
 * migrate: the commands of the engine (see migrate.h). Each opens the engine (files,
 * connection, history table), asks classify.c for the state of every migration, and then
 * runs what is pending (execute.c), prints it (present.c), or writes the history rows
 * that baseline and repair own. engine.h says which file owns what.
 */
#include "pg/migrate.h"

#include <cjson/cJSON.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "pg/checksum.h"
#include "pg/conn.h"
#include "pg/engine.h"
#include "pg/version.h"

static const char *const default_locations[] = {"sql"};

void engine_free(engine *g)
{
	callback_free(g);
	free(g->rows);
	free(g->user);
	free(g->conn_user);
	free(g->session_user);
	free(g->role);
	placeholder_set_free(&g->ph);
	buf_free(&g->unresolved);
	free(g->database);
	free(g->search_path);
	history_close(&g->h);
	discover_free(&g->m);
	if (g->c)
		PQfinish(g->c);
}

/* The scan of the locations, on its own thread while the main one connects and reads
 * the history: on a large history both take about as long, and the waits are different
 * (the disk, the server). The thread only reads files and allocates; its warnings are
 * kept and logged after the join, so output order does not depend on timing. */
typedef struct scan_job {
	const migrate_opts *o;
	discover_opts d;
	pg_migrations *m;
	err e;
	int rc;
} scan_job;

static void *scan_thread(void *arg)
{
	scan_job *j = arg;
	const char *const *locs = j->o->n_locations ? j->o->locations : default_locations;
	size_t nl = j->o->n_locations ? j->o->n_locations : 1;
	j->rc = discover_scan_opts(locs, nl, &j->d, j->m, &j->e);
	return NULL;
}

/* The connection, the session facts and the history table's name (and rows, under
 * ENGINE_READ). */
static int engine_connect(engine *g, int flags, err *e)
{
	const migrate_opts *o = g->o;
	if (conn_open(o->url, &g->c, e))
		return e->code;
	g->server_version = PQserverVersion(g->c);
	/* The session's settings and facts in one round trip: each one is a wake-up of the
	 * server and of us, which adds up on a busy machine. A runner killed mid-migration:
	 * with client_connection_check_interval the server notices within a second and rolls
	 * back (PostgreSQL 14+), releasing the lock for the next runner. */
	PGresult *r;
	if (conn_exec(g->c,
	              g->server_version >= 140000
	                  ? "SELECT current_user, current_database(), "
	                    "current_setting('search_path'), session_user, "
	                    "current_setting('role'), current_schema(), "
	                    "pg_catalog.set_config('client_min_messages', 'warning', false), "
	                    "pg_catalog.set_config('client_connection_check_interval', '1000', "
	                    "false)"
	                  : "SELECT current_user, current_database(), "
	                    "current_setting('search_path'), session_user, "
	                    "current_setting('role'), current_schema(), "
	                    "pg_catalog.set_config('client_min_messages', 'warning', false)",
	              &r, e))
		return err_prefix(e, "reading the session");
	g->user = xstrdup(o->installed_by ? o->installed_by : PQgetvalue(r, 0, 0));
	g->conn_user = xstrdup(PQgetvalue(r, 0, 0));
	g->session_user = xstrdup(PQgetvalue(r, 0, 3));
	g->role = xstrdup(PQgetvalue(r, 0, 4));
	g->database = xstrdup(PQgetvalue(r, 0, 1));
	g->search_path = xstrdup(PQgetvalue(r, 0, 2));
	/* history_open asks for current_schema() itself only when it is NULL (and says so) */
	const char *schema = o->schema              ? o->schema
	                     : PQgetisnull(r, 0, 5) ? NULL
	                                            : PQgetvalue(r, 0, 5);
	int rc = history_open(&g->h, g->c, schema, o->table, e);
	PQclear(r);
	if (rc)
		return rc;
	if (flags & ENGINE_READ)
		return history_read(&g->h, e);
	return 0;
}

/* Flyway computes a repeatable's checksum after placeholder replacement (a changed value
 * re-runs it; ${flyway:timestamp} re-runs it every time), a versioned one's on the file
 * as written. */
static int repeatable_checksums(engine *g, err *e)
{
	buf text = BUF_INIT;
	int rc = 0;
	for (size_t i = g->m.n_versioned; i < g->m.n && rc == 0; i++) {
		pg_migration *f = &g->m.v[i];
		if (!f->text)
			continue;
		buf_clear(&text);
		rc = placeholder_apply(&g->ph, f->path, f->text, f->len, &text, e);
		if (rc == 0)
			f->checksum = checksum_flyway(buf_cstr(&text), text.len);
		else if ((g->n_unresolved += placeholder_report_missing(
		              &g->ph, f->path, f->text, f->len, &g->unresolved)) > 0) {
			rc = 0; /* every file's missing values in one run */
			err_clear(e);
			f->unresolved = 1;
		}
		if (!(g->flags & ENGINE_TEXT))
			discover_drop_text(f);
	}
	buf_free(&text);
	/* migrate (ENGINE_TEXT) goes on to list the pending versioned files' too and fails in
	 * execute_pending, before anything runs; the other commands stop here. */
	if (rc == 0 && g->n_unresolved && !(g->flags & ENGINE_TEXT))
		rc = placeholder_missing_error(&g->unresolved, g->n_unresolved, e);
	return rc;
}

int engine_open(engine *g, const migrate_opts *o, int flags, err *e)
{
	memset(g, 0, sizeof *g);
	g->o = o;
	g->flags = flags;
	if (o->target && strcmp(o->target, "current") != 0 && strcmp(o->target, "next") != 0 &&
	    !version_valid(o->target, strlen(o->target)))
		return err_set(e, ORC_EUSAGE,
		               "--target %s: not a version (digits separated by '.'), latest, "
		               "current or next",
		               o->target);
	scan_job job = {.o = o, .m = &g->m, .e = ERR_INIT};
	job.d.keep_text = (flags & ENGINE_TEXT) != 0;
	job.d.keep_repeatable_text = 1;
	job.d.validate_naming = o->validate_migration_naming;
	job.d.fail_on_missing_locations = o->fail_on_missing_locations;
	job.d.keep_notes = 1;
	job.d.callbacks = 1;
	job.d.names_only = (flags & ENGINE_NAMES) != 0;
	/* The scan and the history allocate tens of thousands of small blocks: with glibc's
	 * default 128 KiB of top padding its heaps grow (and trim) a page run at a time,
	 * about a thousand brk/mprotect calls at 10,000 files. 1 MiB of padding is address
	 * space, not memory, until used. */
	mallopt(M_TOP_PAD, 1 << 20);
	pthread_t th;
	int threaded = (flags & ENGINE_FILES) && pthread_create(&th, NULL, scan_thread, &job) == 0;
	if ((flags & ENGINE_FILES) && !threaded)
		scan_thread(&job);
	int rc = engine_connect(g, flags, e);
	if (threaded)
		pthread_join(th, NULL);
	discover_log_notes(&g->m);
	callback_warn_unsupported(g);
	/* A bad file is reported before a connection problem: it is the one to fix first. */
	if (job.rc) {
		*e = job.e;
		return job.rc;
	}
	if (rc == 0 && g->c) {
		execute_builtins(g, &g->ph);
		rc = repeatable_checksums(g, e);
	}
	return rc;
}

/* --schema also becomes the first schema of search_path for the migrations (Flyway's
 * defaultSchema behaviour). */
int engine_set_search_path(engine *g, err *e)
{
	if (!g->o->schema || g->path_set)
		return 0;
	g->path_set = 1;
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
	int rc = callback_run(g, "beforeBaseline", NULL, e);
	if (rc == 0)
		rc = history_create(&g->h, e);
	if (rc == 0)
		rc = history_insert(&g->h, v, desc, "BASELINE", desc, NULL, g->user, 0, 1, e);
	if (rc == 0)
		log_info("baselined schema %s at version %s (it held objects and no history)",
		         g->h.schema, v);
	if (rc == 0)
		rc = callback_run(g, "afterBaseline", NULL, e);
	else
		callback_run_on_error(g, "afterBaselineError");
	free(v);
	return rc;
}

/* classify_check between Flyway's validate callbacks (migrate validates too). */
static int validate(engine *g, int mask, migrate_result *res, err *e)
{
	int rc = callback_run(g, "beforeValidate", res, e);
	if (rc)
		return rc;
	rc = classify_check(g, mask, e);
	if (rc)
		callback_run_on_error(g, "afterValidateError");
	else
		rc = callback_run(g, "afterValidate", res, e);
	return rc;
}

int migrate_run(const migrate_opts *o, migrate_result *res, err *e)
{
	engine g;
	memset(res, 0, sizeof *res);
	int rc = engine_open(&g, o, ENGINE_FILES | ENGINE_TEXT, e);
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
	if (rc == 0) {
		classify_rows(&g);
		present_result_start(&g, "migrate");
		/* Only the text of what will run stays in memory. */
		for (size_t i = 0; i < g.n_rows; i++)
			if (!g.rows[i].apply && g.rows[i].file)
				discover_drop_text(&g.m.v[g.rows[i].file - g.m.v]);
		rc = validate(&g, P_CHANGED | P_FAILED | P_MISSING | P_IGNORED, res, e);
		/* Flyway's DbMigrate: beforeMigrate, the migrations, then afterMigrateApplied
		 * (when any ran) and afterMigrate, or afterMigrateError when one failed. */
		/* A repeatable without a placeholder value (listed on open) fails the run in
		 * execute_pending after its listing: no callback runs first, as when the engine
		 * stopped at open. */
		int unresolved = g.n_unresolved > 0;
		if (rc == 0 && !unresolved)
			rc = callback_run(&g, "beforeMigrate", res, e);
		if (rc == 0) {
			rc = execute_pending(&g, res, e);
			if (rc && !unresolved)
				callback_run_on_error(&g, "afterMigrateError");
			if (rc == 0 && res->applied)
				rc = callback_run(&g, "afterMigrateApplied", res, e);
			if (rc == 0)
				rc = callback_run(&g, "afterMigrate", res, e);
		}
		present_migrate_result(&g, res->applied, rc);
		history_unlock(&g.h);
	}
	engine_free(&g);
	return rc;
}
void migrate_result_free(migrate_result *res)
{
	free(res->fail_file);
	memset(res, 0, sizeof *res);
}

static int engine_open_read(engine *g, const migrate_opts *o, err *e)
{
	int rc = engine_open(g, o, ENGINE_FILES | ENGINE_READ, e);
	if (rc == 0)
		classify_rows(g);
	return rc;
}

int migrate_info(const migrate_opts *o, err *e)
{
	engine g;
	/* Flyway's DbInfo: beforeInfo, the states, afterInfo; then the table is printed. A
	 * versioned migration's state never depends on its checksum (validate checks that),
	 * so the table needs the versioned files' names only: at 10,000 files that is most
	 * of info's time. --output json shows checksums, so it reads them. */
	int rc = engine_open(&g, o, ENGINE_FILES | ENGINE_READ | (o->json ? 0 : ENGINE_NAMES), e);
	if (rc == 0)
		rc = callback_run(&g, "beforeInfo", NULL, e);
	if (rc == 0) {
		classify_rows(&g);
		rc = callback_run(&g, "afterInfo", NULL, e);
	}
	if (rc == 0) {
		if (o->json)
			present_json(&g);
		else
			present_table(&g);
	}
	engine_free(&g);
	return rc;
}

int migrate_validate(const migrate_opts *o, err *e)
{
	engine g;
	int rc = engine_open_read(&g, o, e);
	if (rc == 0) {
		present_result_start(&g, "validate");
		rc =
		    validate(&g, P_CHANGED | P_FAILED | P_MISSING | P_IGNORED | P_PENDING, NULL, e);
		present_validate_result(&g, g.n_rows, rc);
	}
	if (rc == 0)
		log_info("validated %zu migration%s against %s: no problems", g.m.n,
		         g.m.n == 1 ? "" : "s", g.h.qualified);
	engine_free(&g);
	return rc;
}

/*
 * Flyway's DbBaseline over the rows read: its baseline marker (a BASELINE row, first or
 * after the SCHEMA marker) with the same version and description means done; with
 * another, a refusal naming it; any other non-marker row, a refusal (the history holds
 * migrations). Returns 0 or the ORC_* code of the refusal; *done says the row is there
 * already (nothing to write).
 */
static int baseline_decide(const engine *g, const char *v, const char *desc, int *done, err *e)
{
	*done = 0;
	for (size_t i = 0; i < g->h.n; i++) {
		const pg_applied *a = &g->h.rows[i];
		if (strcmp(a->type, "SCHEMA") == 0)
			continue;
		if (strcmp(a->type, "BASELINE") == 0 && i < 2) {
			if (a->version && version_cmp(a->version, v) == 0 &&
			    strcmp(a->description, desc) == 0) {
				*done = 1;
				return 0;
			}
			return err_set(
			    e, ORC_EFAIL,
			    "baseline: %s is already baselined at version %s (%s), not %s "
			    "(%s); a history is baselined once",
			    g->h.qualified, a->version ? a->version : "<none>", a->description, v,
			    desc);
		}
		if (!classify_is_marker(a))
			return err_set(
			    e, ORC_EFAIL,
			    "baseline: %s already holds migrations (rank %d: %s); baseline only "
			    "applies to a database without history",
			    g->h.qualified, a->rank, a->script);
	}
	return 0;
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
	int rc = engine_open(&g, o, ENGINE_FILES, e);
	int locked = rc == 0 && (rc = history_lock(&g.h, e)) == 0;
	int before = rc == 0 && (rc = callback_run(&g, "beforeBaseline", NULL, e)) == 0;
	int existed = 0;
	if (rc == 0 && (rc = history_refresh(&g.h, e)) == 0)
		existed = g.h.exists;
	if (rc == 0)
		rc = history_create(&g.h, e);
	if (rc == 0)
		rc = history_read(&g.h, e);
	/* Flyway's rule: an existing, empty history table is not baselined (something
	 * created it without a row; what it stands for is unknown). */
	if (rc == 0 && existed && g.h.n == 0)
		rc =
		    err_set(e, ORC_EFAIL,
		            "baseline: %s exists and is empty; drop it (or run clean) and baseline "
		            "again",
		            g.h.qualified);
	if (rc == 0) {
		char *v = version_display(version, strlen(version));
		int done = 0;
		rc = baseline_decide(&g, v, desc, &done, e);
		if (rc == 0 && done) {
			log_info("%s is already baselined at version %s (%s): nothing to do",
			         g.h.qualified, v, desc);
		} else if (rc == 0) {
			rc = history_insert(&g.h, v, desc, "BASELINE", desc, NULL, g.user, 0, 1, e);
			if (rc == 0)
				log_info("baselined schema %s at version %s", g.h.schema, v);
		}
		if (o->result) { /* Flyway's BaselineResult; "already baselined" counts as done */
			present_result_start(&g, "baseline");
			cJSON_AddBoolToObject(o->result, "successfullyBaselined", rc == 0);
			if (rc == 0)
				cJSON_AddStringToObject(o->result, "baselineVersion", v);
			else
				cJSON_AddNullToObject(o->result, "baselineVersion");
		}
		free(v);
	}
	if (rc == 0)
		rc = callback_run(&g, "afterBaseline", NULL, e);
	else if (before)
		callback_run_on_error(&g, "afterBaselineError");
	if (locked)
		history_unlock(&g.h);
	engine_free(&g);
	return rc;
}

int migrate_repair(const migrate_opts *o, err *e)
{
	engine g;
	int rc = engine_open(&g, o, ENGINE_FILES, e);
	if (rc == 0)
		rc = history_lock(&g.h, e);
	if (rc == 0)
		rc = callback_run(&g, "beforeRepair", NULL, e);
	if (rc == 0)
		rc = history_read(&g.h, e);
	if (rc) {
		engine_free(&g);
		return rc;
	}
	if (!g.h.exists) {
		log_info("%s does not exist: nothing to repair", g.h.qualified);
		rc = callback_run(&g, "afterRepair", NULL, e);
		engine_free(&g);
		return rc;
	}
	classify_rows(&g);
	present_result_start(&g, "repair");
	int removed = 0, aligned = 0, deleted = 0;
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
				present_repaired(&g, "migrationsRemoved", r->row,
				                 r->file ? r->file->path : NULL);
				log_info("removed failed entry %s (%s)",
				         r->row->version ? r->row->version : r->row->description,
				         r->row->script);
			}
		} else if (r->problems & P_CHANGED) {
			snprintf(cs, sizeof cs, "%d", (int)r->file->checksum);
			buf ab = BUF_INIT;
			const char *p[] = {rank, cs,
			                   history_abbrev_description(r->file->description, &ab)};
			rc = conn_execp(g.c, upd, 3, p, NULL, e);
			buf_free(&ab);
			if (rc == 0) {
				aligned++;
				present_repaired(&g, "migrationsAligned", r->row, r->file->path);
				log_info("realigned %s (%s): checksum %d -> %d", r->row->version,
				         r->row->script,
				         r->row->has_checksum ? r->row->checksum : 0,
				         r->file->checksum);
			}
		} else if (r->problems & P_MISSING) {
			/* Flyway 9+: the applied row stays, a DELETE row marks its file gone, so
			 * info shows both Deleted and validate passes. */
			const pg_applied *a = r->row;
			rc = history_insert(&g.h, a->version, a->description, "DELETE", a->script,
			                    a->has_checksum ? &a->checksum : NULL, g.user, 0, 1, e);
			if (rc == 0) {
				deleted++;
				present_repaired(&g, "migrationsDeleted", a, NULL);
				log_info("marked %s (%s) as deleted: its file is gone",
				         a->version ? a->version : a->description, a->script);
			}
		}
	}
	if (rc == 0)
		rc = conn_exec(g.c, "COMMIT", NULL, e);
	if (rc) {
		PQclear(PQexec(g.c, "ROLLBACK"));
		err_prefix(e, "repair of %s (nothing changed)", g.h.qualified);
		callback_run_on_error(&g, "afterRepairError");
	} else {
		/* Flyway's CompletedRepairActions sentences, in its order */
		if (removed)
			present_repair_action(&g, "Removed failed migrations");
		if (deleted)
			present_repair_action(&g, "Marked missing migrations as deleted");
		if (aligned)
			present_repair_action(&g, "Aligned applied migration checksums");
		log_info("repaired %s: %d failed entr%s removed, %d checksum%s realigned, %d "
		         "missing migration%s marked deleted",
		         g.h.qualified, removed, removed == 1 ? "y" : "ies", aligned,
		         aligned == 1 ? "" : "s", deleted, deleted == 1 ? "" : "s");
	}
	free(del);
	free(upd);
	if (rc == 0)
		rc = callback_run(&g, "afterRepair", NULL, e);
	history_unlock(&g.h);
	engine_free(&g);
	return rc;
}

/* ---- the plan (dry run, lint) ---- */

int migrate_plan_read(const migrate_opts *o, migrate_plan *out, err *e)
{
	engine g;
	memset(out, 0, sizeof *out);
	int rc = engine_open_read(&g, o, e);
	if (rc == 0)
		rc = classify_check(&g, P_CHANGED | P_FAILED | P_MISSING | P_IGNORED, e);
	if (rc == 0) {
		out->steps = xcalloc(g.n_rows + 1, sizeof *out->steps);
		for (size_t i = 0; i < g.n_rows; i++) {
			const pg_migration *f = g.rows[i].file;
			if (!g.rows[i].apply)
				continue;
			migrate_step *s = &out->steps[out->n++];
			s->path = xstrdup(f->path);
			s->script = xstrdup(f->script);
			s->version = f->version ? xstrdup(f->version) : NULL;
			s->description = xstrdup(f->description);
			s->checksum = f->checksum;
			s->type = execute_type(f);
		}
		int rank = 0;
		for (size_t i = 0; i < g.h.n; i++)
			if (g.h.rows[i].rank > rank)
				rank = g.h.rows[i].rank;
		out->next_rank = rank + 1;
		out->schema = xstrdup(g.h.schema);
		out->table = xstrdup(g.h.table);
		out->table_exists = g.h.exists;
		out->installed_by = xstrdup(g.user);
		out->server_version = g.server_version;
		execute_builtins(&g, &out->placeholders);
	}
	engine_free(&g);
	return rc;
}

void migrate_plan_free(migrate_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->steps[i].path);
		free(p->steps[i].script);
		free(p->steps[i].version);
		free(p->steps[i].description);
	}
	free(p->steps);
	free(p->schema);
	free(p->table);
	free(p->installed_by);
	placeholder_set_free(&p->placeholders);
	memset(p, 0, sizeof *p);
}
