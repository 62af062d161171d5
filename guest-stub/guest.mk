# guest-stub/guest.mk - the test guest, build/guest-stub.elf, and its
# disassembly build/guest-stub.lst. Included by the top Makefile, whose
# KCFLAGS/KLDFLAGS it reuses. Objects (lib/ ones too) go to build/guest/,
# apart from the hypervisor's build/hv/.
#
#   make guest-qemu [GUEST_ARGS="crash=ud"]   boot it bare under QEMU (TCG)

GS_C   := $(wildcard guest-stub/*.c) lib/string.c lib/fmt.c
GS_S   := $(wildcard guest-stub/*.S)
GS_OBJ := $(patsubst %.S,$(B)/guest/%.o,$(GS_S)) \
          $(patsubst %.c,$(B)/guest/%.o,$(GS_C))

$(B)/guest/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(B)/guest/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(KASFLAGS) -MMD -MP -c $< -o $@

# The 32-bit entry (.boot) is disassembled as i386, the rest as x86-64.
# Ring 3 runs .usertext, where only those pages are user pages: a CALL
# there (say, to a helper GCC chose not to inline) would fault in ring 3,
# so the build refuses one.
$(B)/guest-stub.elf: $(GS_OBJ) guest-stub/linker.ld
	$(LD) $(KLDFLAGS) -T guest-stub/linker.ld -Map=$(B)/guest-stub.map \
		-o $@.tmp $(GS_OBJ)
	@if objdump -d -j .usertext $@.tmp | grep -qwE 'call[a-z]*'; then \
		echo "guest-stub: .usertext calls out (ring 3 cannot):"; \
		objdump -d -j .usertext $@.tmp | grep -wE 'call[a-z]*'; \
		rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@
	{ objdump -d -M i386 -j .boot $@ && \
	  objdump -d -S -j .text -j .usertext $@; } > $(B)/guest-stub.lst

# QEMU exits with (code << 1) | 1: 1 means the guest reported success.
GS_QEMU := qemu-system-x86_64 -kernel $(B)/guest-stub.elf \
           -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
           -serial stdio -display none -no-reboot

.PHONY: guest-qemu
guest-qemu: $(B)/guest-stub.elf
	timeout 60 $(GS_QEMU) -append "$(GUEST_ARGS)"; \
	s=$$?; echo "guest-qemu: qemu exit status $$s"; test $$s -eq 1

-include $(GS_OBJ:.o=.d)
