#!/bin/bash
# Crafted frames from a peer namespace, once with the metadata path forced off
# (--without xdp_meta) and once as the kernel allows: every XDP counter must equal exactly
# what was sent, metadata must match a user-space re-parse, and non-guest
# traffic (ping) must still reach the host stack.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init xdp_counters

NS=bfxc-peer; H=bfxc0; P=bfxc1
VM1=52:54:00:bf:00:01; VM2=52:54:00:bf:00:02; OTHER=52:54:00:bf:00:99
bf_ns $NS
bf_veth $H $P $NS
SUBNET=$(bf_subnet)
ip addr add $SUBNET.0.1/24 dev $H; ip link set $H up
ip -n $NS addr add $SUBNET.0.2/24 dev $P; ip -n $NS link set $P up
cat > "$BF_TMP/bf.conf" <<EOC
guest vm1 mac $VM1 queues 1
guest vm2 mac $VM2 queues 2 prpr off
EOC
# round NAME [attach options]: attach, send the frames below, check every
# counter, detach. The kernel (or --without xdp_meta) decides whether frames
# carry metadata; both paths must count and parse the same.
round() {
	R=$1; shift
	bf_attach $H --config "$BF_TMP/bf.conf" "$@" > "$BF_TMP/attach.out" ||
		{ fail "$R: attach" "rc=$?"; exit 1; }
	pass "$R: attach"
	# The kernel decides whether frames carry metadata (kernel_features.h).
	if grep -q '^  xdp metadata: on$' "$BF_TMP/attach.out"; then meta=1; else meta=0; fi
	echo "INFO: $(grep "xdp metadata" "$BF_TMP/attach.out" | sed "s/^ *//")"
	grep -q '^  xdp metadata: \(on\|off (.*)\)$' "$BF_TMP/attach.out" &&
		pass "$R: attach says whether frames carry metadata" ||
		fail "$R: attach says whether frames carry metadata" "$(cat "$BF_TMP/attach.out")"

	# Sink on vm1's only XSKMAP slot (guest id 0, queue 0); vm2 has no sockets.
	$BUILD/tools/bf_xsk_sink $H 0 60 > "$BF_TMP/sink.out" 2>&1 &
	BF_PIDS+=($!); SINK=$!
	wait_for grep -q ready "$BF_TMP/sink.out" || { fail "$R: sink" "sink did not start"; exit 1; }

	total_pkts=0 total_bytes=0 vm1_ok=0 vm1_bad=0 vm1_bytes=0 vm2_ok=0 vm2_bad=0
	vm2_bytes=0 other=0
	send() { # DST KIND COUNT CLASS(ok|bad) GUEST(vm1|vm2|other)
		local out len
		out=$(ip netns exec $NS $BUILD/tools/bf_craft $P "$1" "$2" "$3") ||
			{ fail "send $2" "$out"; return; }
		len=$(echo "$out" | awk '{print $5}')
		total_pkts=$((total_pkts + $3)); total_bytes=$((total_bytes + $3 * len))
		case "$5" in
		vm1) vm1_bytes=$((vm1_bytes + $3 * len))
		     if [ "$4" = ok ]; then vm1_ok=$((vm1_ok + $3)); else vm1_bad=$((vm1_bad + $3)); fi ;;
		vm2) vm2_bytes=$((vm2_bytes + $3 * len))
		     if [ "$4" = ok ]; then vm2_ok=$((vm2_ok + $3)); else vm2_bad=$((vm2_bad + $3)); fi ;;
		*) other=$((other + $3)) ;;
		esac
	}
	for k in tcp4:5 tcp4-syn:2 udp4:3 icmp4:2 vlan-tcp4:2 ipv4-opts:2 frag4:2 \
		 tcp6:2 udp6:2 ipv6-ext:2 ipv6-frag:2 arp:1; do
		send $VM1 "${k%:*}" "${k#*:}" ok vm1
	done
	for k in truncated4:2 badihl4:1 truncated6:1 badtcp4:1 garbage:1; do
		send $VM1 "${k%:*}" "${k#*:}" bad vm1
	done
	send $VM2 tcp4 3 ok vm2
	send $VM2 ipv6-ext 1 ok vm2
	send $VM2 garbage 1 bad vm2
	send $OTHER udp4 4 ok other
	sleep 0.5
	kill -INT $SINK; wait $SINK 2>/dev/null

	S=$($BFCTL stats $H --json)
	g() { echo "$S" | jq -r "$1"; }
	check_eq "$R: global rx_packets" "$(g .global.rx_packets)" $total_pkts
	check_eq "$R: global rx_bytes" "$(g .global.rx_bytes)" $total_bytes
	check_eq "$R: global nonguest_passed" "$(g .global.nonguest_passed)" $other
	check_eq "$R: global malformed" "$(g .global.malformed)" 0
	v1='.guests[] | select(.name=="vm1") | .xdp'
	v2='.guests[] | select(.name=="vm2") | .xdp'
	check_eq "$R: vm1 rx_packets" "$(g "$v1.rx_packets")" $((vm1_ok + vm1_bad))
	check_eq "$R: vm1 rx_bytes" "$(g "$v1.rx_bytes")" $vm1_bytes
	check_eq "$R: vm1 redirected" "$(g "$v1.redirected")" $vm1_ok
	check_eq "$R: vm1 passed" "$(g "$v1.passed")" 0
	check_eq "$R: vm1 dropped" "$(g "$v1.dropped")" $vm1_bad
	check_eq "$R: vm1 parse_errors" "$(g "$v1.parse_errors")" $vm1_bad
	check_eq "$R: vm1 no_meta" "$(g "$v1.no_meta")" $(( meta ? 0 : vm1_ok ))
	check_eq "$R: vm2 rx_packets" "$(g "$v2.rx_packets")" $((vm2_ok + vm2_bad))
	check_eq "$R: vm2 rx_bytes" "$(g "$v2.rx_bytes")" $vm2_bytes
	check_eq "$R: vm2 passed (empty slot)" "$(g "$v2.passed")" $vm2_ok
	check_eq "$R: vm2 redirected" "$(g "$v2.redirected")" 0
	check_eq "$R: vm2 parse_errors" "$(g "$v2.parse_errors")" $vm2_bad
	read -r _ rx _ ok _ bad _ nometa <<< "$(grep received "$BF_TMP/sink.out")"
	check_eq "$R: sink received every redirected frame" "$rx" $vm1_ok
	check_eq "$R: metadata equals user-space parse" "$ok" $(( meta ? vm1_ok : 0 ))
	check_eq "$R: metadata mismatches" "$bad" 0
	check_eq "$R: frames without metadata" "$nometa" $(( meta ? 0 : vm1_ok ))
}

