#!/bin/bash
# The subnet table (tests/lib/subnets.txt) hands every test its own 10.N
# octets: no octet belongs to two owners, every owner is a script of the tree,
# every script that sets up addresses (topo_up, vm_up, peer_up, bf_net,
# bf_subnet) has an entry, and no script writes a 10.x address or a literal
# subnet number itself. Needs no root.
set -u
cd "$(dirname "$0")/../.."
TABLE=tests/lib/subnets.txt
fails=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-}"; fails=$((fails + 1)); }

# the table: well-formed rows, octets 1..254, no octet twice, no owner twice
out=$(awk '
	/^[[:space:]]*(#|$)/ { next }
	NF != 3 || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ || $3 < 1 { print "bad row: " $0; next }
	$2 < 1 || $2 + $3 - 1 > 254 { print $1 ": octets " $2 ".." $2 + $3 - 1 " outside 1..254" }
	seen[$1]++ { print $1 ": listed twice" }
	{ for (n = $2; n < $2 + $3; n++) {
		if (n in owner) print "10." n ".0.0/16: " owner[n] " and " $1
		owner[n] = $1 } }' "$TABLE")
[ -z "$out" ] && pass "table: each octet has one owner" || fail "table" "$(echo "$out" | tr '\n' ';')"

# every owner is a script
scripts=$(ls tests/host/*.sh tests/guest/*.sh tests/vm/*.sh tests/matrix/*.sh eval/*.sh)
missing=''
for o in $(awk '!/^[[:space:]]*(#|$)/ { print $1 }' "$TABLE"); do
	echo "$scripts" | grep -q "/$o\.sh$" || missing+=" $o"
done
[ -z "$missing" ] && pass "table: every owner is a script" || fail "table: owners without a script" "$missing"

# every script that sets up addresses has an entry; none writes its own
noentry='' literal=''
for f in $scripts; do
	code=$(sed 's/^[[:space:]]*#.*//' "$f")
	[ "$f" = tests/host/t_subnets.sh ] && continue
	if echo "$code" | grep -E '\b(topo_up|vm_up|peer_up|bf_net|bf_subnet)\b' | grep -qvE '^[a-z_]+\(\)'; then
		o=$(basename "$f" .sh)
		awk -v o="$o" '$1 == o { f = 1 } END { exit !f }' "$TABLE" || noentry+=" $f"
	fi
	l=$(echo "$code" | grep -nE '\b10\.[0-9]+\.[0-9]+\.[0-9]+|\b(topo_up|vm_up)[[:space:]]+[^[:space:]]+[[:space:]]+[0-9]+\b|\bpeer_up[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+[0-9]+\b')
	[ -n "$l" ] && literal+=" $f:$(echo "$l" | head -1 | cut -c1-80)"
done
[ -z "$noentry" ] && pass "scripts: every user of a subnet has an entry" || fail "scripts without an entry" "$noentry"
[ -z "$literal" ] && pass "scripts: no address written by hand" || fail "addresses not from bf_subnet" "$literal"

# the lookup: a test's own octets, and a refusal of another's
first=$(awk '$1 == "t_reload" { print $2 }' "$TABLE")
got=$(BF_TEST=t_reload bash -c '. tests/lib/subnets.sh; bf_subnet')
[ "$got" = "10.$first" ] && pass "bf_subnet gives the owner's prefix" || fail "bf_subnet" "got '$got', expected 10.$first"
if BF_TEST=t_reload bash -c '. tests/lib/subnets.sh; bf_net_check '"$((first + 1))" 2>/dev/null ||
	BF_TEST=t_reload bash -c '. tests/lib/subnets.sh; bf_net 1' >/dev/null 2>&1 ||
	BF_TEST=t_nobody bash -c '. tests/lib/subnets.sh; bf_net' >/dev/null 2>&1; then
	fail "bf_net_check" "a subnet that is not the test's was accepted"
else
	pass "another test's subnet, or one past the count, is refused"
fi
[ $fails -eq 0 ]
