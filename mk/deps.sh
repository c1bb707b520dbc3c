#!/bin/sh
# make deps: installs what this project needs on a bare Debian 12 machine.
#   mk/deps.sh build   only what building bin/orchestrator needs (the libraries)
#   mk/deps.sh         that and every tool the tests use
# Debian packages for the libraries pkg-config cannot find and the tools the tests run;
# npm packages for the tests (tests/package.json). As root it installs; otherwise it
# prints the exact command to run.
set -eu

# pkg-config module -> Debian package
LIBS="libcurl:libcurl4-openssl-dev libcjson:libcjson-dev libpq:libpq-dev libgit2:libgit2-dev
openssl:libssl-dev libxml-2.0:libxml2-dev zlib:zlib1g-dev libssh2:libssh2-1-dev
libmicrohttpd:libmicrohttpd-dev"
# header -> Debian package, for libraries that have no pkg-config module (the Makefile's
# LDLIBS): libpg_query, PostgreSQL's parser.
HEADERS="/usr/include/pg_query.h:libpg-query-dev"
# command -> Debian package (test and tooling needs)
TOOLS="pkg-config:pkg-config cc:gcc make:make git:git psql:postgresql-client-15
/usr/lib/postgresql/15/bin/initdb:postgresql-15 node:nodejs npm:npm
runuser:util-linux python3:python3 curl:curl jq:jq
/usr/sbin/sshd:openssh-server clang-format:clang-format zsh:zsh man:man-db cmark-gfm:cmark-gfm clang:clang"

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for pair in $LIBS; do
	mod=${pair%%:*} pkg=${pair#*:}
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod"; then
		missing="$missing $pkg"
	fi
done
for pair in $HEADERS; do
	[ -f "${pair%%:*}" ] || missing="$missing ${pair#*:}"
done
[ "${1:-all}" = build ] && TOOLS="pkg-config:pkg-config cc:gcc make:make"
for pair in $TOOLS; do
	tool=${pair%%:*} pkg=${pair#*:}
	case $tool in
	/*) [ -x "$tool" ] || missing="$missing $pkg" ;;
	*) command -v "$tool" >/dev/null 2>&1 || missing="$missing $pkg" ;;
	esac
done
# Libraries that have no pkg-config module but are needed by tests.
[ "${1:-all}" = build ] || [ -f /usr/include/cmocka.h ] || missing="$missing libcmocka-dev"

missing=$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$//')
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "deps: installing $missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >/dev/null
	else
		echo "deps: missing packages; run: sudo apt-get install -y $missing" >&2
		exit 2
	fi
fi
