#!/bin/bash
# The host as the guest's adversary (bifrost-host --adversary, test-only):
# past the first 32, every 8th TCP segment with payload is tampered with in
# shared memory -
# payload before the guest may read it, payload after (a time-of-check
# race), a bogus virtio_net_hdr, a used length beyond the buffer. The stock
# emulated-CVM guest reads each byte from shared memory once (the swiotlb
# copy) and TLS authenticates: the application gets correct data or a clean
# TLS error, never corrupted plaintext; the guest never crashes and counts
# what it caught.
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/vmtopo.sh"
bf_init vm_adversary

vm_up bfva 98 cvm off || { fail setup "topology"; exit 1; }
BYTES=$((4 << 20))
cat > $BF_TMP/run.sh <<EOS
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
timeout 60 /bf/bf_tls server 443 recv $BYTES 61 | grep -v listening | sed 's/^/tls /'
echo "tls_decrypt_errors \$(awk '\$1 == "TlsDecryptError" {print \$2}' /proc/net/tls_stat)"
echo "rx_length_errors \$(cat /sys/class/net/eth0/statistics/rx_length_errors)"
echo "rx_dropped \$(cat /sys/class/net/eth0/statistics/rx_dropped)"
echo "oops \$(dmesg | grep -cE 'Oops:|BUG: |general protection fault|Kernel panic|WARNING: CPU|KASAN')"
EOS
for point in rx-payload rx-after rx-hdr rx-len; do
	vm_backend_stop
	VM_BACKEND_ARGS="--adversary $point" vm_backend_start
	vm_launch $BF_TMP/run.sh
	wait_for test -e $BF_TMP/vm.ready
	ip netns exec $VM_SND timeout 90 $BUILD/tools/bf_tls client $VM_IP 443 send $BYTES 61 \
		>/dev/null 2>&1
	vm_wait
	rc=$?
	vm_backend_stop
	res=$(vm_out | sed -n 's/^tls //p' | head -1)
	get() { vm_out | awk -v k="$1" '$1 == k {print $2}'; }
	tampered=$(sed -n 's/.*adversary: tampered with \([0-9]*\) .*/\1/p' $BF_TMP/backend.log | tail -1)
	echo "INFO: $point: tampered $tampered packets; guest app: '$res';" \
		"decrypt errors $(get tls_decrypt_errors), rx length errors $(get rx_length_errors)"
	check_eq "$point: the host really tampered" "$(( ${tampered:-0} > 0 ))" 1
	check_eq "$point: guest survived (script ran to its end)" "$rc" 0
	check_eq "$point: no oops in the guest" "$(get oops)" 0
	case "$res" in
	ok\ $BYTES\ bytes*|tls\ error*|short*) pass "$point: no corrupted plaintext reached the application" ;;
	*) fail "$point: no corrupted plaintext reached the application" "got '$res'" ;;
	esac
	case $point in
	rx-payload)
		check_cmd "$point: tampering before the read is a TLS error" grep -q "^tls error" <<< "$res"
		check_eq "$point: the guest counted the failed decryption" \
			"$(( $(get tls_decrypt_errors) > 0 ))" 1 ;;
	rx-hdr|rx-len)
		check_eq "$point: the guest counted the bad buffers" \
			"$(( $(get rx_length_errors) + $(get rx_dropped) > 0 ))" 1 ;;
	esac
done
