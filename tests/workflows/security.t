#!/usr/bin/env bash
# Supply chain and injection rules of the workflows and the composite action (security.py):
# actions pinned by commit SHA and kept up to date by Dependabot, random delimiters for
# multi-line outputs, a concurrency group per operation and region, the runner image in the
# build cache key. Each rule is shown to fail on a broken copy.
source "$(dirname "$0")/../lib/tap.sh"
CHECK=$ROOT/tests/workflows/security.py
if ! python3 -c 'import yaml' 2>/dev/null; then
	t_fail "python3 can import yaml (Debian: python3-yaml)"
	t_done; exit
fi
t_ok "the workflows and actions follow the rules" python3 "$CHECK" "$ROOT"

copy() { rm -rf "$T_TMP/r"; mkdir -p "$T_TMP/r"; cp -r "$ROOT/.github" "$T_TMP/r/"; }
expect() { # DESC PATTERN
	t_run python3 "$CHECK" "$T_TMP/r"
	t_like "$T_OUT" "$2" "$1"
}
W=$T_TMP/r/.github/workflows
copy; sed -i 's|uses: actions/checkout@[0-9a-f]* # v.*|uses: actions/checkout@v4|' "$W/run-migration.yml"
expect "an action pinned by tag is refused" "run-migration.yml: line [0-9]+: 'actions/checkout@v4' is not pinned"
copy; sed -i 's|uses: actions/cache@\([0-9a-f]*\) # v.*|uses: actions/cache@\1|' "$T_TMP/r/.github/actions/setup-orchestrator/action.yml"
expect "a SHA without its tag in a comment is refused" "setup-orchestrator/action.yml: line [0-9]+: 'actions/cache@[0-9a-f]{40}' is not pinned"
copy; sed -i 's|@[0-9a-f]\{40\} # v3.7.0|@c94ce9f # v3.7.0|' "$W/build-image.yml"
expect "a short SHA is refused" "build-image.yml: line [0-9]+: 'docker/login-action@c94ce9f # v3.7.0' is not pinned"
copy; rm "$T_TMP/r/.github/dependabot.yml"
expect "no Dependabot config is refused" "dependabot.yml: missing"
copy; sed -i '/setup-orchestrator"$/d' "$T_TMP/r/.github/dependabot.yml"
expect "Dependabot not covering the composite action is refused" "github-actions updates do not cover /.github/actions/setup-orchestrator"
copy; sed -i 's/echo "tags<<$delim"/echo "tags<<EOF"/' "$W/build-image.yml"
expect "a fixed output delimiter is refused" "build-image.yml: step 'Image name and tags': fixed delimiter <<EOF"
copy; sed -i 's/group: restore-snapshot-/group: create-snapshot-/' "$W/restore-snapshot.yml"
expect "a group shared by two operations is refused" "concurrency group 'create-snapshot-\*' shared by create-snapshot.yml, restore-snapshot.yml"
copy; sed -i 's/group: migration-\${{ github.event.client_payload.region }}/group: migration/' "$W/run-migration.yml"
expect "a group not per region is refused" "run-migration.yml: concurrency group 'migration' is not per region"
copy; sed -i 's/cancel-in-progress: false/cancel-in-progress: true/' "$W/create-snapshot.yml"
expect "cancelling a run in progress is refused" "create-snapshot.yml: concurrency must not cancel a run in progress"
copy; sed -i 's/-\${{ env.ImageOS }}-\${{ env.ImageVersion }}//' "$T_TMP/r/.github/actions/setup-orchestrator/action.yml"
expect "a cache key without the runner image is refused" "action.yml: cache key .* does not name the runner image"

t_done
