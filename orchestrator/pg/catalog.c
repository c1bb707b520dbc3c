/*
 * catalog: pg_catalog read into a model for schema-docs, eleven statements whatever the size
 * (constraints and indexes over a second connection, at the same time as the rest).
 *
 * Each query covers all selected schemas. Relations come ordered by schema and name with
 * COLLATE "C" (the model's order); the per-relation rows (columns, constraints, indexes,
 * triggers) by the relation's OID, then position or name, so the rows of one relation are
 * contiguous and the model is filled by one pass over each result, with a binary search
 * from the OID to the relation's slot (sorting the big results by name cost the server
 * more than the search costs us). Every result streams in row by row, from both
 * connections as their rows arrive. List-valued fields (key columns, enum labels, domain
 * checks) are JSON arrays built by the server, or for constraint keys by us from the
 * attnums with cJSON, read with cJSON by the renderer: no hand-written array-literal
 * parsing.
 *
 * Deparsing is the server's cost: each pg_get_expr / pg_get_constraintdef /
 * pg_get_indexdef with a relation context opens that relation (a relation cache entry per
 * table). Defaults cannot reference a column, so they are deparsed without one; CHECKs and
 * indexes need it and share one backend's cache.
 *
 * Objects that belong to an extension are left out: they are not the team's schema.
 */
#include "pg/catalog.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/log.h"

/* The schemas filter every object query shares ($1: JSON array of schema names). */
#define IN_SCHEMAS "n.nspname IN (SELECT pg_catalog.json_array_elements_text($1::pg_catalog.json))"
#define NOT_EXT(cls, oid)                                                                          \
	"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '" cls                 \
	"'::pg_catalog.regclass AND d.objid = " oid " AND d.deptype = 'e')"
/* Comments by join: obj_description() is a SQL function run once per row. */
#define DESC(alias, cls, oid, sub)                                                                 \
	" LEFT JOIN pg_catalog.pg_description " alias " ON " alias ".objoid = " oid " AND " alias  \
	".classoid = '" cls "'::pg_catalog.regclass AND " alias ".objsubid = " sub
#define BY_REL "n.nspname COLLATE \"C\", c.relname COLLATE \"C\""

static const char Q_SESSION[] =
    "SELECT pg_catalog.set_config('search_path', 'public', false),"
    " pg_catalog.set_config('TimeZone', 'UTC', false),"
    " pg_catalog.set_config('DateStyle', 'ISO, YMD', false),"
    " pg_catalog.set_config('IntervalStyle', 'postgres', false),"
    " pg_catalog.set_config('extra_float_digits', '1', false),"
    " pg_catalog.set_config('jit', 'off', false)"; /* compiling costs more than it saves here */

static const char Q_SCHEMAS[] =
    "SELECT n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace')"
    " FROM pg_catalog.pg_namespace n WHERE CASE WHEN $1::text IS NULL THEN"
    " n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND " NOT_EXT(
        "pg_catalog.pg_namespace", "n.oid") " ELSE " IN_SCHEMAS " END"
                                            " ORDER BY n.nspname COLLATE \"C\"";

/* Row-level security policies as pg_policies shows them: the roles by name, PUBLIC as
 * "public". */
#define POLICIES                                                                                   \
	"(SELECT pg_catalog.json_agg(pg_catalog.json_build_object('name', po.polname,"             \
	" 'command', CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'"                 \
	" WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"                           \
	" 'permissive', po.polpermissive,"                                                         \
	" 'roles', CASE WHEN po.polroles = '{0}'::pg_catalog.oid[]"                                \
	"  THEN pg_catalog.json_build_array('public') ELSE (SELECT pg_catalog.json_agg(ro.rolname" \
	"  ORDER BY ro.rolname COLLATE \"C\") FROM pg_catalog.pg_roles ro"                         \
	"  WHERE ro.oid = ANY (po.polroles)) END,"                                                 \
	" 'using', pg_catalog.pg_get_expr(po.polqual, po.polrelid),"                               \
	" 'with_check', pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid))"                     \
	" ORDER BY po.polname COLLATE \"C\") FROM pg_catalog.pg_policy po"                         \
	" WHERE po.polrelid = c.oid)"

/* The relations a view's rewrite rule depends on: what the view reads. */
#define VIEW_SOURCES                                                                               \
	"(SELECT pg_catalog.json_agg(pg_catalog.json_build_array(sn.nspname, sc.relname)"          \
	" ORDER BY sn.nspname COLLATE \"C\", sc.relname COLLATE \"C\")"                            \
	" FROM (SELECT DISTINCT d.refobjid FROM pg_catalog.pg_rewrite rw"                          \
	"  JOIN pg_catalog.pg_depend d ON d.classid = "                                            \
	"'pg_catalog.pg_rewrite'::pg_catalog.regclass"                                             \
	"  AND d.objid = rw.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"     \
	"  WHERE rw.ev_class = c.oid AND d.refobjid <> c.oid) s"                                   \
	" JOIN pg_catalog.pg_class sc ON sc.oid = s.refobjid"                                      \
	" JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace)"

