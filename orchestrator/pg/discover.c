/*
 * discover: the recursive scan of the locations (see discover.h).
 *
 * A location is walked twice over: first its real folders (entries by name, typed by
 * d_type), then the symbolic links met on the way, in the order met. Links come last so
 * that a link to a folder that is also reached directly never takes that folder's place
 * in the script names; the set of folders already scanned (device and inode) makes every
 * folder count once.
 */
#include "pg/discover.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "pg/checksum.h"
#include "pg/locsrc.h"
#include "pg/version.h"

typedef struct list {
	pg_migration *v;
	size_t n, cap;
} list;

typedef struct dir_id {
	dev_t dev;
	ino_t ino;
} dir_id;

/* One location's walk. */
typedef struct walk {
	const discover_opts *o;
	list *l;
	pg_callback **cb; /* the callbacks found (when o->callbacks) */
	size_t *n_cb, *cb_cap;
	const char *root; /* the location as given */
	char *real_root;  /* its realpath, for the inside-the-location test of links */
	dir_id *seen;     /* folders scanned */
	size_t n_seen, seen_cap;
	char **links; /* relative paths of links met, followed after the real tree */
	size_t n_links, links_cap;
	discover_note *notes; /* when o->keep_notes */
	size_t n_notes, notes_cap;
	int readers; /* threads reading a folder's files (this one included) */
	buf scratch; /* this thread's read buffer, reused from file to file */
} walk;

/* At most this many threads read one folder's files. */
#define DISCOVER_READERS 4

typedef struct entry {
	char *name;
	unsigned char type; /* DT_* */
	unsigned char file; /* neither a folder nor a link, and a printable name */
} entry;

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

/* The name with control characters shown as \n, \r, \x1b...: safe to print anywhere. */
static const char *printable(const char *s, buf *b)
{
	buf_clear(b);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
	return buf_cstr(b);
}

