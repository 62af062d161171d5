/*
 * guest-stub/layout.h - constants shared by the guest's assembly and C:
 * GDT selectors, stack sizes, the Multiboot v1 values the 32-bit entry uses.
 *
 * Environment: guest (ring 0); safe to include from .S files.
 * The Multiboot values mirror boot/multiboot.h (which is C-only); mbi.c
 * pins them equal with _Static_assert.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define GS_SMALL_PAGES_END	0x200000	/* first 2 MiB: 4 KiB pages */
#define GS_IDENTITY_END		0x40000000	/* head.S maps the first 1 GiB */

/* GDT selectors. User data precedes user code, the order SYSRET wants. */
#define SEL_KCODE64		0x08
#define SEL_KDATA		0x10
#define SEL_UDATA		0x18
#define SEL_UCODE64		0x20
#define SEL_TSS64		0x28	/* 16-byte descriptor: 0x28 and 0x30 */
#define SEL_KCODE32		0x38	/* the 32-bit entry before long mode */
#define SEL_TSS32_BOOT		0x40	/* crash=taskswitch: the old task */
#define SEL_TSS32_TARGET	0x48	/* crash=taskswitch: the new task */
#define GDT_ENTRIES		10
#define RPL_USER		3

#define TSS32_SIZE		104
#define TSS64_SIZE		104

#define BOOT_STACK_SIZE		0x4000	/* C main runs here */
#define TRAP_STACK_SIZE		0x4000	/* TSS64.RSP0: traps from ring 3 */

#define GS_MB1_HEADER_MAGIC	0x1BADB002
#define GS_MB1_LOADER_MAGIC	0x2BADB002
#define GS_MB1_HDR_FLAGS	0x00010003	/* page align, mem info, kludge */
#define GS_MB1_INFO_CMDLINE	0x4		/* mbi.flags bit 2 */
#define GS_MB1_INFO_CMDLINE_OFF	16		/* offsetof(mb1_info, cmdline) */

/* entry.S: the stub of vector v is at trap_stubs + v * TRAP_STUB_SIZE. */
#define TRAP_STUB_SIZE		16
#define IDT_VECTORS		256

/* Interrupt vectors the guest uses (SDM Vol. 3A, "Interrupt Priority":
 * the class is vector >> 4; higher classes preempt lower ones). */
#define VEC_TIMER		0x30	/* LAPIC timer: the lowest class used */
#define VEC_APF_DEFAULT		0xec	/* APF "page ready" (Linux's apf_vec) */
#define VEC_APF_ALT		0xe5	/* the vector-change test's other one */
#define VEC_TEST_HIGH		0xfd	/* self-IPI above the APF vector */
#define VEC_SPURIOUS		0xff	/* SVR: never EOIed */

/* struct fault_jmp (trap.c): what fault_expect() saves; offsets in bytes. */
#define FJ_RBX			0
#define FJ_RBP			8
#define FJ_R12			16
#define FJ_R13			24
#define FJ_R14			32
#define FJ_R15			40
#define FJ_RSP			48
#define FJ_RIP			56
#define FJ_RFLAGS		64
#define FJ_OUT			72
#define FJ_ARMED		80

/* Page-table entry bits (SDM Vol. 3A, "4-Level Paging"). */
#define PTE_P			0x001
#define PTE_W			0x002
#define PTE_U			0x004
#define PTE_PS			0x080

#endif
