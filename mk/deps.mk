# mk/deps.mk - the Debian packages and kernels the build, the tests and the
# measurements need. Each installer is quiet when all is there and says what
# it cannot get.
.PHONY: deps deps-bench deps-eval

# The kernels `make test-host-matrix` boots as the host (Debian's, unpacked
# under $(BUILD)/vm/cache like the guest kernel; deps/hostkernels.sh).
HOST_MATRIX_KERNELS ?= 6.1.0-56-amd64 6.12.118+deb12-amd64

# The guest kernel lines (guest-driver/lines.sh): deps/vm.sh unpacks each
# line's kernel, deps/guest-kernel.sh fetches the headers and source the
# guest modules are built from (the lines not installed by deps/base.sh).
deps:
	@bash deps/base.sh
	@bash deps/vm.sh $(BUILD)/vm/cache
	@bash deps/guest-kernel.sh $(BUILD)/vm/cache
	@bash deps/hostkernels.sh $(BUILD)/vm/cache $(HOST_MATRIX_KERNELS)

# The peer backends of bench-host, demo and eval (eval/peers.sh): DPDK
# testpmd with its vhost/af_xdp/tap PMDs, Open vSwitch with DPDK (the system's
# OVS service is neither started nor enabled). t_vm_peers runs the ones found.
deps-bench: deps
	@bash deps/bench.sh

deps-eval: deps-bench
