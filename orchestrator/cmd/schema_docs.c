/*
 * schema-docs: the database's schema documented in README.md's "Database Documentation"
 * section (pg/conn connects, pg/catalog reads, pg/markdown renders, docs/readme splices),
 * or past --split-size in a summary there and files under --docs-dir; optionally committed
 * as the gitbot and pushed, with a bounded retry when someone pushed first. --check
 * compares instead of writing and prints libgit2's unified diff of what would change;
 * --format json prints the model (pg/catalog_json) for other tools.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "config/root.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"
#include "docs/readme.h"
#include "git/gitops.h"
#include "pg/catalog.h"
#include "pg/catalog_json.h"
#include "pg/conn.h"
#include "pg/markdown.h"

static const char *const usage[] = {
    "orchestrator schema-docs [--url URL] [--schema S]... [--exclude TABLE]...\n"
    "                                [--readme PATH] [--check] [--commit] [--push]\n"
    "                                [--format markdown|json] [--require-comments]\n"
    "                                [--split-size BYTES] [--docs-dir DIR]\n"
    "                                [--diagram-history] [--config PATH] [--verbose]",
    NULL,
};

typedef struct opts opts;
struct opts {
	const char *url, *readme, *config;
	const char **schemas, **exclude;
	size_t nschemas, nexclude;
	int check, commit, push, require_comments, json;
	markdown_opts md;
};

/*
 * The README written as the body is rendered (the default mode, neither --check nor
 * --commit), so a big single README is never whole in memory: the text before the section,
 * the body's pieces, the text after it. Each piece is compared with the README as it is,
 * read back in blocks; only from the first difference on is a temporary file written (the
 * equal part copied first), renamed over the README once the docs files are durable. An
 * unchanged README is not rewritten. The README is read whole once, before the catalog,
 * to find its section.
 */
typedef struct rstream {
	const char *path;
	buf after;
	int oldfd; /* the README as it is (-1: none) */
	size_t oldlen;
	size_t pos; /* bytes of it equal to what was written so far */
	char *tmp;  /* the temporary file, once the README differs */
	int fd;
} rstream;

#define RS_BLOCK ((size_t)64 * 1024)

static int rs_write(rstream *s, const char *text, size_t len, err *e)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(s->fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, ORC_EFAIL, "%s: write failed: %s", s->tmp,
			               strerror(errno));
		off += (size_t)n;
	}
	return 0;
}

/* Whether the old README holds text at s->pos. */
static int rs_same(rstream *s, const char *text, size_t len)
{
	if (s->oldfd < 0 || s->pos + len > s->oldlen)
		return 0;
	char block[RS_BLOCK];
	for (size_t off = 0; off < len;) {
		size_t want = len - off < RS_BLOCK ? len - off : RS_BLOCK;
		ssize_t n = pread(s->oldfd, block, want, (off_t)(s->pos + off));
		if (n <= 0 || memcmp(block, text + off, (size_t)n) != 0)
			return 0;
		off += (size_t)n;
	}
	return 1;
}

/* The README differs: the temporary file, with the part that was equal. */
static int rs_open(rstream *s, err *e)
{
	struct stat st;
	mode_t mode = stat(s->path, &st) == 0 ? st.st_mode & 07777 : 0644;
	s->tmp = xasprintf("%s.tmp", s->path);
	s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (s->fd < 0 || fchmod(s->fd, mode) != 0)
		return err_set(e, ORC_EFAIL, "%s: cannot write: %s", s->tmp, strerror(errno));
	char block[RS_BLOCK];
	for (size_t off = 0; off < s->pos;) {
		size_t want = s->pos - off < RS_BLOCK ? s->pos - off : RS_BLOCK;
		ssize_t n = pread(s->oldfd, block, want, (off_t)off);
		if (n <= 0)
			return err_set(e, ORC_EFAIL, "%s: cannot read: %s", s->path,
			               n < 0 ? strerror(errno) : "it became shorter");
		if (rs_write(s, block, (size_t)n, e))
			return ORC_EFAIL;
		off += (size_t)n;
	}
	return 0;
}

