#!/bin/bash
# The guest's bifrost_zced module takes its pool from the shared "ZCED NUMA"
# node (QEMU node 1, node=1), exposes counters and policy in sysfs, rejects bad
# policy, registers its single-pass AEAD (whose self-test against the
# kernel's gcm(aes) passes at load), and five load/unload cycles leave no
# pool pages, sysfs entries or crypto algorithms behind. The AEAD runs on
# AES-NI on the default guest CPU (the VAES build where the CPU's VAES agrees
# with AES-NI, else the AVX build: QEMU 7.2's TCG gets 256-bit VAESENC wrong), where the self-test checks both
# it and the portable C path, and on portable C with --cpu noaesni. With
# ottr=0 (bifrost-no-ottr) it forwards to the kernel's AES-GCM; the
# self-test then checks that forwarding and the portable C fallback.
# The pool from ordinary memory (node=-1, the default) converted to shared
# and back as on SEV-SNP/TDX (conv_test=1; the conversions are no-ops
# here), and with conversions failed on purpose: a block whose conversion
# to shared fails, or a run whose conversion back fails at unload, is
# leaked (counted, and its memory never returns to the allocator), and too
# many failures refuse the load.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init vm_zced_module
bf_guest_line

cat > $BF_TMP/run.sh <<'EOS'
free1() { awk '/MemFree/ {print $4}' /sys/devices/system/node/node1/meminfo; }
echo "node1_free_before $(free1)"
for i in 1 2 3 4 5; do
	st=0; [ $i = 1 ] && st=1
	insmod /bf/bifrost_zced.ko node=1 pool_mb=16 selftest=$st || { echo "insmod failed"; break; }
	z=/sys/kernel/bifrost_zced
	echo "aead_loaded $(grep -c 'bifrost_zced_gcm_aes' /proc/crypto)"
	echo "aead_impl $(cat /sys/kernel/bifrost_zced/aead_impl)"
	echo "cycle $i total $(cat $z/pool_pages_total) free $(cat $z/pool_pages_free)" \
		"in_use $(cat $z/pool_pages_in_use) node $(cat $z/pool_node)"
	echo "node1_free_loaded $(free1)"
	echo 443,8443 > $z/zced_ports && echo "ports $(cat $z/zced_ports)"
	echo 70000 > $z/zced_ports 2>/dev/null && echo "bad port accepted" || echo "bad port refused"
	echo "ports_after_bad $(cat $z/zced_ports)"
	rmmod bifrost_zced || echo "rmmod failed"
	[ -e $z ] && echo "sysfs left behind"
	echo "aead_unloaded $(grep -c 'bifrost_zced_gcm_aes' /proc/crypto)"
done
dmesg | grep 'bifrost_zced_aead: selftest' | sed 's/^\[[^]]*\] /selftest_line /'
echo "node1_free_after $(free1)"
# ottr=0 (bifrost-no-ottr): the AEAD forwards to the kernel's AES-GCM
insmod /bf/bifrost_zced.ko pool_mb=16 selftest=1 ottr=0 &&
	echo "noottr impl $(cat /sys/kernel/bifrost_zced/aead_impl) ottr $(cat /sys/kernel/bifrost_zced/ottr)" &&
	rmmod bifrost_zced && echo "noottr unloaded"
