/*
 * vmx/exit_reason.c - names of VM-exit reasons, as a designated-initializer
 * table (the kvm-unit-tests idiom), and the STATS keys of the ones apfvisor
 * reports. Pure.
 */
#include "exit_reason.h"

struct exit_reason_desc {
	const char *name;
	const char *key;	/* stable STATS key, docs/stats.md */
};

static const struct exit_reason_desc reasons[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = { "exception or NMI", "exception_nmi" },
	[EXIT_EXTERNAL_INTERRUPT] = { "external interrupt", "external_interrupt" },
	[EXIT_TRIPLE_FAULT] = { "triple fault", "triple_fault" },
	[EXIT_INIT] = { "INIT signal", NULL },
	[EXIT_SIPI] = { "startup IPI", NULL },
	[EXIT_IO_SMI] = { "I/O SMI", NULL },
	[EXIT_OTHER_SMI] = { "other SMI", NULL },
	[EXIT_INTERRUPT_WINDOW] = { "interrupt window", "interrupt_window" },
	[EXIT_NMI_WINDOW] = { "NMI window", NULL },
	[EXIT_TASK_SWITCH] = { "task switch", NULL },
	[EXIT_CPUID] = { "CPUID", "cpuid" },
	[EXIT_GETSEC] = { "GETSEC", NULL },
	[EXIT_HLT] = { "HLT", "hlt" },
	[EXIT_INVD] = { "INVD", NULL },
	[EXIT_INVLPG] = { "INVLPG", NULL },
	[EXIT_RDPMC] = { "RDPMC", NULL },
	[EXIT_RDTSC] = { "RDTSC", NULL },
	[EXIT_RSM] = { "RSM", NULL },
	[EXIT_VMCALL] = { "VMCALL", "vmcall" },
	[EXIT_VMCLEAR] = { "VMCLEAR", NULL },
	[EXIT_VMLAUNCH] = { "VMLAUNCH", NULL },
	[EXIT_VMPTRLD] = { "VMPTRLD", NULL },
	[EXIT_VMPTRST] = { "VMPTRST", NULL },
	[EXIT_VMREAD] = { "VMREAD", NULL },
	[EXIT_VMRESUME] = { "VMRESUME", NULL },
	[EXIT_VMWRITE] = { "VMWRITE", NULL },
	[EXIT_VMXOFF] = { "VMXOFF", NULL },
	[EXIT_VMXON] = { "VMXON", NULL },
	[EXIT_CR_ACCESS] = { "control-register access", "cr_access" },
	[EXIT_DR_ACCESS] = { "debug-register access", NULL },
	[EXIT_IO] = { "I/O instruction", "io" },
	[EXIT_MSR_READ] = { "RDMSR", "msr_read" },
	[EXIT_MSR_WRITE] = { "WRMSR", "msr_write" },
	[EXIT_INVALID_GUEST_STATE] = { "VM-entry failure: invalid guest state", NULL },
	[EXIT_MSR_LOADING] = { "VM-entry failure: MSR loading", NULL },
	[EXIT_MWAIT] = { "MWAIT", NULL },
	[EXIT_MTF] = { "monitor trap flag", NULL },
	[EXIT_MONITOR] = { "MONITOR", NULL },
	[EXIT_PAUSE] = { "PAUSE", NULL },
	[EXIT_MACHINE_CHECK] = { "VM-entry failure: machine check", NULL },
	[EXIT_TPR_BELOW_THRESHOLD] = { "TPR below threshold", "tpr_below_threshold" },
	[EXIT_APIC_ACCESS] = { "APIC access", NULL },
	[EXIT_VIRTUALIZED_EOI] = { "virtualized EOI", NULL },
	[EXIT_GDTR_IDTR] = { "GDTR/IDTR access", NULL },
	[EXIT_LDTR_TR] = { "LDTR/TR access", NULL },
	[EXIT_EPT_VIOLATION] = { "EPT violation", "ept_violation" },
	[EXIT_EPT_MISCONFIG] = { "EPT misconfiguration", "ept_misconfig" },
	[EXIT_INVEPT] = { "INVEPT", NULL },
	[EXIT_RDTSCP] = { "RDTSCP", NULL },
	[EXIT_PREEMPTION_TIMER] = { "VMX-preemption timer", "preemption_timer" },
	[EXIT_INVVPID] = { "INVVPID", NULL },
	[EXIT_WBINVD] = { "WBINVD", NULL },
	[EXIT_XSETBV] = { "XSETBV", "xsetbv" },
	[EXIT_APIC_WRITE] = { "APIC write", NULL },
	[EXIT_RDRAND] = { "RDRAND", NULL },
	[EXIT_INVPCID] = { "INVPCID", NULL },
	[EXIT_VMFUNC] = { "VMFUNC", NULL },
	[EXIT_ENCLS] = { "ENCLS", NULL },
	[EXIT_RDSEED] = { "RDSEED", NULL },
	[EXIT_XSAVES] = { "XSAVES", NULL },
	[EXIT_XRSTORS] = { "XRSTORS", NULL },
};

const char *exit_reason_name(u32 reason)
{
	if (reason >= EXIT_REASON_MAX || !reasons[reason].name)
		return "unknown";
	return reasons[reason].name;
}

const char *exit_reason_stat_key(u32 reason)
{
	return reason < EXIT_REASON_MAX ? reasons[reason].key : NULL;
}
