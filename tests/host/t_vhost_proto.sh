#!/bin/bash
# A hostile vhost-user front-end: unknown requests, bad indices and sizes,
# bad memory tables, truncated and random messages, file descriptors it
# should not send (the backend's open-fd count stays flat), guest memory its
# file does not back (a region larger than its memfd is refused; a memfd
# truncated under a TX buffer costs only that front-end). The backend
# answers with errors, counts them, and keeps serving. It logs the first
# refusals, then a few a second, each line after a gap saying how many it
# left out: the lines and the counts they give add up to the counter.
# Then a well-behaved front-end with a TX ring plays a guest registering its
# ZCED pool in band: a buffer outside the --cvm ranges is a violation until
# the registration covers it and after UNSHARE; bad registrations are
# counted and change nothing; no registration frame reaches the wire. Once
# against a normal VM backend (counted, access unchanged), once in CVM mode.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init vhost_proto

H=bfavp0; P=bfavp1
bf_veth $H $P
ip link set $H up; ip link set $P up
echo "guest vm1 mac 52:54:00:bf:96:02" > $BF_TMP/c.conf
bf_attach $H --config $BF_TMP/c.conf >/dev/null || { fail attach "failed"; exit 1; }
$BUILD/bifrost-host --iface $H --guest vm1 --vhost-user $BF_TMP/vp.sock > $BF_TMP/be.log 2>&1 &
be=$!
BF_PIDS+=($be)
wait_for grep -q serving $BF_TMP/be.log || { fail start "not serving: $(cat $BF_TMP/be.log)"; exit 1; }
t0=$SECONDS
timeout 200 $BUILD/tools/bf_vhu_fuzz $BF_TMP/vp.sock $be "$BFCTL stats $H --json"
secs=$((SECONDS - t0 + 1))
check_cmd "backend process survived" kill -0 $be
sleep 0.3	# counters are published every 100 ms
bad=$(json_get $H '.guests[0].backend.vhost_bad_messages')
# lines about refused messages: every vhost-user line but these
grep vhost-user $BF_TMP/be.log |
	grep -v 'ZCED shared ranges\|not sealed\|does not read its replies\|guest memory fault' \
	> $BF_TMP/refused.log
n=$(grep -c . $BF_TMP/refused.log)
left_out=$(sed -n 's/.*(\([0-9]*\) similar lines suppressed)$/\1/p' $BF_TMP/refused.log |
	awk '{ s += $1 } END { print s + 0 }')
echo "INFO: $bad messages refused in ${secs} s, $n lines, e.g.: $(head -n1 $BF_TMP/refused.log)"
check_eq "the first refusals are reported" "$(( n >= 9 ))" 1
check_eq "refusals are rate-limited: at most 10 lines, then 5 a second" \
	"$(( n <= 10 + 5 * secs ))" 1
check_eq "more refusals than lines" "$(( n < bad ))" 1
check_eq "lines printed and lines said suppressed add up to vhost_bad_messages" \
	$((n + left_out)) "$bad"
check_eq "a region larger than its file is reported" \
	"$(grep -c 'SET_MEM_TABLE: region 0 .* beyond the end of its file' $BF_TMP/be.log)" 1
check_eq "a guest memory fault is reported, once" \
	"$(grep -c 'guest memory fault' $BF_TMP/be.log)" 1

# run_zced MODE: the registration front-end; its results prefixed by MODE
run_zced() {
	local rc
	timeout 200 $BUILD/tools/bf_vhu_fuzz $BF_TMP/vp.sock zced $1 $P "$BFCTL stats $H --json" \
		> $BF_TMP/zced.$1 2>&1
	rc=$?
	sed "s/^\(PASS\|FAIL\): /\1: $1: /" $BF_TMP/zced.$1
	check_eq "$1: registration front-end exit status" $rc 0
}

run_zced vm
check_cmd "vm: backend survived" kill -0 $be
check_eq "vm: registration logged" \
	"$(grep -c 'guest vm1: ZCED shares 1 ranges, 4096 bytes' $BF_TMP/be.log)" 3
kill $be; wait $be 2>/dev/null

# CVM mode: only [0x10000, 0x20000) of the front-end's memory is shared
$BUILD/bifrost-host --iface $H --guest vm1 --vhost-user $BF_TMP/vp.sock \
	--cvm 0x10000-0x20000 > $BF_TMP/be2.log 2>&1 &
be=$!
BF_PIDS+=($be)
wait_for grep -q serving $BF_TMP/be2.log || { fail start "not serving (cvm): $(cat $BF_TMP/be2.log)"; exit 1; }
run_zced cvm
check_cmd "cvm: backend survived" kill -0 $be
l=$BF_TMP/be2.log
echo "INFO: e.g.: $(grep -m1 'registration rejected' $l)"
check_eq "cvm: accepted registrations logged" "$(grep -c 'guest vm1: ZCED shares 1 ranges, 4096 bytes$' $l)" 3
check_eq "cvm: unshare logged" "$(grep -c 'guest vm1: ZCED unshares its pool' $l)" 1
check_eq "cvm: rejection names the range" \
	"$(grep -c 'guest vm1: ZCED registration rejected: range 1 outside guest memory' $l)" 1
check_eq "cvm: rejections logged" "$(grep -c 'ZCED registration rejected' $l)" 3
check_eq "cvm: new memory table and disconnect forget the ranges" \
	"$(grep -c 'ZCED shared ranges forgotten (new memory table)\|ZCED shared ranges forgotten (front-end disconnected)' $l)" 2