/* A warning (warn) or verbose note about an entry: logged, or kept for the caller. */
static void note(walk *w, int warn, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(walk *w, int warn, const char *fmt, ...)
{
	if (!warn && !log_is_verbose())
		return;
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (w->o->keep_notes) {
		ARRAY_GROW(w->notes, w->n_notes + 1, w->notes_cap);
		w->notes[w->n_notes].warn = warn;
		w->notes[w->n_notes++].text = buf_detach(&b);
		return;
	}
	if (warn)
		log_warn("%s", buf_cstr(&b));
	else
		log_verbose("%s", buf_cstr(&b));
	buf_free(&b);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Flyway's SQL callbacks (Event ids): valid names that are not migrations. */
static const char *const callbacks[] = {
    "beforeMigrate",
    "beforeEachMigrate",
    "beforeEachMigrateStatement",
    "afterEachMigrateStatement",
    "afterEachMigrateStatementError",
    "afterEachMigrate",
    "afterEachMigrateError",
    "afterMigrate",
    "afterMigrateApplied",
    "afterVersioned",
    "afterMigrateError",
    "beforeRepeatables",
    "beforeUndo",
    "beforeEachUndo",
    "afterEachUndo",
    "afterEachUndoError",
    "afterUndo",
    "afterUndoError",
    "beforeClean",
    "afterClean",
    "afterCleanError",
    "beforeInfo",
    "afterInfo",
    "afterInfoError",
    "beforeValidate",
    "afterValidate",
    "afterValidateError",
    "beforeBaseline",
    "afterBaseline",
    "afterBaselineError",
    "beforeRepair",
    "afterRepair",
    "afterRepairError",
    "createSchema",
    "beforeCreateSchema",
    "beforeConnect",
    "afterConnect",
};

enum {
	NAME_OTHER = 0,
	NAME_MIGRATION = 1,
	NAME_INVALID = 2,
	NAME_UNKNOWN_SQL = 3,
	NAME_CALLBACK = 4,
};

static size_t event_index(const char *event)
{
	size_t i = 0;
	while (i < sizeof callbacks / sizeof *callbacks && strcmp(callbacks[i], event) != 0)
		i++;
	return i;
}

/*
 * Parses a file name as Flyway's ResourceNameParser does: the ".sql" suffix (any case),
 * then a prefix (V versioned, R repeatable, B baseline migration, or a callback event),
 * then the part before the first "__" (the version; empty for R and callbacks) and the
 * description after it (none: empty, so V2.sql is version 2 with no description).
 * NAME_MIGRATION fills m (baseline set for a B file); NAME_INVALID explains in why
 * (V6_x.sql, v6__x.sql, R1__x.sql);
 * NAME_UNKNOWN_SQL is any other .sql file (an error only under validate_naming);
 * NAME_CALLBACK a callback's, its event in *event and its description in m.
 */
static int parse_name(const char *name, pg_migration *m, const char **event, buf *why)
{
	size_t n = strlen(name);
	if (n < 4 || strcasecmp(name + n - 4, ".sql") != 0)
		return NAME_OTHER;
	const char *end = name + n - 4;
	for (size_t i = 0; i < sizeof callbacks / sizeof *callbacks; i++) {
		if (name[0] != callbacks[i][0])
			continue; /* cheap first: every migration file passes here */
		size_t cl = strlen(callbacks[i]);
		if (strncmp(name, callbacks[i], cl) == 0 &&
		    (name + cl == end || strncmp(name + cl, "__", 2) == 0)) {
			const char *d = name + cl == end ? end : name + cl + 2;
			*event = callbacks[i];
			m->description = xstrndup(d, (size_t)(end - d));
			for (char *p = m->description; *p; p++)
				if (*p == '_')
					*p = ' ';
			return NAME_CALLBACK;
		}
	}
	char prefix = name[0];
	if (prefix != 'V' && prefix != 'R' && prefix != 'B') {
		/* Lower-case prefixes: Flyway's prefixes are case-sensitive, so v1__x.sql is
		 * never run; say so rather than skip it without a word. */
		if ((prefix == 'v' || prefix == 'r' || prefix == 'b') &&
		    (isdigit((unsigned char)name[1]) || name[1] == '_')) {
			buf_printf(why,
			           "the prefix is '%c' (Flyway's prefixes are upper-case: %c%s)",
			           prefix, toupper((unsigned char)prefix), name + 1);
			return NAME_INVALID;
		}
		return NAME_UNKNOWN_SQL;
	}
	const char *rest = name + 1;
	const char *sep = strstr(rest, "__");
	if (sep && sep >= end)
		sep = NULL;
	const char *vend = sep ? sep : end;
	const char *desc = sep ? sep + 2 : end;
	size_t vlen = (size_t)(vend - rest);
	if (prefix == 'R') {
		if (vlen) {
			buf_printf(why,
			           "a repeatable migration has no version: R__<description>.sql");
			return NAME_INVALID;
		}
	} else if (!vlen || !version_valid(rest, vlen)) {
		buf_printf(why,
		           "'%.*s' is not a version (digits separated by '.' or '_', then '__' and "
		           "the description: %c1.2__description.sql)",
		           (int)vlen, rest, prefix);
		return NAME_INVALID;
	}
	m->version = prefix != 'R' ? version_display(rest, vlen) : NULL;
	m->baseline = prefix == 'B';
	m->description = xstrndup(desc, (size_t)(end - desc));
	for (char *p = m->description; *p; p++)
		if (*p == '_')
			*p = ' ';
	return NAME_MIGRATION;
}

/* An error about the file at rel in the location root: "<path>: <what>". */
static int file_error(err *e, int code, const char *root, const char *rel, const char *what)
{
	char *path = fs_join(root, rel);
	err_set(e, code, "%s: %s", path, what);
	free(path);
	return code;
}

/* Closes fd and fails: the file at rel is above DISCOVER_MAX_BYTES (its size from st,
 * when known). */
static int too_big(int fd, const struct stat *st, const char *root, const char *rel, err *e)
{
	char what[160];
	if (st)
		snprintf(what, sizeof what,
		         "%lld bytes, more than the %u MiB a migration may hold; split it",
		         (long long)st->st_size, DISCOVER_MAX_BYTES >> 20);
	else
		snprintf(what, sizeof what, "more than the %u MiB a migration may hold; split it",
		         DISCOVER_MAX_BYTES >> 20);
	close(fd);
	return file_error(e, ORC_EUSAGE, root, rel, what);
}

/* Reads a regular file opened relative to its folder: no symlink followed (links are
 * resolved and checked first, then read by their target's real path), no FIFO or device,
 * at most DISCOVER_MAX_BYTES. 1 when the file is not regular (skipped).
 *
 * regular says the folder listing typed the entry a regular file (d_type DT_REG, or
 * fstatat when the file system does not type entries): then no fstat is spent on it
 * (info and validate at 10,000 files are three system calls a file, not four). The
 * open still refuses a link (O_NOFOLLOW) and cannot block (O_NONBLOCK), so an entry
 * swapped for a FIFO between the listing and the open reads as empty, never hangs. */
static int read_regular(int dfd, const char *name, const char *root, const char *rel, int regular,
                        buf *out, err *e)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
	char what[200];
	if (fd < 0) {
		snprintf(what, sizeof what, "cannot open: %s", strerror(errno));
		return file_error(e, ORC_EUSAGE, root, rel, what);
	}
	/* One read when the size is known or the file fits the buffer; the loop covers a
	 * larger file, or one that grows meanwhile. It never reads more than one byte past
	 * the bound: that byte says the file is too big. */
	struct stat st;
	size_t want = 65536;
	if (!regular) {
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return 1;
		}
		if ((unsigned long long)st.st_size > DISCOVER_MAX_BYTES)
			return too_big(fd, &st, root, rel, e);
		want = (size_t)st.st_size + 1;
	}
	if (out->cap > out->len + want + 1)
		want = out->cap - out->len - 1; /* a reused buffer: all of its room */
	for (;;) {
		size_t room = DISCOVER_MAX_BYTES + 1 - out->len;
		if (want > room)
			want = room;
		buf_grow(out, want);
		ssize_t r = read(fd, out->ptr + out->len, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(what, sizeof what, "read failed: %s", strerror(errno));
			close(fd);
			return file_error(e, ORC_EFAIL, root, rel, what);
		}
		out->len += (size_t)r;
		if (out->len > DISCOVER_MAX_BYTES)
			return too_big(fd, fstat(fd, &st) == 0 ? &st : NULL, root, rel, e);
		if (r == 0 || (size_t)r < want)
			break;
		/* A file larger than the first read: its size, once (a file far above the
		 * bound is refused without reading it), then the rest in one read. */
		if (regular && fstat(fd, &st) == 0) {
			regular = 0;
			if ((unsigned long long)st.st_size > DISCOVER_MAX_BYTES)
				return too_big(fd, &st, root, rel, e);
			if ((size_t)st.st_size >= out->len) {
				want = (size_t)st.st_size - out->len + 1;
				continue;
			}
		}
		want = out->len < 65536 ? 65536 : out->len; /* doubling: a file still growing */
	}
	close(fd);
	out->ptr[out->len] = 0;
	return 0;
}

