/*
 * guest-stub/entry.S - exception entry, the fault-recovery point, and the
 * way into ring 3 (SDM Vol. 3A, "Interrupt and Exception Handling",
 * "64-Bit Mode Exception and Interrupt Handling").
 *
 * Environment: guest, 64-bit. Every stub builds a struct trap_frame
 * (trap.h) on the stack and calls trap_dispatch(); on return the frame,
 * possibly rewritten by the dispatcher, is restored and IRETQ resumes it.
 */
#include "layout.h"

/*
 * One stub per vector, 0-255, each at trap_stubs + 16 * vector (trap.c
 * computes the gate addresses so). A dummy error code keeps the frame
 * uniform for the vectors where the CPU pushes none; every interrupt
 * (32-255) has none.
 */
	.text
	.balign TRAP_STUB_SIZE
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign TRAP_STUB_SIZE
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || \
	    (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || \
	    (vec == 29) || (vec == 30)
	/* the CPU pushed an error code */
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common		/* at most 2 + 5 + 5 bytes in all */
	.set vec, vec + 1
	.endr

/* Save all GPRs (the struct trap_frame order, last pushed first) and dispatch. */
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
	call trap_dispatch
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
 * bool fault_expect(struct fault *f): arm the recovery point (trap.h).
 * Saves what a C caller expects preserved; trap.c's recovery rewrites the
 * trap frame so that IRETQ "returns" from here a second time with 1.
 */
	.globl fault_expect
fault_expect:
	movq %rbx, fault_jmp + FJ_RBX
	movq %rbp, fault_jmp + FJ_RBP
	movq %r12, fault_jmp + FJ_R12
	movq %r13, fault_jmp + FJ_R13
	movq %r14, fault_jmp + FJ_R14
	movq %r15, fault_jmp + FJ_R15
	leaq 8(%rsp), %rax		/* RSP after our RET */
	movq %rax, fault_jmp + FJ_RSP
	movq (%rsp), %rax
	movq %rax, fault_jmp + FJ_RIP
	pushfq
	popq %rax
	movq %rax, fault_jmp + FJ_RFLAGS
	movq %rdi, fault_jmp + FJ_OUT
	movq $1, fault_jmp + FJ_ARMED
	xorl %eax, %eax
	ret

/*
 * void user_enter(u64 rip, u64 rsp, u64 arg, u64 rflags): IRETQ to ring 3
 * at rip with the stack rsp, RDI = arg and RFLAGS = rflags (IOPL 0; IF as
 * the caller wants). Comes back only through an armed fault_expect() (the
 * user code ends with int $0x80).
 */
	.globl user_enter
user_enter:
	pushq $(SEL_UDATA | RPL_USER)	/* SS */
	pushq %rsi			/* RSP */
	pushq %rcx			/* RFLAGS */
	pushq $(SEL_UCODE64 | RPL_USER)	/* CS */
	pushq %rdi			/* RIP */
	movq %rdx, %rdi
	iretq

/*
 * Ring-3 code, alone on its page(s) (linker.ld) so that only it is made
 * user-accessible. RAX = 1 + 2 + ... + RDI (RDI > 0), computed through the
 * user stack, then int $0x80 back to ring 0.
 */
	.section .usertext, "ax"
	.globl user_sum
user_sum:
	xorl %eax, %eax
	testq %rdi, %rdi
	jz 2f
1:	pushq %rdi
	addq (%rsp), %rax
	popq %rdi
	decq %rdi
	jnz 1b
2:	int $0x80
	ud2

/* No executable stack wanted (silences ld). */
	.section .note.GNU-stack, "", @progbits
