#!/bin/bash
# Runs a command on this machine's userland under another (Debian) kernel,
# booted as the *host* under QEMU/TCG, the way virtme-ng does it: the host's
# / is shared read-only over virtio-9p, the guest puts a tmpfs overlay on it
# (writable; writes stay in guest RAM and vanish at power-off), mounts the
# booted kernel's own modules over /lib/modules/KVER, mounts proc, sys, dev,
# devpts, run, tmp (fresh tmpfs), bpffs, debugfs, tracefs and cgroup2, and
# runs the command as root in the same directory (default: the caller's),
# with no network device (tests make their own namespaces, veths and taps in
# the VM's kernel). The kernel comes from deps/hostkernels.sh.
#
# usage: vm/hostkernel.sh [options] KVER -- COMMAND [ARG...]
#   --timeout S   kill QEMU after S seconds (default 1800): exit 124
#   --mem MB      guest RAM (default 2048)     --smp N   vCPUs (default 2)
#   --cwd DIR     where COMMAND runs (default: the current directory; must be
#                 visible in the VM: anything but /run, /proc, /sys, /dev)
#   --env NAME[=VALUE]  pass NAME (with VALUE, or its value here) to COMMAND
#                 (repeatable); COMMAND gets only PATH, HOME, TERM, LANG otherwise
#   --log FILE    keep the serial console log (it also holds the VM's dmesg)
#   --dmesg FILE  write the VM's kernel log (dmesg at the end) to FILE
#   --cache DIR   where the kernels are unpacked (default build/vm/cache)
# stdout: what COMMAND printed (streamed as it runs). Exit: COMMAND's exit
# code; 124 on timeout; 125 when the VM failed to boot or died without
# reporting; 2 on bad usage.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/qemu-run.sh"
. "$HERE/kernel-files.sh"
ROOT=$(cd "$HERE/.." && pwd)

usage() { sed -n '/^# usage:/,/^# reporting/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
die() { echo "hostkernel: $*" >&2; exit 2; }

TIMEOUT=1800 MEM=2048 SMP=2 CWD=$PWD LOG='' DMESG='' CACHE=$ROOT/build/vm/cache
ENVS=()
need() { [ $# -ge 2 ] && [ -n "$2" ] || die "option $1 needs a value"; }
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) need "$@"; TIMEOUT=$2; shift 2;;
	--mem) need "$@"; MEM=$2; shift 2;;
	--smp) need "$@"; SMP=$2; shift 2;;
	--cwd) need "$@"; CWD=$2; shift 2;;
	--env) need "$@"; ENVS+=("$2"); shift 2;;
	--log) need "$@"; LOG=$2; shift 2;;
	--dmesg) need "$@"; DMESG=$2; shift 2;;
	--cache) need "$@"; CACHE=$2; shift 2;;
	-h|--help) usage;;
	--) die "KVER missing before --";;
	-*) die "unknown option $1";;
	*) break;;
	esac
