/*
 * tests/guests/common/start.S - the first instructions of every test
 * kernel, after its own Multiboot header: a stack, then
 * kmain(magic = EAX, info = EBX), as both Multiboot specifications leave
 * a kernel (32-bit protected mode, paging off, flat segments, IF=0). The
 * loader's GDT is not trusted and not needed: nothing here reloads a
 * segment register.
 */
	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl	$stack_top, %esp
	pushl	%ebx
	pushl	%eax
	call	kmain
1:	cli
	hlt
	jmp	1b

	.section .bss.stack, "aw", @nobits
	.balign 16
	.space	16384
	.globl stack_top
stack_top:
