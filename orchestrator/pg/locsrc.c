/* locsrc: S3 locations mirrored into private folders (see locsrc.h). */
#include "pg/locsrc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/s3.h"
#include "core/fs.h"
#include "core/log.h"
#include "net/http.h"

typedef struct mirror {
	char *url; /* "s3://bucket/prefix/" (prefix normalised, "" allowed) */
	char *bucket, *prefix;
	char *dir;
	s3_objects have; /* keys relative to the prefix, and the ETags mirrored */
	time_t synced;   /* 0: never */
	int stale;       /* set by locsrc_expire: list again on next use */
	pthread_mutex_t lock;
} mirror;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static mirror **table;
static size_t n_table, table_cap;
static int atexit_done;

void locsrc_init_threads(const char *const *locs, size_t n)
{
	http_global_init();
	xmlInitParser();
	for (size_t i = 0; i < n; i++) {
		char *dir = NULL;
		err e = ERR_INIT;
		if (locsrc_is_remote(locs[i]) && locsrc_mirror(locs[i], &dir, &e) == 0)
			free(dir);
	}
}

int locsrc_is_remote(const char *loc)
{
	return strncmp(loc, "s3://", 5) == 0;
}

void locsrc_expire(void)
{
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < n_table; i++)
		table[i]->stale = 1;
	pthread_mutex_unlock(&table_lock);
}

void locsrc_cleanup(void)
{
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < n_table; i++) {
		mirror *m = table[i];
		fs_remove_tree(m->dir);
		free(m->url);
		free(m->bucket);
		free(m->prefix);
		free(m->dir);
		s3_objects_free(&m->have);
		pthread_mutex_destroy(&m->lock);
		free(m);
	}
	free(table);
	table = NULL;
	n_table = table_cap = 0;
	pthread_mutex_unlock(&table_lock);
}

/* The table entry of a location, made (without syncing) on first use. */
static int find(const char *loc, mirror **out, err *e)
{
	char *bucket, *prefix;
	int rc = s3_parse_url(loc, &bucket, &prefix, e);
	if (rc)
		return rc;
	char *url = xasprintf("s3://%s/%s", bucket, prefix);
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < n_table && !*out; i++)
		if (strcmp(table[i]->url, url) == 0)
			*out = table[i];
	if (!*out) {
		char *dir = NULL;
		rc = fs_mkdtemp("orc-s3", &dir, e);
		if (rc == 0) {
			mirror *m = xcalloc(1, sizeof *m);
			m->url = url;
			m->bucket = bucket;
			m->prefix = prefix;
			m->dir = dir;
			url = bucket = prefix = NULL;
			pthread_mutex_init(&m->lock, NULL);
			ARRAY_GROW(table, n_table + 1, table_cap);
			table[n_table++] = m;
			*out = m;
			if (!atexit_done) {
				atexit(locsrc_cleanup);
				atexit_done = 1;
			}
		}
	}
	pthread_mutex_unlock(&table_lock);
	free(url);
	free(bucket);
	free(prefix);
	return rc;
}

/* A key below the prefix that can become a file inside the mirror: no empty, "." or ".."
 * segment, so no object can write outside it. */
static int safe_relative(const char *rel)
{
	if (!*rel)
		return 0;
	const char *p = rel;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
}

static int mkdirs_for(const char *path, err *e)
{
	char *copy = xstrdup(path);
	for (char *p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			err_set(e, ORC_EFAIL, "%s: cannot create the folder: %s", copy,
			        strerror(errno));
			free(copy);
			return ORC_EFAIL;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

static const char *etag_of(const s3_objects *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->v[i].key, key) == 0)
			return o->v[i].etag;
	return NULL;
}

