/*
 * tests/guests/mb2/header.S - a Multiboot2 header, and no v1 header, so a
 * loader must boot this kernel as v2 (Multiboot2 Specification 2.0,
 * "Header layout", "Header tags"). Tags:
 *  - information request: command line, loader name, basic memory
 *    information, memory map (not optional: a loader that cannot give one
 *    must refuse the kernel);
 *  - entry address: _start. The ELF header's e_entry is elf_entry, which
 *    reports a failure: the tag must win;
 *  - mb2-aout only (MB2_ADDRESS_TAG): the address tag, so the loader
 *    places the image by it and not by the ELF program headers - which,
 *    as in mb1-kludge, point elsewhere on purpose.
 */
#define MB2_MAGIC		0xe85250d6
#define MB2_ARCH_I386		0
#define MB2_TAG_END		0
#define MB2_TAG_INFO_REQ	1
#define MB2_TAG_ADDRESS		2
#define MB2_TAG_ENTRY		3
#define MB2_INFO_CMDLINE	1
#define MB2_INFO_LOADER_NAME	2
#define MB2_INFO_MEMINFO	4
#define MB2_INFO_MMAP		6
#define HDR_LEN			(mb2_header_end - mb2_header)
#ifndef GUEST_NAME
#define GUEST_NAME		"mb2"
#endif

	.section .mbheader, "a"
	.balign 8
mb2_header:
	.long	MB2_MAGIC
	.long	MB2_ARCH_I386
	.long	HDR_LEN
	.long	-(MB2_MAGIC + MB2_ARCH_I386 + HDR_LEN)

	.balign 8
1:	.short	MB2_TAG_INFO_REQ, 0
	.long	2f - 1b
	.long	MB2_INFO_CMDLINE, MB2_INFO_LOADER_NAME, MB2_INFO_MEMINFO, MB2_INFO_MMAP
2:
#ifdef MB2_ADDRESS_TAG
	.balign 8
1:	.short	MB2_TAG_ADDRESS, 0
	.long	2f - 1b
	.long	mb2_header	/* header_addr */
	.long	__load_start	/* load_addr */
	.long	__load_end	/* load_end_addr */
	.long	__bss_end	/* bss_end_addr */
2:
#endif
	.balign 8
1:	.short	MB2_TAG_ENTRY, 0
	.long	2f - 1b
	.long	_start
2:
	.balign 8
	.short	MB2_TAG_END, 0
	.long	8
mb2_header_end:

/* e_entry: a loader that ignores the entry address tag lands here. */
	.text
	.globl elf_entry
elf_entry:
	movl	$stack_top, %esp
	call	wrong_entry
1:	hlt
	jmp	1b

	.section .rodata
name:	.asciz	GUEST_NAME
	.section .data
	.balign 4
	.globl guest_name
guest_name:
	.long	name
