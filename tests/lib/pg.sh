# tests/lib/pg.sh: a real PostgreSQL for the test. tests/run starts one server for the
# whole run (ORC_TEST_PGPORT); a test file run alone starts its own. pg_newdb gives
# every test a fresh database so tests never see each other's tables.
#   pg_ensure            make sure a server is up; exports PGHOST PGPORT PGUSER
#   pg_newdb [NAME]      create a fresh database, export PGDATABASE and PG_URL
pg_ensure() {
	if [ -z "${ORC_TEST_PGPORT:-}" ]; then
		# Its own directory: the server runs as postgres when we are root, and $T_TMP is
		# private to us.
		local dir
		dir=$(mktemp -d "${TMPDIR:-/tmp}/orc-pg.XXXXXX") && chmod 755 "$dir" || return 1
		t_defer "'$ROOT/scripts/local-pg' stop '$dir/pg'; rm -rf '$dir'"
		"$ROOT/scripts/local-pg" start "$dir/pg" >&2 || return 1
		ORC_TEST_PGPORT=$(cat "$dir/pg/port")
	fi
	export PGHOST=127.0.0.1 PGPORT=$ORC_TEST_PGPORT PGUSER=postgres PGDATABASE=postgres
}
pg_newdb() {
	pg_ensure || return 1
	local name=${1:-t_$(basename "$0" | tr -c 'a-zA-Z0-9\n' _)_$$_$RANDOM}
	PGOPTIONS='-c client_min_messages=warning' psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\"" >/dev/null || return 1
	export PGDATABASE=$name
	export PG_URL="postgresql://postgres@127.0.0.1:$PGPORT/$name"
}
