# Peer backends: the same guest and wire as tests/lib/vmtopo.sh, but served by
# another I/O backend than bifrost-host, for side-by-side rows (make eval,
# make demo). Sourced after harness.sh and vmtopo.sh.
#   peer_check KIND                  0 if KIND can run here; else one line why, 1
#   peer_up KIND P NET GUEST_MODE    wire namespace ${P}-snd (10.NET.0.1), the
#                                    backend, and the VM_* variables of vm_launch
#   peer_down                        removes all that peer_up made
# KIND:
#   vhostnet  tap + the host kernel's vhost-net (QEMU vhost=on), the tap and the
#             wire veth in a Linux bridge in the root namespace, GRO on the wire
#             veth (merged packets reach the guest as GSO), guest offloads on
#   tap       the same bridge and tap, QEMU's own virtio-net (vhost=off): the
#             kernel path where the host kernel has no vhost-net
#   testpmd   DPDK testpmd io-forwarding, vhost PMD <-> af_xdp PMD on the wire veth
#   ovsdpdk   Open vSwitch with DPDK (private ovsdb-server/ovs-vswitchd), a
#             dpdkvhostuserclient port and an af_xdp PMD port, two flows
# Packages: deps/bench.sh (make deps-bench).

# The DPDK peers' af_xdp ports have no checksum or TSO offload: the guest's
# virtio offloads are off.
PEER_DPDK_DEV_OPTS=csum=off,guest_csum=off,host_tso4=off,host_tso6=off,guest_tso4=off,guest_tso6=off
PEER_OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
PEER_OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
PEER_KIND=
PEER_PIDS=()
PEER_CMD_FD=	# testpmd: its command FIFO, open for writing

# peer_check KIND
peer_check() {
	case $1 in
	vhostnet)
		[ -c /dev/vhost-net ] || modprobe vhost_net 2>/dev/null
		[ -c /dev/vhost-net ] && return 0
		if zcat /proc/config.gz 2>/dev/null | grep -qx '# CONFIG_VHOST_NET is not set'; then
			echo "no /dev/vhost-net: this host kernel ($(uname -r)) is built without CONFIG_VHOST_NET$(
				zcat /proc/config.gz | grep -qx '# CONFIG_MODULES is not set' &&
				echo " and without module support")"
		else
			echo "no /dev/vhost-net and 'modprobe vhost_net' failed on kernel $(uname -r)"
		fi
		return 1;;
	tap)
		[ -c /dev/net/tun ] && return 0
		echo "no /dev/net/tun"; return 1;;
	testpmd)
		peer_dpdk_check dpdk-testpmd;;
	ovsdpdk)
		local b
		for b in ovsdb-server ovsdb-tool ovs-vsctl ovs-ofctl; do
			command -v $b >/dev/null || { echo "no $b: run 'make deps-bench' (openvswitch-switch-dpdk)"; return 1; }
		done
		[ -x $PEER_OVS_VSWITCHD ] ||
			{ echo "no $PEER_OVS_VSWITCHD: run 'make deps-bench' (openvswitch-switch-dpdk)"; return 1; }
		peer_dpdk_check $PEER_OVS_VSWITCHD;;
	*) echo "unknown peer kind '$1' (vhostnet, tap, testpmd, ovsdpdk)"; return 1;;
	esac
}

# peer_dpdk_check BINARY: the binary and the PMDs DPDK loads at run time
peer_dpdk_check() {
	command -v "$1" >/dev/null ||
		{ echo "no $1: run 'make deps-bench' (Debian's dpdk-dev has dpdk-testpmd)"; return 1; }
	local d=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0 m
	for m in net_vhost:librte-net-vhost23 net_af_xdp:librte-net-af-xdp23 mempool_ring:librte-mempool-ring23; do
		ls $d/librte_${m%%:*}.so* >/dev/null 2>&1 ||
			{ echo "no DPDK ${m%%:*} PMD in $d: run 'make deps-bench' (${m#*:})"; return 1; }
	done
}

# peer_up KIND P NET GUEST_MODE(vm|cvm)
peer_up() {
	local kind=$1 p=$2 net=$3 why
	bf_net_check "$net" || return 1
	why=$(peer_check "$kind") || { echo "peer $kind cannot run here: $why"; return 1; }
	PEER_KIND=$kind PEER_PIDS=() PEER_DIR=$BF_TMP/peer-$p
	rm -rf "$PEER_DIR"; mkdir -p "$PEER_DIR"
	VM_P=$p VM_SND=$p-snd VM_WIRE=${p}0 VM_PEER=${p}1
	VM_SND_IP=10.$net.0.1 VM_IP=10.$net.0.2 VM_MODE=$4
	VM_SOCK=$PEER_DIR/vhost.sock VM_CVM_RANGES=''
	VM_ZCED_MB=0 VM_ZCED='' VM_NET='' VM_DEV_OPTS='' VM_VHOST_SERVER=0
	vm_wire || { echo "peer $kind: wire setup failed"; peer_down; return 1; }
	peer_${kind}_up && return 0
	# the backend's logs stay in $BF_TMP/peer-P.failed for a look
	rm -rf "$PEER_DIR.failed"; cp -a "$PEER_DIR" "$PEER_DIR.failed" 2>/dev/null
	peer_down
	return 1
}

