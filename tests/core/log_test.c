/*
 * log: no name or value from outside can start a GitHub workflow command line or put a
 * control character on the terminal; $GITHUB_OUTPUT values cannot write other outputs.
 * stdout and stderr are redirected to files and read back.
 */
#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fs.h"
#include "core/log.h"

static char *dir;

/* Runs fn with stdout and stderr going to a file; returns what they got, stdout first. */
static char *capture(void (*fn)(void))
{
	char *path = fs_join(dir, "out");
	fflush(stdout), fflush(stderr);
	int saved_out = dup(1), saved_err = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1), dup2(fd, 2);
	close(fd);
	fn();
	fflush(stdout), fflush(stderr);
	dup2(saved_out, 1), dup2(saved_err, 2);
	close(saved_out), close(saved_err);
	buf b = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(fs_read_file(path, &b, &e), 0);
	free(path);
	char *s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* Whether any line of s starts (after blanks) with "::". */
static int has_command_line(const char *s)
{
	for (const char *p = s; p && *p;) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "::", 2) == 0)
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static const char *hostile = "V1__a\n::add-mask::x\r::error::injected\x1b[2J\n \t ::warning::w";

static void print_hostile(void)
{
	log_info("applied %s (12 ms)", hostile);
	log_warn("skipped %s", hostile);
	log_error("failed %s", hostile);
	log_verbose("%s", hostile);
}

static void test_plain_output_is_escaped(void **state)
{
	(void)state;
	unsetenv("GITHUB_ACTIONS");
	log_init();
	log_set_verbose(1);
	char *got = capture(print_hostile);
	assert_false(has_command_line(got));
	assert_null(strchr(got, '\r'));
	assert_null(strchr(got, '\x1b'));
	assert_non_null(
	    strstr(got, "applied V1__a\n\\x3a:add-mask::x\\r::error::injected\\x1b[2J"));
	assert_non_null(strstr(got, "\n \t \\x3a:warning::w"));
	free(got);
	log_set_verbose(0);
}

static void actions_commands(void)
{
	print_hostile();
	log_group_begin("group\n::error::g");
	log_group_end();
	log_add_secret("s3cret\n::error::m");
	log_info("value s3cret\n::error::m here");
}

static void test_actions_only_our_commands(void **state)
{
	(void)state;
	setenv("GITHUB_ACTIONS", "true", 1);
	log_init();
	char *got = capture(actions_commands);
	/* every line starting with "::" is one we meant to send, its data escaped */
	int n = 0;
	for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "::", 2) != 0)
			continue;
		n++;
		assert_true(strncmp(line, "::warning::skipped V1__a%0A::add-mask::x%0D", 43) == 0 ||
		            strncmp(line, "::error::failed V1__a%0A", 24) == 0 ||
		            strcmp(line, "::group::group%0A::error::g") == 0 ||
		            strcmp(line, "::endgroup::") == 0 ||
		            strcmp(line, "::add-mask::s3cret%0A::error::m") == 0);
	}
	assert_int_equal(n, 5);
	free(got);
	log_shutdown();
	unsetenv("GITHUB_ACTIONS");
	log_init();
}

static void print_names_with_newlines(void)
{
	log_warn("%s: looks like a migration but is not; skipped", "V1__a\n::add-mask::x.sql");
	log_error("table %s: failed", "orders\n  ::stop-commands::tok");
	log_info("applied %s (3 ms)", "V2__b\nc ##[add-mask]y.sql");
	log_verbose("%s", "x##[error]y");
}

/* A name holding a newline: the rest of a warning or error stays on an indented line
 * under it (readable as the same message), and no line starts a command, whether "::" at
 * its start or the runner's older "##[command]" anywhere in it. */
