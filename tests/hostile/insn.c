/*
 * tests/hostile/insn.c - two classes of privileged instructions:
 *  vmx-insn  every VMX and SMX instruction (and MONITOR/MWAIT) raises
 *            #UD, with several operands each; INVD and WBINVD do nothing
 *  cr        MOV to CR0/CR4/CR8 with reserved bits raises #GP; a CR4 bit
 *            CPUID does not advertise raises #GP; XSETBV/XGETBV raise #UD
 * (docs/abi.md, "Instructions" and "Control registers"; SDM Vol. 3A,
 * "Control Registers").
 *
 * Environment: guest, 64-bit, ring 0, IF=0.
 */
#include "hostile.h"

#define CR0_NE		BIT(5)
#define CR0_NW		BIT(29)
#define CR0_CD		BIT(30)
#define CR4_PAE		BIT(5)
#define CR4_LA57	BIT(12)

static u8 vmbuf[4096] __aligned(4096);

/* --- vmx-insn ----------------------------------------------------------- */

/* The operands tried for the instructions that take a memory pointer:
 * a RAM page, an unaligned address, outside RAM, the APIC page. */
static u64 vm_ptrs[] = { 0, 1, 0xfed00000, 0xfee00000 };

#define TRY_UD(c, name, insn, ...) do {					\
	hx_fault.vector = HX_NONE;					\
	asm volatile(HX_TRY(insn) : : __VA_ARGS__ : "memory", "cc");	\
	hx_check(c, hx_fault.vector == VEC_UD, "%s raised %d, want #UD",\
		 name, hx_fault.vector);				\
} while (0)

static void vmx_mem_forms(struct hx_class *c)
{
	u64 buf[2] = { 1, 0 };

	vm_ptrs[0] = (u64)(uintptr_t)vmbuf;
	for (unsigned i = 0; i < ARRAY_SIZE(vm_ptrs); i++) {
		u64 *p = &vm_ptrs[i];

		TRY_UD(c, "VMXON", "vmxon (%0)", "r"(p));
		TRY_UD(c, "VMCLEAR", "vmclear (%0)", "r"(p));
		TRY_UD(c, "VMPTRLD", "vmptrld (%0)", "r"(p));
		TRY_UD(c, "VMPTRST", "vmptrst (%0)", "r"(buf));
	}
	for (u64 type = 0; type < 4; type++) {
		TRY_UD(c, "INVEPT", "invept (%0), %1", "r"(buf), "r"(type));
		TRY_UD(c, "INVVPID", "invvpid (%0), %1", "r"(buf), "r"(type));
	}
}

/* VMREAD/VMWRITE of a few fields: 0, guest RIP, exit reason, junk. */
static void vmx_field_forms(struct hx_class *c)
{
	static const u64 fields[] = { 0, 0x681e, 0x4402, 0xffffffff, ~0ULL };
	u64 out = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++) {
		hx_fault.vector = HX_NONE;
		asm volatile(HX_TRY("vmread %1, %0") : "+r"(out)
			     : "r"(fields[i]) : "memory", "cc");
		hx_check(c, hx_fault.vector == VEC_UD, "VMREAD raised %d, want #UD",
			 hx_fault.vector);
		TRY_UD(c, "VMWRITE", "vmwrite %1, %0", "r"(fields[i]), "r"(out));
	}
}

static void vmx_plain_forms(struct hx_class *c)
{
	TRY_UD(c, "VMLAUNCH", "vmlaunch", "i"(0));
	TRY_UD(c, "VMRESUME", "vmresume", "i"(0));
	TRY_UD(c, "VMXOFF", "vmxoff", "i"(0));
	for (u32 leaf = 0; leaf < 2; leaf++) {
		TRY_UD(c, "VMFUNC", "vmfunc", "a"(leaf), "c"(0));
		TRY_UD(c, "GETSEC", "getsec", "a"(leaf), "b"(0));
	}
	TRY_UD(c, "MONITOR", "monitor", "a"(vmbuf), "c"(0), "d"(0));
	TRY_UD(c, "MWAIT", "mwait", "a"(0), "c"(0));
}

