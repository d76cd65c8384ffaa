#!/bin/bash
# run-one.sh FUZZER SECONDS - run one libFuzzer target for a bounded time on
# its seed corpus (fuzz/seeds/<name>/) and dictionary (fuzz/<name>.dict).
# Prints one PASS:/FAIL: line.  Crash inputs are kept in fuzz/artifacts/.
set -u
f=$1
secs=$2
name=$(basename "$f")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/sipalg-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$here/artifacts"
[ -d "$here/seeds/$name" ] && cp -r "$here/seeds/$name/." "$work/corpus/"
dict=()
[ -f "$here/$name.dict" ] && dict=(-dict="$here/$name.dict")
if "$f" "${dict[@]}" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
	-artifact_prefix="$here/artifacts/$name-" -print_final_stats=1 \
	"$work/corpus" >"$work/log" 2>&1; then
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
	echo "PASS: $name ran ${runs:-?} inputs in ${secs}s without a finding"
else
	echo "FAIL: $name: $(grep -m1 -E 'ERROR|SUMMARY|==[0-9]+==' "$work/log")"
	tail -n 30 "$work/log" >&2
	exit 1
fi
