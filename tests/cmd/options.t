#!/usr/bin/env bash
# Every command's option table, learned from the binary itself (the bash completion it
# generates lists each command, verb and option): -h exits 0 with the usage on stdout, a
# bad flag exits 2 with one line and a did-you-mean, each option that takes a value says so
# when it has none. Then the entry points (--version, help CMD, trigger_workflow) and the
# completion scripts doing their job.
source "$(dirname "$0")/../lib/tap.sh"
unset GITHUB_ACTIONS
cd "$T_TMP" || exit 1

"$ORC" completion bash >"$T_TMP/completion.bash"
t_is "$?" 0 "completion bash exits 0"
t_ok "the bash completion is valid bash" bash -n "$T_TMP/completion.bash"
# shellcheck source=/dev/null
source "$T_TMP/completion.bash"

# Every key: each command, and each verb of a command that has verbs (trigger's VERB is an
# operation, not a verb with its own options).
keys=()
while IFS= read -r key; do keys+=("$key"); done < <(sed -n "s/^\t'\([a-z -]*\)') echo .*/\1/p" "$T_TMP/completion.bash" | sort -u)
t_like "${#keys[@]}" '^(1[5-9]|[2-9][0-9])$' "the completion lists every command and verb (${#keys[@]})"

checked=0
for key in "${keys[@]}"; do
	opts=$(_orchestrator_options "$key")
	# A command with verbs is checked through its verbs; its own level only dispatches.
	if printf '%s\n' "${keys[@]}" | grep -q "^$key "; then
		t_run "$ORC" $key --help
		t_is "$T_RC" 0 "$key --help: exit 0"
		t_like "$T_OUT" "^usage: orchestrator $key <verb>" "$key --help: lists the verbs"
		t_run "$ORC" $key bogus
		t_is "$T_RC $(printf '%s\n' "$T_ERR" | wc -l)" "2 1" "$key bogus: exit 2, one line"
		continue
	fi
	t_run "$ORC" $key -h
	t_is "$T_RC" 0 "$key -h: exit 0"
	t_like "$(printf '%s\n' "$T_OUT" | head -1)" "^usage: (orchestrator $key|trigger_workflow)" "$key -h: usage on stdout"
	t_is "$T_ERR" "" "$key -h: nothing on stderr"
	t_run "$ORC" $key --definitely-not-an-option
	t_is "$T_RC $(printf '%s\n' "$T_ERR" | wc -l)" "2 1" "$key: an unknown option is exit 2 and one line"
	t_like "$T_ERR" "^error: orchestrator $key: unknown option '--definitely-not-an-option'; see 'orchestrator $key --help'$" "$key: the line says what and where to look"
	for word in $opts; do
		[[ $word == --* ]] || continue
		name=${word%=}
		[[ $name == --help ]] && continue
		# One letter too many: unknown, and the option meant is suggested.
		t_run "$ORC" $key "${name}x"
		if [[ $T_RC == 2 && $(printf '%s\n' "$T_ERR" | wc -l) == 1 && $T_ERR == *"unknown option '${name}x' (did you mean '$name'?)"* ]]; then
			t_pass "$key ${name}x: exit 2, one line, did you mean $name"
		else
			t_fail "$key ${name}x: exit 2, one line, did you mean $name" "exit $T_RC" "$T_ERR"
		fi
		if [[ $word == *= ]]; then
			t_run "$ORC" $key "$name"
			if [[ $T_RC == 2 && $T_ERR == "error: orchestrator $key: $name needs a value; see 'orchestrator $key --help'" ]]; then
				t_pass "$key $name without a value: says it needs one"
			else
				t_fail "$key $name without a value: says it needs one" "exit $T_RC" "$T_ERR"
			fi
		fi
		checked=$((checked + 1))
	done
done
t_like "$checked" '^[1-9][0-9]{2,}$' "every option of every command was checked ($checked)"

