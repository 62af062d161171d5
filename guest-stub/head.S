/*
 * guest-stub/head.S - the guest's first instructions: the Multiboot v1
 * header, the 32-bit entry, the GDT and TSSes, the identity page tables,
 * and the switch to long mode (SDM Vol. 3A, "Initializing IA-32e Mode").
 *
 * Environment: guest (ring 0), entered as a Multiboot v1 loader leaves a
 * kernel: 32-bit protected mode, paging off, flat segments, interrupts off,
 * EAX = 0x2BADB002, EBX = physical address of the Multiboot info. Nothing
 * about the loader's GDT, stack or TR is trusted.
 */
#include "layout.h"

#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define PT_ENTRIES	512

/*
 * Multiboot v1 header with the a.out kludge fields, so that loaders which
 * refuse ELF64 (QEMU -kernel) load the image as one flat stretch.
 */
	.section .mb1hdr, "a"
	.balign 4
mb1_header:
	.long GS_MB1_HEADER_MAGIC
	.long GS_MB1_HDR_FLAGS
	.long -(GS_MB1_HEADER_MAGIC + GS_MB1_HDR_FLAGS)
	.long mb1_header		/* header_addr */
	.long __image_start		/* load_addr */
	.long __data_end		/* load_end_addr */
	.long __bss_end			/* bss_end_addr */
	.long _start			/* entry_addr */

	.section .boot.text, "ax"
	.code32

/* Entry: see the file header for the machine state. */
	.globl _start
_start:
	cli
	cld
	/* .data, not .bss: .bss is cleared below */
	movl %eax, boot_mb_magic
	movl %ebx, boot_mb_info
	lgdt boot_gdt_ptr
	ljmp $SEL_KCODE32, $1f
1:	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	/* Multiboot loaders zero .bss; do not rely on every loader doing so. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $boot_stack_top, %esp
	call tss_descs_init
	call taskswitch_wanted
	testl %eax, %eax
	jz long_mode_enter
	/*
	 * crash=taskswitch: a hardware task switch, possible only outside long
	 * mode. A task switch always exits to a VMX hypervisor, which apfvisor
	 * does not handle: it must end the run as an unhandled exit. On bare
	 * hardware (or QEMU) the switch lands in taskswitch_landed.
	 */
	movw $SEL_TSS32_BOOT, %ax
	ltr %ax
	ljmp $SEL_TSS32_TARGET, $0

/* EIP of tss32_target: note that the switch happened, then boot on. */
taskswitch_landed:
	movl $1, boot_taskswitched
long_mode_enter:
	call page_tables_init
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmp $SEL_KCODE64, $long_entry

/* Write base EAX into the segment descriptor at EDI. Clobbers EAX. */
desc_set_base:
	movw %ax, 2(%edi)
	shrl $16, %eax
	movb %al, 4(%edi)
	movb %ah, 7(%edi)
	ret

/* Point the three TSS descriptors at their TSSes (all below 4 GiB). */
tss_descs_init:
	movl $boot_tss64, %eax
	movl $(boot_gdt + SEL_TSS64), %edi
	call desc_set_base
	movl $tss32_boot, %eax
	movl $(boot_gdt + SEL_TSS32_BOOT), %edi
	call desc_set_base
	movl $tss32_target, %eax
	movl $(boot_gdt + SEL_TSS32_TARGET), %edi
	call desc_set_base
	ret

/*
 * Return EAX = 1 if the loader's command line holds the word
 * "crash=taskswitch", else 0. The C option parser (opts.c) reads the same
 * line again later; this scan exists only because the switch must happen
 * before long mode.
 */
taskswitch_wanted:
	pushl %esi
	pushl %edi
	pushl %ebx
	xorl %ebx, %ebx
	cmpl $GS_MB1_LOADER_MAGIC, boot_mb_magic
	jne 9f
	movl boot_mb_info, %eax
	testl $GS_MB1_INFO_CMDLINE, (%eax)
	jz 9f
	movl GS_MB1_INFO_CMDLINE_OFF(%eax), %edx
1:	cmpb $0x20, (%edx)		/* skip spaces to a word start */
	jne 2f
	incl %edx
	jmp 1b
2:	cmpb $0, (%edx)
	je 9f
	movl %edx, %esi
	movl $ts_word, %edi
	movl $(ts_word_end - ts_word), %ecx
	repe cmpsb
	jne 3f
	movb (%esi), %al		/* the word must end here */
	cmpb $0x20, %al
	je 8f
	testb %al, %al
	je 8f
3:	cmpb $0, (%edx)			/* skip the rest of this word */
	je 9f
	cmpb $0x20, (%edx)
	je 1b
	incl %edx
	jmp 3b
8:	movl $1, %ebx
9:	movl %ebx, %eax
	popl %ebx
	popl %edi
	popl %esi
	ret

