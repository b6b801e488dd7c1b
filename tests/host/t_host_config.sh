#!/bin/bash
# bifrost-host serving its guests from bifrost.conf (--config FILE --iface
# IFACE): one tap guest moves traffic; a second guest added to the file is
# served after `bifrostctl reload` (which signals the backend through its
# pidfile) while the first guest's tap and counters stay as they were; the
# second guest removed from the file and a plain SIGHUP stop it; a broken
# file keeps the guests served and is logged with its file:line.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init host_config

P=bfho
TOPO_SND=$P-snd TOPO_RCV=$P-rcv TOPO_WIRE=${P}0 TOPO_PEER=${P}1
SUBNET=$(bf_subnet)
TOPO_SND_IP=$SUBNET.0.1 TOPO_RCV_IP=$SUBNET.0.2
RCV2=$P-rc2 RCV2_IP=$SUBNET.0.3
MAC1=52:54:00:bf:94:01 MAC2=52:54:00:bf:94:02
C=$BF_TMP/bifrost.conf
LOG=$BF_TMP/backend.log
PIDFILE=/run/bifrost/$TOPO_WIRE.pid

bf_forget_pins $TOPO_WIRE
bf_ns $TOPO_SND
bf_ns $TOPO_RCV
bf_ns $RCV2
bf_veth $TOPO_WIRE $TOPO_PEER $TOPO_SND
bf_wire_up $TOPO_WIRE $TOPO_PEER $TOPO_SND $TOPO_SND_IP
PEER_MAC=$(ip -n $TOPO_SND -j link show $TOPO_PEER | jq -r '.[0].address')

# guest_net TAP NS IP MAC: the guest's tap into its namespace, as a VM would
guest_net() {
	ip link set $1 netns $2
	ip netns exec $2 sysctl -qw net.ipv6.conf.$1.disable_ipv6=1 2>/dev/null
	ip -n $2 addr add $3/24 dev $1
	ip -n $2 link set $1 up
	ip -n $2 neigh replace $TOPO_SND_IP lladdr $PEER_MAC dev $1 nud permanent
	ip -n $TOPO_SND neigh replace $3 lladdr $4 dev $TOPO_PEER nud permanent
}

vm1_line="guest vm1 mac $MAC1 iface $TOPO_WIRE tap ${P}t"
vm2_line="guest vm2 mac $MAC2 iface $TOPO_WIRE tap ${P}u prpr off"
other_line="guest vmx mac 52:54:00:bf:94:09 iface ${P}9 tap ${P}x"
printf '# one file for bifrostctl and bifrost-host\n%s\n%s\n' "$vm1_line" "$other_line" > $C
bf_attach $TOPO_WIRE --config $C > $BF_TMP/attach.out	# not in $(...): cleanup detaches
check_eq "attach takes the guests of its interface only" "$(grep -o '1 guest(s)' $BF_TMP/attach.out)" "1 guest(s)"

$BUILD/bifrost-host --iface $TOPO_WIRE --config $C > $LOG 2>&1 &
BPID=$!
BF_PIDS+=($BPID)
wait_for grep -q "serving 1 guest" $LOG || { fail "backend start" "$(cat $LOG)"; exit 1; }
check_eq "pidfile names the backend" "$(cat $PIDFILE 2>/dev/null)" "$BPID"
guest_net ${P}t $TOPO_RCV $TOPO_RCV_IP $MAC1
tap1=$(ip -n $TOPO_RCV -j link show ${P}t | jq '.[0].ifindex')
check_eq "vm1 traffic from the config file" "$(topo_transfer in 300000 11)" "ok 300000 bytes"
vm1_in() { json_get $TOPO_WIRE '.guests[] | select(.name=="vm1") | .backend.in_packets'; }
wait_for test "$(vm1_in)" -gt 0
before=$(vm1_in)

# add vm2: bifrostctl reload writes the policy and signals the backend
printf '%s\n' "$vm2_line" >> $C
out=$($BFCTL reload $TOPO_WIRE --config $C)
check_eq "reload signals the backend" "$(echo "$out" | grep -c "signalled bifrost-host (pid $BPID)")" 1
wait_for grep -q "guest vm2 served" $LOG
check_eq "added guest served" "$(grep -c 'guest vm2 served' $LOG)" 1
check_eq "vm2's tap made" "$(ip -j link show ${P}u 2>/dev/null | jq -r '.[0].ifname')" "${P}u"
guest_net ${P}u $RCV2 $RCV2_IP $MAC2
check_eq "vm1 counters kept across the reload" "$(( $(vm1_in) >= before ))" 1
check_eq "vm1's tap untouched" "$(ip -n $TOPO_RCV -j link show ${P}t | jq '.[0].ifindex')" "$tap1"
check_eq "vm1 traffic after adding vm2" "$(topo_transfer in 200000 12)" "ok 200000 bytes"
check_eq "vm2 traffic" "$(TOPO_RCV=$RCV2 TOPO_RCV_IP=$RCV2_IP topo_transfer in 200000 13)" \
	"ok 200000 bytes"
