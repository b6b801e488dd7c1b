# Shared helpers for the integration tests (sourced). Tests print
# "PASS: name" / "FAIL: name: why" lines that tests/run.sh counts.
# Every namespace/interface a test makes has the prefix "bf" and is removed
# by bf_cleanup (installed as an EXIT trap by bf_init). Addresses come from
# the test's own subnets (bf_net, bf_subnet: tests/lib/subnets.sh).

. "$(dirname "${BASH_SOURCE[0]}")/subnets.sh"

BUILD=${BUILD:-build}
BFCTL=$BUILD/bifrostctl
BF_NS=()
BF_IFS=()
BF_PIDS=()
BF_ATTACHED=()
BF_TMP=

bf_init() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "FAIL: $1: integration tests need root"
		exit 1
	fi
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	BF_TMP=$(mktemp -d /tmp/bftest.XXXXXX)
	trap bf_cleanup EXIT
	# a test stopped by Ctrl-C or SIGTERM cleans up too (exit runs the EXIT trap)
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

bf_cleanup() {
	local p i n
	for p in "${BF_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BF_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for i in "${BF_ATTACHED[@]}"; do $BFCTL detach "$i" >/dev/null 2>&1; done
	for i in "${BF_IFS[@]}"; do ip link del "$i" 2>/dev/null; done
	for n in "${BF_NS[@]}"; do ip netns del "$n" 2>/dev/null; done
	[ -n "$BF_TMP" ] && [ -z "${BF_KEEP_TMP:-}" ] && rm -rf "$BF_TMP"
	[ -n "${BF_KEEP_TMP:-}" ] && echo "kept $BF_TMP" >&2
	return 0
}

# bf_guest_line: the guest kernel line the guest tests boot (guest-driver/
# lines.sh): GUEST_LINE, else the table's default. Sets LINE and its LINE_*
# fields and exports GUEST_LINE, which vm/launch.sh boots.
bf_guest_line() {
	. "$(dirname "${BASH_SOURCE[0]}")/../../guest-driver/lines.sh"
	bf_line || { echo "FAIL: guest line: GUEST_LINE=$GUEST_LINE"; exit 1; }
	export GUEST_LINE=$LINE
}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-}"; }

# check_eq NAME ACTUAL EXPECTED
check_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# check_cmd NAME CMD... : passes when CMD exits 0
check_cmd() {
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# bf_ns NAME: new namespace with lo up, IPv6 off (no stray traffic)
bf_ns() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1"
	BF_NS+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

# bf_veth A B [NS_OF_B]: single-queue veth pair, A stays in the root ns
bf_veth() {
	ip link del "$1" 2>/dev/null
	ip link add "$1" numtxqueues 1 numrxqueues 1 type veth peer name "$2" \
		numtxqueues 1 numrxqueues 1
	BF_IFS+=("$1")
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
	[ -n "${3:-}" ] && ip link set "$2" netns "$3"
}

# bf_wire_up WIRE PEER NS IP: the wire veth WIRE (root namespace) up, and its
# PEER in NS up with IP/24. The peer sends full checksums and MSS-sized
# frames: AF_XDP has no checksum offload, and a real wire carries no GSO.
bf_wire_up() {
	ip link set "$1" up
	ip -n "$3" addr add "$4/24" dev "$2"
	ip -n "$3" link set "$2" up
	ip netns exec "$3" ethtool -K "$2" tx off tso off gso off >/dev/null 2>&1
}

# bf_forget_pins IFACE: the pins of a run killed before its cleanup (its
# veth went with it), so attach starts afresh.
bf_forget_pins() {
	ip link show "$1" >/dev/null 2>&1 || rm -rf "/sys/fs/bpf/bifrost/$1"
}

# bf_attach IFACE ARGS... (records it for cleanup)
bf_attach() {
	local i=$1
	BF_ATTACHED+=("$i")
	$BFCTL attach "$@"
}

# json_get IFACE JQ_FILTER
json_get() {
	$BFCTL stats "$1" --json | jq -r "$2"
}

# wait_for CMD... : retries for up to 10 s
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# Interface packet counters (rx/tx packets) inside a namespace.
ns_rx_packets() { ip -n "$1" -j -s link show "$2" | jq '.[0].stats64.rx.packets'; }
ns_tx_packets() { ip -n "$1" -j -s link show "$2" | jq '.[0].stats64.tx.packets'; }
