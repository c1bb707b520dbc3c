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
	expect(markdown_text, "ops@example.com, mailto:a@b.c",
	       "ops<!-- -->@example.com, mailto:a<!-- -->@b.c");
	expect(markdown_text, "@start", "@start");
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

static void mermaid_word(buf *b, const char *s)
{
	markdown_mermaid_word(b, s, 0);
}

static void mermaid_type(buf *b, const char *s)
{
	markdown_mermaid_word(b, s, 1);
}

static void anchor(buf *b, const char *s)
{
	markdown_anchor(b, "public", s);
}

static void test_mermaid_names(void **state)
{
	(void)state;
	/* Entities are quoted; what the quotes cannot hold becomes an entity code. */
	expect(markdown_mermaid_entity, "class", "\"class\"");
	expect(markdown_mermaid_entity, "a-b", "\"a-b\"");
	expect(markdown_mermaid_entity, "a\"b%c#d.e\\f", "\"a#34;b#37;c#35;d#46;e#92;f\"");
	expect(markdown_mermaid_entity, "x\ry\nz", "\"x#13;y#10;z\"");
	/* Attribute names: one word, never a key keyword, never a leading digit. */
	expect(mermaid_word, "order items", "order_items");
	expect(mermaid_word, "naïve|t", "naïve_t");
	expect(mermaid_word, "1st", "_1st");
	expect(mermaid_word, "pk", "_pk");
	expect(mermaid_word, "FK", "_FK");
	expect(mermaid_word, "uk-x", "_uk_x");
	expect(mermaid_word, "pk_id", "pk_id");
	expect(mermaid_word, "µ", "_");
	expect(mermaid_type, "integer[]", "integer[]");
	expect(mermaid_type, "timestamp with time zone", "timestamp_with_time_zone");
	expect(markdown_mermaid_string, "a\"b\r\nc", "\"a'b  c\"");
}

static void test_anchors(void **state)
{
	(void)state;
	expect(anchor, "film_actor", "public.film_actor");
	expect(anchor, "Film", "public.-46ilm");
	expect(anchor, "a.b", "public.a-2eb");
	expect(anchor, "a-b", "public.a-2db");
}

static void test_text_blocks(void **state)
{
	(void)state;
	expect(markdown_paragraph, "    code", "&#32;code");
	expect(markdown_paragraph, "1. item", "1\\. item");
	expect(markdown_paragraph, "12) item", "12\\) item");
	expect(markdown_text, "1.0", "1.0");
	expect(markdown_text, "see http://x.y and www.x.y", "see http\\://x.y and www\\.x.y");
	expect(markdown_text, "a\rb", "a<br>b");
	expect(markdown_text,
	       "a\x01"
	       "b",
	       "a&#65533;b");
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

	/* An unclosed fence above: closed before the heading, then found again next time. */
	s = splice("Intro\n```sh\nmake\n", "B\n", &rc);
	assert_string_equal(s, "Intro\n```sh\nmake\n\n```\n\n# Database Documentation\n\nB\n");
	twice = splice(s, "B\n", &rc);
	assert_string_equal(twice, s);
	free(twice);
	free(s);
	/* A README already holding sections appended inside the open fence: the first counts. */
	s = splice("````\nx\n# Database Documentation\n\nA\n# Database Documentation\n\nA\n", "B\n",
	           &rc);
	assert_string_equal(s, "````\nx\n````\n\n# Database Documentation\n\nB\n");
	twice = splice(s, "B\n", &rc);
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
	    cmocka_unit_test(test_text_escapes),  cmocka_unit_test(test_code_spans),
	    cmocka_unit_test(test_mermaid_names), cmocka_unit_test(test_anchors),
	    cmocka_unit_test(test_text_blocks),   cmocka_unit_test(test_check_values),
	    cmocka_unit_test(test_splice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
