#!/usr/bin/env bash
# The throwaway local PostgreSQL that tests and `make docs` use.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
t_ok "a fresh database answers" psql -X -q -c "select 1"
t_run psql -X -At -c "select current_database()"
t_is "$T_OUT" "$PGDATABASE" "pg_newdb points PGDATABASE at the new database"
t_run psql -X -At -c "show listen_addresses"
t_is "$T_OUT" "127.0.0.1" "the server listens on loopback only"
t_done
