#!/bin/bash
# End to end: sender -veth- [XDP + bifrost-host] -tap- receiver.
# 256 MiB each way byte-exact with PRPR on and off; with PRPR on the
# receiver sees >= 20x fewer packets than the wire carried (BF_PRPR_MIN_RATIO:
# the host kernel matrix asks 10x, as segments reach a TCG-emulated backend
# in smaller batches); small PSH-ended request/response messages are never
# held back.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init prpr_e2e

BYTES=$((256 << 20))
topo_up bfpe $(bf_net) prpr on flush-us 50 || { fail topology "setup failed"; exit 1; }
x='.guests[0].backend'

# --- PRPR on, bulk wire -> guest
w0=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r0=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
check_eq "PRPR on: 256 MiB wire->guest byte-exact" "$(topo_transfer in $BYTES 11)" "ok $BYTES bytes"
w1=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r1=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
wire=$((w1 - w0)); guest=$((r1 - r0))
echo "INFO: PRPR on: wire packets $wire, guest packets $guest, ratio $((wire / (guest ? guest : 1)))x"
MIN_RATIO=${BF_PRPR_MIN_RATIO:-20}
check_eq "PRPR on: guest sees >= ${MIN_RATIO}x fewer packets than the wire" \
	"$((wire >= MIN_RATIO * guest))" 1
check_eq "PRPR on: no checksum failures" "$(json_get $TOPO_WIRE "$x.csum_fail")" 0

# --- PRPR on, bulk guest -> wire (TSO)
check_eq "PRPR on: 256 MiB guest->wire byte-exact" "$(topo_transfer out $BYTES 12)" "ok $BYTES bytes"
sleep 0.2
tso_in=$(json_get $TOPO_WIRE "$x.tx_packets"); tso_out=$(json_get $TOPO_WIRE "$x.tx_segments")
echo "INFO: TSO: $tso_in guest packets -> $tso_out wire segments"
check_eq "TSO: guest sends large packets that are segmented" "$((tso_out > 10 * tso_in / 2))" 1
check_eq "no bad TX packets" "$(json_get $TOPO_WIRE "$x.drop_bad_tx")" 0

# --- small PSH-terminated messages are never held back
sleep 0.2
ft0=$(json_get $TOPO_WIRE "$x.flush_timeout"); m0=$(json_get $TOPO_WIRE "$x.merged_segs")
ip netns exec $TOPO_RCV timeout 60 $BUILD/tools/bf_stream rr-server 6100 > $BF_TMP/rrs.out 2>&1 &
rrs=$!
wait_for grep -q listening $BF_TMP/rrs.out
r0=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
rr=$(ip netns exec $TOPO_SND timeout 60 $BUILD/tools/bf_stream rr-client $TOPO_RCV_IP 6100 500 64)
wait $rrs
r1=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
sleep 0.2
echo "INFO: $rr"
check_eq "request/response completes" "$(echo "$rr" | awk '{print $2}')" 500
check_eq "each request reached the guest as its own packet" "$(( r1 - r0 >= 500 ))" 1
check_eq "no request waited for the flush timeout" "$(json_get $TOPO_WIRE "$x.flush_timeout")" "$ft0"
check_eq "no request was merged with another" "$(json_get $TOPO_WIRE "$x.merged_segs")" "$m0"

# --- PRPR off, live
sed -i 's/prpr on/prpr off/' $BF_TMP/topo.conf
$BFCTL reload $TOPO_WIRE --config $BF_TMP/topo.conf >/dev/null
wait_for test "$(json_get $TOPO_WIRE '.guests[0].backend_policy_generation')" = 2
m0=$(json_get $TOPO_WIRE "$x.merged_segs")
w0=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r0=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
check_eq "PRPR off: 256 MiB wire->guest byte-exact" "$(topo_transfer in $BYTES 13)" "ok $BYTES bytes"
w1=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r1=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
echo "INFO: PRPR off: wire packets $((w1 - w0)), guest packets $((r1 - r0))"
check_eq "PRPR off: nothing merged" "$(json_get $TOPO_WIRE "$x.merged_segs")" "$m0"
check_eq "PRPR off: 256 MiB guest->wire byte-exact" "$(topo_transfer out $BYTES 14)" "ok $BYTES bytes"
topo_backend_stop
