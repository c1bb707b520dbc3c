/* Unit tests for the engine's pure parts: versions, checksums, placeholders, splitting. */
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/err.h"
#include "pg/checksum.h"
#include "pg/jdbc.h"
#include "pg/placeholder.h"
#include "pg/sqlsplit.h"
#include "pg/version.h"

static void test_version_order(void **state)
{
	(void)state;
	assert_true(version_cmp("1", "1.0") == 0);
	assert_true(version_cmp("1.0.0", "1") == 0);
	assert_true(version_cmp("1_2", "1.2") == 0);
	assert_true(version_cmp("1.9", "1.10") < 0);
	assert_true(version_cmp("2", "10") < 0);
	assert_true(version_cmp("1.01", "1.1") == 0);
	assert_true(version_cmp("1.0.1", "1") > 0);
	assert_true(
	    version_cmp("123456789012345678901234567890", "123456789012345678901234567891") < 0);
	assert_true(version_cmp("1a.2", "1.2") == 0); /* hand-written rows never loop */
	/* the one-pass comparison: first differing digit, lengths, zeros, antisymmetry */
	assert_true(version_cmp("19", "21") < 0 && version_cmp("21", "19") > 0);
	assert_true(version_cmp("100", "99") > 0 && version_cmp("99", "100") < 0);
	assert_true(version_cmp("007", "7") == 0 && version_cmp("0", "") == 0);
	assert_true(version_cmp("1.2.3", "1.2.10") < 0 && version_cmp("1.10", "1.9.9") > 0);
	assert_true(version_cmp("2.0.0.1", "2") > 0 && version_cmp("", "0.0.1") < 0);
	assert_true(version_valid("1.0_2", 5));
	assert_false(version_valid("1..2", 4));
	assert_false(version_valid("1.", 2));
	assert_false(version_valid("a1", 2));
	char *d = version_display("1_0_2", 5);
	assert_string_equal(d, "1.0.2");
	free(d);
}

static void test_checksum_lines(void **state)
{
	(void)state;
	/* CRC-32 of the lines without terminators: "ab" + "cd". */
	int32_t want =
	    (int32_t)(uint32_t)crc32(crc32(0, (const Bytef *)"ab", 2), (const Bytef *)"cd", 2);
	assert_int_equal(checksum_flyway("ab\ncd\n", 6), want);
	assert_int_equal(checksum_flyway("ab\r\ncd", 6), want);
	assert_int_equal(checksum_flyway("ab\rcd\r", 6), want);
	assert_int_equal(checksum_flyway("\xEF\xBB\xBF"
	                                 "ab\n\ncd",
	                                 9),
	                 want);
	assert_int_equal(checksum_flyway("", 0), 0);
	/* A known value: CRC-32 of "123456789" is 0xCBF43926, stored signed. */
	assert_int_equal(checksum_flyway("123456789\n", 10), (int32_t)0xCBF43926u);
}

static void test_placeholders(void **state)
{
	(void)state;
	placeholder_set s = {0};
	placeholder_set_put(&s, "database_name", "db1");
	buf out = BUF_INIT;
	err e = ERR_INIT;
	const char *t = "GRANT ON ${DATABASE_NAME} -- ${flyway:filename}\n$x${ not} ${}";
	assert_int_equal(placeholder_apply(&s, "sql/V1__a.sql", t, strlen(t), &out, &e), 0);
	assert_string_equal(buf_cstr(&out), "GRANT ON db1 -- V1__a.sql\n$x${ not} ${}");
	buf_clear(&out);
	const char *u = "a\nb\nc ${missing}";
	assert_int_equal(placeholder_apply(&s, "sql/V2__b.sql", u, strlen(u), &out, &e),
	                 ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "sql/V2__b.sql:3"));
	assert_non_null(strstr(e.msg, "${missing}"));
	buf_free(&out);
	placeholder_set_free(&s);
}

static void split_is(const char *sql, size_t want_n, const char *const *want, const int *lines)
{
	sql_stmt *st = NULL;
	size_t n = sqlsplit(sql, strlen(sql), &st);
	assert_int_equal(n, want_n);
	for (size_t i = 0; i < n; i++) {
		char *s = xstrndup(sql + st[i].off, st[i].len);
		assert_string_equal(s, want[i]);
		assert_int_equal(st[i].line, lines[i]);
		free(s);
	}
	free(st);
}

