/*
 * guest-stub/mce.h - the guest's machine-check handler (SDM Vol. 3B,
 * "Machine-Check Architecture"): apfvisor reports a fetch that failed for
 * good, on the synchronous path, as an uncorrected, action-required
 * memory error in bank 0 at the faulting instruction (vmm/mce.h).
 *
 * Environment: guest ring 0; mce_handle() runs in the #MC handler, IF=0.
 */
#ifndef GUEST_MCE_H
#define GUEST_MCE_H

#include "trap.h"

#define MSR_IA32_MCG_CAP	0x179
#define MSR_IA32_MCG_STATUS	0x17a
#define MSR_IA32_MC0_STATUS	0x401
#define MSR_IA32_MC0_ADDR	0x402
#define MSR_IA32_MC0_MISC	0x403

#define MCG_STATUS_RIPV		BIT(0)
#define MCG_STATUS_EIPV		BIT(1)
#define MCG_STATUS_MCIP		BIT(2)
#define MCI_STATUS_VAL		BIT(63)
#define MCI_STATUS_UC		BIT(61)
#define MCI_STATUS_ADDRV	BIT(58)
#define MCI_STATUS_AR		BIT(55)

/* One machine check as the handler found it (before clearing it). */
struct mce_event {
	u64 mcg_status, status, addr, misc;
	u64 rip, cs;
	bool skipped;		/* at a probe or fallible load, skipped */
	bool task_failed;	/* in a task, which was failed */
};

/* Set CR4.MCE when CPUID has MCE and MCA with at least one bank; true
 * if so. Without it a machine check shuts the CPU down. */
bool mce_init(void);
bool mce_enabled(void);

/* The #MC hook: record the bank, clear MC0_STATUS and MCG_STATUS (so a
 * next one can come), then skip a probe or fallible load (fixup.h), or
 * fail the running task.
 * False elsewhere (the caller ends the run). */
bool mce_handle(struct trap_frame *tf);

/* Machine checks taken since boot, and the last one (NULL: none). */
u64 mce_count(void);
const struct mce_event *mce_last(void);

#endif
