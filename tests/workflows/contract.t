#!/usr/bin/env bash
# The workflow contract: every workflow in .github/workflows/ listens only to verbs that
# trigger_workflow sends, reads only payload keys that verb carries, keeps github.event
# out of run: scripts, and passes @action-validator/cli. The verbs and keys come from the
# binary (one table in C); fixtures prove each rule rejects what it should.
source "$(dirname "$0")/../lib/tap.sh"
unset GITHUB_ACTIONS
export GITHUB_API_URL=http://127.0.0.1:9
VALIDATOR=$ROOT/tests/node_modules/.bin/action-validator
CONTRACT=$ROOT/tests/workflows/contract.py
FIX=$ROOT/tests/workflows/fixtures
events=$T_TMP/events.json

t_ok "trigger --list-events" sh -c "'$ORC' trigger --list-events >'$events'"
t_ok "action-validator is installed (make test-deps)" test -x "$VALIDATOR"

# The list matches what dry runs really put in each payload.
proj=$T_TMP/proj
mkdir -p "$proj/infrastructure/network" && touch "$proj/infrastructure/network/main.tf"
echo '{"githubOwner":"o","githubRepo":"r","dockerOwner":"o","dockerRepo":"d","infrastructure":{"us-west-2":{"terraformBucket":"b"}}}' >"$proj/config.json"
for verb in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$events"); do
	args=()
	for key in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[sys.argv[2]]["payload"]))' "$events" "$verb"); do
		case $key in
		region) args+=(--region us-west-2) ;;
		branch) args+=(--branch main) ;;
		snapshot) args+=(--snapshot snap-1) ;;
		folder) args+=(--folder network) ;;
		source) args+=(--source cluster:old-db) ;;
		target) args+=(--target secret:prod/db) ;;
		esac
	done
	t_run "$ORC" trigger "$verb" "${args[@]}" --config "$proj/config.json" --dry-run
	got=$(printf '%s\n' "$T_OUT" | tail -1 | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["client_payload"]))')
	want=$(python3 -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))[sys.argv[2]]["payload"]))' "$events" "$verb")
	t_is "$got" "$want" "$verb: --list-events payload keys are what a dry run sends"
done

# The project's own workflows (other issues add them; none yet is fine).
shopt -s nullglob
workflows=("$ROOT"/.github/workflows/*.yml "$ROOT"/.github/workflows/*.yaml)
t_ok "contract holds for the ${#workflows[@]} workflow(s) in .github/workflows" python3 "$CONTRACT" "$events" "${workflows[@]}"
[ "$T_RC" -eq 0 ] || printf '%s\n' "$T_OUT" | sed 's/^/# /'
for wf in "${workflows[@]}"; do
	t_ok "action-validator: ${wf#"$ROOT"/}" "$VALIDATOR" "$wf"
	[ "$T_RC" -eq 0 ] || printf '%s\n' "$T_OUT" | head -30 | sed 's/^/# /'
done

# The composite actions the workflows share are validated too.
for action in "$ROOT"/.github/actions/*/action.yml "$ROOT"/.github/actions/*/action.yaml; do
	t_ok "action-validator: ${action#"$ROOT"/}" "$VALIDATOR" "$action"
	[ "$T_RC" -eq 0 ] || printf '%s\n' "$T_OUT" | head -30 | sed 's/^/# /'
done

# Fixtures: the good ones pass both checks, each bad one is rejected for its reason.
for wf in "$FIX"/good/*.yml; do
	t_ok "fixture ${wf#"$FIX"/} keeps the contract" python3 "$CONTRACT" "$events" "$wf"
	t_ok "fixture ${wf#"$FIX"/} passes action-validator" "$VALIDATOR" "$wf"
done
for wf in "$FIX"/bad/*.yml; do
	name=${wf#"$FIX"/}
	expect=$(sed -n 's/^# expect: //p' "$wf")
	vexpect=$(sed -n 's/^# expect-validator: //p' "$wf")
	if [ -n "$expect" ]; then
		t_run python3 "$CONTRACT" "$events" "$wf"
		t_is "$T_RC" 1 "fixture $name breaks the contract"
		t_like "$T_OUT" "$expect" "fixture $name: rejected because: $expect"
	fi
	if [ -n "$vexpect" ]; then
		t_run "$VALIDATOR" "$wf"
		t_is "$T_RC" 1 "fixture $name fails action-validator"
		t_like "$T_OUT$T_ERR" "$vexpect" "fixture $name: $vexpect"
	fi
done

t_done