static void list_add(list *l, pg_migration *m)
{
	ARRAY_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n++] = *m;
}

/* One file entry of a folder. Its name is parsed first; then the migrations and callbacks
 * among them are read (on several threads when a folder holds many: the reads are most
 * of info's and validate's time); then each is taken in the folder's order, so that the
 * warnings, the first error and the list come out as from a plain walk. */
typedef struct fjob {
	const char *open_name; /* to open relative to the folder */
	const char *name;      /* the entry's name */
	const char *rel;       /* its path relative to the location */
	int regular;           /* the listing typed it a regular file: no fstat */
	int kind;              /* parse_name's NAME_* */
	const char *event;     /* a callback's */
	pg_migration m;        /* version and description from the name */
	buf why;               /* why a near-miss name is not a migration's */
	int want;              /* read it: a migration, or a callback when they are kept */
	int keep;              /* keep its text */
	int rc;                /* read_regular's: 0 read, 1 not a regular file, else *fail */
	err *fail;
	int32_t checksum;
	char *text; /* when keep */
	size_t len;
} fjob;

static void job_init(const walk *w, fjob *j, const char *open_name, const char *name,
                     const char *rel, int regular)
{
	memset(j, 0, sizeof *j);
	j->open_name = open_name;
	j->name = name;
	j->rel = rel;
	j->regular = regular;
	j->kind = parse_name(name, &j->m, &j->event, &j->why);
	j->want = (j->kind == NAME_MIGRATION && !(w->o->names_only && j->m.version && regular)) ||
	          (j->kind == NAME_CALLBACK && w->o->callbacks);
	j->keep = j->kind == NAME_CALLBACK || w->o->keep_text ||
	          (w->o->keep_repeatable_text && j->kind == NAME_MIGRATION && !j->m.version);
}

/* Reads the file into scratch (a buffer reused from file to file), checksums a
 * migration, and keeps a copy of the text when asked. Touches nothing but j: safe on a
 * reader thread. */
