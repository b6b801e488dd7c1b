#!/bin/bash
# Optional kernel features and the maps' ABI record (lib/kernel_features.h,
# struct bf_info): attach, status (text, --json), the Prometheus exposition
# and bifrost-host's start-up log say the same thing of each feature, one
# line each; --without xdp_meta is kept across reload --prog; maps whose ABI
# record says another version (or has none) are refused by bifrostctl and
# bifrost-host with one line naming both versions (exit code 10), and detach
# still works; detach of an interface that has vanished removes its pins, so
# a new interface of that name can be attached.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init kernel_features

NS=bfkf-peer; H=bfkf0; P=bfkf1; TAP=bfkft
PIN=/sys/fs/bpf/bifrost/$H
echo "guest vm1 mac 52:54:00:bf:83:01" > "$BF_TMP/bf.conf"
bf_ns $NS
bf_veth $H $P $NS
ip link set $H up

feat_re='^  (xdp metadata|xdp frame length helper|xdp frags|af_xdp multi-buffer): (on|off \(.+\))$'
bf_attach $H --config "$BF_TMP/bf.conf" > "$BF_TMP/attach.out" || { fail attach "rc=$?"; exit 1; }
grep -E "$feat_re" "$BF_TMP/attach.out" > "$BF_TMP/features"
sed 's/^ */INFO: /' "$BF_TMP/features"
check_eq "attach: one line per feature" "$(wc -l < "$BF_TMP/features")" 4
check_eq "status: the same feature lines" \
	"$($BFCTL status $H | grep -E "$feat_re")" "$(cat "$BF_TMP/features")"
check_eq "status: the map ABI" "$($BFCTL status $H | grep -c '^  map ABI 2$')" 1
J=$($BFCTL status $H --json)
check_eq "status --json: every feature" "$(echo "$J" | jq -r '.features | keys | join(",")')" \
	"xdp_buff_len,xdp_frags,xdp_meta,xsk_sg"
meta_on=$(grep -c '^  xdp metadata: on$' "$BF_TMP/features")
check_eq "status --json: xdp_meta as attach said" "$(echo "$J" | jq -r '.features.xdp_meta.on')" \
	"$([ "$meta_on" = 1 ] && echo true || echo false)"
check_eq "status --json: a reason for each feature that is off" \
	"$(echo "$J" | jq '[.features[] | select(.on == false and .reason == "")] | length')" 0
check_eq "status --json: the map ABI" "$(echo "$J" | jq -r .map_abi)" 2
check_eq "prometheus: an info sample per feature" \
	"$($BFCTL stats $H --prometheus | grep -c "^bifrost_kernel_feature_info{iface=\"$H\",feature=\"[a-z_]*\",state=\"o[nf]*\",reason=\".*\"} 1$")" 4

# bifrost-host logs the program's features once at start.
$BUILD/bifrost-host --iface $H --guest vm1 --tap $TAP > "$BF_TMP/host.log" 2>&1 &
HOSTPID=$!; BF_PIDS+=($HOSTPID)
wait_for grep -q serving "$BF_TMP/host.log" || fail "bifrost-host starts" "$(cat "$BF_TMP/host.log")"
check_eq "bifrost-host logs the xdp metadata line of attach" \
	"$(grep -c "bifrost-host: $(grep 'xdp metadata' "$BF_TMP/features" | sed 's/^ *//')\$" "$BF_TMP/host.log")" 1
check_eq "bifrost-host logs every feature once" \
	"$(grep -cE 'bifrost-host: (xdp metadata|xdp frame length helper|xdp frags|af_xdp multi-buffer): ' "$BF_TMP/host.log")" 4
kill -TERM $HOSTPID; wait $HOSTPID 2>/dev/null

