# tests/unit/unit.mk - host unit tests of the pure modules (included by the
# top-level Makefile). Each module's test program is built from the SAME .c
# files as the hypervisor, hosted (-DAPFV_HOSTED: lib/string.h uses libc),
# with ASan/UBSan that stop at the first error, and run on cmocka.
#
#   make unit-test      build and run all; one PASS:/FAIL: line per test,
#                       then SUMMARY; exits non-zero on any failure
#   make build/host/test_ept   build one program (run it directly to debug)

UNIT_CC      := gcc
UNIT_CFLAGS  := -std=gnu11 -DAPFV_HOSTED -g -O1 \
                -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer -Wall -Wextra -Werror
UNIT_LIBS    := -lcmocka
UNIT_MODULES := cmdline multiboot palloc ept caps loader apf uart cpuid vlapic decode gwalk pager mce fwcfg pcdev
UNIT_COMMON  := tests/unit/env_host.c lib/string.c lib/fmt.c
UNIT_HDRS    := $(wildcard lib/*.h boot/*.h vmm/*.h vmx/*.h ept/*.h \
                apf/*.h apic/*.h tests/unit/*.h)
UNIT_LOG     := $(B)/host/unit-test.log
UNIT_BINS    := $(UNIT_MODULES:%=$(B)/host/test_%)

# The module sources each test program is built from.
UNIT_SRC_cmdline   := vmm/cmdline.c
UNIT_SRC_multiboot := boot/multiboot.c
UNIT_SRC_palloc    := vmm/palloc.c
UNIT_SRC_ept       := ept/ept.c
UNIT_SRC_caps      := vmx/caps.c
UNIT_SRC_loader    := vmm/loader.c
UNIT_SRC_apf       := apf/apf.c
UNIT_SRC_uart      := vmm/uart.c
UNIT_SRC_cpuid     := vmm/cpuid.c
UNIT_SRC_vlapic    := apic/vlapic.c
UNIT_SRC_decode    := vmm/decode.c
UNIT_SRC_gwalk     := vmm/gwalk.c
UNIT_SRC_pager     := apf/pager.c
UNIT_SRC_mce       := vmm/mce.c
UNIT_SRC_fwcfg     := vmm/fwcfg.c
UNIT_SRC_pcdev     := vmm/pcdev.c

define UNIT_PROGRAM
$(B)/host/test_$(1): tests/unit/test_$(1).c $(UNIT_SRC_$(1)) $(UNIT_COMMON) \
		$(UNIT_HDRS) tests/unit/unit.mk
	@mkdir -p $$(dir $$@)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $$@ tests/unit/test_$(1).c \
		$(UNIT_SRC_$(1)) $(UNIT_COMMON) $(UNIT_LIBS)
endef
$(foreach m,$(UNIT_MODULES),$(eval $(call UNIT_PROGRAM,$(m))))

.PHONY: unit-test unit-build
unit-build: $(UNIT_BINS)

unit-test: $(UNIT_BINS)
	@mkdir -p $(dir $(UNIT_LOG)); rm -f $(UNIT_LOG); touch $(UNIT_LOG); \
	fail=0; \
	for m in $(UNIT_MODULES); do \
		sh tests/unit/run.sh $$m $(B)/host/test_$$m $(UNIT_LOG) || fail=1; \
	done; \
	echo "SUMMARY: unit: $$(grep -c '^' $(UNIT_LOG)) tests," \
	     "$$(grep -c '^FAIL:' $(UNIT_LOG)) failures"; \
	exit $$fail
