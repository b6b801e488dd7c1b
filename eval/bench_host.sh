#!/bin/bash
# make bench-host: the same traffic through the backend (a) forwarding
# without merging and (b) with PRPR, side by side in one run. Prints wire
# packets/s, packets into the guest, merge ratio, backend CPU per wire packet
# (the worker thread's own CPU clock), the b/a ratios, and request/response
# median latency with PRPR on vs off; then PRPR's backend CPU per wire packet
# with and without XDP metadata (the backend parses frames that carry none),
# where the kernel allows both, or why a row is missing. Numbers are only
# comparable within one run: the machine is shared.
set -u
. "$(dirname "$0")/../tests/lib/harness.sh"
. "$(dirname "$0")/../tests/lib/topo.sh"
. "$(dirname "$0")/peers.sh"
bf_init bench_host
BYTES=${BENCH_BYTES:-$((512 << 20))}
RR_COUNT=${BENCH_RR:-2000}
FLUSH_US=50

topo_up bfbh $(bf_net 0) prpr off flush-us $FLUSH_US >/dev/null || { echo "setup failed"; exit 1; }

run_mode() { # MODE(fwd|prpr) [NAME: prefix of the result variables]
	local mode=$1 name=${2:-$1} pr=off
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
	: > $BF_TMP/rrs.out
	ip netns exec $TOPO_RCV timeout 120 $BUILD/tools/bf_stream rr-server 6200 \
		> $BF_TMP/rrs.out 2>&1 &
	local rrs=$!
	wait_for grep -q listening $BF_TMP/rrs.out
	rr=$(ip netns exec $TOPO_SND timeout 120 $BUILD/tools/bf_stream rr-client \
		$TOPO_RCV_IP 6200 $RR_COUNT 64 | awk '{print $4}')
	wait $rrs
	eval "${name}_wire=$((w1 - w0)) ${name}_guest=$((r1 - r0)) ${name}_ns=$((t1 - t0))"
	eval "${name}_cpu=$cpu ${name}_rr=$rr"
}

# Peer: DPDK testpmd forwarding the same traffic (af_xdp PMD on the wire veth
# with DPDK's own XDP program, net_tap PMD towards the receiver), no merging.
# Sets DPDK_WHY when it cannot run.
run_dpdk() {
	DPDK_WHY=$(peer_check testpmd) || return 1
	ls /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_net_tap.so* >/dev/null 2>&1 ||
		{ DPDK_WHY="no DPDK net_tap PMD: run 'make deps-bench' (librte-net-tap23)"; return 1; }
	local S1 snd=bfbd-snd rcv=bfbd-rcv gmac=52:54:00:bf:75:02 w0 r0 w1 r1 t0 t1 res pid tp
	S1=$(bf_subnet 1) || return 1
	bf_ns $snd; bf_ns $rcv
	bf_veth bfbd0 bfbd1 $snd
	ip link set bfbd0 up
	ip -n $snd addr add $S1.0.1/24 dev bfbd1; ip -n $snd link set bfbd1 up
	ip netns exec $snd ethtool -K bfbd1 tx off tso off gso off >/dev/null 2>&1
	# non-interactive with a stats period: runs until SIGTERM, reads no stdin
	timeout 300 dpdk-testpmd -l 0-1 --no-huge -m 512 --no-pci \
		--file-prefix bfbd --vdev net_af_xdp0,iface=bfbd0,start_queue=0,queue_count=1 \
		--vdev net_tap0,iface=bfbdt -- --forward-mode=io --auto-start --nb-cores=1 \
		--total-num-mbufs=32768 --stats-period 3600 < /dev/null > $BF_TMP/testpmd.log 2>&1 &
	tp=$!
	BF_PIDS+=($tp)
	wait_for ip link show bfbdt >/dev/null 2>&1 ||
		{ DPDK_WHY="testpmd did not start: $(grep -i -m1 'error\|fail\|cannot' $BF_TMP/testpmd.log)"
		  kill $tp 2>/dev/null; return 1; }
	sleep 1
	pid=$(pgrep -P $tp | head -1)
	ip link set bfbdt netns $rcv
	ip -n $rcv link set bfbdt address $gmac
	ip -n $rcv addr add $S1.0.2/24 dev bfbdt; ip -n $rcv link set bfbdt up
	ip -n $snd neigh replace $S1.0.2 lladdr $gmac dev bfbd1 nud permanent
	ip -n $rcv neigh replace $S1.0.1 \
		lladdr "$(ip -n $snd -j link show bfbd1 | jq -r '.[0].address')" dev bfbdt nud permanent
	local c0 c1
	c0=$(awk '{print $14 + $15}' /proc/$pid/stat)
	w0=$(ns_tx_packets $snd bfbd1); r0=$(ns_rx_packets $rcv bfbdt)
	: > $BF_TMP/dr.out
	ip netns exec $rcv timeout 120 $BUILD/tools/bf_stream recv 6300 $BYTES 5 > $BF_TMP/dr.out 2>&1 &
	local rp=$!
	wait_for grep -q listening $BF_TMP/dr.out
	t0=$(date +%s%N)
	ip netns exec $snd timeout 120 $BUILD/tools/bf_stream send $S1.0.2 6300 $BYTES 5 >/dev/null
	wait $rp
	t1=$(date +%s%N)
	w1=$(ns_tx_packets $snd bfbd1); r1=$(ns_rx_packets $rcv bfbdt)
	c1=$(awk '{print $14 + $15}' /proc/$pid/stat)
	kill $tp; wait $tp
	rm -rf /var/run/dpdk/bfbd	# DPDK's runtime dir outlives testpmd
	if ! grep -q "^ok $BYTES bytes" $BF_TMP/dr.out; then
		DPDK_WHY="testpmd did not carry the stream: $(grep -v listening $BF_TMP/dr.out | head -1)"
		return 1
	fi
	dpdk_wire=$((w1 - w0)) dpdk_guest=$((r1 - r0)) dpdk_ns=$((t1 - t0))
	# testpmd busy-polls: its CPU time is its wall time on one core
	dpdk_cpu=$(( (c1 - c0) * 1000000000 / $(getconf CLK_TCK) ))
}