static void test_newline_in_a_name(void **state)
{
	(void)state;
	unsetenv("GITHUB_ACTIONS");
	setenv("NO_COLOR", "1", 1);
	log_init();
	log_set_verbose(1);
	char *got = capture(print_names_with_newlines);
	assert_false(has_command_line(got));
	assert_null(strstr(got, "##["));
	assert_non_null(strstr(got, "warning: V1__a\n         \\x3a:add-mask::x.sql: looks like"));
	assert_non_null(
	    strstr(got, "error: table orders\n         \\x3a:stop-commands::tok: failed"));
	assert_non_null(strstr(got, "applied V2__b\nc ##\\u005badd-mask]y.sql (3 ms)"));
	assert_non_null(strstr(got, "x##\\u005berror]y"));
	free(got);
	log_set_verbose(0);
	unsetenv("NO_COLOR");
}

static void print_texts(void)
{
	log_add_secret("hunter22");
	log_text(0, "| table | rows |\n|---|---|\n| ::add-mask::x | 1 |\n:: stop\n");
	log_text(1, "    \t::stop-commands::t\n    ^\n{\"name\": \"a##[error]b hunter22\"}\n");
}

/* log_text (tables, JSON, diffs, source lines): lines kept, each made safe, redacted, and
 * JSON stays JSON ("##[" becomes "##\u005b", which reads back as "##["). */
static void test_log_text(void **state)
{
	(void)state;
	unsetenv("GITHUB_ACTIONS"); /* log_text is the same inside Actions */
	log_init();
	char *got = capture(print_texts);
	assert_false(has_command_line(got));
	assert_null(strstr(got, "##["));
	assert_null(strstr(got, "hunter22"));
	assert_non_null(
	    strstr(got, "| table | rows |\n|---|---|\n| ::add-mask::x | 1 |\n\\x3a: stop\n"));
	assert_non_null(strstr(got, "    \t\\x3a:stop-commands::t\n    ^\n"));
	assert_non_null(strstr(got, "{\"name\": \"a##\\u005berror]b ***\"}\n"));
	free(got);
	log_shutdown();
}

static void test_output_delimiter_is_random(void **state)
{
	(void)state;
	char *out = fs_join(dir, "gh-output");
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_OUTPUT", out, 1);
	log_init();
	buf v = BUF_INIT;
	buf_printf(&v, "line1\nORCHESTRATOR_EOF_%ld\ninjected=1\r\nx", (long)getpid());
	assert_int_equal(log_gha_output("notes", buf_cstr(&v)), 0);
	assert_int_equal(log_gha_output("cr", "a\rinjected=2"), 0);
	assert_int_equal(log_gha_output("bad\nname", "x"), ORC_EFAIL);
	assert_int_equal(log_gha_output("a=b", "x"), ORC_EFAIL);
	buf b = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(fs_read_file(out, &b, &e), 0);
	/* parse it as the runner does: name=value, or name<<DELIM ... DELIM */
	char *text = strdup(buf_cstr(&b)), *save = NULL;
	int outputs = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *lt = strstr(line, "<<");
		assert_true(lt != NULL || strchr(line, '=') != NULL);
		outputs++;
		if (lt) {
			const char *delim = lt + 2;
			assert_true(strlen(delim) > 30);
			char *l;
			while ((l = strtok_r(NULL, "\n", &save)) && strcmp(l, delim) != 0)
				assert_true(strcmp(l, "injected=1\r") == 0 ||
				            strncmp(l, "line1", 5) == 0 ||
				            strncmp(l, "ORCHESTRATOR_EOF_", 17) == 0 ||
				            strcmp(l, "x") == 0 || strcmp(l, "a\rinjected=2") == 0);
			assert_non_null(l);
		}
	}
	assert_int_equal(outputs, 2);
	free(text);
	buf_free(&b);
	buf_free(&v);
	free(out);
	unsetenv("GITHUB_OUTPUT");
	unsetenv("GITHUB_ACTIONS");
	log_init();
}

static int setup(void **state)
{
	(void)state;
	err e = ERR_INIT;
	return fs_mkdtemp("log-test", &dir, &e);
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
	    cmocka_unit_test(test_plain_output_is_escaped),
	    cmocka_unit_test(test_actions_only_our_commands),
	    cmocka_unit_test(test_newline_in_a_name),
	    cmocka_unit_test(test_log_text),
	    cmocka_unit_test(test_output_delimiter_is_random),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
