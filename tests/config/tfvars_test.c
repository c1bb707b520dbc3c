/* tfvars: the line-based reader and the byte-exact rewrite of one assignment. */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "config/tfvars.h"

static tfvars *parse_ok(const char *text)
{
	tfvars *t = NULL;
	err e = ERR_INIT;
	int rc = tfvars_parse("x.tfvars", text, strlen(text), &t, &e);
	if (rc)
		fail_msg("parse failed: %s", e.msg);
	return t;
}

static void parse_err(const char *text, const char *want)
{
	tfvars *t = NULL;
	err e = ERR_INIT;
	int rc = tfvars_parse("x.tfvars", text, strlen(text), &t, &e);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_null(t);
	if (!strstr(e.msg, want))
		fail_msg("message %s lacks %s", e.msg, want);
}

static const char sample[] = "# migration task, us-west-2\n"
                             "region        = \"us-west-2\" # the region\n"
                             "\n"
                             "/* a block\n   comment */\n"
                             "app_version   = \"1.2.3\"\n"
                             "cpu           = 256 // line comment\n"
                             "memory=512\n"
                             "ratio = -1.5e3\n"
                             "public        = true\n"
                             "nothing       = null\n"
                             "subnets       = [\"a\", \"b\" , \"c\",] /* trailing */\n"
                             "empty         = []\n"
                             "escaped       = \"q\\\"b\\\\s\\n$${x}%%{y}\\u00e9\"\n";

static void test_reads_values(void **state)
{
	(void)state;
	tfvars *t = parse_ok(sample);
	assert_int_equal(tfvars_count(t), 10);
	const tfvars_entry *en = tfvars_get(t, "region");
	assert_int_equal(en->kind, TFVARS_STRING);
	assert_string_equal(en->value, "us-west-2");
	assert_int_equal(en->line, 2);
	en = tfvars_get(t, "app_version");
	assert_string_equal(en->value, "1.2.3");
	assert_int_equal(en->line, 6);
	en = tfvars_get(t, "cpu");
	assert_int_equal(en->kind, TFVARS_NUMBER);
	assert_string_equal(en->value, "256");
	assert_string_equal(tfvars_get(t, "memory")->value, "512");
	assert_string_equal(tfvars_get(t, "ratio")->value, "-1.5e3");
	assert_int_equal(tfvars_get(t, "public")->kind, TFVARS_BOOL);
	assert_int_equal(tfvars_get(t, "nothing")->kind, TFVARS_NULL);
	en = tfvars_get(t, "subnets");
	assert_int_equal(en->kind, TFVARS_LIST);
	assert_int_equal(en->nitems, 3);
	assert_string_equal(en->items[2], "c");
	assert_null(en->items[3]);
	assert_int_equal(tfvars_get(t, "empty")->nitems, 0);
	assert_string_equal(tfvars_get(t, "escaped")->value, "q\"b\\s\n${x}%{y}\xc3\xa9");
	assert_null(tfvars_get(t, "missing"));
	tfvars_free(t);
}

static void test_rewrite_keeps_every_other_byte(void **state)
{
	(void)state;
	tfvars *t = parse_ok(sample);
	err e = ERR_INIT;
	int changed = -1;
	assert_int_equal(tfvars_set_string(t, "app_version", "2.0.0-77", &changed, &e), 0);
	assert_int_equal(changed, 1);
	size_t len;
	const char *got = tfvars_text(t, &len);
	/* expected: sample with exactly "1.2.3" -> "2.0.0-77", nothing else */
	size_t pre = (size_t)(strstr(sample, "\"1.2.3\"") - sample);
	assert_int_equal(len, sizeof(sample) - 1 + 3);
	assert_memory_equal(got, sample, pre);
	assert_memory_equal(got + pre, "\"2.0.0-77\"", 10);
	assert_string_equal(got + pre + 10, sample + pre + 7);
	assert_string_equal(tfvars_get(t, "app_version")->value, "2.0.0-77");
	/* spans were refreshed: a second rewrite still lands on the value */
	assert_int_equal(tfvars_set_string(t, "app_version", "1.2.3", &changed, &e), 0);
	assert_int_equal(changed, 1);
	assert_string_equal(tfvars_text(t, NULL), sample);
	/* the same value again: nothing changes */
	assert_int_equal(tfvars_set_string(t, "app_version", "1.2.3", &changed, &e), 0);
	assert_int_equal(changed, 0);
	assert_string_equal(tfvars_text(t, NULL), sample);
	tfvars_free(t);
}

