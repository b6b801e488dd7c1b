# mk/guest.mk - what the VM tests, the demo and the benchmarks boot: the guest
# image and the guest kernel modules; the kernel style of the guest half.
.PHONY: guest guest-lines guest-modules vm-image checkpatch
guest: vm-image guest-modules

# Every line's image and modules (make test runs the guest tests on each).
guest-lines:
	@for l in $(GUEST_LINES); do $(MAKE) --no-print-directory guest GUEST_LINE=$$l || exit 1; done

# The guest kernel line (guest-driver/lines.sh, the one table of the lines:
# kernel, headers, source, modules): GUEST_LINE=6.12 picks Debian's 6.12, the
# default is the table's (BF_LINE_DEFAULT there). Exported, with the VM
# cache the table's paths are in, to every script make runs (the tests, the
# demo, eval), which read it the same way.
GUEST_LINES := $(shell bash guest-driver/lines.sh --list)
GUEST_LINE ?= $(shell bash guest-driver/lines.sh --default)
BF_VM_CACHE ?= $(abspath $(BUILD))/vm/cache
export GUEST_LINE BF_VM_CACHE
guest_line_field = $(shell BF_VM_CACHE=$(BF_VM_CACHE) bash guest-driver/lines.sh $(1) $(2))
GUEST_KVER := $(call guest_line_field,$(GUEST_LINE),KVER)
$(if $(GUEST_KVER),,$(error GUEST_LINE=$(GUEST_LINE) is not a guest kernel line ($(GUEST_LINES))))

# Guest kernel modules, built out of tree against Debian's headers for the
# line's kernel (GUEST_KDIR): bifrost_zced, and virtio_ring (6.1 only),
# virtio_net and tls from Debian's linux-source of the line with
# guest-driver/patches/LINE applied (build.sh), into $(BUILD)/guest/LINE/:
# the lines' builds live side by side.
GUEST_KDIR ?= $(call guest_line_field,$(GUEST_LINE),KDIR)
GUEST_DIR  := $(BUILD)/guest/$(GUEST_LINE)
GUEST_MODS := $(addprefix $(GUEST_DIR)/,$(addsuffix .ko,$(call guest_line_field,$(GUEST_LINE),MODS)))
GUEST_SRCS_COMMON := guest-driver/build.sh guest-driver/lines.sh $(wildcard \
              guest-driver/bifrost_zced/* guest-driver/kbuild/*) include/bifrost_zced_wire.h
guest-modules: $(GUEST_DIR)/.built
$(GUEST_MODS): $(GUEST_DIR)/.built
$(GUEST_DIR)/.built: $(GUEST_SRCS_COMMON) $(wildcard guest-driver/patches/$(GUEST_LINE)/*.patch)
	bash guest-driver/build.sh $(GUEST_LINE) $(GUEST_DIR) $(GUEST_KDIR)
	@touch $@

# Kernel style of every line's patches (that line's checkpatch.pl, from its
# pristine source: build.sh --pristine) and of the module (every line's
# checkpatch.pl), and the module's kernel-doc (scripts/kernel-doc).
checkpatch:
	@for l in $(GUEST_LINES); do bash guest-driver/build.sh --pristine $$l $(BUILD)/guest/$$l || exit 1; done
	for l in $(GUEST_LINES); do cp=$(BUILD)/guest/$$l/pristine/scripts/checkpatch.pl; \
		for p in guest-driver/patches/$$l/*.patch; do [ -e $$p ] || continue; \
			perl $$cp --no-tree -q - < $$p || exit 1; done; \
		for f in guest-driver/bifrost_zced/*.[ch] include/bifrost_zced_wire.h; do \
			ign=$$(awk -v f="$$(basename $$f)" '$$1 == f {print "--ignore", $$2}' guest-driver/checkpatch.ignore); \
			perl $$cp --no-tree -q -f $$ign $(CURDIR)/$$f || exit 1; done; done
	for l in $(GUEST_LINES); do for f in guest-driver/bifrost_zced/*.c; do \
		out=$$(perl $(BUILD)/guest/$$l/pristine/scripts/kernel-doc -none -v $$f 2>&1 | grep -v ': info: '); \
		[ -z "$$out" ] || { echo "$$out"; exit 1; }; done; done

# Guest image of the line for the VM tests and the demo ($(BUILD)/vm/LINE/):
# Debian's kernel of the line, busybox, tools; cached (build-image.sh skips
# work when its inputs are unchanged).
vm-image: $(BUILD)/vm/bf-insn-count.so
	@bash vm/build-image.sh --line $(GUEST_LINE) $(BUILD)/vm/$(GUEST_LINE)

# The exact guest instruction counter (a QEMU TCG plugin, launch.sh
# --insn-count), built against the installed QEMU's plugin header.
$(BUILD)/vm/bf-insn-count.so: vm/tcg-insn-count.c vm/bf-mark.h vm/qemu-plugin-header.sh
	@mkdir -p $(dir $@)
	hdr=$$(bash vm/qemu-plugin-header.sh $(BF_VM_CACHE)) && \
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -I$$hdr -Ivm -o $@ $<
