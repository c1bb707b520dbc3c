#!/bin/sh
# tests/fuzz/run.sh FUZZ_DIR SECONDS [NAME...]: runs each libFuzzer harness built in
# FUZZ_DIR/bin (or the named ones) for SECONDS from its committed seeds
# (tests/fuzz/corpus/NAME) plus what earlier runs found (FUZZ_DIR/corpus/NAME). One line per
# harness; a broken property or a sanitizer report leaves the input in FUZZ_DIR/crash-NAME-*
# and fails the run.
dir=$1 secs=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || set -- $(ls "$dir/bin")
failed=0
for name in "$@"; do
	mkdir -p "$dir/corpus/$name"
	if "$dir/bin/$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/crash-$name-" "$dir/corpus/$name" "$root/tests/fuzz/corpus/$name" \
		>"$dir/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$name.log")
		echo "fuzz $name: ok, $runs inputs in ${secs}s"
	else
		echo "fuzz $name: FAILED (log $dir/$name.log)"
		grep -E 'property broken|ERROR: (AddressSanitizer|libFuzzer)|runtime error|^artifact_prefix|Test unit written' "$dir/$name.log" | head -5
		failed=1
	fi
done
exit $failed
