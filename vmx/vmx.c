/*
 * vmx/vmx.c - from "does this CPU have VMX?" to VMX root operation
 * (SDM Vol. 3C, "Discovering Support for VMX", "Enabling and Entering VMX
 * Operation"; Vol. 3D Appendix A for the capability MSRs).
 *
 * Environment: CPL 0, IF=0, before and in VMX root. CPUID is checked
 * before any VMX MSR or CR4.VMXE is touched: setting CR4.VMXE on a CPU
 * without VMX hangs QEMU's TCG, and the MSRs #GP on real CPUs.
 */
#include "vmx.h"
#include "../vmm/cpu.h"
#include "../vmm/vmm.h"
#include "../lib/env.h"
#include "../lib/fmt.h"

struct vmx_caps vmx_caps;
static u8 vmxon_region[PAGE_SIZE] __aligned(PAGE_SIZE);

#define PROCBASED_HAS_SECONDARY	BIT(63)	/* allowed-1 of PROC_SECONDARY */

/* Read the capability MSRs, preferring the TRUE_* controls. */
static void read_caps(struct vmx_caps *c)
{
	bool tru;

	c->basic = cpu_rdmsr(MSR_IA32_VMX_BASIC);
	tru = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pin = cpu_rdmsr(tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	c->proc = cpu_rdmsr(tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = cpu_rdmsr(tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = cpu_rdmsr(tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	c->misc = cpu_rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	c->proc2 = 0;
	c->ept_vpid = 0;
	if (c->proc & PROCBASED_HAS_SECONDARY) {
		c->proc2 = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if (c->proc2 >> 32 & (PROC2_EPT | PROC2_VPID))
			c->ept_vpid = cpu_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

/* Apply IA32_FEATURE_CONTROL's verdict; -1 when firmware locked VMX off. */
static int feature_control(char *why, size_t len)
{
	u64 fc = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL);

	switch (vmx_fc_action(fc)) {
	case FC_OK:
		return 0;
	case FC_ENABLE:
		cpu_wrmsr(MSR_IA32_FEATURE_CONTROL,
			  fc | FC_VMX_OUTSIDE_SMX | FC_LOCKED);
		return 0;
	case FC_LOCKED_OFF:
		break;
	}
	fmt_snprintf(why, len, "vmx: VMX is disabled by firmware "
		     "(IA32_FEATURE_CONTROL=0x%llx locked without VMX): enable "
		     "VT-x in the firmware setup", (unsigned long long)fc);
	return -1;
}

struct vmx_need {
	const char *what;
	bool ok;
};

/* First missing requirement, in the order a reader would want to fix. */
static const char *missing_feature(const struct vmx_caps *c)
{
	u32 p2 = (u32)(c->proc2 >> 32);
	const struct vmx_need needs[] = {
		{ "secondary processor-based controls (needed for EPT)",
		  c->proc & PROCBASED_HAS_SECONDARY },
		{ "EPT (extended page tables)", p2 & PROC2_EPT },
		{ "EPT 4-level page walks", c->ept_vpid & VMX_EPT_WALK_4 },
		{ "EPT write-back memory type", c->ept_vpid & VMX_EPT_MT_WB },
		{ "EPT INVEPT instruction", c->ept_vpid & VMX_EPT_INVEPT },
		{ "unrestricted guest", p2 & PROC2_UNRESTRICTED },
		{ "VM-entry load of IA32_EFER", c->entry >> 32 & ENTRY_LOAD_EFER },
		{ "VM-exit save/load of IA32_EFER",
		  (c->exit >> 32 & (EXIT_SAVE_EFER | EXIT_LOAD_EFER)) ==
		  (EXIT_SAVE_EFER | EXIT_LOAD_EFER) },
		{ "64-bit host address space", c->exit >> 32 & EXIT_HOST_ADDR64 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(needs); i++)
		if (!needs[i].ok)
			return needs[i].what;
	return NULL;
}

int vmx_probe(char *why, size_t len)
{
	struct cpuid_regs r;
	const char *miss;

	cpu_cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_VMX)) {
		fmt_snprintf(why, len, "vmx: CPU has no VMX (CPUID.1:ECX.VMX=0); "
			     "run on a VT-x machine or nested KVM (README)");
		return -1;
	}
	if (feature_control(why, len))
		return -1;
	read_caps(&vmx_caps);
	miss = missing_feature(&vmx_caps);
	if (miss) {
		fmt_snprintf(why, len, "vmx: CPU lacks %s, which apfvisor requires",
			     miss);
		return -1;
	}
	return 0;
}

int vmx_on(char *why, size_t len)
{
	const struct vmx_caps *c = &vmx_caps;
	u8 fail;

	cpu_write_cr0(vmx_fixed(cpu_read_cr0(), c->cr0_fixed0, c->cr0_fixed1));
	cpu_write_cr4(vmx_fixed(cpu_read_cr4() | CR4_VMXE, c->cr4_fixed0,
				c->cr4_fixed1));
	*(u32 *)vmxon_region = (u32)(c->basic & VMX_BASIC_REVISION_MASK);
	u64 pa = env_virt_to_phys(vmxon_region);
	asm volatile("vmxon %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	if (fail) {
		fmt_snprintf(why, len, "vmx: VMXON failed");
		return -1;
	}
	return 0;
}

int vmcs_load(void *vmcs)
{
	u64 pa = env_virt_to_phys(vmcs);
	u8 fail;

	*(u32 *)vmcs = (u32)(vmx_caps.basic & VMX_BASIC_REVISION_MASK);
	asm volatile("vmclear %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	if (fail)
		return -1;
	asm volatile("vmptrld %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

void vmcs_write(u32 field, u64 v)
{
	u32 err;

	if (vmcs_write_raw(field, v))
		return;
	err = (u32)vmcs_read(VM_INSTRUCTION_ERROR);
	vmm_fail("vmx: VMWRITE %s (0x%x) = 0x%llx failed: error %u (%s)",
		 vmcs_field_name(field), field, (unsigned long long)v, err,
		 vmx_insn_error_name(err));
}

void vmx_invept(u64 eptp)
{
	struct { u64 eptp, rsvd; } desc = { eptp, 0 };
	u64 type = (vmx_caps.ept_vpid & VMX_EPT_INVEPT_ALL) ? 2 : 1;

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

void vmx_flush_guest_tlb(void)
{
	struct { u64 vpid, addr; } desc = { 0, 0 };
	u64 type = (vmx_caps.ept_vpid & VMX_VPID_INVVPID_SINGLE) ? 1 : 2;

	if (!(vmcs_read(PROC_BASED_CONTROLS2) & PROC2_VPID))
		return;
	desc.vpid = vmcs_read(VPID);
	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}