static void job_read(const walk *w, int dfd, fjob *j, buf *scratch)
{
	err e = ERR_INIT;
	buf_clear(scratch);
	j->rc = read_regular(dfd, j->open_name, w->root, j->rel, j->regular, scratch, &e);
	if (j->rc == 0) {
		if (j->kind == NAME_MIGRATION)
			j->checksum = checksum_flyway(scratch->ptr, scratch->len);
		if (j->keep) {
			j->len = scratch->len;
			j->text = xmalloc(scratch->len + 1);
			memcpy(j->text, scratch->ptr, scratch->len + 1);
		}
	} else if (j->rc != 1) {
		j->fail = xmalloc(sizeof *j->fail);
		*j->fail = e;
	}
}

static void job_free(fjob *j)
{
	free(j->m.version);
	free(j->m.description);
	buf_free(&j->why);
	free(j->fail);
	free(j->text);
}

/* Takes a parsed and read file: a migration into the list, a callback into the
 * callbacks; a near-miss name, a file that is not regular, or anything else noted.
 * Frees what it does not keep. */
static int job_take(walk *w, fjob *j, err *e)
{
	char *path = fs_join(w->root, j->rel);
	buf shown = BUF_INIT;
	int rc = 0;
	if (j->kind == NAME_INVALID || (j->kind == NAME_UNKNOWN_SQL && w->o->validate_naming)) {
		const char *reason = j->kind == NAME_INVALID ? buf_cstr(&j->why)
		                                             : "not a migration or callback name";
		if (w->o->validate_naming)
			rc = err_set(e, ORC_EUSAGE,
			             "%s: invalid migration name: %s (--validate-migration-naming)",
			             printable(path, &shown), reason);
		else
			note(w, 1, "%s: looks like a migration but %s; skipped",
			     printable(path, &shown), reason);
	} else if (j->kind == NAME_CALLBACK && !w->o->callbacks) {
		/* found, not wanted */
	} else if (j->kind != NAME_MIGRATION && j->kind != NAME_CALLBACK) {
		note(w, 0,
		     "%s: not a migration (V<version>__<description>.sql or "
		     "R__<description>.sql), skipped",
		     printable(path, &shown));
	} else if (j->rc == 1) {
		note(w, 1, "%s: not a regular file, skipped", printable(path, &shown));
	} else if (j->rc) {
		*e = *j->fail;
		rc = j->rc;
	} else if (j->kind == NAME_CALLBACK) {
		ARRAY_GROW(*w->cb, *w->n_cb + 1, *w->cb_cap);
		pg_callback *c = &(*w->cb)[(*w->n_cb)++];
		c->event = j->event;
		c->description = j->m.description;
		j->m.description = NULL;
		c->name = xstrndup(j->name, strlen(j->name) - 4);
		c->path = path;
		path = NULL;
		c->len = j->len;
		c->text = j->text;
		j->text = NULL;
	} else {
		j->m.checksum = j->checksum;
		j->m.len = j->len;
		j->m.text = j->text;
		j->text = NULL;
		j->m.script = xstrdup(j->rel);
		j->m.path = path;
		path = NULL;
		list_add(w->l, &j->m);
		memset(&j->m, 0, sizeof j->m);
	}
	free(path);
	buf_free(&shown);
	job_free(j);
	return rc;
}

/* A file entry named name (at rel in the location), read from open_name relative to dfd:
 * a migration is read and checksummed; anything else skipped. */
static int take_file(walk *w, int dfd, const char *open_name, const char *name, const char *rel,
                     err *e)
{
	fjob j;
	job_init(w, &j, open_name, name, rel, 0);
	if (j.want)
		job_read(w, dfd, &j, &w->scratch);
	return job_take(w, &j, e);
}

/* The reads of one folder, shared by its reader threads: each takes the next run of
 * entries until none is left. */
typedef struct readers {
	const walk *w;
	int dfd;
	fjob *jobs;
	size_t n;
	size_t next; /* the next entry not yet taken by a reader (atomic) */
} readers;

#define READ_RUN 32 /* entries a reader takes at once */

static void read_runs(readers *r, buf *scratch)
{
	for (;;) {
		size_t i = __atomic_fetch_add(&r->next, READ_RUN, __ATOMIC_RELAXED);
		if (i >= r->n)
			return;
		for (size_t k = i; k < i + READ_RUN && k < r->n; k++)
			if (r->jobs[k].want)
				job_read(r->w, r->dfd, &r->jobs[k], scratch);
	}
}

