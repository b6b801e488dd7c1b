#!/bin/bash
# Installs the Debian packages the build, tests and demo need. Idempotent and
# quiet when everything is present.
set -eu
pkgs=(clang llvm libbpf-dev bpftool libxdp-dev xdp-tools libelf-dev zlib1g-dev
      libssl-dev openssl libclang-rt-14-dev gnuplot-nox linux-headers-6.1.0-56-amd64 linux-source-6.1 iproute2 iputils-ping ethtool iperf3 tcpdump jq pkg-config make gcc python3)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
