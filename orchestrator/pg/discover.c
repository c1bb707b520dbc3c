/* discover: the recursive scan of the locations (see discover.h). */
#include "pg/discover.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "pg/checksum.h"
#include "pg/version.h"

typedef struct list {
	pg_migration *v;
	size_t n, cap;
} list;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses a file name; 1 with m filled for a migration, 0 for any other file. */
static int parse_name(const char *name, pg_migration *m)
{
	size_t n = strlen(name);
	if (n < 4 || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	const char *sep = strstr(name, "__");
	if (!sep)
		return 0;
	const char *desc = sep + 2;
	size_t dlen = (size_t)(name + n - 4 - desc);
	if (name[0] == 'V') {
		if (!version_valid(name + 1, (size_t)(sep - name - 1)))
			return 0;
		m->version = version_display(name + 1, (size_t)(sep - name - 1));
	} else if (name[0] == 'R' && sep == name + 1) {
		m->version = NULL;
	} else {
		return 0;
	}
	m->description = xstrndup(desc, dlen);
	for (char *p = m->description; *p; p++)
		if (*p == '_')
			*p = ' ';
	return 1;
}

static int scan_dir(const char *root, const char *rel, list *l, err *e)
{
	char *dir = rel[0] ? fs_join(root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	if (!d) {
		err_set(e, ORC_EUSAGE, "%s: cannot read the migrations folder; check --locations",
		        dir);
		free(dir);
		return ORC_EUSAGE;
	}
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (nn + 1) * sizeof *names);
		names[nn++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof *names, cmp_name);
	int rc = 0;
	for (size_t i = 0; i < nn; i++) {
		char *relpath = rel[0] ? fs_join(rel, names[i]) : xstrdup(names[i]);
		char *path = fs_join(root, relpath);
		struct stat st;
		if (rc == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = scan_dir(root, relpath, l, e);
		} else if (rc == 0) {
			pg_migration m = {0};
			if (!parse_name(names[i], &m)) {
				log_verbose("%s: not a migration (V<version>__<description>.sql or "
				            "R__<description>.sql), skipped",
				            path);
			} else {
				buf text = BUF_INIT;
				rc = fs_read_file(path, &text, e);
				m.checksum = checksum_flyway(buf_cstr(&text), text.len);
				buf_free(&text);
				m.script = relpath;
				m.path = path;
				relpath = path = NULL;
				ARRAY_GROW(l->v, l->n + 1, l->cap);
				l->v[l->n++] = m;
			}
		}
		free(relpath);
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
}

static int cmp_migration(const void *pa, const void *pb)
{
	const pg_migration *a = pa, *b = pb;
	if (a->version && b->version)
		return version_cmp(a->version, b->version);
	if (a->version || b->version)
		return a->version ? -1 : 1;
	return strcmp(a->description, b->description);
}

int discover_scan(const char *const *locations, size_t n_locations, pg_migrations *out, err *e)
{
	list l = {0};
	int rc = 0;
	for (size_t i = 0; i < n_locations && rc == 0; i++) {
		const char *loc = locations[i];
		if (strncmp(loc, "filesystem:", 11) == 0)
			loc += 11;
		if (!fs_is_dir(loc)) {
			rc = err_set(
			    e, ORC_EUSAGE,
			    "%s: migrations location is not a directory; check --locations", loc);
			break;
		}
		rc = scan_dir(loc, "", &l, e);
	}
	out->v = l.v;
	out->n = l.n;
	out->n_versioned = 0;
	if (rc)
		return rc;
	qsort(l.v, l.n, sizeof *l.v, cmp_migration);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].version)
			out->n_versioned++;
		if (i > 0 && cmp_migration(&l.v[i - 1], &l.v[i]) == 0) {
			if (l.v[i].version)
				return err_set(
				    e, ORC_EUSAGE,
				    "two migrations have version %s: %s and %s; rename one of them",
				    l.v[i].version, l.v[i - 1].path, l.v[i].path);
			return err_set(
			    e, ORC_EUSAGE,
			    "two repeatable migrations have description '%s': %s and %s; rename "
			    "one of them",
			    l.v[i].description, l.v[i - 1].path, l.v[i].path);
		}
	}
	return 0;
}

void discover_free(pg_migrations *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].version);
		free(m->v[i].description);
		free(m->v[i].script);
		free(m->v[i].path);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}
