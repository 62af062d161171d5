/*
 * vmm/exits.c - VM-exit dispatch: one table indexed by basic exit reason
 * (the ACRN/kvm-unit-tests idiom). Handlers return what the run loop
 * does next; a reason without a handler ends the run with a FAIL line and
 * the post-mortem dump (vmm/vcpu.c), never a silent hang.
 *
 * Environment: VMX root, IF=0.
 */
#include "vcpu.h"
#include "apfhost.h"
#include "../apic/lapic.h"
#include "cpu.h"
#include "cr.h"
#include "hypercall.h"
#include "io.h"
#include "memory.h"
#include "msr.h"
#include "vmm.h"
#include "abi.h"
#include "../vmx/exit_reason.h"

typedef enum exit_action (*exit_handler)(struct vcpu *v);

static enum exit_action handle_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->regs.gpr[REG_RAX], sub = (u32)v->regs.gpr[REG_RCX];
	u32 proc2 = (u32)vmcs_read(PROC_BASED_CONTROLS2);
	struct cpuid_policy p = {
		.rdtscp = proc2 & PROC2_RDTSCP,
		.invpcid = proc2 & PROC2_INVPCID,
		.apfv_features = APFV_FEAT_HYPERCALLS | APFV_FEAT_APF_ERRORS,
		.kvm_features = BIT(KVM_FEATURE_ASYNC_PF) |
				BIT(KVM_FEATURE_ASYNC_PF_INT),
		.lapic = true,
	};
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (!cpuid_is_hv_leaf(leaf))
		cpu_cpuid(leaf, sub, &r);
	cpuid_filter(leaf, sub, &r, &p);
	v->regs.gpr[REG_RAX] = r.eax;
	v->regs.gpr[REG_RBX] = r.ebx;
	v->regs.gpr[REG_RCX] = r.ecx;
	v->regs.gpr[REG_RDX] = r.edx;
	return EXIT_SKIP;
}

/* HLT: the vCPU sleeps until an interrupt (APIC timer, APF "ready") can
 * wake it (vcpu_halt). With IF=0, or nothing that will ever fire, it would
 * sleep forever: say so and end the run. */
static enum exit_action handle_hlt(struct vcpu *v)
{
	if (vcpu_halt(v))
		return EXIT_SKIP;
	if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF))
		vmm_fail("vmm: guest halted with nothing to wake it (RFLAGS.IF=0: "
			 "no interrupt can be taken): it would sleep forever");
	vmm_fail("vmm: guest halted with nothing to wake it (RFLAGS.IF=1, no "
		 "timer, fetch or interrupt pending): it would sleep forever");
}

static enum exit_action handle_triple_fault(struct vcpu *v)
{
	(void)v;
	vmm_fail("vmm: guest triple fault (shutdown) at rip 0x%llx",
		 (unsigned long long)vmcs_read(GUEST_RIP));
}

/* VMX, SMX and MONITOR/MWAIT are hidden in CPUID: raise #UD as a CPU
 * without them would. */
static enum exit_action handle_ud(struct vcpu *v)
{
	vcpu_inject_exception(v, EXC_UD, false, 0);
	return EXIT_RESUME;
}

/* INVD/WBINVD: guest RAM is ordinary write-back memory; nothing to do. */
static enum exit_action handle_nop(struct vcpu *v)
{
	(void)v;
	return EXIT_SKIP;
}

/* The host's own interrupts are masked at the PIC; one that still
 * arrives was acknowledged on exit and needs nothing more. */
static enum exit_action handle_resume(struct vcpu *v)
{
	(void)v;
	return EXIT_RESUME;
}

/* XSAVE is hidden, so the guest cannot have set CR4.OSXSAVE: #UD. */
static enum exit_action handle_xsetbv(struct vcpu *v)
{
	return handle_ud(v);
}

/* EOI-exit bitmaps are all zero, so this only counts (lapic.eoi_exits). */
static enum exit_action handle_eoi(struct vcpu *v)
{
	lapic_eoi_exit(v);
	return EXIT_RESUME;
}

/* Exit qualification bits 11:0: the page offset written. */
static enum exit_action handle_apic_write(struct vcpu *v)
{
	lapic_apic_write(v, (u32)(v->exit_qual & 0xfff));
	return EXIT_RESUME;	/* trap-like: RIP is already past the write */
}

static enum exit_action handle_ept_misconfig(struct vcpu *v)
{
	(void)v;
	panic("EPT misconfiguration at guest-physical 0x%llx",
	      (unsigned long long)vmcs_read(GUEST_PHYSICAL_ADDRESS));
}

static const exit_handler handlers[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = handle_resume,
	[EXIT_EXTERNAL_INTERRUPT] = handle_resume,
	[EXIT_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_GETSEC] = handle_ud,
	[EXIT_HLT] = handle_hlt,
	[EXIT_INVD] = handle_nop,
	[EXIT_VMCALL] = hypercall_handle,
	[EXIT_VMCLEAR] = handle_ud,
	[EXIT_VMLAUNCH] = handle_ud,
	[EXIT_VMPTRLD] = handle_ud,
	[EXIT_VMPTRST] = handle_ud,
	[EXIT_VMREAD] = handle_ud,
	[EXIT_VMRESUME] = handle_ud,
	[EXIT_VMWRITE] = handle_ud,
	[EXIT_VMXOFF] = handle_ud,
	[EXIT_VMXON] = handle_ud,
	[EXIT_CR_ACCESS] = cr_handle,
	[EXIT_IO] = io_handle,
	[EXIT_MSR_READ] = msr_handle_read,
	[EXIT_MSR_WRITE] = msr_handle_write,
	[EXIT_MWAIT] = handle_ud,
	[EXIT_MONITOR] = handle_ud,
	[EXIT_EPT_VIOLATION] = memory_ept_violation,
	[EXIT_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_PREEMPTION_TIMER] = handle_resume,	/* clock tick: see vcpu.c */
	[EXIT_INTERRUPT_WINDOW] = handle_resume,	/* apic/lapic.c injects */
	[EXIT_TPR_BELOW_THRESHOLD] = handle_resume,
	[EXIT_VIRTUALIZED_EOI] = handle_eoi,
	[EXIT_APIC_WRITE] = handle_apic_write,
	[EXIT_INVEPT] = handle_ud,
	[EXIT_INVVPID] = handle_ud,
	[EXIT_WBINVD] = handle_nop,
	[EXIT_XSETBV] = handle_xsetbv,
	[EXIT_VMFUNC] = handle_ud,
};

enum exit_action exits_handle(struct vcpu *v)
{
	u32 reason = v->exit_reason & EXIT_REASON_BASIC_MASK;

	if (reason < EXIT_REASON_MAX && handlers[reason])
		return handlers[reason](v);
	vmm_fail("vmx: unhandled exit: %s (reason %u) at rip 0x%llx",
		 exit_reason_name(reason), reason,
		 (unsigned long long)vmcs_read(GUEST_RIP));
}
