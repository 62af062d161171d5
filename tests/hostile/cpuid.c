/*
 * tests/hostile/cpuid.c - CPUID over the basic, hypervisor, extended and
 * random leaves, subleaves 0-3: every one answers, and what docs/abi.md
 * ("CPUID") fixes is as it says: the hypervisor bit set, VMX, SMX,
 * MONITOR and XSAVE clear, the zeroed leaves zero, the hypervisor range
 * answered whole.
 *
 * Environment: guest, 64-bit, ring 0, IF=0.
 */
#include "hostile.h"

#define SUBLEAVES	4
#define RANDOM_LEAVES	256
#define RANDOM_HV	64	/* random leaves inside 0x40000000-0x4fffffff */
#define HV_FIRST	0x40000000u
#define HV_LAST		0x4fffffffu
#define C1_ECX_MONITOR	BIT(3)
#define C1_ECX_VMX	BIT(5)
#define C1_ECX_SMX	BIT(6)
#define C1_ECX_XSAVE	BIT(26)
#define C1_ECX_OSXSAVE	BIT(27)
#define C1_ECX_HV	BIT(31)
#define C1_EDX_APIC	BIT(9)
#define C81_EDX_RDTSCP	BIT(27)
#define KVM_FEATURES	(BIT(KVM_FEATURE_ASYNC_PF) | BIT(KVM_FEATURE_ASYNC_PF_INT))
#define APFV_FEATURES	(APFV_FEAT_HYPERCALLS | APFV_FEAT_APF_ERRORS)

static bool zero(struct hx_cpuid r)
{
	return !(r.a | r.b | r.c | r.d);
}

static bool eq(struct hx_cpuid r, u32 a, u32 b, u32 c, u32 d)
{
	return r.a == a && r.b == b && r.c == c && r.d == d;
}

/* The hypervisor range: four leaves answered, every other one zero. */
static bool hv_leaf_ok(u32 leaf, struct hx_cpuid r)
{
	switch (leaf) {
	case 0x40000000:
		return eq(r, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d);
	case 0x40000001:
		return eq(r, KVM_FEATURES, 0, 0, 0);
	case APFV_CPUID_BASE:
		return eq(r, APFV_CPUID_FEATURES, APFV_SIG_EBX, APFV_SIG_ECX,
			  APFV_SIG_EDX);
	case APFV_CPUID_FEATURES:
		return eq(r, APFV_FEATURES, 0, 0, 0);
	}
	return zero(r);
}

static bool leaf1_ok(struct hx_cpuid r)
{
	u32 hidden = C1_ECX_MONITOR | C1_ECX_VMX | C1_ECX_SMX | C1_ECX_XSAVE |
		     C1_ECX_OSXSAVE;

	return (r.c & C1_ECX_HV) && !(r.c & hidden) && (r.d & C1_EDX_APIC) &&
	       (r.b >> 24) == 0;
}

/* The answer docs/abi.md fixes for (leaf, sub), or true where it passes
 * the host's through. */
static bool answer_ok(u32 leaf, u32 sub, struct hx_cpuid r)
{
	if (leaf >= HV_FIRST && leaf <= HV_LAST)
		return hv_leaf_ok(leaf, r);
	switch (leaf) {
	case 1:
		return leaf1_ok(r);
	case 5: case 6: case 0xa: case 0xd:
		return zero(r);
	case 7:
		return sub ? zero(r) : (r.a == 0 && r.c == 0 && r.d == 0);
	}
	return true;
}

static void one_leaf(struct hx_class *c, u32 leaf)
{
	for (u32 sub = 0; sub < SUBLEAVES; sub++) {
		struct hx_cpuid r = hx_cpuid(leaf, sub);

		hx_check(c, answer_ok(leaf, sub, r),
			 "leaf 0x%x.%u = %08x %08x %08x %08x", leaf, sub, r.a,
			 r.b, r.c, r.d);
	}
}

static void leaf_range(struct hx_class *c, u32 first, u32 last)
{
	for (u32 l = first; l <= last; l++)
		one_leaf(c, l);
}

/* RDTSCP works exactly when CPUID advertises it (an RDTSCP the VMCS does
 * not enable raises #UD). */
static void rdtscp_matches(struct hx_class *c)
{
	bool adv = hx_cpuid(0x80000001, 0).d & C81_EDX_RDTSCP;

	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("rdtscp") : : : "rax", "rcx", "rdx", "memory");
	hx_check(c, adv ? hx_fault.vector == HX_NONE : hx_fault.vector == VEC_UD,
		 "RDTSCP %s raised %d", adv ? "advertised" : "hidden",
		 hx_fault.vector);
}

void hx_class_cpuid(struct hx_class *c)
{
	leaf_range(c, 0, 0x100);
	leaf_range(c, HV_FIRST, HV_FIRST + 0x1ff);
	leaf_range(c, 0x80000000u, 0x800000ffu);
	for (int i = 0; i < RANDOM_LEAVES; i++)
		one_leaf(c, (u32)hx_rand());
	for (int i = 0; i < RANDOM_HV; i++)
		one_leaf(c, HV_FIRST + (u32)(hx_rand() & 0x0fffffff));
	rdtscp_matches(c);
	hx_note(c, "%u random leaves (and %u in the hypervisor range) x %u "
		"subleaves; host leaves passed through are checked only for "
		"an answer", RANDOM_LEAVES, RANDOM_HV, SUBLEAVES);
}
