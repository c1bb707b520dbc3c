#!/usr/bin/env bash
# What orchestrator prints of a migration's text and name is data: a source line shown
# under a syntax error (indented: the runner trims leading blanks before it looks for
# "::") and a file name holding the runner's older "##[command]" form (read anywhere in a
# line) never make a line GitHub Actions runs as a workflow command. validate --syntax
# works offline, so no server is needed.
source "$(dirname "$0")/../lib/tap.sh"
S=$T_TMP/sql
mkdir -p "$S"
printf 'SELECT 1;\n  ::stop-commands::tok\n' >"$S/V1__x.sql"
printf 'SELEC 2 -- ##[add-mask]b\n' >"$S/V2__a##[add-mask]b.sql"

# commands LINES: the lines the runner would read as a workflow command we did not mean
commands() {
	printf '%s\n' "$1" | sed 's/^[ \t]*//' | grep -E '^::|##\[' | grep -Ev '^::error (file=[^:]*,)?line=[0-9]+::|^::error::' || true
}
for gha in true false; do
	t_run env GITHUB_ACTIONS=$gha PGHOST=/nonexistent "$ORC" validate --syntax --locations "$S"
	t_is "$T_RC" 1 "syntax errors: exit 1 (GITHUB_ACTIONS=$gha)"
	t_is "$(commands "$T_OUT")$(commands "$T_ERR")" "" "no workflow command from the files (GITHUB_ACTIONS=$gha)"
	t_like "$T_ERR" '      \\x3a:stop-commands::tok' "the source line is shown, its '::' escaped"
	t_like "$T_ERR" '    SELEC 2 -- ##\\u005badd-mask\]b' "a '##[' in the text is escaped"
done
t_like "$T_ERR" 'error: .*/V2__a##\\u005badd-mask\]b.sql:1:1: syntax error' "and in the file name"
t_done
