/*
 * trigger/choices: what a user may pick when a value is missing, and the numbered menu.
 *
 * The menu talks on stderr and reads stdin directly rather than through core/log: it is a
 * conversation with the person at the terminal, not program output, and keeping it off
 * stdout leaves stdout to the result (the dry-run request, the Actions URL).
 */
#include <dirent.h>
#include "git/git2.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
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

/* The remote names owner/repo: its URL ends in "/owner/repo" or ":owner/repo", with or
 * without ".git" (https, ssh and scp-like forms alike). */
static int url_names(const char *url, const char *owner, const char *repo)
{
	if (!url || !owner || !repo)
		return 0;
	char *want = xasprintf("%s/%s", owner, repo);
	size_t len = strlen(url), wl = strlen(want);
	if (len > 4 && strcmp(url + len - 4, ".git") == 0)
		len -= 4;
	int ok = len > wl && strncasecmp(url + len - wl, want, wl) == 0 &&
	         (url[len - wl - 1] == '/' || url[len - wl - 1] == ':');
	free(want);
	return ok;
}

/* The remote to read: the one whose URL names owner/repo, else origin, else the only one. */
static char *pick_remote(git_repository *repo, const char *owner, const char *name)
{
	git_strarray list = {0};
	char *picked = NULL;
	if (git_remote_list(&list, repo) != 0)
		return NULL;
	for (size_t i = 0; i < list.count && !picked; i++) {
		git_remote *r = NULL;
		if (git_remote_lookup(&r, repo, list.strings[i]) == 0 &&
		    url_names(git_remote_url(r), owner, name))
			picked = xstrdup(list.strings[i]);
		git_remote_free(r);
	}
	for (size_t i = 0; i < list.count && !picked; i++)
		if (strcmp(list.strings[i], "origin") == 0)
			picked = xstrdup("origin");
	if (!picked && list.count == 1)
		picked = xstrdup(list.strings[0]);
	git_strarray_dispose(&list);
	return picked;
}

typedef struct dated {
	char *name;
	git_time_t when;
	int is_default;
} dated;

static int default_then_newest(const void *a, const void *b)
{
	const dated *x = a, *y = b;
	if (x->is_default != y->is_default)
		return y->is_default - x->is_default;
	if (x->when != y->when)
		return x->when < y->when ? 1 : -1;
	return strcmp(x->name, y->name);
}

int trigger_branches_read(const char *dir, const char *owner, const char *name, trigger_branches *b,
                          err *e)
{
	memset(b, 0, sizeof *b);
	git_libgit2_init();
	git_repository *repo = NULL;
	git_reference_iterator *it = NULL;
	dated *items = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	if (git_repository_open_ext(&repo, dir, 0, NULL) != 0) {
		rc = err_set(e, ORC_EUSAGE, "%s is not inside a git clone of %s/%s", dir, owner,
		             name);
		goto done;
	}
	if (!(b->remote = pick_remote(repo, owner, name))) {
		rc = err_set(e, ORC_EUSAGE,
		             "the clone at %s has no remote for %s/%s (git remote add origin "
		             "URL, then git fetch)",
		             dir, owner, name);
		goto done;
	}
	/* The remote's default branch, as the clone recorded it (origin/HEAD). */
	char *head = xasprintf("refs/remotes/%s/HEAD", b->remote);
	git_reference *hr = NULL;
	size_t prefix = strlen(head) - 4;
	if (git_reference_lookup(&hr, repo, head) == 0 &&
	    git_reference_type(hr) == GIT_REFERENCE_SYMBOLIC &&
	    strncmp(git_reference_symbolic_target(hr), head, prefix) == 0)
		b->default_branch = xstrdup(git_reference_symbolic_target(hr) + prefix);
	git_reference_free(hr);
	free(head);

	char *glob = xasprintf("refs/remotes/%s/*", b->remote);
	rc = git_reference_iterator_glob_new(&it, repo, glob);
	free(glob);
	if (rc != 0) {
		const git_error *ge = git_error_last();
		rc = err_set(e, ORC_EFAIL, "%s: cannot list the branches of %s: %s", dir, b->remote,
		             ge ? ge->message : "unknown error");
		goto done;
	}
	git_reference *ref;
	while (git_reference_next(&ref, it) == 0) {
		git_object *obj = NULL;
		/* origin/HEAD is a pointer to another branch, not one anyone asks for. */
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
			ARRAY_GROW(items, n + 1, cap);
			const char *short_name = git_reference_name(ref) + prefix;
			items[n].name = xstrdup(short_name);
			items[n].when = git_commit_time((git_commit *)obj);
			items[n].is_default =
			    b->default_branch && strcmp(short_name, b->default_branch) == 0;
			n++;
		}
		git_object_free(obj);
		git_reference_free(ref);
	}
	qsort(items, n, sizeof *items, default_then_newest);
	b->names = xcalloc(n + 1, sizeof *b->names);
	b->labels = xcalloc(n + 1, sizeof *b->labels);
	for (size_t i = 0; i < n; i++) {
		char when[32];
		time_t t = (time_t)items[i].when;
		struct tm tm;
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime_r(&t, &tm));
		b->names[i] = items[i].name;
		b->labels[i] =
		    xasprintf("%s%s", items[i].is_default ? "default branch, " : "", when);
	}
	b->n = n;