/* INVD is skipped by apfvisor, WBINVD runs: neither faults. */
static void cache_forms(struct hx_class *c)
{
	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("invd") : : : "memory");
	hx_check(c, hx_fault.vector == HX_NONE, "INVD raised %d", hx_fault.vector);
	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("wbinvd") : : : "memory");
	hx_check(c, hx_fault.vector == HX_NONE, "WBINVD raised %d", hx_fault.vector);
}

void hx_class_vmx(struct hx_class *c)
{
	vmx_mem_forms(c);
	vmx_field_forms(c);
	vmx_plain_forms(c);
	cache_forms(c);
}

/* --- cr -------------------------------------------------------------------- */

static u64 read_cr0(void) { u64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static u64 read_cr4(void) { u64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static u64 read_cr8(void) { u64 v; asm volatile("mov %%cr8, %0" : "=r"(v)); return v; }

static int write_cr0(u64 v)
{
	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("mov %0, %%cr0") : : "r"(v) : "memory");
	return hx_fault.vector;
}

static int write_cr4(u64 v)
{
	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("mov %0, %%cr4") : : "r"(v) : "memory");
	return hx_fault.vector;
}

static int write_cr8(u64 v)
{
	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("mov %0, %%cr8") : : "r"(v) : "memory");
	return hx_fault.vector;
}

/* CR0: bits 63:32 and NW without CD raise #GP and change nothing; NE (a
 * bit the hypervisor owns) reads back as written. */
static void cr0_tests(struct hx_class *c)
{
	u64 cr0 = read_cr0();

	for (int b = 32; b < 64; b++) {
		int v = write_cr0(cr0 | BIT(b));

		hx_check(c, v == VEC_GP && read_cr0() == cr0,
			 "CR0 bit %d: raised %d, CR0 now 0x%lx", b, v, read_cr0());
	}
	hx_check(c, write_cr0((cr0 | CR0_NW) & ~CR0_CD) == VEC_GP,
		 "CR0.NW without CD: raised %d", hx_fault.vector);
	for (int i = 0; i < 2; i++) {
		u64 want = cr0 ^ CR0_NE;
		int v = write_cr0(want);

		hx_check(c, v == HX_NONE && read_cr0() == want,
			 "CR0.NE toggle to 0x%lx: raised %d, reads 0x%lx", want,
			 v, read_cr0());
		cr0 = read_cr0();
	}
}

/* Is CR4 bit b backed by a CPUID feature the guest sees? (SDM Vol. 3A,
 * "Control Registers", each bit with its CPUID flag.) */
static bool cr4_bit_advertised(int b)
{
	struct hx_cpuid l1 = hx_cpuid(1, 0), l7 = hx_cpuid(7, 0);
	struct hx_cpuid l71 = l7.a >= 1 ? hx_cpuid(7, 1) : (struct hx_cpuid){ 0 };

	switch (b) {
	case 0: case 1: return l1.d & BIT(1);	/* VME, PVI */
	case 2: return l1.d & BIT(4);		/* TSD */
	case 3: return l1.d & BIT(2);		/* DE */
	case 4: return l1.d & BIT(3);		/* PSE */
	case 5: return true;			/* PAE (long mode) */
	case 6: return l1.d & BIT(7);		/* MCE */
	case 7: return l1.d & BIT(13);		/* PGE */
	case 8: return true;			/* PCE */
	case 9: return l1.d & BIT(24);		/* OSFXSR */
	case 10: return l1.d & BIT(25);		/* OSXMMEXCPT */
	case 11: return l7.c & BIT(2);		/* UMIP */
	case 12: return l7.c & BIT(16);		/* LA57 */
	case 13: return l1.c & BIT(5);		/* VMXE */
	case 14: return l1.c & BIT(6);		/* SMXE */
	case 16: return l7.b & BIT(0);		/* FSGSBASE */
	case 17: return l1.c & BIT(17);		/* PCIDE */
	case 18: return l1.c & BIT(26);		/* OSXSAVE */
	case 19: return l7.c & BIT(23);		/* KL */
	case 20: return l7.b & BIT(7);		/* SMEP */
	case 21: return l7.b & BIT(20);		/* SMAP */
	case 22: return l7.c & BIT(3);		/* PKE */
	case 23: return (l7.c & BIT(7)) || (l7.d & BIT(20));	/* CET */
	case 24: return l7.c & BIT(31);		/* PKS */
	case 25: return l7.d & BIT(5);		/* UINTR */
	case 27: return l71.a & BIT(6);		/* LASS */
	case 28: return l71.a & BIT(26);	/* LAM_SUP */
	}
	return false;				/* 15, 26, 29-31: reserved */
}

