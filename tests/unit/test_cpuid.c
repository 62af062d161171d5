/*
 * tests/unit/test_cpuid.c - vmm/cpuid.c: the CPUID the guest sees (SDM
 * Vol. 2A, CPUID; KVM's Documentation/virt/kvm/x86/cpuid.rst): the
 * hypervisor bit, hidden features, and the KVM and apfvisor signature
 * leaves. Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../vmm/abi.h"
#include "../../vmm/cpuid.h"
#include "../../apf/kvm_para.h"

#define ALL_ONES	((struct cpuid_regs){ ~0u, ~0u, ~0u, ~0u })
#define C1_ECX_VMX	BIT(5)
#define C1_ECX_SMX	BIT(6)
#define C1_ECX_X2APIC	BIT(21)
#define C1_ECX_XSAVE	BIT(26)
#define C1_ECX_HYPERVISOR BIT(31)
#define C1_ECX_SSE3	BIT(0)
#define C1_EDX_APIC	BIT(9)
#define C1_EDX_TSC	BIT(4)
#define C7_EBX_ERMS	BIT(9)
#define C7_EBX_INVPCID	BIT(10)
#define C7_EBX_AVX2	BIT(5)
#define C7_EDX_FSRM	BIT(4)
#define C81_EDX_RDTSCP	BIT(27)
#define C81_EDX_LM	BIT(29)

static const struct cpuid_policy policy = {
	.rdtscp = true,
	.invpcid = true,
	.kvm_features = 1u << KVM_FEATURE_ASYNC_PF | 1u << KVM_FEATURE_ASYNC_PF_INT,
	.apfv_features = APFV_FEAT_HYPERCALLS,
};

static struct cpuid_regs guest(u32 leaf, u32 sub, struct cpuid_regs host,
			       const struct cpuid_policy *p)
{
	cpuid_filter(leaf, sub, &host, p);
	return host;
}

/* EBX, ECX, EDX as the 12-byte signature string a guest compares. */
static void assert_signature(struct cpuid_regs r, const char sig[12])
{
	char got[12];

	memcpy(got, &r.ebx, 4);
	memcpy(got + 4, &r.ecx, 4);
	memcpy(got + 8, &r.edx, 4);
	assert_memory_equal(got, sig, 12);
}

static void hypervisor_bit_is_set(void **state)
{
	struct cpuid_regs r = guest(1, 0, (struct cpuid_regs){ 0 }, &policy);

	(void)state;
	assert_true(r.ecx & C1_ECX_HYPERVISOR);
}

static void vmx_and_unvirtualized_leaf_1_features_are_hidden(void **state)
{
	struct cpuid_regs r = guest(1, 0, ALL_ONES, &policy);

	(void)state;
	assert_false(r.ecx & C1_ECX_VMX);
	assert_false(r.ecx & C1_ECX_SMX);
	assert_false(r.ecx & C1_ECX_X2APIC);
	assert_false(r.ecx & C1_ECX_XSAVE);
	assert_false(r.edx & C1_EDX_APIC);
	assert_true(r.ecx & C1_ECX_SSE3);	/* the rest is passed */
	assert_true(r.edx & C1_EDX_TSC);
	assert_int_equal(r.eax, ~0u);
}

static void kvm_signature_at_0x40000000(void **state)
{
	struct cpuid_regs r = guest(KVM_CPUID_SIGNATURE, 0, ALL_ONES, &policy);

	(void)state;
	assert_int_equal(r.eax, 0x40000001);
	assert_signature(r, "KVMKVMKVM\0\0\0");
}

static void kvm_features_come_from_the_policy(void **state)
{
	struct cpuid_regs r = guest(KVM_CPUID_FEATURES, 0, ALL_ONES, &policy);

	(void)state;
	assert_int_equal(r.eax, BIT(KVM_FEATURE_ASYNC_PF) |
				BIT(KVM_FEATURE_ASYNC_PF_INT));
	assert_int_equal(r.ebx, 0);
	assert_int_equal(r.ecx, 0);
	assert_int_equal(r.edx, 0);
}

static void apfvisor_signature_at_0x40000100(void **state)
{
	struct cpuid_regs r = guest(APFV_CPUID_BASE, 0, ALL_ONES, &policy);

	(void)state;
	assert_int_equal(APFV_CPUID_BASE, 0x40000100);
	assert_int_equal(r.eax, APFV_CPUID_FEATURES);
	assert_signature(r, "APFVISOR\0\0\0\0");
	r = guest(APFV_CPUID_FEATURES, 0, ALL_ONES, &policy);
	assert_int_equal(r.eax, APFV_FEAT_HYPERCALLS);
}

