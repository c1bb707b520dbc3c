#!/usr/bin/env bash
# The C sources follow the committed .clang-format (`make format` applies it).
source "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
if ! command -v clang-format >/dev/null; then
	t_fail "clang-format is installed (make deps installs it)"
	t_done
	exit 1
fi
bad=()
while IFS= read -r f; do
	clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files 'orchestrator/*.[ch]' 'tests/*.[ch]')
t_is "${bad[*]-}" "" "every C file is clang-format clean (run: make format)"
t_done