static const char Q_RELS[] =
    "SELECT c.oid, n.nspname, c.relname, c.relkind, pn.nspname, pc.relname,"
    " CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid)"
    "  WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
    " CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END,"
    " cd.description, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,"
    " s.seqmin, s.seqmax, s.seqcycle,"
    " CASE WHEN c.relkind = 'S' THEN (SELECT tc.relname || '.' || ta.attname"
    "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid"
    "  JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid"
    "  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
    "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "  AND d.deptype IN ('a', 'i') ORDER BY 1 LIMIT 1) END,"
    " c.relrowsecurity, c.relforcerowsecurity, c.relpersistence = 'u',"
    " CASE WHEN c.relrowsecurity OR c.relkind IN ('r', 'p') THEN " POLICIES " END,"
    " fs.srvname, pg_catalog.array_to_json(ft.ftoptions),"
    " CASE WHEN c.relkind IN ('v', 'm') THEN " VIEW_SOURCES " END, c.relnatts"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid"
    " LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
    " LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
    " LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
    " LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid"
    " LEFT JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver" DESC(
        "cd", "pg_catalog.pg_class", "c.oid",
        "0") " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND " IN_SCHEMAS
             " AND " NOT_EXT("pg_catalog.pg_class", "c.oid") " ORDER BY " BY_REL;

static const char Q_COLS[] =
    "WITH el AS (SELECT e.enumtypid, pg_catalog.json_agg(e.enumlabel ORDER BY e.enumsortorder)"
    " AS labels FROM pg_catalog.pg_enum e GROUP BY e.enumtypid)"
    " SELECT a.attrelid, a.attname,"
    " CASE WHEN a.atttypmod < 0 OR a.atttypid IN (1042, 1043, 1700)"
    "  THEN pg_catalog.format_type(a.atttypid, NULL)"
    "  ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) END,"
    " CASE WHEN a.atttypmod >= 0 AND a.atttypid IN (1042, 1043) THEN (a.atttypmod - 4)::text"
    "  WHEN a.atttypmod >= 0 AND a.atttypid = 1700 THEN ((a.atttypmod - 4) >> 16)::text ||"
    "  CASE WHEN ((a.atttypmod - 4) & 65535) <> 0 THEN ',' || ((a.atttypmod - 4) & 65535)::text"
    "  ELSE '' END END,"
    " CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0) END,"
    " a.attnotnull, cd.description, el.labels,"
    " NULLIF(a.attidentity, ''),"
    " CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,"
    " pg_catalog.format_type(a.atttypid, a.atttypmod),"
    " CASE WHEN a.attcollation <> t.typcollation THEN (SELECT CASE WHEN cn.nspname ="
    "  'pg_catalog' THEN pg_catalog.quote_ident(co.collname) ELSE"
    "  pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END"
    "  FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn"
    "  ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END, a.attnum"
    " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
    " LEFT JOIN el ON el.enumtypid = CASE WHEN t.typtype = 'd' THEN t.typbasetype"
    "  WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END" DESC(
        "cd", "pg_catalog.pg_class", "a.attrelid",
        "a.attnum") " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', "
                    "'m', 'f')"
                    " AND " IN_SCHEMAS " ORDER BY a.attrelid, a.attnum";

#define KEY_NAMES(keys, rel)                                                                       \
	"(SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord) FROM pg_catalog.unnest(" keys       \
	") WITH ORDINALITY k(num, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = " rel        \
	" AND a.attnum = k.num)"

/* Every definition as PostgreSQL deparses it (NULLS NOT DISTINCT, INCLUDE, ON DELETE SET
 * NULL (cols) are never rebuilt from columns here); a constraint trigger by its trigger.
 * The key columns come as attnums and are named from the columns already read (a subquery
 * per row cost a third of this query); only a key holding a system column (tableoid in a
 * CHECK) is named here. A foreign key's referenced columns are named here: the table may
 * be outside the documented schemas or left out with --exclude. */
