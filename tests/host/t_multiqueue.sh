#!/bin/bash
# A guest with two queue pairs: two AF_XDP sockets share one UMEM on the
# same NIC queue, the tap has two queues. Several flows each way arrive
# byte-exact, and the per-queue counters add up to what XDP redirected.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init multiqueue

topo_up bfmq $(bf_net) queues 2 prpr on || { fail topology "setup failed"; exit 1; }
for i in 1 2 3 4; do
	check_eq "flow $i wire->guest byte-exact" "$(topo_transfer in $((16 << 20)) $i)" "ok $((16 << 20)) bytes"
done
check_eq "guest->wire byte-exact" "$(topo_transfer out $((16 << 20)) 9)" "ok $((16 << 20)) bytes"
sleep 0.3
slot() {
	bpftool map lookup pinned /sys/fs/bpf/bifrost/$TOPO_WIRE/bf_backend key $1 0 0 0 -j |
		jq ".formatted.value.in_packets"
}
s0=$(slot 0); s1=$(slot 1)
echo "INFO: queue 0 took $s0 frames, queue 1 took $s1"
check_eq "per-queue counters add up to the redirected frames" "$((s0 + s1))" \
	"$(json_get $TOPO_WIRE '.guests[0].xdp.redirected')"
check_eq "nothing passed or dropped" \
	"$(json_get $TOPO_WIRE '.guests[0].xdp | .passed + .dropped')" 0
topo_backend_stop
