/*
 * vmm/cpuid.h - the CPUID the guest sees: the host's, filtered to what
 * apfvisor virtualizes, plus the KVM and apfvisor hypervisor leaves.
 *
 * Pure module: host-tested. docs/abi.md lists every change made.
 */
#ifndef VMM_CPUID_H
#define VMM_CPUID_H

#include "../lib/types.h"

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/* What the VMCS grants the guest, so CPUID never advertises more. */
struct cpuid_policy {
	bool rdtscp;		/* secondary control "enable RDTSCP" set */
	bool invpcid;		/* secondary control "enable INVPCID" set */
	u32 kvm_features;	/* CPUID 0x40000001.EAX */
	u32 apfv_features;	/* CPUID APFV_CPUID_FEATURES.EAX */
	bool lapic;		/* a virtual LAPIC (xAPIC, x2APIC, TSC deadline) */
};

#define KVM_CPUID_SIGNATURE	0x40000000u
#define KVM_CPUID_FEATURES	0x40000001u
#define CPUID_HV_RANGE_END	0x4fffffffu

/* Is leaf one of the hypervisor's own (0x40000000-0x4fffffff)? */
bool cpuid_is_hv_leaf(u32 leaf);
/* Turn the host's answer r for (leaf, sub) into the guest's, in place.
 * Hypervisor leaves are answered whole (r's input is ignored). */
void cpuid_filter(u32 leaf, u32 sub, struct cpuid_regs *r,
		  const struct cpuid_policy *p);

#endif
