#!/bin/bash
# `make eval QUICK=1` as a test: runs eval/eval.sh with EVAL_QUICK=1
# (cells vm, cvm, bifrost; breakdown boots for cvm and bifrost; every
# workload, short phases; the swiotlb exhaustion scenario's two cells) and
# checks the report's structure and that every
# cell is correct: every phase ran and moved bytes, every response and byte
# was checked good, the guest counters and the CPU breakdown are there, and
# the plots are PNGs. Never its speed: no number is compared with a bound.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init eval_quick
OUT=$BF_TMP/eval
EVAL_QUICK=1 EVAL_OUT=$OUT EVAL_PREFIX=bfeq bash eval/eval.sh > $BF_TMP/eval.log 2>&1
rc=$?
check_eq "make eval QUICK=1 exits 0 (every cell correct)" "$rc" 0
[ "$rc" = 0 ] || tail -n 30 $BF_TMP/eval.log | sed 's/^/INFO: eval: /'
J=$OUT/results.json
check_eq "results.json is JSON" "$(jq -e '.cells | length > 0' $J 2>/dev/null)" true

cells="vm cvm bifrost"
phases=$(jq -r '.phases[]' $J 2>/dev/null | xargs)
for w in tls nginx redis memcached; do
	check_eq "phases of workload $w in the report" \
		"$(jq -r --arg w $w '[.cells[0].phases[] | select(.workload == $w)] | length > 0' $J 2>/dev/null)" true
done
for c in $cells; do
	q() { jq -r --arg c "$c" ".cells[] | select(.cell == \$c) | $1" $J 2>/dev/null; }
	check_eq "$c: in the report and correct" "$(q .correct)" true
	[ "$(q .correct)" = true ] || q '.problems[]' | sed "s/^/INFO: $c: /"
	check_eq "$c: 0 backend violations" "$(q .violations)" 0
	for p in $phases; do
		# every phase: requests and bytes moved with 0 bad, instructions
		# per request (counted exactly, user space and kernel apart),
		# packets into the guest and bounced bytes measured; the host CPU
		# time of bifrost-host and QEMU's I/O threads over the phase; with
		# each REP instruction once, fewer instructions but not none
		check_eq "$c $p: requests, bytes, 0 bad, exact instructions, packets, bounces, host CPU measured" \
			"$(q ".phases[\"$p\"] | [.reqs > 0, .bytes > 0, .bad == 0, .instr_per_req > 0,
				.instr_exact == true, .user_per_req > 0, .kernel_per_req > 0,
				.once_per_req > 0, .once_per_req < .instr_per_req,
				(.pkts_in_per_mb | type) == \"number\", (.bounced_per_mb | type) == \"number\",
				.host_ns.backend > 0, .host_ns.qemu_io > 0, .host_ms_per_mb > 0] | all")" true
	done
done
# the breakdown: every class, shares summing to 1, in both breakdown cells
for c in cvm bifrost; do
	check_eq "$c: CPU breakdown of every phase, classes summing to 100 %" \
		"$(jq -r --arg c $c '[.cells[] | select(.cell == $c) | .phases[] | .cpu_share |
			select(. != null) | ([.bounce, .packet, .crypto, .app, .other] | add) | (. > 0.999 and . < 1.001)] |
			(length > 0 and all)' $J 2>/dev/null)" true
done
# the swiotlb exhaustion scenario: both cells correct, every connection
# checked, the counters there (their values are measurements, not checked)
for c in swiotlb8m-cvm swiotlb8m-bifrost; do
	check_eq "$c: scenario cell in the report and correct" \
		"$(jq -r --arg c $c '.scenario_cells[] | select(.cell == $c) | .correct' $J 2>/dev/null)" true
	check_eq "$c: 64 connections each way, counters measured" \
		"$(jq -r --arg c $c '[.scenario_cells[] | select(.cell == $c) | .phases[] |
			(.conns_ok == 64 and (.swiotlb_full | type) == "number" and (.swiotlb_maps | type) == "number"
			 and (.wire_retrans | type) == "number")] | (length == 2 and all)' $J 2>/dev/null)" true
done
for s in "## Cells" "Throughput normalized to vm" "Throughput normalized to cvm" \
	 "Guest instructions per request normalized to cvm" "Guest CPU breakdown" \
	 "each REP once, normalized to vm" \
	 "## Beside the paper" "## Goals" "## Plots" "## swiotlb exhaustion" \
	 "Host CPU per MiB, all phases, by part"; do
	check_eq "report.md has '$s'" "$(grep -c -F "$s" $OUT/report.md 2>/dev/null)" 1
done
for png in throughput instructions breakdown; do
	check_eq "$png.png is a PNG image" "$(head -c 8 $OUT/$png.png 2>/dev/null | od -An -tx1 | tr -d ' ')" \
		89504e470d0a1a0a
done
check_eq "nothing of eval's topology left behind" \
	"$(ip netns list | grep -c '^bfeq'; ip link show | grep -c ' bfeq')" "0
0"
