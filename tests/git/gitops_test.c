/*
 * gitops against real repositories: a work tree cloned from a bare "remote" over file://,
 * set up and inspected with the git CLI (the reference implementation).
 */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "git/gitops.h"

static char *root;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	buf cmd = BUF_INIT;
	va_list ap;
	buf_puts(&cmd, "{ ");
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	buf_puts(&cmd, "; } >/dev/null 2>&1");
	int rc = system(cmd.ptr);
	if (rc != 0)
		fail_msg("setup command failed (%d): %s", rc, cmd.ptr);
	buf_free(&cmd);
}

/* First line of a command's output. */
static char *out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *out(const char *fmt, ...)
{
	buf cmd = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd.ptr, "r");
	char line[4096] = "";
	if (!fgets(line, sizeof line, p))
		line[0] = '\0';
	pclose(p);
	line[strcspn(line, "\n")] = '\0';
	buf_free(&cmd);
	return strdup(line);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	err e = ERR_INIT;
	assert_int_equal(fs_mkdtemp("gitops-test", &root, &e), 0);
	sh("cd %s && git init -q --bare -b main remote.git && git clone -q remote.git work && "
	   "cd work && git config user.name dev && git config user.email dev@example.com && "
	   "printf 'hello\\n' > README.md && printf 'x\\n' > other.txt && git add . && "
	   "git commit -qm init && git push -q origin main",
	   root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(root);
	free(root);
	return 0;
}