# The path without metadata, forced where the kernel has metadata (the
# host-kernel matrix runs this on kernels that accept bpf_xdp_adjust_meta).
round without-meta --without xdp_meta
check_cmd "without-meta: xdp metadata is off" grep -q '^  xdp metadata: off (' "$BF_TMP/attach.out"
$BFCTL detach $H >/dev/null
# What the kernel gives (metadata where it has it); stays attached below.
round default

# bpftool prints named fields thanks to BTF
bpftool map dump pinned /sys/fs/bpf/bifrost/$H/bf_policy 2>/dev/null |
	grep -q '"max_merge_bytes"' && pass "bpftool dump shows BTF field names" ||
	fail "bpftool dump shows BTF field names"

# Non-guest traffic reaches the host stack with XDP attached.
check_cmd "ping to host with XDP attached" ip netns exec $NS ping -c 3 -i 0.2 -W 2 -q $SUBNET.0.1
check_eq "ping counted as non-guest" "$(( $(json_get $H .global.nonguest_passed) >= other + 3 ))" 1

# detach leaves nothing pinned
$BFCTL detach $H >/dev/null
check_eq "detach leaves no pins" "$(ls /sys/fs/bpf/bifrost/$H 2>/dev/null | wc -l)" 0
check_eq "detach removes XDP" "$(ip -d link show $H | grep -c 'prog/xdp')" 0
