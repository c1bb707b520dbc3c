#!/usr/bin/env bash
# Long waits say what they wait for, with the elapsed time (core/progress and
# scripts/progress.sh): run-task's task states against moto (SigV4 checked), the first
# build by trigger_workflow (real make on a small Makefile standing in for the project's),
# scripts/local-pg start (real PostgreSQL). On a terminal (a real pseudo-terminal here)
# one line rewritten in place and cleared; in logs plain lines; --quiet: nothing.
# The migration's live output ("a slow migration's first line appears before the second
# starts") is proven in tests/pg/flyway_rules.t ("live output").
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/snapshot/setup.sh"
unset NO_COLOR GITHUB_ACTIONS ORC_PROGRESS_SECONDS
export ROOT
PTY=$ROOT/tests/trigger/pty_run.py
ESC=$'\033'
CR=$'\r'

# ---- trigger_workflow: the first build says so
P=$T_TMP/project
mkdir -p "$P/scripts"
cp "$ROOT/trigger_workflow" "$P/"
cp "$ROOT/scripts/progress.sh" "$P/scripts/"
# The first build says it started and waits for the test's go-ahead, through two FIFOs
# (each open blocks until the other side opens it: events, not polling; timeout bounds
# both), so the test sees what is printed while it runs. Later builds find regular files
# there and go straight on. "fail" makes a build fail as a compiler error would.
cat >"$P/Makefile" <<'MK'
bin/orchestrator:
	@timeout 60 sh -c 'echo >started; read _ <go' || true
	@if [ -f fail ]; then echo "cc: error: broken.c:1: expected ';'" >&2; exit 1; fi
	@mkdir -p bin && printf '#!/bin/sh\necho "built binary ran:" "$$@"\n' >bin/orchestrator && chmod +x bin/orchestrator
MK
mkfifo "$P/started" "$P/go"
"$P/trigger_workflow" --dry-run x >"$T_TMP/tw.out" 2>"$T_TMP/tw.err" &
BG=$!
# trigger_workflow prints its line before it runs make: once the build has started, the
# line is there.
t_ok "the build starts" timeout 60 cat "$P/started"
t_is "$(cat "$T_TMP/tw.err")" "building bin/orchestrator..." "trigger_workflow, not a terminal: says what it builds while the build runs"
t_ok "the build has not finished yet" test ! -e "$P/bin/orchestrator"
t_ok "the go-ahead reaches the build" timeout 60 sh -c "echo >'$P/go'"
rm -f "$P/started" "$P/go"
touch "$P/started" "$P/go"
RC=0; wait $BG || RC=$?
t_is "$RC" 0 "trigger_workflow: exit 0 after the build"
t_is "$(sed -E 's/[0-9]+ s$/N s/' "$T_TMP/tw.err")" "building bin/orchestrator...
building bin/orchestrator: done in N s" "then how long it took"
t_is "$(cat "$T_TMP/tw.out")" "built binary ran: trigger --dry-run x" "then runs the built binary with the arguments"
t_run "$P/trigger_workflow" --dry-run x
t_is "$T_ERR" "" "up to date: no build, nothing said"

rm -f "$P/bin/orchestrator"
t_run "$P/trigger_workflow" --quiet x
t_is "$T_ERR" "" "--quiet: the build says nothing"
t_is "$T_OUT" "built binary ran: trigger --quiet x" "--quiet: the binary still runs"

rm -f "$P/bin/orchestrator"
touch "$P/fail"
t_run "$P/trigger_workflow" x
t_is "$T_RC" 2 "a failing build: make's exit code"
t_like "$T_ERR" "cc: error: broken.c:1: expected ';'" "a failing build: make's output is shown"
t_like "$T_ERR" 'trigger_workflow: building bin/orchestrator failed \(make exit 2; output above\)' "a failing build: one line saying so"
rm -f "$P/fail"

python3 "$PTY" "$T_TMP" -- env TERM=xterm "$P/trigger_workflow" x
term=$(cat "$T_TMP/terminal")
t_is "$(cat "$T_TMP/rc")" 0 "on a terminal: exit 0"
t_like "$term" "^${CR}building bin/orchestrator\.\.\. 0 s${ESC}\[K" "on a terminal: one line rewritten in place with the elapsed time"
t_like "$term" "${CR}${ESC}\[K$" "on a terminal: the line is cleared at the end"
t_unlike "$term" "done in" "on a terminal: no plain lines"

