# apfvisor - top-level build. `make` builds the hypervisor and guest-stub;
# see README.md for run/test/debug targets. Each room's extra rules live in
# a fragment beside its code (guest-stub/guest.mk, tests/unit/unit.mk,
# tests/boot/boot.mk).

B        := build
CC       := gcc
LD       := ld
OBJCOPY  := objcopy

# Freestanding kernel flags (docs/style: no SSE, no red zone, no PIC).
KCFLAGS  := -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
            -fno-common -mno-red-zone -mno-mmx -mno-sse -mno-sse2 \
            -mcmodel=kernel -fno-asynchronous-unwind-tables \
            -O2 -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
            -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include)
KCFLAGS  := $(filter-out -mcmodel=kernel,$(KCFLAGS)) -mcmodel=small
KASFLAGS := -D__ASSEMBLY__ -g
KLDFLAGS := -n -static --gc-sections -z max-page-size=0x1000 -no-pie --no-warn-rwx-segments

# --- the hypervisor -----------------------------------------------------
HV_DIRS  := boot vmm vmx ept apic apf lib
HV_C     := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c))
HV_S     := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.S))
HV_OBJ   := $(patsubst %.c,$(B)/hv/%.o,$(HV_C)) $(patsubst %.S,$(B)/hv/%.o,$(HV_S))

.PHONY: all clean
all: $(B)/apfvisor.elf $(B)/guest-stub.elf

$(B)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(B)/hv/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(KASFLAGS) -MMD -MP -c $< -o $@

$(B)/apfvisor.elf: $(HV_OBJ) linker.ld
	$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(HV_OBJ)
	objdump -d -S $@ > $(B)/apfvisor.lst

clean:
	rm -rf $(B)

-include $(HV_OBJ:.o=.d)
-include guest-stub/guest.mk
-include tests/unit/unit.mk
-include tests/boot/boot.mk
-include tests/guests/guests.mk
-include tests/fuzz/fuzz.mk
-include tests/model/model.mk
-include tests/bench/bench.mk
-include tests/hostile/hostile.mk
-include tests/soak/soak.mk
