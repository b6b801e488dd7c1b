# Each test's own subnets (sourced by harness.sh; tests/vm/selftest.sh sources
# it alone). The table is tests/lib/subnets.txt: owner (a script's name
# without .sh), first second octet, count. A test asks for its subnets and
# never writes a 10.x address itself, so two tests cannot share one:
#   bf_net [I]       the second octet N of the caller's I-th subnet (default 0)
#   bf_subnet [I]    its prefix "10.N" (addresses are "$(bf_subnet).0.1", ...)
#   bf_net_check N   0 if 10.N.0.0/16 is the caller's; else says so, returns 1
# The caller is BF_TEST (default: the running script's name without .sh).
# BF_SUBNET_EXTRA="N ..." lets a manual run use other octets (make demo's
# DEMO_NET).

BF_SUBNETS=${BF_SUBNETS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/subnets.txt}
BF_TEST=${BF_TEST:-$(basename "$0" .sh)}

# bf_net_range OWNER: "FIRST COUNT" of OWNER's entry, or nothing
bf_net_range() {
	awk -v o="$1" '$1 == o && $1 !~ /^#/ { print $2, $3; exit }' "$BF_SUBNETS"
}

bf_net() {
	local i=${1:-0} first count
	read -r first count <<< "$(bf_net_range "$BF_TEST")"
	if [ -z "$first" ]; then
		echo "subnets: $BF_TEST has no entry in $BF_SUBNETS" >&2
		return 1
	fi
	if [ "$i" -ge "$count" ]; then
		echo "subnets: $BF_TEST has $count subnet(s) in $BF_SUBNETS, asked for #$i" >&2
		return 1
	fi
	echo $((first + i))
}

bf_subnet() {
	local n
	n=$(bf_net "$@") || return 1
	echo "10.$n"
}

bf_net_check() {
	local n=$1 first count
	read -r first count <<< "$(bf_net_range "$BF_TEST")"
	case " ${BF_SUBNET_EXTRA:-} " in *" $n "*) return 0 ;; esac
	if [ -n "$first" ] && [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge "$first" ] &&
		[ "$n" -lt $((first + count)) ]; then
		return 0
	fi
	echo "subnets: 10.${n:-?}.0.0/16 is not $BF_TEST's (tests/lib/subnets.txt)" >&2
	return 1
}
