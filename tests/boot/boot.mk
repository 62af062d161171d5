# tests/boot/boot.mk - boot media, running, testing and debugging targets.
# Included by the top Makefile; scripts live in scripts/ and tests/boot/.
#
#   make iso       build/apfvisor.iso: BIOS GRUB ISO, apfvisor + guest
#   make iso-uefi  build/apfvisor-uefi.iso: BIOS+UEFI hybrid
#   make netboot   TFTP root in DIR (default build/netboot) for BIOS/UEFI PXE
#   make run       the ISO on Bochs (the VMX CPU), serial log on the terminal;
#                  exit status 0 only if the run succeeded
#   make test      deps, build, unit tests, boot scenarios; last line
#                  "N passed, M failed[, K skipped]"
#   make boot-test the boot scenarios alone (SCENARIO='glob ...' to pick)
#   make debug     QEMU -s -S -kernel (gdb on :1234), for boot/ code
#   make bochs-debug  Bochs' internal debugger on the ISO, for VMX work
#
# Variables: ARGS (hypervisor command line), GUEST (guest image, default
# build/guest-stub.elf, or none), GUEST_ARGS, MODEL (Bochs CPU model,
# default corei7_icelake_u), MEGS (Bochs RAM, 256), RUN_TIMEOUT (120 s),
# DIR (netboot), JOBS (parallel boot scenarios, 2).

ARGS        ?=
GUEST_ARGS  ?=
GUEST       ?= $(B)/guest-stub.elf
MODEL       ?= corei7_icelake_u
MEGS        ?= 256
RUN_TIMEOUT ?= 120
DIR         ?= $(B)/netboot
SCENARIO    ?=

# Quote $(1) for the shell: 'it'\''s'
boot_shq = '$(subst ','\'',$(1))'
# The guest as a prerequisite (nothing for GUEST=none).
BOOT_GUEST_DEP = $(filter-out none,$(GUEST))
BOOT_MEDIA = --kernel $(B)/apfvisor.elf --guest $(call boot_shq,$(GUEST)) \
	--args $(call boot_shq,$(ARGS)) --guest-args $(call boot_shq,$(GUEST_ARGS))

.PHONY: deps iso iso-uefi netboot run test boot-test debug bochs-debug

deps:
	@scripts/deps.sh

iso: $(B)/apfvisor.elf $(BOOT_GUEST_DEP)
	scripts/mkiso.sh $(BOOT_MEDIA) $(B)/apfvisor.iso
	@echo "iso: $(B)/apfvisor.iso"

iso-uefi: $(B)/apfvisor.elf $(BOOT_GUEST_DEP)
	scripts/mkiso.sh --uefi $(BOOT_MEDIA) $(B)/apfvisor-uefi.iso
	@echo "iso-uefi: $(B)/apfvisor-uefi.iso"

netboot: $(B)/apfvisor.elf $(BOOT_GUEST_DEP)
	scripts/mknetdir.sh $(BOOT_MEDIA) $(call boot_shq,$(DIR))
	@echo "netboot: TFTP root $(DIR); DHCP boot file boot/grub/i386-pc/core.0" \
	      "(BIOS) or boot/grub/x86_64-efi/core.efi (UEFI)"

# deps first (it may install the compiler), then the build, then the run.
run:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(B)/apfvisor.elf $(BOOT_GUEST_DEP)
	@STREAM=1 APFV_KERNEL=$(B)/apfvisor.elf tests/boot/scenario --adhoc run \
		bochs $(call boot_shq,$(MODEL):$(MEGS)) $(call boot_shq,$(or $(GUEST),none)) \
		$(call boot_shq,$(or $(ARGS),-)) $(call boot_shq,$(or $(GUEST_ARGS),-)) \
		$(RUN_TIMEOUT) success

test:
	@scripts/deps.sh
	@tests/run-all $(SCENARIO)

boot-test:
	@tests/boot/run-scenarios $(SCENARIO) | tests/tally

debug: $(B)/apfvisor.elf $(BOOT_GUEST_DEP)
	@tests/boot/debug qemu $(B)/apfvisor.elf $(call boot_shq,$(or $(GUEST),none)) \
		$(call boot_shq,$(ARGS)) $(call boot_shq,$(GUEST_ARGS))

bochs-debug: $(B)/apfvisor.elf $(BOOT_GUEST_DEP)
	@tests/boot/debug bochs $(B)/apfvisor.elf $(call boot_shq,$(or $(GUEST),none)) \
		$(call boot_shq,$(ARGS)) $(call boot_shq,$(GUEST_ARGS)) \
		$(call boot_shq,$(MODEL)) $(MEGS)