/* clang-format off */
static const char Q_CONS[] =
    "SELECT co.conrelid, co.conname, co.contype,"
    " CASE WHEN co.contype = 't' THEN (SELECT pg_catalog.pg_get_triggerdef(tg.oid, true)"
    "  FROM pg_catalog.pg_trigger tg WHERE tg.tgconstraint = co.oid ORDER BY tg.oid LIMIT 1)"
    "  ELSE pg_catalog.pg_get_constraintdef(co.oid, true) END,"
    " CASE WHEN 0 > ANY (co.conkey) THEN " KEY_NAMES("co.conkey", "co.conrelid") " END,"
    " fn.nspname, fc.relname,"
    " CASE WHEN co.contype = 'f' THEN " KEY_NAMES("co.confkey", "co.confrelid") " END,"
    " co.confupdtype, co.confdeltype, co.conparentid <> 0, cd.description,"
    " pg_catalog.array_to_json(co.conkey)"
    " FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_catalog.pg_class fc ON fc.oid = co.confrelid"
    " LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace"
    DESC("cd", "pg_catalog.pg_constraint", "co.oid", "0")
    " WHERE " IN_SCHEMAS
    " ORDER BY co.conrelid, pg_catalog.strpos('pufcxt', co.contype::text),"
    " co.conname COLLATE \"C\", fn.nspname COLLATE \"C\", fc.relname COLLATE \"C\"";
/* clang-format on */

/* An index behind a PRIMARY KEY or UNIQUE constraint is shown as that constraint (always a
 * btree on its key columns), so only the other indexes are deparsed. */
static const char Q_IDXS[] =
    "SELECT i.indrelid, ic.relname,"
    " CASE WHEN co.oid IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) END,"
    " i.indisprimary, i.indisunique, co.conname, cd.description"
    " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
    " JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_catalog.pg_constraint co ON co.conindid = i.indexrelid"
    "  AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x')" DESC(
        "cd", "pg_catalog.pg_class", "i.indexrelid",
        "0") " WHERE " IN_SCHEMAS " ORDER BY i.indrelid, ic.relname COLLATE \"C\"";

static const char Q_TRGS[] =
    "SELECT t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true), t.tgparentid <> 0,"
    " cd.description"
    " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace" DESC(
        "cd", "pg_catalog.pg_trigger", "t.oid", "0") " WHERE NOT t.tgisinternal AND " IN_SCHEMAS
                                                     " ORDER BY t.tgrelid, t.tgname COLLATE \"C\"";

static const char Q_TYPES[] =
    "SELECT n.nspname, t.typname, t.typtype, pg_catalog.obj_description(t.oid, 'pg_type'),"
    " CASE WHEN t.typtype = 'e' THEN (SELECT pg_catalog.json_agg(e.enumlabel ORDER BY"
    "  e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END,"
    " CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,"
    " t.typdefault, t.typnotnull,"
    " CASE WHEN t.typtype = 'd' THEN (SELECT pg_catalog.json_agg("
    "  pg_catalog.pg_get_constraintdef(co.oid, true) ORDER BY co.conname COLLATE \"C\")"
    "  FROM pg_catalog.pg_constraint co WHERE co.contypid = t.oid) END"
    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    " WHERE t.typtype IN ('e', 'd') AND " IN_SCHEMAS " AND " NOT_EXT(
        "pg_catalog.pg_type", "t.oid") " ORDER BY n.nspname COLLATE \"C\", t.typname COLLATE \"C\"";

static const char Q_FUNCS[] =
    "SELECT n.nspname, p.proname, pg_catalog.pg_get_function_arguments(p.oid),"
    " pg_catalog.pg_get_function_result(p.oid), l.lanname, p.prokind, p.provolatile,"
    " p.prosecdef, pg_catalog.obj_description(p.oid, 'pg_proc')"
    " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
    " WHERE " IN_SCHEMAS
    " AND " NOT_EXT("pg_catalog.pg_proc",
                    "p.oid") " ORDER BY n.nspname COLLATE \"C\", p.proname COLLATE \"C\","
                             " pg_catalog.pg_get_function_identity_arguments(p.oid) COLLATE \"C\"";

static const char Q_EXTS[] =
    "SELECT e.extname, e.extversion, n.nspname, cd.description"
    " FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace" DESC(
        "cd", "pg_catalog.pg_extension", "e.oid", "0") " ORDER BY e.extname COLLATE \"C\"";

/* The string arena: values are copied into 64 KB blocks (larger ones get their own). */
struct catalog_chunk {
	catalog_chunk *next;
	size_t used, size;
	char data[];
};

#define CHUNK_SIZE ((size_t)64 * 1024)

