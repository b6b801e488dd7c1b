#!/bin/bash
# The shared-range check bites: the backend runs in --cvm mode with the
# swiotlb range, but the guest runs without swiotlb=force (a normal VM), so
# its buffers lie in private memory. Every such buffer must be counted as a
# violation, never read or written: not one byte from the guest reaches the
# wire, and nothing is written into it.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_violation

ranges=$(vm_swiotlb_range) || { fail setup "no swiotlb range"; exit 1; }
vm_up bfvx $(bf_net) vm off "$ranges" || { fail setup "topology"; exit 1; }
cat > $BF_TMP/run.sh <<EOS
ping -c 3 -W 2 $VM_SND_IP >/dev/null && echo "ping ok" || echo "ping failed"
timeout 5 /bf/bf_stream send $VM_SND_IP 5002 1048576 1 >/dev/null 2>&1
bf-snap end
EOS
peer_rx0=$(ns_rx_packets $VM_SND $VM_PEER)
vm_launch $BF_TMP/run.sh
wait_for test -e $BF_TMP/vm.ready
# the wire sends to the guest too: its RX buffers are private as well
ip netns exec $VM_SND ping -c 3 -W 1 -q $VM_IP >/dev/null 2>&1
vm_wait
sleep 0.3
x='.guests[0].backend'
v=$(json_get $VM_WIRE "$x.violations")
echo "INFO: $v violations counted"
check_eq "guest buffers outside the shared ranges are violations" "$(( v > 0 ))" 1
check_eq "no frame from private memory was sent" "$(json_get $VM_WIRE "$x.tx_segments")" 0
check_eq "the wire peer received nothing from the guest" \
	"$(( $(ns_rx_packets $VM_SND $VM_PEER) - peer_rx0 ))" 0
check_eq "guest could not reach the wire" "$(vm_out | grep -c '^ping ok')" 0
check_eq "nothing was written into the guest" "$(json_get $VM_WIRE "$x.out_packets")" 0
# (6.1's virtio-net counts the empty buffers handed back as packets, with
# no bytes and a length error each)
check_eq "guest received no byte" "$(vm_snap_field end rx_bytes)" 0
check_cmd "backend still alive" kill -0 $VM_BACKEND
