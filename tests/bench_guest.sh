#!/bin/bash
# make bench-guest: the guest's single-pass AEAD (bifrost_zced_gcm_aes)
# against the kernel's generic gcm(aes), side by side in one boot of the
# ZCED guest under QEMU -icount (guest nanoseconds are instructions), on
# 16 KiB records whose ciphertext is in ZCED pool pages. Prints ns (=
# instructions) per record and the ratios; asserts nothing about speed.
set -u
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
KO=$BUILD/guest/bf_aead_bench.ko
[ -f "$KO" ] || { echo "bench-guest: no $KO (make bench-guest builds it)"; exit 1; }
T=$(mktemp -d /tmp/bfbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat > "$T/run.sh" <<'EOS'
insmod /bf/bf_aead_bench.ko nrec=${BF_NREC:-200} && rmmod bf_aead_bench
dmesg | sed -n 's/^\[[^]]*\] bf_aead_bench: /bench /p'
EOS
out=$(tests/vm/launch.sh --mode cvm --net none --zced-mb 128 --zced 443 --icount \
	--add "$KO" --script "$T/run.sh" --timeout 900 2>&1) || { echo "$out" | tail -20; exit 1; }
echo "$out" | grep '^bench '
echo
echo "Guest AEAD benchmark: 16 KiB records, AES-128-GCM, TLS 1.2 AAD, QEMU -icount (ns = instructions)"
echo "$out" | awk '$1 == "bench" && $2 == "round" {
	eo += $8; es += $10; dox += $12; ds += $14; n++; err += $16 }
	END {
		if (!n) { print "no rounds"; exit 1 }
		printf "%-26s %14s %14s %8s\n", "", "single-pass", "gcm(aes)", "ratio"
		printf "%-26s %14d %14d %8.3f\n", "encrypt into the pool", eo / n, es / n, eo / es
		printf "%-26s %14d %14d %8.3f\n", "decrypt from the pool", dox / n, ds / n, dox / ds
		if (err) print "ERRORS during the rounds"
	}'
echo "$out" | grep -q '^bench tampered record refused 1$' &&
	echo "a record changed in the pool after encryption: refused (-EBADMSG)"
