#!/bin/bash
# make eval: the paper's evaluation, side by side, on this machine. Every cell
# (a mode of Bifrost, or a peer backend) runs the same guest and the same
# workloads (eval/wl_*.sh: TLS bulk, nginx, Redis, Memcached), and
# eval/report.py turns the measurements into build/eval/report.md,
# results.json and PNG plots. How it works, what each number means and how
# it maps to the paper: eval/README.md.
#
# Per cell, one guest boot per measurement kind, every workload phase in it:
#   tput     throughput on the host clock, packets into the guest, swiotlb
#            bytes bounced, every response checked
#   icount   the same under -icount shift=0: guest instructions, counted
#            exactly (vm/tcg-insn-count.c), user space and kernel
#   perf     (breakdown cells only) under -icount with bf-perf sampling:
#            the guest CPU breakdown
# Environment: EVAL_QUICK=1 (fewer cells, shorter phases), EVAL_MODES,
# EVAL_PHASE_LIMIT (300: seconds a fixed-count phase may take),
# EVAL_PEERS, EVAL_BREAKDOWN (cells with a perf boot), EVAL_PERF_PHASES (the
# phases sampled in a perf boot, "all"), EVAL_REPEAT_CELLS (cells counted in
# EVAL_REPEAT (3) boots, for the counter's repeatability: "vm bifrost"),
# EVAL_PROFILE (a phase whose guest instructions the icount boot profiles by
# function: logs/CELL-PHASE.prof and logs/CELL.kallsyms for
# eval/insn_profile.py), EVAL_SWIOTLB (1: the swiotlb exhaustion scenario, wl_tls64.sh, on guests
# with an EVAL_SWIOTLB_MB (8) MiB bounce pool; 0 leaves it out),
# EVAL_OUT (build/eval), EVAL_PREFIX
# (bfev: the names of its namespaces and links, so a second run with another
# prefix, e.g. t_eval_quick's, does not collide with it).
set -u
. "$(dirname "$0")/../tests/lib/harness.sh"
. "$(dirname "$0")/../tests/lib/vmtopo.sh"
[ -f "$(dirname "$0")/peers.sh" ] && . "$(dirname "$0")/peers.sh"
bf_init eval
# stopped in a peer's cell: take the peer down too
declare -F peer_down >/dev/null && trap 'peer_down >/dev/null 2>&1; bf_cleanup' EXIT
EVAL_QUICK=${EVAL_QUICK:-0}
if [ "$EVAL_QUICK" = 1 ]; then
	MODES=${EVAL_MODES-"vm cvm bifrost"}
	PEERS=${EVAL_PEERS-""}
	BREAKDOWN=${EVAL_BREAKDOWN-"cvm bifrost"}
	PERF_PHASES=${EVAL_PERF_PHASES-"tlsrx redis256k"}	# perf script is slow under TCG
	REPEAT_CELLS=${EVAL_REPEAT_CELLS-""}
else
	MODES=${EVAL_MODES-"vm cvm cvm+zced cvm+prpr bifrost bifrost-no-ottr"}
	PEERS=${EVAL_PEERS-"vhostnet tap testpmd ovsdpdk"}
	BREAKDOWN=${EVAL_BREAKDOWN-"cvm bifrost"}
	PERF_PHASES=${EVAL_PERF_PHASES-all}
	REPEAT_CELLS=${EVAL_REPEAT_CELLS-"vm bifrost"}
fi
REPEAT=${EVAL_REPEAT:-3}	# counted boots of each of REPEAT_CELLS
PROFILE=${EVAL_PROFILE:-}	# a phase to profile by function in each cell's icount boot
WORKLOADS=${EVAL_WORKLOADS:-"tls nginx redis memcached"}
OUT=${EVAL_OUT:-$BUILD/eval}
ZCED_MB=128
CTL_PORT=7000		# the wire side tells the guest a phase is over
NET=$(bf_net)		# 10.NET.0.0/24 (tests/lib/subnets.txt), namespace PREFIX-snd
PREFIX=${EVAL_PREFIX:-bfev}
# A request/response workload's phase is a fixed count of requests
# (wl_*_requests), so every boot divides its fixed costs (the handshakes, a
# server's first touch of its memory) by the same count; this is its time
# limit in seconds (a phase cut short by it is a problem in the report).
EVAL_PHASE_LIMIT=${EVAL_PHASE_LIMIT:-300}
T_START=$SECONDS

