#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/opt.h"

/* Captures what a call writes to stdout (fd 1) or stderr (fd 2). */
typedef struct capture {
	int fd, saved;
	FILE *tmp;
} capture;

static void capture_begin(capture *c, int fd)
{
	fflush(fd == 1 ? stdout : stderr);
	c->fd = fd;
	c->tmp = tmpfile();
	assert_non_null(c->tmp);
	c->saved = dup(fd);
	dup2(fileno(c->tmp), fd);
}

static char *capture_end(capture *c)
{
	fflush(c->fd == 1 ? stdout : stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	buf b = BUF_INIT;
	char chunk[512];
	size_t n;
	rewind(c->tmp);
	while ((n = fread(chunk, 1, sizeof chunk, c->tmp)) > 0)
		buf_put(&b, chunk, n);
	fclose(c->tmp);
	return buf_detach(&b);
}

/* Every value of the table below, reset per test. */
static struct vals {
	const char *region, *config, *name;
	int dry_run, all, output;
	long timeout;
	opt_strings schemas;
	const char *placeholder_name;
} V;

static int placeholder_cb(const opt_option *o, const char *arg, err *e)
{
	(void)o;
	if (!strchr(arg, '=') || arg[0] == '=')
		return err_set(e, ORC_EUSAGE, "--placeholder takes NAME=VALUE, not '%s'", arg);
	V.placeholder_name = arg;
	return 0;
}

static const char *const usage[] = {"orchestrator demo --region R [options] [NAME...]",
                                    "orchestrator demo --all", NULL};

static int parse(int argc, char **argv, int *rc)
{
	const opt_option options[] = {
	    OPT_REGION(&V.region, "AWS region"),
	    OPT_CONFIG(&V.config),
	    OPT_BOOL('n', "dry-run", &V.dry_run, "print, do not send"),
	    OPT_BOOL('a', "all", &V.all, "every region"),
	    OPT_GROUP("limits:"),
	    OPT_INTEGER('t', "timeout", &V.timeout, "S", 1, 86400, "seconds\nsecond line"),
	    OPT_STRING_LIST('s', "schema", &V.schemas, "S", "repeatable"),
	    OPT_CALLBACK(0, "placeholder", NULL, "NAME=VALUE", "a value", placeholder_cb),
	    OPT_STRING(0, "request-id", &V.name, "ID", "the request"),
	    OPT_STRING(0, "requested-by", &V.name, "WHO", "who asked"),
	    OPT_OUTPUT(&V.output),
	    OPT_VERBOSE("more detail"),
	    OPT_QUIET(),
	    OPT_END(),
	};
	const opt_command cmd = {"orchestrator demo", usage, options, "Exit 0 ok, 2 usage."};
	return opt_parse(&cmd, &argc, argv, rc) ? -argc : argc;
}

static int setup(void **state)
{
	(void)state;
	opt_strings_free(&V.schemas);
	memset(&V, 0, sizeof V);
	V.config = "config.json";
	V.timeout = 3600;
	log_set_verbose(0);
	log_set_quiet(0);
	return 0;
}

static void test_long_short_bundled(void **state)
{
	(void)state;
	char *argv[] = {"demo",
	                "--region=us-west-2",
	                "first",
	                "-nt",
	                "60",
	                "-s",
	                "a",
	                "--schema",
	                "b",
	                "--json",
	                "-v",
	                "--",
	                "--not-an-option",
	                NULL};
	int argc = 13, rc = -1;
	int n = parse(argc, argv, &rc);
	assert_int_equal(n, 3);
	assert_string_equal(argv[1], "first");
	assert_string_equal(argv[2], "--not-an-option");
	assert_null(argv[3]);
	assert_string_equal(V.region, "us-west-2");
	assert_int_equal(V.dry_run, 1);
	assert_int_equal(V.timeout, 60);
	assert_int_equal(V.schemas.n, 2);
	assert_string_equal(V.schemas.v[1], "b");
	assert_int_equal(V.output, OPT_OUTPUT_JSON);
	assert_int_equal(log_is_verbose(), 1);
	assert_string_equal(V.config, "config.json");
	opt_strings_free(&V.schemas);
}

static void test_value_forms(void **state)
{
	(void)state;
	/* A value is the next word whatever it looks like, as with getopt. */
	char *argv[] = {"demo", "-rx", "--config", "-odd", "--output", "text", "--reg", "eu", NULL};
	int rc;
	assert_int_equal(parse(8, argv, &rc), 1);
	assert_string_equal(V.config, "-odd");
	assert_string_equal(V.region, "eu"); /* a unique prefix, last one wins */
	assert_int_equal(V.output, OPT_OUTPUT_TEXT);
}

/* Runs argv and returns what went to stderr; *rc gets the exit code. */
static char *stderr_of(int argc, char **argv, int *rc, int *stopped)
{
	capture c;
	capture_begin(&c, 2);
	*stopped = parse(argc, argv, rc) <= 0;
	return capture_end(&c);
}

static void assert_one_line(const char *out, const char *expect)
{
	assert_non_null(strstr(out, expect));
	const char *nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
}

static void test_unknown_option_suggests(void **state)
{
	(void)state;
	char *argv[] = {"demo", "--regoin", "x", NULL};
	int rc, stopped;
	char *said = stderr_of(3, argv, &rc, &stopped);
	assert_true(stopped);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_one_line(said, "orchestrator demo: unknown option '--regoin' (did you mean "
	                      "'--region'?); see 'orchestrator demo --help'");
	free(said);

	char *argv2[] = {"demo", "--zzzzzz", NULL};
	said = stderr_of(2, argv2, &rc, &stopped);
	assert_one_line(said, "unknown option '--zzzzzz'; see");
	assert_null(strstr(said, "did you mean"));
	free(said);

	char *argv3[] = {"demo", "-nx", NULL};
	said = stderr_of(2, argv3, &rc, &stopped);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_one_line(said, "unknown option '-x'");
	free(said);

	char *argv4[] = {"demo", "--req", "x", NULL};
	said = stderr_of(3, argv4, &rc, &stopped);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_one_line(said, "ambiguous option '--req' (could be --request-id, --requested-by)");
	free(said);
}

static void test_missing_value(void **state)
{
	(void)state;
	char *argv[] = {"demo", "--region", NULL};
	int rc, stopped;
	char *said = stderr_of(2, argv, &rc, &stopped);
	assert_true(stopped);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_one_line(said, "orchestrator demo: --region needs a value; see");
	assert_null(strstr(said, "unknown"));
	free(said);

	char *argv2[] = {"demo", "-r", NULL};
	said = stderr_of(2, argv2, &rc, &stopped);
	assert_one_line(said, "--region needs a value");
	free(said);

	char *argv3[] = {"demo", "--dry-run=yes", NULL};
	said = stderr_of(2, argv3, &rc, &stopped);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_one_line(said, "--dry-run takes no value");
	free(said);
}

static void test_integer_range_and_choice(void **state)
{
	(void)state;
	int rc, stopped;
	char *bad[] = {"0", "86401", "12abc", "", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *argv[] = {"demo", "--timeout", bad[i], NULL};
		char *said = stderr_of(3, argv, &rc, &stopped);
		assert_true(stopped);
		assert_int_equal(rc, ORC_EUSAGE);
		assert_one_line(said, "expected a whole number from 1 to 86400");
		free(said);
	}
	assert_int_equal(V.timeout, 3600);
	char *edge[] = {"demo", "--timeout", "86400", NULL};
	assert_int_equal(parse(3, edge, &rc), 1);
	assert_int_equal(V.timeout, 86400);

	char *argv[] = {"demo", "--output", "xml", NULL};
	char *said = stderr_of(3, argv, &rc, &stopped);
	assert_one_line(said, "--output 'xml': expected one of text, json");
	free(said);
}

static void test_callback(void **state)
{
	(void)state;
	int rc, stopped;
	char *ok[] = {"demo", "--placeholder", "A=b", NULL};
	assert_int_equal(parse(3, ok, &rc), 1);
	assert_string_equal(V.placeholder_name, "A=b");
	char *argv[] = {"demo", "--placeholder=nope", NULL};
	char *said = stderr_of(2, argv, &rc, &stopped);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_one_line(said, "orchestrator demo: --placeholder takes NAME=VALUE, not 'nope'; see");
	free(said);
}

static void test_help_generated(void **state)
{
	(void)state;
	char *argv[] = {"demo", "--region", "x", "-h", NULL};
	int rc = -1;
	capture c;
	capture_begin(&c, 1);
	int n = parse(4, argv, &rc);
	char *out = capture_end(&c);
	assert_true(n <= 0);
	assert_int_equal(rc, ORC_OK);
	assert_true(strncmp(out,
	                    "usage: orchestrator demo --region R [options] [NAME...]\n"
	                    "   or: orchestrator demo --all\n",
	                    strlen("usage: orchestrator demo --region R [options] [NAME...]\n"
	                           "   or: orchestrator demo --all\n")) == 0);
	assert_non_null(strstr(out, "  -r, --region R            AWS region\n"));
	assert_non_null(strstr(out, "  -c, --config PATH         config.json to read"));
	assert_non_null(strstr(out, "\nlimits:\n  -t, --timeout S           seconds\n"
	                            "                            second line\n"));
	assert_non_null(strstr(out, "      --output json|text"));
	assert_non_null(strstr(out, "  -h, --help                show this help\n"));
	assert_non_null(strstr(out, "\nExit 0 ok, 2 usage.\n"));
	free(out);

	char *argv2[] = {"demo", "--he", NULL};
	capture_begin(&c, 1);
	n = parse(2, argv2, &rc);
	out = capture_end(&c);
	assert_true(n <= 0);
	assert_int_equal(rc, ORC_OK);
	assert_non_null(strstr(out, "usage: orchestrator demo"));
	free(out);
}

static void test_quiet_drops_warnings(void **state)
{
	(void)state;
	char *argv[] = {"demo", "-q", NULL};
	int rc;
	assert_int_equal(parse(2, argv, &rc), 1);
	capture c;
	capture_begin(&c, 2);
	log_warn("a warning");
	log_error("an error");
	char *said = capture_end(&c);
	assert_string_equal(said, "error: an error\n");
	free(said);
}

static void test_suggest(void **state)
{
	(void)state;
	const char *names[] = {"create", "restore", "list", "share"};
	assert_string_equal(opt_suggest("creat", names, 4), "create");
	assert_string_equal(opt_suggest("lsit", names, 4), "list");
	assert_string_equal(opt_suggest("retsore", names, 4), "restore");
	assert_null(opt_suggest("delete", names, 4));
}

static int verb_rc;
static const char *verb_seen;

static int verb_fn(int argc, char **argv)
{
	verb_seen = argv[0];
	return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : verb_rc;
}

static void test_dispatch(void **state)
{
	(void)state;
	const opt_subcommand subs[] = {
	    {"create", verb_fn, "create one"},
	    {"restore", verb_fn, "restore one"},
	};
	verb_rc = 7;
	char *argv[] = {"snapshot", "restore", "--x", NULL};
	assert_int_equal(opt_dispatch("orchestrator snapshot", subs, 2, 3, argv), 7);
	assert_string_equal(verb_seen, "restore");

	char *argv2[] = {"snapshot", "creat", NULL};
	capture c;
	capture_begin(&c, 2);
	int rc = opt_dispatch("orchestrator snapshot", subs, 2, 2, argv2);
	char *said = capture_end(&c);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_one_line(said, "orchestrator snapshot: unknown verb 'creat' (did you mean "
	                      "'create'?); see 'orchestrator snapshot --help'");
	free(said);

	char *argv3[] = {"snapshot", "--help", NULL};
	capture_begin(&c, 1);
	rc = opt_dispatch("orchestrator snapshot", subs, 2, 2, argv3);
	char *out = capture_end(&c);
	assert_int_equal(rc, ORC_OK);
	assert_non_null(strstr(out, "  restore      restore one\n"));
	free(out);

	verb_seen = NULL;
	char *argv4[] = {"snapshot", "help", "create", NULL};
	assert_int_equal(opt_dispatch("orchestrator snapshot", subs, 2, 3, argv4), 0);
	assert_string_equal(verb_seen, "create");

	char *argv5[] = {"snapshot", NULL};
	capture_begin(&c, 2);
	rc = opt_dispatch("orchestrator snapshot", subs, 2, 1, argv5);
	said = capture_end(&c);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_non_null(strstr(said, "create"));
	free(said);
}

static void test_describe_words(void **state)
{
	(void)state;
	char *argv[] = {"demo", "--bogus", NULL};
	int rc = -1;
	buf out = BUF_INIT;
	opt_set_describe(OPT_DESCRIBE_WORDS, &out);
	int n = parse(2, argv, &rc);
	opt_set_describe(OPT_DESCRIBE_NONE, NULL);
	assert_true(n <= 0);
	assert_int_equal(rc, ORC_OK);
	assert_non_null(strstr(buf_cstr(&out), "-r --region=\tAWS region\n"));
	assert_non_null(strstr(buf_cstr(&out), "-n --dry-run\tprint, do not send\n"));
	assert_non_null(strstr(buf_cstr(&out), "-t --timeout=\tseconds\n"));
	assert_non_null(strstr(buf_cstr(&out), "--output=\tjson: one JSON document"));
	assert_non_null(strstr(buf_cstr(&out), "\n =CHOICES text json\n"));
	assert_non_null(strstr(buf_cstr(&out), "-h --help\tshow this help\n"));
	buf_free(&out);

	opt_set_describe(OPT_DESCRIBE_MAN, &out);
	parse(2, argv, &rc);
	opt_set_describe(OPT_DESCRIBE_NONE, NULL);
	assert_non_null(strstr(buf_cstr(&out), ".SS \"orchestrator demo\"\n"));
	assert_non_null(strstr(buf_cstr(&out), ".TP\n.B \\-r, \\-\\-region R\nAWS region\n"));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_long_short_bundled, setup),
	    cmocka_unit_test_setup(test_value_forms, setup),
	    cmocka_unit_test_setup(test_unknown_option_suggests, setup),
	    cmocka_unit_test_setup(test_missing_value, setup),
	    cmocka_unit_test_setup(test_integer_range_and_choice, setup),
	    cmocka_unit_test_setup(test_callback, setup),
	    cmocka_unit_test_setup(test_help_generated, setup),
	    cmocka_unit_test_setup(test_quiet_drops_warnings, setup),
	    cmocka_unit_test_setup(test_suggest, setup),
	    cmocka_unit_test_setup(test_dispatch, setup),
	    cmocka_unit_test_setup(test_describe_words, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