static char *arena_put(catalog *c, const char *s, size_t n)
{
	catalog_chunk *k = c->arena;
	if (!k || k->size - k->used < n + 1) {
		size_t size = n + 1 > CHUNK_SIZE ? n + 1 : CHUNK_SIZE;
		k = xmalloc(sizeof *k + size);
		k->size = size;
		k->used = 0;
		if (c->arena && size > CHUNK_SIZE) { /* keep filling the current block */
			k->next = c->arena->next;
			c->arena->next = k;
		} else {
			k->next = c->arena;
			c->arena = k;
		}
	}
	char *p = k->data + k->used;
	memcpy(p, s, n);
	p[n] = 0;
	k->used += n + 1;
	return p;
}

static const char *val(catalog *c, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return arena_put(c, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

static int flag(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static char ch(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : PQgetvalue(r, row, col)[0];
}

/* The first line of conn's (or r's) error, as the error of the query what. */
static int query_failed(PGconn *conn, const PGresult *r, const char *what, err *e)
{
	char *msg = xstrdup(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
	msg[strcspn(msg, "\n")] = 0;
	err_set(e, ORC_EFAIL, "reading the catalog (%s) failed: %s", what, msg);
	free(msg);
	return ORC_EFAIL;
}

static int run(PGconn *conn, catalog *c, const char *what, const char *sql, const char *param,
               PGresult **out, err *e)
{
	const char *params[1] = {param};
	c->queries++;
	log_verbose("schema-docs: query %d: %s", c->queries, what);
	PGresult *r = PQexecParams(conn, sql, param || strstr(sql, "$1") ? 1 : 0, NULL, params,
	                           NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		query_failed(conn, r, what, e);
		PQclear(r);
		return ORC_EFAIL;
	}
	*out = r;
	return 0;
}

/*
 * The second connection. Constraints and indexes (the costliest deparsing: every
 * definition, and for CHECKs and indexes a relation cache entry per table, which the two
 * share in one backend) are read over it while the first connection reads relations and
 * columns, so a server with two cores does the two halves side by side. When it cannot
 * connect, everything runs over the first connection: slower, same result.
 */
static PGconn *side_open(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn);
	size_t n = 0;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		n++;
	const char **kw = xcalloc(n + 1, sizeof *kw), **vals = xcalloc(n + 1, sizeof *vals);
	size_t k = 0;
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (o->val && *o->val) {
			kw[k] = o->keyword;
			vals[k++] = o->val;
		}
	}
	PGconn *side = PQconnectdbParams(kw, vals, 0);
	free(kw);
	free(vals);
	PQconninfoFree(opts);
	if (PQstatus(side) != CONNECTION_OK) {
		char *msg = xstrdup(PQerrorMessage(side));
		msg[strcspn(msg, "\n")] = 0;
		log_verbose("schema-docs: no second connection (%s); reading over one", msg);
		free(msg);
		PQfinish(side);
		return NULL;
	}
	return side;
}

/* OID -> relation slot, for the one-pass fill of the per-relation ranges. */
typedef struct rel_key {
	unsigned oid;
	size_t idx;
} rel_key;

static int key_cmp(const void *a, const void *b)
{
	unsigned x = ((const rel_key *)a)->oid, y = ((const rel_key *)b)->oid;
	return x < y ? -1 : x > y;
}

static int excluded(const catalog_opts *o, const char *schema, const char *name)
{
	for (size_t i = 0; i < o->nexclude; i++) {
		const char *x = o->exclude[i], *dot = strchr(x, '.');
		if (dot && strncmp(x, schema, (size_t)(dot - x)) == 0 && schema[dot - x] == 0 &&
		    strcmp(dot + 1, name) == 0)
			return 1;
		if (strcmp(x, name) == 0)
			return 1;
	}
	return 0;
}

/*
 * What the row handlers share while the results stream in. Every query runs in single-row
 * mode: a whole PGresult holds a pointer and a length per field besides the text, so the
 * constraints' or columns' result of a 10,000-table schema cost more than the model.
 */
typedef struct loader {
	catalog *c;
	const catalog_opts *opts;
	rel_key *keys; /* sorted by OID once the relations are read */
	size_t ncolsmax, caprels, capcons, capidx, captrg, captypes, capfuncs, capexts;
	int *attnums;         /* by column: its attnum, to name constraint keys */
	const char **conkeys; /* by constraint: its key as a JSON array of attnums, or NULL */
	int rels_read;
} loader;

/* The relation slot of the row's first field (the relation's OID), or -1: left out. */
static long rel_of(const loader *L, const PGresult *r, int row)
{
	rel_key k = {(unsigned)strtoul(PQgetvalue(r, row, 0), NULL, 10), 0};
	const rel_key *f = bsearch(&k, L->keys, L->c->nrels, sizeof *L->keys, key_cmp);
	return f ? (long)f->idx : -1;
}

/* Gives the next row of a relation its slot: the first one opens the range (the rows of
 * one relation are contiguous: each query is ordered by the relation's OID first). */
#define RANGE(relp, first, count, total)                                                           \
	do {                                                                                       \
		if ((relp)->count == 0)                                                            \
			(relp)->first = (total);                                                   \
		(relp)->count++;                                                                   \
	} while (0)

static int no_rows(loader *L, const PGresult *r, int i)
{
	(void)L, (void)r, (void)i;
	return 0;
}

static int rel_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	if (excluded(L->opts, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)))
		return 0;
	size_t cap = L->caprels;
	ARRAY_GROW(c->rels, c->nrels + 1, L->caprels);
	if (cap != L->caprels)
		L->keys = xrealloc(L->keys, L->caprels * sizeof *L->keys);
	catalog_rel *rel = &c->rels[c->nrels];
	*rel = (catalog_rel){0};
	L->keys[c->nrels].oid = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
	L->keys[c->nrels].idx = c->nrels;
	rel->schema = val(c, r, i, 1);
	rel->name = val(c, r, i, 2);
	rel->kind = ch(r, i, 3);
	rel->parent_schema = val(c, r, i, 4);
	rel->parent_name = val(c, r, i, 5);
	rel->bound = val(c, r, i, 6);
	rel->viewdef = val(c, r, i, 7);
	rel->comment = val(c, r, i, 8);
	rel->seq_type = val(c, r, i, 9);
	rel->seq_start = val(c, r, i, 10);
	rel->seq_increment = val(c, r, i, 11);
	rel->seq_min = val(c, r, i, 12);
	rel->seq_max = val(c, r, i, 13);
	rel->seq_cycle = flag(r, i, 14);
	rel->seq_owned_by = val(c, r, i, 15);
	rel->rls = flag(r, i, 16);
	rel->rls_forced = flag(r, i, 17);
	rel->unlogged = flag(r, i, 18);
	rel->policies = val(c, r, i, 19);
	rel->fdw_server = val(c, r, i, 20);
	rel->fdw_options = val(c, r, i, 21);
	rel->sources = val(c, r, i, 22);
	if (rel->kind != 'S') /* counts dropped columns too: an upper bound */
		L->ncolsmax += strtoul(PQgetvalue(r, i, 23), NULL, 10);
	c->nrels++;
	return 0;
}