say() { echo "eval: $*" >&2; }
for w in $WORKLOADS; do
	# shellcheck source=/dev/null
	. "$(dirname "$0")/wl_$w.sh" || { echo "eval: no workload '$w' (eval/wl_$w.sh)"; exit 1; }
done
# the swiotlb exhaustion scenario (wl_tls64.sh): its own cells after the
# modes, guests with an EVAL_SWIOTLB_MB (8) MiB bounce pool
SWIOTLB=${EVAL_SWIOTLB:-1}
SWIOTLB_MB=${EVAL_SWIOTLB_MB:-8}
if [ "$SWIOTLB" = 1 ]; then
	. "$(dirname "$0")/wl_tls64.sh" || { echo "eval: no eval/wl_tls64.sh"; exit 1; }
fi
ZCED_PORTS=$(for w in $WORKLOADS; do wl_${w}_ports; done | paste -sd, -)
PHASES=$(for w in $WORKLOADS; do wl_${w}_phases; done | xargs)

rm -rf "$OUT" && mkdir -p "$OUT/logs" || exit 1
RAW=$OUT/raw.tsv
: > "$RAW"
# emit CELL BOOT PHASE KEY VALUE: one measurement (report.py reads them)
emit() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RAW"; }
note() { emit "$1" - - note "$2"; say "$1: $2"; }

H=$BF_TMP/wire
mkdir -p "$H"
for w in $WORKLOADS; do
	wl_${w}_host_setup "$H" || { echo "eval: $w: host setup failed"; exit 1; }
done

# --- the guest script: prelude, then every workload's fragment -------------
guest_script() {
	cat <<EOS
WIRE=$VM_SND_IP CTL_PORT=$CTL_PORT BF_PERF=$1 PERF_PHASES="$PERF_PHASES"
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
echo 1 > /proc/sys/vm/overcommit_memory
EOS
	cat <<'EOS'
EOS
	vm_guest_listening 150
	cat <<'EOS'
# eval_phase P: counters before, "PHASE P ready" for the wire side, wait
# until the wire side says it is done (bounded), counters after. The
# listener for "done" is started, and listening, before the first snap: no
# process is forked between the two snaps' marks (a fork of this big shell
# and its copy-on-write faults would be counted in the phase)
eval_phase() {
	local got perf=$BF_PERF ctl
	case " $PERF_PHASES " in " all "|*" $1 "*) ;; *) perf=0 ;; esac
	[ "$perf" = 1 ] && bf-perf start $1
	timeout 600 nc -l -p $CTL_PORT < /dev/null > /tmp/eval-ctl 2>/dev/null &
	ctl=$!
	listening $CTL_PORT || echo "eval: the phase's control listener on $CTL_PORT is not up"
	bf-snap ${1}0
	echo "PHASE $1 ready"
	wait $ctl
	bf-snap ${1}1
	got=$(head -c 64 /tmp/eval-ctl)
	[ "$perf" = 1 ] && bf-perf stop $1
	echo "wire-done $1 ${got:-none}"
}
EOS
	for w in $WORKLOADS; do wl_${w}_guest; done
	cat <<'EOS'
echo "oops $(dmesg | grep -c -i -E 'oops|bug:|warning:|general protection|call trace')"
dmesg | grep -i -E 'oops|bug:|warning:|general protection' | head -5 | sed 's/^/dmesg /'
EOS
}

# host_cpu_sample: the host CPU time of the cell's backend (bifrost-host, or
# the peer's processes) and of QEMU's non-vCPU threads (eval/host_cpu.py)
host_cpu_sample() {
	local pids=() p
	if [ "$BACKEND" = bifrost-host ]; then
		pids=("$VM_BACKEND")
	else
		pids=("${PEER_PIDS[@]}")
	fi
	python3 "$(dirname "$0")/host_cpu.py" $(for p in "${pids[@]}"; do echo --backend $p; done) --qemu "$VM_PID"
}

