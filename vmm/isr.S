/*
 * vmm/isr.S - host exception entry stubs. Environment: VMX root, IF=0.
 * The hypervisor takes no exceptions when it works; each stub records the
 * vector (and a zero where the CPU pushes no error code) and calls
 * cpu_exception(), which ends the run with a FAIL line and a dump.
 */
	.text
.macro ISR_NOERR vec
isr_\vec:
	push	$0
	push	$\vec
	jmp	isr_common
.endm
.macro ISR_ERR vec
isr_\vec:
	push	$\vec
	jmp	isr_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31

isr_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	cpu_exception
1:	cli
	hlt
	jmp	1b

	.section .rodata
	.globl isr_table
	.balign 8
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\v
	.endr

	.section .note.GNU-stack, "", @progbits