/* The relations are all read: the OID index the other rows are matched with. */
static void rels_read(loader *L)
{
	if (!L->keys) /* none: still an array, for bsearch */
		L->keys = xcalloc(1, sizeof *L->keys);
	qsort(L->keys, L->c->nrels, sizeof *L->keys, key_cmp);
	L->c->cols = xcalloc(L->ncolsmax + 1, sizeof *L->c->cols);
	L->attnums = xcalloc(L->ncolsmax + 1, sizeof *L->attnums);
	L->rels_read = 1;
}

static int col_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	long ri = rel_of(L, r, i);
	if (ri < 0)
		return 0;
	if (c->ncols == L->ncolsmax) { /* a column added since the relations were read */
		L->ncolsmax = L->ncolsmax * 2 + 16;
		c->cols = xrealloc(c->cols, (L->ncolsmax + 1) * sizeof *c->cols);
		L->attnums = xrealloc(L->attnums, (L->ncolsmax + 1) * sizeof *L->attnums);
	}
	RANGE(&c->rels[ri], col0, ncols, c->ncols);
	L->attnums[c->ncols] = atoi(PQgetvalue(r, i, 12));
	catalog_column *col = &c->cols[c->ncols++];
	col->name = val(c, r, i, 1);
	col->type = val(c, r, i, 2);
	col->length = val(c, r, i, 3);
	col->dflt = val(c, r, i, 4);
	col->notnull = flag(r, i, 5);
	col->comment = val(c, r, i, 6);
	col->enum_labels = val(c, r, i, 7);
	col->identity = val(c, r, i, 8);
	col->generated = val(c, r, i, 9);
	col->full_type = val(c, r, i, 10);
	col->collation = val(c, r, i, 11);
	return 0;
}

static int con_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	long ri = rel_of(L, r, i);
	if (ri < 0)
		return 0;
	size_t cap = L->capcons;
	ARRAY_GROW(c->cons, c->ncons + 1, L->capcons);
	if (cap != L->capcons)
		L->conkeys = xrealloc(L->conkeys, L->capcons * sizeof *L->conkeys);
	RANGE(&c->rels[ri], con0, ncons, c->ncons);
	L->conkeys[c->ncons] = NULL;
	catalog_constraint *k = &c->cons[c->ncons++];
	k->name = val(c, r, i, 1);
	k->type = ch(r, i, 2);
	k->def = val(c, r, i, 3);
	k->columns = val(c, r, i, 4);
	if (!k->columns)
		L->conkeys[c->ncons - 1] = val(c, r, i, 12);
	k->ref_schema = val(c, r, i, 5);
	k->ref_table = val(c, r, i, 6);
	k->ref_columns = val(c, r, i, 7);
	k->on_update = ch(r, i, 8);
	k->on_delete = ch(r, i, 9);
	k->inherited = flag(r, i, 10);
	k->comment = val(c, r, i, 11);
	return 0;
}

