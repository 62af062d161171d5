/*
 * vmm/gwalk.h - guest linear to guest-physical translation: a software
 * walk of the guest's own page tables (SDM Vol. 3A, chapter "Paging":
 * "32-Bit Paging", "PAE Paging", "4-Level Paging and 5-Level Paging",
 * "Access Rights", "Page-Fault Exceptions").
 *
 * An EPT violation on an MMIO page gives the guest-physical address of
 * the data but not the instruction; the hypervisor uses this module to
 * fetch the instruction bytes at guest RIP (then vmm/decode.c decodes
 * them) and to know which #PF the guest would have taken instead.
 *
 * Pure module: reads guest memory only through struct gwalk_ops, never
 * writes it (accessed/dirty bits are NOT set). Host-tested.
 * Environment: VMX root, IF=0, or host unit tests.
 */
#ifndef VMM_GWALK_H
#define VMM_GWALK_H

#include "../lib/types.h"

/* Control-register bits that select the paging mode and its checks
 * (SDM "Control Registers", "IA32_EFER MSR"). */
#define GWALK_CR0_WP		BIT(16)	/* supervisor writes obey R/W */
#define GWALK_CR0_PG		BIT(31)
#define GWALK_CR4_PSE		BIT(4)	/* 4 MiB pages in 32-bit paging */
#define GWALK_CR4_PAE		BIT(5)
#define GWALK_CR4_LA57		BIT(12)	/* 5-level paging: unsupported */
#define GWALK_CR4_SMEP		BIT(20)
#define GWALK_EFER_LMA		BIT(10)	/* 4-level paging */
#define GWALK_EFER_NXE		BIT(11)	/* bit 63 of 8-byte entries is XD */

/* Paging-structure entry bits shared by every mode (SDM "Format of a
 * ... Entry" tables). PS is meaningful in 32-bit PDEs only with CR4.PSE. */
#define GWALK_PTE_P		BIT(0)
#define GWALK_PTE_RW		BIT(1)
#define GWALK_PTE_US		BIT(2)
#define GWALK_PTE_PS		BIT(7)	/* maps a 4M/2M/1G page */
#define GWALK_PTE_XD		BIT(63)	/* with EFER.NXE, 8-byte entries */

/* #PF error code (SDM "Page-Fault Error Code"). */
#define GWALK_PF_P		BIT(0)	/* 0: not present; 1: protection */
#define GWALK_PF_W		BIT(1)	/* the access was a write */
#define GWALK_PF_U		BIT(2)	/* the access was a user-mode one */
#define GWALK_PF_RSVD		BIT(3)	/* a reserved bit was set */
#define GWALK_PF_ID		BIT(4)	/* instruction fetch (NXE or SMEP) */

/* Guest-physical memory for the walk. read_u64 is always called with an
 * 8-byte-aligned gpa; false = not guest RAM. */
struct gwalk_ops {
	bool (*read_u64)(void *ctx, u64 gpa, u64 *val);
	void *ctx;
};

/* The guest's paging mode: CR0.PG=0 identity, CR4.PAE=0 32-bit paging
 * (4 MiB pages with CR4.PSE), EFER.LMA=0 PAE paging, else 4-level. */
struct gwalk_mode {
	u64 cr0, cr3, cr4, efer;
};

/* What the access is; WRITE and FETCH are checked when set, USER makes
 * it a user-mode (CPL 3) access. READ alone is a supervisor read. */
enum gwalk_access {
	GWALK_READ = 1,
	GWALK_WRITE = 2,
	GWALK_FETCH = 4,
	GWALK_USER = 8,
};

enum gwalk_result {
	GWALK_OK,
	GWALK_NOT_PRESENT,	/* #PF, P=0 */
	GWALK_PROTECTION,	/* #PF, P=1: W, U/S, XD or SMEP */
	GWALK_RESERVED,		/* #PF, P=1 RSVD=1 */
	GWALK_BAD_TABLE,	/* a table (or, for gwalk_read, the data) not in RAM */
	GWALK_UNSUPPORTED,	/* 5-level paging, or a non-canonical address */
};

/*
 * Translate linear address la for access (GWALK_* bits) in mode m. On
 * GWALK_OK, *gpa is the guest-physical address. On a #PF result,
 * *pf_error (if pf_error is not NULL) is the error code the CPU would
 * push; otherwise it is 0. In 32-bit and PAE paging, and with paging off,
 * la is taken modulo 4 GiB. Not modelled: SMAP (needs RFLAGS.AC),
 * protection keys, MAXPHYADDR below 52 (fewer reserved bits are caught),
 * and PAE PDPTEs are read from memory rather than from the CPU's copy.
 * A non-canonical la in 4-level paging (a #GP, not a #PF) gives
 * GWALK_UNSUPPORTED.
 */
enum gwalk_result gwalk_translate(const struct gwalk_ops *ops,
				  const struct gwalk_mode *m, u64 la,
				  u32 access, u64 *gpa, u32 *pf_error);

/*
 * Copy len bytes at linear la into buf, translating each page with
 * access (so it may cross page boundaries). Same results as
 * gwalk_translate; GWALK_BAD_TABLE also when the bytes are not in RAM.
 * On failure the fault lies in the first page of [la, la + len) that
 * does not translate (CR2 is la, or that page's first byte), and buf
 * holds the bytes of the pages before it.
 */
enum gwalk_result gwalk_read(const struct gwalk_ops *ops,
			     const struct gwalk_mode *m, u64 la, void *buf,
			     u32 len, u32 access, u32 *pf_error);

#endif
