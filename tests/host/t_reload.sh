#!/bin/bash
# 100 policy reloads and 10 program replacements while a TCP stream runs
# through XDP -> AF_XDP -> bifrost-host -> tap: not one frame for the guest
# may be passed to the host stack or dropped, and the stream must arrive
# byte-exact. The backend must follow every policy generation.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init reload

topo_up bfrl $(bf_net) prpr on || { fail "topology" "setup failed"; exit 1; }
C=$BF_TMP
# Alternating policies: PRPR on/off, limits and a second guest coming and going.
echo "guest vm1 mac $TOPO_GUEST_MAC prpr on max-segs 44 flush-us 50 zced-ports 443" > $C/a.conf
printf 'guest vm1 mac %s prpr off\nguest vm9 mac 52:54:00:bf:77:09 queues 2\n' \
	$TOPO_GUEST_MAC > $C/b.conf
echo "guest vm1 mac $TOPO_GUEST_MAC prpr on max-merge 32000 max-segs 8 flush-us 0" > $C/c.conf

# Open-ended stream: it runs until the last reload is done, by construction.
port=6001
ip netns exec $TOPO_RCV timeout 300 $BUILD/tools/bf_stream recv $port 0 42 \
	> $C/recv.out 2>&1 &
rpid=$!
wait_for grep -q listening $C/recv.out
ip netns exec $TOPO_SND timeout 300 $BUILD/tools/bf_stream send $TOPO_RCV_IP $port 0 42 \
	> $C/send.out 2>&1 &
spid=$!
sleep 0.5	# the stream is flowing before the first reload

reload_fail=0 prog_fail=0 reloads=0 progs=0
for i in $(seq 1 100); do
	case $((i % 3)) in
	0) cfg=$C/a.conf ;; 1) cfg=$C/b.conf ;; 2) cfg=$C/c.conf ;;
	esac
	$BFCTL reload $TOPO_WIRE --config $cfg >/dev/null || reload_fail=$((reload_fail + 1))
	reloads=$((reloads + 1))
	if [ $((i % 10)) -eq 0 ]; then
		$BFCTL reload $TOPO_WIRE --prog $BUILD/bifrost_xdp.bpf.o >/dev/null ||
			prog_fail=$((prog_fail + 1))
		progs=$((progs + 1))
	fi
done
sleep 0.5
# bf_stream runs under "ip netns exec": signal the bf_stream process itself
pkill -USR1 -f "^$BUILD/tools/bf_stream send $TOPO_RCV_IP $port 0 42"
wait $spid; wait $rpid
sent=$(awk '/^sent/ {print $2}' $C/send.out)
echo "INFO: $sent bytes streamed across the reloads"
check_eq "stream carried data" "$(( ${sent:-0} > 0 ))" 1
check_eq "100 policy reloads succeed" "$reloads/$reload_fail" "100/0"
check_eq "10 program replacements succeed" "$progs/$prog_fail" "10/0"
check_eq "stream byte-exact during reloads" "$(grep -v listening $C/recv.out)" "ok ${sent:-?} bytes"

gen=$(json_get $TOPO_WIRE .generation)
check_eq "generation counts every reload" "$gen" 101
wait_for test "$(json_get $TOPO_WIRE '.guests[] | select(.name=="vm1") | .backend_policy_generation')" = "$gen"
check_eq "backend follows the live generation" \
	"$(json_get $TOPO_WIRE '.guests[] | select(.name=="vm1") | .backend_policy_generation')" "$gen"
x='.guests[] | select(.name=="vm1") | .xdp'
check_eq "no guest frame passed to the host" "$(json_get $TOPO_WIRE "$x.passed")" 0
check_eq "no guest frame dropped" "$(json_get $TOPO_WIRE "$x.dropped")" 0
red=$(json_get $TOPO_WIRE "$x.redirected")
rx=$(json_get $TOPO_WIRE "$x.rx_packets")
check_eq "every guest frame redirected" "$red" "$rx"
echo "INFO: $rx frames to the guest, $red redirected, generation $gen"
topo_backend_stop
