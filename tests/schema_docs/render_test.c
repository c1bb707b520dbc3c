#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "docs/readme.h"
#include "pg/markdown.h"

static char *text(void (*fn)(buf *, const char *), const char *in)
{
	buf b = BUF_INIT;
	fn(&b, in);
	return buf_detach(&b);
}

static void expect(void (*fn)(buf *, const char *), const char *in, const char *want)
{
	char *got = text(fn, in);
	assert_string_equal(got, want);
	free(got);
}

static void test_text_escapes(void **state)
{
	(void)state;
	expect(markdown_text, "a|b", "a\\|b");
	expect(markdown_text, "<b>&", "&lt;b&gt;&amp;");
	expect(markdown_text, "x\ny\r\nz", "x<br>y<br>z");
	expect(markdown_text, "`code` *em*", "\\`code\\` \\*em\\*");
	expect(markdown_text, "film_id _lead trail_", "film_id \\_lead trail\\_");
	expect(markdown_text, "# not a heading # x", "\\# not a heading # x");
	expect(markdown_text, "naïve_été", "naïve_été");
	expect(markdown_text, "- not a list - x", "\\- not a list - x");
	expect(markdown_text, "$x$ [l](u) ~s~ \\", "\\$x\\$ \\[l\\](u) \\~s\\~ \\\\");
}

static void test_code_spans(void **state)
{
	(void)state;
	expect(markdown_code, "now()", "`now()`");
	expect(markdown_code, "'a|b'", "`'a\\|b'`");
	expect(markdown_code, "a`b", "``a`b``");
	expect(markdown_code, "`x", "`` `x ``");
	expect(markdown_code, "line1\nline2", "`line1 line2`");
	expect(markdown_code, "", "");
}

static void test_mermaid_ids(void **state)
{
	(void)state;
	expect(markdown_mermaid_id, "order items", "order_items");
	expect(markdown_mermaid_id, "naïve|t", "na_ve_t");
	expect(markdown_mermaid_id, "1st", "_1st");
}

static void check_values(const char *def, int ok, const char *want)
{
	buf b = BUF_INIT;
	buf_puts(&b, "");
	assert_int_equal(markdown_check_values(&b, def), ok);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void test_check_values(void **state)
{
	(void)state;
	check_values("CHECK (tier = ANY (ARRAY['standard'::text, 'pre''mium'::text]))", 1,
	             "standard, pre'mium");
	check_values("CHECK (((c)::text = ANY ((ARRAY['a|b'::character varying, 'c'::character "
	             "varying])::text[])))",
	             1, "a\\|b, c");
	check_values("CHECK (n = ANY (ARRAY[1, 2, 3]))", 1, "1, 2, 3");
	check_values("CHECK (n >= 0)", 0, "");
	check_values("CHECK (n = ANY (ARRAY[1, 2]) OR n IS NULL)", 0, "");
	check_values("CHECK (n <> ALL (ARRAY[1, 2]))", 0, "");
}

static char *splice(const char *in, const char *body, int *rc)
{
	buf out = BUF_INIT;
	err e = ERR_INIT;
	*rc = readme_splice("README.md", in, strlen(in), body, &out, &e);
	return buf_detach(&out);
}

static void test_splice(void **state)
{
	(void)state;
	int rc;
	char *s = splice("Intro", "BODY\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "Intro\n\n# Database Documentation\n\nBODY\n");
	char *again = splice(s, "BODY\n", &rc);
	assert_string_equal(again, s); /* idempotent */
	free(again);
	free(s);

	s = splice("", "BODY\n", &rc);
	assert_string_equal(s, "# Database Documentation\n\nBODY\n");
	free(s);

	s = splice("A\n# Database Documentation\nold\n", "NEW\n", &rc);
	assert_string_equal(s, "A\n# Database Documentation\n\nNEW\n");
	free(s);

	s = splice("```\n# Database Documentation\n```\ntail\n", "B\n", &rc);
	assert_string_equal(s, "```\n# Database Documentation\n```\ntail\n\n"
	                       "# Database Documentation\n\nB\n");
	free(s);

	s = splice("a\n<!-- schema-docs:start -->\nold\n<!-- schema-docs:end -->\nz\n", "B\n", &rc);
	assert_string_equal(s,
	                    "a\n<!-- schema-docs:start -->\n\nB\n\n<!-- schema-docs:end -->\nz\n");
	char *twice = splice(s, "B\n", &rc);
	assert_string_equal(twice, s);
	free(twice);
	free(s);

	s = splice("a\n<!-- schema-docs:start -->\nno end\n", "B\n", &rc);
	assert_int_equal(rc, ORC_EUSAGE);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_escapes), cmocka_unit_test(test_code_spans),
	    cmocka_unit_test(test_mermaid_ids),  cmocka_unit_test(test_check_values),
	    cmocka_unit_test(test_splice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
