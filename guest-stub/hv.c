/*
 * guest-stub/hv.c - hypervisor detection by CPUID (SDM Vol. 2A, CPUID;
 * the KVM and apfvisor leaves of vmm/abi.h) and the hypercall wrapper.
 *
 * Environment: guest (ring 0).
 */
#include "hv.h"
#include "cpu.h"
#include "report.h"
#include "trap.h"
#include "../lib/string.h"
#include "../vmm/abi.h"

#define CPUID_1_ECX_HYPERVISOR	BIT(31)

bool hv_bit(void)
{
	return cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR;
}

/* True if leaf's EBX, ECX, EDX hold the 12 bytes of sig. */
static bool leaf_signature_is(u32 leaf, const char sig[12])
{
	struct cpuid_regs r = cpuid(leaf, 0);
	char got[12];

	memcpy(got, &r.ebx, 4);
	memcpy(got + 4, &r.ecx, 4);
	memcpy(got + 8, &r.edx, 4);
	return !memcmp(got, sig, sizeof(got));
}

bool hv_kvm_signature(void)
{
	return leaf_signature_is(KVM_CPUID_SIGNATURE, "KVMKVMKVM\0\0\0");
}

bool hv_apfvisor(void)
{
	struct cpuid_regs r = cpuid(APFV_CPUID_BASE, 0);

	return r.ebx == APFV_SIG_EBX && r.ecx == APFV_SIG_ECX &&
	       r.edx == APFV_SIG_EDX;
}

u32 hv_apfvisor_features(void)
{
	if (cpuid(APFV_CPUID_BASE, 0).eax < APFV_CPUID_FEATURES)
		return 0;
	return cpuid(APFV_CPUID_FEATURES, 0).eax;
}

bool hv_call(u64 nr, u64 a1, u64 *ret)
{
	struct fault f;

	if (fault_expect(&f)) {
		report_info("vmcall 0x%lx: exception %lu at rip=0x%lx",
			    nr, f.vector, f.rip);
		return false;
	}
	*ret = vmcall(nr, a1, 0, 0);
	fault_disarm();
	return true;
}

u32 hv_kvm_features(void)
{
	if (!hv_kvm_signature() ||
	    cpuid(KVM_CPUID_SIGNATURE, 0).eax < KVM_CPUID_FEATURES)
		return 0;
	return cpuid(KVM_CPUID_FEATURES, 0).eax;
}

bool hv_pager_info(struct hv_pager *p)
{
	struct vmcall_regs r = { .rax = APFV_HC_PAGER_INFO };
	struct fault f;

	if (fault_expect(&f)) {
		report_info("pager info: exception %lu at rip=0x%lx",
			    f.vector, f.rip);
		return false;
	}
	vmcall_regs(&r);
	fault_disarm();
	*p = (struct hv_pager){ r.rbx, r.rcx, r.rdx, r.rsi };
	return r.rax == 0 && r.rcx >= r.rbx;
}
