# Wire -> XDP -> AF_XDP -> bifrost-host -> tap -> receiver topology (sourced
# after harness.sh). Names derive from a short prefix P (e.g. "bfe"):
#   ns ${P}-snd: ${P}1 10.$NET.0.1/24  (the "wire" peer; sender)
#   root ns    : ${P}0 with Bifrost's XDP program, bifrost-host on it
#   ns ${P}-rcv: ${P}t tap = guest vm1, 10.$NET.0.2/24 (the "guest" stack)
# Static neighbour entries: guests answer no broadcast ARP through XDP.
# With TOPO_IMPAIR="LOSS_PPM DUP_PPM REORDER_PPM" the wire runs through
# ns ${P}-w, where bf_impair bridges ${P}1w and ${P}0w (no netem here).
# With TOPO_MTU=N the wire veth pair and the guest tap get MTU N.

TOPO_GUEST_MAC=52:54:00:bf:77:01

# topo_up P NET [bifrostctl config options for vm1...]
topo_up() {
	local p=$1 net=$2; shift 2
	bf_net_check "$net" || return 1
	TOPO_P=$p; TOPO_NET=$net
	TOPO_SND=$p-snd; TOPO_RCV=$p-rcv
	TOPO_WIRE=${p}0; TOPO_PEER=${p}1; TOPO_TAP=${p}t
	TOPO_SND_IP=10.$net.0.1; TOPO_RCV_IP=10.$net.0.2
	bf_ns $TOPO_SND
	bf_ns $TOPO_RCV
	if [ -n "${TOPO_IMPAIR:-}" ]; then
		bf_ns $p-w
		bf_veth $TOPO_WIRE ${p}0w $p-w
		bf_veth ${p}1w $TOPO_PEER $TOPO_SND
		ip link set ${p}1w netns $p-w
		ip -n $p-w link set ${p}0w up
		ip -n $p-w link set ${p}1w up
		ip netns exec $p-w $BUILD/tools/bf_impair ${p}1w ${p}0w $TOPO_IMPAIR $RANDOM \
			> "$BF_TMP/impair.log" 2>&1 &
		BF_PIDS+=($!)
		wait_for grep -q ready "$BF_TMP/impair.log" || return 1
	else
		bf_veth $TOPO_WIRE $TOPO_PEER $TOPO_SND
	fi
	if [ -n "${TOPO_MTU:-}" ]; then
		ip link set $TOPO_WIRE mtu $TOPO_MTU
		ip -n $TOPO_SND link set $TOPO_PEER mtu $TOPO_MTU
	fi
	bf_wire_up $TOPO_WIRE $TOPO_PEER $TOPO_SND $TOPO_SND_IP
	echo "guest vm1 mac $TOPO_GUEST_MAC $*" > "$BF_TMP/topo.conf"
	# more guests (config lines) for tests that add ports via TOPO_BACKEND_ARGS
	[ -n "${TOPO_EXTRA_CONF:-}" ] && echo "$TOPO_EXTRA_CONF" >> "$BF_TMP/topo.conf"
	bf_attach $TOPO_WIRE --config "$BF_TMP/topo.conf" >/dev/null || return 1
	topo_backend_start || return 1
	ip -n $TOPO_SND neigh replace $TOPO_RCV_IP lladdr $TOPO_GUEST_MAC dev $TOPO_PEER nud permanent
	ip -n $TOPO_RCV neigh replace $TOPO_SND_IP \
		lladdr "$(ip -n $TOPO_SND -j link show $TOPO_PEER | jq -r '.[0].address')" \
		dev $TOPO_TAP nud permanent
}

# (Re)starts bifrost-host; creates the tap and moves it into the receiver ns.
topo_backend_start() {
	local extra=${TOPO_BACKEND_ARGS:-}
	: > "$BF_TMP/backend.log"	# no "serving" left from the last one
	$BUILD/bifrost-host --iface $TOPO_WIRE --guest vm1 --tap $TOPO_TAP $extra \
		> "$BF_TMP/backend.log" 2>&1 &
	TOPO_BACKEND=$!
	BF_PIDS+=($TOPO_BACKEND)
	wait_for grep -q serving "$BF_TMP/backend.log" || {
		echo "backend failed: $(cat "$BF_TMP/backend.log")"; return 1; }
	ip link set $TOPO_TAP netns $TOPO_RCV
	ip netns exec $TOPO_RCV sysctl -qw net.ipv6.conf.$TOPO_TAP.disable_ipv6=1 2>/dev/null
	[ -n "${TOPO_MTU:-}" ] && ip -n $TOPO_RCV link set $TOPO_TAP mtu $TOPO_MTU
	ip -n $TOPO_RCV addr add $TOPO_RCV_IP/24 dev $TOPO_TAP
	ip -n $TOPO_RCV link set $TOPO_TAP up
}

# Stops bifrost-host (SIGTERM); sets TOPO_BACKEND_CPU_NS from its last line.
# Call it in the current shell (not in $(...)): only the parent can wait.
topo_backend_stop() {
	kill -TERM $TOPO_BACKEND 2>/dev/null
	wait $TOPO_BACKEND 2>/dev/null
	TOPO_BACKEND_CPU_NS=$(awk '/cpu_ns/ {print $5}' "$BF_TMP/backend.log")
}


# topo_transfer DIR BYTES SEED: DIR "in" (wire -> guest) or "out".
# Prints the receiver's verdict line ("ok N bytes" on success).
topo_transfer() {
	local dir=$1 bytes=$2 seed=$3 port=$((5000 + RANDOM % 1000))
	local rns=$TOPO_RCV sns=$TOPO_SND dst=$TOPO_RCV_IP
	if [ "$dir" = out ]; then rns=$TOPO_SND; sns=$TOPO_RCV; dst=$TOPO_SND_IP; fi
	: > "$BF_TMP/recv.out"	# no "listening" left from the last one
	ip netns exec $rns timeout 120 $BUILD/tools/bf_stream recv $port $bytes $seed \
		> "$BF_TMP/recv.out" 2>&1 &
	local rpid=$!
	wait_for grep -q listening "$BF_TMP/recv.out"
	ip netns exec $sns timeout 120 $BUILD/tools/bf_stream send $dst $port $bytes $seed \
		> "$BF_TMP/send.out" 2>&1
	wait $rpid
	grep -v listening "$BF_TMP/recv.out"
}
