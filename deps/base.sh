#!/bin/bash
# Installs the Debian packages the build, tests and demo need. Idempotent and
# quiet when everything is present.
# libvirt (t_libvirt, examples/libvirt): libvirt-daemon (libvirtd and the QEMU
# driver) and libvirt-clients (virsh, virt-xml-validate, which needs xmllint
# from libxml2-utils), NOT libvirt-daemon-system: that one adds system
# services, the libvirt-qemu user and a 'default' NAT network (192.168.122.0/24)
# that the tests must never start; t_libvirt runs a private session libvirtd.
# systemd: systemd-analyze, which t_install runs on the installed units.
# The guest kernel lines (guest-driver/lines.sh) whose headers and source are
# Debian packages (FETCH apt: 6.1) add them here; gcc-12 and pahole are what
# the linux-kbuild of the others needs (deps/guest-kernel.sh unpacks it
# without installing it, so apt does not bring its dependencies).
set -eu
pkgs=(clang llvm libbpf-dev bpftool libxdp-dev xdp-tools libelf-dev zlib1g-dev
      libssl-dev openssl libclang-rt-14-dev gnuplot-nox iproute2 iputils-ping ethtool iperf3 tcpdump jq pkg-config make gcc python3
      gcc-12 pahole
      libvirt-daemon libvirt-clients libxml2-utils curl man-db groff-base systemd)
. "$(dirname "$0")/../guest-driver/lines.sh"
for l in $BF_LINES; do
	bf_line "$l"
	if [ "$LINE_FETCH" = apt ]; then pkgs+=("linux-headers-$LINE_KVER" "$LINE_SRC_PKG"); fi
done
# Packages wanted only for a tool they ship (prometheus: promtool, which
# checks `bifrostctl stats --prometheus`): their daemons must not run or be
# enabled on this host.
tool_pkgs=(prometheus)

missing_of() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			echo "$p"
	done
}

# install_quietly DISABLE(0|1) PKGS...: apt-get install with policy-rc.d
# refusing every service start (unless the admin has a policy of their own),
# so no package starts a daemon; DISABLE=1 also disables the services the
# packages enabled.
install_quietly() {
	local disable=$1 prc=/usr/sbin/policy-rc.d own_prc=0 rc=0 p
	shift
	if [ ! -e "$prc" ]; then
		printf '#!/bin/sh
exit 101
' > "$prc" && chmod 755 "$prc" && own_prc=1
	fi
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
	[ $own_prc = 0 ] || rm -f "$prc"
	[ $rc = 0 ] || { echo "deps: apt-get install $* failed" >&2; exit 1; }
	[ "$disable" = 1 ] || return 0
	for p in "$@"; do
		deb-systemd-helper disable "$p.service" >/dev/null 2>&1 || true
		[ ! -e "/etc/init.d/$p" ] || update-rc.d "$p" disable >/dev/null 2>&1 || true
	done
}

mapfile -t missing < <(missing_of "${pkgs[@]}")
mapfile -t missing_tools < <(missing_of "${tool_pkgs[@]}")
[ ${#missing[@]} -eq 0 ] && [ ${#missing_tools[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]} ${missing_tools[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
[ ${#missing[@]} -eq 0 ] || install_quietly 0 "${missing[@]}"
[ ${#missing_tools[@]} -eq 0 ] || install_quietly 1 "${missing_tools[@]}"
