#!/usr/bin/env bash
# Menus on a terminal (a pseudo-terminal here): the verb, regions from config.json, the
# remote-tracking branches of the repository (libgit2), folders of infrastructure/.
source "$(dirname "$0")/../lib/tap.sh"
unset GITHUB_ACTIONS
export GITHUB_API_URL=http://127.0.0.1:9
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP

# A remote with three branches, and a clone of it that has origin/* and origin/HEAD.
git init -q -b main "$T_TMP/work"
git -C "$T_TMP/work" -c user.name=t -c user.email=t@e commit -q --allow-empty -m init
git -C "$T_TMP/work" branch develop
git -C "$T_TMP/work" branch feature/x-1
git clone -q --bare "$T_TMP/work" "$T_TMP/remote.git"
git clone -q "$T_TMP/remote.git" "$T_TMP/proj"
git -C "$T_TMP/proj" branch local-only
proj=$T_TMP/proj
mkdir -p "$proj/infrastructure/network" "$proj/infrastructure/database" "$proj/infrastructure/.terraform" \
	"$proj/infrastructure/examples"
touch "$proj/infrastructure/network/main.tf" "$proj/infrastructure/database/variables.tf" \
	"$proj/infrastructure/examples/taskdef.json"
cat >"$proj/config.json" <<'J'
{"githubOwner": "acme", "githubRepo": "db",
 "infrastructure": {"us-west-2": {"terraformBucket": "b1"}, "eu-west-1": {"terraformBucket": "b2"}}}
J

# menu ANSWERS... : runs trigger on a pty from the project directory, answering prompts.
menu() {
	local answers=()
	while [ "$1" != "--" ]; do answers+=("$1"); shift; done
	shift
	(cd "$proj" && python3 "$ROOT/tests/trigger/pty_run.py" "$T_TMP" "${answers[@]}" -- "$ORC" trigger "$@")
	T_RC=$(cat "$T_TMP/rc"); T_OUT=$(cat "$T_TMP/stdout"); T_ERR=$(cat "$T_TMP/terminal")
}

menu 1 2 main -- --dry-run
t_is "$T_RC" 0 "verb, region and branch chosen from menus"
t_like "$T_ERR" "Select the operation:" "verb menu shown"
t_like "$T_ERR" "1\) run-migration" "verb menu lists run-migration first"
t_like "$(printf "%s" "$T_ERR" | tr "\n" " ")" "1\) us-west-2 +2\) eu-west-1 +3\) all " "region menu: config order, then all"
t_like "$(printf '%s' "$T_ERR" | tr '\n' ' ')" "1\) develop +2\) feature/x-1 +3\) main " "branch menu: remote-tracking branches, sorted"
t_unlike "$T_ERR" "HEAD|local-only" "branch menu: no origin/HEAD, no local-only branch"
t_like "$T_OUT" '"region":"eu-west-1","branch":"main"' "the request carries the chosen values"

menu 9 nope 2 -- deploy-infrastructure --region us-west-2 --dry-run
t_is "$T_RC" 0 "folder chosen after two wrong answers"
t_like "$T_ERR" "\"9\" is not one of the choices; type a number from 1 to 2" "a wrong answer asks again"
t_unlike "$T_ERR" "\.terraform" "hidden folders are not offered"
t_unlike "$T_ERR" "examples" "a folder without .tf files (examples) is not offered"
t_like "$T_OUT" '"folder":"network"' "folder menu: database, network sorted; 2 is network"

menu 3 -- run-migration --branch main --dry-run
t_is "$(printf '%s\n' "$T_OUT" | grep -c '^POST ')" 2 "choosing all sends one request per region"

menu 1 -- --folder network --dry-run
t_is "$T_RC" 2 "a flag the verb chosen from the menu does not carry: exit 2"
t_like "$T_ERR" "--folder does not apply to run-migration" "the flag is named"

menu EOF -- run-migration --region us-west-2 --dry-run
t_is "$T_RC" 2 "end of input at a menu: exit 2"
t_like "$T_ERR" "no branch chosen \(pass --branch\)" "end of input names the flag"

# One region in config.json: chosen without asking, on a terminal or not, and said.
cp "$proj/config.json" "$T_TMP/two-regions.json"
cat >"$proj/config.json" <<'J'
{"githubOwner": "acme", "githubRepo": "db", "infrastructure": {"eu-west-1": {"terraformBucket": "b2"}}}
J
menu main -- run-migration --dry-run
t_is "$T_RC" 0 "one region: only the branch is asked"
t_unlike "$T_ERR" "Select the region" "no region menu"
t_like "$T_OUT" "region: eu-west-1 \(the only one in config\.json\)" "the chosen region is said"
t_like "$T_OUT" '"region":"eu-west-1","branch":"main"' "the request carries it"
t_run "$ORC" trigger run-migration --branch main --dry-run --config "$proj/config.json"
t_is "$T_RC" 0 "one region without a terminal: exit 0"
t_like "$T_OUT" '"region":"eu-west-1"' "and the region is in the request"
cp "$T_TMP/two-regions.json" "$proj/config.json"

t_done
