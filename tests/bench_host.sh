#!/bin/bash
# make bench-host: the same traffic through the backend (a) forwarding
# without merging and (b) with PRPR, side by side in one run. Prints wire
# packets/s, packets into the guest, merge ratio, backend CPU per wire packet
# (the worker thread's own CPU clock), the b/a ratios, and request/response
# median latency with PRPR on vs off. Numbers are only comparable within one
# run: the machine is shared.
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/topo.sh"
bf_init bench_host
BYTES=${BENCH_BYTES:-$((512 << 20))}
RR_COUNT=${BENCH_RR:-2000}
FLUSH_US=50

topo_up bfbh 74 prpr off flush-us $FLUSH_US >/dev/null || { echo "setup failed"; exit 1; }

run_mode() { # MODE(fwd|prpr)
	local mode=$1 pr=off
	[ "$mode" = prpr ] && pr=on
	sed -i "s/prpr o[nf]*/prpr $pr/" $BF_TMP/topo.conf
	$BFCTL reload $TOPO_WIRE --config $BF_TMP/topo.conf >/dev/null
	topo_backend_stop
	topo_backend_start
	ip -n $TOPO_RCV neigh replace $TOPO_SND_IP \
		lladdr "$(ip -n $TOPO_SND -j link show $TOPO_PEER | jq -r '.[0].address')" \
		dev $TOPO_TAP nud permanent
	local w0 r0 w1 r1 t0 t1 res cpu rr
	w0=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r0=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
	t0=$(date +%s%N)
	res=$(topo_transfer in $BYTES 5)
	t1=$(date +%s%N)
	w1=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r1=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
	[ "$res" = "ok $BYTES bytes" ] || echo "WARNING: transfer in mode $mode: $res"
	topo_backend_stop
	cpu=$TOPO_BACKEND_CPU_NS
	# latency with a fresh backend (CPU above covers the bulk run only)
	topo_backend_start
	ip -n $TOPO_RCV neigh replace $TOPO_SND_IP \
		lladdr "$(ip -n $TOPO_SND -j link show $TOPO_PEER | jq -r '.[0].address')" \
		dev $TOPO_TAP nud permanent
	ip netns exec $TOPO_RCV timeout 120 $BUILD/tools/bf_stream rr-server 6200 \
		> $BF_TMP/rrs.out 2>&1 &
	local rrs=$!
	wait_for grep -q listening $BF_TMP/rrs.out
	rr=$(ip netns exec $TOPO_SND timeout 120 $BUILD/tools/bf_stream rr-client \
		$TOPO_RCV_IP 6200 $RR_COUNT 64 | awk '{print $4}')
	wait $rrs
	eval "${mode}_wire=$((w1 - w0)) ${mode}_guest=$((r1 - r0)) ${mode}_ns=$((t1 - t0))"
	eval "${mode}_cpu=$cpu ${mode}_rr=$rr"
}

run_mode fwd
run_mode prpr
awk -v bytes=$BYTES -v fw=$fwd_wire -v fg=$fwd_guest -v fns=$fwd_ns -v fc=$fwd_cpu \
    -v frr=$fwd_rr -v pw=$prpr_wire -v pg=$prpr_guest -v pns=$prpr_ns -v pc=$prpr_cpu \
    -v prr=$prpr_rr -v flush=$FLUSH_US 'BEGIN {
	printf "bench-host: %d MiB wire->guest TCP, MSS 1448, one run, same machine\n", bytes / 1048576
	printf "%-22s %14s %14s %10s\n", "", "(a) forward", "(b) PRPR", "b/a"
	printf "%-22s %14.0f %14.0f %10.2f\n", "wire packets/s", fw / (fns / 1e9), pw / (pns / 1e9), (pw / (pns / 1e9)) / (fw / (fns / 1e9))
	printf "%-22s %14.2f %14.2f %10.2f\n", "Gbit/s (host clock)", bytes * 8 / fns, bytes * 8 / pns, fns / pns
	printf "%-22s %14d %14d %10.3f\n", "wire packets", fw, pw, pw / fw
	printf "%-22s %14d %14d %10.3f\n", "packets into guest", fg, pg, pg / fg
	printf "%-22s %14.1f %14.1f %10.2f\n", "merge ratio", fw / fg, pw / pg, (pw / pg) / (fw / fg)
	printf "%-22s %14.0f %14.0f %10.3f\n", "backend CPU ns/wire pkt", fc / fw, pc / pw, (pc / pw) / (fc / fw)
	printf "%-22s %14.1f %14.1f %10.2f\n", "RR median us (64 B)", frr, prr, prr / frr
	printf "goal: PRPR CPU/wire pkt <= 1.1x forward: %s (%.3fx)\n", ((pc / pw) / (fc / fw) <= 1.1) ? "met" : "NOT met", (pc / pw) / (fc / fw)
	printf "goal: RR median with PRPR <= off + flush timeout (%d us): %s\n", flush, (prr <= frr + flush) ? "met" : "NOT met"
}'
