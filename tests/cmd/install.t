#!/usr/bin/env bash
# make install: the binary, trigger_workflow beside it, the man page and both completions
# land under DESTDIR/PREFIX, and each works from there.
source "$(dirname "$0")/../lib/tap.sh"
dest=$T_TMP/dest
t_ok "make install DESTDIR PREFIX" make -s -C "$ROOT" install DESTDIR="$dest" PREFIX=/usr
p=$dest/usr
t_ok "the installed binary runs" "$p/bin/orchestrator" --version
t_run "$p/bin/trigger_workflow" --version
t_like "$T_OUT" "^trigger_workflow " "trigger_workflow is installed beside it"
t_run env MANWIDTH=80 man -l "$p/share/man/man1/orchestrator.1"
t_like "$T_OUT" "orchestrator run-task" "the man page renders"
t_run bash -c "source '$p/share/bash-completion/completions/orchestrator'; complete -p orchestrator trigger_workflow"
t_like "$T_OUT" "complete -F _orchestrator orchestrator" "the bash completion registers itself"
t_like "$(head -1 "$p/share/zsh/site-functions/_orchestrator")" "^#compdef orchestrator" "the zsh completion is a #compdef file"
t_ok "make install with the default PREFIX puts files under DESTDIR/usr/local" make -s -C "$ROOT" install DESTDIR="$T_TMP/d2"
t_ok "... the binary" test -x "$T_TMP/d2/usr/local/bin/orchestrator"
t_done
