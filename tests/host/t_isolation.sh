#!/bin/bash
# One guest that stops reading must not starve the others on its backend.
# Guest vm1 (B) is a tap; the stalled guests are vhost-user front-ends
# (bf_vhu_stall) that set up their rings and post no RX buffer, all on one
# bifrost-host, so one UMEM. The UMEM is small (rings of 256; 512 frames for
# one stalled guest, 1024 for three): without a bound, the stalled guests'
# AF_XDP rings hold every frame the fill ring does not, and B's TX gets none.
# After 3000 UDP frames to each stalled guest, B's TCP streams both ways
# still arrive byte-exact, the stalled guests' excess is counted
# (drop_guest_full), and with no traffic the backend sleeps instead of
# polling the stalled rings. Then one of them resumes but posts only 8
# buffers at a time, running out of them again and again while 2000 more
# frames come: it gets what was kept for it and new traffic in order, and
# none of those stalls may cost the UMEM a frame (B's streams still arrive
# after it).
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init isolation

STALL_N=3000		# frames sent to each stalled guest while it stalls
RESUME_N=2000		# frames sent after it posts buffers again
BYTES=$((4 << 20))

# send_seq NS IP FIRST END GAP_S: UDP datagrams whose payload starts with
# their 32-bit sequence number, FIRST..END-1
send_seq() {
	ip netns exec "$1" python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ip, first, end, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
for i in range(first, end):
    for _ in range(100):
        try:
            s.sendto(struct.pack("!I", i) + bytes(60), (ip, 9))
            break
        except OSError:
            time.sleep(0.001)
    if gap:
        time.sleep(gap)
' "$2" "$3" "$4" "$5"
}

# backend_field GUEST FIELD
backend_field() {
	json_get $TOPO_WIRE ".guests[] | select(.name == \"$1\") | .backend.$2"
}

# report_idle NAME: with no traffic the backend should wait instead of
# polling the stalled guests' rings over and over (a busy loop takes all
# the CPU it can get). CPU time is a measurement, not an assertion here:
# it is printed for the reader.
report_idle() {
	local t0 t1
	t0=$(awk '{print $14 + $15}' /proc/$TOPO_BACKEND/stat)
	sleep 2
	t1=$(awk '{print $14 + $15}' /proc/$TOPO_BACKEND/stat)
	echo "INFO: $1: $((t1 - t0)) CPU ticks of $(($(getconf CLK_TCK) * 2)) in 2 s"
}

# run_case TAG P NET FRAMES RING NSTALLED
run_case() {
	local tag=$1 p=$2 net=$3 frames=$4 ring=$5 ns=$6 i conf="" args pids=()
	args="--frames $frames --ring $ring"
	for i in $(seq $ns); do
		conf+="guest st$i mac 52:54:00:bf:7a:0$i"$'\n'
		args+=" --guest st$i --vhost-user $BF_TMP/$p-st$i.sock"
	done
	TOPO_EXTRA_CONF=$conf TOPO_BACKEND_ARGS=$args topo_up $p $net prpr on ||
		{ fail "$tag: topology" "setup failed"; return 1; }
	for i in $(seq $ns); do
		$BUILD/tools/bf_vhu_stall $BF_TMP/$p-st$i.sock $((STALL_N + RESUME_N - 1)) 8 \
			> $BF_TMP/$p-st$i.out 2>&1 &
		pids+=($!)
		BF_PIDS+=($!)
		ip -n $TOPO_SND neigh replace 10.$net.0.$((10 + i)) lladdr 52:54:00:bf:7a:0$i \
			dev $TOPO_PEER nud permanent
	done
	for i in $(seq $ns); do
		wait_for grep -q stalled $BF_TMP/$p-st$i.out ||
			{ fail "$tag: stalled guest st$i" "$(cat $BF_TMP/$p-st$i.out)"; return 1; }
	done
	for i in $(seq $ns); do
		send_seq $TOPO_SND 10.$net.0.$((10 + i)) 0 $STALL_N 0
	done
	check_eq "$tag: B wire->guest byte-exact while $ns guest(s) stall" \
		"$(topo_transfer in $BYTES 11)" "ok $BYTES bytes"
	check_eq "$tag: B guest->wire byte-exact while $ns guest(s) stall" \
		"$(topo_transfer out $BYTES 12)" "ok $BYTES bytes"
	sleep 0.3	# counters are published every 100 ms
	for i in $(seq $ns); do
		local d
		d=$(backend_field st$i drop_guest_full)
		echo "INFO: $tag: st$i took $(backend_field st$i in_packets) frames," \
			"dropped $d past its share"
		check_cmd "$tag: st$i's excess counted as drop_guest_full" [ "${d:-0}" -gt 0 ]
	done
	report_idle "$tag: the worker sleeps while $ns guest(s) stall"
	kill -USR1 ${pids[0]}
	wait_for grep -q resumed $BF_TMP/$p-st1.out
	send_seq $TOPO_SND 10.$net.0.11 $STALL_N $((STALL_N + RESUME_N)) 0.0005
	wait ${pids[0]}
	echo "INFO: $tag: st1 after resuming: $(tail -n1 $BF_TMP/$p-st1.out)"
	check_cmd "$tag: st1 resumes and gets its frames in order" \
		grep -q "in order" $BF_TMP/$p-st1.out
	check_eq "$tag: B wire->guest byte-exact after st1's stalls" \
		"$(topo_transfer in $BYTES 13)" "ok $BYTES bytes"
	check_eq "$tag: B guest->wire byte-exact after st1's stalls" \
		"$(topo_transfer out $BYTES 14)" "ok $BYTES bytes"
	topo_backend_stop
}

run_case "one stalled guest" bfi $(bf_net 0) 512 256 1
run_case "three stalled guests" bfi2 $(bf_net 1) 1024 256 3
