#!/bin/bash
# End-to-end check of the guest image and launcher over a tap device:
# namespace bfvm-h holds tap bfvmt0 (10.9.0.1/24, its subnet in tests/lib/subnets.txt) and the host peers
# (iperf3 -s, openssl s_server x2); QEMU runs inside that namespace too (a tap
# must be in QEMU's namespace). The guest (10.9.0.2) pings, runs iperf3 both
# ways, downloads and uploads 4 MiB over TLS 1.2 with kTLS. Runs in vm and cvm
# mode; checks that cvm bounces (swiotlb) and vm does not.
# Usage: tests/vm/selftest.sh [--icount]   (root; prints PASS:/FAIL: lines)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ICOUNT=0
[ "${1:-}" = --icount ] && ICOUNT=1
[ "$(id -u)" = 0 ] || { echo "FAIL: vm-selftest: needs root"; exit 1; }

. "$ROOT/tests/lib/subnets.sh"
SUBNET=$(bf_subnet) || { echo "FAIL: vm-selftest: no subnet"; exit 1; }
NSN=bfvm-h TAP=bfvmt0 HIP=$SUBNET.0.1 GIP=$SUBNET.0.2
NS=(ip netns exec "$NSN")
T=$(mktemp -d /tmp/bfvm-selftest.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null || true; done
	ip netns del $NSN 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
NPASS=0 NFAIL=0
pass() { echo "PASS: $1"; NPASS=$((NPASS + 1)); }
fail() { echo "FAIL: $1: ${2:-}"; NFAIL=$((NFAIL + 1)); }

# The image of the guest kernel line (GUEST_LINE, else the default), as it
# is when there is one (it may hold the lead's extra binaries: rebuilding it
# here without them would drop them).
. "$ROOT/guest-driver/lines.sh"
bf_line || exit 1
if [ ! -f "$ROOT/build/vm/$LINE/initramfs.cpio.gz" ]; then
	bash "$ROOT/vm/build-image.sh" --line "$LINE" >/dev/null ||
		{ echo "FAIL: vm-selftest: build-image.sh failed"; exit 1; }
fi

ip netns del $NSN 2>/dev/null || true
ip netns add $NSN
"${NS[@]}" ip link set lo up
"${NS[@]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
"${NS[@]}" ip tuntap add $TAP mode tap
"${NS[@]}" ip addr add $HIP/24 dev $TAP
"${NS[@]}" ip link set $TAP up
HMAC=$("${NS[@]}" cat /sys/class/net/$TAP/address)

# host peers
head -c 4194304 /dev/urandom > "$T/blob"
cp "$ROOT/build/vm/cache/bf-cert.pem" "$ROOT/build/vm/cache/bf-key.pem" "$T/"
"${NS[@]}" iperf3 -s -B $HIP > "$T/iperf3.log" 2>&1 &
PIDS+=($!)
(cd "$T" && exec "${NS[@]}" openssl s_server -accept 4433 -cert bf-cert.pem -key bf-key.pem \
	-tls1_2 -WWW -quiet < /dev/null > "$T/www.log" 2>&1) &
PIDS+=($!)
mkfifo "$T/in"
exec 8<>"$T/in"   # keeps the upload server's stdin open, without data

start_upload_server() {
	rm -f "$T/upload"
	"${NS[@]}" openssl s_server -accept 4434 -cert "$T/bf-cert.pem" -key "$T/bf-key.pem" \
		-tls1_2 -quiet -naccept 1 < "$T/in" > "$T/upload" 2> "$T/upload.err" &
	UPID=$!
	PIDS+=("$UPID")
}
wait_listen() {
	local _
	for _ in $(seq 50); do
		"${NS[@]}" ss -ltn | grep -q ":$1 " && return 0
		sleep 0.1
	done
	return 1
}
BLOB_SHA=$(sha256sum < "$T/blob" | cut -d' ' -f1)
key() { awk -v k="$2" '$1 == "result" && $2 == k { print $3 }' "$1"; }
st() { bash "$ROOT/vm/parse-stats.sh" "$1" "$2" 2>/dev/null || echo -1; }

run_mode() { # NAME MODE [launch options]
	local name=$1 mode=$2 out=$T/$1.out rc=0
	shift 2
	start_upload_server
	wait_listen 4433 && wait_listen 4434 && wait_listen 5201 ||
		{ fail "$name" "host peers not listening"; return; }
	"${NS[@]}" bash "$ROOT/vm/launch.sh" --line "$LINE" --mode "$mode" --net tap:$TAP --ip $GIP/24 \
		--peer $HIP --peermac "$HMAC" --script "$HERE/guest-selftest.sh" \
		--log "$T/$name.log" --timeout 600 "$@" > "$out" 2> "$T/$name.err" || rc=$?
	timeout 10 tail --pid="$UPID" -f /dev/null 2>/dev/null || kill "$UPID" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		fail "$name: launch" "exit $rc: $(tail -n 5 "$T/$name.err" | tr '\n' ' ')"
		sed 's/^/    /' "$out" | tail -n 30
		return
	fi
	pass "$name: launch + script rc 0"
	[ "$(key "$out" ping)" = ok ] && pass "$name: ping" || fail "$name: ping"
	[ "$(key "$out" download_sha256)" = "$BLOB_SHA" ] && pass "$name: TLS download intact" ||
		fail "$name: TLS download" "$(key "$out" download_bytes) bytes"
	[ "$(key "$out" upload_sha256)" = "$(sha256sum < "$T/upload" | cut -d' ' -f1)" ] &&
		[ "$(stat -c %s "$T/upload" 2>/dev/null || echo 0)" = 4194304 ] &&
		pass "$name: TLS upload intact" || fail "$name: TLS upload" "$(wc -c < "$T/upload") bytes received"
	[ "$(key "$out" ktls_rx_sockets)" -ge 1 ] 2>/dev/null && pass "$name: kTLS RX used" ||
		fail "$name: kTLS RX" "TlsRxSw did not grow"
	[ "$(key "$out" ktls_tx_sockets)" -ge 1 ] 2>/dev/null && pass "$name: kTLS TX used" ||
		fail "$name: kTLS TX" "TlsTxSw did not grow"
	local bb rxb txb
	bb=$(st "$out" swiotlb_eth0_bounced_bytes)
	rxb=$(st "$out" eth0_run_rx_bytes); txb=$(st "$out" eth0_run_tx_bytes)
	if [ "$mode" = cvm ]; then
		[ "$bb" -gt $((rxb + txb)) ] && pass "$name: swiotlb bounced $bb B >= eth0 rx+tx $((rxb + txb)) B" ||
			fail "$name: swiotlb bounce" "$bb bytes bounced for $((rxb + txb)) bytes of traffic"
		[ -n "$(st "$out" swiotlb-range)" ] && [ "$(st "$out" swiotlb-range)" != -1 ] &&
			pass "$name: swiotlb range reported" || fail "$name: swiotlb range" "missing"
		[ "$(key "$out" slot_count)" -gt 0 ] 2>/dev/null && [ "$(key "$out" slots_outside_range)" = 0 ] &&
			pass "$name: $(key "$out" slot_count) bounce slots traced, all inside the range" ||
			fail "$name: bounce slots" "$(key "$out" slot_count) traced, $(key "$out" slots_outside_range) outside"
	else
		[ "$bb" -eq 0 ] && pass "$name: no swiotlb bounce" || fail "$name: swiotlb bounce" "$bb bytes"
	fi
	printf 'SUMMARY %-8s boot %ss (guest uptime %ss) total %ss | iperf tx %s rx %s Mbit/s | eth0 rx %s pkts %s B, tx %s pkts %s B | bounced %s B in %s maps | range %s\n' \
		"$name" "$(st "$out" host_boot_s)" "$(st "$out" boot_uptime_s)" "$(st "$out" host_total_s)" \
		"$(key "$out" iperf_tx_mbps)" "$(key "$out" iperf_rx_mbps)" \
		"$(st "$out" eth0_run_rx_packets)" "$rxb" "$(st "$out" eth0_run_tx_packets)" "$txb" \
		"$bb" "$(st "$out" swiotlb_eth0_bounced_count)" "$(st "$out" swiotlb-range)"
}

run_mode vm vm
run_mode cvm cvm
[ $ICOUNT = 0 ] || run_mode vm-icount vm --icount
echo "$NPASS passed, $NFAIL failed"
[ $NFAIL -eq 0 ]
