#!/bin/bash
# run.sh - run every test and print one closing line "N passed, M failed".
#
# Each test program or script prints "PASS: name" / "FAIL: name: why" lines;
# this script only runs them and counts.  Sections:
#   unit+corpus (normal build), unit+corpus (ASan+UBSan build), fuzz
#   (bounded, with seeds), end-to-end (network namespaces, needs root).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
export SIPALG_CORPORA=${SIPALG_CORPORA:-$(cd .. && pwd)/shared/corpora}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp -d /tmp/sipalg-test.XXXXXX)
passed=0
failed=0

# run LABEL CMD...: run one test program, show its lines, count them.  A
# program that exits non-zero without printing a FAIL line counts as one
# failure (a crash must never pass silently).
run() {
	local label=$1 out rc p f
	shift
	out="$log/$(echo "$label" | tr '/ ' '__').out"
	"$@" >"$out" 2>"$out.err"
	rc=$?
	sed -E "s#^(PASS|FAIL): #\1: $label: #" "$out" | grep -E '^(PASS|FAIL): '
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL: $label: exited $rc; stderr:"
		tail -n 20 "$out.err" | sed 's/^/    /'
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

for b in "$BUILD" "$ASAN_BUILD"; do
	for t in "$b"/tests/unit/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		run "$b/$(basename "$t")" "$t"
	done
	for t in "$b"/tests/corpus/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		run "$b/$(basename "$t")" "$t"
	done
done

for t in tests/cli/t_*.sh; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	run "cli/$(basename "$t" .sh)" env BUILD="$BUILD" "$t"
done

for f in "$FUZZ_BUILD"/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=$(basename "$f")
	run "fuzz/$name" fuzz/run-one.sh "$f" "$FUZZ_SECONDS"
done

if [ "$(id -u)" = 0 ]; then
	for t in tests/e2e/t_*.sh; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		run "e2e/$(basename "$t" .sh)" env BUILD="$BUILD" "$t"
	done
else
	echo "FAIL: e2e: end-to-end tests need root (network namespaces)"
	failed=$((failed + 1))
fi

rm -rf "$log"
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
