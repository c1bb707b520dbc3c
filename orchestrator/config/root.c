/* root: the repository root from a subdirectory; see root.h. */
#include "config/root.h"

#include "config/config.h"
#include "core/buf.h"
#include "core/fs.h"

#include <stdlib.h>
#include <sys/stat.h>

/* Same directory: at / its parent ".." is itself. */
static int same_dir(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The "../" prefix from the current directory to the root ("" for the current one). */
static char *root_prefix(void)
{
	buf up = BUF_INIT;
	for (;;) {
		char *cfg = xasprintf("%s%s", buf_cstr(&up), CONFIG_DEFAULT_PATH);
		char *git = xasprintf("%s.git", buf_cstr(&up));
		int found = fs_exists(cfg) || fs_exists(git);
		free(cfg);
		free(git);
		if (found)
			return buf_detach(&up);
		char *here = xstrdup(up.len ? buf_cstr(&up) : ".");
		buf_puts(&up, "../");
		int top = same_dir(here, buf_cstr(&up));
		free(here);
		if (top)
			break;
	}
	buf_free(&up);
	return xstrdup("");
}

char *root_path(const char *name)
{
	char *prefix = root_prefix();
	char *path = xasprintf("%s%s", prefix, name);
	free(prefix);
	return path;
}
