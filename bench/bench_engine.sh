#!/bin/bash
# bench_engine.sh - alg_process instructions per message, by kind, counted
# by valgrind's callgrind (machine load does not change the figure).
#
# bench_engine runs COUNT rounds of traffic (bench_engine.c) and routes the
# one kind under test through measured(); callgrind collects only inside it
# (--toggle-collect), so total Ir / COUNT is that kind's cost.  Kinds:
# unchanged (OPTIONS from inside, nothing to change), hairpin (inside to
# inside, out of scope), register (from inside: Via + Contact rewritten),
# reg200 (its 200 from outside), invite (SDP from inside), ok200 (its 200
# with SDP from outside), reinvite (in-dialog, SDP), bye.
# Last line, the summary `make bench` collects:
#   bench=engine unchanged_instructions_per_msg=... invite_instructions_per_msg=... ...
set -u
BUILD=${BUILD:-build}
COUNT=${COUNT:-200}
cd "$(dirname "$0")/.."
bin=${BENCH_ENGINE_BIN:-$BUILD/bench/bench_engine} # override: compare another build
if [ ! -x "$bin" ]; then
	echo "bench_engine: $bin not built" >&2
	exit 1
fi
if ! command -v valgrind >/dev/null; then
	echo "bench_engine: needs valgrind (callgrind)" >&2
	exit 1
fi
work=$(mktemp -d /tmp/sipalg-bench-engine.XXXXXX)
trap 'rm -rf "$work"' EXIT

ir_per_msg() {
	local out=$work/cg.$1
	valgrind --tool=callgrind --toggle-collect=measured --callgrind-out-file="$out" \
		"$bin" --count "$COUNT" --case "$1" >/dev/null 2>"$work/err.$1" || {
		echo NA
		return
	}
	awk -v n="$COUNT" '/^(summary|totals):/ { printf "%.0f", $2 / n; exit }' "$out"
}

echo "== engine: alg_process instructions per message (callgrind, $COUNT rounds)"
line="bench=engine"
status=0
for k in unchanged hairpin register reg200 invite ok200 reinvite bye; do
	v=$(ir_per_msg "$k")
	[ "$v" = NA ] && status=1 && cat "$work/err.$k" >&2
	printf '  %-10s %s\n' "$k" "$v"
	line="$line ${k}_instructions_per_msg=$v"
done
echo "$line"
exit $status
