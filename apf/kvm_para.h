/*
 * apf/kvm_para.h - KVM's asynchronous-page-fault ABI, byte for byte
 * (Linux arch/x86/include/uapi/asm/kvm_para.h; Documentation/virt/kvm/
 * x86/msr.rst and cpuid.rst). Shared by the hypervisor and guest-stub.
 */
#ifndef APF_KVM_PARA_H
#define APF_KVM_PARA_H

#include "../lib/types.h"

#define MSR_KVM_ASYNC_PF_EN	0x4b564d02u
#define MSR_KVM_ASYNC_PF_INT	0x4b564d06u
#define MSR_KVM_ASYNC_PF_ACK	0x4b564d07u
#define MSR_KVM_RANGE_FIRST	0x4b564d00u
#define MSR_KVM_RANGE_LAST	0x4b564dffu

/* MSR_KVM_ASYNC_PF_EN */
#define KVM_ASYNC_PF_ENABLED			BIT(0)
#define KVM_ASYNC_PF_SEND_ALWAYS		BIT(1)
#define KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT	BIT(2)
#define KVM_ASYNC_PF_DELIVERY_AS_INT		BIT(3)
#define KVM_ASYNC_PF_RESERVED			GENMASK(5, 4)
#define KVM_ASYNC_PF_ADDR_MASK			GENMASK(63, 6)

/* MSR_KVM_ASYNC_PF_INT */
#define KVM_ASYNC_PF_VEC_MASK			GENMASK(7, 0)

/* CPUID 0x40000001.EAX */
#define KVM_FEATURE_ASYNC_PF			4
#define KVM_FEATURE_ASYNC_PF_VMEXIT		10
#define KVM_FEATURE_ASYNC_PF_INT		14

/* struct kvm_vcpu_pv_apf_data.flags ("reason") */
#define KVM_PV_REASON_PAGE_NOT_PRESENT		1
#define KVM_PV_REASON_PAGE_READY		2

/* The token KVM sends on every enabling write: wake every waiter. */
#define KVM_APF_WAKE_ALL_TOKEN			0xffffffffu

/* The 64-byte shared area, 64-byte aligned, at the GPA in ASYNC_PF_EN. */
struct kvm_vcpu_pv_apf_data {
	u32 flags;	/* #PF delivery: 1 not present, 2 ready; guest clears */
	u32 token;	/* interrupt delivery of "ready"; guest writes 0 */
	u8 pad[56];
};
_Static_assert(sizeof(struct kvm_vcpu_pv_apf_data) == 64, "KVM ABI");
#define APF_AREA_FLAGS	0
#define APF_AREA_TOKEN	4

#endif
