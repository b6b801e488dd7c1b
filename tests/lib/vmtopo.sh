# Wire -> XDP -> AF_XDP -> bifrost-host -> vhost-user -> QEMU guest (sourced
# after harness.sh). The "wire" peer is namespace ${P}-snd (10.$NET.0.1), the
# guest is 10.$NET.0.2 with MAC VM_GUEST_MAC. Guest traffic tools are added to
# the guest at launch (vm/launch.sh --add).

# The guest kernel line: launch.sh boots its image and modules (bf_guest_line).
bf_guest_line

VM_GUEST_MAC=52:54:00:bf:90:02
VM_MEM=${VM_MEM:-1024}
# VM_ZCED_MB=MB: the guest gets a ZCED NUMA node of MB (launch.sh --zced-mb);
# VM_ZCED=PORTS: and runs Bifrost's guest modules with ZCED for PORTS.
# VM_ZCED_OTTR=0 (with VM_ZCED): their AES-GCM is the kernel's own, not
# OTTR's single-pass AEAD (mode bifrost-no-ottr; launch.sh --zced-ottr 0).
VM_ZCED_MB=${VM_ZCED_MB:-0}
VM_ZCED=${VM_ZCED:-}
VM_ZCED_OTTR=${VM_ZCED_OTTR:-1}
# VM_SWIOTLB_MB=MB: a cvm guest's bounce pool of MB MiB (launch.sh --swiotlb-mb)
VM_SWIOTLB_MB=${VM_SWIOTLB_MB:-}

# Guest-physical range of the guest's swiotlb pool, from a probe boot in cvm
# mode (deterministic for one kernel, memory layout and command line); cached.
vm_swiotlb_range() {
	local img=$BUILD/vm/$LINE
	local cache=$img/swiotlb-range-$VM_MEM out zargs=()
	[ "$VM_ZCED_MB" = 0 ] || { cache=$cache-zced$VM_ZCED_MB; zargs=(--zced-mb $VM_ZCED_MB); }
	[ -z "$VM_SWIOTLB_MB" ] || { cache=$cache-swiotlb$VM_SWIOTLB_MB; zargs+=(--swiotlb-mb $VM_SWIOTLB_MB); }
	if [ ! -s "$cache" ] || [ "$cache" -ot "$img/vmlinuz" ] ||
	   [ "$cache" -ot "$img/initramfs.cpio.gz" ]; then
		echo true > "$BF_TMP/probe.sh"
		out=$(vm/launch.sh --mode cvm --net none --mem $VM_MEM "${zargs[@]}" --timeout 120 \
			--script "$BF_TMP/probe.sh" 2>/dev/null | awk '/^swiotlb-range/ {print $2 "-" $3}')
		[ -n "$out" ] || return 1
		echo "$out" > "$cache"
	fi
	cat "$cache"
}

# vm_up P NET MODE(vm|cvm) PRPR(on|off) [BACKEND_CVM_RANGES]
vm_up() {
	local p=$1 net=$2 mode=$3 prpr=$4
	bf_net_check "$net" || return 1
	VM_P=$p; VM_SND=$p-snd; VM_WIRE=${p}0; VM_PEER=${p}1
	VM_SND_IP=10.$net.0.1; VM_IP=10.$net.0.2; VM_MODE=$mode
	VM_SOCK=$BF_TMP/$p.sock
	VM_CVM_RANGES=${5:-}
	if [ "$mode" = cvm ] && [ -z "$VM_CVM_RANGES" ]; then
		VM_CVM_RANGES=$(vm_swiotlb_range) || { echo "no swiotlb range"; return 1; }
	fi
	vm_wire || return 1
	echo "guest vm1 mac $VM_GUEST_MAC queues 1 prpr $prpr" > "$BF_TMP/vm.conf"
	bf_attach $VM_WIRE --config "$BF_TMP/vm.conf" >/dev/null || return 1
	vm_backend_start
}

# vm_wire: the wire namespace $VM_SND ($VM_SND_IP on $VM_PEER) and the veth
# $VM_WIRE in the root namespace, the guest's MAC a permanent neighbour there;
# sets VM_PEER_MAC. vm_up and the peer backends (peers.sh) share it.
vm_wire() {
	bf_forget_pins $VM_WIRE
	bf_ns $VM_SND
	bf_veth $VM_WIRE $VM_PEER $VM_SND
	bf_wire_up $VM_WIRE $VM_PEER $VM_SND $VM_SND_IP
	ip -n $VM_SND neigh replace $VM_IP lladdr $VM_GUEST_MAC dev $VM_PEER nud permanent
	VM_PEER_MAC=$(ip -n $VM_SND -j link show $VM_PEER | jq -r '.[0].address')
	[ -n "$VM_PEER_MAC" ]
}

# vm_down: undoes vm_up (backend, XDP attachment, veth, wire namespace), so
# that a test can bring up another topology after it.
vm_down() {
	vm_backend_stop
	$BFCTL detach $VM_WIRE >/dev/null 2>&1
	ip link del $VM_WIRE 2>/dev/null
	ip netns del $VM_SND 2>/dev/null
	return 0
}

# vm_backend_start: bifrost-host for the guest (VM_HOST_BIN: another build of
# it, e.g. the test-only bifrost-host-adversary) with VM_BACKEND_ARGS.
vm_backend_start() {
	local cvm=()
	[ -n "$VM_CVM_RANGES" ] && cvm=(--cvm "$VM_CVM_RANGES")
	[ "${VM_BACKEND_CVM_EMPTY:-}" = 1 ] && cvm=(--cvm)
	rm -f $VM_SOCK	# a SIGKILLed backend leaves its socket behind
	local n0
	n0=$(cat "$BF_TMP/backend.log" 2>/dev/null | wc -l)
	# shellcheck disable=SC2086
	${VM_HOST_BIN:-$BUILD/bifrost-host} --iface $VM_WIRE --guest vm1 --vhost-user $VM_SOCK "${cvm[@]}" \
		${VM_BACKEND_ARGS:-} >> "$BF_TMP/backend.log" 2>&1 &
	VM_BACKEND=$!
	BF_PIDS+=($VM_BACKEND)
	# its own "serving" line (the log is appended to), or its exit
	wait_for vm_backend_up $n0 || ! kill -0 $VM_BACKEND 2>/dev/null
	if ! kill -0 $VM_BACKEND 2>/dev/null; then
		echo "bifrost-host did not start: $(tail -n +$((n0 + 1)) "$BF_TMP/backend.log" | tail -3)" >&2
		return 1
	fi
}

# vm_backend_up N: the backend printed "serving" after line N of its log,
# or has exited.
vm_backend_up() {
	tail -n +$(($1 + 1)) "$BF_TMP/backend.log" | grep -q serving || ! kill -0 $VM_BACKEND 2>/dev/null
}

vm_backend_stop() {
	kill -${1:-TERM} $VM_BACKEND 2>/dev/null
	wait $VM_BACKEND 2>/dev/null
}

# vm_launch SCRIPT [launch.sh options...]: boots the guest in the background;
# VM_PID is the launcher, its output goes to $BF_TMP/vm.out, and
# $BF_TMP/vm.ready appears when the guest is about to run SCRIPT.
# How the guest attaches: VM_NET (launch.sh --net; default bifrost-host's
# vhost-user:$VM_SOCK with --reconnect 1; VM_VHOST_SERVER=1: QEMU listens,
# launch.sh --vhost-server) and VM_DEV_OPTS (launch.sh --dev-opts; peers
# without offloads turn the virtio ones off). eval/peers.sh sets them.
vm_launch() {
	local script=$1; shift
	local mode_args=(--mode $VM_MODE) net_args=(--net "${VM_NET:-vhost-user:$VM_SOCK}")
	[ "$VM_ZCED_MB" = 0 ] || mode_args+=(--zced-mb $VM_ZCED_MB)
	[ -z "$VM_ZCED" ] || mode_args+=(--zced "$VM_ZCED" --zced-ottr "$VM_ZCED_OTTR")
	[ -z "$VM_SWIOTLB_MB" ] || [ "$VM_MODE" != cvm ] || mode_args+=(--swiotlb-mb "$VM_SWIOTLB_MB")
	if [ "${VM_VHOST_SERVER:-0}" = 1 ]; then
		net_args+=(--vhost-server)	# the backend is the vhost-user client
	elif [[ ${net_args[1]} == vhost-user:* ]]; then
		net_args+=(--reconnect 1)
	fi
	[ -z "${VM_DEV_OPTS:-}" ] || net_args+=(--dev-opts "$VM_DEV_OPTS")
	rm -f "$BF_TMP/vm.ready"
	vm/launch.sh "${mode_args[@]}" "${net_args[@]}" \
		--mac $VM_GUEST_MAC --ip $VM_IP/24 --peer $VM_SND_IP --peermac $VM_PEER_MAC \
		--mem $VM_MEM --script "$script" --add $BUILD/tools/bf_tls --add $BUILD/tools/bf_stream \
		--ready-file "$BF_TMP/vm.ready" --log "$BF_TMP/console.log" --timeout ${VM_TIMEOUT:-300} \
		"$@" > "$BF_TMP/vm.out" 2>&1 &
	VM_PID=$!
	BF_PIDS+=($VM_PID)
}

# vm_wait: waits for the guest to power off; returns the launcher's code.
vm_wait() {
	wait $VM_PID
}

# vm_wait_console PATTERN SECONDS: until the guest's console (the log of
# vm_launch) shows PATTERN; bounded, and gives up early when the guest is gone
vm_wait_console() {
	local i
	for i in $(seq $(( $2 * 5 ))); do
		grep -q "$1" "$BF_TMP/console.log" 2>/dev/null && return 0
		kill -0 $VM_PID 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# vm_tell_guest TAG PORT: sends TAG to the guest's TCP PORT from the wire
# namespace (a guest script waiting in `nc -l -p PORT` for the wire side to
# finish a phase); a few tries, bounded
vm_tell_guest() {
	local i
	for i in $(seq 25); do
		ip netns exec $VM_SND timeout 5 bash -c "echo $1 > /dev/tcp/$VM_IP/$2" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# vm_stat KEY: a value from the guest's stats block.
vm_stat() {
	awk -v k="$1" '$1 == k {print $2; exit}' "$BF_TMP/vm.out"
}

# vm_out: the guest script's output (the launcher prints it first, then
# the BF-STATS block).
vm_out() {
	sed '/^BF-STATS-BEGIN$/,$d' "$BF_TMP/vm.out"
}

# vm_traffic_check LABEL MB_TCP MB_TLS: boots the guest (vm_up done) and moves
# MB_TCP MiB of TCP and MB_TLS MiB of TLS 1.2 (kTLS in the guest) each way,
# checking every stream byte-exact on the receiving side. Guest snapshots
# (vm_snap_field): start, tls0 (before TLS in), tls1 (between TLS in and
# out), end. VM_TRAFFIC_TAIL: more guest commands, run after the traffic.
# VM_LAUNCHER: what boots the guest (default vm_launch; t_libvirt: lv_launch).
vm_traffic_check() {
	local label=$1 tcp=$(( $2 << 20 )) tls=$(( $3 << 20 )) s=$BF_TMP
	cat > $s/run.sh <<EOS
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
ping -c 3 -W 5 $VM_SND_IP >/dev/null && echo "ping ok" || echo "ping failed"
bf-snap start
/bf/bf_stream recv 5001 $tcp 31 | grep -v listening | sed 's/^/tcp-in /'
/bf/bf_stream send $VM_SND_IP 5002 $tcp 32 | sed 's/^/tcp-out /'
bf-snap tls0
/bf/bf_tls server 443 recv $tls 33 | grep -v listening | sed 's/^/tls-in /'
bf-snap tls1
/bf/bf_tls client $VM_SND_IP 8443 send $tls 34 | sed 's/^/tls-out /'
bf-snap end
${VM_TRAFFIC_TAIL:-}
EOS
	# host side: receivers first, senders once the guest is up
	ip netns exec $VM_SND timeout 400 $BUILD/tools/bf_stream recv 5002 $tcp 32 > $s/h-tcp.out 2>&1 &
	local p1=$!
	ip netns exec $VM_SND timeout 400 $BUILD/tools/bf_tls server 8443 recv $tls 34 > $s/h-tls.out 2>&1 &
	local p2=$!
	${VM_LAUNCHER:-vm_launch} $s/run.sh || { kill $p1 $p2; fail "$label: guest launch"; return 1; }
	wait_for test -e $s/vm.ready || wait_for test -e $s/vm.ready
	ip netns exec $VM_SND timeout 300 $BUILD/tools/bf_stream send $VM_IP 5001 $tcp 31 >/dev/null 2>&1
	ip netns exec $VM_SND timeout 300 $BUILD/tools/bf_tls client $VM_IP 443 send $tls 33 >/dev/null 2>&1
	wait $p1 $p2
	vm_wait
	check_eq "$label: launcher exit code" "$?" 0
	echo "INFO: $label: guest kernel $(vm_stat guest_kernel) (line $LINE)"
	check_eq "$label: guest pings the wire peer" "$(vm_out | grep -c '^ping ok')" 1
	check_eq "$label: TCP wire->guest byte-exact" "$(vm_out | sed -n 's/^tcp-in //p')" "ok $tcp bytes"
	check_eq "$label: TCP guest->wire byte-exact" "$(grep -v listening $s/h-tcp.out)" "ok $tcp bytes"
	check_eq "$label: TLS wire->guest byte-exact, kTLS rx+tx" \
		"$(vm_out | sed -n 's/^tls-in //p' | cut -d' ' -f1-7)" "ok $tls bytes ktls_tx 1 ktls_rx 1"
	check_eq "$label: TLS guest->wire byte-exact" \
		"$(grep -v listening $s/h-tls.out | awk '{print $1, $2, $3}')" "ok $tls bytes"
	check_eq "$label: guest used kTLS to send" "$(vm_out | sed -n 's/^tls-out ok .* ktls_tx \([01]\).*/\1/p')" 1
}

# vm_snap_field LABEL FIELD: a counter from the guest's "bf-snap LABEL" line.
vm_snap_field() {
	vm_out | awk -v l="$1" -v f="$2" '$1 == "snap" && $2 == l {
		for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }'
}

# --- pieces of guest scripts (print guest-side shell for a vm_launch script) --

# vm_guest_listening TRIES: prints the guest function `listening PORT`, a
# wait of at most TRIES tenths of a second for a listening TCP socket
vm_guest_listening() {
	cat <<EOS
# listening PORT: bounded wait for a listening TCP socket
listening() {
	local i
	for i in \$(seq $1); do
		ss -ltn 2>/dev/null | grep -q ":\$1 " && return 0
		sleep 0.1
	done
	return 1
}
EOS
}

# vm_guest_nginx_conf LOG_LEVEL KEEPALIVE_REQUESTS: prints guest shell that
# writes /tmp/ngx/nginx.conf: Debian's nginx in the foreground, one worker,
# HTTPS on 443 (TLS 1.2 and 1.3, OpenSSL kTLS, sendfile) from /tmp/ngx/www
# with the image's test certificate; logs and temp files under /tmp/ngx
vm_guest_nginx_conf() {
	cat <<EOS
cat > /tmp/ngx/nginx.conf <<'E'
daemon off;
master_process off;
user root root;
worker_processes 1;
pid /tmp/ngx/nginx.pid;
error_log /tmp/ngx/error.log $1;
events { worker_connections 64; }
http {
	access_log /tmp/ngx/access.log;
	default_type application/octet-stream;
	sendfile on;
	keepalive_requests $2;
	client_body_temp_path /tmp/ngx/tmp/body;
	proxy_temp_path /tmp/ngx/tmp/proxy;
	fastcgi_temp_path /tmp/ngx/tmp/fastcgi;
	uwsgi_temp_path /tmp/ngx/tmp/uwsgi;
	scgi_temp_path /tmp/ngx/tmp/scgi;
	server {
		listen 443 ssl;
		ssl_certificate /etc/ssl/bf/cert.pem;
		ssl_certificate_key /etc/ssl/bf/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_conf_command Options KTLS;
		root /tmp/ngx/www;
	}
}
E
EOS
}
