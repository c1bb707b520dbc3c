/* flyway_toml: the strict TOML subset (values, escapes, arrays, refusals with file:line)
 * and the environment applied as flyway.conf keys. */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/flyway_toml.h"

/* Writes text to a temporary file; its path (heap). */
static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/flyway_toml_test.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void load_ok(const char *text, flyway_toml *t)
{
	char *path = write_tmp(text);
	err e = ERR_INIT;
	int rc = flyway_toml_load(t, path, &e);
	unlink(path);
	free(path);
	if (rc)
		fail_msg("load failed: %s", e.msg);
}

static void load_err(const char *text, const char *want)
{
	flyway_toml t = {0};
	char *path = write_tmp(text);
	err e = ERR_INIT;
	int rc = flyway_toml_load(&t, path, &e);
	unlink(path);
	assert_int_equal(rc, ORC_EUSAGE);
	if (!strstr(e.msg, want) || !strstr(e.msg, path))
		fail_msg("message '%s' lacks '%s' or the file's name", e.msg, want);
	free(path);
	flyway_toml_free(&t);
}

static void test_values(void **state)
{
	(void)state;
	flyway_toml t = {0};
	load_ok("\xEF\xBB\xBF# a comment after a byte order mark\r\n"
	        "id = \"desktop-project\"\r\n"
	        "[ environments . dev ]   # spaces around the dots\r\n"
	        "url = \"jdbc:postgresql://h/db?a=1&b=\\\"2\\\"\"\n"
	        "password = 'C:\\no\\escapes'\n"
	        "user = \"from-toml\"\n"
	        "schemas = [ \"a\" , # first\n"
	        "  'b',\n"
	        "]\n"
	        "[flyway]\n"
	        "baselineVersion = 1_000\n"
	        "outOfOrder = true\n"
	        "installedBy = \"tab\\there \\u00e9 \\U0001F600\"\n"
	        "placeholders.\"my key\" = \"v\"\n"
	        "[flyway.placeholders]\n"
	        "neg = -5\n",
	        &t);
	assert_string_equal(flyway_toml_get(&t, "environments.dev.url"),
	                    "jdbc:postgresql://h/db?a=1&b=\"2\"");
	assert_string_equal(flyway_toml_get(&t, "environments.dev.password"), "C:\\no\\escapes");
	assert_string_equal(flyway_toml_get(&t, "environments.dev.schemas"), "a,b");
	assert_string_equal(flyway_toml_get(&t, "flyway.baselineVersion"), "1000");
	assert_string_equal(flyway_toml_get(&t, "flyway.outOfOrder"), "true");
	assert_string_equal(flyway_toml_get(&t, "flyway.installedBy"),
	                    "tab\there \xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(flyway_toml_get(&t, "flyway.placeholders.my key"), "v");
	assert_string_equal(flyway_toml_get(&t, "flyway.placeholders.neg"), "-5");
	assert_null(flyway_toml_get(&t, "id")); /* Flyway Desktop's, left alone */

	/* the environment as flyway.conf keys; a key the conf already holds wins */
	flyway_conf c = {0};
	flyway_conf_set(&c, "flyway.user", "from-conf");
	err e = ERR_INIT;
	assert_int_equal(flyway_toml_apply(&t, "dev", &c, &e), 0);
	assert_string_equal(flyway_conf_get(&c, "flyway.url"),
	                    "jdbc:postgresql://h/db?a=1&b=\"2\"");
	assert_string_equal(flyway_conf_get(&c, "flyway.schemas"), "a,b");
	assert_string_equal(flyway_conf_get(&c, "flyway.user"), "from-conf");
	assert_string_equal(flyway_conf_get(&c, "flyway.placeholders.neg"), "-5");
	flyway_conf_free(&c);
	assert_int_equal(flyway_toml_apply(&t, "Dev", &c, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "did you mean 'dev'"));
	flyway_conf_free(&c);
	assert_int_equal(flyway_toml_apply(&t, "default", &c, &e), 0); /* need not exist */
	flyway_conf_free(&c);
	flyway_toml_free(&t);
}

static void test_refusals(void **state)
{
	(void)state;
	load_err("[flyway]\ntable = 01\n", ":2: not a value read here");
	load_err("[flyway]\ntarget = 2024-01-01\n", ":2: not a value read here");
	load_err("[flyway]\ntable = \"open\n", ":2: string not closed");
	load_err("[flyway]\ntable = \"a\\qb\"\n", ":2: unknown escape");
	load_err("[flyway]\ntable = \"\\u12\"\n", ":2: \\u takes 4 hex digits");
	load_err("[flyway]\ntable\n", ":2: expected = after the key");
	load_err("[flyway]\ntable =\n", ":2: expected a value");
	load_err("[flyway]\n\n[flyway]\n", ":3: table [flyway] is defined twice");
	load_err("flyway.table = \"a\"\n[flyway]\ntable = \"b\"\n",
	         ":3: 'flyway.table' is already set");
	load_err("[flyway]\nlocations = [[\"a\"]]\n", ":2: nested arrays");
	load_err("[flyawy]\ntable = \"a\"\n", "did you mean 'flyway.table'");
	load_err("[environments]\nurl = \"x\"\n", ":2: a setting of an environment goes in");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