static int rs_put(void *ctx, const char *text, size_t len, err *e)
{
	rstream *s = ctx;
	if (!s->tmp) {
		if (rs_same(s, text, len)) {
			s->pos += len;
			return 0;
		}
		if (rs_open(s, e))
			return ORC_EFAIL;
	}
	return rs_write(s, text, len, e);
}

/* Finds the section in the README as it is and writes the text before it. A temporary file
 * left by a run that was killed is removed first. */
static int rs_begin(rstream *s, const char *path, err *e)
{
	*s = (rstream){path, BUF_INIT, -1, 0, 0, NULL, -1};
	char *left = xasprintf("%s.tmp", path);
	if (unlink(left) == 0)
		log_info("%s: removed, left by an interrupted run", left);
	free(left);
	buf old = BUF_INIT, before = BUF_INIT;
	int rc = 0;
	if (fs_exists(path) && (rc = fs_read_file(path, &old, e)) == 0) {
		s->oldfd = open(path, O_RDONLY | O_CLOEXEC);
		s->oldlen = old.len;
	}
	if (rc == 0)
		rc = readme_parts(path, buf_cstr(&old), old.len, &before, &s->after, e);
	buf_free(&old);
	if (rc == 0)
		rc = rs_put(s, buf_cstr(&before), before.len, e);
	buf_free(&before);
	return rc;
}

/* The text after the section; whether the README changed is then s->tmp != NULL. */
static int rs_end(rstream *s, err *e)
{
	int rc = rs_put(s, buf_cstr(&s->after), s->after.len, e);
	if (rc == 0 && !s->tmp && s->pos != s->oldlen) /* the new README is shorter */
		rc = rs_open(s, e);
	buf_free(&s->after);
	return rc;
}

/* Durable, then in place of the README. */
static int rs_commit(rstream *s, err *e)
{
	int bad = fsync(s->fd) != 0;
	bad |= close(s->fd) != 0;
	s->fd = -1;
	if (bad || rename(s->tmp, s->path) != 0)
		return err_set(e, ORC_EFAIL, "%s: cannot replace: %s", s->path, strerror(errno));
	free(s->tmp);
	s->tmp = NULL;
	return 0;
}

static void rs_free(rstream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->oldfd >= 0)
		close(s->oldfd);
	if (s->tmp)
		unlink(s->tmp);
	free(s->tmp);
	buf_free(&s->after);
}

/* What one rendering produced: the section body, and the files of the split layout. */
typedef struct docs {
	buf body, fp;
	char **paths; /* relative to the README's folder */
	size_t nfiles;
	int split;
	/* each file is written (or, for --check, compared) as it is rendered, so a
	 * 10,000-table schema never holds its files in memory at once */
	const struct opts *o;
	enum { KEEP, WRITE, CHECK } mode; /* KEEP: --commit, WRITE with the catalog kept */
	int changed;
	buf *diff;
	rstream *rs;      /* WRITE, KEEP: the README as it is written (the body stays empty) */
	catalog *c;       /* KEEP: for --push's retry, which renders again after a sync */
	int attempts;     /* KEEP: gitops_publish's makes so far */
	size_t paths_cap; /* paths' capacity */
} docs;

static int sync_one(const struct opts *o, const char *path, const char *text, size_t len, int check,
                    int *changed, buf *diff, err *e);

static void docs_free(docs *d)
{
	buf_free(&d->body);
	buf_free(&d->fp);
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->paths[i]);
	free(d->paths);
	if (d->rs)
		rs_free(d->rs);
	free(d->rs);
	catalog_free(d->c);
}

static int take_file(void *ctx, const char *path, const char *text, size_t len, err *e)
{
	docs *d = ctx;
	ARRAY_GROW(d->paths, d->nfiles + 1, d->paths_cap);
	d->paths[d->nfiles++] = xstrdup(path);
	return sync_one(d->o, path, text, len, d->mode == CHECK, &d->changed, d->diff, e);
}

