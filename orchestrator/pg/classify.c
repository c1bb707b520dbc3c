/*
 * classify: lines up the files with the history rows and gives every migration its Flyway
 * state (Pending, Success, Failed, Missing, Outdated, Ignored, Baseline, Future, ...) plus
 * the problems validation reports. migrate, info, validate and repair all read that one
 * table (engine.h), so they can never disagree about what a state means.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "pg/engine.h"
#include "pg/version.h"

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

/* find_versioned with a guess: the history is mostly in version order, like the files,
 * so the file after the previous row's is usually the one (one comparison instead of a
 * search). *next is the guess, updated to follow the file found. */
static const pg_migration *find_versioned_from(const engine *g, const char *version, size_t *next)
{
	const pg_migration *f =
	    *next < g->m.n_versioned && version_cmp(version, g->m.v[*next].version) == 0
	        ? &g->m.v[*next]
	        : find_versioned(g, version);
	if (f)
		*next = (size_t)(f - g->m.v) + 1;
	return f;
}

static const pg_migration *find_repeatable(const engine *g, const char *desc)
{
	return bsearch(desc, g->m.v + g->m.n_versioned, g->m.n - g->m.n_versioned, sizeof *g->m.v,
	               cmp_file_desc);
}

int classify_is_marker(const pg_applied *a)
{
	return strcmp(a->type, "SCHEMA") == 0 || strcmp(a->type, "DELETE") == 0;
}

/* Flyway's repair (9+) marks a missing migration with a later DELETE row. The DELETE
 * rows are indexed once (sorted by version, then repeatables by description), so that
 * a history with many deleted files is not a quadratic walk. */
typedef struct deletes {
	const pg_applied **v;
	size_t n;
} deletes;

static int cmp_deleted(const pg_applied *a, const pg_applied *b)
{
	if (a->version && b->version)
		return version_cmp(a->version, b->version);
	if (a->version || b->version)
		return a->version ? -1 : 1;
	return strcmp(a->description, b->description);
}

static int cmp_deleted_ptr(const void *a, const void *b)
{
	const pg_applied *x = *(const pg_applied *const *)a, *y = *(const pg_applied *const *)b;
	int c = cmp_deleted(x, y);
	return c ? c : (x->rank > y->rank) - (x->rank < y->rank);
}

static void deletes_index(const pg_history *h, deletes *d)
{
	d->v = xcalloc(h->n + 1, sizeof *d->v);
	d->n = 0;
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->rows[i].type, "DELETE") == 0)
			d->v[d->n++] = &h->rows[i];
	qsort(d->v, d->n, sizeof *d->v, cmp_deleted_ptr);
}