check_eq "vm1 still out" "$(topo_transfer out 100000 14)" "ok 100000 bytes"

# remove vm2 with a plain SIGHUP (vm2 stays in the XDP policy: its frames
# find no socket and are counted as dropped)
grep -v "^guest vm2 " $C > $C.new && mv $C.new $C
kill -HUP $BPID
wait_for grep -q "guest vm2 stopped" $LOG
check_eq "removed guest stopped" "$(grep -c 'guest vm2 stopped' $LOG)" 1
check_eq "vm2's tap gone" "$(ip -n $RCV2 link show ${P}u 2>/dev/null | wc -l)" 0
check_eq "vm1 traffic after removing vm2" "$(topo_transfer in 200000 15)" "ok 200000 bytes"

vm1_backend() { json_get $TOPO_WIRE ".guests[] | select(.name==\"vm1\") | .backend.$1"; }
vm1_backend_is() { [ "$(vm1_backend "$1")" = "$2" ]; }
wait_for vm1_backend_is reloads 2
check_eq "two good reloads counted, none failed" \
	"$(vm1_backend reloads),$(vm1_backend reload_failures)" "2,0"

# a broken file: the old guests stay, the error names file and line
printf 'guest vm3 mac 52:54:00:bf:94:03 cvm on tap %st3\n' $P >> $C
kill -HUP $BPID
wait_for grep -q "reload 3 failed" $LOG
check_eq "bad file logged with file:line" \
	"$(grep -c "reload 3 failed, still serving 1 guest(s) (1 failed reloads): $C:4: guest 'vm3': cvm needs a vhost-user port" $LOG)" 1
# ... and counted where operators look: vm1's backend counters (the worker
# pushes them periodically)
wait_for vm1_backend_is reload_failures 1
check_eq "failed reload counted for vm1's backend" "$(vm1_backend reload_failures)" 1
check_eq "reloads counted" "$(vm1_backend reloads)" 3
check_eq "failed reload in Prometheus" "$($BFCTL stats $TOPO_WIRE --prometheus |
	awk '/^bifrost_backend_reload_failures_total\{.*guest="vm1"/ { s += $2 } END { print s + 0 }')" 1
check_eq "vm1 traffic after a bad reload" "$(topo_transfer in 200000 16)" "ok 200000 bytes"
check_eq "backend alive" "$(kill -0 $BPID 2>/dev/null && echo yes)" yes

kill -TERM $BPID
wait $BPID
check_eq "backend exits cleanly" "$?" 0
check_eq "pidfile removed" "$(test -e $PIDFILE && echo left || echo gone)" gone

# A stale pidfile (the backend was SIGKILLed, its pid reused by another
# program): bifrostctl reload does not signal that program, and says why.
sleep 60 &
SP=$!
BF_PIDS+=($SP)
mkdir -p "$(dirname $PIDFILE)" && echo $SP > $PIDFILE
printf '%s\n' "$vm1_line" > $C		# a good file again
out=$($BFCTL reload $TOPO_WIRE --config $C 2>&1)
check_eq "stale pidfile: the other program is not signalled, the reason given" \
	"$(kill -0 $SP 2>/dev/null && echo alive) $(echo "$out" | grep -c 'is not a running bifrost-host')" "alive 1"
kill $SP 2>/dev/null
rm -f $PIDFILE

# A vhost-user path naming something that is not a socket (an operator's
# typo): refused, and the file is never deleted.
echo precious > $BF_TMP/precious
$BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --vhost-user $BF_TMP/precious \
	> $BF_TMP/precious.log 2>&1
rc=$?
check_eq "vhost-user path that is a regular file: refused, the file untouched" \
	"$([ $rc -ne 0 ] && echo refused) $(cat $BF_TMP/precious)" "refused precious"
# A config "file" that is a directory or a FIFO: an error, never "ok" or a hang
mkfifo $BF_TMP/fifo
check_eq "config that is a directory or a FIFO: exit 8 (bad config) each" \
	"$($BFCTL check-config $BF_TMP >/dev/null 2>&1; echo $?) $(timeout 10 $BFCTL check-config $BF_TMP/fifo >/dev/null 2>&1; echo $?)" "8 8"
