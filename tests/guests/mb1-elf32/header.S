/*
 * tests/guests/mb1-elf32/header.S - a Multiboot v1 header without the
 * a.out kludge: the loader places this ELF32 kernel by its program
 * headers (physical addresses, 1 MiB) and enters it at e_entry.
 * Flags: page-align modules (bit 0), memory information wanted (bit 1).
 */
#define MB1_HEADER_MAGIC	0x1badb002
#define MB1_FLAGS		0x00000003

	.section .mbheader, "a"
	.balign 4
	.long	MB1_HEADER_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_HEADER_MAGIC + MB1_FLAGS)

	.section .rodata
name:	.asciz	"mb1-elf32"
	.section .data
	.balign 4
	.globl guest_name
guest_name:
	.long	name