static void test_commit_only_named_path(void **state)
{
	(void)state;
	char *work = fs_join(root, "work");
	char *readme = fs_join(work, "README.md"), *other = fs_join(work, "other.txt");
	write_file(readme, "hello\n# Database Documentation\n");
	write_file(other, "unrelated change\n");
	sh("cd %s && git add other.txt", work);

	const char *paths[] = {"README.md"};
	int committed = -1;
	buf sha = BUF_INIT;
	err e = ERR_INIT;
	int rc =
	    gitops_commit_paths(work, paths, 1, "docs: update schema documentation",
	                        "aurora-gitbot", "aurora.gitbot@example.com", &committed, &sha, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(committed, 1);
	char *head = out("git -C %s rev-parse HEAD", work);
	assert_string_equal(head, buf_cstr(&sha));
	char *files = out("git -C %s show --name-only --format= HEAD | tr '\\n' ' '", work);
	assert_string_equal(files, "README.md ");
	char *who = out("git -C %s log -1 --format='%%an <%%ae>|%%cn <%%ce>|%%s'", work);
	assert_string_equal(who, "aurora-gitbot <aurora.gitbot@example.com>|aurora-gitbot "
	                         "<aurora.gitbot@example.com>|docs: update schema documentation");
	/* The other staged change is still staged, not committed, not lost. */
	char *staged = out("git -C %s diff --cached --name-only", work);
	assert_string_equal(staged, "other.txt");
	char *status = out("git -C %s status --porcelain README.md", work);
	assert_string_equal(status, "");

	/* Same content again: no second commit. */
	rc = gitops_commit_paths(work, paths, 1, "again", "aurora-gitbot",
	                         "aurora.gitbot@example.com", &committed, NULL, &e);
	assert_int_equal(rc, 0);
	assert_int_equal(committed, 0);
	char *head2 = out("git -C %s rev-parse HEAD", work);
	assert_string_equal(head2, head);
	sh("cd %s && git reset -q other.txt && git checkout -q other.txt", work);
	free(head), free(head2), free(files), free(who), free(staged), free(status);
	buf_free(&sha);
	free(readme), free(other), free(work);
}

static void test_push_and_rejected_then_sync(void **state)
{
	(void)state;
	char *work = fs_join(root, "work");
	int rejected = -1;
	err e = ERR_INIT;
	assert_int_equal(gitops_push(work, "origin", NULL, &rejected, &e), 0);
	assert_int_equal(rejected, 0);
	char *local = out("git -C %s rev-parse HEAD", work);
	char *remote = out("git -C %s/remote.git rev-parse main", root);
	assert_string_equal(local, remote);

	/* Someone else pushes first. */
	sh("cd %s && git clone -q remote.git other && cd other && git -c user.name=o -c "
	   "user.email=o@example.com commit -q --allow-empty -m theirs && git push -q origin main",
	   root);
	char *readme = fs_join(work, "README.md");
	write_file(readme, "hello\n# Database Documentation\nv2\n");
	const char *paths[] = {"README.md"};
	int committed;
	assert_int_equal(gitops_commit_paths(work, paths, 1, "docs", "bot", "bot@example.com",
	                                     &committed, NULL, &e),
	                 0);
	assert_int_equal(committed, 1);
	int rc = gitops_push(work, "origin", NULL, &rejected, &e);
	assert_int_equal(rc, 1);
	assert_int_equal(rejected, 1);
	assert_non_null(strstr(e.msg, "rejected"));

	/* Sync puts the branch on the remote's tip without our commit; redo it and push. */
	gitops_redo redo = {paths, 1, "bot", "bot@example.com"};
	assert_int_equal(gitops_sync_remote(work, "origin", NULL, &redo, &e), 0);
	char *theirs = out("git -C %s log -1 --format=%%s", work);
	assert_string_equal(theirs, "theirs");
	write_file(readme, "hello\n# Database Documentation\nv2\n");
	assert_int_equal(gitops_commit_paths(work, paths, 1, "docs", "bot", "bot@example.com",
	                                     &committed, NULL, &e),
	                 0);
	assert_int_equal(committed, 1);
	assert_int_equal(gitops_push(work, "origin", NULL, &rejected, &e), 0);
	char *subjects =
	    out("git -C %s/remote.git log --format=%%s main | head -2 | tr '\\n' ' '", root);
	assert_string_equal(subjects, "docs theirs ");
	free(local), free(remote), free(readme), free(theirs), free(subjects), free(work);
}

/* Someone else pushes a commit touching `file` from a fresh clone. */
static void remote_moves(const char *file, const char *text, const char *subject)
{
	sh("cd %s && rm -rf other && git clone -q remote.git other && cd other && "
	   "printf '%s' > %s && git add %s && git -c user.name=o -c user.email=o@example.com "
	   "commit -qm '%s' && git push -q origin main && cd .. && rm -rf other",
	   root, text, file, file, subject);
}

/* A fresh clone of the remote with an identity: work of its own comes next. */
static char *fresh_clone(const char *name)
{
	sh("cd %s && rm -rf %s && git clone -q remote.git %s && cd %s && git config user.name dev "
	   "&& "
	   "git config user.email dev@example.com",
	   root, name, name, name);
	return fs_join(root, name);
}

struct make_readme {
	const char *path;
	int calls;
	const char *text;
};

static int make_readme(void *arg, err *e)
{
	(void)e;
	struct make_readme *m = arg;
	m->calls++;
	write_file(m->path, m->text ? m->text : "generated\n");
	return 0;
}

/*
 * --push after the remote moved on, in a clone with work of its own: an unpushed local
 * commit, an uncommitted change to a tracked file, a staged change and an untracked file.
 * gitops_publish redoes our commit on the remote's tip and pushes; all of that survives.
 */
static void test_publish_keeps_local_work(void **state)
{
	(void)state;
	char *work = fresh_clone("keep");
	sh("cd %s && printf 'local\\n' > local.txt && git add local.txt && "
	   "git commit -qm 'local, not pushed' && printf 'edited\\n' > other.txt && "
	   "printf 'staged\\n' > staged.txt && git add staged.txt && printf 'u\\n' > untracked.txt",
	   work);
	remote_moves("theirs.txt", "t\\n", "theirs 2");
	char *readme = fs_join(work, "README.md");
	struct make_readme m = {readme, 0};
	const char *paths[] = {"README.md"};
	gitops_publish_opts po = {work, paths,       1, "docs: generated", "bot", "bot@example.com",
	                          1,    make_readme, &m};
	int committed = -1;
	buf sha = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(gitops_publish(&po, &committed, &sha, &e), 0);
	assert_int_equal(committed, 1);
	assert_int_equal(m.calls, 2); /* made again on the new tip */
	char *subjects =
	    out("git -C %s/remote.git log --format=%%s main | head -3 | tr '\\n' '|'", root);
	assert_string_equal(subjects, "docs: generated|local, not pushed|theirs 2|");
	char *head = out("git -C %s rev-parse HEAD", work);
	assert_string_equal(head, buf_cstr(&sha));
	char *status = out("git -C %s status --porcelain | tr '\\n' '|'", work);
	assert_string_equal(status, " M other.txt|A  staged.txt|?? untracked.txt|");
	char *edited = out("cat %s/other.txt", work);
	assert_string_equal(edited, "edited");
	char *tip_files = out("git -C %s ls-tree --name-only HEAD | tr '\\n' ' '", work);
	assert_string_equal(tip_files, "README.md local.txt other.txt theirs.txt ");
	buf_free(&sha);
	free(subjects), free(head), free(status), free(edited), free(tip_files), free(readme),
	    free(work);
}

/*
 * The remote changed a file this clone has uncommitted changes to, or that an unpushed
 * local commit changed too: nothing can be redone without a merge by hand, so the push
 * stops with one line and everything is as it was (branch, commits, files).
 */
static void test_publish_stops_rather_than_lose_work(void **state)
{
	(void)state;
	char *work = fresh_clone("stop");
	char *readme = fs_join(work, "README.md");
	const char *paths[] = {"README.md"};
	struct make_readme m = {readme, 0};
	gitops_publish_opts po = {work, paths,       1, "docs: again", "bot", "bot@example.com",
	                          1,    make_readme, &m};
	int committed;
	err e = ERR_INIT;

	/* 1. an uncommitted change to a file the remote changed */
	sh("cd %s && printf 'mine\\n' > other.txt", work);
	remote_moves("other.txt", "theirs\\n", "theirs 3");
	write_file(readme, "changed again\n");
	sh("cd %s && git commit -qm ours README.md", work);
	char *ours = out("git -C %s rev-parse HEAD", work);
	int rc = gitops_sync_remote(work, "origin", NULL, NULL, &e);
	assert_int_equal(rc, ORC_EFAIL);
	assert_non_null(strstr(e.msg, "origin/main moved on"));
	assert_non_null(strstr(e.msg, "other.txt"));
	assert_null(strchr(e.msg, '\n'));
	char *after = out("git -C %s rev-parse HEAD", work);
	assert_string_equal(after, ours);
	char *mine = out("cat %s/other.txt", work);
	assert_string_equal(mine, "mine");
	/* and through gitops_publish: the same refusal, after one push */
	m.calls = 0;
	rc = gitops_publish(&po, &committed, NULL, &e);
	assert_int_equal(rc, ORC_EFAIL);
	assert_int_equal(m.calls, 1);
	assert_non_null(strstr(e.msg, "uncommitted changes here (other.txt)"));
	free(mine);
	mine = out("cat %s/other.txt", work);
	assert_string_equal(mine, "mine");
	char *log = out("git -C %s log --format=%%s | head -2 | tr '\\n' '|'", work);
	assert_string_equal(log, "docs: again|ours|");

	/* 2. an unpushed local commit that conflicts with the remote's */
	sh("cd %s && git reset -q --hard origin/main && printf 'local edit\\n' > other.txt && "
	   "git commit -qam 'local edit'",
	   work);
	remote_moves("other.txt", "remote edit\\n", "theirs 4");
	m.text = "generated again\n";
	char *local = out("git -C %s rev-parse HEAD", work);
	rc = gitops_publish(&po, &committed, NULL, &e);
	assert_int_equal(rc, ORC_EFAIL);
	assert_non_null(strstr(e.msg, "(not pushed yet) conflicts with it"));
	char *parent = out("git -C %s rev-parse HEAD^", work);
	assert_string_equal(parent, local); /* our commit on top of the untouched local one */
	char *status = out("git -C %s status --porcelain --untracked-files=no", work);
	assert_string_equal(status, "");
	char *text = out("cat %s/other.txt", work);
	assert_string_equal(text, "local edit");
	free(ours), free(after), free(mine), free(log), free(local), free(parent), free(status),
	    free(text), free(readme), free(work);
}

static void test_deleted_path_and_errors(void **state)
{
	(void)state;
	char *work = fs_join(root, "work");
	sh("rm %s/other.txt", work);
	const char *paths[] = {"other.txt", "never-existed.txt"};
	int committed;
	err e = ERR_INIT;
	assert_int_equal(gitops_commit_paths(work, paths, 2, "remove", "bot", "bot@example.com",
	                                     &committed, NULL, &e),
	                 0);
	assert_int_equal(committed, 1);
	char *tracked = out("git -C %s ls-tree --name-only HEAD | tr '\\n' ' '", work);
	assert_string_equal(tracked, "README.md ");

	const char *outside[] = {"/etc/hostname"};
	assert_int_equal(gitops_commit_paths(work, outside, 1, "x", "bot", "bot@example.com",
	                                     &committed, NULL, &e),
	                 ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "outside the repository"));
	int rejected;
	assert_int_equal(gitops_push(work, "nosuchremote", NULL, &rejected, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "nosuchremote"));
	char *nonrepo = fs_join(root, "remote.git/hooks");
	assert_int_equal(
	    gitops_commit_paths(nonrepo, paths, 1, "x", "b", "b@example.com", &committed, NULL, &e),
	    ORC_EUSAGE);
	free(tracked), free(work), free(nonrepo);
}

