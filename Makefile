# Bifrost build. `make` builds the host programs, the BPF object, the test
# tools and unit tests; `make guest` the guest image and kernel modules (slow;
# test, test-guest, demo, eval and bench-guest need them); `make test` runs
# every test as root (test-unit, test-host, test-guest: one tier of them),
# `make demo` the main job, `make deps` installs Debian packages.

BUILD      ?= build
CC         ?= gcc
CLANG      ?= clang
BPFTOOL    ?= bpftool
ARCH_INC   := /usr/include/$(shell uname -m)-linux-gnu

CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Ibpf -I$(BUILD) -Ilib -Ihost-afxdp -Iloader -Itests/tools
BPF_CFLAGS := -O2 -g -target bpf -I$(ARCH_INC) -Ibpf -Wall -Werror
LDLIBS     := -lxdp -lbpf -lelf -lz -lpthread

BPF_OBJ    := $(BUILD)/bifrost_xdp.bpf.o
SKEL       := $(BUILD)/bifrost_xdp.skel.h

# Sources with a main() are programs; everything else is library code that
# the unit tests link against too.
CTL_MAIN   := loader/bifrostctl.c
HOST_MAIN  := host-afxdp/bifrost_host.c
LIB_SRCS   := $(filter-out $(CTL_MAIN) $(HOST_MAIN),$(wildcard lib/*.c loader/*.c host-afxdp/*.c))
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
# Each compile writes the headers it read to a hidden .NAME.d next to its
# output (included below), so touching a header rebuilds exactly its users.
DEPFLAGS    = -MMD -MP -MT $@ -MF $(@D)/.$(@F).d

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
TOOL_SRCS  := $(wildcard tests/tools/*.c)
TOOL_BINS  := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

PROGS      := $(BUILD)/bifrostctl $(BUILD)/bifrostctl-static \
              $(if $(wildcard $(HOST_MAIN)),$(BUILD)/bifrost-host)

.PHONY: all guest deps deps-bench deps-eval eval test test-unit test-host test-guest test-host-matrix unit demo bench bench-host bench-guest clean vm-image
all: $(BPF_OBJ) $(SKEL) $(PROGS) $(UNIT_BINS) $(TOOL_BINS)

# A failed rule leaves no half-written output behind.
.DELETE_ON_ERROR:

# What the VM tests, the demo and the benchmarks boot: the guest image and
# the guest kernel modules.
guest: vm-image guest-modules

# Guest kernel modules, built out of tree against Debian's headers for the
# guest kernel: bifrost_zced, and virtio_ring, virtio_net and tls from
# Debian's linux-source-6.1 with guest-driver/patches applied (build.sh).
GUEST_KVER ?= 6.1.0-56-amd64
GUEST_KDIR ?= /lib/modules/$(GUEST_KVER)/build
GUEST_MODS := $(addprefix $(BUILD)/guest/,bifrost_zced.ko bifrost_virtio_ring.ko \
              bifrost_virtio_net.ko bifrost_tls.ko)
GUEST_SRCS := guest-driver/build.sh $(wildcard guest-driver/bifrost_zced/* \
              guest-driver/patches/*.patch guest-driver/kbuild/*)
.PHONY: guest-modules checkpatch
guest-modules: $(BUILD)/guest/.built
$(BUILD)/guest/.built: $(GUEST_SRCS)
	bash guest-driver/build.sh $(BUILD)/guest $(GUEST_KDIR)
	@touch $@

# Kernel style of the guest patches and module (Debian's checkpatch.pl) and
# the module's kernel-doc (scripts/kernel-doc).
checkpatch: guest
	for p in guest-driver/patches/*.patch; do \
		perl $(BUILD)/guest/pristine/scripts/checkpatch.pl --no-tree -q - < $$p || exit 1; done
	for f in guest-driver/bifrost_zced/*.[ch]; do \
		ign=$$(awk -v f="$$(basename $$f)" '$$1 == f {print "--ignore", $$2}' guest-driver/checkpatch.ignore); \
		perl $(BUILD)/guest/pristine/scripts/checkpatch.pl --no-tree -q -f $$ign $(CURDIR)/$$f || exit 1; done
	for f in guest-driver/bifrost_zced/*.c; do \
		out=$$(perl $(BUILD)/guest/pristine/scripts/kernel-doc -none -v $$f 2>&1 | grep -v ': info: '); \
		[ -z "$$out" ] || { echo "$$out"; exit 1; }; done

# Guest image for the VM tests and the demo: Debian's 6.1 kernel, busybox,
# tools; cached (build-image.sh skips work when its inputs are unchanged).
vm-image:
	@bash tests/vm/build-image.sh $(BUILD)/vm

$(BUILD)/%.bpf.o: bpf/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst .,_,$*) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# Library code as an archive: each binary links only the objects it uses
# (the guest image copies the tools with their shared libraries).
LIB_A      := $(BUILD)/libbifrost.a
$(LIB_A): $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bifrostctl: $(BUILD)/obj/$(CTL_MAIN:.c=.o) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Self-contained copy for the 6.1 guest (loads the XDP program there).
$(BUILD)/bifrostctl-static: $(BUILD)/obj/$(CTL_MAIN:.c=.o) $(LIB_A)
	$(CC) $(CFLAGS) -static -o $@ $^ -lbpf -lelf -lz

$(BUILD)/bifrost-host: $(BUILD)/obj/$(HOST_MAIN:.c=.o) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(LIB_A) | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/unit -o $@ $< $(LIB_A) $(LDLIBS)

# the guest's AES-NI GCM block functions, checked in user space against OpenSSL
ZCED_AESNI_T := $(BUILD)/unit/test_zced_aesni $(BUILD)/unit-asan/test_zced_aesni
$(ZCED_AESNI_T): LDLIBS += -lcrypto
$(ZCED_AESNI_T): guest-driver/bifrost_zced/zced_aesni_core.h guest-driver/bifrost_zced/zced_aesni.h

$(BUILD)/tools/%: tests/tools/%.c $(LIB_A) | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -o $@ $< $(LIB_A) -Wl,--as-needed $(LDLIBS) -lssl -lcrypto

# --- Fuzzing and sanitizers -------------------------------------------------
# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c -> $(BUILD)/fuzz/fuzz_NAME, seed
# corpus tests/fuzz/corpus/NAME/) and the unit tests built a second time
# under ASan+UBSan ($(BUILD)/unit-asan). Each links its own copy of the
# library, compiled with the same sanitizers. `make fuzz` runs every
# harness for FUZZ_SECONDS; `make test` runs a short smoke of each
# (tests/host/t_fuzz_smoke.sh) and the sanitized unit tests (tests/run.sh).
SAN_CFLAGS   := $(filter-out -O%,$(CFLAGS)) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRCS))
FUZZ_LIB_A   := $(FUZZ_DIR)/libbifrost.a
FUZZ_SECONDS ?= 60
# Harness names to run (e.g. "parse config"); empty: all.
FUZZ_ONLY    ?=
ASAN_DIR     := $(BUILD)/unit-asan
ASAN_BINS    := $(patsubst tests/unit/%.c,$(ASAN_DIR)/%,$(UNIT_SRCS))
ASAN_LIB_A   := $(ASAN_DIR)/libbifrost.a
# clang's libFuzzer runtime (Debian: libclang-rt-14-dev, from `make deps`).
FUZZ_RT      := $(wildcard $(shell $(CLANG) -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(shell uname -m).a)
ifeq ($(FUZZ_RT),)
$(warning clang's libFuzzer runtime is missing (Debian: libclang-rt-14-dev; run `make deps`): the fuzz harnesses are not built and their tests fail)
endif

all: $(if $(FUZZ_RT),$(FUZZ_BINS)) $(ASAN_BINS)
# tests/run.sh runs build/unit-asan too: never a stale copy
unit: $(ASAN_BINS)

$(FUZZ_DIR)/obj/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(CLANG) $(SAN_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB_A): $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRCS))
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_A) | $(SKEL)
	@mkdir -p $(@D)
	$(CLANG) $(SAN_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer -Itests/fuzz -Itests/unit -o $@ $< \
		$(FUZZ_LIB_A) $(LDLIBS)

$(ASAN_DIR)/obj/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(ASAN_LIB_A): $(patsubst %.c,$(ASAN_DIR)/obj/%.o,$(LIB_SRCS))
	rm -f $@ && ar rcs $@ $^

$(ASAN_DIR)/test_%: tests/unit/test_%.c $(ASAN_LIB_A) | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(DEPFLAGS) -Itests/unit -o $@ $< $(ASAN_LIB_A) $(LDLIBS)

.PHONY: fuzz fuzz-build fuzz-runtime unit-asan
fuzz-build: $(FUZZ_BINS)
unit-asan: $(ASAN_BINS)

fuzz-runtime:
	@test -n "$(FUZZ_RT)" || { echo "fuzz: clang's libFuzzer runtime (libclang_rt.fuzzer) is missing;" \
		"install libclang-rt-14-dev (make deps)"; exit 1; }

fuzz: fuzz-runtime
	@$(MAKE) --no-print-directory fuzz-build
	@BUILD=$(BUILD) bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_ONLY)
# -----------------------------------------------------------------------------

# The kernels `make test-host-matrix` boots as the host (Debian's, unpacked
# under $(BUILD)/vm/cache like the guest kernel; tests/vm/hostkernel-deps.sh).
HOST_MATRIX_KERNELS ?= 6.1.0-56-amd64 6.12.118+deb12-amd64
HOST_MATRIX_TESTS   ?=

deps:
	@bash tests/lib/deps.sh
	@bash tests/vm/deps.sh $(BUILD)/vm/cache
	@bash tests/vm/hostkernel-deps.sh $(BUILD)/vm/cache $(HOST_MATRIX_KERNELS)

# The peer backends of bench-host, demo and eval (tests/lib/peers.sh): DPDK
# testpmd with its vhost/af_xdp/tap PMDs, Open vSwitch with DPDK (the system's
# OVS service is neither started nor enabled). t_vm_peers runs the ones found.
deps-bench: deps
	@bash tests/lib/deps-bench.sh

# The paper's evaluation side by side (tests/eval/README.md): every mode and
# peer backend, TLS bulk, nginx, Redis, Memcached; build/eval/report.md.
# QUICK=1: fewer cells, shorter phases (what make test runs).
deps-eval: deps-bench

eval: deps-eval
	@$(MAKE) --no-print-directory all guest
	@BUILD=$(BUILD) EVAL_QUICK=$(if $(filter 1,$(QUICK)),1,0) bash tests/eval/eval.sh

unit: $(UNIT_BINS)
	@BUILD=$(BUILD) bash tests/run.sh --tier unit

# test, demo and bench install what they need first (quiet when present), so
# the README's quick start is two commands on a fresh machine.
# The tiers (tests/run.sh): unit tests (no root), host integration tests
# (tests/host: namespaces, veths, no guest), guest tests (tests/guest: QEMU
# guests, libvirt, the guest patches; need `make guest`); test runs all three.
test: deps
	@$(MAKE) --no-print-directory all guest
	@BUILD=$(BUILD) bash tests/run.sh

test-unit: all
	@BUILD=$(BUILD) bash tests/run.sh --tier unit

test-host: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash tests/run.sh --tier host

test-guest: deps
	@$(MAKE) --no-print-directory all guest
	@BUILD=$(BUILD) bash tests/run.sh --tier guest

# A named subset of the host tier under each of HOST_MATRIX_KERNELS, booted
# as the host under QEMU/TCG on this machine's userland (tests/vm/host-matrix.sh,
# tests/vm/hostkernel.sh); HOST_MATRIX_TESTS="t_a t_b" picks other tests.
test-host-matrix: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) HOST_MATRIX_KERNELS="$(HOST_MATRIX_KERNELS)" \
		HOST_MATRIX_TESTS="$(HOST_MATRIX_TESTS)" bash tests/vm/host-matrix.sh

demo: deps-bench
	@$(MAKE) --no-print-directory all guest
	@BUILD=$(BUILD) bash tests/demo.sh

bench: bench-host bench-guest

bench-host: deps-bench
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash tests/bench_host.sh

# The guest's single-pass AEAD vs gcm(aes), under -icount (tests/guest-bench).
$(BUILD)/guest/bf_aead_bench.ko: tests/guest-bench/bf_aead_bench.c tests/guest-bench/Kbuild \
		$(BUILD)/guest/.built
	@rm -rf $(BUILD)/guest/bench && mkdir -p $(BUILD)/guest/bench
	@cp tests/guest-bench/bf_aead_bench.c tests/guest-bench/Kbuild $(BUILD)/guest/bench/
	$(MAKE) -s -C $(GUEST_KDIR) M=$(abspath $(BUILD)/guest/bench) \
		KBUILD_EXTRA_SYMBOLS=$(abspath $(BUILD)/guest/zced/Module.symvers) \
		BF_ZCED_INC=$(abspath guest-driver/bifrost_zced) modules
	@cp $(BUILD)/guest/bench/bf_aead_bench.ko $@

bench-guest: deps
	@$(MAKE) --no-print-directory all guest $(BUILD)/guest/bf_aead_bench.ko
	@BUILD=$(BUILD) bash tests/bench_guest.sh

# --- Install ----------------------------------------------------------------
# `make install [PREFIX=/usr/local] [DESTDIR=]`: the programs, the BPF object
# (for `bifrostctl reload --prog`; bifrostctl carries its own copy), man
# pages, an example config and the systemd units, their paths substituted
# from packaging/systemd/*.in. /etc is under DESTDIR, not PREFIX; the units go
# to /lib/systemd/system when PREFIX=/usr.
PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    := $(PREFIX)/sbin
BFLIBDIR   := $(PREFIX)/lib/bifrost
MANDIR     := $(PREFIX)/share/man
DOCDIR     := $(PREFIX)/share/doc/bifrost
SYSCONFDIR := /etc/bifrost
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
UNITS      := bifrost-attach@.service bifrost-host@.service
MAN8       := loader/bifrostctl.8 host-afxdp/bifrost-host.8
MAN5       := loader/bifrost.conf.5
EXAMPLE    := packaging/bifrost.conf.example
INSTALLED  := $(SBINDIR)/bifrostctl $(SBINDIR)/bifrost-host $(BFLIBDIR)/bifrost_xdp.bpf.o \
              $(addprefix $(MANDIR)/man8/,$(notdir $(MAN8))) $(MANDIR)/man5/$(notdir $(MAN5)) \
              $(DOCDIR)/bifrost.conf.example $(SYSCONFDIR)/bifrost.conf.example \
              $(addprefix $(UNITDIR)/,$(UNITS))

.PHONY: install uninstall
install: $(BUILD)/bifrostctl $(BUILD)/bifrost-host $(BPF_OBJ)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BFLIBDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/bifrostctl $(BUILD)/bifrost-host $(DESTDIR)$(SBINDIR)/
	install -m 644 $(BPF_OBJ) $(DESTDIR)$(BFLIBDIR)/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(EXAMPLE) $(DESTDIR)$(DOCDIR)/
	install -m 644 $(EXAMPLE) $(DESTDIR)$(SYSCONFDIR)/
	for u in $(UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
			packaging/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u || exit 1; done

# Removes what install put there; an operator's /etc/bifrost/bifrost.conf stays.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(BFLIBDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR) 2>/dev/null
# -----------------------------------------------------------------------------

clean:
	rm -rf $(BUILD)

# The header dependencies the compiles recorded (DEPFLAGS).
-include $(wildcard $(BUILD)/.*.d $(BUILD)/obj/*/.*.d $(BUILD)/unit/.*.d $(BUILD)/tools/.*.d \
	$(FUZZ_DIR)/.*.d $(FUZZ_DIR)/obj/*/.*.d $(ASAN_DIR)/.*.d $(ASAN_DIR)/obj/*/.*.d)
