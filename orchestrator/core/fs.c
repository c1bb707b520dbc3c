/* fs: file helpers; atomic replacement via temp file + fsync + rename. */
#include "core/fs.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_file(const char *path, buf *out, err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ORC_EUSAGE, "%s: cannot open: %s", path, strerror(errno));
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(out, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return err_set(e, ORC_EFAIL, "%s: read failed", path);
	if (!out->ptr)
		buf_puts(out, "");
	return 0;
}

/* The prefix of our temporary files for path's base name: ".<base>.orc" (then pid.XXXXXX). */
static char *tmp_prefix(const char *base)
{
	return xasprintf(".%s.orc", base);
}

/* Removes temporary files of `base` in dir left by runs of ours that no longer live (a
 * kill between create and rename), so a re-run converges to a clean directory. */
static void remove_stale_tmp(const char *dir, const char *base)
{
	char *prefix = tmp_prefix(base);
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		char *end;
		long pid = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || *end != '.' || strlen(end) != 7 || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or not ours to judge) */
		char *p = fs_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	free(prefix);
}

int fs_write_atomic(const char *path, const void *data, size_t len, err *e)
{
	const char *slash = strrchr(path, '/');
	char *dir = fs_dir(path);
	const char *base = slash ? slash + 1 : path;
	remove_stale_tmp(dir, base);
	char *prefix = tmp_prefix(base);
	char *name = xasprintf("%s%ld.XXXXXX", prefix, (long)getpid());
	char *tmp = fs_join(dir, name);
	free(prefix);
	free(name);
	free(dir);
	mode_t mode = 0644;
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	int fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, mode) != 0) {
		err_set(e, ORC_EFAIL, "%s: cannot write: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return ORC_EFAIL;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err_set(e, ORC_EFAIL, "%s: write failed: %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			free(tmp);
			return ORC_EFAIL;
		}
		p += w;
		left -= (size_t)w;
	}
	int bad = fsync(fd) != 0;
	bad |= close(fd) != 0;
	if (bad || rename(tmp, path) != 0) {
		err_set(e, ORC_EFAIL, "%s: cannot replace: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return ORC_EFAIL;
	}
	free(tmp);
	return 0;
}

int fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_mkdtemp(const char *prefix, char **out, err *e)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	char *tmpl = xasprintf("%s/%s.XXXXXX", base, prefix);
	if (!mkdtemp(tmpl)) {
		err_set(e, ORC_EFAIL, "%s: cannot create a temporary directory: %s", base,
		        strerror(errno));
		free(tmpl);
		return ORC_EFAIL;
	}
	*out = tmpl;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int fs_remove_tree(const char *path)
{
	if (!fs_exists(path))
		return 0;
	return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}

char *fs_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	/* by hand rather than xasprintf: discover joins a path for every file it reads */
	size_t lb = strlen(b);
	char *p = xmalloc(la + lb + 2);
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

char *fs_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}
