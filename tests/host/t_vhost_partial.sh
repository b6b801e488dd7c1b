#!/bin/bash
# Front-ends that hold a vhost-user message unfinished must not stall the
# worker thread, which moves every guest's packets. One bifrost-host serves
# guest vm1 (a tap, topo.sh) and four hostile front-ends (bf_vhu_fuzz hold),
# each on its own vhost-user device:
#   h1 sends half a header (with the fd it carries) and nothing more,
#   h2 a header announcing 8 payload bytes, and 3 of them,
#   h3 sends GET_FEATURES one byte every 250 ms (a slowloris),
#   h4 sends requests and never reads a reply.
# While they hold, vm1's TCP streams arrive byte-exact both ways. Then h1
# and h2 complete their messages and are answered on the same connection
# (the backend kept what they had sent, fd included), h3's messages were
# all answered on one connection, and none of that counts as a bad message;
# h4 was dropped and counted (vhost_reply_stalls), and a new front-end on
# its socket is served.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init vhost_partial

BYTES=$((8 << 20))
MODES=(header payload slow noread)

# backend_field GUEST FIELD
backend_field() {
	json_get $TOPO_WIRE ".guests[] | select(.name == \"$1\") | .backend.$2"
}

conf="" args="" pids=()
for i in 1 2 3 4; do
	conf+="guest h$i mac 52:54:00:bf:7b:0$i"$'\n'
	args+=" --guest h$i --vhost-user $BF_TMP/h$i.sock"
done
TOPO_EXTRA_CONF=$conf TOPO_BACKEND_ARGS=$args topo_up bfp $(bf_net) ||
	{ fail topology "setup failed"; exit 1; }
for i in 1 2 3 4; do
	$BUILD/tools/bf_vhu_fuzz $BF_TMP/h$i.sock hold ${MODES[i - 1]} > $BF_TMP/h$i.out 2>&1 &
	pids+=($!)
	BF_PIDS+=($!)
done
for i in 1 2 3 4; do
	wait_for grep -q holding $BF_TMP/h$i.out ||
		fail "h$i (${MODES[i - 1]}) holds its message" "$(cat $BF_TMP/h$i.out)"
done

check_eq "vm1 wire->guest byte-exact while 4 front-ends hold" \
	"$(topo_transfer in $BYTES 31)" "ok $BYTES bytes"
check_eq "vm1 guest->wire byte-exact while 4 front-ends hold" \
	"$(topo_transfer out $BYTES 32)" "ok $BYTES bytes"
sleep 3		# and hold on with no traffic for longer than a receive timeout
check_eq "vm1 wire->guest byte-exact after 3 s more of holding" \
	"$(topo_transfer in $BYTES 33)" "ok $BYTES bytes"

for p in "${pids[@]}"; do kill -USR1 $p; done
for i in 1 2 3 4; do
	wait ${pids[i - 1]}
	rc=$?
	grep -v holding $BF_TMP/h$i.out | sed "s/^\(PASS\|FAIL\): /\1: h$i: /"
	check_eq "h$i (${MODES[i - 1]}): front-end exit status" $rc 0
done
sleep 0.3	# counters are published every 100 ms
for i in 1 2 3; do
	check_eq "h$i (${MODES[i - 1]}): not counted as a bad message" \
		"$(backend_field h$i vhost_bad_messages)" 0
done
check_eq "h4 (noread): dropped once, counted in vhost_reply_stalls" \
	"$(backend_field h4 vhost_reply_stalls)" 1
check_eq "h4 (noread): not counted as a bad message" "$(backend_field h4 vhost_bad_messages)" 0
echo "INFO: e.g.: $(grep -m1 'does not read its replies' $BF_TMP/backend.log)"
check_cmd "backend survived" kill -0 $TOPO_BACKEND
topo_backend_stop