/*
 * Identity-map the first 1 GiB: 2 MiB pages, except the first 2 MiB in
 * 4 KiB pages so tests can unmap single pages. Page 0 stays absent so a
 * NULL dereference faults. Upper levels allow user access; leaves decide.
 */
page_tables_init:
	movl $(boot_pdpt + PTE_P + PTE_W + PTE_U), boot_pml4
	movl $(boot_pd + PTE_P + PTE_W + PTE_U), boot_pdpt
	movl $(boot_pt0 + PTE_P + PTE_W + PTE_U), boot_pd
	movl $1, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P + PTE_W + PTE_PS), %eax
	movl %eax, boot_pd(, %ecx, 8)
	incl %ecx
	cmpl $PT_ENTRIES, %ecx
	jb 1b
	movl $1, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	orl $(PTE_P + PTE_W), %eax
	movl %eax, boot_pt0(, %ecx, 8)
	incl %ecx
	cmpl $PT_ENTRIES, %ecx
	jb 2b
	ret

	.section .rodata
ts_word:
	.ascii "crash=taskswitch"
ts_word_end:

/* 64-bit from here: flat segments, then C. */
	.text
	.code64
long_entry:
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	call guest_main
1:	cli
	hlt
	jmp 1b

	.data
	.globl boot_mb_magic, boot_mb_info, boot_taskswitched
boot_mb_magic:		.long 0
boot_mb_info:		.long 0
boot_taskswitched:	.long 0

/* Descriptor layout: SDM Vol. 3A, "Segment Descriptors". */
	.balign 16
	.globl boot_gdt
boot_gdt:
	.quad 0					/* null */
	.quad 0x00af9a000000ffff		/* SEL_KCODE64 */
	.quad 0x00cf92000000ffff		/* SEL_KDATA */
	.quad 0x00cff2000000ffff		/* SEL_UDATA, DPL 3 */
	.quad 0x00affa000000ffff		/* SEL_UCODE64, DPL 3 */
	.quad 0x0000890000000000 + TSS64_SIZE - 1	/* SEL_TSS64 (base at boot) */
	.quad 0					/* SEL_TSS64, base 63:32 */
	.quad 0x00cf9a000000ffff		/* SEL_KCODE32 */
	.quad 0x0000890000000000 + TSS32_SIZE - 1	/* SEL_TSS32_BOOT */
	.quad 0x0000890000000000 + TSS32_SIZE - 1	/* SEL_TSS32_TARGET */
boot_gdt_end:
	.if (boot_gdt_end - boot_gdt) != GDT_ENTRIES * 8
	.error "GDT size does not match GDT_ENTRIES"
	.endif

	.balign 8
	.globl boot_gdt_ptr
boot_gdt_ptr:			/* lgdt reads 6 bytes in 32-bit mode, 10 in 64 */
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

/* 64-bit TSS: RSP0 is set by trap_init(); no I/O bitmap (base = limit+1). */
	.balign 16
	.globl boot_tss64
boot_tss64:
	.fill 0x66, 1, 0
	.word TSS64_SIZE
	.if (. - boot_tss64) != TSS64_SIZE
	.error "TSS64 size"
	.endif

/* crash=taskswitch: the running task's TSS (the CPU saves state here). */
	.balign 16
tss32_boot:
	.fill 0x66, 1, 0
	.word TSS32_SIZE

/* crash=taskswitch: the task switched to (SDM Vol. 3A, "32-Bit Task-State Segment"). */
	.balign 16
tss32_target:
	.long 0					/* 0x00 previous task link */
	.long 0, 0, 0, 0, 0, 0			/* 0x04 ESP0 SS0 ESP1 SS1 ESP2 SS2 */
	.long 0					/* 0x1c CR3 (paging is off) */
	.long taskswitch_landed			/* 0x20 EIP */
	.long 0x2				/* 0x24 EFLAGS: IF=0 */
	.long 0, 0, 0, 0			/* 0x28 EAX ECX EDX EBX */
	.long boot_stack_top			/* 0x38 ESP */
	.long 0, 0, 0				/* 0x3c EBP ESI EDI */
	.long SEL_KDATA, SEL_KCODE32, SEL_KDATA	/* 0x48 ES CS SS */
	.long SEL_KDATA, SEL_KDATA, SEL_KDATA	/* 0x54 DS FS GS */
	.long 0					/* 0x60 LDT */
	.word 0, TSS32_SIZE			/* 0x64 T, I/O map base */
	.if (. - tss32_target) != TSS32_SIZE
	.error "TSS32 size"
	.endif

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl boot_pml4, boot_pdpt, boot_pd, boot_pt0
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4096
boot_pt0:	.skip 4096

	.section .bss.stacks, "aw", @nobits
	.balign 4096
	.globl boot_stack_top, trap_stack_top
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:
trap_stack:	.skip TRAP_STACK_SIZE
trap_stack_top:

/* No executable stack wanted (silences ld). */
	.section .note.GNU-stack, "", @progbits