# host_cpu_begin / host_cpu_end CELL PHASE: the host's CPU time over one
# phase of a tput boot: host_backend_ns, host_qemu_io_ns, host_poll_ns (the
# busy-polling threads' part of host_backend_ns), host_poll_busy_ns (of
# that, the time on packets, as the peer counts it: peer_poll_busy),
# host_ksoftirqd_ns
host_cpu_begin() {
	declare -F peer_poll_begin >/dev/null && peer_poll_begin
	HC0=$(host_cpu_sample)
}
host_cpu_end() {
	local hc1 k busy
	hc1=$(host_cpu_sample)
	[ -n "$HC0" ] && [ -n "$hc1" ] || return 0
	for k in backend_ns qemu_io_ns poll_ns ksoftirqd_ns; do
		emit "$1" tput "$2" host_$k $(($(field "$hc1" $k) - $(field "$HC0" $k)))
	done
	declare -F peer_poll_busy >/dev/null || return 0
	busy=$(peer_poll_busy $(($(field "$hc1" poll_ns) - $(field "$HC0" poll_ns))))
	[ -z "$busy" ] || emit "$1" tput "$2" host_poll_busy_ns "$busy"
}
# field "K1 V1 K2 V2..." K: the value after K
field() { set -- $1 "$2"; local k=${!#}; while [ $# -gt 2 ]; do [ "$1" = "$k" ] && { echo "$2"; return; }; shift 2; done; echo 0; }

# run_boot CELL KIND(tput|icount|perf) [launch.sh options]: one guest boot,
# every phase; emits the host's results and the guest's counters per phase
run_boot() {
	local cell=$1 kind=$2 p w line rc=0 perf=0 lopts=()
	shift 2
	# instructions are counted without the bounce histogram (it costs a cvm
	# guest ~8 %); bounced bytes come from the tput boot
	[ $kind = tput ] || lopts=(--icount --append bf.bounce_hist=0)
	[[ $kind == icount* ]] && lopts+=(--insn-count)
	# EVAL_PROFILE=PHASE: the first counted boot also profiles PHASE by
	# function (eval/insn_profile.py; eval_phase's two snaps are the k-th
	# phase's marks 4k+1..4k+4: the profile runs from 4k+2 to 4k+3)
	if [ $kind = icount ] && [ -n "$PROFILE" ]; then
		local k=0 q
		for q in $PHASES; do [ "$q" = "$PROFILE" ] && break; k=$((k + 1)); done
		lopts+=(--insn-profile "$OUT/logs/$cell-$PROFILE.prof:$((4 * k + 2)):$((4 * k + 3))"
			--kallsyms "$OUT/logs/$cell.kallsyms")
	fi
	# one sample per 2 M instructions: perf script in the guest takes time
	# per sample under TCG, and a phase still gets ~1000-3000 samples
	[ $kind = perf ] && lopts+=(--append bf.perf_period_ns=2000000)
	[ $kind = perf ] && perf=1
	guest_script $perf > "$BF_TMP/run.sh"
	rm -f "$BF_TMP/console.log"
	VM_TIMEOUT=1500 vm_launch "$BF_TMP/run.sh" "${lopts[@]}" "$@"
	local alive=1
	for w in $WORKLOADS; do
		for p in $(wl_${w}_phases); do
			emit "$cell" $kind $p workload $w
			if [ $alive = 0 ] || ! vm_wait_console "PHASE $p ready" 600; then
				alive=0
				emit "$cell" $kind $p missing 1
				continue
			fi
			[ $kind = tput ] && host_cpu_begin
			line=$(wl_${w}_host $p "$H" 2>> "$OUT/logs/$cell-$kind-host.log" | grep '^result ' | tail -n1)
			[ $kind = tput ] && host_cpu_end "$cell" $p
			if [ -z "$line" ]; then
				emit "$cell" $kind $p missing 1
			else
				set -- $line
				emit "$cell" $kind $p reqs $4
				emit "$cell" $kind $p bytes $6
				emit "$cell" $kind $p secs $8
				emit "$cell" $kind $p bad ${10}
				# a workload's own figures: KEY VALUE pairs after the four
				shift 10
				while [ $# -ge 2 ]; do emit "$cell" $kind $p "$1" "$2"; shift 2; done
			fi
			vm_tell_guest $p $CTL_PORT || say "$cell $kind: could not end the guest's phase $p"
		done
	done
	vm_wait || rc=$?
	cp "$BF_TMP/vm.out" "$OUT/logs/$cell-$kind.out"
	cp "$BF_TMP/console.log" "$OUT/logs/$cell-$kind.console" 2>/dev/null
	emit "$cell" $kind - launcher_rc $rc
	emit "$cell" $kind - oops "$(vm_out | awk '$1 == "oops" {print $2}')"
	# the AES-GCM the guest's kTLS ran on (the kernel's, or ZCED's AEAD)
	local aead
	aead=$(vm_stat zced_aead_impl)
	[ -n "$aead" ] && aead=zced-$aead || aead=$(vm_stat gcm_aes_driver)
	emit "$cell" $kind - aead "$aead"
	# the kernel the guest ran (uname -r; GUEST_LINE picks its line)
	emit "$cell" $kind - guest_kernel "$(vm_stat guest_kernel)"
	# the guest's own checks: "check P KEY VALUE..."
	vm_out | awk -v c="$cell" -v k=$kind '$1 == "check" {
		v = $4; for (i = 5; i <= NF; i++) v = v " " $i
		printf "%s\t%s\t%s\tcheck_%s\t%s\n", c, k, $2, $3, v }' >> "$RAW"
	# counters per phase
	for p in $PHASES; do
		for f in rx_packets tx_packets bounced_bytes busy_ns insn insn_user insn_kernel \
			 insn_rep_user insn_rep_kernel \
			 tls_tx_sw tls_rx_sw tls_decrypt_error zced_tx_bytes zced_rx_bytes; do
			local a b
			a=$(vm_snap_field ${p}0 $f) b=$(vm_snap_field ${p}1 $f)
			[ -n "$a" ] && [ -n "$b" ] && emit "$cell" $kind $p d_$f $((b - a))
		done
		vm_out | awk -v c="$cell" -v k=$kind -v p=$p '$1 == "cpu" && $2 == p {
			for (i = 3; i < NF; i += 2) printf "%s\t%s\t%s\tcpu_%s\t%s\n", c, k, p, $i, $(i + 1) }' >> "$RAW"
	done
}

# --- cells ------------------------------------------------------------------
say "guest swiotlb pool (probe boots)..."
RANGES=$(vm_swiotlb_range) || { echo "eval: cannot find the guest's swiotlb pool"; exit 1; }
RANGES_ZCED=$(VM_ZCED_MB=$ZCED_MB vm_swiotlb_range) ||
	{ echo "eval: cannot find the ZCED guest's swiotlb pool"; exit 1; }

# bifrost_mode GUEST_MODE PRPR ZCED(0|1) OTTR(1|0): backend restart with the
# policy, guest modules
bifrost_mode() {
	vm_backend_stop
	VM_MODE=$1 VM_ZCED_MB=0 VM_ZCED= VM_CVM_RANGES= VM_ZCED_OTTR=$4
	[ "$1" = cvm ] && VM_CVM_RANGES=$RANGES
	if [ "$3" = 1 ]; then
		VM_ZCED_MB=$ZCED_MB VM_ZCED=$ZCED_PORTS VM_CVM_RANGES=$RANGES_ZCED
	fi
	sed -i "s/prpr o[nf]*/prpr $2/" "$BF_TMP/vm.conf"
	$BFCTL reload $VM_WIRE --config "$BF_TMP/vm.conf" >/dev/null &&
		vm_backend_start
}

# run_cell CELL: its boots, and what describes it
run_cell() {
	local cell=$1 kind
	local kinds="tput icount" n
	if [[ " $REPEAT_CELLS " == *" $cell "* ]]; then
		for ((n = 2; n <= REPEAT; n++)); do kinds="$kinds icount$n"; done
	fi
	[[ " $BREAKDOWN " == *" $cell "* ]] && kinds="$kinds perf"
	for kind in $kinds; do
		say "$cell: $kind boot ($((SECONDS - T_START)) s so far)"
		run_boot "$cell" $kind
		if [ "$BACKEND" = bifrost-host ]; then
			emit "$cell" $kind - violations "$(json_get $VM_WIRE '.guests[0].backend.violations')"
		fi
	done
	emit "$cell" - - backend "$BACKEND"
	emit "$cell" - - guest_mode "$VM_MODE"
}

vm_up "$PREFIX" $NET vm off "" || { echo "eval: setup failed"; exit 1; }
for m in $MODES; do
	BACKEND=bifrost-host
	case $m in
	vm) bifrost_mode vm off 0 1 ;;
	cvm) bifrost_mode cvm off 0 1 ;;
	cvm+zced) bifrost_mode cvm off 1 1 ;;
	cvm+prpr) bifrost_mode cvm on 0 1 ;;
	bifrost) bifrost_mode cvm on 1 1 ;;
	bifrost-no-ottr) bifrost_mode cvm on 1 0 ;;
	*) echo "eval: unknown mode $m"; exit 1 ;;
	esac || { note "$m" "the backend did not start"; continue; }
	run_cell "$m"