static void *reader_thread(void *arg)
{
	buf scratch = BUF_INIT;
	read_runs(arg, &scratch);
	buf_free(&scratch);
	return NULL;
}

/* Reads the folder's files: on this thread for a few, else on up to w->readers threads
 * (this one among them); a thread that cannot be started leaves its share to the
 * others. */
static void read_jobs(walk *w, int dfd, fjob *jobs, size_t n)
{
	size_t wanted = 0;
	for (size_t i = 0; i < n; i++)
		wanted += jobs[i].want != 0;
	readers r = {.w = w, .dfd = dfd, .jobs = jobs, .n = n};
	pthread_t th[DISCOVER_READERS];
	int started = 0;
	if (wanted >= 2 * READ_RUN)
		for (int k = 1; k < w->readers; k++)
			if (pthread_create(&th[started], NULL, reader_thread, &r) == 0)
				started++;
	read_runs(&r, &w->scratch);
	for (int k = 0; k < started; k++)
		pthread_join(th[k], NULL);
}

/* Records a folder as scanned; 0 when it was already. */
static int first_visit(walk *w, int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return 0;
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i].dev == st.st_dev && w->seen[i].ino == st.st_ino)
			return 0;
	ARRAY_GROW(w->seen, w->n_seen + 1, w->seen_cap);
	w->seen[w->n_seen].dev = st.st_dev;
	w->seen[w->n_seen].ino = st.st_ino;
	w->n_seen++;
	return 1;
}

/* Scans the open folder fd (taken over) whose path relative to the location is rel. */
static int scan_dir(walk *w, int fd, const char *rel, err *e)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		char *dir = rel[0] ? fs_join(w->root, rel) : xstrdup(w->root);
		err_set(e, ORC_EUSAGE, "%s: cannot read the migrations folder; check --locations",
		        dir);
		free(dir);
		return ORC_EUSAGE;
	}
	entry *ents = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.') /* hidden entries, ".", ".." (Flyway skips hidden too) */
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ents = xrealloc(ents, cap * sizeof *ents);
		}
		ents[n].name = xstrdup(de->d_name);
		ents[n].type = de->d_type;
		n++;
	}
	if (n) /* an empty folder: no array to sort */
		qsort(ents, n, sizeof *ents, cmp_entry);
	int dfd = dirfd(d), rc = 0;
	buf shown = BUF_INIT;
	char **relpaths = xmalloc((n ? n : 1) * sizeof *relpaths);
	fjob *jobs = xmalloc((n ? n : 1) * sizeof *jobs);
	for (size_t i = 0; i < n; i++) {
		const char *name = ents[i].name;
		relpaths[i] = rel[0] ? fs_join(rel, name) : xstrdup(name);
		if (ents[i].type == DT_UNKNOWN) { /* some file systems do not say: ask */
			struct stat st;
			ents[i].type = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0
			                   ? DT_UNKNOWN
			               : S_ISDIR(st.st_mode) ? DT_DIR
			               : S_ISLNK(st.st_mode) ? DT_LNK
			               : S_ISREG(st.st_mode) ? DT_REG
			                                     : DT_FIFO;
		}
		unsigned char type = ents[i].type;
		ents[i].file = !has_control(name) && type != DT_LNK && type != DT_DIR;
		jobs[i].want = 0;
		if (ents[i].file)
			job_init(w, &jobs[i], name, name, relpaths[i], type == DT_REG);
	}
	read_jobs(w, dfd, jobs, n);
	for (size_t i = 0; i < n; i++) {
		const char *name = ents[i].name;
		char *relpath = relpaths[i];
		unsigned char type = ents[i].type;
		if (rc) {
			/* an error already: only free */
			if (ents[i].file)
				job_free(&jobs[i]);
		} else if (ents[i].file) {
			rc = job_take(w, &jobs[i], e);
		} else if (has_control(name)) {
			char *path = fs_join(w->root, relpath);
			note(w, 1, "%s: a control character in the name, skipped; rename it",
			     printable(path, &shown));
			free(path);
		} else if (type == DT_LNK) {
			ARRAY_GROW(w->links, w->n_links + 1, w->links_cap);
			w->links[w->n_links++] = relpath;
			relpath = NULL;
		} else if (type == DT_DIR) {
			int sub =
			    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				char *path = fs_join(w->root, relpath);
				rc = err_set(e, ORC_EUSAGE,
				             "%s: cannot read the migrations folder: %s", path,
				             strerror(errno));
				free(path);
			} else if (!first_visit(w, sub)) {
				close(sub);
			} else {
				rc = scan_dir(w, sub, relpath, e);
			}
		}
		free(relpath);
		free(ents[i].name);
	}
	free(jobs);
	free(relpaths);
	buf_free(&shown);
	free(ents);
	closedir(d);
	return rc;
}

