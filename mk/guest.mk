# mk/guest.mk - what the VM tests, the demo and the benchmarks boot: the guest
# image and the guest kernel modules; the kernel style of the guest half.
.PHONY: guest guest-modules vm-image checkpatch
guest: vm-image guest-modules

# Guest kernel modules, built out of tree against Debian's headers for the
# guest kernel: bifrost_zced, and virtio_ring, virtio_net and tls from
# Debian's linux-source-6.1 with guest-driver/patches applied (build.sh).
GUEST_KVER ?= 6.1.0-56-amd64
GUEST_KDIR ?= /lib/modules/$(GUEST_KVER)/build
GUEST_MODS := $(addprefix $(BUILD)/guest/,bifrost_zced.ko bifrost_virtio_ring.ko \
              bifrost_virtio_net.ko bifrost_tls.ko)
GUEST_SRCS := guest-driver/build.sh $(wildcard guest-driver/bifrost_zced/* \
              guest-driver/patches/*.patch guest-driver/kbuild/*) include/bifrost_zced_wire.h
guest-modules: $(BUILD)/guest/.built
$(BUILD)/guest/.built: $(GUEST_SRCS)
	bash guest-driver/build.sh $(BUILD)/guest $(GUEST_KDIR)
	@touch $@

# Kernel style of the guest patches and module (Debian's checkpatch.pl) and
# the module's kernel-doc (scripts/kernel-doc).
checkpatch: guest-modules
	for p in guest-driver/patches/*.patch; do \
		perl $(BUILD)/guest/pristine/scripts/checkpatch.pl --no-tree -q - < $$p || exit 1; done
	for f in guest-driver/bifrost_zced/*.[ch] include/bifrost_zced_wire.h; do \
		ign=$$(awk -v f="$$(basename $$f)" '$$1 == f {print "--ignore", $$2}' guest-driver/checkpatch.ignore); \
		perl $(BUILD)/guest/pristine/scripts/checkpatch.pl --no-tree -q -f $$ign $(CURDIR)/$$f || exit 1; done
	for f in guest-driver/bifrost_zced/*.c; do \
		out=$$(perl $(BUILD)/guest/pristine/scripts/kernel-doc -none -v $$f 2>&1 | grep -v ': info: '); \
		[ -z "$$out" ] || { echo "$$out"; exit 1; }; done

# Guest image for the VM tests and the demo: Debian's 6.1 kernel, busybox,
# tools; cached (build-image.sh skips work when its inputs are unchanged).
vm-image:
	@bash vm/build-image.sh $(BUILD)/vm
