#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pg/parse.h"
#include "pg/sqlsplit.h"

static char *text_of(const char *sql, const parse_stmt *st)
{
	return xstrndup(sql + st->off, st->len);
}

static void test_script(void **state)
{
	(void)state;
	const char *sql = "\xEF\xBB\xBF-- header\nCREATE TABLE t (id int);\n\n"
	                  "/* a /* nested */ comment */ CREATE RULE r AS ON INSERT TO t DO ALSO "
	                  "(SELECT 1; SELECT 2);\r\nSELECT 'é;' AS \"x;\"";
	parse_script s;
	parse_script_text(sql, strlen(sql), &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(parse_script_errors(&s), 0);
	char *a = text_of(sql, &s.v[0]);
	assert_string_equal(a, "CREATE TABLE t (id int)");
	assert_int_equal(s.v[0].line, 2);
	assert_string_equal(s.v[0].kind, "CreateStmt");
	assert_string_equal(parse_str(parse_fields(s.v[0].node), "relation.relname"), "t");
	/* The parser, not a ';', ends the rule. */
	assert_string_equal(s.v[1].kind, "RuleStmt");
	assert_int_equal(s.v[1].line, 4);
	assert_int_equal(s.v[2].line, 5);
	assert_string_equal(s.v[2].kind, "SelectStmt");
	free(a);
	parse_script_free(&s);
}

static void test_copy_and_errors(void **state)
{
	(void)state;
	/* COPY data is not SQL; a typo does not hide the statements after it. */
	const char *sql = "COPY t (a) FROM stdin;\n1;x\n'2\n\\.\nSELEC 2;\n"
	                  "CREATE INDEX CONCURRENTLY i ON t (a);";
	parse_script s;
	parse_script_text(sql, strlen(sql), &s);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].kind, "CopyStmt");
	assert_true(s.v[0].copy);
	assert_memory_equal(sql + s.v[0].copy_off, "1;x\n'2\n", 7);
	assert_null(s.v[1].node);
	assert_non_null(strstr(s.v[1].error, "syntax error at or near \"SELEC\""));
	int line, col;
	parse_line_col(sql, s.v[1].error_off, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 1);
	assert_int_equal(s.v[2].line, 6);
	assert_string_equal(parse_no_transaction(s.v[2].node, 150000), "CREATE INDEX CONCURRENTLY");
	assert_int_equal(parse_script_errors(&s), 1);
	parse_script_free(&s);
	/* A COPY the parser reads whole (no data line): cut again, data taken. */
	const char *empty = "SELECT 1;\nCOPY t FROM STDIN;\n";
	parse_script_text(empty, strlen(empty), &s);
	assert_int_equal(s.n, 2);
	assert_true(s.v[1].copy);
	assert_int_equal(s.v[1].copy_len, 0);
	parse_script_free(&s);
	/* The position counts characters, not bytes. */
	const char *u = "SELECT 'ééé' FRM x";
	char *msg = NULL;
	size_t at = 0;
	assert_null(parse_sql(u, strlen(u), &msg, &at));
	assert_string_equal(u + at, "x");
	parse_line_col(u, at, &line, &col);
	assert_int_equal(col, 18);
	free(msg);
}

/* Statements PostgreSQL refuses inside a transaction block. The ones marked "keywords
 * missed" were classified transactional by the former keyword matcher, so the server
 * refused the migration. */
static void test_no_transaction(void **state)
{
	(void)state;
	const char *yes[][2] = {
	    {"create unique index concurrently if not exists i on t (a)",
	     "CREATE INDEX CONCURRENTLY"},
	    {"DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY"},
	    {"REINDEX SCHEMA s", "REINDEX SCHEMA"}, /* keywords missed */
	    {"REINDEX SYSTEM d", "REINDEX SYSTEM"},
	    {"REINDEX DATABASE d", "REINDEX DATABASE"},
	    {"REINDEX (CONCURRENTLY) TABLE t", "REINDEX CONCURRENTLY"},
	    {"VACUUM (FULL) t", "VACUUM"},
	    {"CLUSTER", "CLUSTER (every table)"}, /* keywords missed */
	    {"CREATE DATABASE d", "CREATE DATABASE"},
	    {"DROP DATABASE IF EXISTS d", "DROP DATABASE"},
	    {"ALTER DATABASE d SET TABLESPACE x", "ALTER DATABASE SET TABLESPACE"}, /* missed */
	    {"CREATE TABLESPACE x LOCATION '/x'", "CREATE TABLESPACE"},
	    {"DROP TABLESPACE x", "DROP TABLESPACE"},
	    {"ALTER SYSTEM SET work_mem = '1MB'", "ALTER SYSTEM"},
	    {"DISCARD ALL", "DISCARD ALL"},
	    {"COMMIT PREPARED 'g'", "COMMIT PREPARED"}, /* keywords missed */
	    {"ROLLBACK PREPARED 'g'", "ROLLBACK PREPARED"},
	    {"CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
	     "CREATE SUBSCRIPTION (with a replication slot)"},
	    {"DROP SUBSCRIPTION s", "DROP SUBSCRIPTION"},
	    {"ALTER SUBSCRIPTION s REFRESH PUBLICATION",
	     "ALTER SUBSCRIPTION ... REFRESH"}, /* missed */
	    {"ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
	     "ALTER TABLE ... DETACH PARTITION CONCURRENTLY"}, /* keywords missed */
	};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		const char *what = NULL;
		assert_true(sqlsplit_no_transaction(yes[i][0], strlen(yes[i][0]), 150000, &what));
		assert_string_equal(what, yes[i][1]);
	}
	const char *no[] = {
	    "create index i on t (a)", "select 'vacuum'", "-- VACUUM\nselect 1", "ANALYZE t",
	    "CLUSTER t USING i", "REINDEX TABLE t", "REINDEX (CONCURRENTLY false) TABLE t",
	    "DISCARD PLANS", "ALTER DATABASE d SET work_mem = '1MB'",
	    /* keywords said CREATE SUBSCRIPTION always refuses; without a slot it does not */
	    "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = false)",
	    "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false)",
	    "ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false)",
	    "ALTER TABLE p DETACH PARTITION c", "alter type e add value 'x'",
	    "SELEC 1", /* does not parse: the server judges it */
	};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
		const char *what = NULL;
		assert_false(sqlsplit_no_transaction(no[i], strlen(no[i]), 150000, &what));
	}
	const char *what = NULL;
	/* A data statement above the parse limit is transactional without being parsed. */
	buf big = BUF_INIT;
	buf_puts(&big, "INSERT INTO t VALUES (0)");
	while (big.len <= SQLSPLIT_PARSE_MAX)
		buf_puts(&big, ", (1234567890)");
	assert_false(sqlsplit_no_transaction(buf_cstr(&big), big.len, 150000, &what));
	buf_free(&big);
	const char *enm = "alter type e add value 'x'";
	assert_true(sqlsplit_no_transaction(enm, strlen(enm), 110000, &what));
}

static void test_split_parens(void **state)
{
	(void)state;
	const char *sql = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
	                  "INSERT INTO b VALUES (';'));\nSELECT (1);";
	sql_stmt *st = NULL;
	assert_int_equal(sqlsplit(sql, strlen(sql), &st), 2);
	assert_int_equal(st[1].line, 2);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_script),
	    cmocka_unit_test(test_copy_and_errors),
	    cmocka_unit_test(test_no_transaction),
	    cmocka_unit_test(test_split_parens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
