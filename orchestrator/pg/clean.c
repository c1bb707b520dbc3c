/*
 * clean: Flyway's clean on PostgreSQL. Refused unless the caller enabled it (Flyway's
 * cleanDisabled=true default): it drops every object of the managed schemas (the
 * history table's schema and the further ones of Flyway's `schemas`), then drops the
 * schemas the engine itself created (those named by the history's SCHEMA marker row);
 * the others stay, empty, with their owner and grants.
 *
 * As Flyway's CleanExecutor: a schema that does not exist is a warning; every schema is
 * emptied in its own transaction, in the order given and then once more in reverse (an
 * object of one schema may depend on another's); errors while emptying a schema that is
 * dropped afterwards are ignored (DROP SCHEMA ... CASCADE takes the rest), and a created
 * schema that cannot be dropped is reported cleaned instead. Its callbacks are
 * beforeClean, afterClean and afterCleanError. The advisory lock is held throughout, so
 * a migrate never runs against a half-cleaned schema.
 *
 * What is dropped, kind by kind (each list read just before its drops, so that what a
 * CASCADE already took is not named): materialized views, views, tables (partitioned and foreign
 * tables too; partitions and inheritance children go with their parent), sequences, functions,
 * procedures and aggregates, types (composite, enum, range, base), domains, collations,
 * text search configurations and dictionaries, operator families, operators, and the
 * extensions installed in the schema by the connected user.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "pg/conn.h"
#include "pg/engine.h"

/* Each query returns the DROP statements of one kind for schema $1, quoted by the
 * server (format's %I). An object that belongs to an extension, or is part of another
 * object (a range type's constructor functions, an array type), is left to its owner. */
#define NOT_OWNED(oid)                                                                             \
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.objid = " oid           \
	" AND dep.objsubid = 0 AND dep.refobjid <> " oid " AND dep.deptype IN ('e', 'i'))"
static const char *const kinds[] = {
    /* materialized views and views */
    "SELECT format('DROP %s IF EXISTS %I.%I CASCADE', CASE c.relkind WHEN 'm' THEN "
    "'MATERIALIZED VIEW' ELSE 'VIEW' END, n.nspname, c.relname) FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND "
    "c.relkind IN ('m', 'v')" NOT_OWNED("c.oid") " ORDER BY c.relkind, c.oid DESC",
    /* tables: partitions and inheritance children go with their parent */
    "SELECT format('DROP %s IF EXISTS %I.%I CASCADE', CASE c.relkind WHEN 'f' THEN "
    "'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname) FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND "
    "c.relkind IN ('r', 'p', 'f') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i "
    "WHERE i.inhrelid = c.oid)" NOT_OWNED("c.oid"),
    "SELECT format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', n.nspname, c.relname) FROM "
    "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
    "n.nspname = $1 AND c.relkind = 'S'" NOT_OWNED("c.oid"),
    "SELECT format('DROP %s IF EXISTS %I.%I(%s) CASCADE', CASE p.prokind WHEN 'a' THEN "
    "'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname, "
    "pg_catalog.pg_get_function_identity_arguments(p.oid)) FROM pg_catalog.pg_proc p JOIN "
    "pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1" NOT_OWNED("p.oid"),
    /* types: not the array and multirange types made with another, not a table's row
     * type, not domains (below) */
    "SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname) FROM "
    "pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE "
    "n.nspname = $1 AND t.typtype IN ('b', 'c', 'e', 'p', 'r') AND (t.typrelid = 0 OR "
    "(SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND NOT "
    "EXISTS (SELECT 1 FROM pg_catalog.pg_type el WHERE el.oid = t.typelem AND el.typarray = "
    "t.oid)" NOT_OWNED("t.oid"),
    "SELECT format('DROP DOMAIN IF EXISTS %I.%I CASCADE', n.nspname, t.typname) FROM "
    "pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE "
    "n.nspname = $1 AND t.typtype = 'd'" NOT_OWNED("t.oid"),
    "SELECT format('DROP COLLATION IF EXISTS %I.%I CASCADE', n.nspname, c.collname) FROM "
    "pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace "
    "WHERE n.nspname = $1" NOT_OWNED("c.oid"),
    "SELECT format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %I.%I CASCADE', n.nspname, "
    "c.cfgname) FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = "
    "c.cfgnamespace WHERE n.nspname = $1" NOT_OWNED("c.oid"),
    "SELECT format('DROP TEXT SEARCH DICTIONARY IF EXISTS %I.%I CASCADE', n.nspname, "
    "d.dictname) FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = "
    "d.dictnamespace WHERE n.nspname = $1" NOT_OWNED("d.oid"),
    "SELECT format('DROP OPERATOR FAMILY IF EXISTS %I.%I USING %I CASCADE', n.nspname, "
    "f.opfname, a.amname) FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am a ON a.oid = "
    "f.opfmethod JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace WHERE n.nspname = "
    "$1" NOT_OWNED("f.oid"),
    "SELECT format('DROP OPERATOR IF EXISTS %I.%s (%s, %s) CASCADE', n.nspname, o.oprname, "
    "CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE pg_catalog.format_type(o.oprleft, NULL) END, "
    "CASE WHEN o.oprright = 0 THEN 'NONE' ELSE pg_catalog.format_type(o.oprright, NULL) "
    "END) FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = "
    "o.oprnamespace WHERE n.nspname = $1" NOT_OWNED("o.oid"),
    "SELECT format('DROP EXTENSION IF EXISTS %I CASCADE', e.extname) FROM "
    "pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
    "WHERE n.nspname = $1 AND e.extowner = (SELECT oid FROM pg_catalog.pg_roles WHERE "
    "rolname = current_user)",
};

