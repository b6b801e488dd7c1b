#!/bin/bash
# bifrost-host killed (SIGKILL) and restarted in the middle of a TCP stream
# into the guest: QEMU reconnects (reconnect=1), the backend serves the same
# rings again, traffic resumes and the stream arrives byte-exact. Then the
# same with the ZCED guest as an emulated CVM: what the guest shared outlives
# the backend (the bf_zced_shared map, like a CVM's page states), so the
# restarted backend takes the pool back as soon as QEMU hands it the same
# guest memory - no pool buffer is ever refused as private - and the guest
# announces it again anyway when its link comes back.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_reconnect

# stream_across_restart LABEL PORT
stream_across_restart() {
	local t=$1 port=$2 before resumed n i sent x='.guests[0].backend'
	cat > $BF_TMP/run.sh <<EOS
/bf/bf_stream recv $port 0 41 | grep -v listening | sed 's/^/stream /'
Z=/sys/kernel/bifrost_zced
[ -d \$Z ] && echo "announces \$(cat \$Z/announces) rx_kept \$(cat \$Z/rx_kept_bytes)"
EOS
	vm_launch $BF_TMP/run.sh
	wait_for test -e $BF_TMP/vm.ready || wait_for test -e $BF_TMP/vm.ready
	ip netns exec $VM_SND timeout 300 $BUILD/tools/bf_stream send $VM_IP $port 0 41 \
		> $BF_TMP/send.out 2>&1 &
	spid=$!
	sleep 3
	before=$(json_get $VM_WIRE "$x.out_packets")
	vm_backend_stop KILL
	echo "INFO: $t: backend killed after $before packets into the guest"
	sleep 2
	vm_backend_start
	# traffic resumes once QEMU has reconnected and TCP retransmits
	resumed=0
	for i in $(seq 150); do
		n=$(json_get $VM_WIRE "$x.out_packets")
		[ "${n:-0}" -gt 1000 ] && { resumed=1; break; }
		sleep 0.2
	done
	check_eq "$t: traffic resumed through the restarted backend" $resumed 1
	sleep 2
	pkill -USR1 -f "^$BUILD/tools/bf_stream send $VM_IP $port 0 41"
	wait $spid
	vm_wait
	sent=$(awk '/^sent/ {print $2}' $BF_TMP/send.out)
	echo "INFO: $t: $sent bytes streamed across the restart"
	check_eq "$t: stream byte-exact across the restart" "$(vm_out | sed -n 's/^stream //p')" "ok ${sent:-?} bytes"
	check_eq "$t: a second backend served the guest" "$(grep -c serving $BF_TMP/backend.log)" 2
	check_eq "$t: the restarted backend saw no violation" "$(json_get $VM_WIRE "$x.violations")" 0
}

vm_up bfvr $(bf_net) vm on || { fail setup "topology"; exit 1; }
stream_across_restart vm 5001

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

# ZCED guest, emulated CVM: the pool must be announced to the new backend
vm_backend_stop
: > $BF_TMP/backend.log
VM_MODE=cvm VM_ZCED_MB=128 VM_ZCED=443
VM_CVM_RANGES=$(vm_swiotlb_range) || { fail setup "swiotlb range (zced layout)"; exit 1; }
vm_backend_start
stream_across_restart zced 443
a=$(vm_out | sed -n 's/^announces \([0-9]*\) .*/\1/p')
echo "INFO: zced: $(vm_out | grep '^announces')"
check_eq "zced: the guest announced its pool to both backends" "$(( ${a:-0} >= 2 ))" 1
check_eq "zced: the restarted backend took the pool back (same guest memory)" \
	"$(grep -c 'ZCED shared ranges taken back (same guest memory): [0-9]* ranges, 33554432 bytes' $BF_TMP/backend.log)" 1
check_eq "zced: the restarted backend accepted the new announcement" \
	"$(( $(json_get $VM_WIRE '.guests[0].backend.zced_announce') >= 1 ))" 1
check_eq "zced: stream data was received into the pool" \
	"$(( $(vm_out | sed -n 's/.* rx_kept \([0-9]*\)$/\1/p') > 0 ))" 1
