#!/bin/bash
# The host as the guest's adversary, at scale: a seeded hostile-backend
# campaign (bifrost-host-adversary --adversary fuzz,seed=S, adversary.h)
# over everything the guest reads from shared memory - virtio_net_hdr
# fields, used lengths, order and ids, buffer bytes (headers, TLS record
# headers, ciphertext, tags) before and after they are published,
# notification storms and silences, forged ZCED announcements - while the
# guest moves TLS 1.2 and 1.3 both ways, on ZCED and ordinary ports, in
# cvm+zced (PRPR off) and bifrost (PRPR on) mode.
#
# Invariants, after every run: no oops, BUG, WARN or hung task in the
# guest; no application on either side ever gets a byte that differs from
# what its peer sent (data, or a clean TLS/TCP error); no pool page lost
# and every one back once the device is gone; a ring the host broke (an
# id the guest does not own) is detected by the guest, which gets a new
# device; once the host turns honest (SIGUSR2) every port serves a clean
# transfer again.
#
# Knobs (make test runs the defaults; make fuzz-guest runs it longer):
#   CAMPAIGN_RUNS    runs (default 2), seeds CAMPAIGN_SEED, +1, ... (default
#                    1); a seed decides its run: mode cvm+zced for odd seeds,
#                    bifrost for even ones, and which TLS version each of the
#                    four flows has (swapped when (seed - 1) / 2 is odd), so
#                    seeds 1-4 cover all eight flows in both modes
#   CAMPAIGN_SECS    the attack phase of each run, seconds (default 40)
#   CAMPAIGN_RATE    one packet in RATE is mutated (default 4)
#   CAMPAIGN_MODE    cvm+zced or bifrost for every run (default: by seed)
# Each run prints its seed; `CAMPAIGN_SEED=S CAMPAIGN_RUNS=1` replays that
# run: the same decisions in the same order (which packet each lands on
# follows TCP's timing). Seed 1 (cvm+zced) found the unbounded frag_list
# walk fixed in bifrost_zced_tls_rx_copy() (an oops within seconds); make
# test runs it.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_campaign

RUNS=${CAMPAIGN_RUNS:-2}
SEED0=${CAMPAIGN_SEED:-1}
SECS=${CAMPAIGN_SECS:-40}
RATE=${CAMPAIGN_RATE:-4}
BYTES=$((1 << 20))
NET=$(bf_net)
VM_ZCED_MB=128
VM_ZCED=443,444
TOTAL_MUT=0
FAILED_SEEDS=

# The guest: a server loop per port until the host says "end"; a
# watchdog that gives the guest a new virtio-net device when the host
# broke a ring (virtio_ring's "id N is not a head" / "out of range"); then
# the checks.
guest_script() {
	local v1=$1 v2=$2
	cat <<EOS
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
rm -f /tmp/stop
srv() {	# PORT DIR VERSION
	local r=
	[ \$2 = recv ] && [ \$3 = 1.3 ] && r=-R
	while [ ! -e /tmp/stop ]; do
		timeout 45 /bf/bf_tls -v \$3 \$r -a 40 server \$1 \$2 $BYTES \$1 2>&1 |
			grep -v listening | sed "s/^/res \$1 /"
	done
}
ring_breaks() { dmesg | grep -cE 'id [0-9]+ (is not a head|out of range)'; }
reprobe() {
	local pci
	pci=\$(readlink -f /sys/class/net/eth0/device/..)
	echo 1 > \$pci/remove
	sleep 1
	echo 1 > /sys/bus/pci/rescan
	for i in \$(seq 50); do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
	ip addr add $VM_IP/24 dev eth0
	ip link set eth0 up
	ip neigh replace $VM_SND_IP lladdr $VM_PEER_MAC dev eth0 nud permanent
	echo "reprobed"
}
watchdog() {
	local seen=0 n
	while [ ! -e /tmp/stop ]; do
		n=\$(ring_breaks)
		if [ "\$n" -gt "\$seen" ]; then seen=\$n; reprobe; fi
		sleep 2
	done
}
srv 443 recv $v1 & srv 444 send $v2 & srv 8443 recv $v2 & srv 8444 send $v1 &
watchdog &
# until the host says the campaign is over (bounded by the launcher's timeout)
while :; do
	t=\$(timeout 600 nc -l -p 7001 </dev/null 2>/dev/null)
	[ "\$t" = end ] && break
	[ -e /tmp/stop ] && break
done
touch /tmp/stop
pkill bf_tls
wait
echo "ring_breaks \$(ring_breaks)"
echo "tls_decrypt_errors \$(awk '\$1 == "TlsDecryptError" {print \$2}' /proc/net/tls_stat)"
echo "rx_length_errors \$(cat /sys/class/net/eth0/statistics/rx_length_errors)"
echo "rx_dropped \$(cat /sys/class/net/eth0/statistics/rx_dropped)"
Z=/sys/kernel/bifrost_zced
echo "ottr_auth_failed \$(cat \$Z/ottr_auth_failed)"
echo "zced_rx_bytes \$(cat \$Z/zced_rx_bytes)"
echo "zced_tx_bytes \$(cat \$Z/zced_tx_bytes 2>/dev/null)"
sleep 1
echo "sockstat_before_remove \$(grep TCP: /proc/net/sockstat)"
echo 1 > \$(readlink -f /sys/class/net/eth0/device/..)/remove
# pool pages still in sockets the attack left behind (unacknowledged
# records of killed transfers) come back as TCP gives those up: bounded wait
for i in \$(seq 120); do
	[ "\$(cat \$Z/pool_pages_in_use)" = 0 ] && break
	[ \$i = 1 ] && echo "pool_in_use_at_remove \$(cat \$Z/pool_pages_in_use)"
	sleep 1
done
echo "sockstat_after \$(grep TCP: /proc/net/sockstat)"
echo "pool_in_use_gone \$(cat \$Z/pool_pages_in_use)"
echo "pool_lost \$(cat \$Z/pool_pages_lost)"
echo "oops \$(dmesg | grep -cE 'Oops:|BUG: |WARNING: CPU|general protection fault|Kernel panic|KASAN|blocked for more than|soft lockup')"
EOS
}