static int idx_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	long ri = rel_of(L, r, i);
	if (ri < 0)
		return 0;
	ARRAY_GROW(c->idxs, c->nidxs + 1, L->capidx);
	RANGE(&c->rels[ri], idx0, nidx, c->nidxs);
	catalog_index *x = &c->idxs[c->nidxs++];
	x->name = val(c, r, i, 1);
	x->def = val(c, r, i, 2);
	x->primary = flag(r, i, 3);
	x->unique = flag(r, i, 4);
	x->constraint = val(c, r, i, 5);
	x->comment = val(c, r, i, 6);
	return 0;
}

static int trg_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	long ri = rel_of(L, r, i);
	if (ri < 0)
		return 0;
	ARRAY_GROW(c->trgs, c->ntrgs + 1, L->captrg);
	RANGE(&c->rels[ri], trg0, ntrg, c->ntrgs);
	catalog_trigger *t = &c->trgs[c->ntrgs++];
	t->name = val(c, r, i, 1);
	t->def = val(c, r, i, 2);
	t->inherited = flag(r, i, 3);
	t->comment = val(c, r, i, 4);
	return 0;
}

static int type_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	ARRAY_GROW(c->types, c->ntypes + 1, L->captypes);
	catalog_type *t = &c->types[c->ntypes++];
	t->schema = val(c, r, i, 0);
	t->name = val(c, r, i, 1);
	t->kind = ch(r, i, 2);
	t->comment = val(c, r, i, 3);
	t->labels = val(c, r, i, 4);
	t->base = val(c, r, i, 5);
	t->dflt = val(c, r, i, 6);
	t->notnull = flag(r, i, 7);
	t->checks = val(c, r, i, 8);
	return 0;
}

static int func_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	ARRAY_GROW(c->funcs, c->nfuncs + 1, L->capfuncs);
	catalog_function *f = &c->funcs[c->nfuncs++];
	f->schema = val(c, r, i, 0);
	f->name = val(c, r, i, 1);
	f->args = val(c, r, i, 2);
	f->result = val(c, r, i, 3);
	f->language = val(c, r, i, 4);
	f->kind = ch(r, i, 5);
	f->volatility = ch(r, i, 6);
	f->security_definer = flag(r, i, 7);
	f->comment = val(c, r, i, 8);
	return 0;
}

static int ext_row(loader *L, const PGresult *r, int i)
{
	catalog *c = L->c;
	ARRAY_GROW(c->exts, c->nexts + 1, L->capexts);
	catalog_extension *x = &c->exts[c->nexts++];
	x->name = val(c, r, i, 0);
	x->version = val(c, r, i, 1);
	x->schema = val(c, r, i, 2);
	x->comment = val(c, r, i, 3);
	return 0;
}

/* One statement of a connection's sequence, and what to do with each row. */
typedef struct step {
	const char *what, *sql;
	int schemas;    /* takes the schema names as $1 */
	int needs_rels; /* its rows name a relation: read only once the relations are */
	int (*row)(loader *L, const PGresult *r, int i);
	void (*done)(loader *L);
} step;

static const step S_SESSION = {"session settings", Q_SESSION, 0, 0, no_rows, NULL};
static const step S_RELS = {"relations", Q_RELS, 1, 0, rel_row, rels_read};
static const step S_COLS = {"columns", Q_COLS, 1, 1, col_row, NULL};
static const step S_CONS = {"constraints", Q_CONS, 1, 1, con_row, NULL};
static const step S_IDXS = {"indexes", Q_IDXS, 1, 1, idx_row, NULL};
static const step S_TRGS = {"triggers", Q_TRGS, 1, 1, trg_row, NULL};
static const step S_TYPES = {"types", Q_TYPES, 1, 0, type_row, NULL};
static const step S_FUNCS = {"functions", Q_FUNCS, 1, 0, func_row, NULL};
static const step S_EXTS = {"extensions", Q_EXTS, 0, 0, ext_row, NULL};

/* A connection and the statements it runs one after the other. */
typedef struct lane {
	PGconn *conn;
	const char *label;
	const step *const *steps;
	size_t n, at;
	int sent;
} lane;

