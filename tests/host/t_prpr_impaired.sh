#!/bin/bash
# Byte-exact TCP through XDP -> bifrost-host -> tap while the wire loses
# 0.5 % of frames, duplicates 0.5 % and reorders 1 % (bf_impair, since this
# kernel has no netem), with PRPR on and off, 256 MiB each way.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init prpr_impaired

BYTES=$((256 << 20))
TOPO_IMPAIR="5000 5000 10000"
topo_up bfpi $(bf_net) prpr on || { fail topology "setup failed"; exit 1; }
x='.guests[0].backend'
for mode in on off; do
	if [ $mode = off ]; then
		sed -i 's/prpr on/prpr off/' $BF_TMP/topo.conf
		$BFCTL reload $TOPO_WIRE --config $BF_TMP/topo.conf >/dev/null
		wait_for test "$(json_get $TOPO_WIRE .guests[0].backend_policy_generation)" = 2
		sleep 0.1
	fi
	check_eq "impaired wire, PRPR $mode: 256 MiB wire->guest byte-exact" \
		"$(topo_transfer in $BYTES 21)" "ok $BYTES bytes"
	check_eq "impaired wire, PRPR $mode: 256 MiB guest->wire byte-exact" \
		"$(topo_transfer out $BYTES 22)" "ok $BYTES bytes"
done
m=$(json_get $TOPO_WIRE "$x.merged_segs")
check_eq "PRPR merged under impairment" "$((m > 0))" 1
check_eq "no checksum failures" "$(json_get $TOPO_WIRE "$x.csum_fail")" 0
kill -TERM "${BF_PIDS[0]}" 2>/dev/null; sleep 0.2
imp=$(grep -- '->' $BF_TMP/impair.log)
echo "INFO: $imp" | tr '\n' ' '; echo
lost=$(echo "$imp" | awk '{s += $5} END {print s+0}')
dup=$(echo "$imp" | awk '{s += $7} END {print s+0}')
reord=$(echo "$imp" | awk '{s += $9} END {print s+0}')
check_eq "the wire really lost, duplicated and reordered frames" \
	"$((lost > 100 && dup > 100 && reord > 100))" 1
topo_backend_stop
