#!/usr/bin/env bash
# The libFuzzer harnesses (tests/fuzz/*_fuzz.c: config, tfvars, SQL splitter, placeholders,
# versions, migration file names, README splicing, metadata.json, AWS XML and JSON answers,
# markdown escaping, SigV4 canonicalisation, printed names), each run for
# ORC_FUZZ_SECONDS (default 3) from its committed seeds: a broken property or a sanitizer
# report fails. `make fuzz FUZZ_SECONDS=N` runs them for longer; what they found stays in
# build/fuzz/corpus.
source "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
if ! command -v clang >/dev/null; then
	t_fail "clang is installed (libFuzzer; Debian: clang)"
	t_done; exit
fi
FD=$ROOT/build/fuzz
t_ok "make fuzz-build" make --no-print-directory -j2 fuzz-build
harnesses=$(ls tests/fuzz/*_fuzz.c | sed 's#.*/##; s#\.c$##')
t_is "$(echo $harnesses | wc -w)" 13 "thirteen harnesses"
for h in $harnesses; do
	t_ok "$h has a seed corpus" test -n "$(ls "tests/fuzz/corpus/$h" 2>/dev/null)"
	t_run sh tests/fuzz/run.sh "$FD" "${ORC_FUZZ_SECONDS:-3}" "$h"
	t_is "$T_RC" 0 "$h: no property broken, no sanitizer report ($(printf '%s' "$T_OUT" | head -1))"
done
t_done
