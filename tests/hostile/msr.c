/*
 * tests/hostile/msr.c - RDMSR and WRMSR over the MSR space: every MSR
 * docs/abi.md does not list raises #GP for both (value 0 written, random
 * values for random MSRs); the listed ones answer as its table says.
 * Runs with the LAPIC in xAPIC mode, where 0x800-0x8ff raise #GP too.
 *
 * Not written (they would break the guest itself): FS_BASE, GS_BASE,
 * STAR, SYSENTER_CS, EFER's LME/NXE/SCE, IA32_APIC_BASE but for refused
 * values, a PAT with other memory types. The APF MSRs belong to the
 * apf-msr class.
 *
 * Environment: guest, 64-bit, ring 0, IF=0, xAPIC mode.
 */
#include "hostile.h"

#define RANDOM_MSRS	512
#define MSR_TSC		0x10
#define MSR_APIC_BASE	0x1b
#define MSR_FEAT_CTL	0x3a
#define MSR_BIOS_SIGN	0x8b
#define MSR_SYSENTER_CS	0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MCG_CAP	0x179
#define MSR_MCG_STATUS	0x17a
#define MSR_MISC_ENABLE	0x1a0
#define MSR_PAT		0x277
#define MSR_MC0_CTL	0x400
#define MSR_MC0_STATUS	0x401
#define MSR_MC0_MISC	0x403
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_CSTAR	0xc0000083
#define MSR_SFMASK	0xc0000084
#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101
#define MSR_KGS_BASE	0xc0000102
#define EFER_SCE	BIT(0)
#define EFER_LME	BIT(8)
#define EFER_LMA	BIT(10)
#define EFER_NXE	BIT(11)

/* Is msr one docs/abi.md lists as readable (in xAPIC mode)? */
static bool msr_listed(u32 m)
{
	static const u32 one[] = { MSR_TSC, MSR_APIC_BASE, MSR_FEAT_CTL,
		MSR_BIOS_SIGN, MSR_MCG_CAP, MSR_MCG_STATUS, MSR_MISC_ENABLE,
		MSR_PAT, MSR_TSC_DEADLINE, MSR_EFER, MSR_KVM_ASYNC_PF_EN,
		MSR_KVM_ASYNC_PF_INT, MSR_KVM_ASYNC_PF_ACK };

	for (unsigned i = 0; i < ARRAY_SIZE(one); i++)
		if (m == one[i])
			return true;
	return (m >= MSR_SYSENTER_CS && m <= MSR_SYSENTER_EIP) ||
	       (m >= MSR_MC0_CTL && m <= MSR_MC0_MISC) ||
	       (m >= MSR_STAR && m <= MSR_SFMASK) ||
	       (m >= MSR_FS_BASE && m <= MSR_KGS_BASE);
}

/* An unlisted MSR: RDMSR and WRMSR of val raise #GP. */
static void unlisted(struct hx_class *c, u32 m, u64 val)
{
	u64 v;
	int r = hx_rdmsr(m, &v), w = hx_wrmsr(m, val);

	hx_check(c, r == VEC_GP && w == VEC_GP,
		 "MSR 0x%x: read raised %d (0x%lx), write 0x%lx raised %d",
		 m, r, v, val, w);
}

/* A listed MSR: RDMSR answers. */
static void listed(struct hx_class *c, u32 m)
{
	u64 v;
	int r = hx_rdmsr(m, &v);

	hx_check(c, r == HX_NONE, "listed MSR 0x%x: read raised %d", m, r);
}

static void sweep(struct hx_class *c, u32 first, u32 last)
{
	for (u32 m = first; ; m++) {
		if (msr_listed(m))
			listed(c, m);
		else
			unlisted(c, m, 0);
		if (m == last)
			break;
	}
}

/* Read value, and writes of each value in vals[] with its answer. */
static void expect_read(struct hx_class *c, u32 m, u64 want)
{
	hx_msr_is(c, m, want);
}

static void expect_write(struct hx_class *c, u32 m, u64 val, int want)
{
	int w = hx_wrmsr(m, val);

	hx_check(c, w == want, "MSR 0x%x = 0x%lx raised %d, want %d", m, val, w,
		 want);
}

/* Each bit of mask written alone (or OR-ed into base) raises #GP. */
static void reserved_bits(struct hx_class *c, u32 m, u64 base, u64 mask)
{
	for (int b = 0; b < 64; b++)
		if (mask & BIT(b))
			expect_write(c, m, base | BIT(b), VEC_GP);
}

