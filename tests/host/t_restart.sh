#!/bin/bash
# Restarts that always work: bifrost-host stopped (SIGTERM or SIGKILL) and
# started again at once on the same interface queue, like a
# `systemctl restart` loop, RESTART_LOOPS times (default 50) without and 50
# times with traffic on the wire (a bounded ping flood towards the guest).
# The kernel releases the old AF_XDP socket and UMEM asynchronously, so a
# new backend may find the queue busy for a few milliseconds: every start
# must still end in "serving", never in a bind error. Afterwards a TCP
# stream each way is byte-exact.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init restart

LOOPS=${RESTART_LOOPS:-50}
topo_up bfrs $(bf_net) || { fail topology "setup failed"; exit 1; }

# restart_loop N: N stop/start cycles, alternating SIGTERM and SIGKILL;
# sets ok (starts that reached "serving") and busy (how many of those first
# found the queue busy). Runs in this shell: only the parent can wait.
restart_loop() {
	local n=$1 i sig
	ok=0 busy=0
	for i in $(seq "$n"); do
		sig=TERM; [ $((i % 2)) = 0 ] && sig=KILL
		kill -$sig $TOPO_BACKEND 2>/dev/null
		wait $TOPO_BACKEND 2>/dev/null
		topo_backend_start > "$BF_TMP/start.out" 2>&1 || {
			echo "INFO: start $i after SIG$sig failed: $(head -c 300 "$BF_TMP/start.out")" >&2
			continue
		}
		ok=$((ok + 1))
		grep -q 'busy (a previous AF_XDP socket' "$BF_TMP/backend.log" && busy=$((busy + 1))
	done
}

restart_loop "$LOOPS"
echo "INFO: idle: $ok of $LOOPS starts served, $busy of them found the queue busy first"
check_eq "idle: $LOOPS restarts in a row all serve" "$ok" "$LOOPS"

# A bounded flood from the wire towards the guest while restarting.
ip netns exec $TOPO_SND timeout 300 ping -q -f -w 300 $TOPO_RCV_IP > /dev/null 2>&1 &
flood=$!
BF_PIDS+=($flood)
restart_loop "$LOOPS"
echo "INFO: with traffic: $ok of $LOOPS starts served, $busy of them found the queue busy first"
check_eq "with traffic: $LOOPS restarts in a row all serve" "$ok" "$LOOPS"

# The same guest behind a vhost-user port: nothing to set up between
# restarts, so the next backend binds within a millisecond or so of the
# last one's exit (no front-end connects; the flood is dropped as
# "guest not running").
topo_backend_stop
ok=0 busy=0
for i in $(seq "$LOOPS"); do
	sig=TERM; [ $((i % 2)) = 0 ] && sig=KILL
	[ $i -gt 1 ] && { kill -$sig $be 2>/dev/null; wait $be 2>/dev/null; }
	: > "$BF_TMP/vhu.log"
	$BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --vhost-user $BF_TMP/vhu.sock \
		> "$BF_TMP/vhu.log" 2>&1 &
	be=$!
	BF_PIDS+=($be)
	if wait_for grep -q 'serving\|cannot' "$BF_TMP/vhu.log" && grep -q serving "$BF_TMP/vhu.log"; then
		ok=$((ok + 1))
		grep -q 'busy (a previous AF_XDP socket' "$BF_TMP/vhu.log" && busy=$((busy + 1))
	else
		echo "INFO: vhost-user start $i after SIG$sig failed: $(head -c 300 "$BF_TMP/vhu.log")"
	fi
done
echo "INFO: vhost-user, with traffic: $ok of $LOOPS starts served, $busy of them found the queue busy first"
check_eq "vhost-user, with traffic: $LOOPS restarts in a row all serve" "$ok" "$LOOPS"

# A second backend started by mistake for the same vhost-user socket (its
# queue is held, it gives up) must leave the first one reachable there: a
# front-end that connects later (a guest restarted, QEMU reconnecting)
# must still find the backend that serves it.
$BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --vhost-user $BF_TMP/vhu.sock \
	> "$BF_TMP/vhu2.log" 2>&1 &
be2=$!
BF_PIDS+=($be2)
wait_for grep -q 'busy\|cannot\|serving' "$BF_TMP/vhu2.log"
kill -TERM $be2 2>/dev/null; wait $be2 2>/dev/null
echo "INFO: second vhost-user backend on the same socket: $(tail -1 "$BF_TMP/vhu2.log")"
check_cmd "after a second backend on its socket gave up, the first still accepts there" \
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' \
	$BF_TMP/vhu.sock
kill $be 2>/dev/null; wait $be 2>/dev/null
kill $flood 2>/dev/null; wait $flood 2>/dev/null

topo_backend_start > "$BF_TMP/start.out" 2>&1 || { fail "tap backend back" "$(cat "$BF_TMP/start.out")"; exit 1; }
check_eq "after the restarts: 4 MiB wire->guest byte-exact" \
	"$(topo_transfer in $((4 << 20)) 21)" "ok $((4 << 20)) bytes"
check_eq "after the restarts: 4 MiB guest->wire byte-exact" \
	"$(topo_transfer out $((4 << 20)) 22)" "ok $((4 << 20)) bytes"

# A queue that stays busy: a clear error after the bound, not a hang.
$BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --tap ${TOPO_P}u > "$BF_TMP/second.log" 2>&1
rc=$?
echo "INFO: second backend on a held queue: $(tail -1 "$BF_TMP/second.log")"
check_eq "second backend on a held queue exits with an error" "$rc" 1
check_eq "its error names the busy queue and the bound" \
	"$(grep -c 'Device or resource busy (still busy after [0-9]* ms' "$BF_TMP/second.log")" 1
check_cmd "the first backend still runs" kill -0 $TOPO_BACKEND
check_eq "the first backend still serves: 1 MiB wire->guest byte-exact" \
	"$(topo_transfer in $((1 << 20)) 23)" "ok $((1 << 20)) bytes"

# Stopped while it waits for a busy queue: it exits at once (a stop or
# Ctrl-C must not wait for the retry bound), with a line that says so.
$BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --tap ${TOPO_P}v > "$BF_TMP/third.log" 2>&1 &
third=$!
BF_PIDS+=($third)
wait_for grep -q 'busy (a previous AF_XDP socket' "$BF_TMP/third.log"
sleep 0.5
t0=$(date +%s%N)
kill -TERM $third
wait $third
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "INFO: SIGTERM while retrying: exit $rc after $ms ms: $(tail -1 "$BF_TMP/third.log")"
# "stopped while ... busy", not "still busy after <the bound>": it did not
# wait for the retry bound
check_eq "SIGTERM while retrying: exit status 1, stopped before the retry bound" \
	"$rc $(grep -c 'stopped while .* queue 0 was busy' "$BF_TMP/third.log")" "1 1"
topo_backend_stop

# AF_XDP refused outright (no CAP_NET_RAW: socket(AF_XDP) is EPERM): one
# clear line and exit 1, not a crash while cleaning up the half-made UMEM
setpriv --bounding-set -net_raw --inh-caps -net_raw \
	$BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --tap ${TOPO_P}u > "$BF_TMP/nocap.log" 2>&1
rc=$?
echo "INFO: without CAP_NET_RAW: exit $rc: $(tail -1 "$BF_TMP/nocap.log")"
check_eq "without CAP_NET_RAW: exit status 1, the UMEM error logged" \
	"$rc $(grep -c 'cannot create UMEM.*Operation not permitted' "$BF_TMP/nocap.log")" "1 1"
