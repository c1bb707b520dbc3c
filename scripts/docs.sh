#!/bin/sh
# make docs: the embedded default. With no AWS and no GitHub, the job the generate-markdown
# workflow does in CI: start (or reuse) the throwaway local PostgreSQL, apply sql/ with
# `orchestrator migrate` to a fresh database, and regenerate README.md's Database
# Documentation section with `orchestrator schema-docs`.
#   DOCS_PG_DIR   the local server's directory (default .local/pg)
#   DOCS_README   the README to update (default README.md)
# A server this script started is stopped again at the end; one that was already
# running is left running.
set -eu
cd "$(dirname "$0")/.."
dir=${DOCS_PG_DIR:-.local/pg}
readme=${DOCS_README:-README.md}
orc=${ORC_BIN:-bin/orchestrator}
db=orchestrator_docs

started=0
if ! [ -f "$dir/data/postmaster.pid" ]; then
	started=1
fi
scripts/local-pg start "$dir"
if [ "$started" -eq 1 ]; then
	trap 'scripts/local-pg stop "$dir"' EXIT
fi
port=$(cat "$dir/port")
admin="postgresql://postgres@127.0.0.1:$port/postgres"
url="postgresql://postgres@127.0.0.1:$port/$db"

# A fresh database every time, so the section shows exactly what sql/ builds.
psql -qX -v ON_ERROR_STOP=1 -d "$admin" \
	-c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
"$orc" migrate --url "$url" --locations sql
"$orc" schema-docs --url "$url" --readme "$readme"
