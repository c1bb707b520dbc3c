#!/usr/bin/env bash
# Flyway compatibility: checksums on awkward files equal Flyway's algorithm computed
# independently (Python zlib over Java readLine lines); a history table created with
# Flyway's exact DDL and rows is continued; ours has the same shape as Flyway's.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

q() { psql -X -q -At -c "$1"; }
flyway_checksum() { # Flyway's algorithm, written independently of ours
	python3 - "$1" <<'PY'
import re, sys, zlib
data = open(sys.argv[1], 'rb').read()
text = data.decode('utf-8')             # Flyway reads the file as UTF-8 text
if text.startswith('\ufeff'):
    text = text[1:]                     # BomFilter
crc = 0
for line in re.split('\r\n|\r|\n', text):  # BufferedReader.readLine terminators
    crc = zlib.crc32(line.encode('utf-8'), crc)
print(crc - (1 << 32) if crc >= 1 << 31 else crc)
PY
}

pg_newdb
C=$T_TMP/checksums
mkdir -p "$C"
printf '\xef\xbb\xbfCREATE TABLE bom (id int);\n' >"$C/V1__bom.sql"
printf 'CREATE TABLE crlf (id int);\r\n\r\nSELECT 1;\r\n' >"$C/V2__crlf.sql"
printf 'CREATE TABLE lone_cr (id int);\rSELECT 1;\r' >"$C/V3__lone_cr.sql"
printf 'CREATE TABLE no_final_newline (id int);\nSELECT 1;' >"$C/V4__no_final_newline.sql"
printf -- "-- Größe, 日本語, émoji 🐘\nCREATE TABLE \"größe\" (\"名前\" text DEFAULT 'ü');\n" >"$C/V5__non_ascii.sql"
printf 'CREATE TABLE lf (id int);\n\nSELECT 1;\n' >"$C/V6__lf.sql"
printf 'CREATE TABLE lf (id int);\r\n\r\nSELECT 1;\r\n' >"$T_TMP/crlf-copy.sql"
t_ok "migrate files with a BOM, CRLF, lone CR, no final newline, non-ASCII text" "$ORC" migrate --url "$PG_URL" --locations "$C"
for f in "$C"/*.sql; do
	s=$(basename "$f")
	t_is "$(q "select checksum from flyway_schema_history where script = '$s'")" "$(flyway_checksum "$f")" "checksum of $s equals Flyway's"
done
# The same on the JVM, the way Flyway reads a script: BufferedReader.readLine over UTF-8,
# BOM dropped from the first line, java.util.zip.CRC32 per line, cast to int.
if command -v java >/dev/null 2>&1; then
	cat >"$T_TMP/Checksum.java" <<'JAVA'
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
public class Checksum {
	public static void main(String[] args) throws IOException {
		for (String f : args) {
			CRC32 crc = new CRC32();
			try (BufferedReader r = new BufferedReader(new InputStreamReader(new FileInputStream(f), StandardCharsets.UTF_8))) {
				String line;
				boolean first = true;
				while ((line = r.readLine()) != null) {
					if (first && line.startsWith("\uFEFF")) line = line.substring(1);
					first = false;
					crc.update(line.getBytes(StandardCharsets.UTF_8));
				}
			}
			System.out.println(new File(f).getName() + " " + (int) crc.getValue());
		}
	}
}
JAVA
	t_is "$(cd "$C" && java "$T_TMP/Checksum.java" *.sql 2>&1 | LC_ALL=C sort)" "$(q "select script||' '||checksum from flyway_schema_history order by script collate \"C\"")" \
		"checksums equal Java's BufferedReader.readLine + CRC32 (Flyway's reading) on every file"
else
	echo "ok $((T_N += 1)) - checksums against the JVM # SKIP java not installed"
fi
t_is "$(flyway_checksum "$T_TMP/crlf-copy.sql")" "$(q "select checksum from flyway_schema_history where script = 'V6__lf.sql'")" "line endings do not change the checksum"
t_is "$(q "select count(*) from \"größe\"")" 0 "the non-ASCII table exists"

# A history table exactly as Flyway (9.x/10.x, PostgreSQL) creates and fills it.
pg_newdb
F=$T_TMP/flyway
mkdir -p "$F/v1"
echo 'CREATE TABLE one (id int);' >"$F/v1/V1__one.sql"
echo 'CREATE OR REPLACE VIEW one_v AS SELECT * FROM one;' >"$F/R__one_view.sql"
c1=$(flyway_checksum "$F/v1/V1__one.sql")
cr=$(flyway_checksum "$F/R__one_view.sql")
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
CREATE TABLE one (id int);
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
VALUES (1, '1', 'one', 'SQL', 'v1/V1__one.sql', $c1, 'flyway', 12, true);
CREATE OR REPLACE VIEW one_v AS SELECT * FROM one;
INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
VALUES (2, NULL, 'one view', 'SQL', 'R__one_view.sql', $cr, 'flyway', 3, true);
SQL
t_ok "validate accepts Flyway's history as ours" "$ORC" validate --url "$PG_URL" --locations "$F"
echo 'CREATE TABLE two (id int);' >"$F/V1.1__two.sql"
t_run "$ORC" migrate --url "$PG_URL" --locations "$F"
t_is "$T_RC" 0 "migrate continues a Flyway history"
t_is "$(q "select installed_rank||'|'||version||'|'||script||'|'||installed_by from flyway_schema_history where version = '1.1'")" \
	"3|1.1|V1.1__two.sql|postgres" "only the new migration ran, with the next installed_rank"
t_is "$(q 'select count(*) from flyway_schema_history')" 3 "the repeatable was not re-run (same checksum)"
flyway_db=$PGDATABASE

shape() { # columns, types, nullability, defaults, constraints and indexes of the history table
	psql -X -At -d "$1" -c "select column_name||' '||data_type||' '||coalesce(character_maximum_length::text,'')||' '||is_nullable||' '||coalesce(column_default,'')
		from information_schema.columns where table_name = 'flyway_schema_history' order by ordinal_position" \
		-c "select conname||' '||pg_get_constraintdef(oid) from pg_constraint where conrelid = 'flyway_schema_history'::regclass order by 1" \
		-c "select indexdef from pg_indexes where tablename = 'flyway_schema_history' order by 1"
}
pg_newdb
"$ORC" migrate --url "$PG_URL" --locations "$F" >/dev/null
t_like "$(shape "$PGDATABASE")" 'flyway_schema_history_pk PRIMARY KEY \(installed_rank\)' "the primary key has Flyway's name"
t_is "$(shape "$PGDATABASE")" "$(shape "$flyway_db")" "our history table has Flyway's exact columns, types, primary key and index"
t_done
