# A private libvirtd for the tests, and a guest booted through it from
# examples/libvirt/bifrost-guest.xml (sourced after harness.sh and vmtopo.sh).
# libvirtd runs in libvirt's session mode (qemu:///session) as an unprivileged
# user (LV_USER, default nobody) with all of its directories (config, runtime,
# cache, logs, domain definitions) under LV_DIR: the host's /etc/libvirt,
# /run/libvirt and /var/lib/libvirt are never read or written, no system
# service starts and no libvirt network exists. The guest's QEMU runs as
# LV_USER too, so what it opens (kernel, initrd, vhost-user socket, console
# file) must be open to that user: lv_grant does that.

LV_USER=${LV_USER:-nobody}
LV_TEMPLATE=examples/libvirt/bifrost-guest.xml
LV_NAME=bflv-guest
LV_PID=

# LV_AS: the command prefix that runs a program as LV_USER with the private
# directories (an array, so that "${LV_AS[@]}" PROG & is PROG's own pid).
lv_as_init() {
	LV_AS=(setpriv --reuid="$LV_USER" --regid="$(id -g "$LV_USER")" --clear-groups
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$LV_DIR"
		XDG_CONFIG_HOME="$LV_DIR/config" XDG_CACHE_HOME="$LV_DIR/cache"
		XDG_DATA_HOME="$LV_DIR/data" XDG_STATE_HOME="$LV_DIR/state"
		XDG_RUNTIME_DIR="$LV_DIR/run")
}

# lv_virsh ARGS...: virsh on the private daemon's socket (an explicit socket:
# virsh never spawns a daemon of its own).
lv_virsh() {
	"${LV_AS[@]}" virsh -q -c "qemu+unix:///session?socket=$LV_DIR/run/libvirt/libvirt-sock" "$@"
}

# lv_grant PATH: LV_USER may reach PATH (search permission on the parent
# directories up to /tmp/X; they stay closed to reading) and owns PATH.
lv_grant() {
	local d
	chown "$LV_USER" "$1"
	d=$(dirname "$1")
	while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=$(dirname "$d"); done
}

# lv_start DIR: starts libvirtd (LV_PID) with its directories under DIR; ready
# once it answers. stdio_handler "file": QEMU's own log is a plain file, so no
# virtlogd is spawned (it would linger after the test).
lv_start() {
	LV_DIR=$1
	mkdir -p "$LV_DIR"/config/libvirt "$LV_DIR"/run "$LV_DIR"/cache "$LV_DIR"/data "$LV_DIR"/state
	echo 'stdio_handler = "file"' > "$LV_DIR/config/libvirt/qemu.conf"
	chmod 700 "$LV_DIR/run"
	chown -R "$LV_USER" "$LV_DIR"
	lv_grant "$LV_DIR"
	lv_as_init
	"${LV_AS[@]}" libvirtd > "$LV_DIR/libvirtd.log" 2>&1 &
	LV_PID=$!
	wait_for lv_virsh version >/dev/null 2>&1 && return 0
	echo "libvirtd did not answer: $(tail -n 3 "$LV_DIR/libvirtd.log")" >&2
	return 1
}

# lv_stop: destroys and undefines every domain left (a failed test), then
# stops libvirtd. A guest's QEMU outlives libvirtd, so it goes first.
lv_stop() {
	local d
	[ -n "$LV_PID" ] || return 0
	for d in $(lv_virsh list --all --name 2>/dev/null); do
		lv_virsh destroy "$d" >/dev/null 2>&1
		lv_virsh undefine "$d" >/dev/null 2>&1
	done
	kill -TERM "$LV_PID" 2>/dev/null
	wait "$LV_PID" 2>/dev/null
	LV_PID=
}

