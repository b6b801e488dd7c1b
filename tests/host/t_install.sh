#!/bin/bash
# `make install` into a DESTDIR, for PREFIX=/usr and PREFIX=/usr/local: every
# file in its place with its mode, the systemd units name the installed
# programs and config and pass `systemd-analyze verify`, the man pages
# render, the installed bifrostctl checks the example config, attaches it to
# a veth, swaps in the installed BPF object and detaches, and the installed
# bifrost-host serves a guest there, each with only the capabilities its
# unit leaves it; uninstall removes every file.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init install

H=bfin0; P=bfin1
UNITS="bifrost-attach@.service bifrost-host@.service"

# unit_dir PREFIX: where install puts the units for PREFIX
unit_dir() { if [ "$1" = /usr ]; then echo /lib/systemd/system; else echo "$1/lib/systemd/system"; fi; }

# expected_files PREFIX: "MODE PATH" of every installed file
expected_files() {
	local pre=$1 ud
	ud=$(unit_dir "$pre")
	cat <<-END
	755 $pre/sbin/bifrostctl
	755 $pre/sbin/bifrost-host
	644 $pre/lib/bifrost/bifrost_xdp.bpf.o
	644 $pre/share/man/man8/bifrostctl.8
	644 $pre/share/man/man8/bifrost-host.8
	644 $pre/share/man/man5/bifrost.conf.5
	644 $pre/share/doc/bifrost/bifrost.conf.example
	644 /etc/bifrost/bifrost.conf.example
	644 $ud/bifrost-attach@.service
	644 $ud/bifrost-host@.service
	END
}

# check_tree ROOT PREFIX: exactly the expected files, with their modes
check_tree() {
	local root=$1 pre=$2 mode path want got
	want=$(expected_files "$pre" | awk '{print $2}' | sort)
	got=$(cd "$root" && find . -type f | sed 's|^\.||' | sort)
	check_eq "$pre: the installed files" "$got" "$want"
	while read -r mode path; do
		check_eq "$pre: mode of $path" "$(stat -c %a "$root$path" 2>/dev/null)" "$mode"
	done < <(expected_files "$pre")
}

# check_units ROOT PREFIX: every Exec line runs an installed program on the
# installed config, and no template placeholder is left
check_units() {
	local root=$1 pre=$2 ud u cmd
	ud=$root$(unit_dir "$pre")
	for u in $UNITS; do
		check_eq "$pre: $u has no @placeholder@" "$(grep -c '@[A-Z]*@' "$ud/$u")" 0
		while read -r cmd; do
			case $cmd in
			/bin/kill) ;;
			*) check_cmd "$pre: $u runs $cmd, installed" test -x "$root$cmd"
			   check_eq "$pre: $u runs from $pre/sbin" "$(dirname "$cmd")" "$pre/sbin" ;;
			esac
		done < <(sed -n 's/^Exec[A-Za-z]*=\([^ ]*\).*/\1/p' "$ud/$u")
		check_eq "$pre: $u's config" \
			"$(grep -o -- '--config [^ ]*' "$ud/$u" | sort -u)" "--config /etc/bifrost/bifrost.conf"
	done
}

