#!/bin/bash
# run.sh - `make bench`: run every benchmark script bench/bench_*.sh in turn,
# show its output, then repeat each one's summary line (the line that starts
# with "bench=") together at the end.  Benchmarks are never part of
# `make test`; their numbers depend on the machine (see bench/README.md).
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
summaries=()
status=0
for s in bench/bench_*.sh; do
	[ -x "$s" ] || continue
	out=$(mktemp /tmp/sipalg-bench-out.XXXXXX)
	"$s" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep '^bench=' "$out" | tail -n 1)
	rm -f "$out"
	if [ "$rc" != 0 ] || [ -z "$line" ]; then
		line="bench=$(basename "$s" .sh | sed 's/^bench_//') status=failed rc=$rc"
		status=1
	fi
	summaries+=("$line")
	echo
done
echo "== summary"
printf '%s\n' "${summaries[@]}"
exit $status