/* Every object of schema, in one transaction. */
static int empty_schema(engine *g, const char *schema, err *e)
{
	const char *p[] = {schema};
	int rc = conn_exec(g->c, "BEGIN", NULL, e);
	for (size_t k = 0; rc == 0 && k < sizeof kinds / sizeof *kinds; k++) {
		PGresult *r;
		if ((rc = conn_execp(g->c, kinds[k], 1, p, &r, e)))
			break;
		for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
			log_verbose("clean: %s", PQgetvalue(r, i, 0));
			rc = conn_exec(g->c, PQgetvalue(r, i, 0), NULL, e);
		}
		PQclear(r);
	}
	if (rc == 0)
		rc = conn_exec(g->c, "COMMIT", NULL, e);
	if (rc) {
		PQclear(PQexec(g->c, "ROLLBACK"));
		return err_prefix(e, "cleaning schema %s (rolled back)", schema);
	}
	return 0;
}

/* The schemas of the SCHEMA marker rows ("a","b": quoted identifiers, comma-separated),
 * as Flyway's getSchemasCreatedByFlyway reads them. */
static void created_schemas(const pg_history *h, char ***out, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->rows[i].type, "SCHEMA") != 0)
			continue;
		const char *s = h->rows[i].script;
		while (*s) {
			buf name = BUF_INIT;
			if (*s == '"') {
				for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++) {
					if (s[0] == '"')
						s++; /* "" is one quote */
					buf_putc(&name, *s);
				}
				if (*s == '"')
					s++;
			} else {
				size_t len = strcspn(s, ",");
				buf_put(&name, s, len);
				s += len;
			}
			ARRAY_GROW(*out, *n + 1, *cap);
			(*out)[(*n)++] = buf_detach(&name);
			s += strspn(s, ", ");
		}
	}
}

