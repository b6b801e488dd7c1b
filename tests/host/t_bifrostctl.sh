#!/bin/bash
# bifrostctl error handling: every failure is one line naming the problem,
# with its own exit code; a bad config never touches the live policy;
# detach leaves nothing pinned; reload --prog swaps the program atomically.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init bifrostctl

H=bfct0; P=bfct1
bf_veth $H $P
ip link set $H up; ip link set $P up
C=$BF_TMP
printf 'guest vm1 mac 52:54:00:bf:01:01 queues 2 zced-ports 443\n' > $C/good.conf
printf 'guest vm1 mac 52:54:00:bf:01:01 queues 4 prpr off\nguest vm2 mac 52:54:00:bf:01:02\n' > $C/good2.conf
printf '# ok\nguest vm1 mac 52:54:00:bf:01:01\n\nguest vm2 mac 52:54:00:bf:01:02 max-segs 70000\n' > $C/bad4.conf
printf 'guest vm1 mac 52:54:00:bf:01:01\nguest vm1 mac 52:54:00:bf:01:03\n' > $C/bad2.conf

# expect NAME RC PATTERN CMD...: exit code RC and one stderr line matching PATTERN
expect() {
	local name=$1 rc=$2 pat=$3; shift 3
	local err got
	err=$("$@" 2>&1 >/dev/null); got=$?
	if [ "$got" -ne "$rc" ]; then
		fail "$name" "exit $got, expected $rc ($err)"
	elif ! grep -qE -- "$pat" <<< "$err" || [ "$(wc -l <<< "$err")" -ne 1 ]; then
		fail "$name" "message '$err' does not match '$pat'"
	else
		pass "$name"
	fi
}

expect "usage" 2 "usage|needs" $BFCTL attach
# Each sub-command takes only its own options (before anything is touched).
expect "detach takes no --json" 2 "detach does not take --json" $BFCTL detach $H --json
expect "attach takes no --prog" 2 "attach does not take --prog" $BFCTL attach $H --prog x.o
expect "reload takes no --mode" 2 "reload does not take --mode" $BFCTL reload $H --mode native
expect "status takes no --count" 2 "status does not take --count" $BFCTL status --count 1
expect "stats takes no --config" 2 "stats does not take --config" $BFCTL stats --config x
expect "check-config takes no --json" 2 "check-config does not take --json" \
	$BFCTL check-config $C/good.conf --json
expect "unknown option" 2 "unknown option '--nope'" $BFCTL stats --nope
expect "option without its value" 2 "--interval needs a value" $BFCTL stats --interval
expect "unknown command" 2 "unknown command 'frob'" $BFCTL frob $H
expect "--json and --prometheus" 2 "not both" $BFCTL stats --json --prometheus
expect "--listen without --prometheus" 2 "--listen needs --prometheus" $BFCTL stats --listen :0
expect "--listen with --count" 2 "no --interval or --count" \
	$BFCTL stats --prometheus --listen :0 --count 1
expect "bad --listen address" 2 "bad --listen" $BFCTL stats --prometheus --listen nope
expect "extra argument" 2 "unexpected argument 'x'" $BFCTL detach $H x
expect "no such interface" 3 "no such interface: bfnope0" $BFCTL attach bfnope0
expect "bad config: line and file named" 8 "bad4.conf:4: max-segs" \
	$BFCTL attach $H --config $C/bad4.conf
check_eq "bad config attaches nothing" "$(ls /sys/fs/bpf/bifrost/$H 2>/dev/null | wc -l)" 0
expect "not attached (detach)" 7 "not attached to $H" $BFCTL detach $H
expect "not attached (reload)" 7 "not attached to $H" $BFCTL reload $H --config $C/good.conf
expect "not attached (stats)" 7 "not attached to $H" $BFCTL stats $H
expect "not root" 4 "root|CAP_BPF" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all $BFCTL attach $H

