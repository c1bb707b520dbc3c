#!/usr/bin/env bash
# libgit2 and libxml2 are loaded on first use (orchestrator/core/dl.h): not in the
# binary's NEEDED list (a direct call that bypassed git/git2.h or aws/libxml.h would put
# them back), named in its .orc_dlopen section (docker/rootfs.sh reads it), never mapped
# by a command that does not need them, and mapped by one that does.
source "$(dirname "$0")/../lib/tap.sh"
needed=$(readelf -d "$ORC" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
t_unlike "$needed" "libgit2" "libgit2 is not loaded at start ($needed)"
t_unlike "$needed" "libxml2" "libxml2 is not loaded at start"
t_like "$needed" "libpq" "the NEEDED list is read (libpq is in it)"
lazy=$(objcopy -O binary --only-section=.orc_dlopen "$ORC" /dev/stdout | tr '\0' '\n' | grep . | tr '\n' ' ')
t_like "$lazy" "^libgit2\.so\.[0-9.]+ libxml2\.so\.[0-9]+ $" ".orc_dlopen names both sonames ($lazy)"
t_run env LD_DEBUG=files "$ORC" --version
t_unlike "$T_ERR" "file=libgit2|file=libxml2" "--version maps neither"
t_like "$T_OUT" "orchestrator" "... and runs"
# A git command loads libgit2 when it gets there: a clone of a repository that is not one.
mkdir -p "$T_TMP/notarepo"
t_run env LD_DEBUG=files "$ORC" migrate --git-url "file://$T_TMP/notarepo" --git-branch main \
	--url "postgresql://nobody@127.0.0.1:1/none"
t_like "$T_ERR" "file=libgit2\.so\.[0-9.]+ \[0\];  dynamically loaded by" "migrate --git-url loads libgit2 on first use"
t_unlike "$T_ERR" "file=libxml2" "... and not libxml2"
t_done