static void test_split(void **state)
{
	(void)state;
	const char *a[] = {"select ';' as \"a;b\"", "select $$ ; $$", "select $f$ $$; $f$",
	                   "select E'\\'; '", "select 1 /* ; /* ; */ ; */"};
	int la[] = {1, 2, 3, 4, 5};
	split_is("select ';' as \"a;b\";\nselect $$ ; $$;\nselect $f$ $$; $f$;\nselect E'\\'; ';\n"
	         "select 1 /* ; /* ; */ ; */; -- trailing ; comment\n",
	         5, a, la);
	const char *b[] = {
	    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN "
	    "true THEN 1 END; SELECT 2; END",
	    "select $1"};
	int lb[] = {2, 3};
	split_is("-- header\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE "
	         "WHEN true THEN 1 END; SELECT 2; END;\r\nselect $1",
	         2, b, lb);
	split_is("-- only a comment\n;;\n", 0, NULL, NULL);
	const char *c[] = {"COPY t (a) FROM stdin", "select 2"};
	int lc[] = {1, 5};
	const char *cs = "COPY t (a) FROM stdin;\n1;x\n'2\n\\.\nselect 2;";
	split_is(cs, 2, c, lc);
	sql_stmt *st = NULL;
	assert_int_equal(sqlsplit(cs, strlen(cs), &st), 2);
	assert_true(st[0].copy);
	assert_int_equal(st[0].copy_len, 7);
	assert_memory_equal(cs + st[0].copy_off, "1;x\n'2\n", 7);
	free(st);
}

static void test_no_transaction(void **state)
{
	(void)state;
	const char *what = NULL;
	const char *yes[] = {"create unique index concurrently i on t (a)",
	                     "/* x */ CREATE INDEX CONCURRENTLY i ON t (a)",
	                     "VACUUM ANALYZE t",
	                     "alter system set work_mem = '1MB'",
	                     "drop database x",
	                     "REINDEX TABLE CONCURRENTLY t"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		assert_true(sqlsplit_no_transaction(yes[i], strlen(yes[i]), 150000, &what));
	const char *no[] = {"create index i on t (a)", "select 'vacuum'", "-- VACUUM\nselect 1",
	                    "alter type e add value 'x'"};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		assert_false(sqlsplit_no_transaction(no[i], strlen(no[i]), 150000, &what));
	assert_true(sqlsplit_no_transaction(no[3], strlen(no[3]), 110000, &what));
}

/* pgjdbc URLs become libpq URIs: renamed parameters, libpq's own kept, others refused. */
static void test_jdbc(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(jdbc_to_libpq("jdbc:postgresql://db.example:5433/app?user=u&ssl=true&"
	                               "currentSchema=s1&connectTimeout=5",
	                               &b, &e),
	                 0);
	assert_string_equal(buf_cstr(&b), "postgresql://db.example:5433/app?user=u&sslmode=verify-"
	                                  "full&options=-csearch_path%3ds1&connect_timeout=5");
	buf_clear(&b);
	assert_int_equal(jdbc_to_libpq("jdbc:postgresql://h/db?sslmode=require&ssl=false", &b, &e),
	                 0);
	assert_string_equal(buf_cstr(&b), "postgresql://h/db?sslmode=require");
	assert_int_equal(jdbc_to_libpq("jdbc:postgresql://h/db?prepareThreshold=0", &b, &e),
	                 ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "'prepareThreshold'"));
	assert_int_equal(jdbc_to_libpq("jdbc:mysql://h/db", &b, &e), ORC_EUSAGE);
	assert_true(jdbc_is_url("jdbc:postgresql://h/db"));
	assert_false(jdbc_is_url("postgresql://h/db"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version_order),  cmocka_unit_test(test_checksum_lines),
	    cmocka_unit_test(test_placeholders),   cmocka_unit_test(test_split),
	    cmocka_unit_test(test_no_transaction), cmocka_unit_test(test_jdbc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