/* Each table and column without a comment, one error line each. */
static int require_comments(const catalog *c, err *e)
{
	size_t missing = 0;
	for (size_t j = 0; j < c->nrels; j++) {
		const catalog_rel *rel = &c->rels[j];
		if (!markdown_counts_for_coverage(rel))
			continue;
		if (!rel->comment) {
			log_error("%s.%s: table has no comment (COMMENT ON TABLE)", rel->schema,
			          rel->name);
			missing++;
		}
		for (size_t i = 0; i < rel->ncols; i++) {
			const catalog_column *col = &c->cols[rel->col0 + i];
			if (col->comment)
				continue;
			log_error("%s.%s.%s: column has no comment (COMMENT ON COLUMN)",
			          rel->schema, rel->name, col->name);
			missing++;
		}
	}
	if (missing)
		return err_set(
		    e, ORC_EFAIL,
		    "--require-comments: %zu table%s and column%s have no comment (listed "
		    "above)",
		    missing, missing == 1 ? "" : "s", missing == 1 ? "" : "s");
	return 0;
}

/* --format json's writer: standard output, as the model is printed, through log_text (catalog
 * names are data: redacted, no line a workflow command). Each piece is whole lines. */
static int json_out(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	buf piece = BUF_INIT;
	buf_put(&piece, text, len);
	log_text(0, buf_cstr(&piece));
	buf_free(&piece);
	return ferror(stdout) ? -1 : 0;
}

/* Renders c into the README (d->rs, begun) and the docs files, writing as it goes. */
static int write_docs(const opts *o, docs *d, const catalog *c, err *e)
{
	int rc = markdown_write_to(c, &o->md, rs_put, d->rs, &d->fp, take_file, d, &d->split, e);
	if (rc == 0)
		rc = rs_end(d->rs, e);
	return rc;
}

/* Connects (pg/conn: secrets registered, one error shape), reads the catalog and renders
 * the section body and any files (written as rendered but for --check), or the JSON model. */
static int render(const opts *o, docs *d, err *e)
{
	PGconn *conn = NULL;
	int rc = 0;
	if (d->mode != CHECK && !o->json) { /* before the catalog: the README's size is not
		                              added to the model's */
		d->rs = xcalloc(1, sizeof *d->rs);
		if ((rc = rs_begin(d->rs, o->readme, e)))
			return rc;
	}
	rc = conn_open(o->url, &conn, e);
	if (rc)
		return err_prefix(e, "database connection failed");
	catalog *c = NULL;
	catalog_opts co = {o->schemas, o->nschemas, o->exclude, o->nexclude};
	rc = catalog_load(conn, &co, &c, e);
	if (rc == 0)
		log_verbose("schema-docs: %d queries sent to %s", c->queries, PQdb(conn));
	PQfinish(conn);
	if (rc)
		return rc;
	if (o->json) {
		if (o->require_comments) /* nothing printed when it fails */
			rc = require_comments(c, e);
		if (rc == 0 && catalog_json(c, json_out, NULL))
			rc = err_set(e, ORC_EFAIL,
			             "--format json: writing to standard output failed: %s",
			             strerror(errno));
	} else if (d->mode != CHECK) {
		rc = write_docs(o, d, c, e);
	} else {
		rc = markdown_render(c, &o->md, &d->body, &d->fp, take_file, d, &d->split, e);
	}
	if (rc == 0 && !o->json) {
		markdown_coverage cov;
		markdown_coverage_of(c, &cov);
		log_verbose("schema-docs: comments on %zu of %zu tables, %zu of %zu columns",
		            cov.tables_commented, cov.tables, cov.columns_commented, cov.columns);
	}
	if (rc == 0 && o->require_comments && !o->json)
		rc = require_comments(c, e);
	if (rc == 0 && d->mode == KEEP && !o->json)
		d->c = c;
	else
		catalog_free(c);
	return rc;
}

/* The README's folder joined with a path relative to it. */
static char *beside_readme(const opts *o, const char *rel)
{
	char *dir = fs_dir(o->readme);
	char *path = fs_join(dir, rel);
	free(dir);
	return path;
}

/* Generated files under the docs folder that this rendering no longer has (a dropped
 * table): recognised by their first line, so a file a person put there is never touched. */
static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * sorted: the rendered paths in strcmp order, for the lookups. A crash before the final
 * syncfs (see write_unsynced) can leave a docs file empty or a `.md.tmp` beside it: an
 * empty .md counts as generated (it holds nothing to lose), and the .md.tmp files go to
 * *left for the writing run to remove.
 */