# lv_domain_xml KERNEL INITRD CMDLINE: the template filled in for the test
# guest (vmtopo's VM_* settings); the template's own command line words
# (console, swiotlb) are dropped from CMDLINE.
lv_domain_xml() {
	local args w
	args=$(for w in $3; do
		case $w in console=ttyS0|swiotlb=force|iommu=soft) ;; *) printf '%s ' "$w";; esac
	done)
	sed -e "s|@NAME@|$LV_NAME|" -e "s|@TOTAL_MIB@|$((VM_MEM + VM_ZCED_MB))|" \
		-e "s|@RAM_MIB@|$VM_MEM|" -e "s|@ZCED_MIB@|$VM_ZCED_MB|" \
		-e "s|@KERNEL@|$1|" -e "s|@INITRD@|$2|" -e "s|@CMDLINE@|${args% }|" \
		-e "s|@MAC@|$VM_GUEST_MAC|" -e "s|@SOCKET@|$VM_SOCK|" \
		-e "s|@CONSOLE_LOG@|$LV_DIR/console.log|" "$LV_TEMPLATE"
}

# lv_launch SCRIPT: vm_launch's counterpart (VM_LAUNCHER=lv_launch for
# vm_traffic_check): the initrd from launch.sh --prepare, the domain defined
# and started through libvirt, then a watcher in the background (VM_PID)
# that writes $BF_TMP/vm.ready at BF-READY and $BF_TMP/vm.out once the guest
# has shut off, and exits with the script's code (124: still running at
# VM_TIMEOUT, destroyed; 125: no BF-END).
lv_launch() {
	local script=$1 img=$LV_DIR/img k i c
	local zargs=()
	[ "$VM_ZCED" = "" ] || zargs=(--zced "$VM_ZCED")
	mkdir -p "$img"
	vm/launch.sh --prepare "$img" --mode "$VM_MODE" --zced-mb "$VM_ZCED_MB" "${zargs[@]}" \
		--mac "$VM_GUEST_MAC" --ip "$VM_IP/24" --peer "$VM_SND_IP" --peermac "$VM_PEER_MAC" \
		--mem "$VM_MEM" --script "$script" --add "$BUILD/tools/bf_tls" --add "$BUILD/tools/bf_stream" \
		> "$img/prepared" || return 1
	k=$(sed -n 's/^kernel //p' "$img/prepared")
	i=$(sed -n 's/^initrd //p' "$img/prepared")
	c=$(sed -n 's/^cmdline //p' "$img/prepared")
	chmod -R o+rX "$img"
	lv_domain_xml "$k" "$i" "$c" > "$LV_DIR/guest.xml"
	: > "$LV_DIR/console.log"
	lv_grant "$LV_DIR/console.log"
	rm -f "$BF_TMP/vm.ready"
	lv_virsh define "$LV_DIR/guest.xml" >/dev/null && lv_virsh start "$LV_NAME" >/dev/null || return 1
	lv_watch "${VM_TIMEOUT:-300}" > "$BF_TMP/vm.out" 2>&1 &
	VM_PID=$!
	BF_PIDS+=($VM_PID)
}

# lv_state: the domain's state ("running", "shut off", ...).
lv_state() {
	lv_virsh domstate "$LV_NAME" 2>/dev/null | head -n 1
}

# lv_watch TIMEOUT: see lv_launch.
lv_watch() {
	local log=$LV_DIR/console.log end=$(( $(date +%s) + $1 )) rc
	while [ "$(lv_state)" != "shut off" ]; do
		if [ ! -e "$BF_TMP/vm.ready" ] && grep -q '^BF-READY' "$log"; then
			touch "$BF_TMP/vm.ready"
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "lv_watch: still $(lv_state) after $1 s: destroying it" >&2
			lv_virsh destroy "$LV_NAME" >/dev/null
			return 124
		fi
		sleep 0.2
	done
	tr -d '\r' < "$log" | sed -n '/^BF-BEGIN$/,/^BF-END rc=/{/^BF-BEGIN$/d;/^BF-END rc=/d;p}'
	tr -d '\r' < "$log" | sed -n '/^BF-STATS-BEGIN$/,/^BF-STATS-END$/p'
	rc=$(tr -d '\r' < "$log" | sed -n 's/^BF-END rc=\([0-9]*\)$/\1/p' | tail -n 1)
	[ -n "$rc" ] || { echo "lv_watch: the guest ended without BF-END" >&2; tail -n 20 "$log" >&2; return 125; }
	return "$rc"
}
