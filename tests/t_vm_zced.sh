#!/bin/bash
# ZCED + OTTR + PRPR ("bifrost"): the emulated CVM guest runs Bifrost's guest
# modules (bifrost_zced, patched virtio_ring/virtio_net/tls) with ZCED for
# the TLS ports. The backend starts knowing only the swiotlb pool (--cvm);
# the guest announces its ZCED pool in band. Checks: TLS both ways and
# plaintext TCP on other ports byte-exact; kTLS records go out of and come
# in through the pool; swiotlb bounce per TLS MB at most 5 % of the payload
# (the cvm baseline bounces at least every payload byte, t_vm_cvm); backend
# violations 0; every pool page back once the device is gone; no oops.
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/vmtopo.sh"
bf_init vm_zced

VM_ZCED_MB=128 VM_ZCED=443,8443
vm_up bfzc 94 cvm on || { fail setup "topology"; exit 1; }
echo "INFO: static shared range (guest swiotlb pool): $VM_CVM_RANGES"

TCP=$((16 << 20)) TLS=$((16 << 20)) s=$BF_TMP
cat > $s/run.sh <<EOS
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
ping -c 3 -W 5 $VM_SND_IP >/dev/null && echo "ping ok" || echo "ping failed"
/bf/bf_stream recv 5001 $TCP 31 | grep -v listening | sed 's/^/tcp-in /'
/bf/bf_stream send $VM_SND_IP 5002 $TCP 32 | sed 's/^/tcp-out /'
bf-snap tls0
/bf/bf_tls server 443 recv $TLS 33 | grep -v listening | sed 's/^/tls-in /'
bf-snap tls1
/bf/bf_tls client $VM_SND_IP 8443 send $TLS 34 | sed 's/^/tls-out /'
bf-snap tls2
sleep 1
echo "pool_in_use_open \$(cat /sys/kernel/bifrost_zced/pool_pages_in_use)"
echo "pool_lost_open \$(cat /sys/kernel/bifrost_zced/pool_pages_lost)"
# remove the device: its receive buffers go back to the pool
echo 1 > \$(readlink -f /sys/class/net/eth0/device/..)/remove
sleep 1
echo "pool_in_use_gone \$(cat /sys/kernel/bifrost_zced/pool_pages_in_use)"
dmesg | grep -c -i -E "oops|bug:|warning:|general protection" | sed 's/^/oops /'
EOS
ip netns exec $VM_SND timeout 400 $BUILD/tools/bf_stream recv 5002 $TCP 32 > $s/h-tcp.out 2>&1 &
p1=$!
ip netns exec $VM_SND timeout 400 $BUILD/tools/bf_tls server 8443 recv $TLS 34 > $s/h-tls.out 2>&1 &
p2=$!
vm_launch $s/run.sh
wait_for test -e $s/vm.ready || wait_for test -e $s/vm.ready
ip netns exec $VM_SND timeout 300 $BUILD/tools/bf_stream send $VM_IP 5001 $TCP 31 >/dev/null 2>&1
ip netns exec $VM_SND timeout 300 $BUILD/tools/bf_tls client $VM_IP 443 send $TLS 33 >/dev/null 2>&1
wait $p1 $p2
vm_wait
check_eq "zced: launcher exit code" "$?" 0
check_eq "zced: guest pings the wire peer" "$(vm_out | grep -c '^ping ok')" 1
check_eq "zced: plaintext TCP wire->guest byte-exact" "$(vm_out | sed -n 's/^tcp-in //p')" "ok $TCP bytes"
check_eq "zced: plaintext TCP guest->wire byte-exact" "$(grep -v listening $s/h-tcp.out)" "ok $TCP bytes"
check_eq "zced: TLS wire->guest byte-exact, kTLS rx+tx" \
	"$(vm_out | sed -n 's/^tls-in //p' | cut -d' ' -f1-7)" "ok $TLS bytes ktls_tx 1 ktls_rx 1"
