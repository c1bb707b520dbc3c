#!/usr/bin/env bash
# pr-check.sh BASE_SQL PR_SQL: the pull-request check of migrations, the steps the
# pr-check workflow runs (and tests/workflows/pr_check.t runs locally).
# On the database the PG* variables name (a throwaway service PostgreSQL):
#   1. migrate the base branch's migrations (BASE_SQL);
#   2. the PR's pending migrations: orchestrator migrate --dry-run;
#   3. lint them (orchestrator lint --url: the database says what exists); in GitHub
#      Actions each finding is an annotation on the diff;
#   4. apply them for real, with the time of each migration;
#   5. the schema documentation before and after, as a diff.
# Everything lands in the job summary ($GITHUB_STEP_SUMMARY; a file of that name works
# outside Actions too). Exit 1 when lint finds an error or a migration fails; every step
# still runs, so that the summary shows all of it.
set -u
base=${1:?usage: pr-check.sh BASE_SQL PR_SQL}
pr=${2:?usage: pr-check.sh BASE_SQL PR_SQL}
orc=${ORCHESTRATOR:-orchestrator}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
work=$(mktemp -d "${TMPDIR:-/tmp}/pr-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0

say() { printf '%s\n' "$@" >>"$summary"; }
docs() { # docs FILE: the schema as markdown, without the history table
	: >"$1"
	GITHUB_ACTIONS='' "$orc" schema-docs --readme "$1" --exclude flyway_schema_history >/dev/null
}
fence() { # fence LANG FILE: FILE inside a fenced block (longer fence than any inside)
	local f='```'
	while grep -q "$f" "$2"; do f="$f\`"; done
	say "$f$1"
	cat "$2" >>"$summary"
	say "$f"
}

say "## Migration check" ""
if [ -d "$base" ] && find "$base" -name '*.sql' | grep -q .; then
	if ! GITHUB_ACTIONS='' "$orc" migrate --locations "$base" >"$work/base.out" 2>&1; then
		cat "$work/base.out" >&2
		say "The base branch's migrations failed on the service database:" ""
		fence text "$work/base.out"
		exit 1
	fi
fi
docs "$work/before.md" || status=1

say "### Pending migrations (dry run)" ""
if "$orc" migrate --dry-run --locations "$pr" >"$work/dry.out" 2>&1; then
	say "<details><summary>$(head -1 "$work/dry.out")</summary>" ""
	fence sql "$work/dry.out"
	say "" "</details>" ""
else
	status=1
	cat "$work/dry.out" # the error, as an annotation in Actions
	fence text "$work/dry.out"
fi

# lint --url "": the PG* variables, like the other steps (DATABASE_URL when set).
# lint writes its own "### Lint" table to the summary (in Actions) and the annotations.
"$orc" lint --url "${DATABASE_URL:-}" --locations "$pr" >"$work/lint.out" 2>&1 || status=1
cat "$work/lint.out"
if [ -z "${GITHUB_ACTIONS:-}" ]; then
	say "### Lint" ""
	fence text "$work/lint.out"
fi

# migrate writes "### Migrations applied" with the milliseconds of each one.
"$orc" migrate --locations "$pr" >"$work/apply.out" 2>&1 || status=1
cat "$work/apply.out"
if [ -z "${GITHUB_ACTIONS:-}" ]; then
	say "### Migrations applied" ""
	fence text "$work/apply.out"
fi

say "" "### Schema changes" ""
if docs "$work/after.md"; then
	if diff -u --label before --label after "$work/before.md" "$work/after.md" >"$work/docs.diff"; then
		say "No change to the documented schema."
	else
		fence diff "$work/docs.diff"
	fi
else
	status=1
fi
say "" "**Result: $([ "$status" -eq 0 ] && echo passed || echo failed)**"
exit "$status"