# PRPR with the other metadata path: the program is attached again with
# --without xdp_meta where the kernel gave metadata. Sets META_WHY when only
# one path can run here.
run_meta_other() {
	local line
	line=$($BFCTL status $TOPO_WIRE | grep 'xdp metadata' | sed 's/^ *//')
	META_DEFAULT=off
	if [ "$line" != "xdp metadata: on" ]; then
		line=${line#xdp metadata: off (}
		META_WHY="not measured here: ${line%)}"
		return 1
	fi
	META_DEFAULT=on
	topo_backend_stop
	$BFCTL detach $TOPO_WIRE >/dev/null
	bf_attach $TOPO_WIRE --config $BF_TMP/topo.conf --without xdp_meta >/dev/null ||
		{ META_WHY="without metadata: attach --without xdp_meta failed"; return 1; }
	topo_backend_start
	run_mode prpr other
}

run_mode fwd
run_mode prpr
META_WHY=
run_meta_other || true
if [ -z "$META_WHY" ]; then
	meta_cpu=$((prpr_cpu)) meta_wire=$prpr_wire nometa_cpu=$other_cpu nometa_wire=$other_wire
else
	meta_cpu=0 meta_wire=0 nometa_cpu=$prpr_cpu nometa_wire=$prpr_wire
fi
dpdk_wire=0
run_dpdk || echo "(no DPDK testpmd peer row: $DPDK_WHY)"
awk -v bytes=$BYTES -v fw=$fwd_wire -v fg=$fwd_guest -v fns=$fwd_ns -v fc=$fwd_cpu \
    -v frr=$fwd_rr -v pw=$prpr_wire -v pg=$prpr_guest -v pns=$prpr_ns -v pc=$prpr_cpu \
    -v prr=$prpr_rr -v flush=$FLUSH_US -v dw=$dpdk_wire -v dg=${dpdk_guest:-0} \
    -v dns=${dpdk_ns:-1} -v dc=${dpdk_cpu:-0} -v mc=$meta_cpu -v mw=$meta_wire \
    -v nc=$nometa_cpu -v nw=$nometa_wire -v metawhy="$META_WHY" 'BEGIN {
	printf "bench-host: %d MiB wire->guest TCP, MSS 1448, one run, same machine\n", bytes / 1048576
	printf "%-22s %14s %14s %10s\n", "", "(a) forward", "(b) PRPR", "b/a"
	printf "%-22s %14.0f %14.0f %10.2f\n", "wire packets/s", fw / (fns / 1e9), pw / (pns / 1e9), (pw / (pns / 1e9)) / (fw / (fns / 1e9))
	printf "%-22s %14.2f %14.2f %10.2f\n", "Gbit/s (host clock)", bytes * 8 / fns, bytes * 8 / pns, fns / pns
	printf "%-22s %14d %14d %10.3f\n", "wire packets", fw, pw, pw / fw
	printf "%-22s %14d %14d %10.3f\n", "packets into guest", fg, pg, pg / fg
	printf "%-22s %14.1f %14.1f %10.2f\n", "merge ratio", fw / fg, pw / pg, (pw / pg) / (fw / fg)
	printf "%-22s %14.0f %14.0f %10.3f\n", "backend CPU ns/wire pkt", fc / fw, pc / pw, (pc / pw) / (fc / fw)
	printf "%-22s %14.1f %14.1f %10.2f\n", "RR median us (64 B)", frr, prr, prr / frr
	if (dw > 0) {
		printf "peer: DPDK testpmd io-forward (af_xdp PMD -> net_tap PMD), busy-polling, no merging:\n"
		printf "%-22s %14.0f   %-28s %.2f\n", "wire packets/s", dw / (dns / 1e9), "Bifrost PRPR / DPDK:", (pw / (pns / 1e9)) / (dw / (dns / 1e9))
		printf "%-22s %14.2f\n", "Gbit/s (host clock)", bytes * 8 / dns
		printf "%-22s %14d\n", "packets into guest", dg
		printf "%-22s %14.0f   (busy-poll: CPU time = wall time)\n", "CPU ns/wire pkt", dc / dw
	}
	printf "PRPR backend CPU per wire packet by XDP metadata (the backend parses frames without it):\n"
	if (mw > 0)
		printf "%-22s %14.0f\n", "with metadata ns", mc / mw
	else
		printf "%-22s %14s   %s\n", "with metadata ns", "-", metawhy
	printf "%-22s %14.0f", "without metadata ns", nc / nw
	if (mw > 0)
		printf "   without/with: %.3f", (nc / nw) / (mc / mw)
	printf "\n"
	printf "goal: PRPR CPU/wire pkt <= 1.1x forward: %s (%.3fx)\n", ((pc / pw) / (fc / fw) <= 1.1) ? "met" : "NOT met", (pc / pw) / (fc / fw)
	printf "goal: RR median with PRPR <= off + flush timeout (%d us): %s\n", flush, (prr <= frr + flush) ? "met" : "NOT met"
}'
