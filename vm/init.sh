#!/bin/bash
# /init of the Bifrost test guest (bash + busybox applets, PID 1). See vm/README.md.
# Boots, loads the virtio-net and kTLS modules, configures eth0 from the
# kernel command line (bf.ip= bf.peer= bf.peermac= bf.mtu=), runs /bf/run.sh
# between "BF-BEGIN" and "BF-END rc=N", prints "BF-STATS-BEGIN" .. "BF-STATS-END"
# (one "key value" a line) and powers off. Any failure prints "BF-ERROR ..."
# and powers off: it never waits for input. (No `set -e/-u` on purpose: PID 1
# must not exit, it must report and power off.)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
umask 022

off() {
	sync
	poweroff -f
	reboot -f
	echo o > /proc/sysrq-trigger
	sleep 1000000
}
bf_error() {
	echo "BF-ERROR $*"
	off
}

mount -t proc proc /proc || bf_error "mount /proc failed"
mount -t sysfs sysfs /sys || bf_error "mount /sys failed"
mount -t devtmpfs devtmpfs /dev || bf_error "mount devtmpfs on /dev failed"
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null ||
	echo "bf-init: warning: debugfs not mounted"
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
	echo "bf-init: warning: tracefs not mounted"
hostname bfguest

# bf.KEY=VALUE on the kernel command line -> BF_KEY=VALUE in the environment
# of /bf/run.sh (KEY upper-cased, '-' and '.' -> '_').
read -r CMDLINE < /proc/cmdline
for w in $CMDLINE; do
	case $w in
	bf.*=*)
		k=${w%%=*}; k=${k#bf.}; v=${w#*=}
		k=${k^^}; k=${k//[.-]/_}
		case $k in *[!A-Z0-9_]*|'') echo "bf-init: ignoring '$w'"; continue;; esac
		export "BF_$k=$v"
		;;
	esac
done
echo "bf-init: cmdline: $CMDLINE"
echo "bf-init: guest kernel $(uname -r)"
# bf.trace=1: trace this script with timestamps (boot-time debugging)
if [ "${BF_TRACE:-0}" = 1 ]; then PS4='+ $EPOCHREALTIME '; set -x; fi

# --- modules ------------------------------------------------------------
# bf.zced_ports=P[,P..] (launch.sh --zced): Bifrost's guest modules instead
# of Debian's virtio_ring (where the line has one: 6.12 has virtio_ring built
# in), virtio_net and tls, with bifrost_zced (which needs gf128mul) before
# them: pool of bf.zced_pool_mb MiB on node 1.
# bf.zced_ottr=0 (launch.sh --zced-ottr 0): bifrost_zced ottr=0, ZCED
# sockets' AES-GCM is the kernel's own (bifrost-no-ottr).
MODLIST=/etc/bf-modules
if [ -n "${BF_ZCED_PORTS:-}" ]; then
	B=/lib/modules/bifrost
	[ -f $B/bifrost_zced.ko ] || bf_error "bf.zced_ports given but no $B/bifrost_zced.ko"
	MODLIST=/tmp/bf-modules-zced
	subst=(-e "s|^.*/virtio_net\.ko$|$B/bifrost_virtio_net.ko|" -e "s|^.*/tls\.ko$|$B/bifrost_tls.ko|")
	[ ! -f $B/bifrost_virtio_ring.ko ] ||
		subst+=(-e "s|^.*/virtio_ring\.ko$|$B/bifrost_virtio_ring.ko|")
	{
		grep '/gf128mul\.ko$' /etc/bf-modules
		echo "$B/bifrost_zced.ko node=1 pool_mb=${BF_ZCED_POOL_MB:-16} ports=$BF_ZCED_PORTS ottr=${BF_ZCED_OTTR:-1}"
		sed "${subst[@]}" /etc/bf-modules
	} > $MODLIST
fi
LOADED=$(cat /proc/modules)
while read -r m args; do
	[ -n "$m" ] || continue
	n=${m##*/}; n=${n%.ko}; n=${n//-/_}
	case $'\n'$LOADED in *$'\n'"$n "*) continue;; esac
	# shellcheck disable=SC2086
	if ! insmod "$m" $args; then
		# the AES-NI/PCLMULQDQ drivers refuse a CPU without them
		# (launch.sh --cpu noaesni): gcm(aes) stays generic
		case $n in
		aesni_intel|ghash_clmulni_intel)
			echo "bf-init: $n not loaded (CPU flags: $(grep -o -w -E 'aes|pclmulqdq' /proc/cpuinfo | sort -u | tr '\n' ' '))"
			continue;;
		esac
		bf_error "insmod $m failed"
	fi
	LOADED=$(cat /proc/modules)
