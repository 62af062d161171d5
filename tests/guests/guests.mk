# tests/guests/guests.mk - small test kernels written the way kernels for
# QEMU are (Multiboot, 16550, isa-debug-exit, fw_cfg, KVM's APF ABI), to
# show apfvisor runs kernels it did not write. Included by the top
# Makefile; each kernel is build/guests/<name>.elf (tests/guests/README.md
# says what each checks).
#
#   make guests                      build them all
#   make guests-qemu                 boot the Multiboot v1 ones bare under
#                                    QEMU -kernel (TCG), as a cross-check
#   make run GUEST=build/guests/mb1-elf32.elf [GUEST_ARGS=hello=world]
#
# 32-bit freestanding code (-m32) without libgcc: no 64-bit division.

GUESTS      := mb1-elf32 mb1-kludge mb2 mb2-aout apf-linux-style
GUEST_ELFS  := $(GUESTS:%=$(B)/guests/%.elf)
GUEST_OBJ   := $(B)/guests/obj

GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pic -fno-pie \
                -fno-stack-protector -fno-common -mno-red-zone -mno-mmx \
                -mno-sse -mno-sse2 -fno-asynchronous-unwind-tables \
                -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
                -O2 -g -Wall -Wextra -Werror -Itests/guests/common
GUEST_LDFLAGS := -m elf_i386 -n -static -z max-page-size=0x1000 -z noexecstack \
                 --no-warn-rwx-segments

GC := tests/guests/common
GUEST_COMMON := $(GC)/start.S $(GC)/console.c $(GC)/cmdline.c $(GC)/checks.c \
                lib/string.c
# What each kernel is built from besides its own folder.
GUEST_SRC_mb1-elf32       := $(GUEST_COMMON) $(GC)/mb1.c $(GC)/mb1main.c
GUEST_SRC_mb1-kludge      := $(GUEST_COMMON) $(GC)/mb1.c $(GC)/mb1main.c
GUEST_SRC_mb2             := $(GUEST_COMMON)
GUEST_SRC_mb2-aout        := $(GUEST_COMMON) tests/guests/mb2/main.c
GUEST_SRC_apf-linux-style := $(GUEST_COMMON) $(GC)/mb1.c

$(GUEST_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OBJ)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

# One kernel: its folder's .S/.c files plus GUEST_SRC_<name>.
define GUEST_KERNEL
GUEST_OWN_$(1) := $$(wildcard tests/guests/$(1)/*.S tests/guests/$(1)/*.c)
GUEST_OBJS_$(1) := $$(patsubst %,$(GUEST_OBJ)/%.o,$$(basename $$(GUEST_OWN_$(1)) \
                   $$(GUEST_SRC_$(1))))
$(B)/guests/$(1).elf: $$(GUEST_OBJS_$(1)) tests/guests/$(1)/linker.ld
	$(LD) $(GUEST_LDFLAGS) -T tests/guests/$(1)/linker.ld \
		-Map=$(B)/guests/$(1).map -o $$@ $$(GUEST_OBJS_$(1))
	objdump -d -S $$@ > $(B)/guests/$(1).lst
endef
$(foreach g,$(GUESTS),$(eval $(call GUEST_KERNEL,$(g))))

.PHONY: guests guests-qemu
guests: $(GUEST_ELFS)
all: guests

# QEMU loads Multiboot v1 only: mb2 and apf-linux-style (which needs a
# hypervisor offering APF) are not booted bare here.
GUEST_QEMU = timeout 60 qemu-system-x86_64 -display none -no-reboot \
	-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04

guests-qemu: $(B)/guests/mb1-elf32.elf $(B)/guests/mb1-kludge.elf
	@for g in mb1-elf32 mb1-kludge; do \
		$(GUEST_QEMU) -kernel $(B)/guests/$$g.elf -append "$(GUEST_ARGS)"; \
		s=$$?; echo "guests-qemu: $$g: qemu exit status $$s"; \
		test $$s -eq 1 || exit 1; done

-include $(shell find $(GUEST_OBJ) -name '*.d' 2>/dev/null)
