#!/bin/bash
# bifrost-no-ottr: ZCED + PRPR with the kernel's own AES-GCM on the pool
# pages (bifrost_zced ottr=0, launch.sh --zced-ottr 0; the mode that shows
# what OTTR costs). The emulated CVM guest runs Bifrost's guest modules with
# ZCED for the TLS ports and ottr=0; the backend runs PRPR. Checks: TLS 1.2
# and TLS 1.3 both ways (and plaintext TCP) byte-exact with kTLS; ZCED
# sockets' AES-GCM is the kernel's (aead_impl kernel, ottr 0, no portable
# C); records still go out of and come in through the pool; backend
# violations 0; every pool page back once the device is gone; no oops.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_zced_noottr

VM_ZCED_MB=128 VM_ZCED=443,8443,8444,8445 VM_ZCED_OTTR=0
vm_up bfno $(bf_net) cvm on || { fail setup "topology"; exit 1; }

MB=4 TLS=$((4 << 20))
# TLS 1.3 after the 1.2 traffic: the guest is the client both ways (kTLS RX
# for 1.3 set up by bf_tls -R), the wire side the servers
ip netns exec $VM_SND timeout 400 $BUILD/tools/bf_tls -a 380 -v 1.3 server 8444 recv $TLS 41 \
	> $BF_TMP/h-tls13-in.out 2>&1 &
p13a=$!
ip netns exec $VM_SND timeout 400 $BUILD/tools/bf_tls -a 380 -v 1.3 server 8445 send $TLS 42 \
	> $BF_TMP/h-tls13-out.out 2>&1 &
p13b=$!
VM_TRAFFIC_TAIL=$(cat <<EOS
bf-snap tls13a
/bf/bf_tls -v 1.3 client $VM_SND_IP 8444 send $TLS 41 | sed 's/^/tls13-out /'
/bf/bf_tls -v 1.3 -R client $VM_SND_IP 8445 recv $TLS 42 | sed 's/^/tls13-in /'
bf-snap tls13b
sleep 1
echo "pool_lost_open \$(cat /sys/kernel/bifrost_zced/pool_pages_lost)"
echo 1 > \$(readlink -f /sys/class/net/eth0/device/..)/remove
sleep 1
echo "pool_in_use_gone \$(cat /sys/kernel/bifrost_zced/pool_pages_in_use)"
dmesg | grep -o 'ottr=0: .*' | sed 's/^/dmesg /'
dmesg | grep -c -i -E "oops|bug:|warning:|general protection" | sed 's/^/oops /'
EOS
)
vm_traffic_check noottr $MB $MB
wait $p13a $p13b

check_eq "noottr: TLS 1.3 guest->wire byte-exact" \
	"$(grep -v listening $BF_TMP/h-tls13-in.out | awk '{print $1, $2, $3}')" "ok $TLS bytes"
check_eq "noottr: TLS 1.3 guest->wire with kTLS TX" \
	"$(vm_out | sed -n 's/^tls13-out ok .* ktls_tx \([01]\).*proto \(.*\) cipher.*/\1 \2/p')" "1 TLSv1.3"
check_eq "noottr: TLS 1.3 wire->guest byte-exact with kTLS RX" \
	"$(vm_out | sed -n 's/^tls13-in //p' | cut -d' ' -f1-7)" "ok $TLS bytes ktls_tx 1 ktls_rx 1"

x='.guests[0].backend'
check_eq "noottr: backend violations" "$(json_get $VM_WIRE "$x.violations")" 0
check_eq "noottr: the module runs with ottr=0" "$(vm_stat zced_ottr)" 0
check_eq "noottr: ZCED sockets' AES-GCM is the kernel's" "$(vm_stat zced_aead_impl)" kernel
echo "INFO: $(vm_out | grep '^dmesg ottr=0')"
check_eq "noottr: the kernel's AES-GCM is the AES-NI driver's" \
	"$(vm_out | grep -cE '^dmesg ottr=0: .* kernel.s __generic-gcm-aesni(-avx)?$')" 1
check_eq "noottr: no record took the portable C path" "$(vm_stat zced_aead_portable_ops)" 0
# 1.2: both sockets TX + RX; 1.3: TX on both (OpenSSL), RX on the -R one
check_eq "noottr: kTLS directions set up with ZCED (1.2 and 1.3)" "$(vm_stat zced_tls_zced)" 7
check_eq "noottr: no decryption failed" "$(vm_stat zced_ottr_auth_failed)" 0
txz=$(vm_stat zced_zced_tx_bytes) rxz=$(vm_stat zced_zced_rx_bytes)
echo "INFO: ciphertext written into the pool $txz B, decrypted from the pool $rxz B, of $((2 * TLS)) B each way"
check_eq "noottr: TX records encrypted straight into the pool" "$(( txz >= 2 * TLS ))" 1
check_eq "noottr: RX records decrypted straight from the pool (>= 90 %)" "$(( rxz * 10 >= 2 * TLS * 9 ))" 1
r0=$(vm_snap_field tls13a zced_zced_rx_bytes) r1=$(vm_snap_field tls13b zced_zced_rx_bytes)
check_eq "noottr: TLS 1.3 RX records decrypted from the pool too" "$(( r1 - r0 > TLS / 2 ))" 1
check_eq "noottr: every pool page back once the device is removed" \
	"$(vm_out | sed -n 's/^pool_in_use_gone //p')" 0
check_eq "noottr: no pool page freed to the page allocator (invariant 2)" \
	"$(vm_out | sed -n 's/^pool_lost_open //p')$(vm_stat zced_pool_pages_lost)" 00
check_eq "noottr: no oops or warning in the guest" "$(vm_out | sed -n 's/^oops //p')" 0