dmesg | grep 'bifrost_zced_aead: selftest' | tail -n 2 | sed 's/^\[[^]]*\] /noottr_selftest /'
insmod /bf/bifrost_zced.ko node=0 pool_mb=1 && rmmod bifrost_zced && echo "node 0 loads too"
insmod /bf/bifrost_zced.ko node=7 2>/dev/null && echo "node 7 accepted" || echo "node 7 refused"
# conversions: KEY free-memory delta (kB) across load+unload, and sysfs
# free memory in kB: the buddy allocator's and the per-CPU lists' (MemFree
# leaves the latter out, and a freed pool page may sit there)
free0() { awk '$1 == "pages" && $2 == "free" {s += $3} $1 == "count:" {s += $2} END {print s * 4}' /proc/zoneinfo; }
conv() {
	local k=$1 f0
	shift
	sync; echo 3 > /proc/sys/vm/drop_caches; f0=$(free0)
	if insmod /bf/bifrost_zced.ko pool_mb=16 "$@" 2>/dev/null; then
		z=/sys/kernel/bifrost_zced
		echo "$k loaded total $(cat $z/pool_pages_total) node $(cat $z/pool_node)" \
			"converted $(cat $z/pool_converted) leaked $(cat $z/pool_pages_conv_leaked)" \
			"lost $(cat $z/pool_pages_lost)"
		rmmod bifrost_zced || echo "rmmod failed"
	else
		echo "$k refused"
	fi
	sync; echo 3 > /proc/sys/vm/drop_caches
	echo "$k free_delta_kb $((f0 - $(free0)))"
}
conv plain
conv conv conv_test=1
conv dec3 conv_test=1 conv_fail_decrypt=3
dmesg -c > /dev/null
conv dec1 conv_test=1 conv_fail_decrypt=1
# busybox insmod retries a failed finit_module with init_module: count loads
echo "dec1 loads $(dmesg -c | grep -c '2048 pool pages leaked by failed conversions')"
conv enc2 conv_test=1 conv_fail_encrypt=2
dmesg | grep 'pool pages leaked by failed conversions' | sed 's/^\[[^]]*\] /enc2_line /'
echo "oops $(dmesg | grep -cE 'Oops:|BUG: |general protection fault|WARNING: CPU|Kernel panic')"
EOS
out=$(vm/launch.sh --mode cvm --net none --zced-mb 64 --script $BF_TMP/run.sh \
	--add $BUILD/guest/$LINE/bifrost_zced.ko --timeout 180 2>&1)
get() { echo "$out" | awk -v k="$1" '$1 == k {print $2; exit}'; }
check_eq "5 load/unload cycles with a full pool" \
	"$(echo "$out" | grep -c '^cycle [0-9] total 4096 free 4096 in_use 0 node 1$')" 5
b=$(get node1_free_before); l=$(get node1_free_loaded); a=$(get node1_free_after)
echo "INFO: node 1 free kB: before $b, loaded $l, after 5 cycles $a"
check_eq "the pool comes from the ZCED node (16 MiB taken)" "$(( b - l >= 15360 && b - l < 20480 ))" 1
check_eq "unload gives every pool page back" "$(( a >= b - 1024 ))" 1
check_eq "policy round trip" "$(echo "$out" | grep -c '^ports 443,8443$')" 5
check_eq "bad port refused, policy unchanged" \
	"$(echo "$out" | grep -c '^ports_after_bad 443,8443$')$(echo "$out" | grep -c '^bad port refused$')" 55
check_eq "no sysfs left behind" "$(echo "$out" | grep -c 'left behind\|rmmod failed\|insmod failed')" 0
check_eq "a node without memory is refused" "$(echo "$out" | grep -c '^node 7 refused$')" 1
echo "INFO: $(echo "$out" | grep -E '^(plain|conv|dec3|dec1|enc2) ' | tr '\n' ';')"
# near KB kB (within 1.5 MiB): the free-memory delta of a conversion run
near() {
	local d
	d=$(echo "$out" | awk -v k="$1" '$1 == k && $2 == "free_delta_kb" {print $3; exit}')
	echo $(( ${d:-999999} > $2 - 1536 && ${d:-999999} < $2 + 1536 ))
}
check_eq "default: ordinary memory, not converted, every page back" \
	"$(echo "$out" | grep -c '^plain loaded total 4096 node -1 converted 0 leaked 0 lost 0$')$(near plain 0)" 11
check_eq "conv_test: converted to shared and back, every page back" \
	"$(echo "$out" | grep -c '^conv loaded total 4096 node -1 converted 1 leaked 0 lost 0$')$(near conv 0)" 11
check_eq "every 3rd conversion to shared failing: a full pool, 3 blocks (6 MiB) leaked and never freed" \
	"$(echo "$out" | grep -c '^dec3 loaded total 4096 node -1 converted 1 leaked 1536 lost 0$')$(near dec3 6144)" 11
