#!/usr/bin/env bash
# Menus on a terminal (a pseudo-terminal here): the verb, regions from config.json, the
# remote-tracking branches of the repository (libgit2), folders of infrastructure/.
source "$(dirname "$0")/../lib/tap.sh"
unset GITHUB_ACTIONS
export GITHUB_API_URL=http://127.0.0.1:9
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP

# A remote with three branches, and a clone of it that has origin/* and origin/HEAD.
# main is the default and the oldest; feature/x-1 has the newest commit, develop the next.
commit_at() { # commit_at BRANCH DATE
	git -C "$T_TMP/work" checkout -q -B "$1"
	GIT_COMMITTER_DATE="$2" GIT_AUTHOR_DATE="$2" git -C "$T_TMP/work" -c user.name=t -c user.email=t@e \
		commit -q --allow-empty -m "$1"
}
git init -q -b main "$T_TMP/work"
commit_at main "2024-01-01T10:00:00Z"
commit_at develop "2024-03-01T10:00:00Z"
git -C "$T_TMP/work" checkout -q main
commit_at feature/x-1 "2024-05-01T10:00:00Z"
git -C "$T_TMP/work" checkout -q main
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
t_like "$(printf '%s' "$T_ERR" | tr '\n' ' ')" "1\) main +\(default branch, 2024-01-01 10:00 UTC\) +2\) feature/x-1 +\(2024-05-01 10:00 UTC\) +3\) develop +\(2024-03-01 10:00 UTC\) " "branch menu: the default branch first, then by last commit, newest first"
t_unlike "$T_ERR" "HEAD|local-only" "branch menu: no origin/HEAD, no local-only branch"
t_like "$T_OUT" '"region":"eu-west-1","branch":"main"' "the request carries the chosen values"
menu 1 2 3 -- --dry-run
t_like "$T_OUT" '"branch":"develop"' "a branch chosen by number"

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

# A branch the remote does not have is refused, with or without a terminal, dry run or not.
t_run "$ORC" trigger run-migration --region us-west-2 --branch local-only --dry-run --config "$proj/config.json"
t_is "$T_RC" 2 "--branch that exists only in the clone: exit 2"
t_is "$T_ERR" "error: --branch local-only: origin has no branch local-only (as of this clone's last fetch): push it (git push -u origin local-only), or git fetch origin if someone else did" "one line naming the branch, the remote and the fix"
t_is "$T_OUT" "" "nothing printed as a request"
menu -- run-migration --branch nope --dry-run
t_is "$T_RC" 2 "--branch missing on the remote, on a terminal: exit 2"
t_unlike "$T_ERR" "Select the" "refused before the region menu"
# Pushed by someone else after the last fetch: refused until fetched (the clone is the source).
git -C "$T_TMP/work" push -q "$T_TMP/remote.git" main:refs/heads/hotfix
t_run "$ORC" trigger run-migration --region us-west-2 --branch hotfix --dry-run --config "$proj/config.json"
t_is "$T_RC" 2 "a branch not fetched yet: exit 2"
git -C "$proj" fetch -q origin
t_run "$ORC" trigger run-migration --region us-west-2 --branch hotfix --dry-run --config "$proj/config.json"
t_is "$T_RC" 0 "after git fetch: accepted"
# The remote that names githubOwner/githubRepo is read, not origin when origin is a fork.
mkdir -p "$T_TMP/gh/acme"
git clone -q --bare "$T_TMP/work" "$T_TMP/gh/acme/db.git"
git -C "$T_TMP/work" push -q "$T_TMP/gh/acme/db.git" main:refs/heads/only-upstream
git clone -q -o fork "$T_TMP/remote.git" "$T_TMP/forked"
git -C "$T_TMP/forked" remote add origin "$T_TMP/other.git"
git -C "$T_TMP/forked" remote add github "file://$T_TMP/gh/acme/db.git"
git -C "$T_TMP/forked" fetch -q github
cp "$proj/config.json" "$T_TMP/forked/config.json"
t_run "$ORC" trigger run-migration --region us-west-2 --branch only-upstream --dry-run --config "$T_TMP/forked/config.json"
t_is "$T_RC" 0 "the remote whose URL ends in acme/db is the one read"
t_run "$ORC" trigger run-migration --region us-west-2 --branch develop --dry-run --config "$T_TMP/forked/config.json"
t_is "$T_RC" 0 "develop is there too"
t_run "$ORC" trigger run-migration --region us-west-2 --branch hotfix --dry-run --config "$T_TMP/forked/config.json"
t_is "$T_RC" 2 "a branch only the fork has is refused"
t_like "$T_ERR" "github has no branch hotfix" "and the remote read is named"
# Outside a clone the branch cannot be checked: a warning, not a refusal.
mkdir -p "$T_TMP/bare-dir" && cp "$proj/config.json" "$T_TMP/bare-dir/"
t_run env GIT_CEILING_DIRECTORIES="$T_TMP" "$ORC" trigger run-migration --region us-west-2 --branch main --dry-run --config "$T_TMP/bare-dir/config.json"
t_is "$T_RC" 0 "outside a git clone: exit 0"
t_like "$T_ERR" "warning: cannot check that branch main exists on the remote: .* is not inside a git clone of acme/db" "with a warning saying why"

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

