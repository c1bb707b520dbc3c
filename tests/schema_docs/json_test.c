#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "pg/catalog.h"
#include "pg/catalog_json.h"

/* catalog_json writes its document in pieces; the pieces must make exactly what cJSON
 * prints for the same tree (the document before streaming was one cJSON_Print). */

static int collect(void *ctx, const char *text, size_t len)
{
	buf_put(ctx, text, len);
	return 0;
}

static int refuse(void *ctx, const char *text, size_t len)
{
	(void)text, (void)len;
	++*(int *)ctx;
	return 7;
}

/* Two schemas, one empty; names and comments with newlines, tabs, quotes, non-ASCII. */
static void fill(catalog *c)
{
	static catalog_schema schemas[] = {{"app", "Tenant data\n\"quoted\"\ttab"},
	                                   {"empty", NULL}};
	static catalog_column cols[] = {
	    {"id", "integer", NULL, NULL, "the key", NULL, "d", NULL, "integer", NULL, 1},
	    {"naïve", "text", NULL, "'x'::text", NULL, "[\"a\", \"b\\n\"]", NULL, NULL, "text",
	     "\"C\"", 0},
	    {"n", "numeric", "12,2", NULL, NULL, NULL, NULL, "(id * 2)", "numeric(12,2)", NULL, 0},
	};
	static catalog_constraint cons[] = {
	    {"t_pkey", 'p', "PRIMARY KEY (id)", "[\"id\"]", NULL, NULL, NULL, 0, 0, 0, NULL},
	    {"t_fk", 'f', "FOREIGN KEY (n) REFERENCES t(id)", "[\"n\"]", "app", "t", "[\"id\"]",
	     'a', 'n', 1, "line\nbreak"},
	};
	static catalog_index idxs[] = {
	    {"t_n", "an index", "CREATE INDEX t_n ON app.t USING btree (n)", NULL, 0, 0}};
	static catalog_trigger trgs[] = {{"trg", "CREATE TRIGGER trg ...", NULL, 1}};
	static catalog_rel rels[3];
	rels[0] = (catalog_rel){.schema = "app",
	                        .name = "s",
	                        .kind = 'S',
	                        .seq_type = "bigint",
	                        .seq_start = "1",
	                        .seq_increment = "1",
	                        .seq_min = "1",
	                        .seq_max = "9223372036854775807",
	                        .seq_owned_by = "t.id"};
	rels[1] = (catalog_rel){.schema = "app",
	                        .name = "t",
	                        .kind = 'r',
	                        .rls = 1,
	                        .policies = "[{\"name\": \"p\", \"roles\": [\"public\"]}]",
	                        .col0 = 0,
	                        .ncols = 3,
	                        .con0 = 0,
	                        .ncons = 2,
	                        .idx0 = 0,
	                        .nidx = 1,
	                        .trg0 = 0,
	                        .ntrg = 1};
	rels[2] = (catalog_rel){.schema = "app",
	                        .name = "v",
	                        .kind = 'v',
	                        .viewdef = " SELECT 1;",
	                        .sources = "[[\"app\", \"t\"]]",
	                        .col0 = 0,
	                        .ncols = 1};
	static catalog_type types[] = {
	    {"app", "mood", NULL, 'e', "[\"sad\", \"ok\"]", NULL, NULL, NULL, 0},
	    {"app", "pos", "positive", 'd', NULL, "integer", "1", "[\"CHECK (VALUE > 0)\"]", 1},
	};
	static catalog_function funcs[] = {
	    {"app", "f", NULL, "x integer DEFAULT 1", "integer", "sql", 'f', 'i', 1},
	};
	static catalog_extension exts[] = {{"citext", "1.6", "public", "case-insensitive"}};
	*c = (catalog){schemas, 2, rels,  3, cols,  3, cons, 2, idxs, 1,
	               trgs,    1, types, 2, funcs, 1, exts, 1, 0,    NULL};
}

static void test_pieces_make_cjson_print(void **state)
{
	(void)state;
	catalog c;
	fill(&c);
	buf got = BUF_INIT;
	assert_int_equal(catalog_json(&c, collect, &got), 0);
	cJSON *tree = cJSON_Parse(buf_cstr(&got));
	assert_non_null(tree);
	char *want = cJSON_Print(tree);
	size_t n = strlen(want);
	assert_int_equal(got.len, n + 1);
	assert_memory_equal(got.ptr, want, n);
	assert_int_equal(got.ptr[n], '\n');
	/* the fields the README documents, where they belong */
	cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(tree, "schemas"), 0);
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "relations"), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(t, "name")), "t");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(t, "columns")), 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "sequences")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "enums")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "domains")), 1);
	cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(tree, "schemas"), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(e, "relations")), 0);
	free(want);
	cJSON_Delete(tree);
	buf_free(&got);
}

static void test_writer_error_stops(void **state)
{
	(void)state;
	catalog c;
	fill(&c);
	int calls = 0;
	assert_int_equal(catalog_json(&c, refuse, &calls), 7); /* the writer's error, once */
	assert_int_equal(calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pieces_make_cjson_print),
	    cmocka_unit_test(test_writer_error_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
