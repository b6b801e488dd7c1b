#!/bin/bash
# Debian 12 hosts run Linux 6.1: the XDP program must load (pass the 6.1
# verifier), attach, count and detach there too. The 6.1 guest of the VM
# harness plays that host: bifrostctl (static) attaches to its loopback in
# generic mode, pings it, and reads the counters.
set -u
. "$(dirname "$0")/lib/harness.sh"
bf_init vm_verifier61

cat > $BF_TMP/run.sh <<'EOS'
echo "guest vm1 mac 52:54:00:bf:97:02 prpr on" > /tmp/bf.conf
BIFROST_DEBUG=1 /bf/bifrostctl-static attach lo --mode generic --config /tmp/bf.conf 2>&1 | tail -25; echo "attach rc ${PIPESTATUS[0]}"
/bf/bifrostctl-static status lo | head -1
ping -c 3 -W 1 127.0.0.1 >/dev/null; echo "ping rc $?"
/bf/bifrostctl-static stats lo --json | sed 's/^/json /'
/bf/bifrostctl-static detach lo; echo "detach rc $?"
ls /sys/fs/bpf/bifrost 2>/dev/null | wc -l | sed 's/^/pins left /'
EOS
out=$(tests/vm/launch.sh --mode vm --net none --script $BF_TMP/run.sh \
	--add $BUILD/bifrostctl-static --timeout 180 2>&1)
echo "$out" | grep -q "kernel 6.1" || true
check_eq "attach on Linux 6.1 (verifier accepts the program)" \
	"$(echo "$out" | sed -n 's/^attach rc //p')" 0
check_cmd "status on 6.1 shows the program" grep -q "name bifrost_xdp" <<< "$out"
check_eq "the program runs on 6.1 (loopback traffic counted)" \
	"$(echo "$out" | sed -n 's/^json //p' | jq '.global.rx_packets > 0')" true
check_eq "detach on 6.1" "$(echo "$out" | sed -n 's/^detach rc //p')" 0
check_eq "detach on 6.1 leaves no pins" "$(echo "$out" | sed -n 's/^pins left //p')" 0
