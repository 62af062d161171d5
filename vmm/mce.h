/*
 * vmm/mce.h - a virtual machine-check architecture with one bank, used to
 * report a failed backing-store fetch precisely at the faulting
 * instruction (docs/apf.md, "When a fetch fails"), the way KVM with QEMU
 * reports poisoned host memory. SDM Vol. 3B, "Machine-Check Architecture".
 * Pure module: host-tested.
 */
#ifndef VMM_MCE_H
#define VMM_MCE_H

#include "../lib/types.h"

#define MSR_IA32_MCG_CAP	0x179
#define MSR_IA32_MCG_STATUS	0x17a
#define MSR_IA32_MC0_CTL	0x400
#define MSR_IA32_MC0_STATUS	0x401
#define MSR_IA32_MC0_ADDR	0x402
#define MSR_IA32_MC0_MISC	0x403

#define MCG_CAP_COUNT_MASK	0xffULL
#define MCG_SER_P		BIT(24)	/* software error recovery */
#define MCG_STATUS_RIPV		BIT(0)	/* restart at RIP is safe */
#define MCG_STATUS_EIPV		BIT(1)	/* RIP points at the faulting insn */
#define MCG_STATUS_MCIP		BIT(2)	/* machine check in progress */

#define MCI_STATUS_VAL		BIT(63)
#define MCI_STATUS_OVER		BIT(62)
#define MCI_STATUS_UC		BIT(61)
#define MCI_STATUS_EN		BIT(60)
#define MCI_STATUS_MISCV	BIT(59)
#define MCI_STATUS_ADDRV	BIT(58)
#define MCI_STATUS_PCC		BIT(57)
#define MCI_STATUS_S		BIT(56)	/* signaled: #MC raised */
#define MCI_STATUS_AR		BIT(55)	/* action required */
/* MCA error code "data load from the cache hierarchy" (SRAR DCU), which
 * Linux's recovery path treats as a consumed, uncorrectable memory error. */
#define MCI_MCACOD_DATA_LOAD	0x134ULL
#define MCI_MISC_ADDR_PHYS	(2ULL << 6)	/* address mode: physical */
#define MCI_MISC_LSB_PAGE	12ULL		/* address valid to the page */

struct mce {
	u64 mcg_status;
	u64 ctl, status, addr, misc;	/* bank 0 */
	u64 raised;			/* machine checks raised */
};

void mce_init(struct mce *m);
/* Is msr one of the machine-check MSRs modelled here? */
bool mce_msr_known(u32 msr);
/* Guest RDMSR/WRMSR: 0, or -1 for #GP (read-only MCG_CAP; non-zero writes
 * of status, address and misc registers). */
int mce_rdmsr(const struct mce *m, u32 msr, u64 *val);
int mce_wrmsr(struct mce *m, u32 msr, u64 val);
/* Record an uncorrectable, action-required memory error at guest-physical
 * gpa, to be delivered as #MC at the faulting instruction. Returns false
 * when a machine check is already in progress (MCIP): the CPU then shuts
 * down instead. */
bool mce_record(struct mce *m, u64 gpa);

#endif