# AF_XDP multi-buffer is bifrost-host's: what it decided (here with UMEM
# frames too small for the MTU) is what status says.
$BFCTL detach $H >/dev/null
ip link set $H mtu 3000; ip -n $NS link set $P mtu 3000
bf_attach $H --config "$BF_TMP/bf.conf" >/dev/null || fail "attach at MTU 3000" "rc=$?"
$BUILD/bifrost-host --iface $H --guest vm1 --tap $TAP --frame-size 2048 > "$BF_TMP/host.log" 2>&1 &
HOSTPID=$!; BF_PIDS+=($HOSTPID)
wait_for grep -q 'serving\|error' "$BF_TMP/host.log"
if grep -q "needs multi-buffer AF_XDP" "$BF_TMP/host.log"; then
	# a kernel without XDP_USE_SG (< 6.6): refused, and status says why
	echo "INFO: MTU 3000, 2 KiB UMEM frames: $(cat "$BF_TMP/host.log")"
	check_cmd "no XDP_USE_SG: bifrost-host refuses 2 KiB frames at MTU 3000, naming the limit" \
		grep -q "the largest MTU it can serve is 1770" "$BF_TMP/host.log"
	check_eq "no XDP_USE_SG: status says why af_xdp multi-buffer is off" \
		"$($BFCTL status $H | grep -o 'af_xdp multi-buffer: .*')" \
		"af_xdp multi-buffer: off (this kernel has no XDP_USE_SG (Linux < 6.6))"
else
	grep -q serving "$BF_TMP/host.log" ||
		fail "bifrost-host starts (2 KiB frames)" "$(cat "$BF_TMP/host.log")"
	sg=$(grep -o 'af_xdp multi-buffer: .*' "$BF_TMP/host.log")
	echo "INFO: MTU 3000, 2 KiB UMEM frames: $sg"
	check_eq "status says what bifrost-host decided for af_xdp multi-buffer" \
		"$($BFCTL status $H | grep -o 'af_xdp multi-buffer: .*')" "$sg"
fi
kill -TERM $HOSTPID; wait $HOSTPID 2>/dev/null
$BFCTL detach $H >/dev/null
ip link set $H mtu 3500; ip -n $NS link set $P mtu 3500
out=$($BFCTL attach $H --without xdp_buff_len 2>&1); rc=$?
check_eq "--without xdp_buff_len on a frags wire: usage error" $rc 2
grep -q "cannot serve MTU 3500" <<< "$out" && pass "--without xdp_buff_len on a frags wire: says why" ||
	fail "--without xdp_buff_len on a frags wire: says why" "$out"
check_eq "--without xdp_buff_len on a frags wire: nothing pinned" "$(ls -d $PIN 2>/dev/null | wc -l)" 0
ip link set $H mtu 1500; ip -n $NS link set $P mtu 1500
bf_attach $H --config "$BF_TMP/bf.conf" >/dev/null || fail "attach again at MTU 1500" "rc=$?"

# --without xdp_meta: off, and still off after reload --prog.
$BFCTL detach $H >/dev/null
bf_attach $H --config "$BF_TMP/bf.conf" --without xdp_meta > "$BF_TMP/attach.out" ||
	fail "attach --without xdp_meta" "rc=$?"
if [ "$meta_on" = 1 ]; then
	want="  xdp metadata: off (turned off with --without xdp_meta)"
else
	want="  xdp metadata: off (this kernel refuses bpf_xdp_adjust_meta)"
fi
check_eq "attach --without xdp_meta" "$(grep 'xdp metadata' "$BF_TMP/attach.out")" "$want"
check_cmd "reload --prog" $BFCTL reload $H --prog $BUILD/bifrost_xdp.bpf.o
check_eq "reload --prog keeps --without" "$($BFCTL status $H | grep 'xdp metadata')" "$want"