n=$(echo "$out" | awk '$1 == "dec1" && $2 == "loads" {print $3}')
check_eq "every conversion to shared failing: the load is refused after 4, their 8 MiB leaked (per attempt)" \
	"$(echo "$out" | grep -c '^dec1 refused$')$(( ${n:-0} >= 1 ))$(near dec1 $(( ${n:-0} * 8192 )))" 111
check_eq "every 2nd conversion back failing at unload: half the pool (8 MiB) leaked, counted, never freed" \
	"$(echo "$out" | grep -c '^enc2 loaded total 4096 node -1 converted 1 leaked 0 lost 0$')$(echo "$out" | grep -c '^enc2_line bifrost_zced: 2048 pool pages leaked by failed conversions$')$(near enc2 8192)" 111
echo "INFO: $(echo "$out" | grep '^selftest_line')"
check_eq "the AEAD runs on AES-NI (VAES or AVX build) on the AES-NI guest" \
	"$(echo "$out" | grep -cE '^aead_impl (vaes|avx)$')" 5
check_eq "the AEAD self-test passed on AES-NI and on portable C (known answers, random vs gcm(aes), forgeries)" \
	"$(echo "$out" | grep -cE '^selftest_line bifrost_zced_aead: selftest passed \((vaes|avx)\)')$(echo "$out" | grep -c '^selftest_line bifrost_zced_aead: selftest passed (portable C)')" 11
check_eq "the AEAD is registered while loaded (name + driver), 5 cycles" \
	"$(echo "$out" | grep -c '^aead_loaded 2$')" 5
check_eq "the AEAD is gone after unload, 5 cycles" "$(echo "$out" | grep -c '^aead_unloaded 0$')" 5
echo "INFO: $(echo "$out" | grep '^noottr_selftest')"
# the kernel's AES-NI gcm(aes): generic-gcm-aesni (6.1), generic-gcm-aesni-avx (6.12)
check_eq "ottr=0: the AEAD is the kernel's, self-test passed on the forwarding and on portable C, unloads" \
	"$(echo "$out" | grep -c '^noottr impl kernel ottr 0$')$(echo "$out" | grep -cE '^noottr_selftest bifrost_zced_aead: selftest passed \(__generic-gcm-aesni(-avx)?\)')$(echo "$out" | grep -c '^noottr_selftest bifrost_zced_aead: selftest passed (portable C)')$(echo "$out" | grep -c '^noottr unloaded$')" 1111
check_eq "no oops" "$(get oops)" 0

# the same module on a CPU without AES-NI: portable C, which passes the self-test
cat > $BF_TMP/run2.sh <<'EOS'
insmod /bf/bifrost_zced.ko pool_mb=16 selftest=1 || echo "insmod failed"
echo "aead_impl $(cat /sys/kernel/bifrost_zced/aead_impl)"
dmesg | grep 'bifrost_zced_aead: selftest' | sed 's/^\[[^]]*\] /selftest_line /'
rmmod bifrost_zced || echo "rmmod failed"
echo "oops $(dmesg | grep -cE 'Oops:|BUG: |general protection fault|WARNING: CPU|Kernel panic')"
EOS
out=$(vm/launch.sh --mode cvm --cpu noaesni --net none --zced-mb 64 --script $BF_TMP/run2.sh \
	--add $BUILD/guest/$LINE/bifrost_zced.ko --timeout 180 2>&1)
echo "INFO: without AES-NI: $(echo "$out" | grep '^selftest_line')"
check_eq "without AES-NI the AEAD is portable C" "$(get aead_impl)" portable
check_eq "without AES-NI the self-test passes (portable C only)" \
	"$(echo "$out" | grep -c '^selftest_line bifrost_zced_aead: selftest passed (portable C)')$(echo "$out" | grep -cE 'selftest passed \((vaes|avx)\)')" 10
check_eq "no oops without AES-NI" "$(get oops)" 0
