# mk/eval.mk - the main job and the measurements: `make demo`, `make eval`,
# `make bench`, `make bench-host`, `make bench-guest`.
.PHONY: demo eval bench bench-host bench-guest

# build, bring up XDP + bifrost-host + a QEMU guest, move TLS traffic, print
# the I/O-tax report
demo: deps-bench
	@$(MAKE) --no-print-directory all tools guest
	@BUILD=$(BUILD) bash eval/demo.sh

# The paper's evaluation side by side (eval/README.md): every mode and
# peer backend, TLS bulk, nginx, Redis, Memcached; build/eval/report.md.
# QUICK=1: fewer cells, shorter phases (what make test runs).
eval: deps-eval
	@$(MAKE) --no-print-directory all tools guest
	@BUILD=$(BUILD) EVAL_QUICK=$(if $(filter 1,$(QUICK)),1,0) bash eval/eval.sh

bench: bench-host bench-guest

bench-host: deps-bench
	@$(MAKE) --no-print-directory all tools
	@BUILD=$(BUILD) bash eval/bench_host.sh

# The guest's single-pass AEAD vs gcm(aes), under -icount (eval/guest-bench).
# Built for the guest kernel line (GUEST_LINE), next to its modules.
$(GUEST_DIR)/bf_aead_bench.ko: eval/guest-bench/bf_aead_bench.c eval/guest-bench/Kbuild \
		$(GUEST_DIR)/.built
	@rm -rf $(GUEST_DIR)/bench && mkdir -p $(GUEST_DIR)/bench
	@cp eval/guest-bench/bf_aead_bench.c eval/guest-bench/Kbuild $(GUEST_DIR)/bench/
	$(MAKE) -s -C $(GUEST_KDIR) M=$(abspath $(GUEST_DIR)/bench) \
		KBUILD_EXTRA_SYMBOLS=$(abspath $(GUEST_DIR)/zced/Module.symvers) \
		BF_ZCED_INC=$(abspath guest-driver/bifrost_zced) modules
	@cp $(GUEST_DIR)/bench/bf_aead_bench.ko $@

bench-guest: deps
	@$(MAKE) --no-print-directory all tools guest $(GUEST_DIR)/bf_aead_bench.ko
	@BUILD=$(BUILD) bash eval/bench_guest.sh
