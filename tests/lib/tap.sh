# tests/lib/tap.sh: TAP assertions for shell tests. Source it, assert, end with t_done.
# tests/run counts the "ok" / "not ok" lines; a test file runs alone as well.
#   t_run CMD...              run, capturing $T_OUT, $T_ERR, $T_RC (never fails the script)
#   t_ok DESC CMD...          passes when CMD exits 0
#   t_is GOT WANT DESC        string equality
#   t_like GOT ERE DESC       GOT matches the extended regex
#   t_unlike GOT ERE DESC     GOT does not match
#   t_done                    prints the plan
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${ORC_SHARED:-$ROOT/../shared}
ORC=${ORC_BIN:-$ROOT/bin/orchestrator}
T_N=0
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/orc-test.XXXXXX")
T_CLEANUP=()
t_cleanup() {
	local i
	for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUP[$i]}" || true; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
# t_defer CMD: run CMD (a string) when the test file exits, last deferred first.
t_defer() { T_CLEANUP+=("$1"); }

t_pass() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
t_fail() {
	T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	shift
	local line
	for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
t_run() {
	T_RC=0
	"$@" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null || T_RC=$?
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
}
t_ok() {
	local desc=$1; shift
	t_run "$@"
	if [ "$T_RC" -eq 0 ]; then t_pass "$desc"; else t_fail "$desc" "exit $T_RC: $*" "stdout: $T_OUT" "stderr: $T_ERR"; fi
}
t_is() {
	if [ "$1" == "$2" ]; then t_pass "$3"; else t_fail "$3" "got:  $1" "want: $2"; fi
}
t_like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then t_pass "$3"; else t_fail "$3" "got:  $1" "want match: $2"; fi
}
t_unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then t_fail "$3" "got:  $1" "want no match: $2"; else t_pass "$3"; fi
}
t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}
# t_free_port: a free TCP port on 127.0.0.1.
t_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# t_wait_port PORT [SECONDS]: wait until something listens on 127.0.0.1:PORT.
t_wait_port() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}