done < $MODLIST
# the kernel asks /sbin/modprobe for crypto algorithms it lacks: let it
# only find what is in this image (busybox modprobe + the image's modules.dep)
echo /sbin/modprobe > /proc/sys/kernel/modprobe 2>/dev/null

# --- swiotlb bounce histogram -------------------------------------------
# bf.bounce_hist=0 leaves it off: the trigger runs on every bounce (about 8 %
# of a cvm guest's TLS receive instructions), so boots that count guest
# instructions under -icount turn it off and bounced bytes read 0 there.
TR=/sys/kernel/tracing
HIST=$TR/events/swiotlb/swiotlb_bounced
if [ "${BF_BOUNCE_HIST:-1}" = 0 ]; then
	echo "bf-init: swiotlb bounce histogram off (bf.bounce_hist=0)"
elif [ -d "$HIST" ]; then
	echo 'hist:keys=dev_name:vals=hitcount,size' > "$HIST/trigger" ||
		echo "bf-init: warning: swiotlb_bounced hist trigger refused"
else
	echo "bf-init: warning: no $HIST (tracefs missing?)"
fi

# hist_sum FIELD [DEV]: sum of FIELD (hitcount|size) over the hist entries
hist_sum() { /bin/bf-snap hist "$1" "${2:-}"; }

# --- network ------------------------------------------------------------
# No IPv6 (no router solicitations, DAD or MLD in the packet counts).
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
ip link set lo up || bf_error "ip link set lo up failed"
# wait (bounded) for eth0 only when there is a virtio-net PCI function
has_vnet=0
for d in /sys/bus/pci/devices/*; do
	read -r ven < "$d/vendor" 2>/dev/null || continue
	read -r dev < "$d/device" 2>/dev/null || continue
	[ "$ven" = 0x1af4 ] || continue
	case $dev in 0x1000|0x1041) has_vnet=1;; esac
done
i=0
while [ $has_vnet = 1 ] && [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
ETH0_DEV=
if [ -e /sys/class/net/eth0 ]; then
	ETH0_DEV=$(basename "$(readlink -f /sys/class/net/eth0/device/..)")
	echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6 2>/dev/null
	if [ -n "${BF_MTU:-}" ]; then
		ip link set eth0 mtu "$BF_MTU" || bf_error "ip link set eth0 mtu $BF_MTU failed"
	fi
	if [ -n "${BF_IP:-}" ]; then
		ip addr add "$BF_IP" dev eth0 || bf_error "ip addr add $BF_IP dev eth0 failed"
	fi
	ip link set eth0 up || bf_error "ip link set eth0 up failed"
	if [ -n "${BF_PEER:-}" ] && [ -n "${BF_PEERMAC:-}" ]; then
		ip neigh replace "$BF_PEER" lladdr "$BF_PEERMAC" dev eth0 nud permanent ||
			bf_error "ip neigh replace $BF_PEER lladdr $BF_PEERMAC failed"
	fi
	if [ -n "${BF_GW:-}" ]; then
		ip route add default via "$BF_GW" dev eth0 || bf_error "ip route add default via $BF_GW failed"
	fi
elif [ -n "${BF_IP:-}" ]; then
	bf_error "no eth0 (virtio-net device missing or virtio_net did not bind)"
fi
export ETH0_DEV

# --- swiotlb pool range (printed at boot with swiotlb=force) -------------
sw=$(dmesg | grep -m1 'software IO TLB: mapped' |
	sed -n 's/.*\[mem \(0x[0-9a-fA-F]*\)-\(0x[0-9a-fA-F]*\)\].*/\1 \2/p')
