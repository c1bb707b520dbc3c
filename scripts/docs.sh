#!/bin/sh
# make docs: the embedded default. With no AWS and no GitHub, the job the generate-markdown
# workflow does in CI: a throwaway local PostgreSQL, sql/ applied with `orchestrator
# migrate`, and README.md's Database Documentation section (and docs/database files, for a
# big schema) regenerated with `orchestrator schema-docs`.
#
# The cluster is made anew on every run (initdb in DOCS_PG_DIR, then stopped and removed
# at the end): migrations create roles and other cluster-wide objects (the template's
# CREATE USER read_only ...) that dropping a database would leave behind, and a second run
# would then fail on them. A fresh cluster takes about a second and leaves nothing over.
# It is never the server of `scripts/local-pg start` (.local/pg), which stays as it is.
#
#   PLACEHOLDERS_FILE  NAME=VALUE lines (.env style) for sql/'s ${NAME} placeholders
#                      (default: .env at the repository root, when it exists); passed as
#                      migrate --placeholders-file. FLYWAY_PLACEHOLDERS_NAME variables win.
#   DOCS_DATABASE      the database migrated and documented (default postgres, the
#                      database the workflow's service container has)
#   DOCS_PG_DIR        the cluster's directory (default .local/docs-pg)
#   DOCS_README        the README to update (default README.md)
# A missing placeholder stops the run before anything is applied, after every missing
# one (file and line) is listed: exit 2.
set -eu
cd "$(dirname "$0")/.."
dir=${DOCS_PG_DIR:-.local/docs-pg}
readme=${DOCS_README:-README.md}
orc=${ORC_BIN:-bin/orchestrator}
db=${DOCS_DATABASE:-postgres}
phfile=${PLACEHOLDERS_FILE-}
if [ -z "$phfile" ] && [ -f .env ]; then
	phfile=.env
fi
if [ -n "$phfile" ] && ! [ -f "$phfile" ]; then
	echo "make docs: PLACEHOLDERS_FILE=$phfile: no such file (NAME=VALUE lines, one per placeholder)" >&2
	exit 2
fi

fresh() {
	scripts/local-pg stop "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
fresh
trap fresh EXIT
scripts/local-pg start "$dir"
port=$(cat "$dir/port")
url="postgresql://postgres@127.0.0.1:$port/$db"
if [ "$db" != postgres ]; then
	psql -qX -v ON_ERROR_STOP=1 -d "postgresql://postgres@127.0.0.1:$port/postgres" \
		-c "CREATE DATABASE \"$db\"" >/dev/null
fi
if [ -n "$phfile" ]; then
	"$orc" migrate --url "$url" --locations sql --placeholders-file "$phfile"
else
	"$orc" migrate --url "$url" --locations sql
fi
"$orc" schema-docs --url "$url" --readme "$readme"
