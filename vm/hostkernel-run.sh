#!/bin/bash
# PID 1 of the host-kernel VM once hostkernel-init.sh has switched to the
# host's userland (the host's / read-only under a tmpfs overlay). Mounts
# what a booted host has (devpts, shm, run, tmp, bpffs, debugfs, tracefs,
# cgroup2), loads veth and tun, then runs /.bfhk/cmd between the markers
# "BFHK-BEGIN-<nonce>" and "BFHK-END-<nonce> rc=N", prints the kernel log
# between "BFHK-DMESG-<nonce>" and "BFHK-DMESG-END-<nonce>" (the launcher
# keeps it in the serial log) and powers off. No `set -e`: PID 1 must
# report and power off, whatever fails.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
umask 022
exec </dev/null >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
read -r NONCE < /.bfhk/nonce

off() {
	sync
	busybox poweroff -f
	echo o > /proc/sysrq-trigger
	sleep 1000000
}

mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
# /tmp stays the host's under the overlay (writes go to the guest's RAM):
# a checkout under /tmp (a CI clone) is visible in the VM as it is here.
mount -t bpf -o mode=700 bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mkdir -p /run/lock
hostname "bfhk-$(uname -r | cut -d- -f1)"
ip link set lo up
# Module autoloading goes through /sbin/modprobe (the host's kmod) and the
# booted kernel's modules bind-mounted at /lib/modules/$(uname -r). tun has
# no device node until it is loaded (no udev here): load it and veth now.
for m in veth tun; do
	modprobe "$m" || echo "bfhk: warning: modprobe $m failed"
done
dmesg -n 1

# NAME=VALUE lines for the command's environment (launcher --env)
while IFS= read -r kv; do
	[ -n "$kv" ] && export "$kv"
done < /.bfhk/env

echo "BFHK-BEGIN-$NONCE uptime=$(cut -d' ' -f1 /proc/uptime)"
# In the foreground: a background job would start with SIGINT ignored.
# (bash reaps every child while it waits, orphans included.)
bash /.bfhk/cmd
rc=$?
echo "BFHK-END-$NONCE rc=$rc"
echo "BFHK-DMESG-$NONCE"
dmesg
echo "BFHK-DMESG-END-$NONCE"
off