done
[ $# -ge 3 ] && [ "$2" = -- ] || usage
KVER=$1; shift 2
isnum() { case $1 in ''|*[!0-9]*) return 1;; esac; }
isnum "$TIMEOUT" && [ "$TIMEOUT" -gt 0 ] || die "--timeout must be a positive number of seconds"
isnum "$MEM" && isnum "$SMP" || die "--mem and --smp take numbers"
CWD=$(cd "$CWD" && pwd -P) || die "no directory $CWD"
case $CWD/ in /run/*|/proc/*|/sys/*|/dev/*)
	die "--cwd $CWD is not visible in the VM (fresh /run, /proc, /sys, /dev there)";;
esac
[ "$(id -u)" = 0 ] || die "needs root (QEMU exports / with the caller's rights)"
QEMU=$(command -v qemu-system-x86_64 || true)
[ -n "$QEMU" ] || die "qemu-system-x86_64 not found: run make deps"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "no busybox (package busybox-static): run make deps"

KDIR=$(bash "$ROOT/deps/hostkernels.sh" --dir "$KVER" "$CACHE") ||
	die "kernel $KVER not available (deps/hostkernels.sh)"
KDIR=$(cd "$KDIR" && pwd -P)
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
MODDIR=$KDIR/lib/modules/$KVER
[ -f "$VMLINUZ" ] && [ -f "$MODDIR/modules.dep" ] || die "incomplete kernel tree $KDIR"
case $MODDIR/ in /run/*) die "the kernel cache $KDIR must not be under /run";; esac

TMP=$(mktemp -d /tmp/bfhk.XXXXXX)
QPID='' TPID=''
cleanup() {
	[ -z "$QPID" ] || kill -KILL "$QPID" 2>/dev/null || true
	[ -z "$TPID" ] || kill "$TPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ -n "$LOG" ] || LOG=$TMP/console.log
: > "$LOG"

# --- initramfs: busybox, the modules needed before the root, init ----------
I=$TMP/initramfs
mkdir -p "$I/bin" "$I/bfhk/ko"
cp "$BUSYBOX" "$I/bin/busybox"
cp "$HERE/hostkernel-init.sh" "$I/init"
cp "$HERE/hostkernel-run.sh" "$I/bfhk/run.sh"
chmod 755 "$I/init" "$I/bfhk/run.sh"
echo "$MODDIR" > "$I/bfhk/moddir"
NONCE=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
echo "$NONCE" > "$I/bfhk/nonce"
# Each module after its dependencies; one the kernel has built in (6.12:
# virtio_pci, fscache) needs nothing; .ko.xz (6.12) is unpacked here: busybox
# insmod reads plain ELF (vm/kernel-files.sh).
: > "$I/bfhk/modules"
rels=$(kmod_order "$MODDIR" virtio_pci 9pnet_virtio 9p overlay) || die "$KVER lacks a module the VM needs"
for r in $rels; do
	f=$(basename "$(kmod_plain "$r")")
	kmod_copy "$MODDIR/$r" "$I/bfhk/ko/$f" || die "cannot copy $MODDIR/$r"
	echo "$f" >> "$I/bfhk/modules"
done

# The command, run by bash in CWD; its environment.
{
	printf 'cd %q || exit 126\n' "$CWD"
	printf 'exec'; printf ' %q' "$@"; printf '\n'
} > "$I/bfhk/cmd"
: > "$I/bfhk/env"
for e in "${ENVS[@]}"; do
	case $e in
	*=*) n=${e%%=*}; v=${e#*=};;
	*) n=$e; v=${!e-};;
	esac
	case $n in ''|[0-9]*|*[!A-Za-z0-9_]*) die "--env: bad name '$n'";; esac
	case $v in *$'\n'*) die "--env $n: no newlines in values";; esac
	echo "$n=$v" >> "$I/bfhk/env"
done
(cd "$I" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$TMP/initrd.gz"

# --- boot --------------------------------------------------------------------
KARGS="console=ttyS0 panic=-1 loglevel=4 mitigations=off nokaslr rdinit=/init"
Q=("$QEMU" -accel tcg -machine pc -cpu "$QEMU_CPU_BASE" -smp "$SMP" -m "$MEM"
	-nodefaults -display none -monitor none -serial "file:$LOG" -no-reboot
	-kernel "$VMLINUZ" -initrd "$TMP/initrd.gz" -append "$KARGS"
	-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=root,mount_tag=root")
T0=$(date +%s.%N)
"${Q[@]}" </dev/null >"$TMP/qemu.out" 2>&1 &
QPID=$!
# Stream the command's output (the lines between the markers) while it runs.
# (A bash loop: mawk block-buffers its input from a pipe.)
stream() {
	local on=0 line
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [ $on = 0 ]; then
			[[ $line == "BFHK-BEGIN-$NONCE"* ]] && on=1
			continue
		fi
		if [[ $line == *"BFHK-END-$NONCE rc="* ]]; then
			line=${line%%"BFHK-END-$NONCE rc="*}
			[ -z "$line" ] || printf '%s\n' "$line"
			break
		fi
		printf '%s\n' "$line"
	done
}
tail -s 0.2 -n +1 -F --pid="$QPID" "$LOG" 2>/dev/null | stream &
TPID=$!
DEADLINE=$(( $(date +%s) + TIMEOUT ))
TIMEDOUT=0
while kill -0 "$QPID" 2>/dev/null; do
	qemu_past_deadline "hostkernel: $KVER" && break
	sleep 0.5
done
QRC=0
wait "$QPID" 2>/dev/null || QRC=$?
QPID=''
# tail sees QEMU gone within its 0.2 s interval and ends, then awk
for _ in $(seq 50); do kill -0 "$TPID" 2>/dev/null || break; sleep 0.1; done
kill "$TPID" 2>/dev/null || true
wait "$TPID" 2>/dev/null || true
TPID=''
T1=$(date +%s.%N)

CLEAN=$TMP/clean.log
tr -d '\r' < "$LOG" > "$CLEAN"
if [ -n "$DMESG" ]; then
	sed -n "/^BFHK-DMESG-$NONCE\$/,/^BFHK-DMESG-END-$NONCE\$/{/^BFHK-DMESG/d;p}" "$CLEAN" > "$DMESG"
fi
UP=$(sed -n "s/^BFHK-BEGIN-$NONCE uptime=\([0-9.]*\).*/\1/p" "$CLEAN" | head -n1)
echo "hostkernel: $KVER: booted in ${UP:-?}s (guest clock), $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", b - a }')s wall in all" >&2
qemu_verdict hostkernel BFHK-ERROR '^BFHK-'
RC=$(grep -o "BFHK-END-$NONCE rc=[0-9]*" "$CLEAN" | tail -n1 | sed 's/.*rc=//')
if [ -n "$RC" ]; then
	exit "$RC"
fi
echo "hostkernel: $KVER: the VM ended without reporting an exit code (QEMU exit $QRC)" >&2
qemu_tail_log hostkernel '^BFHK-'
exit 125
