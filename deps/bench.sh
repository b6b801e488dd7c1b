#!/bin/bash
# Installs the peer backends of `make bench-host`, `make demo` and `make eval`
# from Debian's archive: DPDK testpmd with the vhost and af_xdp PMDs, and Open
# vSwitch with DPDK. Idempotent and quiet when everything is present.
# Debian 12 splits DPDK: the `dpdk` package has only scripts (devbind,
# hugepages); /usr/bin/dpdk-testpmd is in `dpdk-dev`, and each PMD is its own
# library package, only recommended by `dpdk` (so an install with
# --no-install-recommends has a testpmd without ports): librte-net-vhost23,
# librte-net-af-xdp23, the ring mempool librte-mempool-ring23, and net_tap
# for bench-host, librte-net-tap23. OVS with DPDK is openvswitch-switch-dpdk
# (/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk, which peers.sh runs
# directly; the system's ovs-vswitchd alternative is left alone). Its packages
# must not start or enable the system's Open vSwitch service: the tests run
# private ovsdb-server/ovs-vswitchd instances (eval/peers.sh).
set -eu
pkgs=(dpdk dpdk-dev librte-net-vhost23 librte-net-af-xdp23 librte-mempool-ring23
      librte-net-tap23 openvswitch-switch-dpdk)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
echo "deps-bench: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get -o DPkg::Lock::Timeout=300 update -qq || { echo "deps-bench: apt-get update failed" >&2; exit 1; }
# policy-rc.d (Debian's invoke-rc.d policy) refuses every service start while
# apt runs, unless the admin has one of their own.
prc=/usr/sbin/policy-rc.d own_prc=0
if [ ! -e "$prc" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$prc" && chmod 755 "$prc" && own_prc=1
fi
rc=0
timeout 900 apt-get install -o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
[ $own_prc = 0 ] || rm -f "$prc"
[ $rc = 0 ] || { echo "deps-bench: apt-get install ${missing[*]} failed" >&2; exit 1; }
# the system's Open vSwitch stays off: not enabled at boot, not running
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	systemctl disable --now openvswitch-switch.service ovsdb-server.service \
		ovs-vswitchd.service >/dev/null 2>&1 || true
elif [ -x /etc/init.d/openvswitch-switch ]; then
	update-rc.d openvswitch-switch disable >/dev/null 2>&1 || true
fi
exit 0