if [ -n "$sw" ]; then
	export BF_SWIOTLB_START=${sw% *} BF_SWIOTLB_END=${sw#* }
	echo "BF-SWIOTLB $sw"
fi

stat_net() { cat "/sys/class/net/eth0/statistics/$1" 2>/dev/null || echo 0; }
snap_rx_p=$(stat_net rx_packets); snap_rx_b=$(stat_net rx_bytes)
snap_tx_p=$(stat_net tx_packets); snap_tx_b=$(stat_net tx_bytes)
snap_bb=$(hist_sum size); snap_bc=$(hist_sum hitcount)
snap_up=$(cut -d' ' -f1 /proc/uptime)

# --- the test script ----------------------------------------------------
rc=0
if [ -f /bf/run.sh ]; then
	dmesg -n 1   # keep kernel messages off the console during the run
	echo "BF-READY uptime=$snap_up"
	echo "BF-BEGIN"
	(cd /bf && exec /bin/bash /bf/run.sh </dev/null 2>&1)
	rc=$?
	echo "BF-END rc=$rc"
else
	echo "BF-READY uptime=$snap_up"
	echo "bf-init: no /bf/run.sh"
fi
end_up=$(cut -d' ' -f1 /proc/uptime)

# --- statistics: "key value" lines ---------------------------------------
echo "BF-STATS-BEGIN"
echo "guest_kernel $(uname -r)"
echo "boot_uptime_s $snap_up"
echo "end_uptime_s $end_up"
for s in rx_packets rx_bytes tx_packets tx_bytes rx_dropped tx_dropped rx_errors tx_errors; do
	echo "eth0_$s $(stat_net $s)"
done
echo "eth0_run_rx_packets $(( $(stat_net rx_packets) - snap_rx_p ))"
echo "eth0_run_rx_bytes $(( $(stat_net rx_bytes) - snap_rx_b ))"
echo "eth0_run_tx_packets $(( $(stat_net tx_packets) - snap_tx_p ))"
echo "eth0_run_tx_bytes $(( $(stat_net tx_bytes) - snap_tx_b ))"
echo "eth0_mtu $(cat /sys/class/net/eth0/mtu 2>/dev/null || echo 0)"
echo "eth0_dev ${ETH0_DEV:-none}"
if [ -r /proc/net/tls_stat ]; then
	while read -r k v; do
		k=$(echo "$k" | sed 's/\([a-z0-9]\)\([A-Z]\)/\1_\2/g' | tr 'A-Z' 'a-z')
		echo "$k $v"
	done < /proc/net/tls_stat
fi
awk '/^Tcp:/ { if (!h) { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		m["InSegs"] = "in_segs"; m["OutSegs"] = "out_segs"
		m["RetransSegs"] = "retrans_segs"; m["InErrs"] = "in_errs"
		for (i = 2; i <= NF; i++) if (n[i] in m) print "tcp_" m[n[i]], $i }' /proc/net/snmp
if [ -d /sys/kernel/debug/swiotlb ]; then
	for f in /sys/kernel/debug/swiotlb/*; do
		[ -f "$f" ] && echo "swiotlb_$(basename "$f") $(cat "$f" 2>/dev/null | head -n1)"
	done
fi
bb=$(hist_sum size); bc=$(hist_sum hitcount)
echo "swiotlb_bounced_bytes $bb"
echo "swiotlb_bounced_count $bc"
echo "swiotlb_run_bounced_bytes $((bb - snap_bb))"
echo "swiotlb_run_bounced_count $((bc - snap_bc))"
if [ -n "$ETH0_DEV" ]; then
	echo "swiotlb_eth0_bounced_bytes $(hist_sum size "$ETH0_DEV")"
	echo "swiotlb_eth0_bounced_count $(hist_sum hitcount "$ETH0_DEV")"
fi
[ -n "$sw" ] && echo "swiotlb_range $sw"
# Bifrost's guest module counters (bf.zced_ports): zced_NAME VALUE
if [ -d /sys/kernel/bifrost_zced ]; then
	for f in /sys/kernel/bifrost_zced/*; do
		[ -f "$f" ] && echo "zced_$(basename "$f") $(cat "$f" 2>/dev/null)"
	done
fi
# the gcm(aes) implementation kTLS gets (highest priority, not internal),
# and whether the CPU offers AES-NI and PCLMULQDQ
echo "gcm_aes_driver $(awk -F' *: *' '$1 == "name" { n = $2 } $1 == "driver" { d = $2 }
	$1 == "priority" { p = $2 } $1 == "internal" && $2 == "yes" { n = "" }
	$1 == "" && n == "gcm(aes)" && p + 0 > best { best = p + 0; bd = d } $1 == "" { n = "" }
	END { print (bd == "" ? "none-instantiated" : bd) }' /proc/crypto)"
echo "cpu_aesni $(grep -q -w aes /proc/cpuinfo && grep -q -w pclmulqdq /proc/cpuinfo && echo 1 || echo 0)"
echo "irq_virtio_lines $(grep -c virtio /proc/interrupts)"
echo "irq_virtio_count $(awk '/virtio/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' /proc/interrupts)"
if [ -r "$HIST/hist" ]; then
	grep '^{ dev_name:' "$HIST/hist" | sed 's/^/# hist /'
fi
echo "BF-STATS-END"
# bf.kallsyms=1 (launch.sh --kallsyms): the kernel's text symbols, modules'
# included, for the instruction profile (eval/insn_profile.py)
if [ "${BF_KALLSYMS:-0}" = 1 ]; then
	echo "BF-KALLSYMS-BEGIN"
	awk '$2 ~ /^[tT]$/ { print $1, $3, $4 }' /proc/kallsyms | gzip -1 | base64
	echo "BF-KALLSYMS-END"
fi
off
