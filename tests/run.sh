#!/bin/bash
# Runs the tests tier by tier and prints one summary line "N passed, N failed".
#   unit:  build/unit/test_* binaries, and the same built under ASan+UBSan in
#          build/unit-asan (named "test_x (asan)"); no root.
#   host:  tests/host/t_*.sh, integration tests on this host (root; they build
#          their own namespaces, veths and taps and remove them; no guest).
#   guest: tests/guest/t_*.sh, tests that need the guest image or modules
#          (`make guest`): QEMU guests, libvirt, the guest patches, make eval,
#          on the guest kernel line GUEST_LINE (default: guest-driver/lines.sh).
#   guest-lines: the guest tests that depend on the guest kernel's code
#          (GUEST_LINES_TESTS below) on every other line, named
#          "t_x (guest LINE)" (`make guest-lines` builds every line).
#   matrix: the host kernel matrix (tests/matrix/host-matrix.sh): a named subset
#          of the host tier under Debian's 6.1 and 6.12 kernels booted as the
#          host under QEMU/TCG; counted as t_host_matrix.
# Usage: tests/run.sh [--tier unit|host|guest|guest-lines|matrix] (default:
# all five, in that order; --unit-only is --tier unit). BF_TESTS=REGEX runs
# only the tests whose name matches.
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

run_unit() {
	local t name
	for t in "$BUILD"/unit/test_*; do
		[ -x "$t" ] || continue
		[ -n "$only" ] && [[ ! "$(basename "$t")" =~ $only ]] && continue
		run_one "$(basename "$t")" "$t"
	done
	# The same unit tests built under ASan+UBSan (make unit-asan): any
	# report aborts the binary, which counts as a failure.
	for t in "$BUILD"/unit-asan/test_*; do
		[ -x "$t" ] || continue
		name="$(basename "$t") (asan)"
		[ -n "$only" ] && [[ ! "$name" =~ $only ]] && continue
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} run_one "$name" "$t"
	done
}

# run_scripts DIR [SUBSET [LABEL]]: every DIR/t_*.sh (those matching the
# regex SUBSET), run from the repository's root, named with LABEL after.
run_scripts() {
	local t name
	for t in "$1"/t_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t")
		[ -n "$only" ] && [[ ! "$name" =~ $only ]] && continue
		[ -n "${2:-}" ] && [[ ! "$name" =~ $2 ]] && continue
		run_one "$(basename "$t" .sh)${3:+ ($3)}" bash "$t"
	done
}

# The guest tier runs on the default guest kernel line (GUEST_LINE); the
# guest-lines tier runs again, on every other line, the guest tests whose
# outcome depends on the guest kernel's code (GUEST_LINES_TESTS): the
# patched modules, kTLS, virtio-net and the pool under traffic, attacks and
# restarts. Not repeated there: t_eval_quick and t_vm_perf (measurements;
# make eval and the demo run on any line), t_vm_campaign (make fuzz-guest
# takes GUEST_LINE), t_libvirt and t_vm_peers (the host side), and the two
# that cover every line themselves (t_guest_patches, t_vm_verifier61).
GUEST_LINES_TESTS=${GUEST_LINES_TESTS:-^t_vm_(adversary|apps|cvm|reconnect|tls13|violation|vm|zced|zced_module|zced_noottr)\.sh$}
run_guest_lines() {
	local l def
	def=$(bash guest-driver/lines.sh --default)
	for l in $(bash guest-driver/lines.sh --list); do
		[ "$l" = "${GUEST_LINE:-$def}" ] && continue
		GUEST_LINE=$l run_scripts tests/guest "$GUEST_LINES_TESTS" "guest $l"
	done
}

# The matrix prints the tests of each kernel and ends with its own
# "N passed, N failed" over all kernels, which is what is counted here.
run_matrix() {
	local log p f rc t0=$SECONDS
	[ -n "$only" ] && [[ ! t_host_matrix =~ $only ]] && return
	log=$(mktemp)
	echo "=== t_host_matrix"
	bash tests/matrix/host-matrix.sh >"$log" 2>&1
	rc=$?
	if [ -n "${BF_VERBOSE:-}" ] || [ $rc -ne 0 ]; then
		cat "$log"
	else	# per kernel: its header, the features attach found, the summary
		grep -E '^(host kernel|bifrostctl attach at MTU|  [a-z_ ]+: (on|off)|  [0-9.a-z+_-]+: [0-9]+ passed|INFO: )' "$log"
	fi
	read -r p f < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$log")
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	echo "--- t_host_matrix: $p passed, $f failed ($((SECONDS - t0))s)"
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$log"
}

tiers="unit host guest guest-lines matrix"
case "${1:-}" in
"") ;;
--unit-only) tiers=unit ;;
--tier)
	case "${2:-}" in
	unit|host|guest|guest-lines|matrix) tiers=$2 ;;
	*) echo "usage: tests/run.sh [--tier unit|host|guest|guest-lines|matrix]" >&2; exit 2 ;;
	esac ;;
*) echo "usage: tests/run.sh [--tier unit|host|guest|guest-lines|matrix]" >&2; exit 2 ;;
esac
for tier in $tiers; do
	case $tier in
	unit) run_unit ;;
	host) run_scripts tests/host ;;
	guest) run_scripts tests/guest ;;
	guest-lines) run_guest_lines ;;
	matrix) run_matrix ;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
