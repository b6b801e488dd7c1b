# vm/qemu-deadline.sh - the time limit of a QEMU run, shared by launch.sh and
# hostkernel.sh (sourced). The caller sets QPID (QEMU's pid), DEADLINE (epoch
# seconds) and TIMEOUT (seconds, for the message).

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