done:
	free(items);
	git_reference_iterator_free(it);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (rc)
		trigger_branches_free(b);
	return rc;
}

int trigger_branches_has(const trigger_branches *b, const char *branch)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->names[i], branch) == 0)
			return 1;
	return 0;
}

void trigger_branches_free(trigger_branches *b)
{
	config_free_list(b->names);
	config_free_list(b->labels);
	free(b->remote);
	free(b->default_branch);
	memset(b, 0, sizeof *b);
}

/* The commit the workflow reads files from: REMOTE/HEAD's branch (repository_dispatch runs
 * on the default branch), else the upstream of the checked-out branch; *shown names it. */
static git_commit *workflow_commit(git_repository *repo, const char *remote, char **shown)
{
	git_reference *ref = NULL, *target = NULL;
	git_object *obj = NULL;
	char *head = xasprintf("refs/remotes/%s/HEAD", remote);
	if (git_reference_lookup(&ref, repo, head) != 0 ||
	    git_reference_resolve(&target, ref) != 0) {
		git_reference_free(ref);
		ref = NULL;
		if (git_repository_head(&ref, repo) == 0)
			git_branch_upstream(&target, ref);
	}
	free(head);
	if (target && git_reference_peel(&obj, target, GIT_OBJECT_COMMIT) == 0)
		*shown = xstrdup(git_reference_shorthand(target));
	git_reference_free(ref);
	git_reference_free(target);
	return (git_commit *)obj;
}

void trigger_warn_unpushed(const char *dir, const char *owner, const char *name,
                           const char *const *files)
{
	git_libgit2_init();
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	char *remote = NULL, *shown = NULL, *workdir = NULL;
	if (git_repository_open_ext(&repo, dir, 0, NULL) != 0 || git_repository_is_bare(repo) ||
	    !(remote = pick_remote(repo, owner, name)) ||
	    !(commit = workflow_commit(repo, remote, &shown)) ||
	    git_commit_tree(&tree, commit) != 0 ||
	    !(workdir = realpath(git_repository_workdir(repo), NULL)))
		goto done; /* nothing to compare with: no clone, no remote, nothing fetched */
	size_t wl = strlen(workdir);
	for (const char *const *f = files; *f; f++) {
		char *abs = realpath(*f, NULL);
		if (!abs || strncmp(abs, workdir, wl) != 0 || abs[wl] != '/') {
			free(abs);
			continue; /* absent, or outside the clone: not the workflow's to read */
		}
		const char *rel = abs + wl + 1;
		git_oid here;
		git_tree_entry *there = NULL;
		unsigned status = 0;
		int same = git_repository_hashfile(&here, repo, rel, GIT_OBJECT_BLOB, NULL) == 0 &&
		           git_tree_entry_bypath(&there, tree, rel) == 0 &&
		           git_oid_equal(&here, git_tree_entry_id(there));
		git_tree_entry_free(there);
		if (!same && git_status_file(&status, repo, rel) == 0 &&
		    (status & ~(unsigned)GIT_STATUS_IGNORED) != GIT_STATUS_CURRENT)
			log_warn("%s %s, and the workflow reads it as pushed to %s: commit and "
			         "push it first (git add %s && git commit && git push)",
			         *f,
			         status & (GIT_STATUS_WT_NEW | GIT_STATUS_INDEX_NEW)
			             ? "is new and not committed"
			             : "has uncommitted changes",
			         shown, *f);
		else if (!same)
			log_warn("%s is committed here but differs from %s, which the workflow "
			         "reads: get the commit there first (git push, and merge it if it "
			         "is on another branch)",
			         *f, shown);
		free(abs);
	}
done:
	free(workdir);
	free(shown);
	free(remote);
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(repo);
	git_libgit2_shutdown();
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
	return trigger_menu_labeled(what, flag, items, NULL, n, out, e);
}

int trigger_menu_labeled(const char *what, const char *flag, const char *const *items,
                         const char *const *labels, size_t n, char **out, err *e)
{
	*out = NULL;
	if (n == 0)
		return err_set(e, ORC_EUSAGE, "no %s to choose from (pass %s)", what, flag);
	fprintf(stderr, "Select the %s:\n", what);
	int width = 0;
	for (size_t i = 0; labels && i < n; i++)
		if ((int)strlen(items[i]) > width)
			width = (int)strlen(items[i]);
	for (size_t i = 0; i < n; i++) {
		if (labels && labels[i] && *labels[i])
			fprintf(stderr, "  %zu) %-*s  (%s)\n", i + 1, width, items[i], labels[i]);
		else
			fprintf(stderr, "  %zu) %s\n", i + 1, items[i]);
	}
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
