/* metadata.json: read, update keeping every other key, stable text, no rewrite when
 * nothing changes. Real files in a temporary directory. */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "snapshot/metadata.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	err e = ERR_INIT;
	return fs_mkdtemp("metadata-test", &dir, &e);
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(dir);
	free(dir);
	return 0;
}

static char *read_all(const char *path)
{
	buf b = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(fs_read_file(path, &b, &e), 0);
	return buf_detach(&b);
}

static void write_all(const char *path, const char *text)
{
	err e = ERR_INIT;
	assert_int_equal(fs_write_atomic(path, text, strlen(text), &e), 0);
}

static void test_created_when_missing(void **state)
{
	(void)state;
	char *path = fs_join(dir, "new.json");
	err e = ERR_INIT;
	char *id = (char *)1;
	assert_int_equal(metadata_get_snapshot(path, "us-west-2", &id, &e), 0);
	assert_null(id);
	int changed = 0;
	assert_int_equal(metadata_set_snapshot(path, "us-west-2", "db-snapshot-1", &changed, &e),
	                 0);
	assert_int_equal(changed, 1);
	char *text = read_all(path);
	assert_string_equal(text,
	                    "{\n  \"us-west-2\": {\n    \"snapshot\": \"db-snapshot-1\"\n  }\n}\n");
	free(text);
	assert_int_equal(metadata_get_snapshot(path, "us-west-2", &id, &e), 0);
	assert_string_equal(id, "db-snapshot-1");
	free(id);
	free(path);
}

static void test_other_keys_kept_in_order(void **state)
{
	(void)state;
	char *path = fs_join(dir, "keep.json");
	write_all(path, "{\"eu-west-1\":{\"snapshot\":\"eu-1\",\"note\":\"x\\ty\"},"
	                "\"us-west-2\":{\"owner\":\"ops\",\"snapshot\":\"old\",\"list\":[1,2.5,"
	                "{}],\"e\":[]},\"top\":true}");
	err e = ERR_INIT;
	int changed = 0;
	assert_int_equal(metadata_set_snapshot(path, "us-west-2", "new", &changed, &e), 0);
	assert_int_equal(changed, 1);
	char *text = read_all(path);
	assert_string_equal(text, "{\n"
	                          "  \"eu-west-1\": {\n"
	                          "    \"snapshot\": \"eu-1\",\n"
	                          "    \"note\": \"x\\ty\"\n"
	                          "  },\n"
	                          "  \"us-west-2\": {\n"
	                          "    \"owner\": \"ops\",\n"
	                          "    \"snapshot\": \"new\",\n"
	                          "    \"list\": [\n"
	                          "      1,\n"
	                          "      2.5,\n"
	                          "      {}\n"
	                          "    ],\n"
	                          "    \"e\": []\n"
	                          "  },\n"
	                          "  \"top\": true\n"
	                          "}\n");
	/* The same value again: the bytes stay, changed says so. */
	assert_int_equal(metadata_set_snapshot(path, "us-west-2", "new", &changed, &e), 0);
	assert_int_equal(changed, 0);
	char *again = read_all(path);
	assert_string_equal(text, again);
	free(again);
	free(text);
	/* A new region is appended. */
	assert_int_equal(metadata_set_snapshot(path, "ap-south-1", "ap", &changed, &e), 0);
	text = read_all(path);
	assert_non_null(strstr(
	    text, "  \"top\": true,\n  \"ap-south-1\": {\n    \"snapshot\": \"ap\"\n  }\n}\n"));
	free(text);
	free(path);
}

static void test_bad_files_named(void **state)
{
	(void)state;
	char *path = fs_join(dir, "bad.json");
	err e = ERR_INIT;
	char *id = NULL;
	write_all(path, "{\"us-west-2\": ");
	assert_int_equal(metadata_get_snapshot(path, "us-west-2", &id, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "bad.json: invalid JSON"));
	write_all(path, "[1]");
	err_clear(&e);
	assert_int_equal(metadata_set_snapshot(path, "us-west-2", "x", NULL, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "expected an object keyed by region"));
	write_all(path, "{\"us-west-2\": \"snap\"}");
	err_clear(&e);
	assert_int_equal(metadata_get_snapshot(path, "us-west-2", &id, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "\"us-west-2\" is not an object"));
	/* The failed update left the file as it was. */
	char *text = read_all(path);
	assert_string_equal(text, "{\"us-west-2\": \"snap\"}");
	free(text);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_created_when_missing),
	    cmocka_unit_test(test_other_keys_kept_in_order),
	    cmocka_unit_test(test_bad_files_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