# The entry points.
t_run "$ORC" --version
t_like "$T_OUT" '^orchestrator [0-9]+\.[0-9]+\.[0-9]+$' "orchestrator --version"
ln -s "$ORC" "$T_TMP/trigger_workflow"
t_run "$T_TMP/trigger_workflow" --version
t_like "$T_OUT" '^trigger_workflow [0-9]+\.[0-9]+\.[0-9]+$' "trigger_workflow --version"
t_run "$T_TMP/trigger_workflow" --regoin x
t_like "$T_ERR" "^error: trigger_workflow: unknown option '--regoin' \(did you mean '--region'\?\); see 'trigger_workflow --help'$" "trigger_workflow names itself in errors"
t_run "$ORC" help run-task
t_is "$T_RC" 0 "help CMD: exit 0"
t_like "$(printf '%s\n' "$T_OUT" | head -1)" "^usage: orchestrator run-task" "help CMD shows the command's help"
t_run "$ORC" help snapshot restore
t_like "$T_OUT" "^usage: orchestrator snapshot <verb>" "help CMD with verbs lists them"
t_run "$ORC" snapshot help restore
t_like "$(printf '%s\n' "$T_OUT" | head -1)" "^usage: orchestrator snapshot restore" "snapshot help VERB"
t_run "$ORC" snapshto list
t_like "$T_ERR" "unknown command 'snapshto' \(did you mean 'snapshot'\?\)" "a misspelt command: did you mean"
t_is "$T_RC" 2 "a misspelt command: exit 2"
t_run "$ORC" bump-image -v 1.0
t_is "$T_RC" 2 "bump-image -v is --verbose now, not --version"
t_run "$ORC" run-task --timeout 0
t_like "$T_ERR" "--timeout '0': expected a whole number of at least 1" "an integer out of range is named"
t_run "$ORC" snapshot list --commit
t_is "$T_RC $T_ERR" "2 error: orchestrator snapshot list: --commit belongs to create; see 'orchestrator snapshot list --help'" "another verb's option: names the verb that takes it"
t_run "$ORC" snapshot restore --region us-west-2 --json
t_like "$T_ERR" "--json belongs to create, list" "--json names both verbs that take it"
t_run "$ORC" snapshot list --output xml
t_like "$T_ERR" "--output 'xml': expected one of text, json" "a choice out of range is named"

# Bash completion, as bash calls it.
complete_words() { # complete_words WORD... (the last one is being completed)
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_orchestrator
	((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
t_is "$(complete_words orchestrator snap)" "snapshot " "bash: a command"
t_is "$(complete_words orchestrator snapshot re)" "restore " "bash: a verb"
t_is "$(complete_words orchestrator snapshot list --ou)" "--output= " "bash: an option of the verb"
t_is "$(complete_words orchestrator snapshot list --output '')" "json text " "bash: the values of a choice"
t_is "$(complete_words orchestrator snapshot create --ke)" "" "bash: restore's option is not offered to create"
t_is "$(complete_words trigger_workflow run-m)" "run-migration " "bash: trigger_workflow's operations"
t_is "$(complete_words orchestrator run-task --region=us --no)" "--no-wait " "bash: after --opt=value"
t_is "$(complete_words orchestrator help bump)" "bump-image " "bash: help CMD"

# zsh: the script parses, and its tables hold the same options.
"$ORC" completion zsh >"$T_TMP/_orchestrator"
t_like "$(head -1 "$T_TMP/_orchestrator")" '^#compdef orchestrator trigger_workflow$' "zsh: a #compdef file"
if command -v zsh >/dev/null; then
	t_ok "zsh: the script parses" zsh -n "$T_TMP/_orchestrator"
	got=$(zsh -c "source <(sed '\$d' '$T_TMP/_orchestrator'); _orchestrator_options 'snapshot list'; print -l -- \$reply" | cut -d: -f1 | sort | tr '\n' ' ')
	t_like "$got" "--json --metadata --output " "zsh: snapshot list's options"
	got=$(zsh -c "source <(sed '\$d' '$T_TMP/_orchestrator'); _orchestrator_choices --output; print -- \$reply")
	t_is "$got" "text json" "zsh: the values of --output"
else
	t_fail "zsh is not installed (mk/deps.sh installs it for the tests)"
fi
t_run "$ORC" completion fish
t_is "$T_RC" 2 "completion for an unknown shell: exit 2"

# The man page.
"$ORC" manpage >"$T_TMP/orchestrator.1"
t_like "$(head -1 "$T_TMP/orchestrator.1")" '^\.TH ORCHESTRATOR 1' "manpage: a man(7) page"
man_text=$(MANWIDTH=100 man -l "$T_TMP/orchestrator.1" 2>"$T_TMP/man.err")
t_like "$man_text" "orchestrator snapshot restore" "manpage: every verb has its section"
t_like "$man_text" "--skip-final-snapshot" "manpage: with its options"
t_is "$(grep -v '^$' "$T_TMP/man.err" | head -3)" "" "manpage: man renders it without warnings"

t_done
