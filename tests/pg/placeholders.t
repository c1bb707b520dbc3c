#!/usr/bin/env bash
# Placeholders on a real server: every missing value listed in one run (each use with file
# and line, then every name at once, exit 2, nothing applied), and --placeholders-file
# (.env style): its syntax, its errors (file and line, never a value), and its place
# below --placeholder and FLYWAY_PLACEHOLDERS_*.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
pg_newdb
unset $(env | sed -n 's/^\(FLYWAY_PLACEHOLDERS_[^=]*\)=.*/\1/p')
S=$T_TMP/sql
mkdir -p "$S/sub"
printf 'CREATE TABLE t_${TABLE_A} (v text DEFAULT %s);\n' "'\${VALUE}'" >"$S/V1__a.sql"
printf -- '-- two uses of B\nCREATE TABLE t_${TABLE_B} ();\nCOMMENT ON TABLE t_${table_b} IS %s;\n' "'\${Note}'" >"$S/sub/V2__b.sql"
rows() { psql -X -At -c "select count(*) from flyway_schema_history" 2>/dev/null || echo none; }

t_run "$ORC" migrate --url "$PG_URL" --locations "$S" --placeholder VALUE=v1
t_is "$T_RC" 2 "missing placeholders: exit 2"
t_is "$(printf '%s\n' "$T_ERR" | grep -c 'no value for placeholder')" 4 "each use listed (one run, two files)"
t_like "$T_ERR" "V1__a.sql:1: no value for placeholder \\$\\{TABLE_A\\}" "first file, its line"
t_like "$T_ERR" "sub/V2__b.sql:2: no value for placeholder \\$\\{TABLE_B\\}" "second file, line 2"
t_like "$T_ERR" "sub/V2__b.sql:3: no value for placeholder \\$\\{table_b\\}" "the same name again, line 3"
t_like "$T_ERR" "sub/V2__b.sql:3: no value for placeholder \\$\\{Note\\}" "and another on the same line"
t_like "$T_ERR" "error: 3 placeholders without a value \\(4 uses, listed above\\): TABLE_A, TABLE_B, Note; " "the names once each (case-insensitively), in order"
t_is "$(rows)" 0 "nothing applied"

t_run "$ORC" migrate --dry-run --url "$PG_URL" --locations "$S" --placeholder VALUE=v1
t_is "$T_RC" 2 "migrate --dry-run: exit 2 as well"
t_is "$(printf '%s\n' "$T_ERR" | grep -c 'no value for placeholder')" 4 "migrate --dry-run lists each use too"
t_like "$T_ERR" "error: 3 placeholders without a value \\(4 uses, listed above\\): TABLE_A, TABLE_B, Note; " "and the same summary"

t_run env PGHOST=/nonexistent "$ORC" validate --syntax --locations "$S" --placeholder VALUE=v1
t_is "$T_RC" 1 "validate --syntax (no database): the missing values fail it"
t_is "$(printf '%s\n' "$T_ERR" | grep -c 'no value for placeholder')" 4 "each use listed, in both files"

# Repeatables are checksummed after replacement when the engine opens: all of theirs at once.
mkdir -p "$T_TMP/rep"
printf 'SELECT ${R1};\n' >"$T_TMP/rep/R__one.sql"
printf 'SELECT ${R2}, ${R1};\n' >"$T_TMP/rep/R__two.sql"
t_run "$ORC" info --url "$PG_URL" --locations "$T_TMP/rep"
t_is "$T_RC" 2 "repeatables without values: exit 2"
t_like "$T_ERR" "R__one.sql:1: no value for placeholder \\$\\{R1\\}" "first repeatable"
t_like "$T_ERR" "R__two.sql:1: no value for placeholder \\$\\{R2\\}" "second repeatable, same run"
t_like "$T_ERR" "2 placeholders without a value \\(3 uses, listed above\\): R1, R2" "and the summary"