# Linux bridge ${P}br in the root namespace: wire veth + tap ${P}tap.
peer_bridge_up() {
	local br=${VM_P}br tap=${VM_P}tap
	ip link del $br 2>/dev/null; ip link del $tap 2>/dev/null
	ip link add $br type bridge stp_state 0 forward_delay 0 || return 1
	BF_IFS+=("$br")
	sysctl -qw net.ipv6.conf.$br.disable_ipv6=1
	ip tuntap add dev $tap mode tap || return 1
	BF_IFS+=("$tap")
	sysctl -qw net.ipv6.conf.$tap.disable_ipv6=1
	ip link set $tap master $br && ip link set $VM_WIRE master $br || return 1
	# the host's own GRO on the wire port, on by default on a NIC (a veth has
	# it off until asked; with it, veth merges in NAPI as a NIC driver does)
	ethtool -K $VM_WIRE gro on >/dev/null 2>&1 || return 1
	ip link set $tap up && ip link set $br up
}

peer_vhostnet_up() {
	peer_bridge_up || { echo "peer vhostnet: bridge/tap setup failed"; return 1; }
	VM_NET=tap-vhost:${VM_P}tap
}

peer_tap_up() {
	peer_bridge_up || { echo "peer tap: bridge/tap setup failed"; return 1; }
	VM_NET=tap:${VM_P}tap
}

# peer_bg LOG CMD...: starts CMD in the background, records its pid
peer_bg() {
	local log=$1; shift
	"$@" < /dev/null >> "$log" 2>&1 &
	PEER_PIDS+=($!)
	BF_PIDS+=($!)
}

# DPDK testpmd: vhost PMD (server on VM_SOCK) <-> af_xdp PMD on the wire veth,
# io forwarding, no merging, no shared-range checks. Interactive, its
# commands from the FIFO PEER_DIR/testpmd.cmd (held open on PEER_CMD_FD),
# its stdout line-buffered into testpmd.log: peer_poll_begin/peer_poll_busy
# clear and read its forwarding statistics, with the cycles its forwarding
# lcore spent on packets (--record-core-cycles). testpmd's af_xdp port may
# not bind while the kernel still releases an earlier socket on the same
# queue (EBUSY): a few bounded retries.
peer_testpmd_up() {
	local try log=$PEER_DIR/testpmd.log cmd=$PEER_DIR/testpmd.cmd
	VM_DEV_OPTS=$PEER_DPDK_DEV_OPTS
	for try in 1 2 3 4; do
		rm -f "$VM_SOCK" "$cmd"
		mkfifo "$cmd" && exec {PEER_CMD_FD}<>"$cmd" || { echo "peer testpmd: no FIFO $cmd"; return 1; }
		timeout 3600 stdbuf -oL dpdk-testpmd -l 0-1 --no-huge -m 512 --no-pci \
			--file-prefix $VM_P --vdev "net_vhost0,iface=$VM_SOCK,client=0,iommu-support=1" \
			--vdev net_af_xdp0,iface=$VM_WIRE,start_queue=0,queue_count=1 -- \
			-i --forward-mode=io --auto-start --nb-cores=1 --total-num-mbufs=32768 \
			--record-core-cycles < "$cmd" >> "$log" 2>&1 {PEER_CMD_FD}>&- &
		PEER_PIDS+=($!)
		BF_PIDS+=($!)
		if wait_for peer_testpmd_ready; then
			kill -0 ${PEER_PIDS[-1]} 2>/dev/null && return 0
		fi
		peer_kill
		exec {PEER_CMD_FD}>&-
		PEER_CMD_FD=
		sleep $try
	done
	echo "peer testpmd did not start: $(grep -i -m1 'error\|fail\|cannot' "$log")"
	return 1
}

peer_testpmd_ready() {
	grep -q 'Press enter to exit\|Port 1: link state change\|Start automatic packet forwarding\|io packet forwarding' \
		"$PEER_DIR/testpmd.log" && [ -S "$VM_SOCK" ] || ! kill -0 ${PEER_PIDS[-1]} 2>/dev/null
}