/*
 * A commit killed while libgit2 held .git/index.lock: the re-run removes the lock a dead run
 * of ours left (its pid in .git/orchestrator-index.pid) and commits; a lock without our
 * mark, or with the mark of a live process, may be a running git's: refused, kept.
 */
static void test_stale_index_lock(void **state)
{
	(void)state;
	char *work = fresh_clone("lock");
	char *readme = fs_join(work, "README.md");
	const char *paths[] = {"README.md"};
	int committed;
	err e = ERR_INIT;

	/* a lock without our mark: a git that may be running */
	sh("cd %s && touch .git/index.lock", work);
	write_file(readme, "locked\n");
	assert_int_equal(gitops_commit_paths(work, paths, 1, "docs", "bot", "bot@example.com",
	                                     &committed, NULL, &e),
	                 ORC_EFAIL);
	assert_non_null(strstr(e.msg, "index.lock exists"));
	sh("cd %s && test -f .git/index.lock", work);

	/* our mark, but its process lives (our parent): still refused */
	sh("cd %s && echo %ld > .git/orchestrator-index.pid && touch .git/index.lock", work,
	   (long)getppid());
	assert_int_equal(gitops_commit_paths(work, paths, 1, "docs", "bot", "bot@example.com",
	                                     &committed, NULL, &e),
	                 ORC_EFAIL);
	sh("cd %s && test -f .git/index.lock", work);

	/* our mark with a dead pid (beyond pid_max): the lock is ours, removed; the commit goes */
	sh("cd %s && echo 4194305 > .git/orchestrator-index.pid && touch .git/index.lock", work);
	err_clear(&e);
	assert_int_equal(gitops_commit_paths(work, paths, 1, "docs", "bot", "bot@example.com",
	                                     &committed, NULL, &e),
	                 0);
	assert_int_equal(committed, 1);
	sh("cd %s && test ! -e .git/index.lock && test ! -e .git/orchestrator-index.pid", work);
	char *status = out("git -C %s status --porcelain", work);
	assert_string_equal(status, "");
	free(status), free(readme), free(work);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_only_named_path),
	    cmocka_unit_test(test_push_and_rejected_then_sync),
	    cmocka_unit_test(test_deleted_path_and_errors),
	    cmocka_unit_test(test_publish_keeps_local_work),
	    cmocka_unit_test(test_publish_stops_rather_than_lose_work),
	    cmocka_unit_test(test_stale_index_lock),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
