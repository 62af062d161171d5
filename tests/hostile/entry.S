/*
 * tests/hostile/entry.S - exception and interrupt entry, and the one load
 * the APF tests may abandon (SDM Vol. 3A, "64-Bit Mode Exception and
 * Interrupt Handling").
 *
 * Environment: guest, 64-bit, ring 0. Every stub builds a struct hx_frame
 * (hostile.h) and calls hx_trap(); the frame, possibly rewritten (a fixup
 * RIP), is restored and IRETQ resumes it.
 */
#include "hx_layout.h"

	.text
	.balign HX_STUB_SIZE
	.globl hx_stubs
hx_stubs:
	.set vec, 0
	.rept 256
	.balign HX_STUB_SIZE
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || \
	    (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || \
	    (vec == 29) || (vec == 30)
	/* the CPU pushed an error code */
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call hx_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector, error code */
	iretq

/*
 * u64 hx_apf_touch(const volatile u64 *p, bool irq): load *p, with IF=1
 * around the load when irq (so that the hypervisor may answer "page not
 * present"); returns with IF=0. On "not present" at hx_touch_insn the #PF
 * hook resumes at hx_touch_done: the result is then ~0 and the fetch goes
 * on in the background.
 */
	.globl hx_apf_touch, hx_touch_insn, hx_touch_done
hx_apf_touch:
	movq $-1, %rax
	testl %esi, %esi
	jz hx_touch_insn
	sti
	nop				/* the load must not sit in STI's shadow */
hx_touch_insn:
	movq (%rdi), %rax
hx_touch_done:
	cli
	ret

	.section .note.GNU-stack, "", @progbits
