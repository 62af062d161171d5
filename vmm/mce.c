/*
 * vmm/mce.c - one machine-check bank (see vmm/mce.h). Pure.
 *
 * The error reported is what a CPU reports when an instruction consumes
 * poisoned memory: MCi_STATUS valid, uncorrected, enabled, signaled,
 * action required, with the physical address; MCG_STATUS has EIPV (RIP is
 * the faulting instruction) and not RIPV (it cannot simply be restarted).
 */
#include "mce.h"

#define MCE_BANKS	1

void mce_init(struct mce *m)
{
	*m = (struct mce){ .ctl = ~0ULL };
}

bool mce_msr_known(u32 msr)
{
	return msr == MSR_IA32_MCG_CAP || msr == MSR_IA32_MCG_STATUS ||
	       (msr >= MSR_IA32_MC0_CTL && msr <= MSR_IA32_MC0_MISC);
}

int mce_rdmsr(const struct mce *m, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_IA32_MCG_CAP: *val = MCE_BANKS | MCG_SER_P; return 0;
	case MSR_IA32_MCG_STATUS: *val = m->mcg_status; return 0;
	case MSR_IA32_MC0_CTL: *val = m->ctl; return 0;
	case MSR_IA32_MC0_STATUS: *val = m->status; return 0;
	case MSR_IA32_MC0_ADDR: *val = m->addr; return 0;
	case MSR_IA32_MC0_MISC: *val = m->misc; return 0;
	}
	return -1;
}

int mce_wrmsr(struct mce *m, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_IA32_MCG_STATUS:
		if (val & ~(MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP))
			return -1;
		m->mcg_status = val;
		return 0;
	case MSR_IA32_MC0_CTL:
		m->ctl = val;
		return 0;
	case MSR_IA32_MC0_STATUS:	/* software may only clear them */
	case MSR_IA32_MC0_ADDR:
	case MSR_IA32_MC0_MISC:
		if (val)
			return -1;
		if (msr == MSR_IA32_MC0_STATUS)
			m->status = 0;
		else if (msr == MSR_IA32_MC0_ADDR)
			m->addr = 0;
		else
			m->misc = 0;
		return 0;
	}
	return -1;	/* MCG_CAP is read-only */
}

bool mce_record(struct mce *m, u64 gpa)
{
	if (m->mcg_status & MCG_STATUS_MCIP)
		return false;
	m->status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN |
		    MCI_STATUS_MISCV | MCI_STATUS_ADDRV | MCI_STATUS_S |
		    MCI_STATUS_AR | MCI_MCACOD_DATA_LOAD;
	m->addr = gpa;
	m->misc = MCI_MISC_ADDR_PHYS | MCI_MISC_LSB_PAGE;
	m->mcg_status = MCG_STATUS_EIPV | MCG_STATUS_MCIP;
	m->raised++;
	return true;
}
