#!/bin/bash
# make bench-guest: the guest's single-pass AEAD (bifrost_zced_gcm_aes, on
# AES-NI) against the kernel's gcm(aes) (generic-gcm-aesni), side by side in one boot of the
# ZCED guest under QEMU -icount (guest nanoseconds are instructions), on
# 16 KiB records whose ciphertext is in ZCED pool pages. Prints ns (=
# instructions) per record and the ratios; asserts nothing about speed.
# BF_ZCED_OTTR=0: bifrost_zced ottr=0, the ZCED AEAD forwards to the kernel's
# AES-GCM (bifrost-no-ottr): the ratio is then the forwarding's overhead.
set -u
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# the guest kernel line (GUEST_LINE, else the default): its image and modules
. guest-driver/lines.sh
bf_line || exit 1
export GUEST_LINE=$LINE
KO=$BUILD/guest/$LINE/bf_aead_bench.ko
[ -f "$KO" ] || { echo "bench-guest: no $KO (make bench-guest GUEST_LINE=$LINE builds it)"; exit 1; }
T=$(mktemp -d /tmp/bfbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat > "$T/run.sh" <<'EOS'
echo "aead_impl $(cat /sys/kernel/bifrost_zced/aead_impl)"
insmod /bf/bf_aead_bench.ko nrec=${BF_NREC:-200} && rmmod bf_aead_bench
dmesg | sed -n 's/^\[[^]]*\] bf_aead_bench: /bench /p'
EOS
out=$(vm/launch.sh --mode cvm --net none --zced-mb 128 --zced 443 --zced-ottr ${BF_ZCED_OTTR:-1} --icount \
	--add "$KO" --script "$T/run.sh" --timeout 900 2>&1) || { echo "$out" | tail -20; exit 1; }
echo "$out" | grep '^bench '
echo
echo "Guest AEAD benchmark: 16 KiB records (TLS 1.2 AAD), QEMU -icount (ns = instructions per record)"
echo "ZCED: $(echo "$out" | sed -n 's/^bench ours \([^,]*\), stock \(.*\)/\1 (implementation: '"$(echo "$out" | sed -n 's/^aead_impl //p')"'), kernel gcm(aes): \2/p')"
echo "$out" | awk '$1 == "bench" && $2 == "round" {
	k = $5; eo[k] += $10; es[k] += $12; dox[k] += $14; ds[k] += $16; n[k]++; err += $18 }
	END {
		if (!length(n)) { print "no rounds"; exit 1 }
		printf "%-34s %12s %12s %8s\n", "", "ZCED AEAD", "gcm(aes)", "ratio"
		for (k = 128; k <= 256; k += 128) {
			if (!n[k]) continue
			printf "AES-%d-GCM %-24s %12d %12d %8.3f\n", k, "encrypt into the pool", eo[k] / n[k], es[k] / n[k], eo[k] / es[k]
			printf "AES-%d-GCM %-24s %12d %12d %8.3f\n", k, "decrypt from the pool", dox[k] / n[k], ds[k] / n[k], dox[k] / ds[k]
		}
		if (err) print "ERRORS during the rounds"
	}'
n=$(echo "$out" | grep -c '^bench tampered record refused key [0-9]* 1$')
echo "a record changed in the pool after encryption: refused (-EBADMSG) for $n of 2 key sizes"
