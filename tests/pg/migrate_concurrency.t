#!/usr/bin/env bash
# Concurrent runners and a runner killed mid-migration: Flyway's advisory lock makes the
# others wait, each migration is applied exactly once, the history stays consistent.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
q() { psql -X -q -At -c "$1"; }

pg_newdb
D=$T_TMP/sql
mkdir -p "$D"
for i in $(seq 1 30); do echo "CREATE TABLE t$i (id int); SELECT pg_sleep(0.01);" >"$D/V${i}__t$i.sql"; done
echo 'CREATE OR REPLACE VIEW v AS SELECT count(*) FROM t1;' >"$D/R__v.sql"
pids=()
for i in $(seq 1 8); do
	"$ORC" migrate --url "$PG_URL" --locations "$D" >"$T_TMP/run$i.out" 2>&1 &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
t_is "$fails" 0 "8 concurrent migrate processes all exit 0"
t_is "$(q 'select count(*), count(distinct coalesce(version, description)) from flyway_schema_history')" "31|31" "each migration applied exactly once"
t_is "$(q "select min(installed_rank)||'..'||max(installed_rank)||' '||count(distinct installed_rank) from flyway_schema_history")" "1..31 31" "installed_rank runs 1..31 without gaps"
t_is "$(cat "$T_TMP"/run*.out | grep -c 'applied V')" 30 "30 versioned applications across all runners"

# kill -9 during a long migration, then a re-run.
echo 'CREATE TABLE slow (id int); SELECT pg_sleep(${sleep});' >"$D/V31__slow.sql"
"$ORC" migrate --url "$PG_URL" --locations "$D" --placeholder sleep=60 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	[ "$(q "select count(*) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()")" = 1 ] && break
	sleep 0.1
done
# Flyway's lock key: 77431708279161 + Java hashCode('"public"."flyway_schema_history"').
key=$(python3 -c '
h = 0
for ch in "\"public\".\"flyway_schema_history\"":
    h = (31 * h + ord(ch)) & 0xffffffff
h = h - (1 << 32) if h >= 1 << 31 else h
k = 77431708279161 + h
print(k >> 32, k & 0xffffffff)')
t_is "$(q "select classid::bigint||' '||objid::bigint from pg_locks where locktype = 'advisory' and granted")" "$key" "the runner holds Flyway's advisory lock key"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
start=$(date +%s)
t_run "$ORC" migrate --url "$PG_URL" --locations "$D" --placeholder sleep=0
t_is "$T_RC" 0 "after kill -9 a re-run completes"
t_ok "the re-run did not wait for the killed migration's 60 s sleep" test $(($(date +%s) - start)) -lt 30
t_is "$(q "select count(*)||'|'||bool_and(success) from flyway_schema_history where version = '31'")" "1|true" "V31 recorded exactly once, successful"
t_is "$(q "select count(*) from flyway_schema_history")" 32 "a consistent history: 32 rows"
t_ok "validate passes" "$ORC" validate --url "$PG_URL" --locations "$D"
t_done
