#!/bin/bash
# bifrost-host killed (SIGKILL) and restarted in the middle of a TCP stream
# into the guest: QEMU reconnects (reconnect=1), the backend serves the same
# rings again, traffic resumes and the stream arrives byte-exact.
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/vmtopo.sh"
bf_init vm_reconnect

vm_up bfvr 94 vm on || { fail setup "topology"; exit 1; }
cat > $BF_TMP/run.sh <<'EOS'
/bf/bf_stream recv 5001 0 41 | grep -v listening | sed 's/^/stream /'
EOS
vm_launch $BF_TMP/run.sh
wait_for test -e $BF_TMP/vm.ready
ip netns exec $VM_SND timeout 300 $BUILD/tools/bf_stream send $VM_IP 5001 0 41 \
	> $BF_TMP/send.out 2>&1 &
spid=$!
sleep 3
x='.guests[0].backend'
before=$(json_get $VM_WIRE "$x.out_packets")
vm_backend_stop KILL
echo "INFO: backend killed after $before packets into the guest"
sleep 2
vm_backend_start
# traffic resumes once QEMU has reconnected and TCP retransmits
resumed=0
for i in $(seq 150); do
	n=$(json_get $VM_WIRE "$x.out_packets")
	[ "${n:-0}" -gt 1000 ] && { resumed=1; break; }
	sleep 0.2
done
check_eq "traffic resumed through the restarted backend" $resumed 1
sleep 2
pkill -USR1 -f "^$BUILD/tools/bf_stream send $VM_IP 5001 0 41"
wait $spid
vm_wait
sent=$(awk '/^sent/ {print $2}' $BF_TMP/send.out)
echo "INFO: $sent bytes streamed across the restart"
check_eq "stream byte-exact across the restart" "$(vm_out | sed -n 's/^stream //p')" "ok ${sent:-?} bytes"
check_eq "a second backend served the guest" "$(grep -c serving $BF_TMP/backend.log)" 2

# The other way round: the backend outlives QEMU. A second guest boot (a new
# QEMU process, a new memory table) is served by the same backend.
cat > $BF_TMP/run2.sh <<EOS
ping -c 3 -W 5 $VM_SND_IP >/dev/null && echo "second boot ping ok"
EOS
vm_launch $BF_TMP/run2.sh
vm_wait
check_eq "a new QEMU is served by the running backend" \
	"$(vm_out | grep -c '^second boot ping ok')" 1
check_cmd "backend survived the QEMU restart" kill -0 $VM_BACKEND
