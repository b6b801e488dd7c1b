#!/bin/bash
# Installs the Debian packages the build, tests and demo need. Idempotent and
# quiet when everything is present.
# libvirt (t_libvirt, examples/libvirt): libvirt-daemon (libvirtd and the QEMU
# driver) and libvirt-clients (virsh, virt-xml-validate, which needs xmllint
# from libxml2-utils), NOT libvirt-daemon-system: that one adds system
# services, the libvirt-qemu user and a 'default' NAT network (192.168.122.0/24)
# that the tests must never start; t_libvirt runs a private session libvirtd.
set -eu
pkgs=(clang llvm libbpf-dev bpftool libxdp-dev xdp-tools libelf-dev zlib1g-dev
      libssl-dev openssl libclang-rt-14-dev gnuplot-nox linux-headers-6.1.0-56-amd64 linux-source-6.1 iproute2 iputils-ping ethtool iperf3 tcpdump jq pkg-config make gcc python3
      libvirt-daemon libvirt-clients libxml2-utils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d (Debian's invoke-rc.d policy) refuses every service start while
# apt runs, unless the admin has one of their own: no package starts a daemon.
prc=/usr/sbin/policy-rc.d own_prc=0
if [ ! -e "$prc" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$prc" && chmod 755 "$prc" && own_prc=1
fi
rc=0
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
[ $own_prc = 0 ] || rm -f "$prc"
exit $rc