ip link add bfctd0 type bridge; BF_IFS+=(bfctd0)
expect "XDP unsupported (native on a bridge)" 5 "native XDP not supported" $BFCTL attach bfctd0
check_eq "failed attach leaves no pins" "$(ls /sys/fs/bpf/bifrost/bfctd0 2>/dev/null | wc -l)" 0

xdp-loader load -m native $P /usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o >/dev/null 2>&1 ||
	ip link set dev $P xdpgeneric obj /usr/lib/x86_64-linux-gnu/bpf/xsk_def_xdp_prog.o sec xdp 2>/dev/null
if ip link show $P | grep -q xdp; then
	expect "foreign XDP program present" 6 "not Bifrost's|another XDP" $BFCTL attach $P
	xdp-loader unload -a $P >/dev/null 2>&1; ip link set dev $P xdpgeneric off 2>/dev/null
else
	fail "foreign XDP program present" "could not attach a foreign program to test with"
fi

check_cmd "attach" bf_attach $H --config $C/good.conf
expect "already attached" 6 "already attached to $H" $BFCTL attach $H
gen1=$(json_get $H .generation)
expect "bad reload rejected with line" 8 "bad2.conf:2: guest 'vm1' defined twice" \
	$BFCTL reload $H --config $C/bad2.conf
check_eq "bad reload keeps generation" "$(json_get $H .generation)" "$gen1"
check_eq "bad reload keeps policy" "$(json_get $H '.guests[0].queues'),$(json_get $H '.guests | length')" "2,1"
check_cmd "good reload" $BFCTL reload $H --config $C/good2.conf
check_eq "reload bumps generation" "$(json_get $H .generation)" $((gen1 + 1))
check_eq "reload keeps guest id" "$(json_get $H '.guests[] | select(.name=="vm1") | .id')" 0
check_eq "reload applies policy" \
	"$(json_get $H '.guests[] | select(.name=="vm1") | "\(.queues) \(.policy.prpr) \(.policy.generation)"')" \
	"4 false $((gen1 + 1))"
check_eq "reload adds guest" "$(json_get $H '.guests | length')" 2
check_cmd "reload back" $BFCTL reload $H --config $C/good.conf
check_eq "reload removes guest" "$(json_get $H '.guests | map(.name) | join(",")')" vm1
check_eq "removed guest gone from map" \
	"$(bpftool map dump pinned /sys/fs/bpf/bifrost/$H/bf_guests -j | jq length)" 1

prog1=$(bpftool link show pinned /sys/fs/bpf/bifrost/$H/link -j | jq .prog_id)
check_cmd "reload --prog" $BFCTL reload $H --prog $BUILD/bifrost_xdp.bpf.o
prog2=$(bpftool link show pinned /sys/fs/bpf/bifrost/$H/link -j | jq .prog_id)
check_eq "program replaced in place (same link, new prog)" "$((prog2 != prog1))" 1
check_eq "XDP prog on iface is the new one" \
	"$(ip -j -d link show $H | jq '.[0].xdp.prog.id')" "$prog2"
expect "foreign --prog refused" 9 "not a Bifrost program" \
	$BFCTL reload $H --prog /usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o
check_eq "foreign --prog left program alone" \
	"$(bpftool link show pinned /sys/fs/bpf/bifrost/$H/link -j | jq .prog_id)" "$prog2"
expect "missing --prog file" 9 "cannot open" $BFCTL reload $H --prog $C/nope.o

$BFCTL status $H > $C/status.out
check_cmd "status names program and guest" grep -q "name bifrost_xdp" $C/status.out
check_cmd "status lists guest" grep -q "guest vm1" $C/status.out
check_cmd "check-config" $BFCTL check-config $C/good.conf
check_cmd "detach" $BFCTL detach $H
check_eq "detach leaves nothing pinned" "$(ls /sys/fs/bpf/bifrost/$H 2>/dev/null | wc -l)" 0
check_eq "no link left" "$(bpftool link show -j | jq "[.[] | select(.prog_id == $prog2)] | length")" 0
check_cmd "attach again after detach" bf_attach $H --mode generic
check_eq "generic mode" "$(ip -j -d link show $H | jq -r '.[0].xdp.mode')" 2