/* True when a DELETE row for a's migration comes after a. */
static int is_deleted(const deletes *d, const pg_applied *a)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) { /* the last DELETE row of a's migration: the highest rank */
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_deleted(d->v[mid], a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && cmp_deleted(d->v[lo - 1], a) == 0 && d->v[lo - 1]->rank > a->rank;
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

int classify_is_baseline_migration(const char *type)
{
	/* SQL_STATE_SCRIPT: the name Flyway's baseline migrations had before 8 */
	return strcmp(type, "SQL_BASELINE") == 0 || strcmp(type, "SQL_STATE_SCRIPT") == 0;
}

/* Every type Flyway's isBaseline() is true for: the BASELINE marker and the rows of
 * baseline migrations (the Java ones too). */
static int is_baseline_type(const char *type)
{
	if (strcmp(type, "SQL") == 0) /* nearly every row: one comparison */
		return 0;
	return strcmp(type, "BASELINE") == 0 || classify_is_baseline_migration(type) ||
	       strcmp(type, "JDBC_BASELINE") == 0 || strcmp(type, "JDBC_STATE_SCRIPT") == 0;
}

static const pg_migration *find_baseline(const engine *g, const char *version)
{
	return bsearch(version, g->m.v + g->m.n, g->m.n_baseline, sizeof *g->m.v, cmp_file_version);
}

/* The file a history row belongs to: a baseline migration's row to its B file, the
 * BASELINE marker to none, another versioned row to its V file, a repeatable's row to
 * its R file by description. */
static const pg_migration *row_file(const engine *g, const pg_applied *a, size_t *guess)
{
	if (!a->version)
		return find_repeatable(g, a->description);
	if (strcmp(a->type, "SQL") == 0)
		return find_versioned_from(g, a->version, guess);
	if (classify_is_baseline_migration(a->type))
		return find_baseline(g, a->version);
	if (strcmp(a->type, "BASELINE") == 0)
		return NULL;
	return find_versioned(g, a->version);
}

/*
 * The state of a versioned file (V or B) that has no history row, as Flyway's
 * ResolvedMigration.getState and BaselineResolvedMigration.getState decide it. cut is
 * the baseline version files are measured against (the applied baseline, or on a
 * history without versioned rows the baseline migration about to run); pb that
 * migration, which is the one B file that runs.
 */
static void add_pending(engine *g, const pg_migration *f, const char *cut, const pg_migration *pb,
                        const char *target, info_row *after, size_t *n_after)
{
	const char *state = "Pending";
	int problems = P_PENDING, apply = 1, before = 0;
	if (f == pb) {
		/* the baseline migration that stands for the versions it covers */
	} else if (cut && version_cmp(f->version, cut) < 0) {
		state = "Below Baseline", problems = apply = 0, before = 1;
	} else if (cut && version_cmp(f->version, cut) == 0) {
		/* Flyway: the baseline stands for this file; it never runs */
		state = "Ignored (Baseline)", problems = apply = 0, before = 1;
	} else if (target && version_cmp(f->version, target) > 0) {
		state = "Above Target", problems = apply = 0;
	} else if (f->baseline) {
		/* a history that has versions already: baseline migrations have no effect,
		 * and validation does not count them (Flyway's isBaseline() exception) */
		state = "Ignored", problems = apply = 0;
	} else if (g->max_applied && version_cmp(f->version, g->max_applied) < 0 &&
	           !g->o->out_of_order) {
		state = "Ignored", problems = P_IGNORED, apply = 0;
	}
	/* Flyway lists what lies below the baseline before the applied rows, the rest after
	 * them. */
	if (before) {
		add_row(g, f, NULL, state, problems, apply);
		return;
	}
	info_row *r = &after[(*n_after)++];
	r->file = f;
	r->row = NULL;
	r->state = state;
	r->problems = problems;
	r->apply = apply;
}

void classify_rows(engine *g)
{
	const pg_history *h = &g->h;
	const pg_migrations *m = &g->m;
	size_t n_files = m->n + m->n_baseline;
	free(g->rows);
	g->rows = xcalloc(h->n + n_files + 1, sizeof *g->rows);
	g->n_rows = 0;
	g->baseline = g->max_applied = NULL;
	const char *max_file = m->n_versioned ? m->v[m->n_versioned - 1].version : NULL;
	if (m->n_baseline && (!max_file || version_cmp(m->v[n_files - 1].version, max_file) > 0))
		max_file = m->v[n_files - 1].version;
	/* Which file each row belongs to (looked up once for both passes), and the latest
	 * row of every file. */
	const pg_applied **latest = xcalloc(n_files + 1, sizeof *latest);
	const pg_migration **files = xcalloc(h->n + 1, sizeof *files);
	size_t guess = 0; /* the next versioned file, as the history is mostly in order */
	deletes del;
	deletes_index(h, &del);
	int has_versions = 0; /* Flyway's lastApplied != EMPTY */
	for (size_t i = 0; i < h->n; i++) {
		const pg_applied *a = &h->rows[i];
		if (classify_is_marker(a))
			continue;
		/* the highest baseline of any kind (Flyway's appliedBaseline) */
		if (a->version && is_baseline_type(a->type) &&
		    (!g->baseline || version_cmp(a->version, g->baseline) > 0))
			g->baseline = a->version;
		if (a->version && !is_deleted(&del, a))
			has_versions = 1;
		if (a->version && a->success &&
		    (!g->max_applied || version_cmp(a->version, g->max_applied) > 0))
			g->max_applied = a->version;
		const pg_migration *f = files[i] = row_file(g, a, &guess);
		if (f)
			latest[f - m->v] = a;
	}
	/* --target: a version, or Flyway's "current" (the highest applied: nothing newer
	 * runs) and "next" (the first pending version above it, alone). */
	const char *target = g->o->target, *none = "0";
	int next = target && strcmp(target, "next") == 0;
	if (target && strcmp(target, "current") == 0)
		target = g->max_applied ? g->max_applied : none;
	/* Flyway's baseline migrations: on a history without versioned rows, the highest
	 * B<version> file (at or below the target) runs instead of the versions it covers,
	 * which show Below Baseline and Ignored (Baseline); on any other history they have
	 * no effect. */
	const pg_migration *pb = NULL;
	for (size_t i = n_files; !has_versions && i > m->n && !pb; i--)
		if (!target || next || version_cmp(m->v[i - 1].version, target) <= 0)
			pb = &m->v[i - 1];
	const char *cut = has_versions ? g->baseline : pb ? pb->version : NULL;
	if (next) {
		target = pb ? pb->version : none;
		for (size_t i = 0; !pb && i < m->n_versioned; i++)
			if (!latest[i] &&
			    (!g->max_applied || version_cmp(m->v[i].version, g->max_applied) > 0) &&
			    (!g->baseline || version_cmp(m->v[i].version, g->baseline) > 0)) {
				target = m->v[i].version;
				break;
			}
	}
	/* The files without a row, in version order (a V file before the B file of its
	 * version, as Flyway sorts them): those below the baseline are listed first, the
	 * others after the history rows. */
	info_row *after = xcalloc(n_files + 1, sizeof *after);
	size_t n_after = 0;
	for (size_t iv = 0, ib = m->n; iv < m->n_versioned || ib < n_files;) {
		int take_b = ib < n_files && (iv >= m->n_versioned ||
		                              version_cmp(m->v[ib].version, m->v[iv].version) < 0);
		size_t k = take_b ? ib++ : iv++;
		if (!latest[k])
			add_pending(g, &m->v[k], cut, pb, target, after, &n_after);
	}
	/* The highest version applied before each row, for Flyway's "Out of Order". */
	const char *applied_before = NULL;
	for (size_t i = 0; i < h->n; i++) {
		const pg_applied *a = &h->rows[i];
		if (classify_is_marker(a)) {
			add_row(g, NULL, a,
			        strcmp(a->type, "DELETE") == 0 ? "Deleted"
			        : a->success                   ? "Success"
			                                       : "Failed",
			        0, 0);
			continue;
		}
		if (strcmp(a->type, "BASELINE") == 0) {
			add_row(g, NULL, a, "Baseline", 0, 0);
			applied_before = a->version ? a->version : applied_before;
			continue;
		}
		const pg_migration *f = files[i];
		int future = a->version && (!max_file || version_cmp(a->version, max_file) > 0);
		if (!a->success) {
			add_row(g, f, a,
			        f        ? "Failed"
			        : future ? "Failed (Future)"
			                 : "Failed (Missing)",
			        P_FAILED, 0);
		} else if (!f && is_deleted(&del, a)) {
			add_row(g, NULL, a, "Deleted", 0, 0);
		} else if (!f) {
			add_row(g, NULL, a, future ? "Future" : "Missing", future ? 0 : P_MISSING,
			        0);
		} else if (classify_is_baseline_migration(a->type)) {
			/* at the applied baseline: Flyway checks nothing of it */
			add_row(g, f, a, "Baseline", 0, 0);
		} else if (a->version) {
			int out_of_order =
			    applied_before && version_cmp(a->version, applied_before) < 0;
			/* Flyway validates type, checksum and description only above the
			 * applied baseline. */
			int checked = !g->baseline || version_cmp(a->version, g->baseline) > 0;
			buf ab = BUF_INIT;
			int changed =
			    checked && (!a->has_checksum || a->checksum != f->checksum ||
			                strcmp(a->description, history_abbrev_description(
			                                           f->description, &ab)) != 0);
			buf_free(&ab);
			add_row(g, f, a, out_of_order ? "Out of Order" : "Success",
			        changed ? P_CHANGED : 0, 0);
		} else if (latest[f - m->v] != a) {
			add_row(g, f, a, "Superseded", 0, 0);
		} else {
			int same = a->has_checksum && a->checksum == f->checksum;
			add_row(g, f, a, same ? "Success" : "Outdated", 0, 0);
		}
		if (a->version && a->success &&
		    (!applied_before || version_cmp(a->version, applied_before) > 0))
			applied_before = a->version;
	}
	memcpy(g->rows + g->n_rows, after, n_after * sizeof *after);
	g->n_rows += n_after;
	free(after);
	/* Repeatables: new, changed since their latest run, or never run successfully. */
	for (size_t i = m->n_versioned; i < m->n; i++) {
		const pg_migration *f = &m->v[i];
		const pg_applied *a = latest[i];
		if (!a || !a->success || !a->has_checksum || a->checksum != f->checksum) {
			if (!a || a->success)
				add_row(g, f, NULL, "Pending", P_PENDING, 1);
		}
	}
	free(latest);
	free(files);
	free(del.v);
}

const char *info_row_version(const info_row *r)
{
	return r->row ? r->row->version : r->file->version;
}

const char *info_row_script(const info_row *r)
{
	return r->file ? r->file->script : r->row->script;
}

const char *info_row_path(const info_row *r)
{
	return r->file ? r->file->path : r->row->script;
}

/* Flyway's MigrationInfoDumper.getCategory: nothing for its synthetic rows (SCHEMA,
 * DELETE, the BASELINE marker), Baseline for baseline migrations. */
const char *info_row_category(const info_row *r)
{
	if (r->row && strcmp(r->row->type, "SQL") == 0) /* the common case, at once */
		return r->row->version ? "Versioned" : "Repeatable";
	if (r->row && (classify_is_marker(r->row) || strcmp(r->row->type, "BASELINE") == 0))
		return "";
	if (!info_row_version(r))
		return "Repeatable";
	if (r->row ? classify_is_baseline_migration(r->row->type) : r->file->baseline)
		return "Baseline";
	return "Versioned";
}

const char *info_row_type(const info_row *r)
{
	return r->row ? r->row->type : r->file->baseline ? "SQL_BASELINE" : "SQL";
}

const char *info_row_description(const info_row *r)
{
	return r->file ? r->file->description : r->row->description;
}

/* One line for a validation problem. */
static void describe_problem(const engine *g, const info_row *r, int p, buf *out)
{
	const char *v = info_row_version(r);
	buf label = BUF_INIT;
	if (v)
		buf_printf(&label, "migration %s (%s)", v, info_row_script(r));
	else
		buf_printf(&label, "repeatable migration '%s' (%s)",
		           r->file ? r->file->description : r->row->description,
		           info_row_script(r));
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
		    info_row_path(r), g->max_applied, g->max_applied);
		break;
	default: buf_printf(out, "%s: not applied yet; run migrate", info_row_path(r)); break;
	}
	buf_free(&label);
}

/* Reports every problem in mask: all but the first as error lines, the first in e. */
int classify_check(const engine *g, int mask, err *e)
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
			present_invalid(g, r, p, buf_cstr(&line));
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