check_eq "zced: TLS guest->wire byte-exact" \
	"$(grep -v listening $s/h-tls.out | awk '{print $1, $2, $3}')" "ok $TLS bytes"
check_eq "zced: guest used kTLS to send" "$(vm_out | sed -n 's/^tls-out ok .* ktls_tx \([01]\).*/\1/p')" 1

# the backend learnt the pool in band, and never touched private memory
x='.guests[0].backend'
check_eq "zced: backend violations" "$(json_get $VM_WIRE "$x.violations")" 0
check_eq "zced: backend accepted the guest's pool announcement" \
	"$(( $(json_get $VM_WIRE "$x.zced_announce") >= 1 ))" 1
check_eq "zced: no announcement rejected" "$(json_get $VM_WIRE "$x.zced_rejected")" 0
# (the gauge is 0 again once the guest removed its device: check the log)
check_eq "zced: backend shared exactly the guest's pool" \
	"$(sed -n 's/.*ZCED shares [0-9]* ranges, \([0-9]*\) bytes.*/\1/p' $BF_TMP/backend.log | tail -1)" \
	"$(( $(vm_stat zced_pool_pages_total) * 4096 ))"

# both kTLS sockets, both directions, on the single-pass AEAD and the pool
check_eq "zced: kTLS directions set up with ZCED" "$(vm_stat zced_tls_zced)" 4
check_eq "zced: no cipher fallback" "$(vm_stat zced_fallback_cipher)" 0
check_eq "zced: no decryption failed" "$(vm_stat zced_ottr_auth_failed)" 0
txz=$(vm_stat zced_zced_tx_bytes) rxz=$(vm_stat zced_zced_rx_bytes)
echo "INFO: ciphertext written into the pool $txz B, decrypted from the pool $rxz B, of $TLS B each way"
check_eq "zced: TX records encrypted straight into the pool" "$(( txz >= TLS ))" 1
check_eq "zced: RX records decrypted straight from the pool (>= 90 %)" "$(( rxz * 10 >= TLS * 9 ))" 1
check_eq "zced: headers of pool packets parsed from private copies" "$(( $(vm_stat zced_ottr_hdr_copies) > 1000 ))" 1
# (the first packets arrive before the pool is announced, in ordinary buffers)
check_eq "zced: plaintext TCP copied out of the pool (>= 90 %: other ports keep private data)" \
	"$(( $(vm_stat zced_rx_copied_bytes) * 10 >= TCP * 9 ))" 1

# swiotlb bounces per TLS MB, each direction
b0=$(vm_snap_field tls0 bounced_bytes) b1=$(vm_snap_field tls1 bounced_bytes) b2=$(vm_snap_field tls2 bounced_bytes)
echo "INFO: bounced during TLS in: $((b1 - b0)) B, TLS out: $((b2 - b1)) B, for $TLS B each" \
	"($(( (b1 - b0) * 1000 / TLS ))/1000 and $(( (b2 - b1) * 1000 / TLS ))/1000 B per B)"
check_eq "zced: TLS wire->guest bounces <= 5 % of the payload" "$(( (b1 - b0) * 20 <= TLS ))" 1
check_eq "zced: TLS guest->wire bounces <= 5 % of the payload" "$(( (b2 - b1) * 20 <= TLS ))" 1
echo "INFO: $(vm_out | grep '^pool_in_use')"
check_eq "zced: every pool page back once the device is removed" \
	"$(vm_out | sed -n 's/^pool_in_use_gone //p')" 0
check_eq "zced: no pool page ever freed to the page allocator (invariant 2), after traffic" \
	"$(vm_out | sed -n 's/^pool_lost_open //p')$(vm_stat zced_pool_pages_lost)" 00
check_eq "zced: no oops or warning in the guest" "$(vm_out | sed -n 's/^oops //p')" 0