done
# swiotlb_scenario: cvm and bifrost guests with a small bounce pool, 64 TLS
# connections each way (wl_tls64.sh); cells swiotlbNm-cvm, swiotlbNm-bifrost
swiotlb_scenario() {
	local WORKLOADS=tls64 PHASES ZCED_PORTS RANGES RANGES_ZCED m cell
	PHASES=$(wl_tls64_phases) ZCED_PORTS=$(wl_tls64_ports)
	VM_SWIOTLB_MB=$SWIOTLB_MB
	# the pools of this size (the cvm guest has no ZCED node, the bifrost one has)
	RANGES=$(VM_ZCED_MB=0 vm_swiotlb_range) && RANGES_ZCED=$(VM_ZCED_MB=$ZCED_MB vm_swiotlb_range) ||
		{ note swiotlb${SWIOTLB_MB}m-cvm "not run: no swiotlb pool found for ${SWIOTLB_MB} MiB"; VM_SWIOTLB_MB=; return; }
	for m in cvm bifrost; do
		cell=swiotlb${SWIOTLB_MB}m-$m BACKEND=bifrost-host
		emit "$cell" - - scenario swiotlb
		case $m in
		cvm) bifrost_mode cvm off 0 1 ;;
		bifrost) bifrost_mode cvm on 1 1 ;;
		esac || { note "$cell" "the backend did not start"; continue; }
		say "$cell: tput boot ($((SECONDS - T_START)) s so far)"
		run_boot "$cell" tput
		emit "$cell" tput - violations "$(json_get $VM_WIRE '.guests[0].backend.violations')"
		emit "$cell" - - backend bifrost-host
		emit "$cell" - - guest_mode cvm
	done
	VM_SWIOTLB_MB=
}
[ "$SWIOTLB" = 1 ] && swiotlb_scenario
emit - - - swiotlb_mb "$SWIOTLB_MB"
vm_down
VM_ZCED_MB=0 VM_ZCED= VM_ZCED_OTTR=1
for peer in $PEERS; do
	if ! declare -F peer_check >/dev/null; then
		note "$peer" "not run: eval/peers.sh is missing"
		continue
	fi
	if ! why=$(peer_check $peer); then
		for gm in vm cvm; do note "$peer-$gm" "not run: $why"; done
		continue
	fi
	for gm in vm cvm; do
		BACKEND=$peer
		if ! peer_up $peer "$PREFIX" $NET $gm > "$OUT/logs/$peer-$gm-up.log" 2>&1; then
			note "$peer-$gm" "not run: $peer did not come up: $(tail -n1 "$OUT/logs/$peer-$gm-up.log")"
			peer_down
			continue
		fi
		run_cell "$peer-$gm"
		peer_down
	done
done

emit - - - quick "$EVAL_QUICK"
emit - - - date "$(date -u +%FT%TZ)"
emit - - - commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
emit - - - seconds $((SECONDS - T_START))
say "measurements done in $((SECONDS - T_START)) s; writing the report"
python3 "$(dirname "$0")/report.py" "$RAW" "$OUT"
rc=$?
[ -s "$OUT/summary.txt" ] && cat "$OUT/summary.txt"
case $rc in
0) ;;
2) echo "eval: some cells were not correct (see $OUT/report.md, Problems)"; exit 1 ;;
*) echo "eval: report.py failed ($rc)"; exit 1 ;;
esac