/* Lists the location, fetches what changed, deletes what vanished. Called locked. */
static int sync_mirror(mirror *m, err *e)
{
	aws_client *c = NULL;
	int rc = aws_client_new(NULL, &c, e);
	if (rc)
		return err_prefix(e, "%s", m->url);
	s3_objects all = {0}, now = {0};
	rc = s3_list(c, m->bucket, m->prefix, &all, e);
	size_t plen = strlen(m->prefix);
	for (size_t i = 0; rc == 0 && i < all.n; i++) {
		const char *key = all.v[i].key;
		size_t kn = strlen(key);
		if (strncmp(key, m->prefix, plen) != 0 || kn < 4 || strcmp(key + kn - 4, ".sql"))
			continue;
		const char *rel = key + plen;
		if (!safe_relative(rel)) {
			log_warn("%s%s: key cannot be a migration file name (empty, '.' or '..' "
			         "segment), skipped",
			         m->url, rel);
			continue;
		}
		const char *old = etag_of(&m->have, rel);
		char *path = fs_join(m->dir, rel);
		if (!old || strcmp(old, all.v[i].etag) != 0 || !fs_exists(path)) {
			buf body = BUF_INIT;
			rc = s3_get(c, m->bucket, key, &body, e);
			if (rc == 0)
				rc = mkdirs_for(path, e);
			if (rc == 0)
				rc = fs_write_atomic(path, buf_cstr(&body), body.len, e);
			buf_free(&body);
		}
		free(path);
		ARRAY_GROW(now.v, now.n + 1, now.cap);
		now.v[now.n++] = (s3_object){xstrdup(rel), xstrdup(all.v[i].etag), all.v[i].size};
	}
	if (rc == 0) {
		for (size_t i = 0; i < m->have.n; i++)
			if (!etag_of(&now, m->have.v[i].key)) {
				char *path = fs_join(m->dir, m->have.v[i].key);
				unlink(path);
				free(path);
			}
		s3_objects_free(&m->have);
		m->have = now;
		m->synced = time(NULL);
		log_verbose("%s: %zu migration file%s mirrored", m->url, now.n,
		            now.n == 1 ? "" : "s");
	} else {
		s3_objects_free(&now);
	}
	s3_objects_free(&all);
	aws_client_free(c);
	return rc;
}

int locsrc_mirror(const char *loc, char **dir, err *e)
{
	mirror *m = NULL;
	int rc = find(loc, &m, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&m->lock);
	pthread_mutex_lock(&table_lock);
	int fresh = m->synced && !m->stale;
	m->stale = 0;
	pthread_mutex_unlock(&table_lock);
	if (!fresh && (rc = sync_mirror(m, e)) != 0)
		m->synced = 0; /* a failed sync is retried by the next use */
	pthread_mutex_unlock(&m->lock);
	if (rc == 0)
		*dir = xstrdup(m->dir);
	return rc;
}

char *locsrc_path(const char *loc, const char *script)
{
	char *bucket = NULL, *prefix = NULL;
	err e = ERR_INIT;
	char *out;
	if (s3_parse_url(loc, &bucket, &prefix, &e) == 0)
		out = xasprintf("s3://%s/%s%s", bucket, prefix, script);
	else
		out = xstrdup(script);
	free(bucket);
	free(prefix);
	return out;
}

int locsrc_read_file(const char *path, buf *out, err *e)
{
	if (!locsrc_is_remote(path))
		return fs_read_file(path, out, e);
	char *local = NULL;
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < n_table && !local; i++) {
		size_t n = strlen(table[i]->url);
		if (strncmp(path, table[i]->url, n) == 0 && safe_relative(path + n))
			local = fs_join(table[i]->dir, path + n);
	}
	pthread_mutex_unlock(&table_lock);
	if (!local)
		return err_set(e, ORC_EFAIL, "%s: not under any S3 location scanned by this run",
		               path);
	int rc = fs_read_file(local, out, e);
	free(local);
	if (rc)
		err_set(e, ORC_EFAIL, "%s: the mirrored copy cannot be read; run again", path);
	return rc;
}
