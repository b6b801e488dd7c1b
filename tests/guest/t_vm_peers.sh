#!/bin/bash
# The peer backends of make eval (eval/peers.sh) carry the guest's
# traffic: for each kind that can run here, peer_up in cvm guest mode, TCP and
# TLS both ways byte-exact (vm_traffic_check), peer_down, and nothing of the
# peer left behind (processes, links, namespace, run dirs). A kind that cannot
# run here is reported with its reason (INFO), not silently skipped.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
. "$(dirname "$0")/../../eval/peers.sh"
bf_init t_vm_peers
P=bfpe

# leftovers P: what of peer P is still there, one word each (empty: nothing)
leftovers() {
	ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^$1" | sed 's/^/link:/'
	ip netns list | awk '{print $1}' | grep "^$1-" | sed 's/^/netns:/'
	[ ! -e "$BF_TMP/peer-$1" ] || echo "dir:$BF_TMP/peer-$1"
	[ ! -e "/var/run/dpdk/$1" ] || echo "dir:/var/run/dpdk/$1"
	local p
	for p in "${PEER_PIDS[@]}"; do kill -0 $p 2>/dev/null && echo "pid:$p"; done
	return 0
}

# if_packets IF rx|tx: the root namespace's packet counter of IF (0 if none)
if_packets() {
	ip -j -s link show "$1" 2>/dev/null | jq ".[0].stats64.$2.packets // 0" 2>/dev/null || echo 0
}

n=0
for kind in ${PEERS_ONLY:-vhostnet tap testpmd ovsdpdk}; do
	if ! why=$(peer_check $kind); then
		echo "INFO: $kind: $why"
		continue
	fi
	net=$(bf_net $n)
	n=$((n + 1))
	if ! peer_up $kind $P $net cvm > "$BF_TMP/peer_up.out" 2>&1; then
		fail "$kind: peer_up" "$(tr '\n' ' ' < "$BF_TMP/peer_up.out")"
		continue
	fi
	pids=("${PEER_PIDS[@]}")
	w0=$(if_packets $VM_WIRE rx) t0=$(if_packets ${P}tap tx)
	vm_traffic_check "$kind cvm" 2 2
	if [ $kind = vhostnet ] || [ $kind = tap ]; then
		# the host's GRO merged wire segments before the tap
		w=$(( $(if_packets $VM_WIRE rx) - w0 )) t=$(( $(if_packets ${P}tap tx) - t0 ))
		check_cmd "$kind: host GRO: fewer packets into the guest ($t) than off the wire ($w)" \
			test $((t * 2)) -lt $w
	fi
	peer_down
	PEER_PIDS=("${pids[@]}")
	check_eq "$kind: peer_down leaves nothing behind" "$(leftovers $P | tr '\n' ' ')" ""
	PEER_PIDS=()
done
[ $n -gt 0 ] || fail "peers" "no peer kind can run here"
