#!/usr/bin/env bash
# infrastructure/examples/init-container-taskdef.json: the ECS init-container pattern as
# the README describes it. The migration container is not essential and the application
# container starts only after it exited 0 (dependsOn SUCCESS), so a failed migration
# (exit 1, 2 or 3) keeps the old application version from starting on a half-migrated
# schema. Checked with jq: the file's structure, not a stand-in ECS.
source "$(dirname "$0")/../lib/tap.sh"
f=$ROOT/infrastructure/examples/init-container-taskdef.json
q() { jq -r "$1" "$f"; }
t_ok "the example is valid JSON" jq -e . "$f"
t_is "$(q '.containerDefinitions[] | select(.name == "migrations") | .essential')" false \
	"the migration container is not essential"
t_is "$(q '.containerDefinitions[] | select(.name == "migrations") | .command[0:4] | join(" ")')" \
	"orchestrator migrate --git-branch main" "it runs orchestrator migrate --git-branch (the image has no entrypoint)"
t_is "$(q '[.containerDefinitions[] | select(.essential == true) | .dependsOn[]? | select(.containerName == "migrations") | .condition] | join(",")')" \
	SUCCESS "the essential app container depends on it with condition SUCCESS"
t_is "$(q '.requiresCompatibilities | join(",")'),$(q .networkMode)" "FARGATE,awsvpc" "a Fargate task (awsvpc)"
t_is "$(q '[.containerDefinitions[] | select(.name == "migrations") | .mountPoints[] | select(.containerPath == "/tmp")] | length')" 1 \
	"read-only root file system with a writable /tmp for the clone"
t_unlike "$(cat "$f")" '"(password|token|PGPASSWORD)"[[:space:]]*:' "no secret value written into the task definition"
t_done
