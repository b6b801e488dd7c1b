#!/bin/bash
# Smoke test of every libFuzzer harness (tests/fuzz/fuzz_*.c): about 3 s
# each from its seed corpus, one PASS/FAIL line per harness. A harness that
# is not built (clang's libFuzzer runtime missing) fails, never skips.
cd "$(dirname "$0")/../.." && exec bash tests/fuzz/run.sh --smoke "${FUZZ_SMOKE_SECONDS:-3}"
