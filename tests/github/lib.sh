# tests/github/lib.sh: the local GitHub stand-in (server.py) for shell tests.
#   gh_start                starts it on a free port; sets GH_PORT, exports GITHUB_API_URL
#   gh_script '["500","204"]'   answers for the next dispatches (the last repeats); clears the log
#   gh_requests             the recorded requests, a JSON list
#   gh_count [ANSWER]       how many dispatches were made (with that answer)
#   gh_field PY_EXPR        evaluates PY_EXPR over r (the request list) and prints it
#   gh_runs '{"runs": {"FILE.yml": [...]}, "answer": "200"}'   the runs GitHub lists
#   gh_list_field PY_EXPR   the same as gh_field over the list-runs requests
gh_start() {
	GH_PORT=$(t_free_port)
	GH_LOG=$T_TMP/github-requests.jsonl
	python3 "$ROOT/tests/github/server.py" "$GH_PORT" "$GH_LOG" 2>"$T_TMP/github-server.err" &
	GH_PID=$!
	t_defer "kill $GH_PID 2>/dev/null; wait $GH_PID 2>/dev/null"
	t_wait_port "$GH_PORT" 20 || { echo "Bail out! GitHub stand-in did not start"; cat "$T_TMP/github-server.err"; exit 1; }
	export GITHUB_API_URL=http://127.0.0.1:$GH_PORT
}
gh_script() {
	curl -fsS -X POST -H 'Content-Type: application/json' --data "$1" "http://127.0.0.1:$GH_PORT/_script" >/dev/null
}
gh_requests() {
	curl -fsS "http://127.0.0.1:$GH_PORT/_requests"
}
gh_field() {
	gh_requests | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"
}
gh_count() {
	if [ $# -eq 0 ]; then gh_field 'len(r)'; else gh_field "sum(1 for x in r if x['answer'] == '$1')"; fi
}
gh_runs() {
	curl -fsS -X POST -H 'Content-Type: application/json' --data "$1" "http://127.0.0.1:$GH_PORT/_runs" >/dev/null
}
gh_list_field() {
	curl -fsS "http://127.0.0.1:$GH_PORT/_list_requests" | python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"
}