static int lane_send(loader *L, lane *l, const char *names, err *e)
{
	const step *s = l->steps[l->at];
	const char *params[1] = {names};
	L->c->queries++;
	log_verbose("schema-docs: query %d%s: %s", L->c->queries, l->label, s->what);
	if (!PQsendQueryParams(l->conn, s->sql, s->schemas ? 1 : 0, NULL, params, NULL, NULL, 0))
		return query_failed(l->conn, NULL, s->what, e);
	PQsetSingleRowMode(l->conn); /* when refused, the rows come in one result: same */
	l->sent = 1;
	return 0;
}

/* Handles what has arrived on l without waiting; sends its next statement after each. */
static int lane_read(loader *L, lane *l, const char *names, err *e)
{
	if (!PQconsumeInput(l->conn))
		return query_failed(l->conn, NULL, l->steps[l->at]->what, e);
	while (l->sent && !PQisBusy(l->conn)) {
		const step *s = l->steps[l->at];
		if (s->needs_rels && !L->rels_read)
			return 0;
		PGresult *r = PQgetResult(l->conn);
		if (!r) { /* the statement's end */
			l->sent = 0;
			if (s->done)
				s->done(L);
			if (++l->at < l->n && lane_send(L, l, names, e))
				return ORC_EFAIL;
			continue;
		}
		ExecStatusType st = PQresultStatus(r);
		int rc = 0;
		if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK)
			for (int i = 0; i < PQntuples(r) && rc == 0; i++)
				rc = s->row(L, r, i);
		else
			rc = query_failed(l->conn, r, s->what, e);
		PQclear(r);
		if (rc)
			return rc;
	}
	return 0;
}

/* Runs the lanes side by side: whichever connection has rows is read. */
static int lanes_run(loader *L, lane *lanes, size_t n, const char *names, err *e)
{
	for (size_t i = 0; i < n; i++)
		if (lanes[i].n && lane_send(L, &lanes[i], names, e))
			return ORC_EFAIL;
	for (;;) {
		struct pollfd fds[2];
		size_t nf = 0;
		int active = 0;
		for (size_t i = 0; i < n; i++) {
			lane *l = &lanes[i];
			if (!l->sent)
				continue;
			active = 1;
			if (l->steps[l->at]->needs_rels && !L->rels_read)
				continue; /* the relations lane moves first */
			if (lane_read(L, l, names, e))
				return ORC_EFAIL;
			if (l->sent && !(l->steps[l->at]->needs_rels && !L->rels_read))
				fds[nf++] = (struct pollfd){PQsocket(l->conn), POLLIN, 0};
		}
		if (!active)
			return 0;
		if (nf && poll(fds, (nfds_t)nf, -1) < 0 && errno != EINTR)
			return err_set(e, ORC_EFAIL, "reading the catalog failed: poll: %s",
			               strerror(errno));
	}
}

/* Names each constraint's key columns from its attnums and the relation's columns. */
static void name_keys(loader *L)
{
	catalog *c = L->c;
	for (size_t j = 0; j < c->nrels; j++) {
		const catalog_rel *rel = &c->rels[j];
		for (size_t k = rel->con0; k < rel->con0 + rel->ncons; k++) {
			cJSON *nums = L->conkeys[k] ? cJSON_Parse(L->conkeys[k]) : NULL, *it;
			cJSON *names = cJSON_CreateArray();
			cJSON_ArrayForEach(it, nums)
			{
				for (size_t i = rel->col0; i < rel->col0 + rel->ncols; i++)
					if (cJSON_IsNumber(it) && L->attnums[i] == it->valueint)
						cJSON_AddItemToArray(
						    names, cJSON_CreateString(c->cols[i].name));
			}
			if (cJSON_GetArraySize(names) > 0) { /* as json_agg: NULL for none */
				char *text = cJSON_PrintUnformatted(names);
				c->cons[k].columns = arena_put(c, text, strlen(text));
				free(text);
			}
			cJSON_Delete(names);
			cJSON_Delete(nums);
		}
	}
}

