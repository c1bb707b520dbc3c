/*
 * gitops_clone_branch's local fast path (a path or file:// URL): the tree checked out
 * straight from the source must be the tree `git clone --branch` gives, with the same
 * SHA, and the source repository must be left exactly as it was (index, work tree,
 * refs). The git CLI is the reference.
 */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"
#include "git/gitops.h"

static char *root;

/* Runs a shell command in root; returns its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	buf cmd = BUF_INIT;
	va_list ap;
	buf_printf(&cmd, "cd '%s' && { ", root);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	buf_puts(&cmd, "; } >/dev/null 2>&1");
	int rc = system(buf_cstr(&cmd));
	buf_free(&cmd);
	return rc;
}

/* The first line a command in root prints. */
static void first_line(buf *out, const char *cmd)
{
	buf full = BUF_INIT;
	buf_printf(&full, "cd '%s' && %s", root, cmd);
	FILE *p = popen(buf_cstr(&full), "r");
	char line[512] = "";
	if (!p || !fgets(line, sizeof line, p))
		line[0] = '\0';
	if (p)
		pclose(p);
	line[strcspn(line, "\n")] = '\0';
	buf_clear(out);
	buf_puts(out, line);
	buf_free(&full);
}

static int setup(void **state)
{
	(void)state;
	err e = ERR_INIT;
	assert_int_equal(fs_mkdtemp("clone-test", &root, &e), 0);
	/* A non-bare source with a dirty work tree and a staged change on main, and a feature
	 * branch holding nested folders, an executable, a symlink and a file with a space. */
	int rc = run(
	    "export GIT_CONFIG_NOSYSTEM=1 HOME='%s'; git config --global user.name t && "
	    "git config --global user.email t@example.com && git init -q -b main src && cd src && "
	    "mkdir -p sql/nested && echo 'CREATE TABLE a (id int);' > sql/V1__a.sql && "
	    "git add -A && git commit -qm V1 && git checkout -qb feature && "
	    "echo 'CREATE TABLE b (id int);' > 'sql/nested/V2__b c.sql' && printf '#!/bin/sh\\n' "
	    "> run.sh && chmod +x run.sh && ln -s sql/V1__a.sql link.sql && git add -A && "
	    "git commit -qm V2 && git checkout -q main && echo dirty >> sql/V1__a.sql && "
	    "echo staged > staged.txt && git add staged.txt && "
	    "git clone -q --bare . ../bare.git && "
	    "git clone -q --single-branch --branch feature . ../reference",
	    root);
	assert_int_equal(rc, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(root);
	free(root);
	return 0;
}

/* dir holds exactly the reference clone's files (contents, modes, links), no .git. */
static void assert_same_tree(const char *dir)
{
	assert_int_equal(run("diff -r --no-dereference -x .git reference '%s'", dir), 0);
	assert_int_equal(run("test -x '%s/run.sh' && test -L '%s/link.sql'", dir, dir), 0);
	assert_int_equal(run("test ! -e '%s/.git'", dir), 0);
}

static void test_same_tree_and_sha_as_a_clone(void **state)
{
	(void)state;
	buf want = BUF_INIT, before = BUF_INIT, after = BUF_INIT, index = BUF_INIT, sha = BUF_INIT;
	err e = ERR_INIT;
	first_line(&want, "git -C src rev-parse feature");
	first_line(&before, "git -C src status --porcelain | md5sum");
	first_line(&index, "md5sum < src/.git/index");

	const char *urls[] = {"file://%s/src", "%s/src", "file://%s/bare.git"};
	for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
		buf url = BUF_INIT, dir = BUF_INIT;
		buf_printf(&url, urls[i], root);
		buf_printf(&dir, "%s/out%zu", root, i);
		buf_clear(&sha);
		int rc =
		    gitops_clone_branch(buf_cstr(&url), "feature", buf_cstr(&dir), NULL, &sha, &e);
		if (rc)
			fail_msg("%s: %s", buf_cstr(&url), e.msg);
		assert_string_equal(buf_cstr(&sha), buf_cstr(&want));
		assert_same_tree(buf_cstr(&dir));
		buf_free(&url);
		buf_free(&dir);
	}
	/* The source is as it was: the same status (dirty file, staged file) and index. */
	first_line(&after, "git -C src status --porcelain | md5sum");
	assert_string_equal(buf_cstr(&after), buf_cstr(&before));
	first_line(&after, "md5sum < src/.git/index");
	assert_string_equal(buf_cstr(&after), buf_cstr(&index));
	first_line(&after, "git -C src symbolic-ref --short HEAD");
	assert_string_equal(buf_cstr(&after), "main");
	buf_free(&want);
	buf_free(&before);
	buf_free(&after);
	buf_free(&index);
	buf_free(&sha);
}

static void test_unknown_branch_and_not_a_repository(void **state)
{
	(void)state;
	err e = ERR_INIT;
	buf url = BUF_INIT, dir = BUF_INIT;
	buf_printf(&url, "file://%s/bare.git", root);
	buf_printf(&dir, "%s/nobranch", root);
	assert_int_equal(
	    gitops_clone_branch(buf_cstr(&url), "nope", buf_cstr(&dir), NULL, NULL, &e),
	    ORC_EREMOTE);
	assert_non_null(strstr(e.msg, "branch 'nope' not found"));
	assert_non_null(strstr(e.msg, "feature"));
	assert_non_null(strstr(e.msg, "main"));
	assert_int_equal(run("test ! -e '%s'", buf_cstr(&dir)), 0);

	err_clear(&e);
	assert_int_equal(
	    gitops_clone_branch(buf_cstr(&url), "bad..name", buf_cstr(&dir), NULL, NULL, &e),
	    ORC_EUSAGE);

	err_clear(&e);
	buf_clear(&url);
	buf_printf(&url, "%s/reference/sql", root); /* a folder, not a repository */
	int rc = gitops_clone_branch(buf_cstr(&url), "main", buf_cstr(&dir), NULL, NULL, &e);
	assert_int_equal(rc, ORC_EREMOTE);
	assert_non_null(strstr(e.msg, "not a git repository"));

	err_clear(&e);
	buf_clear(&url);
	buf_printf(&url, "file://%s/no-such-repo", root);
	rc = gitops_clone_branch(buf_cstr(&url), "main", buf_cstr(&dir), NULL, NULL, &e);
	assert_int_equal(rc, ORC_EREMOTE);
	assert_non_null(strstr(e.msg, "no such repository"));
	buf_free(&url);
	buf_free(&dir);
}

static void test_url_kinds(void **state)
{
	(void)state;
	assert_true(gitops_url_is_ssh("ssh://git@github.com/o/r.git"));
	assert_true(gitops_url_is_ssh("git+ssh://git@github.com/o/r.git"));
	assert_true(gitops_url_is_ssh("git@github.com:o/r.git"));
	assert_false(gitops_url_is_ssh("https://github.com/o/r.git"));
	assert_false(gitops_url_is_ssh("file:///srv/r.git"));
	assert_false(gitops_url_is_ssh("/srv/r.git"));
	assert_false(gitops_url_is_ssh("./a:b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_tree_and_sha_as_a_clone),
	    cmocka_unit_test(test_unknown_branch_and_not_a_repository),
	    cmocka_unit_test(test_url_kinds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
