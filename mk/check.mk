# mk/check.mk - what checks the programs: the unit tests, the test tools,
# the unit tests again under ASan+UBSan, the libFuzzer harnesses, the test
# tiers (tests/run.sh) and `make lint`. `make check` builds all of it and runs
# the unit tests (no root); `make test` runs every tier as root.

# Tests see every part of the tree; the tools only the shared headers.
INC_tools  := $(INC_lib) -Itools
INC_tests  := $(INC_lib) -Iloader -Ihost-afxdp -I$(BUILD) -Itools -Itests/unit -Itests/fuzz
TEST_LIBS   = $(CTL_A) $(HOST_A) $(LIB_A)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
TOOL_SRCS  := $(wildcard tools/*.c)
TOOL_BINS  := $(patsubst tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

$(BUILD)/unit/%: tests/unit/%.c $(TEST_LIBS) | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC_tests) $(DEPFLAGS) -o $@ $< $(TEST_LIBS) $(LDLIBS)

# the guest's AES-NI GCM block functions, checked in user space against OpenSSL
ZCED_AESNI_T := $(BUILD)/unit/test_zced_aesni $(BUILD)/unit-asan/test_zced_aesni
$(ZCED_AESNI_T): LDLIBS += -lcrypto

# bifrost-host with the test-only hostile host (--adversary, adversary.h):
# the same sources compiled with BF_ADVERSARY, plus adversary.c; the guest
# tests' attacker. Never installed.
ADV_DIR    := $(BUILD)/adv
ADV_BIN    := $(BUILD)/bifrost-host-adversary
$(ADV_DIR)/obj/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DBF_ADVERSARY $(call src_inc,$<) $(DEPFLAGS) -c $< -o $@

$(ADV_BIN): $(call lib_objs,$(ADV_DIR),$(HOST_MAIN) $(HOST_SRCS) $(ADV_SRC)) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tools/%: tools/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC_tools) $(DEPFLAGS) -o $@ $< $(LIB_A) -Wl,--as-needed $(LDLIBS) -lssl -lcrypto

# --- Sanitizers and fuzzing ---------------------------------------------------
# The unit tests built a second time under ASan+UBSan ($(BUILD)/unit-asan) and
# the libFuzzer harnesses (tests/fuzz/fuzz_NAME.c -> $(BUILD)/fuzz/fuzz_NAME,
# seed corpus tests/fuzz/corpus/NAME/). Each links its own copy of the
# libraries, compiled with the same sanitizers. `make fuzz` runs every harness
# for FUZZ_SECONDS; `make test` a short smoke of each (t_fuzz_smoke) and the
# sanitized unit tests (tests/run.sh).
SAN_CFLAGS   := $(filter-out -O%,$(CFLAGS)) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRCS))
FUZZ_LIBS    := $(FUZZ_DIR)/libbifrost-all.a
FUZZ_SECONDS ?= 60
# Harness names to run (e.g. "parse config"); empty: all.
FUZZ_ONLY    ?=
ASAN_DIR     := $(BUILD)/unit-asan
ASAN_BINS    := $(patsubst tests/unit/%.c,$(ASAN_DIR)/%,$(UNIT_SRCS))
ASAN_LIBS    := $(ASAN_DIR)/libbifrost-all.a
# clang's libFuzzer runtime (Debian: libclang-rt-14-dev, from `make deps`).
FUZZ_RT      := $(wildcard $(shell $(CLANG) -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(shell uname -m).a)

$(FUZZ_DIR)/obj/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(CLANG) $(SAN_CFLAGS) $(call src_inc,$<) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIBS): $(call lib_objs,$(FUZZ_DIR),$(ALL_SRCS))
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIBS) | $(SKEL)
	@mkdir -p $(@D)
	$(CLANG) $(SAN_CFLAGS) $(INC_tests) $(DEPFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_LIBS) $(LDLIBS)

$(ASAN_DIR)/obj/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(call src_inc,$<) $(DEPFLAGS) -c $< -o $@

$(ASAN_LIBS): $(call lib_objs,$(ASAN_DIR),$(ALL_SRCS))
	rm -f $@ && ar rcs $@ $^

$(ASAN_DIR)/test_%: tests/unit/test_%.c $(ASAN_LIBS) | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) $(INC_tests) $(DEPFLAGS) -o $@ $< $(ASAN_LIBS) $(LDLIBS)

.PHONY: fuzz fuzz-build fuzz-runtime unit-asan
fuzz-build: $(FUZZ_BINS)
unit-asan: $(ASAN_BINS)

fuzz-runtime:
	@test -n "$(FUZZ_RT)" || { echo "fuzz: clang's libFuzzer runtime (libclang_rt.fuzzer) is missing;" \
		"install libclang-rt-14-dev (make deps)"; exit 1; }

fuzz: fuzz-runtime
	@$(MAKE) --no-print-directory fuzz-build
	@BUILD=$(BUILD) bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_ONLY)

# --- Test tiers ---------------------------------------------------------------
# Everything the tiers run but the guest: the programs, the unit tests (plain
# and sanitized), the tools and, when clang's runtime is there, the fuzzers.
# A missing runtime is said, and the fuzz smoke test then fails.
tools: $(TOOL_BINS)

.PHONY: tools check-build check test test-unit test-host test-guest test-host-matrix unit
check-build: all $(UNIT_BINS) $(ASAN_BINS) $(TOOL_BINS) $(ADV_BIN) $(if $(FUZZ_RT),$(FUZZ_BINS))
	@test -n "$(FUZZ_RT)" || echo "warning: clang's libFuzzer runtime is missing" \
		"(Debian: libclang-rt-14-dev; run make deps): the fuzz harnesses are not built" \
		"and their smoke test fails" >&2

# The unit tier (no root): plain and sanitized unit tests.
check: check-build
	@BUILD=$(BUILD) bash tests/run.sh --tier unit
test-unit unit: check

# test installs what it needs first (quiet when present), so the README's
# quick start is two commands on a fresh machine. The tiers (tests/run.sh):
# unit, host (tests/host: namespaces, veths, no guest), guest (tests/guest:
# QEMU guests, libvirt, the guest patches; need `make guest`), guest-lines
# (the guest tests that depend on the guest kernel, on the other guest
# kernel lines), matrix (a host subset under other host kernels); test runs
# them all.
test: deps
	@$(MAKE) --no-print-directory check-build guest-lines
	@BUILD=$(BUILD) bash tests/run.sh

test-host: deps
	@$(MAKE) --no-print-directory check-build
	@BUILD=$(BUILD) bash tests/run.sh --tier host

test-guest: deps
	@$(MAKE) --no-print-directory check-build guest-lines
	@BUILD=$(BUILD) bash tests/run.sh --tier guest
	@BUILD=$(BUILD) bash tests/run.sh --tier guest-lines

# The hostile-backend campaign against the guest (tests/guest/t_vm_campaign.sh:
# bifrost-host-adversary --adversary fuzz): FUZZ_GUEST_RUNS runs of
# FUZZ_GUEST_SECS seconds of attack each, seeds FUZZ_GUEST_SEED, +1, ...;
# one packet in FUZZ_GUEST_RATE mutated; fails on any FAIL line, or when the
# script stops before its summary. make test runs 2 runs of 40 s.
FUZZ_GUEST_RUNS ?= 8
FUZZ_GUEST_SECS ?= 120
FUZZ_GUEST_SEED ?= 1
FUZZ_GUEST_RATE ?= 4
.PHONY: fuzz-guest
fuzz-guest: deps
	@$(MAKE) --no-print-directory check-build guest
	@BUILD=$(BUILD) CAMPAIGN_RUNS=$(FUZZ_GUEST_RUNS) CAMPAIGN_SECS=$(FUZZ_GUEST_SECS) \
		CAMPAIGN_SEED=$(FUZZ_GUEST_SEED) CAMPAIGN_RATE=$(FUZZ_GUEST_RATE) \
		bash -c 'set -o pipefail; bash tests/guest/t_vm_campaign.sh | tee $(BUILD)/fuzz-guest.log'
	@grep -q '^INFO: campaign: ' $(BUILD)/fuzz-guest.log && ! grep -q '^FAIL' $(BUILD)/fuzz-guest.log

# A named subset of the host tier under each of HOST_MATRIX_KERNELS, booted
# as the host under QEMU/TCG on this machine's userland (tests/matrix/host-matrix.sh,
# vm/hostkernel.sh); HOST_MATRIX_TESTS="t_a t_b" picks other tests.
HOST_MATRIX_TESTS ?=
test-host-matrix: deps
	@$(MAKE) --no-print-directory check-build
	@BUILD=$(BUILD) HOST_MATRIX_KERNELS="$(HOST_MATRIX_KERNELS)" \
		HOST_MATRIX_TESTS="$(HOST_MATRIX_TESTS)" bash tests/matrix/host-matrix.sh

# --- Lint ---------------------------------------------------------------------
# Functions of the programs, the libraries and the XDP program stay short
# (mk/fnlen.awk: at most 60 lines), and the guest patches and module
# keep kernel style (checkpatch in mk/guest.mk).
LINT_SRCS := $(LIB_SRCS) $(CTL_SRCS) $(HOST_SRCS) $(CTL_MAIN) $(HOST_MAIN) $(wildcard bpf/*.c)
.PHONY: lint fnlen
fnlen:
	@out=$$(awk -f mk/fnlen.awk $(LINT_SRCS)); \
		[ -z "$$out" ] || { echo "functions over 60 lines:"; echo "$$out"; exit 1; }
lint: fnlen checkpatch

# The include path of a part (PART=lib, loader, host-afxdp, tools), for
# tests/host/t_lint.sh.
.PHONY: print-inc
print-inc:
	@echo $(INC_$(PART))
