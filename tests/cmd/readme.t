#!/usr/bin/env bash
# README's command reference against the option tables (learned from the binary's bash
# completion): each option a command takes is named in that command's section, and the
# options every command shares in "Options every command shares".
source "$(dirname "$0")/../lib/tap.sh"
"$ORC" completion bash >"$T_TMP/completion.bash" || exit 1
# shellcheck source=/dev/null
source "$T_TMP/completion.bash"

# section HEADING: the README text from the "### HEADING" line to the next "### " heading.
section() { awk -v h="### $1" '$0 == h {on = 1; print; next} on && /^##+ / {exit} on' "$ROOT/README.md"; }
shared=$(section "Options every command shares")
t_like "$shared" "--output json" "README has the shared options section"
common=" --help --verbose --quiet --config --region --output --json "
for c in --help --verbose --quiet --config --region --output --json; do
	t_like "$shared" "$c([^a-z-]|$)" "shared section names $c"
done

heading_of() {
	case $1 in
	trigger) echo trigger_workflow ;;
	"config check") echo "orchestrator config check" ;;
	migrate | info | validate | baseline | repair | clean) echo "orchestrator migrate, info, validate, baseline, repair" ;;
	snapshot\ *) echo "orchestrator snapshot" ;;
	completion | manpage) echo "Options every command shares" ;;
	*) echo "orchestrator $1" ;;
	esac
}
while IFS= read -r key; do
	text=$(section "$(heading_of "$key")")
	# migrate's task options have their own subsection.
	[[ $key == migrate ]] && text+=$(section "orchestrator migrate --git-branch (inside the Fargate task)")
	[[ $key =~ ^(info|validate|baseline|repair|clean)$ ]] && continue # the same table as migrate
	[[ -z $(_orchestrator_options "$key") ]] && continue        # a dispatcher: its verbs have the options
	t_like "$text" "." "README has a section for $key"
	for w in $(_orchestrator_options "$key"); do
		name=${w%=}
		[[ $name == --* && $common != *" $name "* ]] || continue
		t_like "$text" "$name" "README's $key section names $name"
	done
done < <(sed -n "s/^\t'\([a-z -]*\)') echo .*/\1/p" "$T_TMP/completion.bash" | sort -u)
t_done