# ---- scripts/local-pg start
# Its own directory: the server runs as postgres when we are root; $T_TMP is private.
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/orc-pg.XXXXXX") && chmod 755 "$PGDIR"
PGD=$PGDIR/pg
t_defer "'$ROOT/scripts/local-pg' stop '$PGD' >/dev/null 2>&1; rm -rf '$PGDIR'"
t_run "$ROOT/scripts/local-pg" start "$PGD"
t_is "$T_RC" 0 "local-pg start: exit 0"
PORT=$(cat "$PGD/port")
t_is "$(printf '%s\n' "$T_ERR" | sed -E 's/[0-9]+ s$/N s/')" "local-pg: creating the cluster in $PGD/data (initdb)...
local-pg: creating the cluster in $PGD/data (initdb): done in N s
local-pg: starting PostgreSQL on 127.0.0.1:$PORT...
local-pg: starting PostgreSQL on 127.0.0.1:$PORT: done in N s" "local-pg start, not a terminal: what it waits for, then how long it took"
t_ok "local-pg: the server answers" pg_isready -q -h 127.0.0.1 -p "$PORT"
t_run "$ROOT/scripts/local-pg" start "$PGD"
t_is "$T_ERR" "" "local-pg start when running: nothing to wait for, nothing said"
"$ROOT/scripts/local-pg" stop "$PGD"
python3 "$PTY" "$T_TMP" -- env TERM=xterm "$ROOT/scripts/local-pg" start "$PGD"
term=$(cat "$T_TMP/terminal")
PORT=$(cat "$PGD/port")
t_is "$(cat "$T_TMP/rc")" 0 "local-pg start on a terminal: exit 0"
t_like "$term" "^${CR}local-pg: starting PostgreSQL on 127\.0\.0\.1:$PORT\.\.\. 0 s${ESC}\[K" "local-pg start on a terminal: the line in place"
t_like "$term" "${CR}${ESC}\[K$" "local-pg start on a terminal: cleared at the end"
"$ROOT/scripts/local-pg" stop "$PGD"

# ---- snapshot create: RDS's status and PercentProgress (moto makes a snapshot available
# at once: the proxy answers "creating" for the first polls, see progress_proxy.py)
snap_world || { t_fail "moto_server started"; t_done; exit 1; }
snap_cluster auroradb-cluster >/dev/null
S=$T_TMP/snap
mkdir -p "$S"
snap_config "$S/config.json" auroradb-cluster
PPORT=$(t_free_port)
python3 "$ROOT/tests/core/progress_proxy.py" "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/creating" 2>"$T_TMP/proxy.err" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 10
echo "0 40 80" >"$T_TMP/creating"
cd "$S" || exit 1
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT ORC_PROGRESS_SECONDS=0 "$ORC" snapshot create --region us-west-2 --snapshot wait-1
t_is "$T_RC" 0 "snapshot create through the proxy: exit 0"
t_is "$(printf '%s\n' "$T_ERR" | grep '^snapshot wait-1: ' | sed -E 's/\([0-9]+ s\)$/(N s)/')" "snapshot wait-1: creating 0% (N s)
snapshot wait-1: creating 40% (N s)
snapshot wait-1: creating 80% (N s)" "snapshot create in a log: the status and RDS's percent at each poll (ORC_PROGRESS_SECONDS=0)"
t_like "$T_OUT" "snapshot wait-1 of auroradb-cluster is available" "then the result"
echo "0 40 80" >"$T_TMP/creating"
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" snapshot create --region us-west-2 --snapshot wait-2
t_is "$(printf '%s\n' "$T_ERR" | grep '^snapshot wait-2: ' | sed -E 's/\([0-9]+ s\)$/(N s)/')" "snapshot wait-2: creating 0% (N s)
snapshot wait-2: creating 80% (N s)" "snapshot create in a log, default interval: the first status, the last report at the end, nothing between"
echo "0 40" >"$T_TMP/creating"
python3 "$PTY" "$T_TMP" -- env TERM=xterm AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" snapshot create --region us-west-2 --snapshot wait-3
cd "$T_TMP" || exit 1
term=$(cat "$T_TMP/terminal")
t_is "$(cat "$T_TMP/rc")" 0 "snapshot create on a terminal: exit 0"
t_like "$term" "^${CR}snapshot wait-3: ${ESC}\[36mcreating${ESC}\[0m 0% \([0-9]+ s\)${ESC}\[K${CR}snapshot wait-3: ${ESC}\[36mcreating${ESC}\[0m 40% \([0-9]+ s\)${ESC}\[K${CR}${ESC}\[K" \
	"snapshot create on a terminal: status in colour and percent, rewritten in place, then cleared"

