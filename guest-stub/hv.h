/*
 * guest-stub/hv.h - finding out which hypervisor, if any, runs the guest
 * (CPUID leaves; vmm/abi.h for apfvisor's), and calling it.
 * Environment: guest (ring 0).
 */
#ifndef GUEST_HV_H
#define GUEST_HV_H

#include "../lib/types.h"

#define KVM_CPUID_SIGNATURE	0x40000000u
#define KVM_CPUID_FEATURES	0x40000001u

/* CPUID.1:ECX[31], set by hypervisors for their guests. */
bool hv_bit(void);
/* True if leaf 0x40000000 shows "KVMKVMKVM\0\0\0". */
bool hv_kvm_signature(void);
/* True if apfvisor's signature is at APFV_CPUID_BASE. */
bool hv_apfvisor(void);
/* APFV_CPUID_FEATURES.EAX, or 0 when the leaf is beyond the maximum. */
u32 hv_apfvisor_features(void);

/* Hypercall nr with argument a1 (vmm/abi.h). Returns true with the result
 * in *ret, or false if the VMCALL raised an exception (noted on the console). */
bool hv_call(u64 nr, u64 a1, u64 *ret);

/* CPUID 0x40000001.EAX (KVM features), or 0 without the KVM signature. */
u32 hv_kvm_features(void);

/* The slow backing store, as APFV_HC_PAGER_INFO describes it. */
struct hv_pager {
	u64 slow_start, slow_end;	/* [start, end); equal: no slow pages */
	u64 seed;
	u64 slow_pct;			/* percent of the range that is slow */
};

/* Ask apfvisor for its pager layout; false if the hypercall failed. */
bool hv_pager_info(struct hv_pager *p);

#endif