# verify_units ROOT PREFIX: systemd-analyze verify on an instance of each
# unit, in a mount namespace where the installed programs and man pages
# are at their installed paths (an overlay on PREFIX/sbin)
verify_units() {
	local root=$1 pre=$2 ud d u out rc
	ud=$root$(unit_dir "$pre")
	d=$BF_TMP/verify$(echo "$pre" | tr / _)
	mkdir -p "$d"
	for u in $UNITS; do cp "$ud/$u" "$d/${u/@./@$H.}"; done
	out=$(MANPATH=$root$pre/share/man unshare -m sh -c \
		'mount -t overlay overlay -o "lowerdir=$1:$2" "$2" && shift 2 && systemd-analyze verify "$@"' \
		- "$root$pre/sbin" "$pre/sbin" "$d"/*.service 2>&1)
	rc=$?
	check_eq "$pre: systemd-analyze verify's exit code" "$rc" 0
	check_eq "$pre: systemd-analyze verify says nothing" "$out" ""
}

# check_man ROOT PREFIX: each page renders with no groff warning
check_man() {
	local root=$1 pre=$2 f err
	for f in "$root$pre"/share/man/man*/*; do
		err=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		check_eq "$pre: man -l $(basename "$f") renders cleanly" "$err" ""
		check_cmd "$pre: man -l $(basename "$f") has a NAME section" \
			grep -q NAME <(MANWIDTH=80 man -l "$f" 2>/dev/null)
	done
}

# unit_caps UNIT: its CapabilityBoundingSet as setpriv's --bounding-set
unit_caps() {
	sed -n 's/^CapabilityBoundingSet=//p' "$1" | tr 'A-Z ' 'a-z\n' | sed 's/^cap_/+/' |
		paste -sd, | sed 's/^/-all,/'
}

# check_host ROOT PREFIX: the installed bifrost-host, with only the
# capabilities its unit leaves it, serves a guest on the attached $H
check_host() {
	local root=$1 pre=$2 caps pid rc log=$BF_TMP/host.log
	caps=$(unit_caps "$root$(unit_dir "$pre")/bifrost-host@.service")
	: > "$log"
	BF_IFS+=(bfint0)
	setpriv --bounding-set "$caps" --inh-caps -all \
		"$root$pre/sbin/bifrost-host" --iface $H --guest vm1 --tap bfint0 > "$log" 2>&1 &
	pid=$!
	BF_PIDS+=($pid)
	if wait_for grep -q serving "$log"; then
		pass "$pre: bifrost-host serves with its unit's capabilities ($caps)"
	else
		fail "$pre: bifrost-host serves with its unit's capabilities ($caps)" "$(tail -3 "$log")"
	fi
	kill -TERM $pid 2>/dev/null
	wait $pid
	rc=$?
	check_eq "$pre: bifrost-host stops on SIGTERM with status 0" "$rc" 0
	# the hostile host of the guest tests is not part of what is installed
	check_cmd "$pre: the installed bifrost-host has no attack mode (--adversary refused)" \
		eval "! '$root$pre/sbin/bifrost-host' --iface $H --guest vm1 \
			--vhost-user $BF_TMP/none.sock --adversary rx-hdr >/dev/null 2>&1"
	check_eq "$pre: the installed bifrost-host holds no tampering code" \
		"$(grep -c -a -i -e adversary -e tamper "$root$pre/sbin/bifrost-host")" 0
	check_cmd "$pre: no bifrost-host-adversary installed" \
		eval "! find '$root' -name 'bifrost-host-adversary*' | grep -q ."
}

# check_run ROOT PREFIX: the installed bifrostctl, with only the capabilities
# its unit leaves it, on the installed config and BPF object and the veth
# pair; the installed bifrost-host in between
check_run() {
	local root=$1 pre=$2 ctl conf obj
	ctl=$root$pre/sbin/bifrostctl
	conf=$root/etc/bifrost/bifrost.conf.example
	obj=$root$pre/lib/bifrost/bifrost_xdp.bpf.o
	local -a as=(setpriv --bounding-set "$(unit_caps "$root$(unit_dir "$pre")/bifrost-attach@.service")"
		--inh-caps -all)
	check_cmd "$pre: check-config of the example" "$ctl" check-config "$conf"
	# what an operator does: the example's guests put on this host's wire
	sed "s/ iface eth1 / iface $H /" "$conf" > "$BF_TMP/bifrost.conf"
	conf=$BF_TMP/bifrost.conf
	BF_ATTACHED+=("$H")
	check_cmd "$pre: attach $H with the example (${as[2]})" \
		"${as[@]}" "$ctl" attach $H --config "$conf" --mode generic
	check_cmd "$pre: reload --prog the installed object" "${as[@]}" "$ctl" reload $H --prog "$obj"
	check_cmd "$pre: reload --config" "${as[@]}" "$ctl" reload $H --config "$conf"
	check_eq "$pre: stats show the example's guests" \
		"$("$ctl" stats $H --json | jq -r '[.guests[].name] | join(",")')" "vm1,vm2"
	check_host "$root" "$pre"
	check_cmd "$pre: detach $H" "${as[@]}" "$ctl" detach $H
	check_eq "$pre: nothing pinned after detach" "$(ls /sys/fs/bpf/bifrost/$H 2>/dev/null | wc -l)" 0
}

# check_uninstall ROOT PREFIX: no file left
check_uninstall() {
	local root=$1 pre=$2
	make -s --no-print-directory uninstall BUILD="$BUILD" DESTDIR="$root" PREFIX="$pre"
	check_eq "$pre: uninstall leaves no file" "$(find "$root" -type f | wc -l)" 0
}

bf_veth $H $P
ip link set $H up; ip link set $P up
for pre in /usr /usr/local; do
	root=$BF_TMP/root$(echo "$pre" | tr / _)
	if ! make -s --no-print-directory install BUILD="$BUILD" DESTDIR="$root" PREFIX="$pre" >/dev/null; then
		fail "$pre: make install" "failed"
		continue
	fi
	check_tree "$root" "$pre"
	check_units "$root" "$pre"
	verify_units "$root" "$pre"
	check_man "$root" "$pre"
	check_run "$root" "$pre"
	check_uninstall "$root" "$pre"
done
