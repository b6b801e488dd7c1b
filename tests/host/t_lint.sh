#!/bin/bash
# The house rules the build and `make lint` keep (docs/conventions.md): no
# function of lib/, loader/, host-afxdp/ or bpf/ over 60 lines; each part
# compiles with its own include path only, so a file of one program that
# includes the other program's header, or a library that includes either
# program's, does not build, while each finds its own and the shared ones.
# A relative include ("../other/x.h") would step around that, so none is
# allowed outside tests/. Needs no root.
set -u
. "$(dirname "$0")/../lib/harness.sh"

check_eq "make fnlen: no function over 60 lines" "$(make -s --no-print-directory fnlen 2>&1)" ""

# compiles PART HEADER: whether a file of PART can include HEADER
compiles() {
	local inc
	inc=$(make -s --no-print-directory print-inc PART="$1")
	printf '#include "%s"\nint bf_lint_probe;\n' "$2" |
		cc -std=gnu11 -D_GNU_SOURCE $inc -fsyntax-only -x c - 2>/dev/null
}

refused() { ! compiles "$@"; }

check_cmd "loader reaches its own header (bfctl.h)" compiles loader bfctl.h
check_cmd "loader reaches lib/ (config.h) and include/ (bifrost_abi.h)" \
	eval 'compiles loader config.h && compiles loader bifrost_abi.h'
check_cmd "bifrost-host reaches its own headers (worker.h, vhost/virtq.h)" \
	eval 'compiles host-afxdp worker.h && compiles host-afxdp vhost/virtq.h'
check_cmd "bifrost-host reaches lib/ (mtu.h) and include/ (bifrost_zced_wire.h)" \
	eval 'compiles host-afxdp mtu.h && compiles host-afxdp bifrost_zced_wire.h'
check_cmd "loader cannot include bifrost-host's worker.h" refused loader worker.h
check_cmd "loader cannot include bifrost-host's offload/gro.h" refused loader offload/gro.h
check_cmd "bifrost-host cannot include bifrostctl's bfctl.h" refused host-afxdp bfctl.h
check_cmd "bifrost-host cannot include bifrostctl's stats.h" refused host-afxdp stats.h
check_cmd "lib/ cannot include bifrostctl's bfctl.h" refused lib bfctl.h
check_cmd "lib/ cannot include bifrost-host's worker.h" refused lib worker.h
check_cmd "the tools cannot include either program's headers" \
	eval 'refused tools bfctl.h && refused tools worker.h'
# a quoted include searches the including file's folder first: "../x/y.h"
# would step around the include paths, so no source or header may use one
check_eq "no relative include (#include \"../\") outside tests/" \
	"$(grep -rn --include='*.[ch]' '#include "\.\./' lib loader host-afxdp bpf include tools)" ""