# ABI record of another version: a bifrostctl or bifrost-host of another
# map ABI must refuse, never read past its structs.
record() { # VERSION MAGIC(0|1): a bf_info value with that version, no sizes
	local m="00 00 00 00"
	[ "$2" = 1 ] && m="1e ab f0 b1"
	printf 'hex %s %02x 00 00 00' "$m" "$1"
	for _ in $(seq 168); do printf ' 00'; done
}
# shellcheck disable=SC2046
bpftool map update pinned $PIN/bf_info key 0 0 0 0 value $(record 1 1) ||
	fail "write an ABI 1 record" "bpftool failed"
abi_line="$H: the pinned maps have map ABI 1, this build has map ABI 2"
expect_abi() { # NAME CMD...: exit code 10 and the line naming both versions
	local name=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	check_eq "$name: exit code" $rc 10
	grep -qF "$abi_line" <<< "$out" && pass "$name: names both versions" ||
		fail "$name: names both versions" "${out:0:300}"
}
expect_abi "ABI 1: status" $BFCTL status $H
expect_abi "ABI 1: stats --json" $BFCTL stats $H --json
expect_abi "ABI 1: stats --prometheus" $BFCTL stats $H --prometheus
expect_abi "ABI 1: reload --config" $BFCTL reload $H --config "$BF_TMP/bf.conf"
out=$(timeout 20 $BUILD/bifrost-host --iface $H --guest vm1 --tap $TAP 2>&1); rc=$?
check_eq "ABI 1: bifrost-host refuses to start" "$((rc != 0 && rc != 124))" 1
grep -qF "$abi_line" <<< "$out" && pass "ABI 1: bifrost-host names both versions" ||
	fail "ABI 1: bifrost-host names both versions" "${out:0:300}"
# shellcheck disable=SC2046
bpftool map update pinned $PIN/bf_info key 0 0 0 0 value $(record 2 0)
out=$($BFCTL status $H 2>&1); rc=$?
check_eq "no record: exit code" $rc 10
grep -qF "the pinned maps have no ABI record" <<< "$out" &&
	pass "no record: says so" || fail "no record: says so" "$out"
check_cmd "maps of another ABI: detach still works" $BFCTL detach $H

# An interface that vanished while attached: detach removes its pins.
bf_attach $H --config "$BF_TMP/bf.conf" >/dev/null || fail "attach again" "rc=$?"
ip link del $H
out=$($BFCTL detach $H 2>&1); rc=$?
check_eq "vanished interface: detach exit code" $rc 0
check_eq "vanished interface: says so" "$out" "removed the pins of $H (the interface is gone)"
check_eq "vanished interface: no pins left" "$(ls -d $PIN 2>/dev/null | wc -l)" 0
out=$($BFCTL detach $H 2>&1); rc=$?
check_eq "vanished and detached: no such interface" $rc 3
bf_veth $H $P $NS
ip link set $H up
check_cmd "a new interface of that name attaches" bf_attach $H --config "$BF_TMP/bf.conf"

# The interface goes and a new one of that name comes before detach (a
# VM's tap made anew): the pins say attached, the kernel has detached.
ip link del $H
bf_veth $H $P $NS
ip link set $H up
out=$($BFCTL status $H 2>&1); rc=$?
check_eq "recreated interface: status says not attached" $rc 7
grep -q "went with an earlier interface of that name" <<< "$out" &&
	pass "recreated interface: status says why" || fail "recreated interface: status says why" "$out"
out=$($BFCTL reload $H --config "$BF_TMP/bf.conf" 2>&1); rc=$?
check_eq "recreated interface: reload refused" $rc 7
out=$(bf_attach $H --config "$BF_TMP/bf.conf" 2>&1); rc=$?
check_eq "recreated interface: attach takes it" $rc 0
grep -q "removed the pins left by an earlier $H" <<< "$out" &&
	pass "recreated interface: attach says it cleaned up" ||
	fail "recreated interface: attach says it cleaned up" "$out"
check_eq "recreated interface: attached for real" "$(ip -d link show $H | grep -c 'prog/xdp')" 1
