#!/bin/bash
# Runs every test and prints one summary line "N passed, N failed".
# Unit tests: build/unit/test_* binaries. Integration tests: tests/t_*.sh
# (need root; they build their own namespaces and remove them).
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
if [ "${1:-}" != "--unit-only" ]; then
	for t in tests/t_*.sh; do
		[ -f "$t" ] || continue
		[ -n "$only" ] && [[ ! "$(basename "$t")" =~ $only ]] && continue
		run_one "$(basename "$t" .sh)" bash "$t"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