# ---- run-task: the task's states without -v (a moto of its own: the fixtures would clash)
moto_start || { t_fail "a second moto_server started"; t_done; exit 1; }
FIX="python3 $ROOT/tests/run_task/fixture.py"
$FIX setup "$T_TMP/config.json" >/dev/null || { t_fail "fixtures created"; t_done; exit 1; }
export ORC_TASK_POLL_MS=100 ORC_AWS_RETRY_BASE_MS=20 ORC_TASK_SETTLE_MS=50 ORC_TASK_LOG_QUIET_MS=200
# moto starts tasks RUNNING and moves them one state every second DescribeTasks.
$FIX transition 2
t_run env ORC_PROGRESS_SECONDS=3600 "$ORC" run-task --config "$T_TMP/config.json"
t_is "$T_RC" 0 "run-task: exit 0"
states=$(printf '%s\n' "$T_ERR" | grep -E '^task [0-9a-f-]+: ' | sed -E 's/^task [0-9a-f-]+: ([A-Z]+) \([0-9]+ s\)$/\1/' | tr '\n' ' ')
t_is "$states" "RUNNING DEACTIVATING STOPPING DEPROVISIONING STOPPED " "run-task, not a terminal, no -v: one line per state, in order, with the elapsed time"
t_like "$T_OUT" "container 'flyway' exited 0" "run-task: the result on stdout"
t_unlike "$T_ERR" "$ESC|$CR" "run-task, not a terminal: no colour, nothing rewritten"

t_run "$ORC" run-task --config "$T_TMP/config.json" --quiet
t_is "$T_RC" 0 "run-task --quiet: exit 0"
t_is "$T_ERR" "" "run-task --quiet: no state lines"
t_like "$T_OUT" "container 'flyway' exited 0" "run-task --quiet: the result still printed"

python3 "$PTY" "$T_TMP" -- env TERM=xterm "$ORC" run-task --config "$T_TMP/config.json"
term=$(cat "$T_TMP/terminal")
t_is "$(cat "$T_TMP/rc")" 0 "run-task on a terminal: exit 0"
t_like "$term" "^${CR}task [0-9a-f-]+: ${ESC}\[1;32mRUNNING${ESC}\[0m \([0-9]+ s\)${ESC}\[K" "run-task on a terminal: the state in place, RUNNING in green"
t_like "$term" "${CR}task [0-9a-f-]+: ${ESC}\[36mDEPROVISIONING${ESC}\[0m \([0-9]+ s\)${ESC}\[K" "run-task on a terminal: a state under way in cyan, same line"
t_like "$term" "${CR}task [0-9a-f-]+: STOPPED \([0-9]+ s\)${ESC}\[K${CR}${ESC}\[K" "run-task on a terminal: STOPPED, then the line cleared"
t_is "$(printf '%s' "$term" | grep -c 'task [0-9a-f-]*: [A-Z]* ([0-9]* s)$')" 0 "run-task on a terminal: no state on a line of its own"
python3 "$PTY" "$T_TMP" -- env TERM=xterm NO_COLOR=1 "$ORC" run-task --config "$T_TMP/config.json"
term=$(cat "$T_TMP/terminal")
t_like "$term" "^${CR}task [0-9a-f-]+: RUNNING \([0-9]+ s\)${ESC}\[K" "run-task, NO_COLOR: in place, no colour"
t_unlike "$term" "${ESC}\[[0-9;]*m" "run-task, NO_COLOR: no colour code at all"
t_done