static void test_rewrite_non_string_and_missing(void **state)
{
	(void)state;
	tfvars *t = parse_ok("a = 1\nb = \"x\"");
	err e = ERR_INIT;
	int changed = 0;
	assert_int_equal(tfvars_set_string(t, "a", "1", &changed, &e), 0);
	assert_int_equal(changed, 1); /* number 1 becomes the string "1" */
	assert_string_equal(tfvars_text(t, NULL), "a = \"1\"\nb = \"x\"");
	assert_int_equal(tfvars_set_string(t, "c", "new", &changed, &e), 0);
	assert_int_equal(changed, 1);
	assert_string_equal(tfvars_text(t, NULL), "a = \"1\"\nb = \"x\"\nc = \"new\"\n");
	tfvars_free(t);
}

static void test_quote_round_trip(void **state)
{
	(void)state;
	const char *values[] = {
	    "plain", "with \"quotes\" and \\", "${not_a_var} %{if}", "tab\tnl\n\x01", "$$ %% $ %",
	    ""};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		tfvars *t = parse_ok("v = \"old\"\n");
		err e = ERR_INIT;
		assert_int_equal(tfvars_set_string(t, "v", values[i], NULL, &e), 0);
		tfvars *u = parse_ok(tfvars_text(t, NULL));
		assert_string_equal(tfvars_get(u, "v")->value, values[i]);
		tfvars_free(u);
		tfvars_free(t);
	}
}

static void test_rejects(void **state)
{
	(void)state;
	parse_err("a = <<EOF\nx\nEOF\n", "x.tfvars:1: a: heredoc");
	parse_err("ok = 1\nl = [\n  \"a\",\n]\n", "x.tfvars:2: l: a list must open and close");
	parse_err("m = { a = 1 }\n", "x.tfvars:1: m: maps and objects");
	parse_err("s = \"${var.x}\"\n", "x.tfvars:1: s: template interpolation");
	parse_err("s = \"%{ if x }\"\n", "template interpolation");
	parse_err("s = upper(\"x\")\n", "x.tfvars:1: s: not a constant value");
	parse_err("s = \"a\" + \"b\"\n", "x.tfvars:1: s: unexpected text after the value");
	parse_err("a = 1\n\na = 2\n", "x.tfvars:3: a is assigned twice (first on line 1");
	parse_err("blk {\n}\n", "x.tfvars:1: blk: blocks are not allowed");
	parse_err("a =\n1\n", "x.tfvars:1: a: missing value");
	parse_err("a = \"open\n", "x.tfvars:1: a: unterminated string");
	parse_err("a = \"\\q\"\n", "unknown escape");
	parse_err("a == 1\n", "expected `=`");
	parse_err("= 1\n", "x.tfvars:1: expected a `name = value`");
	parse_err("/* open\n", "unterminated /* comment");
	parse_err("a = 1 /* x\n*/\n", "must end on the same line");
	parse_err("a = 1x\n", "not a constant value");
}

static void test_load_missing_file(void **state)
{
	(void)state;
	tfvars *t = NULL;
	err e = ERR_INIT;
	assert_int_equal(tfvars_load("/nonexistent/var-files/us-west-2.tfvars", &t, &e),
	                 ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "/nonexistent/var-files/us-west-2.tfvars"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads_values),
	    cmocka_unit_test(test_rewrite_keeps_every_other_byte),
	    cmocka_unit_test(test_rewrite_non_string_and_missing),
	    cmocka_unit_test(test_quote_round_trip),
	    cmocka_unit_test(test_rejects),
	    cmocka_unit_test(test_load_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
