#!/bin/bash
# Boots the Bifrost test guest under QEMU (TCG) and reports what it did.
# See vm/README.md for the options and the output format.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/qemu-run.sh"
ROOT=$(cd "$HERE/.." && pwd)

usage() {
	cat <<'E'
usage: vm/launch.sh [options]
  --mode vm|cvm           cvm: kernel arg swiotlb=force + iommu_platform=on (default vm)
  --swiotlb-mb MB         cvm: a bounce pool of MB MiB (swiotlb=MB*512,force), e.g. 8 as a
                          paravisor-style CVM has (default: the kernel's, 64 MiB)
  --net tap:IFNAME        existing tap device (vhost=off: QEMU's own virtio-net backend)
  --net tap-vhost:IFNAME  existing tap device served by the host kernel's vhost-net
                          (vhost=on; needs /dev/vhost-net: modprobe vhost_net)
  --net vhost-user:SOCK   QEMU connects to the backend listening on SOCK
  --net none              no network device
  --reconnect N           vhost-user: QEMU reconnects every N s when the backend goes away
  --vhost-server          vhost-user: QEMU listens on SOCK, the backend connects
  --mac MAC               guest MAC (default 52:54:00:12:34:56)
  --ip CIDR --peer IP --peermac MAC   guest eth0 address, peer with a permanent neighbour entry
  --mtu N                 guest eth0 MTU
  --script FILE           run FILE in the guest as /bf/run.sh
  --add SRC[:DEST]        also put host file SRC into the guest at DEST (default /bf/NAME)
  --mem MB                guest RAM (default 1024)
  --zced-mb MB            add a second guest NUMA node of MB (all memfd-shared), node 1
  --zced PORTS            Bifrost's guest modules (build/guest/LINE/*.ko) instead of Debian's
                          virtio_ring (6.1 only)/virtio_net/tls; ZCED pool of a quarter of
                          --zced-mb on node 1, ZCED for TCP ports PORTS (e.g. 4433,5201)
  --zced-ottr 1|0         with --zced: 1 (default) ZCED sockets' AES-GCM is Bifrost's single-pass
                          AEAD (OTTR); 0 the kernel's own gcm(aes) on the same pool pages
                          (bifrost-no-ottr: bifrost_zced ottr=0, kernel arg bf.zced_ottr=0)
  --cpu aesni|noaesni     guest CPU: QEMU's "max" model, which has AES-NI, PCLMULQDQ, AVX,
                          AVX2 and VAES like a CVM host, less CMPXCHG16B (QEMU 7.2's TCG
                          can corrupt EFLAGS with it: vm/README.md) (default aesni); noaesni: the same
                          without AES-NI, PCLMULQDQ, VAES and VPCLMULQDQ (gcm(aes) is then
                          the kernel's generic C, as before the AES-NI guest)
                          (default from $BF_VM_CPU)
  --icount                -icount shift=0 (guest time counts instructions)
  --insn-count            the exact instruction counter (vm/tcg-insn-count.c, a TCG plugin,
                          $BF_INSN_PLUGIN or build/vm/bf-insn-count.so): every "snap" line
                          of the guest gets "insn N insn_user N insn_kernel N
                          insn_rep_user N insn_rep_kernel N" (guest instructions before
                          its mark, bf-snap's own work left out; insn_rep_*: the passes
                          of REP string instructions' blocks after their first, which
                          insn_* count too), the stats "insn_user_total N
                          insn_kernel_total N insn_rep_user_total N insn_rep_kernel_total N"
  --insn-profile FILE:A:B with --insn-count: FILE gets the instructions per translation
                          block address between the starts of marks A and B (bf-snap's
                          mark IDs; eval/insn_profile.py reads it)
  --kallsyms FILE         the guest's text symbols (/proc/kallsyms, modules included) to
                          FILE at the end of the boot (for eval/insn_profile.py)
  --log FILE              serial console log (default: temporary, removed)
  --timeout SECONDS       kill QEMU if it has not powered off by then: exit 124 (default 600)
  --ready-file FILE       written when the guest prints BF-READY (just before run.sh)
  --append ARGS           more kernel command line (e.g. bf.foo=bar -> $BF_FOO in run.sh)
  --dev-opts OPTS         more virtio-net-pci properties (e.g. mrg_rxbuf=off)
  --qemu-arg ARG          one more QEMU argument (repeatable)
  --line LINE             the guest kernel line (guest-driver/lines.sh: 6.1, 6.12): its image
                          and modules (default $GUEST_LINE, else the table's default)
  --image DIR             where vmlinuz and initramfs.cpio.gz are (default build/vm/LINE)
  --prepare DIR           do not boot: write the guest's initrd (image + per-launch cpio)
                          to DIR/initrd.cpio.gz and print "kernel PATH", "initrd PATH" and
                          "cmdline ARGS" lines, for a VMM started elsewhere (e.g. libvirt;
                          the network and --mode cvm's device options are then its job)
exit: the script's rc; 124 timeout; 125 BF-ERROR or the guest died; 2 bad usage
E
}
die() { echo "launch: $*" >&2; exit 2; }

MODE=vm NET='' RECONNECT='' VHOST_SERVER=0 MAC=52:54:00:12:34:56 IP='' PEER='' PEERMAC='' MTU=''
CPU=${BF_VM_CPU:-aesni} SCRIPT='' MEM=1024 ZCED_MB=0 ZCED_PORTS='' ZCED_OTTR=1 ICOUNT=0 INSN=0 LOG='' TIMEOUT=600 READY='' APPEND='' DEVOPTS=''
IMAGE=${BF_VM_IMAGE:-} PREPARE='' LINE_ARG='' SWIOTLB_MB='' PROFILE='' KALLSYMS=''
ADDS=() QARGS=()
need() { [ $# -ge 2 ] && [ -n "$2" ] || die "option $1 needs a value"; }
while [ $# -gt 0 ]; do
	case $1 in
	--mode) need "$@"; MODE=$2; shift 2;;
	--net) need "$@"; NET=$2; shift 2;;
	--reconnect) need "$@"; RECONNECT=$2; shift 2;;
	--vhost-server) VHOST_SERVER=1; shift;;
	--mac) need "$@"; MAC=$2; shift 2;;
	--ip) need "$@"; IP=$2; shift 2;;
	--peer) need "$@"; PEER=$2; shift 2;;
	--peermac) need "$@"; PEERMAC=$2; shift 2;;
	--mtu) need "$@"; MTU=$2; shift 2;;
	--script) need "$@"; SCRIPT=$2; shift 2;;
	--add) need "$@"; ADDS+=("$2"); shift 2;;
	--mem) need "$@"; MEM=$2; shift 2;;
	--zced-mb) need "$@"; ZCED_MB=$2; shift 2;;
	--zced) need "$@"; ZCED_PORTS=$2; shift 2;;
	--zced-ottr) need "$@"; ZCED_OTTR=$2; shift 2;;
	--cpu) need "$@"; CPU=$2; shift 2;;
	--icount) ICOUNT=1; shift;;
	--swiotlb-mb) need "$@"; SWIOTLB_MB=$2; shift 2;;
	--insn-count) INSN=1; shift;;
	--insn-profile) need "$@"; PROFILE=$2; shift 2;;
	--kallsyms) need "$@"; KALLSYMS=$2; shift 2;;
	--log) need "$@"; LOG=$2; shift 2;;
	--timeout) need "$@"; TIMEOUT=$2; shift 2;;
	--ready-file) need "$@"; READY=$2; shift 2;;
	--append) need "$@"; APPEND="$APPEND $2"; shift 2;;
	--dev-opts) need "$@"; DEVOPTS=$2; shift 2;;
	--qemu-arg) need "$@"; QARGS+=("$2"); shift 2;;
	--line) need "$@"; LINE_ARG=$2; shift 2;;
	--image) need "$@"; IMAGE=$2; shift 2;;
	--prepare) need "$@"; PREPARE=$2; shift 2;;
	-h|--help) usage; exit 0;;
	*) usage >&2; die "unknown option '$1'";;
	esac
