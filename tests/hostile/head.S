/*
 * tests/hostile/head.S - the hostile guest's first instructions: the
 * Multiboot v1 header, the 32-bit entry, the GDT and TSS, page tables
 * that identity-map the whole 4 GiB with 2 MiB pages (RAM and everything
 * that is not RAM: the tests read and write there), and the switch to
 * long mode (SDM Vol. 3A, "Initializing IA-32e Mode").
 *
 * Environment: guest (ring 0), entered as a Multiboot v1 loader leaves a
 * kernel: 32-bit protected mode, paging off, flat segments, IF=0,
 * EAX = 0x2BADB002, EBX = physical address of the Multiboot information.
 */
#include "hx_layout.h"

	.section .mb1hdr, "a"
	.balign 4
mb1_header:				/* a.out kludge: one flat image */
	.long HX_MB1_MAGIC
	.long HX_MB1_FLAGS
	.long -(HX_MB1_MAGIC + HX_MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long __image_start		/* load_addr */
	.long __data_end		/* load_end_addr */
	.long __bss_end			/* bss_end_addr */
	.long _start			/* entry_addr */

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, hx_mb_magic		/* .data: survives the .bss clear */
	movl %ebx, hx_mb_info
	lgdt hx_gdt_ptr
	ljmp $HX_SEL_CODE32, $1f
1:	movl $HX_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $hx_stack_top, %esp
	call tss_desc_init
	call tables_init
	movl %cr4, %eax
	orl $HX_CR4_PAE, %eax
	movl %eax, %cr4
	movl $hx_pml4, %eax
	movl %eax, %cr3
	movl $HX_MSR_EFER, %ecx
	rdmsr
	orl $HX_EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $HX_CR0_PG, %eax
	movl %eax, %cr0
	ljmp $HX_SEL_CODE64, $long_entry

/* Point the 64-bit TSS descriptor at hx_tss (below 4 GiB). */
tss_desc_init:
	movl $hx_tss, %eax
	movl $(hx_gdt + HX_SEL_TSS), %edi
	movw %ax, 2(%edi)
	shrl $16, %eax
	movb %al, 4(%edi)
	movb %ah, 7(%edi)
	ret

/*
 * PML4[0] -> PDPT; PDPT[0..3] -> hx_pd[0..3], which map [0, 4 GiB) with
 * 2048 large pages. Addresses above 4 GiB are mapped later, from C
 * (hx_map_high). Every entry is supervisor, writable.
 */
tables_init:
	movl $(hx_pdpt + HX_PTE_P + HX_PTE_W), hx_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $(hx_pd + HX_PTE_P + HX_PTE_W), %eax
	movl %eax, hx_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(HX_PTE_P + HX_PTE_W + HX_PTE_PS), %eax
	movl %eax, hx_pd(, %ecx, 8)
	incl %ecx
	cmpl $(4 * 512), %ecx
	jb 2b
	ret

	.text
	.code64
long_entry:
	movl $HX_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl $HX_SEL_TSS, %eax
	ltr %ax
	movq $hx_stack_top, %rsp
	xorl %ebp, %ebp
	call hx_main
1:	cli
	hlt
	jmp 1b

	.data
	.globl hx_mb_magic, hx_mb_info
hx_mb_magic:	.long 0
hx_mb_info:	.long 0

/* SDM Vol. 3A, "Segment Descriptors". */
	.balign 16
hx_gdt:
	.quad 0					/* null */
	.quad 0x00af9a000000ffff		/* HX_SEL_CODE64 */
	.quad 0x00cf92000000ffff		/* HX_SEL_DATA */
	.quad 0x00cf9a000000ffff		/* HX_SEL_CODE32 */
	.quad 0x0000890000000000 + HX_TSS_SIZE - 1	/* HX_SEL_TSS */
	.quad 0					/* HX_SEL_TSS, base 63:32 */
hx_gdt_end:
	.balign 8
hx_gdt_ptr:
	.word hx_gdt_end - hx_gdt - 1
	.quad hx_gdt

/* 64-bit TSS: no ring 3, no IST; only TR needs it. */
	.balign 16
hx_tss:
	.fill 0x66, 1, 0
	.word HX_TSS_SIZE

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl hx_pml4, hx_pdpt, hx_pd, hx_pd_high
hx_pml4:	.skip 4096
hx_pdpt:	.skip 4096
hx_pd:		.skip 4 * 4096
hx_pd_high:	.skip HX_HIGH_PDS * 4096

	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl hx_stack_top
hx_stack:	.skip HX_STACK_SIZE
hx_stack_top:

	.section .note.GNU-stack, "", @progbits