static void read_only_ones(struct hx_class *c)
{
	expect_read(c, MSR_FEAT_CTL, 1);
	expect_write(c, MSR_FEAT_CTL, 5, VEC_GP);	/* VMX on: refused */
	expect_write(c, MSR_FEAT_CTL, 1, VEC_GP);
	expect_write(c, MSR_TSC, 0, VEC_GP);
	expect_read(c, MSR_MCG_CAP, 0x1000001);
	expect_write(c, MSR_MCG_CAP, 0, VEC_GP);
	expect_read(c, MSR_BIOS_SIGN, 0);
	expect_write(c, MSR_BIOS_SIGN, 0x12345678ULL << 32, HX_NONE);
	expect_read(c, MSR_BIOS_SIGN, 0);
	expect_read(c, MSR_MISC_ENABLE, 0x1801);
	expect_write(c, MSR_MISC_ENABLE, 0, HX_NONE);
	expect_read(c, MSR_MISC_ENABLE, 0x1801);
	expect_read(c, MSR_TSC_DEADLINE, 0);		/* not in deadline mode */
	expect_write(c, MSR_TSC_DEADLINE, 12345, HX_NONE);
	expect_read(c, MSR_TSC_DEADLINE, 0);
}

static void machine_check_bank(struct hx_class *c)
{
	expect_write(c, MSR_MCG_STATUS, 0, HX_NONE);
	reserved_bits(c, MSR_MCG_STATUS, 0, GENMASK(63, 3));
	expect_read(c, MSR_MCG_STATUS, 0);
	expect_write(c, MSR_MC0_CTL, 0x123456789abcdefULL, HX_NONE);
	expect_read(c, MSR_MC0_CTL, 0x123456789abcdefULL);
	expect_write(c, MSR_MC0_CTL, ~0ULL, HX_NONE);
	for (u32 m = MSR_MC0_STATUS; m <= MSR_MC0_MISC; m++) {
		expect_write(c, m, 0, HX_NONE);
		reserved_bits(c, m, 0, ~0ULL);
	}
}

/* PAT: each byte 2, 3 or 8 raises #GP; the same PAT is taken back. */
static void pat(struct hx_class *c)
{
	static const u64 bad[] = { 2, 3, 8 };
	u64 p = hx_rdmsr_ok(MSR_PAT);

	for (int byte = 0; byte < 8; byte++)
		for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
			expect_write(c, MSR_PAT, (p & ~(0xffULL << 8 * byte)) |
				     bad[i] << 8 * byte, VEC_GP);
	expect_write(c, MSR_PAT, p, HX_NONE);
	expect_read(c, MSR_PAT, p);
}

/* EFER: reserved bits raise #GP; LMA written 0 is ignored; the same
 * value is taken back. */
static void efer(struct hx_class *c)
{
	u64 e = hx_rdmsr_ok(MSR_EFER);

	reserved_bits(c, MSR_EFER, e, ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE));
	expect_write(c, MSR_EFER, e & ~EFER_LMA, HX_NONE);
	expect_read(c, MSR_EFER, e);
	expect_write(c, MSR_EFER, e, HX_NONE);
}

/* IA32_APIC_BASE: reserved bits and EXTD without EN raise #GP. */
static void apic_base(struct hx_class *c)
{
	u64 b = hx_rdmsr_ok(MSR_APIC_BASE);

	hx_check(c, b == 0xfee00900, "IA32_APIC_BASE reads 0x%lx", b);
	reserved_bits(c, MSR_APIC_BASE, b, GENMASK(7, 0) | BIT(9) |
		      GENMASK(63, hx_m.maxphy));
	expect_write(c, MSR_APIC_BASE, (b & ~BIT(11)) | BIT(10), VEC_GP);
	expect_write(c, MSR_APIC_BASE, b, HX_NONE);
	expect_read(c, MSR_APIC_BASE, b);
}

/* Passed-through MSRs the guest does not use: written, read back, put
 * back; a non-canonical LSTAR raises #GP. */
static void passthrough(struct hx_class *c)
{
	static const u32 ms[] = { MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_LSTAR,
		MSR_CSTAR, MSR_KGS_BASE };
	const u64 val = 0xffff800012345000ULL;

	for (unsigned i = 0; i < ARRAY_SIZE(ms); i++) {
		u64 old = hx_rdmsr_ok(ms[i]);

		expect_write(c, ms[i], val, HX_NONE);
		expect_read(c, ms[i], val);
		hx_wrmsr_ok(ms[i], old);
	}
	expect_write(c, MSR_LSTAR, 0x0000800000000000ULL, VEC_GP);
	expect_write(c, MSR_SFMASK, hx_rdmsr_ok(MSR_SFMASK), HX_NONE);
}

static void random_msrs(struct hx_class *c)
{
	for (int i = 0; i < RANDOM_MSRS; i++) {
		u32 m = (u32)hx_rand();

		if (msr_listed(m))
			listed(c, m);
		else
			unlisted(c, m, hx_rand());
	}
}

void hx_class_msr(struct hx_class *c)
{
	sweep(c, 0, 0x2000);
	sweep(c, 0x40000000, 0x40001fff);
	sweep(c, MSR_KVM_RANGE_FIRST, MSR_KVM_RANGE_LAST);
	sweep(c, 0xc0000000, 0xc0002000);
	random_msrs(c);
	read_only_ones(c);
	machine_check_bank(c);
	pat(c);
	efer(c);
	apic_base(c);
	passthrough(c);
	hx_note(c, "sweeps write 0 to every unlisted MSR, random MSRs a random "
		"value; not written: FS/GS_BASE, STAR, SYSENTER_CS, EFER "
		"SCE/LME/NXE changes, other PAT types");
}
