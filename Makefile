# Bifrost build. The rules live in mk/, one file a concern:
#   mk/build.mk    `make`: the programs (bifrostctl, bifrost-host), the XDP
#                  object and the libraries they link; each part's include path
#   mk/check.mk    `make check` (unit tests, no root), `make test` (every tier,
#                  root), the test tools, sanitizer and fuzz builds, `make lint`
#   mk/guest.mk    `make guest`: the guest image and kernel modules, checkpatch
#   mk/eval.mk     `make demo`, `make eval`, `make bench*`
#   mk/deps.mk     `make deps*`: Debian packages and kernels
#   mk/install.mk  `make install`, `make uninstall`
# The quick start (README.md) is `make demo` then `make test`, as root.

BUILD ?= build
.DEFAULT_GOAL := all

# A failed rule leaves no half-written output behind.
.DELETE_ON_ERROR:

include mk/build.mk
include mk/check.mk
include mk/guest.mk
include mk/eval.mk
include mk/deps.mk
include mk/install.mk

.PHONY: clean
clean:
	rm -rf $(BUILD)

# The header dependencies the compiles recorded (DEPFLAGS in mk/build.mk).
-include $(wildcard $(BUILD)/.*.d) $(shell find $(addprefix $(BUILD)/,obj unit tools fuzz unit-asan adv) \
	-name '.*.d' 2>/dev/null)
