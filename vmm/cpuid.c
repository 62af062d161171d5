/*
 * vmm/cpuid.c - the guest's CPUID (SDM Vol. 2A, CPUID; KVM's
 * Documentation/virt/kvm/x86/cpuid.rst for the 0x40000000 leaves).
 *
 * Pure. The rule: advertise only what the guest really gets. VMX, SMX,
 * MONITOR/MWAIT, XSAVE and the features that need it, and PMU leaves are
 * hidden; the LAPIC bits (APIC, x2APIC, TSC deadline) and MCE/MCA follow
 * what apfvisor emulates. FSRM stays hidden: test-machines.md saw Linux
 * 6.1's memmove break when FSRM is advertised without fast strings in
 * MISC_ENABLE; vmm/msr.c now reports fast strings on, but hiding FSRM
 * costs a guest nothing. Topology leaves say the one CPU has x2APIC ID 0,
 * matching the virtual LAPIC.
 */
#include "cpuid.h"
#include "abi.h"

/* CPUID.1 */
#define C1_ECX_MONITOR		BIT(3)
#define C1_ECX_VMX		BIT(5)
#define C1_ECX_SMX		BIT(6)
#define C1_ECX_PDCM		BIT(15)
#define C1_ECX_X2APIC		BIT(21)
#define C1_ECX_TSC_DEADLINE	BIT(24)
#define C1_ECX_XSAVE		BIT(26)
#define C1_ECX_OSXSAVE		BIT(27)
#define C1_ECX_AVX		BIT(28)
#define C1_ECX_F16C		BIT(29)
#define C1_ECX_FMA		BIT(12)
#define C1_ECX_HYPERVISOR	BIT(31)
#define C1_EDX_MCE		BIT(7)
#define C1_EDX_APIC		BIT(9)
#define C1_EDX_MCA		BIT(14)
#define C1_EDX_MTRR		BIT(12)
#define C1_EDX_ACPI		BIT(22)
#define C1_EDX_DS		BIT(21)
/* CPUID.7.0 EBX: the features kept (no XSAVE-dependent ones) */
#define C7_EBX_FSGSBASE		BIT(0)
#define C7_EBX_BMI1		BIT(3)
#define C7_EBX_SMEP		BIT(7)
#define C7_EBX_BMI2		BIT(8)
#define C7_EBX_ERMS		BIT(9)
#define C7_EBX_INVPCID		BIT(10)
#define C7_EBX_SMAP		BIT(20)
#define C7_EBX_CLFLUSHOPT	BIT(23)
/* CPUID.80000001 EDX */
#define C81_EDX_RDTSCP		BIT(27)

/* KVM signature "KVMKVMKVM\0\0\0" */
#define KVM_SIG_EBX		0x4b4d564bu
#define KVM_SIG_ECX		0x564b4d56u
#define KVM_SIG_EDX		0x0000004du

bool cpuid_is_hv_leaf(u32 leaf)
{
	return leaf >= KVM_CPUID_SIGNATURE && leaf <= CPUID_HV_RANGE_END;
}

static void hv_leaf(u32 leaf, struct cpuid_regs *r, const struct cpuid_policy *p)
{
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	switch (leaf) {
	case KVM_CPUID_SIGNATURE:
		*r = (struct cpuid_regs){ KVM_CPUID_FEATURES, KVM_SIG_EBX,
					  KVM_SIG_ECX, KVM_SIG_EDX };
		break;
	case KVM_CPUID_FEATURES:
		r->eax = p->kvm_features;
		break;
	case APFV_CPUID_BASE:
		*r = (struct cpuid_regs){ APFV_CPUID_FEATURES, APFV_SIG_EBX,
					  APFV_SIG_ECX, APFV_SIG_EDX };
		break;
	case APFV_CPUID_FEATURES:
		r->eax = p->apfv_features;
		break;
	}
}

#define C1_EBX_APIC_ID_MASK	0xff000000u

static void leaf1(struct cpuid_regs *r, const struct cpuid_policy *p)
{
	r->ecx &= ~(u32)(C1_ECX_MONITOR | C1_ECX_VMX | C1_ECX_SMX |
			 C1_ECX_PDCM | C1_ECX_X2APIC | C1_ECX_TSC_DEADLINE |
			 C1_ECX_XSAVE | C1_ECX_OSXSAVE | C1_ECX_AVX |
			 C1_ECX_F16C | C1_ECX_FMA);
	r->ecx |= C1_ECX_HYPERVISOR;
	/* No MTRRs, debug store or thermal ACPI. */
	r->edx &= ~(u32)(C1_EDX_APIC | C1_EDX_MTRR | C1_EDX_DS | C1_EDX_ACPI);
	/* one machine-check bank reports failed fetches (vmm/mce.c) */
	r->edx |= C1_EDX_MCE | C1_EDX_MCA;
	if (p->lapic) {
		/* the virtual LAPIC: ID 0, xAPIC, x2APIC, TSC-deadline timer */
		r->ebx &= ~C1_EBX_APIC_ID_MASK;
		r->ecx |= C1_ECX_X2APIC | C1_ECX_TSC_DEADLINE;
		r->edx |= C1_EDX_APIC;
	}
}

static void leaf7(u32 sub, struct cpuid_regs *r, const struct cpuid_policy *p)
{
	u32 keep = C7_EBX_FSGSBASE | C7_EBX_BMI1 | C7_EBX_SMEP | C7_EBX_BMI2 |
		   C7_EBX_ERMS | C7_EBX_SMAP | C7_EBX_CLFLUSHOPT |
		   (p->invpcid ? C7_EBX_INVPCID : 0);

	if (sub != 0) {
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		return;
	}
	r->eax = 0;	/* highest subleaf: 0 */
	r->ebx &= keep;
	r->ecx = 0;
	r->edx = 0;
}

void cpuid_filter(u32 leaf, u32 sub, struct cpuid_regs *r,
		  const struct cpuid_policy *p)
{
	if (cpuid_is_hv_leaf(leaf)) {
		hv_leaf(leaf, r, p);
		return;
	}
	switch (leaf) {
	case 1:
		leaf1(r, p);
		break;
	case 5:		/* MONITOR/MWAIT */
	case 6:		/* thermal and power */
	case 0xa:	/* performance monitoring */
	case 0xd:	/* XSAVE */
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 7:
		leaf7(sub, r, p);
		break;
	case 0xb:	/* extended topology: EDX is this CPU's x2APIC ID */
	case 0x1f:
		r->edx = 0;
		break;
	case 0x80000001:
		if (!p->rdtscp)
			r->edx &= ~(u32)C81_EDX_RDTSCP;
		break;
	}
}
