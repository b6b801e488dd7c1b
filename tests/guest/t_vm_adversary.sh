#!/bin/bash
# The host as the guest's adversary (bifrost-host --adversary, test-only):
# past the first 32, every 8th TCP segment with payload is tampered with in
# shared memory - payload before the guest may read it, payload after (a
# time-of-check race), a bogus virtio_net_hdr, a used length beyond the
# buffer, a TLS record header's length. Run against the stock emulated-CVM
# guest (which reads each byte from shared memory once, in the swiotlb
# copy) and against the ZCED guest (whose TLS ciphertext stays in shared
# pool pages until kTLS decrypts it with the single-pass AEAD, and whose
# headers are parsed from private copies). Either way the application gets
# correct data or a clean TLS error, never corrupted plaintext; the guest
# never crashes, counts what it caught and (ZCED) gets every pool page back.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_adversary

vm_up bfva $(bf_net) cvm off || { fail setup "topology"; exit 1; }
BYTES=$((4 << 20))
cat > $BF_TMP/run.sh <<EOS
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
timeout 60 /bf/bf_tls server 443 recv $BYTES 61 | grep -v listening | sed 's/^/tls /'
echo "tls_decrypt_errors \$(awk '\$1 == "TlsDecryptError" {print \$2}' /proc/net/tls_stat)"
echo "rx_length_errors \$(cat /sys/class/net/eth0/statistics/rx_length_errors)"
echo "rx_dropped \$(cat /sys/class/net/eth0/statistics/rx_dropped)"
Z=/sys/kernel/bifrost_zced
if [ -d \$Z ]; then
	echo "ottr_auth_failed \$(cat \$Z/ottr_auth_failed)"
	echo "zced_rx_bytes \$(cat \$Z/zced_rx_bytes)"
	echo "aead_impl \$(cat \$Z/aead_impl) \$(cat \$Z/aead_portable_ops)"
	# remove the device: its receive buffers go back to the pool
	sleep 1
	echo 1 > \$(readlink -f /sys/class/net/eth0/device/..)/remove
	sleep 1
	echo "pool_in_use_gone \$(cat \$Z/pool_pages_in_use)"
	echo "pool_lost \$(cat \$Z/pool_pages_lost)"
fi
echo "oops \$(dmesg | grep -cE 'Oops:|BUG: |general protection fault|Kernel panic|WARNING: CPU|KASAN')"
EOS
get() { vm_out | awk -v k="$1" '$1 == k {print $2}'; }

# run_points LABEL: every attack point against the guest as configured
run_points() {
	local label=$1 point rc res tampered t
	for point in ${ADV_POINTS:-rx-payload rx-after rx-hdr rx-len rx-tlshdr}; do
		t="$label $point"
		vm_backend_stop
		VM_HOST_BIN=$BUILD/bifrost-host-adversary \
			VM_BACKEND_ARGS="--adversary $point${ADV_SKIP:+,skip=$ADV_SKIP}" vm_backend_start
		vm_launch $BF_TMP/run.sh
		wait_for test -e $BF_TMP/vm.ready || wait_for test -e $BF_TMP/vm.ready
		ip netns exec $VM_SND timeout 90 $BUILD/tools/bf_tls client $VM_IP 443 send $BYTES 61 \
			>/dev/null 2>&1
		vm_wait
		rc=$?
		vm_backend_stop
		res=$(vm_out | sed -n 's/^tls //p' | head -1)
		tampered=$(sed -n 's/.*adversary: tampered with \([0-9]*\) .*/\1/p' $BF_TMP/backend.log | tail -1)
		echo "INFO: $t: tampered $tampered packets; guest app: '$res';" \
			"decrypt errors $(get tls_decrypt_errors), rx length errors $(get rx_length_errors)" \
			"${VM_ZCED:+, OTTR auth failures $(get ottr_auth_failed), decrypted from the pool $(get zced_rx_bytes) B}"
		check_eq "$t: the host really tampered" "$(( ${tampered:-0} > 0 ))" 1
		check_eq "$t: guest survived (script ran to its end)" "$rc" 0
		check_eq "$t: no oops in the guest" "$(get oops)" 0
		case "$res" in
		ok\ $BYTES\ bytes*|tls\ error*|short*) pass "$t: no corrupted plaintext reached the application" ;;
		*) fail "$t: no corrupted plaintext reached the application" "got '$res'" ;;
		esac
		case $point in
		rx-payload)
			check_cmd "$t: tampering before the read is a TLS error" grep -q "^tls error" <<< "$res"
			check_eq "$t: the guest counted the failed decryption" \
				"$(( $(get tls_decrypt_errors) > 0 ))" 1 ;;
		rx-tlshdr)
			check_cmd "$t: a record header's length changed before the read is a TLS error" \
				grep -q "^tls error" <<< "$res" ;;
		rx-hdr|rx-len)
			check_eq "$t: the guest counted the bad buffers" \
				"$(( $(get rx_length_errors) + $(get rx_dropped) > 0 ))" 1 ;;
		esac
		[ -n "$VM_ZCED" ] || continue
		case $point in
		rx-payload|rx-after)
			# the ciphertext sat in shared memory until the single-pass AEAD read it
			check_cmd "$t: ZCED: tampered ciphertext is a TLS error" grep -q "^tls error" <<< "$res"
			check_eq "$t: ZCED: the AEAD counted the failed authentication" \
				"$(( $(get ottr_auth_failed) > 0 ))" 1 ;;
		esac
		check_eq "$t: ZCED: records were decrypted from the pool" "$(( $(get zced_rx_bytes) > 0 ))" 1
		check_eq "$t: ZCED: decrypted by the AES-NI single-pass AEAD, never portable C" \
			"$(vm_out | awk '$1 == "aead_impl" && ($2 == "vaes" || $2 == "avx") {print "aesni", $3}')" "aesni 0"
		check_eq "$t: ZCED: every pool page back once the device is removed" \
			"$(get pool_in_use_gone)" 0
		check_eq "$t: ZCED: no pool page freed to the page allocator" "$(get pool_lost)" 0
	done
}

run_points stock
# the same attacks on the ZCED guest (its swiotlb pool moves with the layout)
VM_ZCED_MB=128 VM_ZCED=443
VM_CVM_RANGES=$(vm_swiotlb_range) || { fail setup "swiotlb range (zced layout)"; exit 1; }
# The first receive buffers are ordinary ones (posted before the pool is
# announced): spare the first 600 segments, so the attacks land in the pool.
ADV_SKIP=600
run_points zced
