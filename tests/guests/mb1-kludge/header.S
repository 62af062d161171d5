/*
 * tests/guests/mb1-kludge/header.S - a Multiboot v1 header WITH the a.out
 * kludge (flags bit 16): the loader places the image by the five address
 * fields below, not by the ELF program headers - which, on purpose, say
 * 1 MiB while the kernel is linked to run at 2 MiB (linker.ld), so only a
 * loader that honours the kludge runs it. The file offset of load_addr is
 * this header's offset minus (header_addr - load_addr).
 */
#define MB1_HEADER_MAGIC	0x1badb002
#define MB1_FLAGS		0x00010003	/* kludge, mem info, page align */

	.section .mbheader, "a"
	.balign 4
mb1_header:
	.long	MB1_HEADER_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_HEADER_MAGIC + MB1_FLAGS)
	.long	mb1_header	/* header_addr */
	.long	__load_start	/* load_addr */
	.long	__load_end	/* load_end_addr: the file's bytes end here */
	.long	__bss_end	/* bss_end_addr: zeroed up to here */
	.long	_start		/* entry_addr */

	.section .rodata
name:	.asciz	"mb1-kludge"
	.section .data
	.balign 4
	.globl guest_name
guest_name:
	.long	name
