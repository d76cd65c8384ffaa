#!/bin/bash
# bench_parse.sh - the parse+rewrite benchmark against libosip2 (bench_parse.c).
#
# 1. Timed: best of RUNS runs of >= SECONDS each, sipalg and libosip2
#    alternating in one process, pinned to one core with taskset.
# 2. Counted: instructions per message from valgrind's callgrind, for a
#    fixed number of iterations minus a 0-iteration baseline (start-up,
#    self-check), so the figure does not depend on the machine's load.
# The last line is the summary `make bench` collects:
#   bench=parse sipalg_msgs_per_s=... libosip2_msgs_per_s=... ratio_vs_libosip2=...
#   instructions_per_msg=... libosip2_instructions_per_msg=...
#   instructions_ratio_vs_libosip2=... msg_parse_instructions=... sdp_parse_instructions=...
#   validate_instructions=... rest_instructions=... (sipalg-rest: everything
#   but the two parsers, on a message parsed once)
set -u
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-1.0}
COUNT=${COUNT:-10000}
OSIP_COUNT=${OSIP_COUNT:-1000}
cd "$(dirname "$0")/.."
bin=$BUILD/bench/bench_parse
if [ ! -x "$bin" ]; then
	echo "bench_parse: $bin not built (meson -Dbench=true needs libosip2-dev)" >&2
	exit 1
fi
work=$(mktemp -d /tmp/sipalg-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Pin to the last CPU when taskset works here (it may not in a container).
pin=()
if command -v taskset >/dev/null && taskset -c "$(($(nproc) - 1))" true 2>/dev/null; then
	pin=(taskset -c "$(($(nproc) - 1))")
fi

# ir_per_msg IMPL N: callgrind instructions for N iterations minus 0.
ir_total() {
	local out=$work/cg.$1.$2
	valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --count "$2" --impl "$1" \
		>/dev/null 2>&1 || return 1
	awk '/^(summary|totals):/ { print $2; exit }' "$out"
}
ir_per_msg() {
	local base full
	base=$(ir_total "$1" 0) && full=$(ir_total "$1" "$2") || { echo NA; return; }
	awk -v a="$full" -v b="$base" -v n="$2" 'BEGIN { printf "%.0f", (a - b) / n }'
}

echo "== parse: sipalg (parse + Via/Contact/SDP rewrite + render) vs libosip2 (parse + to_str)"
[ ${#pin[@]} -gt 0 ] && echo "pinned: ${pin[*]}"
"${pin[@]}" "$bin" --runs "$RUNS" --seconds "$SECONDS_PER_RUN" >"$work/timed" || exit 1
grep -v '^bench=' "$work/timed"
summary=$(grep '^bench=parse ' "$work/timed")
ipm=NA oipm=NA mpm=NA spm=NA vpm=NA rpm=NA
if command -v valgrind >/dev/null; then
	ipm=$(ir_per_msg sipalg "$COUNT")
	oipm=$(ir_per_msg libosip2 "$OSIP_COUNT")
	mpm=$(ir_per_msg sipalg-msg "$COUNT")
	spm=$(ir_per_msg sipalg-sdp "$COUNT")
	vpm=$(ir_per_msg sipalg-validate "$COUNT")
	rpm=$(ir_per_msg sipalg-rest "$COUNT")
fi
echo "callgrind: sipalg $ipm instructions/msg ($COUNT iterations), libosip2 $oipm ($OSIP_COUNT)"
rest=$(awk -v a="$ipm" -v b="$mpm" -v c="$spm" \
	'BEGIN { if (a + 0 > 0 && b + 0 > 0 && c + 0 > 0) print a - b - c; else print "NA" }')
echo "callgrind: of sipalg's: sip_msg_parse $mpm, sdp_parse $spm, the rest $rest" \
	"(Via, Contact, finding the SDP, edits, render; measured alone: $rpm)"
vonly=$(awk -v a="$vpm" -v b="$mpm" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) print a - b; else print "NA" }')
echo "callgrind: not in that path: sip_msg_validate $vonly more"
iratio=$(awk -v a="$oipm" -v b="$ipm" \
	'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f", a / b; else print "NA" }')
echo "$summary instructions_per_msg=$ipm libosip2_instructions_per_msg=$oipm" \
	"instructions_ratio_vs_libosip2=$iratio" \
	"msg_parse_instructions=$mpm sdp_parse_instructions=$spm validate_instructions=$vonly" \
	"rest_instructions=$rpm"