static void stale_files(const opts *o, char **sorted, size_t nsorted, const char *dir, char ***out,
                        size_t *n, size_t *out_cap, char ***left, size_t *nleft, size_t *left_cap)
{
	char *abs = beside_readme(o, dir);
	DIR *dh = opendir(abs);
	struct dirent *de;
	while (dh && (de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		char *rel = fs_join(dir, de->d_name);
		char *full = fs_join(abs, de->d_name);
		size_t len = strlen(de->d_name);
		if (fs_is_dir(full)) {
			stale_files(o, sorted, nsorted, rel, out, n, out_cap, left, nleft,
			            left_cap);
		} else if (len > 3 && strcmp(de->d_name + len - 3, ".md") == 0) {
			int rendered =
			    bsearch(&rel, sorted, nsorted, sizeof *sorted, path_cmp) != NULL;
			static const char mark[] = "<!-- Generated by orchestrator schema-docs";
			char head[sizeof mark] = {0};
			int fd = rendered ? -1 : open(full, O_RDONLY | O_CLOEXEC);
			ssize_t got = fd >= 0 ? read(fd, head, sizeof mark - 1) : -1;
			if (got == 0 || (got == (ssize_t)(sizeof mark - 1) &&
			                 memcmp(head, mark, sizeof mark - 1) == 0)) {
				ARRAY_GROW(*out, *n + 1, *out_cap);
				(*out)[(*n)++] = xstrdup(rel);
			}
			if (fd >= 0)
				close(fd);
		} else if (left && len > 7 && strcmp(de->d_name + len - 7, ".md.tmp") == 0) {
			ARRAY_GROW(*left, *nleft + 1, *left_cap);
			(*left)[(*nleft)++] = xstrdup(full);
		}
		free(rel);
		free(full);
	}
	if (dh)
		closedir(dh);
	free(abs);
}

static const char *docs_dir(const opts *o)
{
	return o->md.docs_dir ? o->md.docs_dir : MARKDOWN_DOCS_DIR_DEFAULT;
}

/* README text with the section replaced; *changed when it differs from the file. */
static int splice_readme(const opts *o, const buf *body, buf *out, buf *old, int *changed, err *e)
{
	int rc = 0;
	if (fs_exists(o->readme))
		rc = fs_read_file(o->readme, old, e);
	if (rc == 0)
		rc = readme_splice(o->readme, buf_cstr(old), old->len, buf_cstr(body), out, e);
	*changed =
	    rc == 0 && (out->len != old->len || memcmp(buf_cstr(out), buf_cstr(old), old->len));
	return rc;
}

/* Creates the folders above path: the nearest first, since it exists or its parent does for
 * every file after the first of a folder (one mkdir instead of one per level). */
static int make_parents(const char *path, err *e)
{
	char *p = xstrdup(path);
	int rc = 0;
	char *last = strrchr(p, '/');
	if (last && last != p) {
		*last = 0;
		int ok = mkdir(p, 0755) == 0 || errno == EEXIST;
		*last = '/';
		if (ok) {
			free(p);
			return 0;
		}
	}
	for (char *s = strchr(p + 1, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = err_set(e, ORC_EFAIL, "%s: cannot create the folder: %s", p,
			             strerror(errno));
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * A docs file: written beside and renamed over, like fs_write_atomic, but without an fsync
 * each: 10,000 fsyncs were most of the time of a 10,000-table run. sync_files makes them
 * durable with one syncfs() before the README (written with fsync) that links to them; a
 * crash before that leaves at worst a docs file empty or a .md.tmp beside it: the next run
 * writes the empty file again (--check shows it stale) and removes the .md.tmp, saying so
 * (see stale_files).
 */
static int write_unsynced(const char *path, const char *text, size_t len, err *e)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = fd < 0 ? -1 : 0;
	for (size_t off = 0; rc == 0 && off < len;) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -1;
		else
			off += (size_t)n;
	}
	if (fd >= 0 && close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc) {
		err_set(e, ORC_EFAIL, "%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc ? ORC_EFAIL : 0;
}

/* Generated files under the docs folder this rendering does not have (and, when left is
 * not NULL, temporary files of an interrupted run). */
static void find_stale(const opts *o, const docs *d, char ***gone, size_t *ngone, char ***left,
                       size_t *nleft)
{
	size_t gone_cap = 0, left_cap = 0;
	char **sorted = xcalloc(d->nfiles + 1, sizeof *sorted);
	for (size_t i = 0; i < d->nfiles; i++)
		sorted[i] = d->paths[i];
	qsort(sorted, d->nfiles, sizeof *sorted, path_cmp);
	stale_files(o, sorted, d->nfiles, docs_dir(o), gone, ngone, &gone_cap, left, nleft,
	            &left_cap);
	free(sorted);
}

/* One file of the split layout: written when it differs (check: its diff appended). */
static int sync_one(const opts *o, const char *path, const char *text, size_t len, int check,
                    int *changed, buf *diff, err *e)
{
	char *full = beside_readme(o, path);
	buf old = BUF_INIT;
	err ignore = ERR_INIT;
	int rc = 0;
	int exists = fs_exists(full) && fs_read_file(full, &old, &ignore) == 0;
	err_clear(&ignore);
	if (!exists || old.len != len || memcmp(buf_cstr(&old), text, len) != 0) {
		*changed = 1;
		if (exists && old.len == 0 && !check)
			log_info("%s: empty (left by an interrupted run), written again", full);
		if (check)
			rc = readme_diff(path, exists ? buf_cstr(&old) : NULL, old.len, text, len,
			                 diff, e);
		else if ((rc = make_parents(full, e)) == 0)
			rc = write_unsynced(full, text, len, e);
	}
	buf_free(&old);
	free(full);
	return rc;
}

/*
 * Writes what changed (check: only compares, appending a unified diff of every change to
 * diff). *changed when anything differs; *paths lists every path touched (relative to the
 * README's folder, the README first) for a commit.
 */
static int sync_files(const opts *o, const docs *d, int check, int *changed, buf *diff,
                      char ***paths, size_t *npaths, err *e)
{
	buf next = BUF_INIT, old = BUF_INIT;
	int readme_changed = 0, rc = 0;
	if (d->rs && !check) /* written as it was rendered */
		readme_changed = d->rs->tmp != NULL;
	else
		rc = splice_readme(o, &d->body, &next, &old, &readme_changed, e);
	*changed = readme_changed;
	char *readme_copy = xstrdup(o->readme);
	size_t paths_cap = d->nfiles + 2;
	*paths = xcalloc(paths_cap, sizeof **paths);
	*npaths = 0;
	(*paths)[(*npaths)++] = xstrdup(basename(readme_copy));
	free(readme_copy);
	if (rc == 0 && readme_changed && check)
		rc = readme_diff((*paths)[0], old.len ? old.ptr : NULL, old.len, buf_cstr(&next),
		                 next.len, diff, e);
	*changed |= d->changed; /* files written or compared while rendering */
	for (size_t i = 0; i < d->nfiles && rc == 0; i++)
		(*paths)[(*npaths)++] = xstrdup(d->paths[i]);
	char **gone = NULL, **left = NULL;
	size_t ngone = 0, nleft = 0;
	if (rc == 0)
		find_stale(o, d, &gone, &ngone, &left, &nleft);
	for (size_t i = 0; i < nleft; i++) {
		if (!check && unlink(left[i]) == 0)
			log_info("%s: removed, left by an interrupted run", left[i]);
		free(left[i]);
	}
	free(left);
	for (size_t i = 0; i < ngone; i++) {
		char *full = beside_readme(o, gone[i]);
		*changed = 1;
		if (check) {
			buf_clear(&old);
			err ignore = ERR_INIT;
			if (fs_read_file(full, &old, &ignore) == 0 && rc == 0)
				rc =
				    readme_diff(gone[i], buf_cstr(&old), old.len, NULL, 0, diff, e);
			err_clear(&ignore);
		} else if (rc == 0 && unlink(full) != 0) {
			rc = err_set(e, ORC_EFAIL, "%s: cannot remove the stale file: %s", full,
			             strerror(errno));
		}
		ARRAY_GROW(*paths, *npaths + 1, paths_cap);
		(*paths)[(*npaths)++] = gone[i];
		free(full);
	}
	free(gone);
	/* The docs files durable (one syncfs for all), then the README that links to them. */
	if (rc == 0 && !check && d->nfiles) {
		char *dir = beside_readme(o, docs_dir(o));
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			syncfs(fd);
			close(fd);
		}
		free(dir);
	}
	if (rc == 0 && readme_changed && !check)
		rc = d->rs ? rs_commit(d->rs, e)
		           : fs_write_atomic(o->readme, buf_cstr(&next), next.len, e);
	buf_free(&next);
	buf_free(&old);
	return rc;
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static int update(const opts *o, const docs *d, char ***paths, size_t *npaths, int *changed, err *e)
{
	int rc = sync_files(o, d, 0, changed, NULL, paths, npaths, e);
	if (rc == 0)
		log_info("%s: Database Documentation %s (%s)", o->readme,
		         *changed ? "updated" : "already up to date", buf_cstr(&d->fp));
	return rc;
}

struct docs_make {
	const opts *o;
	docs *d;
	gitops_publish_opts *po;
	char ***paths; /* what po commits (po->paths is this array) */
	size_t *npaths, *paths_cap;
};

/*
 * gitops_publish's make: writes the README and the docs files (again after a sync). A sync
 * may bring generated files this rendering no longer has (pushed by another run); make
 * removes them, and they join the paths gitops_publish commits, which it reads after each
 * make, so the removal is in the same commit.
 */
static int docs_make(void *arg, err *e)
{
	struct docs_make *m = arg;
	docs *d = m->d;
	int changed = 0, rc = 0;
	char **paths = NULL;
	size_t npaths = 0;
	if (d->attempts++) { /* after a sync: render again on the new tip */
		for (size_t i = 0; i < d->nfiles; i++)
			free(d->paths[i]);
		d->nfiles = 0;
		d->changed = 0;
		buf_clear(&d->fp);
		rs_free(d->rs);
		rc = rs_begin(d->rs, m->o->readme, e);
		if (rc == 0)
			rc = write_docs(m->o, d, d->c, e);
	}
	if (rc == 0)
		rc = update(m->o, d, &paths, &npaths, &changed, e);
	for (size_t i = 0; i < npaths; i++) {
		size_t j = 0;
		while (j < *m->npaths && strcmp((*m->paths)[j], paths[i]) != 0)
			j++;
		if (j < *m->npaths)
			continue;
		ARRAY_GROW(*m->paths, *m->npaths + 1, *m->paths_cap);
		(*m->paths)[(*m->npaths)++] = xstrdup(paths[i]);
	}
	m->po->paths = (const char *const *)*m->paths;
	m->po->npaths = *m->npaths;
	free_paths(paths, npaths);
	return rc;
}

static int publish(const opts *o, docs *d, err *e)
{
	config *cfg = NULL;
	int rc = config_load(o->config, &cfg, NULL, e);
	if (rc)
		return err_prefix(e, "--commit needs the gitbot identity");
	char *dir_copy = fs_dir(o->readme);
	const char *dir = dir_copy;
	char *message = xasprintf("docs: regenerate the Database Documentation section\n\n"
	                          "Generated by orchestrator schema-docs; schema fingerprint %s.\n",
	                          buf_cstr(&d->fp));
	/* What make writes or removes: the README, every rendered file, and the generated
	 * files it will remove as stale (found now, and by make again after a sync). */
	char *readme_copy = xstrdup(o->readme);
	size_t paths_cap = d->nfiles + 2;
	char **paths = xcalloc(paths_cap, sizeof *paths), **gone = NULL;
	size_t npaths = 0, ngone = 0;
	paths[npaths++] = xstrdup(basename(readme_copy));
	free(readme_copy);
	for (size_t i = 0; i < d->nfiles; i++)
		paths[npaths++] = xstrdup(d->paths[i]);
	find_stale(o, d, &gone, &ngone, NULL, NULL);
	ARRAY_GROW(paths, npaths + ngone + 1, paths_cap);
	for (size_t i = 0; i < ngone; i++)
		paths[npaths++] = gone[i];
	free(gone);
	struct docs_make m = {o, d, NULL, &paths, &npaths, &paths_cap};
	gitops_publish_opts po = {dir,
	                          (const char *const *)paths,
	                          npaths,
	                          message,
	                          cfg->gitbot_name,
	                          cfg->gitbot_email,
	                          o->push,
	                          docs_make,
	                          &m};
	m.po = &po;
	int committed = 0;
	buf sha = BUF_INIT;
	rc = gitops_publish(&po, &committed, &sha, e);
	free_paths(paths, npaths);
	if (rc == 0) {
		if (committed)
			log_info("%s: committed %s as %s <%s>", o->readme, buf_cstr(&sha),
			         cfg->gitbot_name, cfg->gitbot_email);
		else
			log_info("%s: nothing to commit", o->readme);
		if (o->push)
			log_info("%s: pushed to origin", o->readme);
		log_gha_output("committed", committed ? "true" : "false");
		if (committed)
			log_gha_output("commit", buf_cstr(&sha));
	}
	buf_free(&sha);
	free(message);
	free(dir_copy);
	config_free(cfg);
	return rc;
}

int cmd_schema_docs(int argc, char **argv)
{
	opts o = {0};
	char *readme_at_root = NULL, *config_at_root = NULL;
	o.schemas = xcalloc((size_t)argc + 1, sizeof *o.schemas);
	o.exclude = xcalloc((size_t)argc + 1, sizeof *o.exclude);
	err e = ERR_INIT;
	int rc = 0, format = 0;
	long split = 0;
	static const char *const formats[] = {"markdown", "json", NULL};
	opt_strings schemas = {0}, exclude = {0};
	const opt_option options[] = {
	    OPT_STRING(0, "url", &o.url, "URL",
	               "libpq connection string or postgresql:// URI (default: PG* variables)"),
	    OPT_STRING_LIST(0, "schema", &schemas, "S",
	                    "document schema S (repeatable; default: every non-system schema)"),
	    OPT_STRING_LIST(0, "exclude", &exclude, "TABLE",
	                    "leave out a table or view, NAME or SCHEMA.NAME (repeatable)"),
	    OPT_STRING(0, "readme", &o.readme, "PATH", "the README to update (default: README.md)"),
	    OPT_BOOL(0, "check", &o.check,
	             "change nothing; exit 1 when the section or a docs file is stale,\n"
	             "printing a unified diff of what would change"),
	    OPT_BOOL(0, "commit", &o.commit,
	             "commit the README (and the docs files) as gitbotName <gitbotEmail>\n"
	             "from config.json"),
	    OPT_BOOL(0, "push", &o.push,
	             "commit, then push to origin (token: GITHUB_TOKEN); when the push is\n"
	             "rejected, sync to origin, render again on top and retry"),
	    OPT_CHOICE(0, "format", &format, "markdown|json", formats,
	               "json: print the catalog model on stdout instead of writing the README"),
	    OPT_BOOL(0, "require-comments", &o.require_comments,
	             "exit 1 naming each table and column without a comment"),
	    OPT_INTEGER(0, "split-size", &split, "BYTES", 1, 1L << 40,
	                "past this size the section becomes a summary and one file per schema\n"
	                "(per table for a schema that alone passes it) under --docs-dir\n"
	                "(default: 409600)"),
	    OPT_STRING(0, "docs-dir", &o.md.docs_dir, "DIR",
	               "the split layout's folder, relative to the README's (default:\n"
	               "docs/database)"),
	    OPT_BOOL(0, "diagram-history", &o.md.diagram_history,
	             "draw flyway_schema_history in the diagram too"),
	    OPT_STRING('c', "config", &o.config, "PATH",
	               "config.json for the gitbot identity (default: config.json)"),
	    OPT_VERBOSE("log each catalog query and the totals"),
	    OPT_QUIET(),
	    OPT_END(),
	};
	const opt_command cmd = {"orchestrator schema-docs", usage, options, NULL};
	int stop = opt_parse(&cmd, &argc, argv, &rc);
	for (size_t i = 0; i < schemas.n; i++)
		o.schemas[o.nschemas++] = schemas.v[i];
	for (size_t i = 0; i < exclude.n; i++)
		o.exclude[o.nexclude++] = exclude.v[i];
	opt_strings_free(&schemas);
	opt_strings_free(&exclude);
	if (o.push)
		o.commit = 1;
	o.md.split_bytes = (size_t)split;
	int json = o.json = format == 1;
	if (stop)
		goto out;
	if (argc > 1) {
		rc = opt_error(&cmd, "unexpected argument '%s'", argv[1]);
		goto out;
	}
	if (o.check && o.commit) {
		rc = opt_error(&cmd, "--check changes nothing; it cannot be combined with "
		                     "--commit or --push");
		goto out;
	}
	if (json && (o.check || o.commit)) {
		rc = opt_error(&cmd, "--format json prints the model; it cannot be combined with "
		                     "--check, --commit or --push");
		goto out;
	}
	const char *dd = o.md.docs_dir;
	if (dd && (!*dd || dd[0] == '/' || strstr(dd, "..") || dd[strlen(dd) - 1] == '/')) {
		rc = opt_error(&cmd,
		               "--docs-dir '%s': a folder inside the README's, relative, without "
		               "'..' or a trailing '/' (e.g. docs/database)",
		               dd);
		goto out;
	}
	if (!o.readme)
		o.readme = readme_at_root = root_path("README.md");
	if (!o.config)
		o.config = config_at_root = root_path(CONFIG_DEFAULT_PATH);

	buf diff = BUF_INIT;
	docs d = {BUF_INIT, BUF_INIT, NULL, 0,   0, &o, o.commit ? KEEP : o.check ? CHECK : WRITE,
	          0,        &diff,    NULL, NULL};
	rc = render(&o, &d, &e);
	if (json && fflush(stdout) != 0 && rc == 0)
		rc = err_set(&e, ORC_EFAIL, "--format json: writing to standard output failed: %s",
		             strerror(errno));
	if (rc == 0 && !json) {
		log_gha_output("fingerprint", buf_cstr(&d.fp));
	}
	if (rc || json) {
		/* failed, or the JSON printed above is the whole result */
	} else if (o.check) {
		char **paths = NULL;
		size_t npaths = 0;
		int changed = 0;
		rc = sync_files(&o, &d, 1, &changed, &diff, &paths, &npaths, &e);
		free_paths(paths, npaths);
		if (rc == 0 && changed) {
			log_text(0, buf_cstr(&diff)); /* a README line may read "::command::" */
			rc = err_set(
			    &e, ORC_EFAIL,
			    "%s: the Database Documentation section is stale (the schema "
			    "is now %s; the diff above shows what changes); run `make docs` "
			    "or `orchestrator schema-docs` and commit %s",
			    o.readme, buf_cstr(&d.fp),
			    d.split ? "the README and its docs folder" : o.readme);
		} else if (rc == 0) {
			log_info("%s: Database Documentation is up to date (%s)", o.readme,
			         buf_cstr(&d.fp));
		}
		log_gha_output("stale", rc == 0 ? "false" : "true");
	} else if (o.commit) {
		rc = publish(&o, &d, &e);
	} else {
		int changed = 0;
		char **paths = NULL;
		size_t npaths = 0;
		rc = update(&o, &d, &paths, &npaths, &changed, &e);
		free_paths(paths, npaths);
		log_gha_output("changed", changed ? "true" : "false");
	}
	if (rc == 0 && !json && log_in_actions()) {
		buf sum = BUF_INIT;
		buf_printf(&sum,
		           "### schema-docs\n\n`%s`: Database Documentation %s, schema "
		           "fingerprint `%s`.\n",
		           o.readme, o.check ? "is up to date" : "regenerated", buf_cstr(&d.fp));
		log_gha_summary(buf_cstr(&sum));
		buf_free(&sum);
	}
	docs_free(&d);
	buf_free(&diff);
	if (rc)
		rc = cmd_report(&e);
out:
	free(o.schemas);
	free(o.exclude);
	free(readme_at_root);
	free(config_at_root);
	return rc;
}