# cli PORT DIR VERSION: the host's client loop for one guest port, until
# $BF_TMP/stop; each connection's result line to $BF_TMP/host.res (user-space
# TLS: the host's side is not under test)
cli() {
	while [ ! -e $BF_TMP/stop ]; do
		ip netns exec $VM_SND timeout 45 $BUILD/tools/bf_tls -v $3 client $VM_IP $1 $2 \
			$BYTES $1 2>&1 | sed "s/^/res $1 /" >> $BF_TMP/host.res
		sleep 0.2
	done
}
get() { vm_out | awk -v k="$1" '$1 == k {print $2}'; }
getn() { local v; v=$(get "$1"); echo "${v:-0}"; }	# missing: 0

# one_run I: the campaign's I-th run
one_run() {
	local i=$1 seed=$((SEED0 + $1)) mode prpr v1=1.2 v2=1.3 t rc p n ok line mut used_id
	mode=${CAMPAIGN_MODE:-$([ $((seed % 2)) = 1 ] && echo cvm+zced || echo bifrost)}
	[ "$mode" = bifrost ] && prpr=on || prpr=off
	[ $(((seed - 1) / 2 % 2)) = 1 ] && { v1=1.3; v2=1.2; }
	t="seed $seed ($mode)"
	RUN_FAILS=0
	: > $BF_TMP/host.res
	: > $BF_TMP/backend.log
	rm -f $BF_TMP/stop $BF_TMP/vm.ready
	vm_up bfvc $NET cvm $prpr || { ck "setup" topology failed; FAILED_SEEDS="$FAILED_SEEDS $seed($mode)"; return 1; }
	vm_backend_stop		# vm_up's honest backend makes way for the hostile one
	VM_HOST_BIN=$BUILD/bifrost-host-adversary \
		VM_BACKEND_ARGS="--adversary fuzz,seed=$seed,rate=$RATE" vm_backend_start
	guest_script $v1 $v2 > $BF_TMP/run.sh
	# bounded: boot, the attack, the honest phase's tries, the checks
	VM_TIMEOUT=$((SECS + 1000)) vm_launch $BF_TMP/run.sh
	wait_for test -e $BF_TMP/vm.ready || wait_for test -e $BF_TMP/vm.ready
	# guest ports: 443 recv v1 (ZCED), 444 send v2 (ZCED), 8443 recv v2, 8444 send v1
	cli 443 send $v1 & p="$!"
	cli 444 recv $v2 & p="$p $!"
	cli 8443 send $v2 & p="$p $!"
	cli 8444 recv $v1 & p="$p $!"
	sleep "$SECS"
	kill -USR2 $VM_BACKEND		# the host turns honest
	touch $BF_TMP/stop
	pkill -f "bf_tls .*client $VM_IP " 2>/dev/null
	# shellcheck disable=SC2086
	wait $p
	echo "honest" >> $BF_TMP/host.res	# what follows is after the attack
	# the guest serves clean transfers again (a broken ring: after its
	# watchdog gave it a new device)
	for port in 443:send:$v1 444:recv:$v2 8443:send:$v2 8444:recv:$v1; do
		IFS=: read -r pt dir ver <<< "$port"
		ok=
		for n in 1 2 3; do
			line=$(ip netns exec $VM_SND timeout 60 $BUILD/tools/bf_tls -v $ver client \
				$VM_IP $pt $dir $BYTES $pt 2>&1 | grep -v listening | tail -1)
			echo "res $pt $line" >> $BF_TMP/host.res
			case $line in ok\ *) ok=1; break ;; esac
			sleep 2
		done
		ck "port $pt ($dir TLS $ver) serves a clean transfer once the host is honest" \
			"${ok:-0}" 1
	done
	vm_tell_guest end 7001
	vm_wait
	rc=$?
	vm_backend_stop
	vm_down
	line=$(sed -n 's/.*adversary: \(campaign seed .*\)/\1/p' $BF_TMP/backend.log | tail -1)
	mut=$(sed -n 's/^campaign seed [0-9]*: \([0-9]*\) mutations.*/\1/p' <<< "$line")
	TOTAL_MUT=$((TOTAL_MUT + ${mut:-0}))
	echo "INFO: $t: $line"
	echo "INFO: $t: guest results: $(vm_out | awk '$1 == "res" {sub(/ after.*| at offset.*/, ""); $1 = ""; $2 = ""; print}' |
		sed 's/^ *//; s/ bytes.*/ bytes/; s/^ok [0-9]* bytes/ok/' | sort | uniq -c | sort -rn | head -6 | tr -s ' \n' ' ')"
	echo "INFO: $t: host results: $(awk '{sub(/ after.*| at offset.*/, ""); $1 = ""; $2 = ""; print}' $BF_TMP/host.res |
		sed 's/^ *//; s/ bytes.*/ bytes/; s/^ok [0-9]* bytes/ok/' | sort | uniq -c | sort -rn | head -6 | tr -s ' \n' ' ')"
	echo "INFO: $t: guest counters: ring breaks $(get ring_breaks), decrypt errors $(get tls_decrypt_errors)," \
		"rx length errors $(get rx_length_errors), rx dropped $(get rx_dropped)," \
		"OTTR auth failures $(get ottr_auth_failed), ZCED RX $(get zced_rx_bytes) B, TX $(get zced_tx_bytes) B;" \
		"pool pages in use at device removal $(getn pool_in_use_at_remove); $(vm_out | grep '^sockstat' | tr '\n' ' ')"
	# keep what this run left (the next run reuses the files)
	mkdir -p $BF_TMP/run$i
	cp $BF_TMP/vm.out $BF_TMP/console.log $BF_TMP/backend.log $BF_TMP/host.res $BF_TMP/run$i/ 2>/dev/null
	vm_out | grep '^res .*mismatch at offset' | sed "s/^/INFO: $t: guest side: /"
	grep 'mismatch at offset' $BF_TMP/host.res | sed "s/^/INFO: $t: host side: /"
	ck "the host mutated what the guest reads" "$(( ${mut:-0} > 0 ))" 1
	ck "the guest survived (its script ran to the end)" "$rc" 0
	ck "no oops, BUG, WARN or hung task in the guest" "$(get oops)" 0
	ck "no application got a byte its peer did not send (guest side)" \
		"$(vm_out | grep -c '^res .*mismatch at offset')" 0
	ck "no application got a byte its peer did not send (host side)" \
		"$(grep -c 'mismatch at offset' $BF_TMP/host.res)" 0
	ck "transfers completed while the host attacked (host side)" \
		"$(( $(sed '/^honest$/q' $BF_TMP/host.res | grep -c '^res [0-9]* ok ') > 0 ))" 1
	ck "ZCED records were decrypted from the pool (attack and honest phase)" \
		"$(( $(getn zced_rx_bytes) > 0 ))" 1
	# only an id the guest does not own (used_id) breaks its ring (not
	# every one: a repeated id the guest has just posted again is its own),
	# and the watchdog gave it a new device each time
	used_id=$(sed -n 's/.* used_id=\([0-9]*\).*/\1/p' <<< "$line")
	ck "broken rings ($(getn ring_breaks)) no more than ids the guest does not own (${used_id:-0})" \
		"$(( $(getn ring_breaks) <= ${used_id:-0} ))" 1
	ck "a new device after each broken ring" \
		"$(vm_out | grep -c '^reprobed')" "$(getn ring_breaks)"
	ck "every pool page back once the device is removed" "$(get pool_in_use_gone)" 0
	ck "no pool page freed to the page allocator" "$(get pool_lost)" 0
	[ "$RUN_FAILS" = 0 ] || FAILED_SEEDS="$FAILED_SEEDS $seed($mode)"
}

# ck NAME ACTUAL EXPECTED: check_eq for one run ($t), counted in RUN_FAILS
ck() {
	if [ "$2" == "$3" ]; then
		pass "$t: $1"
	else
		fail "$t: $1" "got '$2', expected '$3'"
		RUN_FAILS=$((RUN_FAILS + 1))
	fi
}
for ((run = 0; run < RUNS; run++)); do
	one_run $run
done
echo "INFO: campaign: $RUNS runs from seed $SEED0, $TOTAL_MUT mutations," \
	"runs with an invariant violated:${FAILED_SEEDS:- none}"
