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
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_zced

VM_ZCED_MB=128 VM_ZCED=443,8443
vm_up bfzc $(bf_net) cvm on || { fail setup "topology"; exit 1; }
echo "INFO: static shared range (guest swiotlb pool): $VM_CVM_RANGES"

TCP=$((16 << 20)) TLS=$((16 << 20))
VM_TRAFFIC_TAIL=$(cat <<'EOS'
sleep 1
echo "pool_in_use_open $(cat /sys/kernel/bifrost_zced/pool_pages_in_use)"
echo "pool_lost_open $(cat /sys/kernel/bifrost_zced/pool_pages_lost)"
# remove the device: its receive buffers go back to the pool
echo 1 > $(readlink -f /sys/class/net/eth0/device/..)/remove
sleep 1
echo "pool_in_use_gone $(cat /sys/kernel/bifrost_zced/pool_pages_in_use)"
dmesg | grep -c -i -E "oops|bug:|warning:|general protection" | sed 's/^/oops /'
EOS
)
# TLS both ways and plaintext TCP on other ports (5001, 5002), byte-exact
vm_traffic_check zced $((TCP >> 20)) $((TLS >> 20))

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
# the AES-NI guest: stock kTLS would get the kernel's AES-NI GCM, ZCED
# sockets get the single-pass AES-NI build, never the portable C (the
# kernel's: generic-gcm-aesni on 6.1, generic-gcm-aesni-avx on 6.12)
check_eq "zced: the guest's gcm(aes) is the kernel's AES-NI driver" \
	"$(vm_stat gcm_aes_driver | grep -cxE 'generic-gcm-aesni(-avx)?')" 1
check_eq "zced: ZCED sockets' AES-GCM runs on AES-NI (VAES or AVX build)" \
	"$(vm_stat zced_aead_impl | grep -cxE 'vaes|avx')" 1
check_eq "zced: no record took the portable C path" "$(vm_stat zced_aead_portable_ops)" 0
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
b0=$(vm_snap_field tls0 bounced_bytes) b1=$(vm_snap_field tls1 bounced_bytes) b2=$(vm_snap_field end bounced_bytes)
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