int catalog_load(PGconn *conn, const catalog_opts *opts, catalog **out, err *e)
{
	static const catalog_opts none = {0};
	if (!opts)
		opts = &none;
	catalog *c = xcalloc(1, sizeof *c);
	loader L = {.c = c, .opts = opts};
	PGresult *r = NULL;
	int rc;
	char *names = NULL;
	PGconn *side = NULL;

	/* Settings that shape deparsed text (defaults, partition bounds, type names) are
	 * pinned, so the output does not depend on the role's or server's defaults. */
	if ((rc = run(conn, c, "session settings", Q_SESSION, NULL, &r, e)))
		goto fail;
	PQclear(r);
	r = NULL;

	/* Schemas: the requested ones (each must exist) or every user schema. */
	if (opts->nschemas) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < opts->nschemas; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(opts->schemas[i]));
		names = cJSON_PrintUnformatted(arr);
		cJSON_Delete(arr);
	}
	if ((rc = run(conn, c, "schemas", Q_SCHEMAS, names, &r, e)))
		goto fail;
	c->nschemas = (size_t)PQntuples(r);
	c->schemas = xcalloc(c->nschemas + 1, sizeof *c->schemas);
	cJSON *found = cJSON_CreateArray();
	for (size_t i = 0; i < c->nschemas; i++) {
		c->schemas[i].name = val(c, r, (int)i, 0);
		c->schemas[i].comment = val(c, r, (int)i, 1);
		cJSON_AddItemToArray(found, cJSON_CreateString(c->schemas[i].name));
	}
	for (size_t i = 0; i < opts->nschemas; i++) {
		size_t j = 0;
		while (j < c->nschemas && strcmp(c->schemas[j].name, opts->schemas[i]) != 0)
			j++;
		if (j == c->nschemas) {
			cJSON_Delete(found);
			rc = err_set(e, ORC_EUSAGE,
			             "--schema %s: no such schema in database %s (check the name; "
			             "schema names are case-sensitive)",
			             opts->schemas[i], PQdb(conn));
			goto fail;
		}
	}
	PQclear(r);
	r = NULL;
	free(names);
	names = cJSON_PrintUnformatted(found);
	cJSON_Delete(found);

	/* The rest streams in over two connections (one when a second cannot connect). */
	side = side_open(conn);
	static const step *const main_steps[] = {&S_RELS,  &S_COLS,  &S_TRGS,
	                                         &S_TYPES, &S_FUNCS, &S_EXTS};
	static const step *const side_steps[] = {&S_SESSION, &S_CONS, &S_IDXS};
	static const step *const alone[] = {&S_RELS, &S_COLS,  &S_CONS,  &S_IDXS,
	                                    &S_TRGS, &S_TYPES, &S_FUNCS, &S_EXTS};
	lane lanes[2] = {
	    {conn, "", side ? main_steps : alone,
	     side ? sizeof main_steps / sizeof *main_steps : sizeof alone / sizeof *alone, 0, 0},
	    {side, " (second connection)", side_steps,
	     side ? sizeof side_steps / sizeof *side_steps : 0, 0, 0}};
	if ((rc = lanes_run(&L, lanes, side ? 2 : 1, names, e)))
		goto fail;
	name_keys(&L);
	if (!c->rels) /* every array exists, empty or not */
		c->rels = xcalloc(1, sizeof *c->rels);
	if (!c->cols)
		c->cols = xcalloc(1, sizeof *c->cols);
	if (!c->cons)
		c->cons = xcalloc(1, sizeof *c->cons);
	if (!c->idxs)
		c->idxs = xcalloc(1, sizeof *c->idxs);
	if (!c->trgs)
		c->trgs = xcalloc(1, sizeof *c->trgs);
	if (!c->types)
		c->types = xcalloc(1, sizeof *c->types);
	if (!c->funcs)
		c->funcs = xcalloc(1, sizeof *c->funcs);
	if (!c->exts)
		c->exts = xcalloc(1, sizeof *c->exts);

	free(names);
	free(L.keys);
	free(L.attnums);
	free(L.conkeys);
	PQfinish(side);
	log_verbose("schema-docs: %d queries: %zu schemas, %zu relations, %zu columns, %zu "
	            "constraints, %zu indexes, %zu triggers, %zu types, %zu functions",
	            c->queries, c->nschemas, c->nrels, c->ncols, c->ncons, c->nidxs, c->ntrgs,
	            c->ntypes, c->nfuncs);
	*out = c;
	return 0;
fail:
	PQclear(r);
	free(names);
	free(L.keys);
	free(L.attnums);
	free(L.conkeys);
	PQfinish(side);
	catalog_free(c);
	return rc;
}

void catalog_free(catalog *c)
{
	if (!c)
		return;
	for (catalog_chunk *k = c->arena, *next; k; k = next) {
		next = k->next;
		free(k);
	}
	free(c->exts);
	free(c->schemas);
	free(c->rels);
	free(c->cols);
	free(c->cons);
	free(c->idxs);
	free(c->trgs);
	free(c->types);
	free(c->funcs);
	free(c);
}

long catalog_find_rel(const catalog *c, const char *schema, const char *name)
{
	size_t lo = 0, hi = c->nrels;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->rels[mid].schema, schema);
		if (d == 0)
			d = strcmp(c->rels[mid].name, name);
		if (d == 0)
			return (long)mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
