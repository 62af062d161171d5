/*
 * boot/head.S - the image's first instructions.
 *
 * Environment: entered by a Multiboot v1 or v2 loader in 32-bit protected
 * mode, paging off, interrupts off; EAX = loader magic, EBX = physical
 * address of the loader's information. Leaves in 64-bit mode with the
 * first 4 GiB identity-mapped (2 MiB pages) and calls
 * boot_main(magic, info) on the boot stack. Never returns.
 *
 * Both headers live in .multiboot at the start of the image: Multiboot2
 * (GRUB `multiboot2`) and Multiboot1 with the a.out kludge fields (GRUB
 * `multiboot`, QEMU -kernel, iPXE), so one ELF64 boots from all four.
 */
#define ASM_FILE
#define MB2_HEADER_MAGIC	0xE85250D6
#define MB2_ARCH_I386		0
#define MB2_HDR_TAG_END		0
#define MB2_HDR_TAG_MODULE_ALIGN 6
#define MB1_HEADER_MAGIC	0x1BADB002
#define MB1_FLAGS		((1 << 0) | (1 << 1) | (1 << 16)) /* page-align, meminfo, a.out kludge */

#define CR0_PE		(1 << 0)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define PTE_P		(1 << 0)
#define PTE_W		(1 << 1)
#define PTE_PS		(1 << 7)
#define CPUID_EXT_LM	(1 << 29)

#define GDT_CODE64	0x08
#define GDT_DATA	0x10

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	.word MB2_HDR_TAG_MODULE_ALIGN, 0	/* modules page-aligned */
	.long 8
	.balign 8
	.word MB2_HDR_TAG_END, 0
	.long 8
mb2_header_end:

	.balign 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long __image_start		/* load_addr */
	.long __data_end		/* load_end_addr */
	.long __bss_end			/* bss_end_addr */
	.long _start			/* entry_addr */

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov	%eax, %ebp		/* magic, kept for boot_main */
	mov	%ebx, %esi		/* info address */
	/* The TSC at the loader's handover: the boot-cost figure (STATS
	 * boot.cycles); on Bochs with one CPU it counts instructions. */
	rdtsc
	mov	%eax, boot_tsc_start
	mov	%edx, boot_tsc_start + 4

	/* Zero .bss: the page tables and stacks live there. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl

	mov	$boot_stack_top, %esp

	/* Long mode is required: say so on the serial line rather than hang. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	test	$CPUID_EXT_LM, %edx
	jz	no_long_mode

	call	build_page_tables

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE), %eax
	mov	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$GDT_CODE64, $long_entry

/* Identity-map 0..4 GiB with 2 MiB pages: PML4[0] -> PDPT[0..3] -> 4 PDs. */
build_page_tables:
	mov	$boot_pdpt, %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, boot_pml4
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$12, %eax
	add	$boot_pd, %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, boot_pdpt(, %ecx, 8)
	inc	%ecx
	cmp	$4, %ecx
	jne	1b
	xor	%ecx, %ecx		/* 2048 PDEs, entry i maps i * 2 MiB */
2:	mov	%ecx, %eax
	shl	$21, %eax
	or	$(PTE_P | PTE_W | PTE_PS), %eax
	mov	%eax, boot_pd(, %ecx, 8)
	mov	%ecx, %eax
	shr	$11, %eax		/* high dword: (i * 2 MiB) >> 32 */
	mov	%eax, boot_pd + 4(, %ecx, 8)
	inc	%ecx
	cmp	$2048, %ecx
	jne	2b
	ret

/* Print msg on COM1 and port 0xE9, then stop: no 64-bit code can run. */
no_long_mode:
	mov	$msg_no_lm, %esi
3:	lodsb
	test	%al, %al
	jz	4f
	mov	$0xe9, %dx
	outb	%al, %dx
	mov	$0x3f8, %dx
	outb	%al, %dx
	jmp	3b
4:	hlt
	jmp	4b

	.code64
long_entry:
	mov	$GDT_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%ax, %ax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$boot_stack_top, %rsp
	mov	%ebp, %edi		/* boot_main(magic, info) */
	mov	%esi, %esi
	call	boot_main
5:	cli
	hlt
	jmp	5b

	.section .rodata
msg_no_lm:
	.asciz "FAIL: boot: CPU has no 64-bit long mode\r\n"

	.section .data
	.balign 8
	.globl boot_tsc_start
boot_tsc_start:
	.quad 0
	.balign 16
	.globl boot_gdt
boot_gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL0 */
	.quad 0, 0			/* 0x18: TSS, filled by vmm/cpu.c */
boot_gdt_end:
	.globl boot_gdt_ptr
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.globl boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
