#!/usr/bin/env bash
# orchestrator config check: every problem at once with its JSON path and fix, did-you-mean
# for unknown keys, invalid JSON with line and column, CHANGE ME where an operation needs a
# real value; and config.schema.json agreeing with the C checker on good and bad files.
source "$(dirname "$0")/../lib/tap.sh"
unset GITHUB_ACTIONS
cases=$ROOT/tests/config/cases

t_run "$ORC" config check --config "$ROOT/config.json"
t_is "$T_RC" 0 "the sample config.json passes"
t_like "$T_OUT" "OK \(1 region: us-west-2\)" "says OK with its regions"
t_like "$T_ERR" "warning: .*githubOwner: still CHANGE ME; set it before trigger_workflow" "lists CHANGE ME values as warnings"
t_like "$T_ERR" "terraformBucket: still CHANGE ME; set it before deploy-infrastructure, destroy-infrastructure" "names the operations that need each"

# The schema and the C checker agree on every case.
schema_out=$(python3 "$ROOT/tests/config/schema_check.py" "$ROOT/config.schema.json" "$ROOT/config.json" "$cases"/good/*.json "$cases"/bad/*.json)
t_like "$schema_out" "config.json valid" "config.schema.json is a valid 2020-12 schema and accepts the sample"
for f in "$cases"/good/*.json "$cases"/bad/*.json; do
	name=${f#"$cases"/}
	t_run "$ORC" config check --config "$f"
	c_says=$([ "$T_RC" -eq 0 ] && echo valid || echo invalid)
	s_says=$(printf '%s\n' "$schema_out" | grep -F "$f " | awk '{print $2}' | tr -d :)
	want=${name%%/*}; want=${want/good/valid}; want=${want/bad/invalid}
	t_is "$c_says/$s_says" "$want/$want" "$name: C checker and schema agree ($want)"
	if [ "$want" = invalid ]; then t_is "$T_RC" 2 "$name: exit 2"; fi
done

# A value with a control character would start another $GITHUB_OUTPUT entry: refused, named.
t_run "$ORC" config check --config "$cases/bad/control-characters.json"
t_like "$T_ERR" 'dockerOwner: holds a control character \(newline, CR, tab...\); the workflows write config values to \$GITHUB_OUTPUT' "a newline in a value is refused, naming the key"
t_like "$T_ERR" 'flywayTask\.taskCommand\[1\]: holds a control character' "in a list item too, with its index"

# Messages: all problems at once, each with its path and what is expected.
cat >"$T_TMP/many.json" <<'J'
{"githubOwner": 3,
 "dockerRepoo": "x",
 "infrastructure": {"us-west-2": {"flywayTask": {"taskDefinitonFamily": "f", "taskSubnets": 5,
   "isPublicSubnet": "yes", "taskLaunchType": "fargate"}}}}
J
t_run "$ORC" config check --config "$T_TMP/many.json"
t_is "$T_RC" 2 "problems: exit 2"
t_is "$(printf '%s\n' "$T_ERR" | grep -c '^error: ')" 7 "six problems and a summary, one line each"
t_like "$T_ERR" "infrastructure\[\"us-west-2\"\]\.flywayTask\.taskSubnets: expected a comma-separated string of subnet names, got a number" "type error with path and expectation"
t_like "$T_ERR" "flywayTask\.taskDefinitonFamily: unknown key \(did you mean \"taskDefinitionFamily\"\?\)" "did-you-mean nested"
t_like "$T_ERR" "dockerRepoo: unknown key \(did you mean \"dockerRepo\"\?\)" "did-you-mean top level"
t_like "$T_ERR" "githubOwner: expected a string naming the GitHub user or organization, got a number" "top-level type error"
t_like "$T_ERR" "taskLaunchType: expected \"FARGATE\" or \"EC2\", got \"fargate\"" "enum value"
t_like "$T_ERR" "6 problems; fix them and run again" "summary counts them"
t_run "$ORC" config check --config "$cases/bad/command-number.json"
t_like "$T_ERR" "flywayTask\.taskCommand\[1\]: expected a string .*got a number" "array item path"
echo '{"zzzzqqq": 1}' >"$T_TMP/unknown.json"
t_run "$ORC" config check --config "$T_TMP/unknown.json"
t_like "$T_ERR" "zzzzqqq: unknown key \(remove it, or check its spelling\)" "unknown key with no close match"

echo '{"githubOwner": "a", "githubOwner": "b", "infrastructure": {"us-west-2": {}, "us-west-2": {"auroraDB": {}}}}' >"$T_TMP/dup.json"
t_run "$ORC" config check --config "$T_TMP/dup.json"
t_is "$T_RC" 2 "repeated keys: exit 2"
t_like "$T_ERR" "githubOwner: key appears twice in the same object" "repeated key named"
t_like "$T_ERR" "infrastructure\[\"us-west-2\"\]: region appears twice" "repeated region named"

printf '{\n  "githubOwner": "a",\n  "githubRepo" "b"\n}\n' >"$T_TMP/syntax.json"
t_run "$ORC" config check --config "$T_TMP/syntax.json"
t_is "$T_RC" 2 "invalid JSON: exit 2"
t_like "$T_ERR" "syntax.json:3:16: invalid JSON" "invalid JSON: line and column"
t_run "$ORC" config check --config "$T_TMP/missing.json"
t_is "$T_RC" 2 "missing file: exit 2"
t_like "$T_ERR" "missing.json: no such file .*--config" "missing file: says what to do"

# CHANGE ME is an error for an operation that needs the value.
t_run "$ORC" config check --config "$ROOT/config.json" --operation deploy-infrastructure --region us-west-2
t_is "$T_RC" 2 "terraformBucket CHANGE ME for deploy-infrastructure: exit 2"
t_like "$T_ERR" "infrastructure\[\"us-west-2\"\]\.terraformBucket: still \"CHANGE ME\", and deploy-infrastructure needs a real value" "names key and operation"
t_run "$ORC" config check --config "$ROOT/config.json" --operation run_migration --region us-west-2
t_is "$T_RC" 0 "run-migration (alias) needs nothing the sample leaves CHANGE ME"
t_run "$ORC" config check --config "$ROOT/config.json" --operation build-image
t_is "$T_RC" 2 "build-image with CHANGE ME docker owner: exit 2"
t_like "$T_ERR" "dockerOwner: still \"CHANGE ME\", and build-image needs" "build-image names dockerOwner"
echo '{"infrastructure": {"us-west-2": {"terraformBucket": "CHANGE ME"}, "eu-west-1": {"terraformBucket": "tf"}}}' >"$T_TMP/two.json"
t_run "$ORC" config check --config "$T_TMP/two.json" --operation destroy-infrastructure --region eu-west-1
t_is "$T_RC" 0 "only the requested region's values count"
t_run "$ORC" config check --config "$T_TMP/two.json" --operation destroy-infrastructure
t_is "$T_RC" 2 "without --region every region's values count"
t_run "$ORC" config check --config "$T_TMP/two.json" --operation destroy-infrastructure --region ap-east-1
t_like "$T_ERR" "--region ap-east-1: not a key of \"infrastructure\"" "unknown region named"
t_run "$ORC" config check --operation nope
t_is "$T_RC" 2 "unknown operation: exit 2"
t_run "$ORC" config lint
t_is "$T_RC" 2 "unknown subcommand: exit 2"

# Inside GitHub Actions each problem is an error annotation on the file.
t_run env GITHUB_ACTIONS=true "$ORC" config check --config "$T_TMP/many.json"
t_like "$T_OUT" "::error file=$T_TMP/many.json::.*taskSubnets: expected" "Actions: ::error file=...:: annotation"

t_done
