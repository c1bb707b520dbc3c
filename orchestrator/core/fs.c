/* fs: file helpers; atomic replacement via temp file + fsync + rename. */
#include "core/fs.h"

#include <errno.h>
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

int fs_write_atomic(const char *path, const void *data, size_t len, err *e)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	mode_t mode = 0644;
	struct stat st;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0) {
		err_set(e, ORC_EFAIL, "%s: cannot write: %s", path, strerror(errno));
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
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
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
	return xasprintf("%.*s/%s", (int)la, a, b);
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
