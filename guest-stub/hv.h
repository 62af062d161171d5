/*
 * guest-stub/hv.h - finding out which hypervisor, if any, runs the guest
 * (CPUID leaves; vmm/abi.h for apfvisor's), and calling it.
 * Environment: guest (ring 0).
 */
#ifndef GUEST_HV_H
#define GUEST_HV_H

#include "../lib/types.h"

#define KVM_CPUID_SIGNATURE	0x40000000u

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

#endif
