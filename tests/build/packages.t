#!/usr/bin/env bash
# Every library the Makefile links (PKGS) has a Debian package in mk/deps.sh, and the two
# other places that build the binary install it too: the workflows' composite action and
# the image's build stage. A library added in one place only breaks CI or the image.
source "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
pkgs=$(sed -n 's/^PKGS *:= *//p' Makefile)
t_like "$pkgs" "libcurl" "the Makefile names its libraries in PKGS"
libs=$(sed -n '/^LIBS="/,/"$/p' mk/deps.sh | tr -d '"' | sed 's/^LIBS=//')
action=$(cat .github/actions/setup-orchestrator/action.yml)
docker=$(cat docker/Dockerfile)
for mod in $pkgs; do
	deb=$(printf '%s\n' $libs | sed -n "s/^$mod://p")
	t_like "$deb" "-dev$" "$mod: mk/deps.sh maps it to a Debian -dev package ($deb)"
	[ -n "$deb" ] || continue
	t_like "$action" "[[:space:]]$deb([[:space:]]|$)" "$mod: the composite action installs $deb"
	t_like "$docker" "[[:space:]]$deb([[:space:]]|$)" "$mod: the image's build stage installs $deb"
done
# Libraries without pkg-config (LDLIBS) are found by header: the same three places.
ldlibs=$(sed -n 's/^LDLIBS *:= *//p' Makefile)
t_like "$ldlibs" "libpg_query" "the Makefile links libpg_query (LDLIBS)"
headers=$(sed -n 's/^HEADERS="\(.*\)"$/\1/p' mk/deps.sh)
t_like "$headers" "pg_query.h:libpg-query-dev" "mk/deps.sh finds libpg_query by its header"
for pair in $headers; do
	deb=${pair#*:}
	t_like "$action" "[[:space:]]$deb([[:space:]]|$)" "${pair%%:*}: the composite action installs $deb"
	t_like "$docker" "[[:space:]]$deb([[:space:]]|$)" "${pair%%:*}: the image's build stage installs $deb"
done
# Building needs only the libraries: `mk/deps.sh build` must not ask for the test tools.
t_unlike "$(sed -n '/= build ] && TOOLS=/p' mk/deps.sh)" "postgres|node|npm|sshd" \
	"mk/deps.sh build checks only the build tools"
t_done
