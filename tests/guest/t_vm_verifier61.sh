#!/bin/bash
# Debian 12 hosts run Linux 6.1: the XDP program must load (pass the 6.1
# verifier), attach, count and detach there too. The 6.1 guest of the VM
# harness plays that host: bifrostctl (static) attaches to its loopback in
# generic mode, pings it, and reads the counters - at MTU 1500 and at MTU
# 3000, the largest a kernel without multi-buffer AF_XDP serves (mtu.h). 6.1
# has none: at MTU 9000 attach must refuse with one line naming it and 3000.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init vm_verifier61

cat > $BF_TMP/run.sh <<'EOS'
echo "guest vm1 mac 52:54:00:bf:97:02 prpr on" > /tmp/bf.conf
ip link set lo mtu 9000
/bf/bifrostctl-static attach lo --mode generic --config /tmp/bf.conf 2>&1 | sed 's/^/sg9000 /'
echo "sg9000 rc ${PIPESTATUS[0]}"
for mtu in 1500 3000; do
ip link set lo mtu $mtu
BIFROST_DEBUG=1 /bf/bifrostctl-static attach lo --mode generic --config /tmp/bf.conf 2>&1 | tail -25; echo "attach$mtu rc ${PIPESTATUS[0]}"
/bf/bifrostctl-static status lo | head -1 | sed "s/^/status$mtu /"
ping -c 3 -W 1 127.0.0.1 >/dev/null; echo "ping rc $?"
/bf/bifrostctl-static stats lo --json | tr -d '\n' | sed "s/^/json$mtu /"; echo
/bf/bifrostctl-static detach lo; echo "detach$mtu rc $?"
ls /sys/fs/bpf/bifrost 2>/dev/null | wc -l | sed "s/^/pins$mtu left /"
done
EOS
# Linux 6.1 whatever line the other guest tests boot (GUEST_LINE)
bash vm/build-image.sh --line 6.1 >/dev/null || { fail setup "the 6.1 guest image (vm/build-image.sh --line 6.1)"; exit 1; }
out=$(vm/launch.sh --line 6.1 --mode vm --net none --script $BF_TMP/run.sh \
	--add $BUILD/bifrostctl-static --timeout 180 2>&1)
check_eq "the guest runs Linux 6.1" "$(echo "$out" | awk '$1 == "guest_kernel" {print $2}')" \
	"$(bash guest-driver/lines.sh 6.1 KVER)"
echo "INFO: at MTU 9000: $(echo "$out" | grep '^sg9000 ' | head -1 | cut -c8-)"
check_eq "MTU 9000 on 6.1: attach refused (no XDP for this MTU)" \
	"$(echo "$out" | sed -n 's/^sg9000 rc //p')" 5
check_eq "MTU 9000 on 6.1: the refusal is one line" "$(echo "$out" | grep -c '^sg9000 ')" 2
check_eq "MTU 9000 on 6.1: it names the MTU, XDP_USE_SG and the limit" \
	"$(echo "$out" | grep -c '^sg9000 bifrostctl: error: lo: MTU 9000 needs multi-buffer AF_XDP (XDP_USE_SG, Linux >= 6.6).*serve is 3000$')" 1
for mtu in 1500 3000; do
	check_eq "MTU $mtu: attach on Linux 6.1 (verifier accepts the program)" \
		"$(echo "$out" | sed -n "s/^attach$mtu rc //p")" 0
	check_cmd "MTU $mtu: status on 6.1 shows the program" \
		grep -q "^status$mtu .*name bifrost_xdp" <<< "$out"
	check_eq "MTU $mtu: the program runs on 6.1 (loopback traffic counted)" \
		"$(echo "$out" | sed -n "s/^json$mtu //p" | jq '.global.rx_packets > 0')" true
	check_eq "MTU $mtu: detach on 6.1" "$(echo "$out" | sed -n "s/^detach$mtu rc //p")" 0
	check_eq "MTU $mtu: detach on 6.1 leaves no pins" \
		"$(echo "$out" | sed -n "s/^pins$mtu left //p")" 0
done
