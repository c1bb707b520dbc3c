#!/usr/bin/env bash
# Colour: "error:" and "warning:" in bold red / yellow when stderr is a terminal (a real
# pseudo-terminal here), plain with NO_COLOR, TERM=dumb, or when stderr is not a terminal.
source "$(dirname "$0")/../lib/tap.sh"
unset NO_COLOR GITHUB_ACTIONS
PTY=$ROOT/tests/trigger/pty_run.py
ESC=$'\033'

python3 "$PTY" "$T_TMP" -- env TERM=xterm "$ORC" run-task --regoin x
term=$(cat "$T_TMP/terminal")
t_is "$(cat "$T_TMP/rc")" 2 "on a terminal: still exit 2"
t_like "$term" "^${ESC}\[1;31merror:${ESC}\[0m orchestrator run-task: unknown option '--regoin'" "on a terminal: error: in bold red"

cd "$T_TMP" || exit 1
printf '{"githubOwner": "acme", "githubRepo": "db", "infrastructure": {"us-west-2": {"terraformBucket": "b"}}}' >config.json
python3 "$PTY" "$T_TMP" -- env TERM=xterm "$ORC" trigger generate-markdown --dry-run
t_like "$(cat "$T_TMP/terminal")" "${ESC}\[1;33mwarning:${ESC}\[0m dry run: nothing was sent" "on a terminal: warning: in bold yellow"

python3 "$PTY" "$T_TMP" -- env TERM=xterm NO_COLOR=1 "$ORC" run-task --regoin x
t_like "$(cat "$T_TMP/terminal")" "^error: orchestrator run-task" "NO_COLOR: plain"
t_unlike "$(cat "$T_TMP/terminal")" "$ESC" "NO_COLOR: no escape at all"
python3 "$PTY" "$T_TMP" -- env TERM=dumb "$ORC" run-task --regoin x
t_unlike "$(cat "$T_TMP/terminal")" "$ESC" "TERM=dumb: plain"
t_run env TERM=xterm "$ORC" run-task --regoin x
t_like "$T_ERR" "^error: orchestrator run-task" "not a terminal: plain"
t_unlike "$T_ERR" "$ESC" "not a terminal: no escape"
t_done
