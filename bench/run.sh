#!/bin/sh
# make bench: runs every bench/*.sh; each prints its own ratios against a baseline run
# side by side in the same process tree. Benchmarks report; they never fail on time.
set -eu
cd "$(dirname "$0")/.."
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $b"
	sh "$b"
done