# migrate reads the pending versioned files too before it stops: repeatables' and
# versioned files' missing values in the same run.
cp "$T_TMP/rep/"*.sql "$S/"
t_run "$ORC" migrate --url "$PG_URL" --locations "$S" --placeholder VALUE=v1
t_is "$T_RC" 2 "migrate with repeatables and versioned files missing values: exit 2"
t_like "$T_ERR" "R__two.sql:1: no value for placeholder \\$\\{R2\\}" "the repeatables'"
t_like "$T_ERR" "sub/V2__b.sql:3: no value for placeholder \\$\\{Note\\}" "and the versioned files', same run"
t_is "$(printf '%s\n' "$T_ERR" | grep -c 'no value for placeholder')" 7 "each use once (a repeatable is not listed twice)"
t_like "$T_ERR" "error: 5 placeholders without a value \\(7 uses, listed above\\): R1, R2, TABLE_A, TABLE_B, Note; " "one summary"
t_is "$(rows)" 0 "nothing applied"
# ... and no beforeMigrate callback runs first (nothing changes, as when it stopped at open).
printf 'CREATE TABLE callback_ran ();\n' >"$S/beforeMigrate.sql"
t_run "$ORC" migrate --url "$PG_URL" --locations "$S" --placeholder VALUE=v1
t_is "$T_RC" 2 "with a beforeMigrate callback: exit 2"
t_is "$(psql -X -At -c "select count(*) from pg_class where relname = 'callback_ran'")" 0 "the callback did not run"
rm "$S"/R__*.sql "$S/beforeMigrate.sql"

# --placeholders-file
f=$T_TMP/ph.env
printf '%s\r\n' '# a comment' '' 'export TABLE_A=alpha' "  TABLE_B='beta'" 'Note="a note # not a comment"' 'VALUE=file-value-9' >"$f"
t_run "$ORC" migrate --url "$PG_URL" --locations "$S" --placeholders-file "$f" --placeholder VALUE=cli-value-8
t_is "$T_RC" 0 "the file gives the rest (comments, blank lines, export, quotes, CRLF)"
t_is "$(psql -X -At -c "select obj_description('t_beta'::regclass)")" "a note # not a comment" "a quoted value taken as written"
t_is "$(psql -X -At -c "select column_default from information_schema.columns where table_name='t_alpha'")" "'cli-value-8'::text" "--placeholder wins over the file"
t_unlike "$T_OUT$T_ERR" "file-value-9|cli-value-8|alpha|beta" "no value printed"

pg_newdb
printf 'TABLE_A=from_file\nTABLE_B=b\nNote=n\nVALUE=v\n' >"$f"
t_run env FLYWAY_PLACEHOLDERS_TABLE_A=from_env "$ORC" migrate --url "$PG_URL" --locations "$S" --placeholders-file "$f"
t_is "$T_RC" 0 "file and FLYWAY_PLACEHOLDERS_*"
t_is "$(psql -X -At -c "select count(*) from pg_class where relname='t_from_env'")" 1 "FLYWAY_PLACEHOLDERS_* wins over the file"

# lint takes the file too: with it, the statements parse and no rule sees an unparsed one.
t_run "$ORC" lint --locations "$S"
t_like "$T_OUT$T_ERR" "not-parsed" "lint without the values: the statements do not parse"
t_run "$ORC" lint --locations "$S" --placeholders-file "$f"
t_unlike "$T_OUT$T_ERR" "not-parsed" "lint --placeholders-file: they do"

bad() {
	printf "$1" >"$f"
	t_run "$ORC" migrate --url "$PG_URL" --locations "$S" --placeholders-file "$f"
	t_is "$T_RC" 2 "$2: exit 2"
	t_like "$T_ERR" "$3" "$2: the message"
	t_unlike "$T_ERR" "s3cr3t" "$2: the value is not shown"
}
bad 'A=1\nno equals s3cr3t\n' "a line without =" "ph.env:2: expected NAME=VALUE"
bad 'A=1\n\nA=s3cr3t\n' "a name set twice" "ph.env:3: A is set twice in this file"
bad 'A=\"s3cr3t\n' "an unclosed quote" "ph.env:1: expected NAME=VALUE"
bad 'A B=s3cr3t\n' "a space in the name" "ph.env:1: expected NAME=VALUE"
t_run "$ORC" migrate --url "$PG_URL" --locations "$S" --placeholders-file "$T_TMP/none.env"
t_is "$T_RC" 2 "a file that does not exist: exit 2"
t_like "$T_ERR" "none.env" "naming it"
t_done