/* True when path (a realpath) is root or below it. */
static int inside(const char *root, const char *path)
{
	size_t n = strlen(root);
	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* A link met in the walk: followed when its target is inside the location. */
static int follow_link(walk *w, const char *rel, err *e)
{
	char *path = fs_join(w->root, rel);
	buf shown = BUF_INIT, shown2 = BUF_INIT;
	char *target = realpath(path, NULL);
	int rc = 0;
	if (!target) {
		note(w, 1, "%s: symbolic link to nothing (%s), skipped", printable(path, &shown),
		     strerror(errno));
	} else if (!inside(w->real_root, target)) {
		note(w, 1, "%s: symbolic link to %s, outside the location, skipped",
		     printable(path, &shown), printable(target, &shown2));
	} else {
		/* target has no link left in it: open it without following any. */
		const char *slash = strrchr(rel, '/');
		int fd = open(target, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW);
		if (fd < 0)
			rc = take_file(w, AT_FDCWD, target, slash ? slash + 1 : rel, rel, e);
		else if (first_visit(w, fd))
			rc = scan_dir(w, fd, rel, e);
		else
			close(fd);
	}
	free(target);
	free(path);
	buf_free(&shown);
	buf_free(&shown2);
	return rc;
}

/* The CPUs this process may run on, at most DISCOVER_READERS. */
static int reader_count(void)
{
	cpu_set_t set;
	int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
	return n < 1 ? 1 : n > DISCOVER_READERS ? DISCOVER_READERS : n;
}

static int scan_location(const discover_opts *o, const char *loc, list *l, pg_migrations *out,
                         err *e)
{
	walk w = {.o = o,
	          .l = l,
	          .cb = &out->cb,
	          .n_cb = &out->n_cb,
	          .cb_cap = &out->cb_cap,
	          .root = loc,
	          .notes = out->notes,
	          .n_notes = out->n_notes,
	          .readers = reader_count(),
	          .scratch = BUF_INIT};
	int fd = open(loc, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	w.real_root = realpath(loc, NULL);
	if (fd < 0 || !w.real_root) {
		const char *why = strerror(errno);
		if (fd >= 0)
			close(fd);
		free(w.real_root);
		/* Flyway's failOnMissingLocations=false: a warning, the others still migrate */
		if (o->fail_on_missing_locations)
			return err_set(
			    e, ORC_EUSAGE,
			    "%s: migrations location cannot be read (%s); check --locations", loc,
			    why);
		note(&w, 1, "%s: migrations location cannot be read (%s), skipped", loc, why);
		out->notes = w.notes;
		out->n_notes = w.n_notes;
		return 0;
	}
	first_visit(&w, fd);
	int rc = scan_dir(&w, fd, "", e);
	/* Links last, including the ones met inside linked folders. */
	for (size_t i = 0; i < w.n_links; i++) {
		if (rc == 0)
			rc = follow_link(&w, w.links[i], e);
		free(w.links[i]);
	}
	free(w.links);
	free(w.seen);
	free(w.real_root);
	buf_free(&w.scratch);
	out->notes = w.notes;
	out->n_notes = w.n_notes;
	return rc;
}

/* Versioned by version, then repeatables by description, then the baseline migrations by
 * version. */
static int cmp_migration(const void *pa, const void *pb)
{
	const pg_migration *a = pa, *b = pb;
	if (a->baseline != b->baseline)
		return a->baseline ? 1 : -1;
	if (a->version && b->version)
		return version_cmp(a->version, b->version);
	if (a->version || b->version)
		return a->version ? -1 : 1;
	return strcmp(a->description, b->description);
}

static int cmp_callback(const void *pa, const void *pb)
{
	const pg_callback *a = pa, *b = pb;
	size_t ea = event_index(a->event), eb = event_index(b->event);
	if (ea != eb)
		return ea < eb ? -1 : 1;
	int c = strcmp(a->description, b->description);
	return c ? c : strcmp(a->name, b->name);
}

/* Flyway's order (by event, then description; "" first) and its rule that a callback
 * name is found once across all locations. */
static int sort_callbacks(pg_migrations *out, err *e)
{
	for (size_t i = 0; i < out->n_cb; i++)
		for (size_t j = i + 1; j < out->n_cb; j++)
			if (strcmp(out->cb[i].name, out->cb[j].name) == 0)
				return err_set(
				    e, ORC_EUSAGE,
				    "two SQL callbacks are named %s: %s and %s; remove or "
				    "rename one of them",
				    out->cb[i].name, out->cb[i].path, out->cb[j].path);
	if (out->n_cb)
		qsort(out->cb, out->n_cb, sizeof *out->cb, cmp_callback);
	return 0;
}

int discover_scan_opts(const char *const *locations, size_t n_locations, const discover_opts *o,
                       pg_migrations *out, err *e)
{
	static const discover_opts defaults = {0};
	if (!o)
		o = &defaults;
	list l = {0};
	int rc = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n_locations && rc == 0; i++) {
		const char *loc = locations[i];
		if (strncmp(loc, "filesystem:", 11) == 0)
			loc += 11;
		if (locsrc_is_remote(loc)) {
			/* Scanned as its local mirror; records carry the S3 URL as their path. */
			char *dir = NULL;
			size_t first = l.n, first_cb = out->n_cb;
			rc = locsrc_mirror(loc, &dir, e);
			if (rc == 0)
				rc = scan_location(o, dir, &l, out, e);
			for (size_t k = first; k < l.n; k++) {
				free(l.v[k].path);
				l.v[k].path = locsrc_path(loc, l.v[k].script);
			}
			for (size_t k = first_cb; k < out->n_cb; k++) {
				/* the mirror's path less the mirror folder: the script name */
				char *rel = xstrdup(out->cb[k].path + strlen(dir) + 1);
				free(out->cb[k].path);
				out->cb[k].path = locsrc_path(loc, rel);
				free(rel);
			}
			free(dir);
			continue;
		}
		rc = scan_location(o, loc, &l, out, e);
	}
	out->v = l.v;
	out->n = l.n;
	out->n_versioned = out->n_baseline = 0;
	if (rc)
		return rc;
	if (l.n) /* qsort of a NULL array is undefined, even empty */
		qsort(l.v, l.n, sizeof *l.v, cmp_migration);
	size_t nb = 0; /* out->n stays l.n until the end: discover_free frees them all */
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].baseline)
			nb++;
		else if (l.v[i].version)
			out->n_versioned++;
		if (i > 0 && cmp_migration(&l.v[i - 1], &l.v[i]) == 0) {
			if (l.v[i].version)
				return err_set(e, ORC_EUSAGE,
				               "two %smigrations have version %s: %s and %s; "
				               "rename one of them",
				               l.v[i].baseline ? "baseline " : "", l.v[i].version,
				               l.v[i - 1].path, l.v[i].path);
			return err_set(
			    e, ORC_EUSAGE,
			    "two repeatable migrations have description '%s': %s and %s; rename "
			    "one of them",
			    l.v[i].description, l.v[i - 1].path, l.v[i].path);
		}
	}
	out->n = l.n - nb;
	out->n_baseline = nb;
	return sort_callbacks(out, e);
}

int discover_scan(const char *const *locations, size_t n_locations, pg_migrations *out, err *e)
{
	return discover_scan_opts(locations, n_locations, NULL, out, e);
}

void discover_drop_text(pg_migration *m)
{
	free(m->text);
	m->text = NULL;
	m->len = 0;
}

void discover_log_notes(const pg_migrations *m)
{
	for (size_t i = 0; i < m->n_notes; i++) {
		if (m->notes[i].warn)
			log_warn("%s", m->notes[i].text);
		else
			log_verbose("%s", m->notes[i].text);
	}
}

void discover_free(pg_migrations *m)
{
	for (size_t i = 0; i < m->n_cb; i++) {
		free(m->cb[i].description);
		free(m->cb[i].name);
		free(m->cb[i].path);
		free(m->cb[i].text);
	}
	free(m->cb);
	for (size_t i = 0; i < m->n_notes; i++)
		free(m->notes[i].text);
	free(m->notes);
	for (size_t i = 0; i < m->n + m->n_baseline; i++) {
		free(m->v[i].version);
		free(m->v[i].description);
		free(m->v[i].script);
		free(m->v[i].path);
		free(m->v[i].text);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}