# Before the first menu, when sending for real: config.json's CHANGE ME values and the token.
# Nothing is asked when the request could not be sent anyway.
source "$ROOT/tests/github/lib.sh"
gh_start
export NO_COLOR=1 # the lines below are matched as text
unset GH_TOKEN GITHUB_TOKEN
export PATH="$T_TMP/no-gh:$PATH" # a gh CLI that is not logged in
mkdir -p "$T_TMP/no-gh" && printf '#!/bin/sh\nexit 1\n' >"$T_TMP/no-gh/gh" && chmod +x "$T_TMP/no-gh/gh"
cat >"$proj/config.json" <<'J'
{"githubOwner": "CHANGE ME", "githubRepo": "db", "githubTokenName": "MENU_TOKEN",
 "infrastructure": {"us-west-2": {"terraformBucket": "b1"}, "eu-west-1": {"terraformBucket": "b2"}}}
J
export MENU_TOKEN=ghp_menutoken0123456789
menu 1 1 main --
t_is "$T_RC" 2 "githubOwner CHANGE ME: exit 2 before any menu"
t_unlike "$T_ERR" "Select the" "githubOwner CHANGE ME: no menu was shown"
t_like "$T_ERR" "error: githubOwner: still \"CHANGE ME\", and trigger_workflow needs a real value \(set it in .*config\.json\)" "names the key and the fix"
t_is "$(printf '%s\n' "$T_ERR" | grep -c .)" 1 "in one line"

cp "$T_TMP/two-regions.json" "$proj/config.json"
sed -i 's/"db",/"db", "githubTokenName": "MENU_TOKEN",/' "$proj/config.json"
unset MENU_TOKEN
menu 1 1 main --
t_is "$T_RC" 2 "no token anywhere: exit 2 before any menu"
t_unlike "$T_ERR" "Select the" "no token: no menu was shown"
t_like "$T_ERR" "error: MENU_TOKEN is not set: export a GitHub token that can dispatch to acme/db \(githubTokenName in .*config\.json names this variable; GH_TOKEN, GITHUB_TOKEN or a logged-in gh CLI also do\)" "names the variable and the fix"
t_is "$(printf '%s\n' "$T_ERR" | grep -c .)" 1 "in one line"
export MENU_TOKEN=ghp_menutoken0123456789

# A verb named on the command line whose values are CHANGE ME in every region: refused first.
sed 's/"b1"/"CHANGE ME"/; s/"b2"/"CHANGE ME"/' "$T_TMP/two-regions.json" >"$proj/config.json"
sed -i 's/"db",/"db", "githubTokenName": "MENU_TOKEN",/' "$proj/config.json"
menu network -- deploy-infrastructure
t_is "$T_RC" 2 "deploy-infrastructure with terraformBucket CHANGE ME everywhere: exit 2"
t_unlike "$T_ERR" "Select the" "and no menu first"
t_like "$T_ERR" "infrastructure\[\"us-west-2\"\]\.terraformBucket: still \"CHANGE ME\", and deploy-infrastructure needs" "names the first region's key"
t_like "$T_ERR" "infrastructure\[\"eu-west-1\"\]\.terraformBucket: still \"CHANGE ME\"" "and the other's"
# The verb menu offers only what can be sent; the others are named once.
gh_script '["204"]'
menu 1 1 main --
t_is "$T_RC" 0 "verb menu with some verbs held back: the chosen one is sent"
t_like "$T_ERR" "warning: not offered until .*config\.json has real values for them: deploy-infrastructure, destroy-infrastructure, build-image" "the verbs held back are named"
t_unlike "$(printf '%s\n' "$T_ERR" | grep '^  [0-9]')" "deploy-infrastructure|build-image" "and not in the menu"
t_is "$(gh_count)" 1 "one request sent"
t_is "$(gh_field 'r[0]["body"]["event_type"]')" "run-migration" "the verb chosen"
# One region ready among two: taken without asking, and the other is said.
sed 's/"b2"/"CHANGE ME"/' "$T_TMP/two-regions.json" >"$proj/config.json"
sed -i 's/"db",/"db", "githubTokenName": "MENU_TOKEN",/' "$proj/config.json"
gh_script '["204"]'
menu -- deploy-infrastructure --folder network
t_is "$T_RC" 0 "one region ready: sent without a region menu"
t_unlike "$T_ERR" "Select the region" "no region menu"
t_like "$T_ERR" "warning: region eu-west-1 not offered: .*config\.json still has CHANGE ME values deploy-infrastructure needs" "the region held back is said"
t_like "$T_OUT" "region: us-west-2 \(the only one of .*config\.json ready for deploy-infrastructure\)" "the region taken is said"
t_is "$(gh_field 'r[0]["body"]["client_payload"]["region"]')" "us-west-2" "and sent"
t_run "$ORC" trigger deploy-infrastructure --region eu-west-1 --folder network --config "$proj/config.json"
t_is "$T_RC" 2 "the region held back, named with --region: exit 2"
cp "$T_TMP/two-regions.json" "$proj/config.json"

t_done
