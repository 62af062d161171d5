/*
 * vmx/entry.S - VM entry and the VM-exit landing point.
 *
 * Environment: VMX root, IF=0. vmx_enter() saves the host's callee-saved
 * registers and the regs pointer on its stack, points HOST_RSP there, loads
 * the guest's registers and CR2, and enters. A VM exit lands in
 * vmx_exit_entry with RSP = HOST_RSP: it stores the guest's registers and
 * CR2 back and returns 0 from vmx_enter(). struct guest_regs (vmx/vmx.h)
 * fixes the offsets: gpr[n] at 8*n, cr2 at 128.
 */
#define HOST_RSP	0x6c14
#define R(n)		(8 * (n))
#define CR2_OFF		128

	.text
	.globl vmx_enter
vmx_enter:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* regs pointer, found again on exit */
	mov	$HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	entry_fail_vmwrite

	mov	CR2_OFF(%rdi), %rax
	mov	%rax, %cr2
	test	%esi, %esi		/* flags survive the MOVs below */
	mov	R(0)(%rdi), %rax
	mov	R(1)(%rdi), %rcx
	mov	R(2)(%rdi), %rdx
	mov	R(3)(%rdi), %rbx
	mov	R(5)(%rdi), %rbp
	mov	R(6)(%rdi), %rsi
	mov	R(8)(%rdi), %r8
	mov	R(9)(%rdi), %r9
	mov	R(10)(%rdi), %r10
	mov	R(11)(%rdi), %r11
	mov	R(12)(%rdi), %r12
	mov	R(13)(%rdi), %r13
	mov	R(14)(%rdi), %r14
	mov	R(15)(%rdi), %r15
	mov	R(7)(%rdi), %rdi
	jnz	1f
	vmlaunch
	jmp	entry_failed
1:	vmresume
entry_failed:
	/* VMfailInvalid sets CF, VMfailValid ZF. */
	mov	$1, %eax
	mov	$2, %ecx
	cmovz	%ecx, %eax
	jmp	entry_out
entry_fail_vmwrite:
	mov	$2, %eax
entry_out:
	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	push	%rdi
	mov	8(%rsp), %rdi		/* regs pointer */
	mov	%rax, R(0)(%rdi)
	mov	%rcx, R(1)(%rdi)
	mov	%rdx, R(2)(%rdi)
	mov	%rbx, R(3)(%rdi)
	mov	%rbp, R(5)(%rdi)
	mov	%rsi, R(6)(%rdi)
	pop	%rax
	mov	%rax, R(7)(%rdi)
	mov	%r8, R(8)(%rdi)
	mov	%r9, R(9)(%rdi)
	mov	%r10, R(10)(%rdi)
	mov	%r11, R(11)(%rdi)
	mov	%r12, R(12)(%rdi)
	mov	%r13, R(13)(%rdi)
	mov	%r14, R(14)(%rdi)
	mov	%r15, R(15)(%rdi)
	mov	%cr2, %rax
	mov	%rax, CR2_OFF(%rdi)
	xor	%eax, %eax
	jmp	entry_out

	.section .note.GNU-stack, "", @progbits
