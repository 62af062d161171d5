/*
 * tests/guests/apf-linux-style/header.S - a plain Multiboot v1 header
 * (ELF32 placement at 1 MiB; page alignment, memory information).
 */
#define MB1_HEADER_MAGIC	0x1badb002
#define MB1_FLAGS		0x00000003

	.section .mbheader, "a"
	.balign 4
	.long	MB1_HEADER_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_HEADER_MAGIC + MB1_FLAGS)

	.section .rodata
name:	.asciz	"apf-linux-style"
	.section .data
	.balign 4
	.globl guest_name
guest_name:
	.long	name
