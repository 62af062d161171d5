# tests/hostile/hostile.mk - the hostile guest, build/hostile/hostile.elf:
# a Multiboot v1 kernel that throws every input it can at apfvisor and
# checks each architectural answer (tests/hostile/hostile.h says how).
# Included by the top Makefile, whose KCFLAGS/KLDFLAGS it reuses.
#
#   make hostile                     build it
#   make run GUEST=build/hostile/hostile.elf [MODEL=corei7_ivy_bridge_3770k]
#
# The boot scenarios bochs-hostile-* (tests/boot/scenarios) run it.

HX_DIR := tests/hostile
HX_B   := $(B)/hostile
HX_C   := $(wildcard $(HX_DIR)/*.c) lib/string.c lib/fmt.c
HX_S   := $(wildcard $(HX_DIR)/*.S)
HX_OBJ := $(patsubst %.S,$(HX_B)/%.o,$(HX_S)) $(patsubst %.c,$(HX_B)/%.o,$(HX_C))

$(HX_B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(HX_B)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(KASFLAGS) -MMD -MP -c $< -o $@

# The 32-bit entry (.boot) is disassembled as i386, the rest as x86-64.
$(HX_B)/hostile.elf: $(HX_OBJ) $(HX_DIR)/linker.ld
	$(LD) $(KLDFLAGS) -T $(HX_DIR)/linker.ld -Map=$(HX_B)/hostile.map \
		-o $@ $(HX_OBJ)
	{ objdump -d -M i386 -j .boot $@ && \
	  objdump -d -S -j .text $@; } > $(HX_B)/hostile.lst

.PHONY: hostile
hostile: $(HX_B)/hostile.elf
all: hostile

-include $(HX_OBJ:.o=.d)