# peer_ovs ARGS...: ovs-vsctl on the private database
peer_ovs() { ovs-vsctl --db=unix:$PEER_DIR/run/db.sock --timeout=20 "$@"; }

# Open vSwitch with DPDK, private instance: ovsdb-server and ovs-vswitchd-dpdk
# with their db/run/log dirs under PEER_DIR (nothing of the system's Open
# vSwitch is used or started). DPDK EAL without hugepages (--no-huge); a
# dpdkvhostuserclient port (QEMU is the vhost-user server) and a DPDK port
# on the wire veth through the af_xdp PMD; flows between the two.
peer_ovsdpdk_up() {
	local d=$PEER_DIR br=${VM_P}ovs
	mkdir -p $d/run $d/db $d/log
	export OVS_RUNDIR=$d/run OVS_DBDIR=$d/db OVS_LOGDIR=$d/log OVS_SYSCONFDIR=$d/db
	ovsdb-tool create $d/db/conf.db $PEER_OVS_SCHEMA >> $d/log/setup.log 2>&1 ||
		{ echo "peer ovsdpdk: ovsdb-tool create failed: $(tail -1 $d/log/setup.log)"; return 1; }
	peer_bg $d/log/ovsdb-server.out ovsdb-server $d/db/conf.db --remote=punix:$d/run/db.sock \
		--unixctl=$d/run/ovsdb-server.ctl --pidfile=$d/run/ovsdb-server.pid \
		--log-file=$d/log/ovsdb-server.log
	wait_for test -S $d/run/db.sock ||
		{ echo "peer ovsdpdk: ovsdb-server did not start: $(tail -1 $d/log/ovsdb-server.out)"; return 1; }
	peer_ovs --no-wait -- init -- set Open_vSwitch . other_config:dpdk-init=true \
		"other_config:dpdk-extra=--no-huge --legacy-mem -m 1024 --no-pci --file-prefix $VM_P" \
		other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
		other_config:vhost-iommu-support=true >> $d/log/setup.log 2>&1 ||
		{ echo "peer ovsdpdk: ovs-vsctl init failed: $(tail -1 $d/log/setup.log)"; return 1; }
	peer_bg $d/log/ovs-vswitchd.out $PEER_OVS_VSWITCHD unix:$d/run/db.sock \
		--unixctl=$d/run/ovs-vswitchd.ctl --pidfile=$d/run/ovs-vswitchd.pid \
		--log-file=$d/log/ovs-vswitchd.log
	if ! wait_for peer_ovs_dpdk_ready || ! wait_for peer_ovs_dpdk_ready ||
	   [ "$(peer_ovs get Open_vSwitch . dpdk_initialized 2>/dev/null)" != true ]; then
		echo "peer ovsdpdk: DPDK did not initialize in ovs-vswitchd: $(peer_ovs_err)"
		return 1
	fi
	rm -f "$VM_SOCK"
	VM_VHOST_SERVER=1 VM_DEV_OPTS=$PEER_DPDK_DEV_OPTS
	peer_ovs -- add-br $br -- set bridge $br datapath_type=netdev \
		-- add-port $br vhu -- set Interface vhu type=dpdkvhostuserclient \
			options:vhost-server-path=$VM_SOCK ofport_request=1 \
		-- add-port $br wire -- set Interface wire type=dpdk ofport_request=2 \
			"options:dpdk-devargs=net_af_xdp_$VM_P,iface=$VM_WIRE,start_queue=0,queue_count=1" \
		>> $d/log/setup.log 2>&1 ||
		{ echo "peer ovsdpdk: adding the bridge and ports failed: $(tail -1 $d/log/setup.log)"; return 1; }
	local e
	e=$(peer_ovs get Interface wire error 2>/dev/null)
	[ -z "$e" ] || [ "$e" = '[]' ] ||
		{ echo "peer ovsdpdk: the af_xdp port on $VM_WIRE failed: $e"; return 1; }
	ovs-ofctl -O OpenFlow13 del-flows unix:$d/run/$br.mgmt &&
	ovs-ofctl -O OpenFlow13 add-flow unix:$d/run/$br.mgmt in_port=1,actions=output:2 &&
	ovs-ofctl -O OpenFlow13 add-flow unix:$d/run/$br.mgmt in_port=2,actions=output:1 ||
		{ echo "peer ovsdpdk: installing the flows failed"; return 1; }
}