static int listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void add(char ***v, size_t *n, size_t *cap, const char *s)
{
	ARRAY_GROW(*v, *n + 1, *cap);
	(*v)[(*n)++] = xstrdup(s);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The managed schemas that exist: the history table's first, then the others given. */
static int managed_schemas(engine *g, char ***out, size_t *n, size_t *cap, err *e)
{
	char **all = NULL;
	size_t na = 0, all_cap = 0;
	add(&all, &na, &all_cap, g->h.schema);
	for (size_t i = 0; i < g->o->n_schemas; i++)
		if (!listed(all, na, g->o->schemas[i]))
			add(&all, &na, &all_cap, g->o->schemas[i]);
	int rc = 0;
	for (size_t i = 0; i < na && rc == 0; i++) {
		const char *p[] = {all[i]};
		PGresult *r;
		rc = conn_execp(g->c, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", 1,
		                p, &r, e);
		if (rc == 0 && PQntuples(r) == 0)
			log_warn("clean: schema %s does not exist, nothing to clean there", all[i]);
		else if (rc == 0)
			add(out, n, cap, all[i]);
		if (rc == 0)
			PQclear(r);
	}
	free_list(all, na);
	return rc;
}

static int clean_all(engine *g, migrate_clean_result *res, err *e)
{
	char **created = NULL, **schemas = NULL;
	size_t nc = 0, ns = 0, created_cap = 0, schemas_cap = 0;
	created_schemas(&g->h, &created, &nc, &created_cap);
	int rc = managed_schemas(g, &schemas, &ns, &schemas_cap, e);
	/* In order, then in reverse; a schema dropped afterwards may fail to empty. */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (size_t k = 0; k < ns && rc == 0; k++) {
			const char *s = schemas[pass ? ns - 1 - k : k];
			err ie = ERR_INIT;
			if (!listed(created, nc, s)) {
				rc = empty_schema(g, s, e);
				if (rc == 0 && pass == 0) {
					add(&res->cleaned, &res->n_cleaned, &res->cleaned_cap, s);
					log_info("cleaned schema %s", s);
				}
			} else if (empty_schema(g, s, &ie)) {
				log_verbose("%s (the schema is dropped next)", ie.msg);
			}
		}
	}
	for (size_t k = 0; k < ns && rc == 0; k++) {
		if (!listed(created, nc, schemas[k]))
			continue;
		char *q = PQescapeIdentifier(g->c, schemas[k], strlen(schemas[k]));
		char *sql = xasprintf("DROP SCHEMA %s CASCADE", q);
		PQfreemem(q);
		err ie = ERR_INIT;
		if (conn_exec(g->c, sql, NULL, &ie) == 0) {
			add(&res->dropped, &res->n_dropped, &res->dropped_cap, schemas[k]);
			log_info("dropped schema %s (created by the engine)", schemas[k]);
		} else {
			log_warn("clean: could not drop schema %s, it was cleaned instead: %s",
			         schemas[k], ie.msg);
			add(&res->cleaned, &res->n_cleaned, &res->cleaned_cap, schemas[k]);
		}
		free(sql);
	}
	free_list(created, nc);
	free_list(schemas, ns);
	return rc;
}

int migrate_clean(const migrate_opts *o, migrate_clean_result *res, err *e)
{
	memset(res, 0, sizeof *res);
	if (!o->clean_enabled)
		return err_set(e, ORC_EUSAGE,
		               "clean is disabled (Flyway's cleanDisabled, true by default): it "
		               "drops every object in the schema; pass --clean-disabled=false (or "
		               "set FLYWAY_CLEAN_DISABLED=false or flyway.cleanDisabled=false) to "
		               "run it");
	engine g;
	int rc = engine_open(&g, o, ENGINE_FILES | ENGINE_READ, e);
	int locked = rc == 0 && (rc = history_lock(&g.h, e)) == 0;
	int before = rc == 0 && (rc = callback_run(&g, "beforeClean", NULL, e)) == 0;
	if (rc == 0)
		rc = clean_all(&g, res, e);
	if (rc == 0)
		rc = callback_run(&g, "afterClean", NULL, e);
	else if (before)
		callback_run_on_error(&g, "afterCleanError");
	if (locked)
		history_unlock(&g.h);
	engine_free(&g);
	return rc;
}

void migrate_clean_result_free(migrate_clean_result *res)
{
	free_list(res->cleaned, res->n_cleaned);
	free_list(res->dropped, res->n_dropped);
	memset(res, 0, sizeof *res);
}
