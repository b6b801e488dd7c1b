#!/bin/bash
# Runs every test and prints one summary line "N passed, N failed".
# Unit tests: build/unit/test_* binaries, and the same built under
# ASan+UBSan in build/unit-asan (named "test_x (asan)"). Integration
# tests: tests/t_*.sh (need root; they build their own namespaces and
# remove them).
# A test reports "PASS: name" / "FAIL: name: why" lines; a test that exits
# non-zero without any FAIL line counts as one failure.
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
export BUILD
passed=0 failed=0
only=${BF_TESTS:-}

run_one() {
	local name=$1; shift
	local log
	log=$(mktemp)
	echo "=== $name"
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name: exited $rc" >>"$log"
		f=1
	fi
	if [ "$f" -ne 0 ] || [ -n "${BF_VERBOSE:-}" ]; then
		cat "$log"
	else
		grep -E '^(PASS|NOTE|INFO): ' "$log"
	fi
	echo "--- $name: $p passed, $f failed ($((SECONDS - t0))s)"
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$log"
}

for t in "$BUILD"/unit/test_*; do
	[ -x "$t" ] || continue
	[ -n "$only" ] && [[ ! "$(basename "$t")" =~ $only ]] && continue
	run_one "$(basename "$t")" "$t"
done
# The same unit tests built under ASan+UBSan (make unit-asan): any report
# aborts the binary, which counts as a failure.
for t in "$BUILD"/unit-asan/test_*; do
	[ -x "$t" ] || continue
	name="$(basename "$t") (asan)"
	[ -n "$only" ] && [[ ! "$name" =~ $only ]] && continue
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} run_one "$name" "$t"
done
if [ "${1:-}" != "--unit-only" ]; then
	for t in tests/t_*.sh; do
		[ -f "$t" ] || continue
		[ -n "$only" ] && [[ ! "$(basename "$t")" =~ $only ]] && continue
		run_one "$(basename "$t" .sh)" bash "$t"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
