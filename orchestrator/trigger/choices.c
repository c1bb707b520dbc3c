/*
 * trigger/choices: what a user may pick when a value is missing, and the numbered menu.
 *
 * The menu talks on stderr and reads stdin directly rather than through core/log: it is a
 * conversation with the person at the terminal, not program output, and keeping it off
 * stdout leaves stdout to the result (the dry-run request, the Actions URL).
 */
#include <dirent.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "trigger/trigger.h"

int trigger_interactive(void)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops duplicates in place; returns the new count. */
static size_t sort_unique(char **items, size_t n)
{
	qsort(items, n, sizeof *items, cmp_str);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out && strcmp(items[out - 1], items[i]) == 0) {
			free(items[i]);
			continue;
		}
		items[out++] = items[i];
	}
	items[out] = NULL;
	return out;
}

char **trigger_remote_branches(const char *dir, size_t *n, err *e)
{
	git_libgit2_init();
	git_repository *repo = NULL;
	git_branch_iterator *it = NULL;
	char **items = xcalloc(1, sizeof *items);
	size_t cap = 0;
	int failed = 1;
	*n = 0;
	if (git_repository_open_ext(&repo, dir, 0, NULL) != 0) {
		err_set(e, ORC_EUSAGE,
		        "%s: not inside a git repository, so there are no branches to "
		        "choose from (pass --branch)",
		        dir);
		goto done;
	}
	if (git_branch_iterator_new(&it, repo, GIT_BRANCH_REMOTE) != 0) {
		const git_error *ge = git_error_last();
		err_set(e, ORC_EFAIL, "%s: cannot list remote-tracking branches: %s", dir,
		        ge ? ge->message : "unknown error");
		goto done;
	}
	git_reference *ref;
	git_branch_t type;
	while (git_branch_next(&ref, &type, it) == 0) {
		const char *name = NULL;
		/* origin/HEAD is a symbolic pointer, not a branch anyone asks for. The remote
		 * is the first segment of "origin/main": git_branch_remote_name would be exact
		 * for remotes with a '/' in their name, but it matches refspecs through
		 * libgit2's regex engine, which leaks under the sanitizers. */
		const char *slash;
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    git_branch_name(&name, ref) == 0 && (slash = strchr(name, '/')) && slash[1]) {
			ARRAY_GROW(items, *n + 2, cap);
			items[(*n)++] = xstrdup(slash + 1);
			items[*n] = NULL;
		}
		git_reference_free(ref);
	}
	*n = sort_unique(items, *n);
	failed = 0;
done:
	git_branch_iterator_free(it);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (failed) {
		config_free_list(items);
		return NULL;
	}
	return items;
}

char **trigger_folders(const char *root, size_t *n, err *e)
{
	char *infra = fs_join(root, "infrastructure");
	DIR *d = opendir(infra);
	*n = 0;
	if (!d) {
		err_set(e, ORC_EUSAGE, "%s: no such folder, so there is no folder to choose from",
		        infra);
		free(infra);
		return NULL;
	}
	char **items = xcalloc(1, sizeof *items);
	size_t cap = 0;
	struct dirent *ent;
	while ((ent = readdir(d)) != NULL) {
		if (ent->d_name[0] == '.')
			continue;
		char *path = fs_join(infra, ent->d_name);
		if (fs_is_dir(path) && trigger_is_component(path)) {
			ARRAY_GROW(items, *n + 2, cap);
			items[(*n)++] = xstrdup(ent->d_name);
			items[*n] = NULL;
		}
		free(path);
	}
	closedir(d);
	free(infra);
	*n = sort_unique(items, *n);
	return items;
}

int trigger_menu(const char *what, const char *flag, const char *const *items, size_t n, char **out,
                 err *e)
{
	*out = NULL;
	if (n == 0)
		return err_set(e, ORC_EUSAGE, "no %s to choose from (pass %s)", what, flag);
	fprintf(stderr, "Select the %s:\n", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %zu) %s\n", i + 1, items[i]);
	char *line = NULL;
	size_t cap = 0;
	for (;;) {
		fprintf(stderr, "%s [1-%zu]: ", what, n);
		fflush(stderr);
		ssize_t len = getline(&line, &cap, stdin);
		if (len < 0) {
			fputc('\n', stderr);
			free(line);
			return err_set(e, ORC_EUSAGE, "no %s chosen (pass %s)", what, flag);
		}
		line[strcspn(line, "\r\n")] = '\0';
		char *end;
		long k = strtol(line, &end, 10);
		if (*line && *end == '\0' && k >= 1 && (size_t)k <= n) {
			*out = xstrdup(items[k - 1]);
			break;
		}
		for (size_t i = 0; i < n && !*out; i++)
			if (strcmp(line, items[i]) == 0)
				*out = xstrdup(items[i]);
		if (*out)
			break;
		fprintf(stderr, "\"%s\" is not one of the choices; type a number from 1 to %zu\n",
		        line, n);
	}
	free(line);
	return 0;
}

int trigger_confirm(const char *summary, err *e)
{
	fprintf(stderr, "%s\nType yes to send it: ", summary);
	fflush(stderr);
	char *line = NULL;
	size_t cap = 0;
	int yes = 0;
	if (getline(&line, &cap, stdin) < 0) {
		fputc('\n', stderr);
	} else {
		line[strcspn(line, "\r\n")] = '\0';
		yes = strcmp(line, "yes") == 0 || strcmp(line, "y") == 0;
	}
	free(line);
	if (!yes)
		return err_set(e, ORC_EFAIL,
		               "not confirmed: nothing was sent (--yes skips the question)");
	return 0;
}