/* The CR4 bits docs/abi.md says are checked only when the write exits. */
static bool cr4_documented_gap(int b)
{
	return b == 14 || b == 18 || b == 22;	/* SMXE, OSXSAVE, PKE */
}

/* Set one CR4 bit: #GP unless CPUID advertises it; then put CR4 back. */
static void cr4_bit(struct hx_class *c, u64 cr4, int b)
{
	bool adv = b < 32 && cr4_bit_advertised(b);
	int v = write_cr4(cr4 | BIT(b));
	bool ok = adv ? v == HX_NONE : v == VEC_GP;

	if (v == HX_NONE && write_cr4(cr4) != HX_NONE)
		hx_abort("cannot restore CR4 0x%lx after bit %d", cr4, b);
	if (!ok && !adv && b < 32 && cr4_documented_gap(b))
		hx_known(c, ok, "CR4 bit %d (hidden in CPUID) accepted: docs/abi.md "
			 "\"Not yet\"", b);
	else
		hx_check(c, ok, "CR4 bit %d (%s in CPUID): raised %d", b,
			 adv ? "advertised" : "not advertised", v);
}

/* CR4: every bit but PAE (which long mode needs) and LA57 (which may not
 * change in long mode: #GP either way, checked as such). */
static void cr4_tests(struct hx_class *c)
{
	u64 cr4 = read_cr4();

	for (int b = 0; b < 64; b++) {
		if (BIT(b) == CR4_PAE || (cr4 & BIT(b)))
			continue;
		if (BIT(b) == CR4_LA57) {
			hx_check(c, write_cr4(cr4 | CR4_LA57) == VEC_GP,
				 "CR4.LA57 in long mode: raised %d", hx_fault.vector);
			continue;
		}
		cr4_bit(c, cr4, b);
	}
	hx_check(c, read_cr4() == cr4, "CR4 0x%lx after the tests, was 0x%lx",
		 read_cr4(), cr4);
}

/* CR8 is the TPR: 0-15 read back, bits 63:4 raise #GP. */
static void cr8_tests(struct hx_class *c)
{
	for (u64 v = 0; v < 16; v++)
		hx_check(c, write_cr8(v) == HX_NONE && read_cr8() == v,
			 "CR8 = %lu reads %lu", v, read_cr8());
	for (int b = 4; b < 64; b++)
		hx_check(c, write_cr8(BIT(b)) == VEC_GP, "CR8 bit %d: raised %d",
			 b, hx_fault.vector);
	write_cr8(0);
}

static void xgetbv_ud(struct hx_class *c, u32 xcr)
{
	u32 lo = 0, hi = 0;

	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("xgetbv") : "+a"(lo), "+d"(hi) : "c"(xcr) : "memory");
	hx_check(c, hx_fault.vector == VEC_UD, "XGETBV %u raised %d, want #UD",
		 xcr, hx_fault.vector);
}

/* XSAVE is hidden: XSETBV and XGETBV raise #UD for any XCR. */
static void xcr_tests(struct hx_class *c)
{
	static const u32 xcrs[] = { 0, 1, 0xffffffff };

	for (unsigned i = 0; i < ARRAY_SIZE(xcrs); i++) {
		TRY_UD(c, "XSETBV", "xsetbv", "c"(xcrs[i]), "a"(1), "d"(0));
		xgetbv_ud(c, xcrs[i]);
	}
}

void hx_class_cr(struct hx_class *c)
{
	cr0_tests(c);
	cr4_tests(c);
	cr8_tests(c);
	xcr_tests(c);
	hx_note(c, "skipped: clearing CR0.PG/PE or CR4.PAE in long mode, CR0.CD "
		"(would end or slow the guest itself)");
}
