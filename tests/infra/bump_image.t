#!/usr/bin/env bash
# orchestrator bump-image on real git repositories: a work tree cloned from a bare remote.
source "$(dirname "$0")/../lib/tap.sh"
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP/home
mkdir -p "$HOME"
git config --global user.name tester && git config --global user.email tester@example.com
git config --global init.defaultBranch main

# a repository with two regions; eu-west-1's file has comments and odd spacing to keep
setup_repo() {
	rm -rf "$T_TMP/remote.git" "$T_TMP/seed" "$T_TMP/work"
	git init -q --bare "$T_TMP/remote.git"
	mkdir -p "$T_TMP/seed" && cd "$T_TMP/seed" || exit 1
	git init -q
	cp -r "$ROOT/infrastructure" .
	python3 - "$ROOT/config.json" config.json <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["infrastructure"]["eu-west-1"] = json.loads(json.dumps(c["infrastructure"]["us-west-2"]))
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
	printf '%s\n' '# eu-west-1 migration task' 'region = "eu-west-1"' '' \
		'app_version   =   "0.0.0"   # bumped by build-image' '/* keep me */ cpu = 256' >infrastructure/migration-task/var-files/eu-west-1.tfvars
	git add -A && git commit -qm seed && git remote add origin "$T_TMP/remote.git" && git push -q origin main
	git clone -q "$T_TMP/remote.git" "$T_TMP/work"
	cd "$T_TMP/work" || exit 1
}
commits() { git -C "$1" rev-list --count HEAD; }
US=infrastructure/migration-task/var-files/us-west-2.tfvars
EU=infrastructure/migration-task/var-files/eu-west-1.tfvars

setup_repo
us_before=$(cat "$US") eu_before=$(cat "$EU")
t_ok "bump-image --commit --push succeeds" "$ORC" bump-image --version 1.4.0-8812 --commit --push
t_like "$T_OUT" 'us-west-2: app_version "0.0.0" -> "1.4.0-8812"' "reports us-west-2"
t_like "$T_OUT" 'eu-west-1: app_version "0.0.0" -> "1.4.0-8812"' "reports eu-west-1"
t_is "$(commits .)" 2 "exactly one commit"
t_is "$(git log -1 --format='%an <%ae>|%cn <%ce>')" "aurora-gitbot <aurora.gitbot@example.com>|aurora-gitbot <aurora.gitbot@example.com>" "as the gitbot"
t_is "$(git show --numstat --format= HEAD | sort)" "$(printf '1\t1\t%s\n1\t1\t%s' "$EU" "$US")" "one line changed in each region's file, nothing else"
t_is "$(cat "$US")" "${us_before/app_version         = \"0.0.0\"/app_version         = \"1.4.0-8812\"}" "us-west-2 file byte for byte but the value"
t_is "$(cat "$EU")" "${eu_before/\"0.0.0\"/\"1.4.0-8812\"}" "eu-west-1 keeps comments and spacing"
t_is "$(git -C "$T_TMP/remote.git" rev-parse main)" "$(git rev-parse HEAD)" "pushed to the remote"
t_is "$(git status --porcelain)" "" "work tree clean afterwards"

t_ok "the same version again succeeds" "$ORC" bump-image --version 1.4.0-8812 --commit --push
t_like "$T_OUT" "nothing to commit" "says there is nothing to commit"
t_is "$(commits .)" 2 "and makes no second commit"

# GitHub Actions outputs
export GITHUB_ACTIONS=true GITHUB_OUTPUT=$T_TMP/gh-output GITHUB_STEP_SUMMARY=$T_TMP/gh-summary
: >"$GITHUB_OUTPUT"
t_ok "a new version in Actions" "$ORC" bump-image --version 1.5.0 --commit
t_like "$(cat "$GITHUB_OUTPUT")" "changed=true" "changed=true in GITHUB_OUTPUT"
t_like "$(cat "$GITHUB_OUTPUT")" "commit=$(git rev-parse HEAD)" "the commit in GITHUB_OUTPUT"
t_like "$(cat "$GITHUB_STEP_SUMMARY")" 'Migration image `1.5.0`: 2 of 2 regions changed' "a step summary"
unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY

# without --commit: files change, no commit
setup_repo
t_ok "without --commit" "$ORC" bump-image --version 2.0.0
t_is "$(commits .)" 1 "no commit"
t_is "$(git status --porcelain | sort | tr '\n' ' ')" " M $EU  M $US " "both files changed in the work tree"

# the remote moved on meanwhile: the push is retried on top of it
setup_repo
git clone -q "$T_TMP/remote.git" "$T_TMP/other"
(cd "$T_TMP/other" && echo "# other" >>README.md && git add README.md && git commit -qm other && git push -q origin main)
t_ok "a rejected push is retried on the remote's tip" "$ORC" bump-image --version 3.0.0 --push
t_like "$T_ERR" "push rejected" "says it retried"
t_is "$(git -C "$T_TMP/remote.git" log --format=%s main | tr '\n' '|')" "bump-image: migration image 3.0.0|other|seed|" "remote has the other commit and ours on top"
rm -rf "$T_TMP/other"

# all or nothing: a file this reader refuses stops everything before any write
setup_repo
printf 'region = "eu-west-1"\napp_version = <<EOF\n0.0.0\nEOF\n' >"$EU"
us_before=$(cat "$US")
t_run "$ORC" bump-image --version 4.0.0 --commit
t_is "$T_RC" 2 "a heredoc app_version exits 2"
t_like "$T_ERR" "$EU:2: app_version: heredoc" "naming file, line and key"
t_is "$(cat "$US")" "$us_before" "the other region's file is untouched"
t_is "$(commits .)" 1 "no commit"

setup_repo
rm "$EU"
t_run "$ORC" bump-image --version 4.0.0
t_is "$T_RC" 2 "a region without a migration-task var-file exits 2"
t_like "$T_ERR" "$EU: missing, but config.json has region eu-west-1" "naming the file and region"

t_run "$ORC" bump-image --version '1.0;rm -rf /'
t_is "$T_RC" 2 "a version that is not a Docker tag exits 2"
t_like "$T_ERR" "is not a Docker tag" "and says why"
t_run "$ORC" bump-image
t_is "$T_RC" 2 "--version is required"

if command -v terraform >/dev/null 2>&1; then
	setup_repo
	"$ORC" bump-image --version 9.9.9-123456789 >/dev/null
	t_ok "terraform fmt is still clean after a bump" env TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check "$US"
else
	t_fail "terraform is on PATH (for the fmt check after a bump)"
fi
t_done
