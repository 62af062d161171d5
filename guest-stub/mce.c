/*
 * guest-stub/mce.c - machine checks (mce.h). The handler reads bank 0,
 * then clears it and MCIP: a second #MC while MCIP is set would shut the
 * CPU down (SDM "Machine-Check Exception"), and apfvisor does the same.
 *
 * Environment: guest ring 0, IF=0.
 */
#include "mce.h"
#include "cpu.h"
#include "fixup.h"
#include "pvapf.h"
#include "report.h"
#include "sched.h"

#define MCG_CAP_COUNT		0xffULL

static struct {
	bool enabled;
	u64 count;
	struct mce_event last;
} mce;

bool mce_init(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	if (!(r.edx & CPUID_1_EDX_MCE) || !(r.edx & CPUID_1_EDX_MCA) ||
	    !(rdmsr(MSR_IA32_MCG_CAP) & MCG_CAP_COUNT))
		return false;
	write_cr4(read_cr4() | CR4_MCE);
	mce.enabled = true;
	return true;
}

bool mce_enabled(void)
{
	return mce.enabled;
}

bool mce_handle(struct trap_frame *tf)
{
	struct mce_event *e = &mce.last;

	*e = (struct mce_event){
		.mcg_status = rdmsr(MSR_IA32_MCG_STATUS),
		.status = rdmsr(MSR_IA32_MC0_STATUS),
		.addr = rdmsr(MSR_IA32_MC0_ADDR),
		.misc = rdmsr(MSR_IA32_MC0_MISC),
		.rip = tf->rip, .cs = tf->cs,
	};
	mce.count++;
	wrmsr(MSR_IA32_MC0_STATUS, 0);
	wrmsr(MSR_IA32_MCG_STATUS, 0);
	report_info("machine check: MCG_STATUS=0x%lx MC0_STATUS=0x%lx "
		    "MC0_ADDR=0x%lx at rip=0x%lx cs=0x%lx", e->mcg_status,
		    e->status, e->addr, e->rip, e->cs);
	if (pvapf_probe_skip(tf) || fixup_skip(tf)) {
		e->skipped = true;
		return true;
	}
	if (sched_fail_current(tf, "machine check (its page could not be "
			       "fetched)")) {
		e->task_failed = true;
		return true;
	}
	return false;
}

u64 mce_count(void)
{
	return mce.count;
}

const struct mce_event *mce_last(void)
{
	return mce.count ? &mce.last : NULL;
}
