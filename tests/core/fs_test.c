/*
 * fs_write_atomic against a hostile directory: links planted where the temporary file
 * would go (the old name was predictable: <path>.tmp.<pid>) must neither redirect the
 * write nor turn the target into a link; a temporary file of a killed run of ours is
 * removed by the next write; the old file's mode is kept.
 */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"

static char *dir;

static char *slurp(const char *path)
{
	buf b = BUF_INIT;
	err e = ERR_INIT;
	if (fs_read_file(path, &b, &e))
		return strdup("<unreadable>");
	char *s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_planted_links_are_harmless(void **state)
{
	(void)state;
	char *readme = fs_join(dir, "README.md"), *victim = fs_join(dir, "victim.txt");
	write_text(readme, "old\n");
	write_text(victim, "precious\n");
	/* links at the names the old code used, and at a few guesses of a new one */
	const char *names[] = {"README.md.tmp.%ld", ".README.md.tmp.%ld", "README.md.tmp"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char name[64];
		snprintf(name, sizeof name, names[i], (long)getpid());
		char *link = fs_join(dir, name);
		assert_int_equal(symlink(victim, link), 0);
		free(link);
	}
	err e = ERR_INIT;
	assert_int_equal(fs_write_atomic(readme, "new\n", 4, &e), 0);
	char *v = slurp(victim), *r = slurp(readme);
	assert_string_equal(v, "precious\n");
	assert_string_equal(r, "new\n");
	struct stat st;
	assert_int_equal(lstat(readme, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	free(v), free(r), free(readme), free(victim);
}

static void test_stale_temporary_removed(void **state)
{
	(void)state;
	char *meta = fs_join(dir, "metadata.json");
	write_text(meta, "{}\n");
	chmod(meta, 0600);
	/* a temporary file of a run of ours that was killed (pid 2^22+1 is beyond pid_max's
	 * default and not running), and one of a live process (us) that must stay */
	char *stale = fs_join(dir, ".metadata.json.orc4194305.AbC123");
	char *live = xasprintf("%s/.metadata.json.orc%ld.XyZ789", dir, (long)getpid());
	write_text(stale, "half");
	write_text(live, "in use");
	err e = ERR_INIT;
	assert_int_equal(fs_write_atomic(meta, "{\"a\":1}\n", 8, &e), 0);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	struct stat st;
	assert_int_equal(stat(meta, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(live);
	free(stale), free(live), free(meta);
}

static void test_target_link_replaced_not_followed(void **state)
{
	(void)state;
	char *target = fs_join(dir, "doc.md"), *victim = fs_join(dir, "victim2.txt");
	write_text(victim, "precious\n");
	assert_int_equal(symlink(victim, target), 0);
	err e = ERR_INIT;
	assert_int_equal(fs_write_atomic(target, "doc\n", 4, &e), 0);
	char *v = slurp(victim);
	assert_string_equal(v, "precious\n");
	struct stat st;
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	free(v), free(target), free(victim);
}

static int setup(void **state)
{
	(void)state;
	err e = ERR_INIT;
	return fs_mkdtemp("fs-test", &dir, &e);
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_planted_links_are_harmless),
	    cmocka_unit_test(test_stale_temporary_removed),
	    cmocka_unit_test(test_target_link_replaced_not_followed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
