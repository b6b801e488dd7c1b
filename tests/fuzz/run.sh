#!/bin/bash
# Runs every libFuzzer harness (tests/fuzz/fuzz_NAME.c, built by `make
# fuzz-build` into $BUILD/fuzz/fuzz_NAME) for SECONDS each, starting from
# its committed seed corpus tests/fuzz/corpus/NAME/ (and the libFuzzer
# dictionary tests/fuzz/fuzz_NAME.dict when there is one).
#
#   tests/fuzz/run.sh [--smoke] SECONDS [NAME...]
#
# Runs write only under $BUILD/fuzz/work/NAME/: the corpus grown so far
# (seeds copied in first, kept between runs), the log (last.log) and any
# crash file. With --smoke each run uses a fresh scratch corpus there
# instead, and smoke.log.
# Prints per harness one "PASS: fuzz_NAME: ..." or "FAIL: fuzz_NAME: ..."
# line with executions, crashes (0 or the crash file) and exec/s, then the
# totals. Exits non-zero when any harness crashed, is missing its seed
# corpus, or is not built (e.g. clang's libFuzzer runtime is missing).
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
smoke=0
if [ "${1:-}" = --smoke ]; then
	smoke=1
	shift
fi
secs=${1:?usage: run.sh [--smoke] SECONDS [NAME...]}
shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		[ -f "$src" ] || continue
		n=${src#tests/fuzz/fuzz_}
		names+=("${n%.c}")
	done
fi
total_exec=0 failed=0

# stat_of LOG NAME: the value of libFuzzer's final "stat::NAME:" line.
stat_of() {
	sed -n "s/^stat::$2: *\([0-9]*\).*/\1/p" "$1" | tail -n 1
}

# The file libFuzzer wrote the failing input to, if any.
crash_of() {
	sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | tail -n 1
}

run_one() {
	local name=$1 bin=$BUILD/fuzz/fuzz_$1 seeds=tests/fuzz/corpus/$1
	local work=$BUILD/fuzz/work/$name corpus log rc execs rate crash

	if [ ! -x "$bin" ]; then
		echo "FAIL: fuzz_$name: $bin not built (clang's libFuzzer runtime missing? run make deps)"
		return 1
	fi
	if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
		echo "FAIL: fuzz_$name: no seed corpus in $seeds"
		return 1
	fi
	mkdir -p "$work"
	corpus=$work/corpus
	if [ "$smoke" = 1 ]; then
		corpus=$work/smoke.$$
		rm -rf "$corpus"
	fi
	mkdir -p "$corpus"
	cp "$seeds"/* "$corpus"/
	log=$work/last.log
	[ "$smoke" = 1 ] && log=$work/smoke.log
	local dict=()
	[ -f "tests/fuzz/fuzz_$name.dict" ] && dict=(-dict="tests/fuzz/fuzz_$name.dict")
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
		-print_final_stats=1 -artifact_prefix="$work/" "$corpus" >"$log" 2>&1
	rc=$?
	[ "$smoke" = 1 ] && rm -rf "$corpus"
	execs=$(stat_of "$log" number_of_executed_units)
	rate=$(stat_of "$log" average_exec_per_sec)
	crash=$(crash_of "$log")
	total_exec=$((total_exec + ${execs:-0}))
	if [ "$rc" -eq 0 ] && [ -z "$crash" ] && [ -n "$execs" ]; then
		echo "PASS: fuzz_$name: $execs executions, 0 crashes, ${rate} exec/s"
		return 0
	fi
	echo "FAIL: fuzz_$name: ${execs:-?} executions, crash: ${crash:-exit $rc, no crash file} (log $log)"
	grep -m 5 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log"
	return 1
}

for name in "${names[@]}"; do
	run_one "$name" || failed=$((failed + 1))
done
echo "fuzz: ${#names[@]} harnesses, $total_exec executions in all, $failed failed"
[ "$failed" -eq 0 ] && [ ${#names[@]} -gt 0 ]