static void other_hypervisor_leaves_are_zero(void **state)
{
	struct cpuid_regs r = guest(0x40000002, 0, ALL_ONES, &policy);

	(void)state;
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = guest(CPUID_HV_RANGE_END, 0, ALL_ONES, &policy);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void hypervisor_leaf_range_is_0x40000000_to_0x4fffffff(void **state)
{
	(void)state;
	assert_false(cpuid_is_hv_leaf(0x3fffffff));
	assert_true(cpuid_is_hv_leaf(0x40000000));
	assert_true(cpuid_is_hv_leaf(0x4fffffff));
	assert_false(cpuid_is_hv_leaf(0x50000000));
	assert_false(cpuid_is_hv_leaf(0x80000001));
}

static void rdtscp_hidden_when_policy_says(void **state)
{
	struct cpuid_policy p = policy;
	struct cpuid_regs r;

	(void)state;
	r = guest(0x80000001, 0, ALL_ONES, &policy);
	assert_true(r.edx & C81_EDX_RDTSCP);
	p.rdtscp = false;
	r = guest(0x80000001, 0, ALL_ONES, &p);
	assert_false(r.edx & C81_EDX_RDTSCP);
	assert_true(r.edx & C81_EDX_LM);
}

static void invpcid_follows_the_policy(void **state)
{
	struct cpuid_policy p = policy;
	struct cpuid_regs r;

	(void)state;
	r = guest(7, 0, ALL_ONES, &policy);
	assert_true(r.ebx & C7_EBX_INVPCID);
	p.invpcid = false;
	r = guest(7, 0, ALL_ONES, &p);
	assert_false(r.ebx & C7_EBX_INVPCID);
	assert_true(r.ebx & C7_EBX_ERMS);
	assert_false(r.ebx & C7_EBX_AVX2);	/* needs XSAVE */
}

static void leaf_7_subleaf_1_is_zeroed(void **state)
{
	struct cpuid_regs r = guest(7, 1, ALL_ONES, &policy);

	(void)state;
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = guest(7, 0, ALL_ONES, &policy);
	assert_int_equal(r.eax, 0);	/* and no subleaf 1 is announced */
}

static void fsrm_is_hidden(void **state)
{
	struct cpuid_regs r = guest(7, 0, ALL_ONES, &policy);

	(void)state;
	assert_false(r.edx & C7_EDX_FSRM);
}

static void xsave_and_pmu_leaves_are_zeroed(void **state)
{
	/* MONITOR/MWAIT, thermal and power, PMU, XSAVE */
	static const u32 zeroed[] = { 5, 6, 0xa, 0xd };

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(zeroed); i++) {
		struct cpuid_regs r = guest(zeroed[i], 0, ALL_ONES, &policy);

		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

static void other_leaves_pass_through(void **state)
{
	struct cpuid_regs host = { 0xd, 0x756e6547, 0x6c65746e, 0x49656e69 };
	struct cpuid_regs r = guest(0, 0, host, &policy);

	(void)state;
	assert_memory_equal(&r, &host, sizeof(r));
	r = guest(0x80000008, 0, ALL_ONES, &policy);
	assert_int_equal(r.eax & r.ebx & r.ecx & r.edx, ~0u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hypervisor_bit_is_set),
		cmocka_unit_test(vmx_and_unvirtualized_leaf_1_features_are_hidden),
		cmocka_unit_test(kvm_signature_at_0x40000000),
		cmocka_unit_test(kvm_features_come_from_the_policy),
		cmocka_unit_test(apfvisor_signature_at_0x40000100),
		cmocka_unit_test(other_hypervisor_leaves_are_zero),
		cmocka_unit_test(hypervisor_leaf_range_is_0x40000000_to_0x4fffffff),
		cmocka_unit_test(rdtscp_hidden_when_policy_says),
		cmocka_unit_test(invpcid_follows_the_policy),
		cmocka_unit_test(leaf_7_subleaf_1_is_zeroed),
		cmocka_unit_test(fsrm_is_hidden),
		cmocka_unit_test(xsave_and_pmu_leaves_are_zeroed),
		cmocka_unit_test(other_leaves_pass_through),
	};

	return UNIT_RUN("cpuid", tests);
}
