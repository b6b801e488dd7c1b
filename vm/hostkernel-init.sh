#!/bin/busybox sh
# /init of the initramfs that vm/hostkernel.sh boots (busybox, PID 1).
# It only gets to the host's userland: loads the modules listed in
# /bfhk/modules (9p over virtio-pci, overlayfs), mounts the host's / (9p tag
# "root", read-only) with a tmpfs overlay on top (writable, writes stay in
# the guest's RAM), bind-mounts the booted kernel's own unpacked modules over
# /lib/modules/KVER, and hands over to /bfhk/run.sh (hostkernel-run.sh) in
# that root with switch_root. Any failure prints "BFHK-ERROR ..." and powers
# off: it never waits for input.
/bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

off() {
	sync
	poweroff -f
	echo o > /proc/sysrq-trigger
	sleep 1000000
}
err() {
	echo "BFHK-ERROR $*"
	off
}

KVER=$(uname -r)
read -r MODDIR < /bfhk/moddir || err "no /bfhk/moddir"
while read -r m; do
	[ -n "$m" ] || continue
	n=${m##*/}; n=${n%.ko}
	grep -q "^$(echo "$n" | tr - _) " /proc/modules && continue
	insmod "/bfhk/ko/$m" || err "insmod $m failed"
done < /bfhk/modules

# The 9p device may take a moment to probe after virtio_pci is loaded.
mkdir -p /lower /rw /newroot
i=0
until mount -t 9p -o ro,trans=virtio,version=9p2000.L,access=any,msize=262144,cache=loose \
		root /lower 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || err "mount of the host's root (9p tag root) failed"
	sleep 0.1
done
mount -t tmpfs -o mode=755 tmpfs /rw || err "tmpfs for the overlay failed"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	err "overlay mount failed"
[ -x /newroot/bin/bash ] || err "the host's root has no /bin/bash"
# The booted kernel's modules, as Debian's package has them (depmod'ed):
# modprobe and the kernel's request_module find them at the usual place.
[ -f "/newroot$MODDIR/modules.dep" ] || err "no $MODDIR/modules.dep on the host's root"
mkdir -p "/newroot/lib/modules/$KVER" || err "mkdir /lib/modules/$KVER failed"
mount --bind "/newroot$MODDIR" "/newroot/lib/modules/$KVER" || err "bind mount of $MODDIR failed"

mkdir -p /newroot/.bfhk
cp /bfhk/run.sh /bfhk/cmd /bfhk/env /bfhk/nonce /newroot/.bfhk/ || err "copying /bfhk failed"
# /dev moves along (the console); proc and sys are mounted afresh there.
mount --move /dev /newroot/dev || err "moving /dev failed"
umount /sys
umount /proc
exec switch_root /newroot /bin/bash /.bfhk/run.sh
err "switch_root failed"
