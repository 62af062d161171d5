/*
 * tests/bench/guests/nullexit.S - a tiny Multiboot v1 guest that measures
 * the round-trip cost of the cheapest VM exits, in guest TSC cycles (on
 * Bochs with one CPU: instructions, see BENCHMARKS.md), and prints one
 * line per measurement:
 *
 *   BENCH: null <name> iters=<N> total=<cycles> base=<cycles> per_exit=<c>
 *
 * per_exit = (total - base) / N: `total` is N iterations of a loop whose
 * body ends in the exiting instruction, `base` the same loop with a NOP
 * in its place, so loop overhead and the instruction itself cancel and
 * per_exit is what the exit adds (VM exit, handler, VM entry). Then
 * `SUMMARY: nullexit` and the exit code 0 through port 0xF4.
 *
 * Environment: 32-bit protected mode, paging off, flat segments, IF=0,
 * as a Multiboot v1 loader leaves a kernel; output on port 0xE9.
 */
	.equ MB1_MAGIC, 0x1BADB002
	.equ MB1_FLAGS, 0
	.equ ITERS, 1000
	.equ HC_PING, 0x41500001	/* vmm/abi.h APFV_HC_PING */
	.equ MSR_APF_ACK, 0x4b564d07	/* MSR_KVM_ASYNC_PF_ACK */
	.equ MSR_APF_INT, 0x4b564d06	/* MSR_KVM_ASYNC_PF_INT */
	.equ PORT_E9, 0xe9
	.equ PORT_EXIT, 0xf4

	.text
	.code32
	/* The Multiboot v1 header: first in the image (first 8 KiB). */
	.balign 4
	.long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)
	.globl _start
_start:
	cli
	cld
	movl $stack_top, %esp
	movl $msg_start, %esi
	call puts

/* MEASURE name, setup, insn: run the loop twice (insn, then nop) and print. */
.macro MEASURE name, setup, insn
	movl $ITERS, %ebp
	rdtsc
	movl %eax, t0
	movl %edx, t0 + 4
1:	\setup
	\insn
	decl %ebp
	jnz 1b
	rdtsc
	subl t0, %eax
	sbbl t0 + 4, %edx
	movl %eax, total
	movl $ITERS, %ebp
	rdtsc
	movl %eax, t0
	movl %edx, t0 + 4
2:	\setup
	nop
	decl %ebp
	jnz 2b
	rdtsc
	subl t0, %eax
	sbbl t0 + 4, %edx
	movl %eax, base
	movl $\name, %esi
	call report
.endm

	MEASURE n_cpuid, "xorl %eax, %eax; xorl %ecx, %ecx", cpuid
	MEASURE n_cpuid_hv, "movl $0x40000000, %eax; xorl %ecx, %ecx", cpuid
	MEASURE n_vmcall, "movl $HC_PING, %eax; movl $41, %ebx", vmcall
	MEASURE n_out80, "xorl %eax, %eax", "outb %al, $0x80"
	MEASURE n_wrmsr_ack, "movl $MSR_APF_ACK, %ecx; movl $1, %eax; xorl %edx, %edx", wrmsr
	MEASURE n_rdmsr_int, "movl $MSR_APF_INT, %ecx", rdmsr

	/* The hypercall must have answered: PING(41) = 42. */
	movl $HC_PING, %eax
	movl $41, %ebx
	vmcall
	cmpl $42, %eax
	je 3f
	movl $msg_badping, %esi
	call puts
	movl $1, %eax
	outl %eax, $PORT_EXIT
3:	movl $msg_summary, %esi
	call puts
	xorl %eax, %eax
	outl %eax, $PORT_EXIT
4:	hlt
	jmp 4b

/* report: ESI = name; prints the line from total and base. */
report:
	pushl %esi
	movl $msg_bench, %esi
	call puts
	popl %esi
	call puts
	movl $msg_iters, %esi
	call puts
	movl $ITERS, %eax
	call putu
	movl $msg_total, %esi
	call puts
	movl total, %eax
	call putu
	movl $msg_base, %esi
	call puts
	movl base, %eax
	call putu
	movl $msg_per, %esi
	call puts
	movl total, %eax
	subl base, %eax
	xorl %edx, %edx
	movl $ITERS, %ecx
	divl %ecx
	call putu
	movb $'\n', %al
	outb %al, $PORT_E9
	ret

/* puts: ESI = NUL-terminated string, to port 0xE9. */
puts:
	lodsb
	testb %al, %al
	jz 1f
	outb %al, $PORT_E9
	jmp puts
1:	ret

/* putu: EAX in decimal, to port 0xE9. */
putu:
	movl $numbuf_end, %edi
	movl $10, %ecx
1:	xorl %edx, %edx
	divl %ecx
	addb $'0', %dl
	decl %edi
	movb %dl, (%edi)
	testl %eax, %eax
	jnz 1b
	movl %edi, %esi
	jmp puts

	.section .rodata
msg_start:	.asciz "nullexit: measuring null exits\n"
msg_bench:	.asciz "BENCH: null "
msg_iters:	.asciz " iters="
msg_total:	.asciz " total="
msg_base:	.asciz " base="
msg_per:	.asciz " per_exit="
msg_badping:	.asciz "FAIL: nullexit: VMCALL PING(41) did not return 42\n"
msg_summary:	.asciz "SUMMARY: nullexit 6 measurements\n"
n_cpuid:	.asciz "cpuid"
n_cpuid_hv:	.asciz "cpuid_hv"
n_vmcall:	.asciz "vmcall_ping"
n_out80:	.asciz "out_0x80"
n_wrmsr_ack:	.asciz "wrmsr_apf_ack"
n_rdmsr_int:	.asciz "rdmsr_apf_int"

	.bss
	.balign 16
t0:	.space 8
total:	.space 4
base:	.space 4
numbuf:	.space 12
numbuf_end:
	.balign 16
	.space 4096
stack_top:
