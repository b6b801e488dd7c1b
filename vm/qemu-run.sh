# vm/qemu-run.sh - the CPU model, the time limit and the verdict of a QEMU
# run, shared by launch.sh and hostkernel.sh (sourced). The caller sets QPID (QEMU's pid),
# DEADLINE (epoch seconds), TIMEOUT (seconds, for the message), and for the
# verdict LOG (the console log), CLEAN (it without CRs), TMP (with the
# default log TMP/console.log and QEMU's own output TMP/qemu.out), QRC
# (QEMU's exit status) and TIMEDOUT.

# QEMU_CPU_BASE: the CPU model of every guest and host-kernel VM (-cpu), which
# callers may extend with ",feature=off". cx16=off: QEMU 7.2's TCG translates
# CMPXCHG16B as a helper that computes the flags from a stale cc_op; a guest
# kernel ran with a pointer for EFLAGS and died of a double fault in SLUB's
# allocation fast path (vm/README.md, Known limits). Without CX16 the kernel
# uses its own emulation, which TCG translates right.
QEMU_CPU_BASE=max,cx16=off

# qemu_past_deadline WHO: false before DEADLINE; after it, says so as WHO,
# stops QEMU (SIGTERM, up to 2 s to leave, then SIGKILL), sets TIMEDOUT=1 and
# is true.
qemu_past_deadline() {
	[ "$(date +%s)" -ge "$DEADLINE" ] || return 1
	TIMEDOUT=1
	echo "$1: timeout after ${TIMEOUT}s: killing QEMU" >&2
	kill -TERM "$QPID" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$QPID" 2>/dev/null || break; sleep 0.2; done
	kill -KILL "$QPID" 2>/dev/null || true
	return 0
}

# qemu_tail_log WHO [SKIP]: the last console lines (without lines matching the
# regex SKIP) and what QEMU printed, on stderr.
qemu_tail_log() {
	local where=$LOG
	[ "$LOG" != "$TMP/console.log" ] || where="temporary; keep it with --log FILE"
	echo "$1: --- last lines of the console log ($where) ---" >&2
	if [ -n "${2:-}" ]; then grep -v "$2" "$CLEAN"; else cat "$CLEAN"; fi | tail -n 25 >&2
	if [ -s "$TMP/qemu.out" ]; then
		echo "$1: --- QEMU said (exit $QRC) ---" >&2
		tail -n 15 "$TMP/qemu.out" >&2
	fi
}

# qemu_verdict WHO ERRMARK [SKIP]: exits 124 after a timeout, and 125 when the
# guest printed lines starting ERRMARK (shown as WHO: guest: ...); each with
# qemu_tail_log. Returns otherwise.
qemu_verdict() {
	if [ "$TIMEDOUT" = 1 ]; then
		qemu_tail_log "$1" "${3:-}"
		exit 124
	fi
	if grep -q "^$2" "$CLEAN"; then
		grep "^$2" "$CLEAN" | sed "s/^/$1: guest: /" >&2
		qemu_tail_log "$1" "${3:-}"
		exit 125
	fi
}
