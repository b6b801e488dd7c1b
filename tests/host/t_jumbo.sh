#!/bin/bash
# Jumbo wire frames: with MTU 9000 on the wire veth pair and the guest tap,
# `bifrostctl attach` succeeds (a frags-aware XDP program), bifrost-host
# gathers frames that span several UMEM frames (XDP_USE_SG) and sends
# segments larger than one frame as several descriptors: TCP is byte-exact
# both ways, PRPR still merges, an 8000-byte ping crosses both ways. On a
# kernel without XDP_USE_SG (< 6.6) MTU 9000 is refused in one line and the
# same runs at the largest MTU that kernel serves. An MTU
# above what Bifrost supports is refused by attach and by bifrost-host with
# one line naming the MTU and the limit, never with the kernel's ERANGE.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init jumbo

BYTES=$((32 << 20))
lacks() { ! grep -qi "$1" <<< "$2"; }	# lacks PATTERN TEXT
LIMIT=9216
x='.guests[0].backend'

# --- an MTU above the supported limit: attach refuses with one clear line
bf_veth bfjx0 bfjx1
ip link set bfjx0 mtu 65000
ip link set bfjx0 up
out=$($BFCTL attach bfjx0 2>&1); rc=$?
BF_ATTACHED+=(bfjx0)
echo "INFO: attach at MTU 65000: rc $rc: $out"
check_eq "attach at MTU 65000 is refused" "$((rc != 0))" 1
check_eq "the refusal is one line" "$(echo "$out" | wc -l)" 1
check_cmd "the refusal names the MTU and the limit" \
	grep -q "MTU 65000.*$LIMIT" <<< "$out"
check_cmd "the refusal is not the kernel's ERANGE" lacks "out of range" "$out"
check_cmd "a refused attach leaves nothing attached" \
	bash -c "! $BFCTL status bfjx0 >/dev/null 2>&1"

# --- a link whose peer has the larger MTU: veth refuses a program without
# frags support (ERANGE); attach says what to do instead
ip link set bfjx0 mtu 1500
ip link set bfjx1 mtu 9000
out=$($BFCTL attach bfjx0 2>&1); rc=$?
echo "INFO: attach with the peer at MTU 9000: rc $rc: $out"
check_eq "peer MTU above the link's: refused in one line" "$((rc != 0)) $(echo "$out" | wc -l)" "1 1"
check_cmd "peer MTU above the link's: the line says to equalize MTUs" \
	grep -q "same MTU" <<< "$out"
check_cmd "peer MTU above the link's: not the kernel's ERANGE" lacks "out of range" "$out"

# --- MTU 9000 end to end (two guest queues: sockets sharing one UMEM).
# A kernel without multi-buffer AF_XDP (XDP_USE_SG, Linux < 6.6) must refuse
# it in one line naming the largest MTU it can serve; the same path then
# runs at that MTU (frags-aware XDP, each frame in one UMEM frame).
MTU=9000 SG=1
bf_veth bfjp0 bfjp1
ip link set bfjp0 mtu $MTU; ip link set bfjp1 mtu $MTU; ip link set bfjp0 up
out=$($BFCTL attach bfjp0 2>&1); rc=$?
BF_ATTACHED+=(bfjp0)
$BFCTL detach bfjp0 >/dev/null 2>&1
ip link del bfjp0
if grep -q "needs multi-buffer AF_XDP" <<< "$out"; then
	echo "INFO: this kernel has no XDP_USE_SG: $out"
	check_eq "no XDP_USE_SG: MTU 9000 refused in one line" "$rc $(echo "$out" | wc -l)" "5 1"
	MTU=$(sed -n 's/.*the largest MTU it can serve is \([0-9]*\).*/\1/p' <<< "$out")
	check_cmd "no XDP_USE_SG: the refusal names the largest MTU it serves" test -n "$MTU"
	[ -n "$MTU" ] || exit 1
	SG=0
fi
TOPO_MTU=$MTU
topo_up bfj $(bf_net) queues 2 prpr on flush-us 50 > "$BF_TMP/topo.out" 2>&1 || {
	fail "attach and backend at MTU $MTU" "$(cat "$BF_TMP/topo.out")"; exit 1; }
pass "attach and backend at MTU $MTU"

w0=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r0=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
check_eq "MTU $MTU: 32 MiB wire->guest byte-exact" "$(topo_transfer in $BYTES 21)" "ok $BYTES bytes"
w1=$(ns_tx_packets $TOPO_SND $TOPO_PEER); r1=$(ns_rx_packets $TOPO_RCV $TOPO_TAP)
wire=$((w1 - w0)); guest=$((r1 - r0))
echo "INFO: MTU $MTU: wire packets $wire, guest packets $guest"
check_eq "MTU $MTU: wire segments are jumbo (< 1 per 2 KiB)" "$((wire * 2048 < BYTES))" 1
check_eq "MTU $MTU: PRPR merges jumbo segments (guest sees fewer packets)" \
	"$((guest * 2 < wire))" 1
sleep 0.3
check_eq "MTU $MTU: merged_segs counted" "$(json_get $TOPO_WIRE "$x.merged_segs > 0")" true
[ $SG = 1 ] && check_eq "MTU $MTU: frames gathered from several UMEM frames" \
	"$(json_get $TOPO_WIRE "$x.rx_multibuf > 0")" true
check_eq "MTU $MTU: no oversized RX drop" "$(json_get $TOPO_WIRE "$x.drop_rx_oversize")" 0
check_eq "MTU $MTU: no checksum failures" "$(json_get $TOPO_WIRE "$x.csum_fail")" 0
check_eq "MTU $MTU: XDP counted whole frames (rx_bytes >= bytes sent)" \
	"$(json_get $TOPO_WIRE ".guests[0].xdp.rx_bytes >= $BYTES")" true

check_eq "MTU $MTU: 32 MiB guest->wire byte-exact" "$(topo_transfer out $BYTES 22)" "ok $BYTES bytes"
sleep 0.3
[ $SG = 1 ] && check_eq "MTU $MTU: segments sent as several descriptors" \
	"$(json_get $TOPO_WIRE "$x.tx_multibuf > 0")" true
check_eq "MTU $MTU: no bad TX packets" "$(json_get $TOPO_WIRE "$x.drop_bad_tx")" 0

ping_size=$((MTU - 1000))
check_cmd "MTU $MTU: $ping_size-byte ping wire->guest" \
	ip netns exec $TOPO_SND ping -c 3 -i 0.2 -W 2 -M do -s $ping_size -q $TOPO_RCV_IP
check_cmd "MTU $MTU: $ping_size-byte ping guest->wire" \
	ip netns exec $TOPO_RCV ping -c 3 -i 0.2 -W 2 -M do -s $ping_size -q $TOPO_SND_IP

# --- the backend refuses an MTU above the limit the same way
kill -TERM $TOPO_BACKEND; wait $TOPO_BACKEND 2>/dev/null
ip link set $TOPO_WIRE mtu 65000
out=$($BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --tap bfjt2 2>&1); rc=$?
echo "INFO: bifrost-host at MTU 65000: rc $rc: $out"
check_eq "bifrost-host at MTU 65000 is refused" "$((rc != 0))" 1
check_cmd "bifrost-host's refusal names the MTU and the limit" \
	grep -q "MTU 65000.*$LIMIT" <<< "$out"
check_eq "bifrost-host's refusal is one line" "$(echo "$out" | wc -l)" 1