done

case $MODE in vm|cvm) ;; *) die "--mode must be vm or cvm, not '$MODE'";; esac
. "$ROOT/guest-driver/lines.sh"
bf_line $LINE_ARG || die "--line: no such guest kernel line"	# (empty: the default)
[ -n "$IMAGE" ] || IMAGE=$ROOT/build/vm/$LINE
case $CPU in
aesni) CPUMODEL=$QEMU_CPU_BASE;;
noaesni) CPUMODEL=$QEMU_CPU_BASE,aes=off,pclmulqdq=off,vaes=off,vpclmulqdq=off;;
*) die "--cpu must be aesni or noaesni, not '$CPU'";;
esac
[ -n "$NET" ] || [ -n "$PREPARE" ] || die "--net tap:IFNAME | tap-vhost:IFNAME | vhost-user:SOCK | none is required"
[ -z "$PREPARE" ] || [ -d "$PREPARE" ] || die "--prepare '$PREPARE' is not a directory"
[ -z "$PREPARE" ] || NET=none
isnum() { case $1 in ''|*[!0-9]*) return 1;; esac; }
isnum "$MEM" && [ "$MEM" -ge 128 ] || die "--mem must be a number of MB >= 128"
isnum "$ZCED_MB" || die "--zced-mb must be a number of MB"
case $ZCED_OTTR in 1) ;; 0) [ -n "$ZCED_PORTS" ] || die "--zced-ottr 0 needs --zced";;
*) die "--zced-ottr must be 1 or 0, not '$ZCED_OTTR'";; esac
if [ -n "$ZCED_PORTS" ]; then
	[[ $ZCED_PORTS =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--zced needs a port list like 443,8443"
	[ "$ZCED_MB" -ge 8 ] || die "--zced needs --zced-mb 8 or more"
	for m in $LINE_MODS; do
		f=$ROOT/build/guest/$LINE/$m.ko
		[ -f "$f" ] || die "no $f: run 'make guest-modules GUEST_LINE=$LINE'"
		ADDS+=("$f:/lib/modules/bifrost/$m.ko")
	done
fi
isnum "$TIMEOUT" && [ "$TIMEOUT" -gt 0 ] || die "--timeout must be a positive number of seconds"
[ -z "$RECONNECT" ] || isnum "$RECONNECT" || die "--reconnect must be a number of seconds"
[[ $MAC =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] || die "bad --mac '$MAC'"
[ -z "$PEERMAC" ] || [[ $PEERMAC =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] || die "bad --peermac '$PEERMAC'"
[ -z "$PEERMAC" ] || [ -n "$PEER" ] || die "--peermac needs --peer"
[ -z "$SCRIPT" ] || [ -f "$SCRIPT" ] || die "--script '$SCRIPT' is not a file"
[ -f "$IMAGE/vmlinuz" ] && [ -f "$IMAGE/initramfs.cpio.gz" ] ||
	die "no guest image in $IMAGE: run 'make vm-image GUEST_LINE=$LINE' (vm/build-image.sh --line $LINE)"
# an image of another line (--image) would get modules built for another kernel
if [ -n "$ZCED_PORTS" ] && [ -f "$IMAGE/kver" ] && [ "$(cat "$IMAGE/kver")" != "$LINE_KVER" ]; then
	die "the image in $IMAGE runs $(cat "$IMAGE/kver"), line $LINE's modules are for $LINE_KVER (--line)"
fi
# the uncompressed ELF kernel boots through PVH (faster); else the bzImage
KERNEL=$IMAGE/vmlinuz
[ -f "$IMAGE/vmlinux" ] && [ "${BF_VM_BZIMAGE:-0}" != 1 ] && KERNEL=$IMAGE/vmlinux
QEMU=$(command -v qemu-system-x86_64 || true)
[ -n "$QEMU" ] || die "qemu-system-x86_64 not found: run deps/vm.sh"

TMP=$(mktemp -d /tmp/bfvm-launch.XXXXXX)
QPID=
cleanup() {
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill -TERM "$QPID" 2>/dev/null || true
		sleep 0.5
		kill -KILL "$QPID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ -n "$LOG" ] || LOG=$TMP/console.log
mkdir -p "$(dirname "$LOG")"
: > "$LOG"
[ -z "$READY" ] || rm -f "$READY"

# --- network device -----------------------------------------------------
NETARGS=()
DEV="virtio-net-pci,netdev=n0,mac=$MAC,vectors=0,disable-legacy=on,romfile="
DEV="$DEV,mrg_rxbuf=on,csum=on,guest_csum=on,guest_tso4=on,guest_tso6=on,host_tso4=on,host_tso6=on"
[ "$MODE" = cvm ] && DEV="$DEV,iommu_platform=on"
[ -z "$DEVOPTS" ] || DEV="$DEV,$DEVOPTS"
case $NET in
none) ;;
tap:?*)
	IFN=${NET#tap:}
	[ -e "/sys/class/net/$IFN" ] || die "tap device '$IFN' does not exist (in this network namespace)"
	NETARGS=(-netdev "tap,id=n0,ifname=$IFN,script=no,downscript=no,vhost=off" -device "$DEV");;
tap-vhost:?*)
	IFN=${NET#tap-vhost:}
	[ -e "/sys/class/net/$IFN" ] || die "tap device '$IFN' does not exist (in this network namespace)"
	[ -c /dev/vhost-net ] || die "no /dev/vhost-net: the host kernel has no vhost-net (modprobe vhost_net)"
	NETARGS=(-netdev "tap,id=n0,ifname=$IFN,script=no,downscript=no,vhost=on,vhostforce=on"
		-device "$DEV");;
vhost-user:?*)
	SOCK=${NET#vhost-user:}
	CH="socket,id=c0,path=$SOCK"
	if [ "$VHOST_SERVER" = 1 ]; then
		CH="$CH,server=on,wait=on"
	else
		[ -S "$SOCK" ] || [ -n "$RECONNECT" ] || die "no vhost-user socket at '$SOCK' (is the backend listening?)"
		[ -z "$RECONNECT" ] || CH="$CH,reconnect=$RECONNECT"
	fi
	NETARGS=(-chardev "$CH" -netdev "vhost-user,id=n0,chardev=c0" -device "$DEV");;
*) die "--net must be tap:IFNAME, tap-vhost:IFNAME, vhost-user:SOCK or none, not '$NET'";;
esac

# --- kernel command line ------------------------------------------------
KARGS="console=ttyS0 panic=-1 mitigations=off nokaslr bf.mode=$MODE"
# cvm: every DMA bounces (swiotlb=force); iommu=soft makes x86 treat swiotlb as
# its DMA path, as a SEV/TDX guest does, and print the pool range at boot.
if [ "$MODE" = cvm ] && [ -n "$SWIOTLB_MB" ]; then
	case $SWIOTLB_MB in ''|*[!0-9]*|0) die "--swiotlb-mb must be a number of MiB, not '$SWIOTLB_MB'";; esac
	# 2 KiB slots (IO_TLB_SIZE): 512 per MiB
	KARGS="$KARGS swiotlb=$((SWIOTLB_MB * 512)),force iommu=soft"
elif [ "$MODE" = cvm ]; then
	KARGS="$KARGS swiotlb=force iommu=soft"
fi
[ -z "$IP" ] || KARGS="$KARGS bf.ip=$IP"
[ -z "$PEER" ] || KARGS="$KARGS bf.peer=$PEER"
[ -z "$PEERMAC" ] || KARGS="$KARGS bf.peermac=$PEERMAC"
[ -z "$MTU" ] || KARGS="$KARGS bf.mtu=$MTU"
[ -z "$ZCED_PORTS" ] || KARGS="$KARGS bf.zced_ports=$ZCED_PORTS bf.zced_pool_mb=$((ZCED_MB / 4))"
[ "$ZCED_OTTR" = 1 ] || KARGS="$KARGS bf.zced_ottr=0"
[ -z "$KALLSYMS" ] || KARGS="$KARGS bf.kallsyms=1"
KARGS="$KARGS$APPEND"

# --- initrd: cached image + a small per-launch cpio (bf/run.sh, --add files)
# The initrd is padded with zeros (which the kernel's initramfs unpacker
# skips) to a fixed size: QEMU puts it at the top of low memory and the
# swiotlb pool is allocated right below it, so a fixed size keeps the pool
# range the same for every script and image (it depends on --mem/--zced-mb).
PAD_MB=${BF_VM_INITRD_PAD_MB:-32}
cp "$IMAGE/initramfs.cpio.gz" "$TMP/initrd.cpio.gz"
INITRD=$TMP/initrd.cpio.gz
if [ -n "$SCRIPT" ] || [ ${#ADDS[@]} -gt 0 ]; then
	X=$TMP/extra
	mkdir -p "$X/bf"
	[ -z "$SCRIPT" ] || install -m 755 "$SCRIPT" "$X/bf/run.sh"
	for a in "${ADDS[@]}"; do
		src=${a%%:*}
		if [ "$src" = "$a" ]; then dst=/bf/$(basename "$src"); else dst=${a#*:}; fi
		[ -f "$src" ] || die "--add '$src' is not a file"
		case $dst in /*) ;; *) die "--add destination '$dst' must be absolute";; esac
		mkdir -p "$X$(dirname "$dst")"
		cp -p "$src" "$X$dst"
	done
	(cd "$X" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 > "$TMP/extra.cpio.gz" || die "packing the per-launch cpio failed"
	cat "$TMP/extra.cpio.gz" >> "$INITRD"
fi
isz=$(stat -c %s "$INITRD")
if [ "$isz" -gt $((PAD_MB << 20)) ]; then
	echo "launch: warning: initrd is $((isz >> 20)) MiB > ${PAD_MB} MiB: the swiotlb range will differ from other launches (set BF_VM_INITRD_PAD_MB)" >&2
else
	truncate -s $((PAD_MB << 20)) "$INITRD"
fi

if [ -n "$PREPARE" ]; then
	PREPARE=$(cd "$PREPARE" && pwd)
	mv "$INITRD" "$PREPARE/initrd.cpio.gz"
	printf 'kernel %s\ninitrd %s\ncmdline %s\n' "$KERNEL" "$PREPARE/initrd.cpio.gz" "$KARGS"
	exit 0
fi

# --- QEMU -----------------------------------------------------------------
TOTAL=$((MEM + ZCED_MB))
Q=("$QEMU" -accel tcg -machine pc -cpu "$CPUMODEL" -smp 1 -m "${TOTAL}M"
	-object "memory-backend-memfd,id=mem,size=${MEM}M,share=on")
if [ "$ZCED_MB" -gt 0 ]; then
	Q+=(-object "memory-backend-memfd,id=mem1,size=${ZCED_MB}M,share=on"
		-numa "node,nodeid=0,memdev=mem" -numa "node,nodeid=1,memdev=mem1")
else
	Q+=(-numa "node,memdev=mem")
fi
# threads named ("CPU 0/TCG", "worker"...): the host can tell the vCPU's
# time from QEMU's device and I/O work (eval/host_cpu.py)
Q+=(-name bifrost-guest,debug-threads=on)
Q+=(-nodefaults -display none -monitor none -serial "file:$LOG" -no-reboot
	-kernel "$KERNEL" -initrd "$INITRD" -append "$KARGS"
	-device virtio-rng-pci,vectors=0
	"${NETARGS[@]}")
[ "$ICOUNT" = 0 ] || Q+=(-icount shift=0)
INSN_OUT=$TMP/insn.txt
if [ "$INSN" = 1 ]; then
	PLUGIN=${BF_INSN_PLUGIN:-$ROOT/build/vm/bf-insn-count.so}
	[ -f "$PLUGIN" ] || die "no instruction counter at $PLUGIN (make vm-image builds it)"
	PARGS="out=$INSN_OUT"
	if [ -n "$PROFILE" ]; then
		IFS=: read -r pf pa pb <<< "$PROFILE"
		[ -n "$pf" ] && [ -n "$pa" ] && [ -n "$pb" ] || die "--insn-profile FILE:A:B, not '$PROFILE'"
		PARGS="$PARGS,profile=$pf,from=$pa,to=$pb"
	fi
	Q+=(-plugin "$PLUGIN,$PARGS")
elif [ -n "$PROFILE" ]; then
	die "--insn-profile needs --insn-count"
fi
Q+=("${QARGS[@]}")
echo "${Q[*]}" > "$TMP/qemu.cmd"

now() { date +%s.%N; }
T0=$(now)
"${Q[@]}" </dev/null >"$TMP/qemu.out" 2>&1 &
QPID=$!
DEADLINE=$(( $(date +%s) + TIMEOUT ))
TREADY='' TIMEDOUT=0
while kill -0 "$QPID" 2>/dev/null; do
	if [ -z "$TREADY" ] && grep -q '^BF-READY' "$LOG" 2>/dev/null; then
		TREADY=$(now)
		if [ -n "$READY" ]; then
			{
				echo ready
				tr -d '\r' < "$LOG" | sed -n 's/^BF-SWIOTLB \(0x[0-9a-fA-F]*\) \(0x[0-9a-fA-F]*\).*/swiotlb-range \1 \2/p' | head -n1
			} > "$READY.tmp" && mv "$READY.tmp" "$READY"
		fi
	fi
	qemu_past_deadline launch && break
	sleep 0.1
done
QRC=0
wait "$QPID" 2>/dev/null || QRC=$?
QPID=
T1=$(now)

# --- report -----------------------------------------------------------------
CLEAN=$TMP/clean.log
tr -d '\r' < "$LOG" > "$CLEAN"
# insn_join: each snap line (bf-snap's "mark S mark_end E") gets the exact
# counts at its mark S, less what the earlier snaps executed between their
# two marks (bf-snap's own work); other lines as they are
insn_join() {
	if [ "$INSN" = 1 ] && [ -s "$INSN_OUT" ]; then
		# (a plugin older than the REP counters gives no insn_rep_*)
		awk 'FNR == NR {
				if ($1 != "mark") next
				u[$2] = $4; k[$2] = $6
				if ($7 == "rep_user") { ru[$2] = $8; rk[$2] = $10 }
				next
			}
			$1 == "snap" {
				s = e = ""
				for (i = 3; i < NF; i += 2) {
					if ($i == "mark") s = $(i + 1)
					if ($i == "mark_end") e = $(i + 1)
				}
				if (s in u) {
					$0 = $0 sprintf(" insn %.0f insn_user %.0f insn_kernel %.0f",
						u[s] + k[s] - ou - ok, u[s] - ou, k[s] - ok)
					if (s in ru)
						$0 = $0 sprintf(" insn_rep_user %.0f insn_rep_kernel %.0f",
							ru[s] - oru, rk[s] - ork)
					if (e in u) { ou += u[e] - u[s]; ok += k[e] - k[s] }
					if (e in ru && s in ru) { oru += ru[e] - ru[s]; ork += rk[e] - rk[s] }
				}
			}
			{ print }' "$INSN_OUT" -
	else
		cat
	fi
}
sed -n '/^BF-BEGIN$/,/^BF-END rc=/{/^BF-BEGIN$/d;/^BF-END rc=/d;p}' "$CLEAN" | insn_join
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", b - a }'; }
if grep -q '^BF-STATS-END$' "$CLEAN"; then
	sed -n '/^BF-STATS-BEGIN$/,/^BF-STATS-END$/{/^BF-STATS-END$/d;p}' "$CLEAN" | insn_join
	[ "$INSN" = 0 ] || awk '$1 == "total" { print "insn_user_total " $3; print "insn_kernel_total " $5
		if ($6 == "rep_user") { print "insn_rep_user_total " $7; print "insn_rep_kernel_total " $9 } }' \
		"$INSN_OUT" 2>/dev/null
	[ -z "$TREADY" ] || echo "host_boot_s $(secs "$T0" "$TREADY")"
	echo "host_total_s $(secs "$T0" "$T1")"
	echo "BF-STATS-END"
fi
if [ -n "$KALLSYMS" ]; then
	sed -n '/^BF-KALLSYMS-BEGIN$/,/^BF-KALLSYMS-END$/{/^BF-KALLSYMS-/d;p}' "$CLEAN" | base64 -d 2>/dev/null |
		gunzip > "$KALLSYMS" 2>/dev/null || echo "launch: warning: no kallsyms from the guest" >&2
fi
RANGE=$(sed -n 's/.*software IO TLB: mapped \[mem \(0x[0-9a-fA-F]*\)-\(0x[0-9a-fA-F]*\)\].*/\1 \2/p' "$CLEAN" | head -n1)
[ -n "$RANGE" ] || RANGE=$(sed -n 's/^BF-SWIOTLB \(0x[0-9a-fA-F]*\) \(0x[0-9a-fA-F]*\).*/\1 \2/p' "$CLEAN" | head -n1)
[ -z "$RANGE" ] || echo "swiotlb-range $RANGE"

qemu_verdict launch BF-ERROR
RC=$(sed -n 's/^BF-END rc=\([0-9]*\)$/\1/p' "$CLEAN" | tail -n1)
if [ -n "$RC" ]; then
	grep -q '^BF-STATS-END$' "$CLEAN" || echo "launch: warning: no BF-STATS block" >&2
	exit "$RC"
fi
if [ -z "$SCRIPT" ] && grep -q '^BF-STATS-END$' "$CLEAN"; then
	exit 0
fi
echo "launch: the guest ended without BF-END (QEMU exit $QRC)" >&2
qemu_tail_log launch
exit 125
