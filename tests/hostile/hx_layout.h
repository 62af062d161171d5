/*
 * tests/hostile/hx_layout.h - constants shared by the hostile guest's
 * assembly and C: selectors, page-table bits, Multiboot v1 values.
 *
 * Environment: guest; safe to include from .S files.
 */
#ifndef HX_LAYOUT_H
#define HX_LAYOUT_H

#define HX_MB1_MAGIC		0x1BADB002
#define HX_MB1_LOADER_MAGIC	0x2BADB002
#define HX_MB1_FLAGS		0x00010003	/* page align, mem info, kludge */

#define HX_SEL_CODE64		0x08
#define HX_SEL_DATA		0x10
#define HX_SEL_CODE32		0x18
#define HX_SEL_TSS		0x20		/* 16 bytes: 0x20 and 0x28 */
#define HX_TSS_SIZE		104

#define HX_STACK_SIZE		0x8000
#define HX_HIGH_PDS		4	/* page directories for GiBs above 4 GiB */
#define HX_STUB_SIZE		16	/* entry.S: one IDT stub per 16 bytes */

#define HX_PTE_P		0x001
#define HX_PTE_W		0x002
#define HX_PTE_PS		0x080

#define HX_CR0_PG		0x80000000
#define HX_CR4_PAE		0x20
#define HX_MSR_EFER		0xc0000080
#define HX_EFER_LME		0x100

#endif
