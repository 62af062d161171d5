# tests/fuzz/fuzz.mk - libFuzzer targets for the pure modules (included by
# the top-level Makefile). Each target is built from the SAME .c files as
# the hypervisor, hosted (-DAPFV_HOSTED), with clang's libFuzzer and
# ASan/UBSan that stop at the first error; docs/reliability.md ("Fuzzing")
# lists the targets and the invariants each checks.
#
#   make fuzz [FUZZ_TIME=60]  run every target FUZZ_TIME seconds; one line
#                             each with executions and coverage
#   make fuzz-smoke           every target ~5 s: PASS:/FAIL: fuzz/<target>
#                             (part of `make test`); SKIP: without clang
#   make fuzz-repro           run tests/fuzz/crashes/<target>-* (reported
#                             findings) with FUZZ_STRICT=1
#   make build/fuzz/fuzz_apf  build one; run it directly to fuzz or to
#                             replay an input (FUZZ_TRACE=1 narrates)
# New inputs go to build/fuzz/corpus/<target>; the committed seeds in
# tests/fuzz/corpus/<target> (tests/fuzz/mkseeds.py) are only read.

FUZZ_CC        := clang
FUZZ_CFLAGS    := -std=gnu11 -DAPFV_HOSTED -g -O1 \
                  -fsanitize=fuzzer,address,undefined \
                  -fno-sanitize-recover=all -fno-omit-frame-pointer \
                  -Wall -Wextra -Werror
FUZZ_TARGETS   := apf vlapic multiboot loader cmdline decode
FUZZ_TIME      ?= 60
FUZZ_SMOKE_TIME ?= 5
FUZZ_OUT       := $(B)/fuzz
FUZZ_BINS      := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)
FUZZ_HDRS      := tests/fuzz/fuzz.h $(wildcard lib/*.h boot/*.h vmm/*.h \
                  apf/*.h apic/*.h)

# The module sources each target is built from.
FUZZ_SRC_apf       := apf/apf.c
FUZZ_SRC_vlapic    := apic/vlapic.c lib/string.c
FUZZ_SRC_multiboot := boot/multiboot.c lib/string.c lib/fmt.c
FUZZ_SRC_loader    := vmm/loader.c boot/multiboot.c lib/string.c lib/fmt.c
FUZZ_SRC_cmdline   := vmm/cmdline.c lib/string.c lib/fmt.c
FUZZ_SRC_decode    := vmm/decode.c

# Does this clang link a libFuzzer program? (Debian's clang does.)
FUZZ_PROBE = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\
	{ (void)d; (void)n; return 0; }\n' | \
	$(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(FUZZ_OUT)/.probe 2>/dev/null

define FUZZ_PROGRAM
$(FUZZ_OUT)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1)) $(FUZZ_HDRS) \
		tests/fuzz/fuzz.mk
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ tests/fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_PROGRAM,$(t))))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-repro
fuzz-build: $(FUZZ_BINS)

# $(call fuzz_run,SECONDS): build (the targets in parallel), then run.
define fuzz_run
	@mkdir -p $(FUZZ_OUT); \
	if ! command -v $(FUZZ_CC) >/dev/null 2>&1 || ! $(FUZZ_PROBE); then \
		for t in $(FUZZ_TARGETS); do \
			echo "SKIP: fuzz/$$t (no clang with libFuzzer)"; \
		done; \
		exit 0; \
	fi; \
	$(MAKE) --no-print-directory -s -j$$(nproc) fuzz-build || exit 1; \
	sh tests/fuzz/run.sh $(1) $(FUZZ_OUT) $(FUZZ_TARGETS)
endef

fuzz:
	$(call fuzz_run,$(FUZZ_TIME))

fuzz-smoke:
	$(call fuzz_run,$(FUZZ_SMOKE_TIME))

fuzz-repro: $(FUZZ_BINS)
	@fail=0; for f in tests/fuzz/crashes/*-*; do \
		[ -f "$$f" ] || continue; \
		t=$$(basename "$$f" | cut -d- -f1); \
		if FUZZ_STRICT=1 $(FUZZ_OUT)/fuzz_$$t "$$f" >$(FUZZ_OUT)/repro.log 2>&1; \
		then echo "PASS: fuzz-repro/$$(basename $$f) (no longer fails)"; \
		else echo "FAIL: fuzz-repro/$$(basename $$f) (still reproduces:" \
			"$$(grep -m1 -e '^fuzz: ' -e 'ERROR:' $(FUZZ_OUT)/repro.log))"; \
			fail=1; fi; \
	done; exit $$fail