# ovs-vswitchd has finished its DPDK initialization (or has exited)
peer_ovs_dpdk_ready() {
	[ "$(peer_ovs get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] ||
		! kill -0 ${PEER_PIDS[-1]} 2>/dev/null
}

# the first error ovs-vswitchd logged
peer_ovs_err() {
	grep -h -m1 -i 'EMER\|ERR\|error\|cannot\|fail' $PEER_DIR/log/ovs-vswitchd.log \
		$PEER_DIR/log/ovs-vswitchd.out 2>/dev/null | head -1
}

# peer_poll_begin: a phase starts; a busy-polling peer clears the counters
# of its polling threads' work (testpmd: forwarding statistics; Open
# vSwitch: PMD statistics)
peer_poll_begin() {
	case $PEER_KIND in
	testpmd) echo "clear fwd stats all" >&$PEER_CMD_FD ;;
	ovsdpdk) ovs-appctl -t $PEER_DIR/run/ovs-vswitchd.ctl dpif-netdev/pmd-stats-clear >/dev/null 2>&1 ;;
	esac
}

# peer_poll_busy POLL_NS: the phase is over; of POLL_NS, the CPU time of the
# peer's busy-polling threads over it (eval/host_cpu.py's poll_ns), the
# nanoseconds spent on packets. Nothing for a peer that does not poll, or
# when the peer did not answer.
#   testpmd  the TSC cycles of forwarding iterations that received packets
#            (--record-core-cycles, "total cycles=N ... at M MHz"), at most
#            POLL_NS (the cycles are wall time, the lcore may be preempted)
#   ovsdpdk  POLL_NS times the PMD threads' "processing cycles" share of
#            processing + idle cycles (dpif-netdev/pmd-stats-show)
peer_poll_busy() {
	local log=${PEER_DIR:-}/testpmd.log c0 m0 i
	case $PEER_KIND in
	testpmd)
		[ -f "$log" ] && [ -n "$PEER_CMD_FD" ] || return 0
		c0=$(grep -c 'total cycles=' "$log") m0=$(grep -c 'Number of available ports' "$log")
		# the second command's output marks the end of the first's
		printf 'show fwd stats all\nshow port summary all\n' >&$PEER_CMD_FD
		for ((i = 0; i < 50; i++)); do
			[ "$(grep -c 'Number of available ports' "$log")" -gt "$m0" ] && break
			sleep 0.1
		done
		[ $i -lt 50 ] || return 0
		if [ "$(grep -c 'total cycles=' "$log")" -gt "$c0" ]; then
			grep 'total cycles=' "$log" | tail -n1 | sed -n 's/.*total cycles=\([0-9]*\) .* at \([0-9]*\) MHz.*/\1 \2/p' |
				awk -v p="$1" '$2 > 0 { ns = $1 * 1000 / $2; printf "%.0f\n", ns < p ? ns : p }'
		else
			echo 0	# no packet forwarded
		fi ;;
	ovsdpdk)
		ovs-appctl -t $PEER_DIR/run/ovs-vswitchd.ctl dpif-netdev/pmd-stats-show 2>/dev/null |
			awk -v p="$1" '/^pmd thread/ { pmd = 1; next } /^[^ ]/ { pmd = 0 }
				pmd && $1 == "idle" && $2 == "cycles:" { idle += $3 }
				pmd && $1 == "processing" && $2 == "cycles:" { proc += $3 }
				END { if (idle + proc > 0) printf "%.0f\n", p * proc / (idle + proc) }' ;;
	esac
}

# peer_kill: stops the peer's processes (by pid), newest first
peer_kill() {
	local i
	for ((i = ${#PEER_PIDS[@]} - 1; i >= 0; i--)); do
		kill ${PEER_PIDS[i]} 2>/dev/null
		wait ${PEER_PIDS[i]} 2>/dev/null
	done
	PEER_PIDS=()
}

peer_down() {
	[ "$PEER_KIND" != ovsdpdk ] || peer_ovs --if-exists del-br ${VM_P}ovs >/dev/null 2>&1
	peer_kill
	[ -z "${PEER_CMD_FD:-}" ] || { exec {PEER_CMD_FD}>&-; PEER_CMD_FD=; }
	[ -z "${VM_P:-}" ] || {
		ip link del ${VM_P}tap 2>/dev/null
		ip link del ${VM_P}br 2>/dev/null
		ip link del ${VM_P}ovs 2>/dev/null	# OVS's persistent tap for the bridge port
		ip link del $VM_WIRE 2>/dev/null
		ip netns del $VM_SND 2>/dev/null
		# DPDK's runtime dir of the peer's --file-prefix (it outlives the process)
		rm -rf /var/run/dpdk/$VM_P
		rmdir /var/run/dpdk 2>/dev/null
	}
	[ -z "${PEER_DIR:-}" ] || rm -rf "$PEER_DIR"
	unset OVS_RUNDIR OVS_DBDIR OVS_LOGDIR OVS_SYSCONFDIR
	VM_NET='' VM_DEV_OPTS='' VM_VHOST_SERVER=0 PEER_KIND=''
	return 0
}
