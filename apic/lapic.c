/*
 * apic/lapic.c - the local APIC's hardware side (see apic/lapic.h).
 *
 * Two delivery paths with the same guest-visible behaviour:
 *  - software: every x2APIC MSR and xAPIC MMIO access exits and goes to the
 *    model; a pending interrupt is injected as an external-interrupt event
 *    when RFLAGS.IF=1 and nothing blocks it, else an interrupt-window exit
 *    is requested; EOI is an exit (counted as lapic.eoi_exits).
 *  - hardware (SDM Vol. 3C, "APIC Virtualization and Virtual Interrupts"):
 *    with "virtualize x2APIC mode", APIC-register virtualization and
 *    virtual-interrupt delivery, the model's register page is the CPU's
 *    virtual-APIC page: reads, TPR, EOI and self-IPI writes never exit, and
 *    the CPU delivers what RVI says. Used while the guest is in x2APIC mode
 *    on a CPU that has all three (apic=auto); xAPIC mode uses the software
 *    path.
 * TPR shadow is used on both paths so CR8 never reaches the real TPR.
 * Environment: VMX root, IF=0.
 */
#include "lapic.h"
#include "vlapic.h"
#include "../vmm/vcpu.h"
#include "../vmm/console.h"
#include "../vmm/cpu.h"
#include "../vmm/palloc.h"
#include "../vmm/vmm.h"
#include "../lib/env.h"

#define HW_PROC2 (PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY)
#define MSR_BITMAP_WRITE	2048	/* write bitmaps follow the read ones */
#define X2APIC_MSR_TPR		X2APIC_MSR(APIC_TPR)
#define X2APIC_MSR_EOI		X2APIC_MSR(APIC_EOI)
#define X2APIC_MSR_TMCCT	X2APIC_MSR(APIC_TMCCT)
#define IRR_WORDS		8
#define LAPIC_MIN_PERIOD	5000	/* TSC cycles: see lapic_init() */

static void bitmap_set(struct vcpu *v, u32 msr, u32 half, bool intercept)
{
	u8 *bm = v->msr_bitmap;
	u32 off = half + (msr & 0x1fff) / 8;

	if (intercept)
		bm[off] |= (u8)(1u << (msr & 7));
	else
		bm[off] &= (u8)~(1u << (msr & 7));
}

/* x2APIC registers the CPU reads from the virtual-APIC page itself (SDM
 * "Virtualizing MSR-Based APIC Accesses"), minus the ICR (the model keeps
 * its destination at 0x310, the CPU would read it at 0x304) and the
 * running timer count. Reads of any other x2APIC MSR must exit, or they
 * would reach the real APIC; the model then raises #GP. */
static bool x2apic_read_virtualized(u32 off)
{
	switch (off) {
	case APIC_ID: case APIC_VERSION: case APIC_TPR: case APIC_PPR:
	case APIC_LDR: case APIC_SVR: case APIC_ESR: case APIC_LVT_TIMER:
	case APIC_LVT_THERMAL: case APIC_LVT_PERF: case APIC_LVT_LINT0:
	case APIC_LVT_LINT1: case APIC_LVT_ERROR: case APIC_TMICT:
	case APIC_TDCR:
		return true;
	}
	return off >= APIC_ISR && off < APIC_ESR;	/* ISR, TMR, IRR */
}

/* Hardware path: let the CPU read the registers it virtualizes, and
 * write TPR, EOI and SELF IPI itself. */
static void x2apic_passthrough(struct vcpu *v, bool on)
{
	for (u32 m = X2APIC_MSR_FIRST; m < X2APIC_MSR(APIC_REG_END); m++)
		bitmap_set(v, m, 0, !on ||
			   !x2apic_read_virtualized((m - X2APIC_MSR_FIRST) << 4));
	bitmap_set(v, X2APIC_MSR_TPR, MSR_BITMAP_WRITE, !on);
	bitmap_set(v, X2APIC_MSR_EOI, MSR_BITMAP_WRITE, !on);
	bitmap_set(v, X2APIC_MSR_SELF_IPI, MSR_BITMAP_WRITE, !on);
}

/* Highest vector set in the 256-bit register at base, or -1. */
static int highest_bit(const u8 *page, u32 base)
{
	for (int w = IRR_WORDS - 1; w >= 0; w--) {
		u32 bits = *(const u32 *)(page + base + w * APIC_REG_STRIDE);

		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* RVI and SVI for virtual-interrupt delivery, from the page. While the
 * APIC is software-disabled RVI is 0, so the CPU holds what IRR has, as
 * the model (and the software path) does. */
static void sync_intr_status(struct vcpu *v)
{
	int rvi = vlapic_enabled(&v->lapic) ? highest_bit(v->lapic.page, APIC_IRR) : -1;
	int svi = highest_bit(v->lapic.page, APIC_ISR);

	vmcs_write(GUEST_INTR_STATUS, (u32)(rvi < 0 ? 0 : rvi) |
		   (u32)(svi < 0 ? 0 : svi) << 8);
}

/* Pending vectors in IRR, for counting what the hardware path posts
 * (a loop: the freestanding build has no libgcc popcount). */
static u32 irr_count(const u8 *page)
{
	u32 n = 0;

	for (u32 w = 0; w < IRR_WORDS; w++)
		for (u32 b = *(const u32 *)(page + APIC_IRR + w * APIC_REG_STRIDE);
		     b; b &= b - 1)
			n++;
	return n;
}

/* Hardware path: after the model changed IRR, tell the CPU (RVI) and count
 * the vectors that became pending. */
static void hw_posted(struct vcpu *v, u32 irr_before)
{
	u32 after = irr_count(v->lapic.page);

	if (after > irr_before)
		v->lapic_hw_posted += after - irr_before;
	sync_intr_status(v);
}

/* Switch delivery path to match the guest's APIC mode. */
static void choose_path(struct vcpu *v)
{
	bool want = v->lapic_hw_ok && v->lapic.x2apic;
	u64 proc2 = vmcs_read(PROC_BASED_CONTROLS2);

	if (want == v->lapic_hw)
		return;
	v->lapic_hw = want;
	vmcs_write(PROC_BASED_CONTROLS2, want ? proc2 | HW_PROC2 : proc2 & ~(u64)HW_PROC2);
	x2apic_passthrough(v, want);
	if (want)
		sync_intr_status(v);
	info("lapic: %s delivery\n", want ? "virtual-interrupt (hardware)" : "software");
}

void lapic_init(struct vcpu *v)
{
	void *page = palloc_page();
	u32 allowed2 = (u32)(vmx_caps.proc2 >> 32);

	if (!page)
		vmm_fail("lapic: out of host memory");
	vlapic_init(&v->lapic, page, 0);
	v->lapic.phys_bits = cpu_maxphyaddr();	/* IA32_APIC_BASE's reserved bits */
	/* A periodic timer of a few cycles would keep the vCPU in timer exits
	 * and starve the guest; like KVM's min_timer_period_us, slow it. */
	v->lapic.min_period = LAPIC_MIN_PERIOD;
	v->lapic_hw_ok = v->cfg->apic == APIC_AUTO &&
			 (allowed2 & HW_PROC2) == HW_PROC2;
	vmcs_write(VIRTUAL_APIC_PAGE, env_virt_to_phys(page));
	vmcs_write(TPR_THRESHOLD, 0);
	if (allowed2 & PROC2_VIRT_INTR_DELIVERY) {
		vmcs_write(EOI_EXIT_BITMAP0, 0);	/* EOIs never exit */
		vmcs_write(EOI_EXIT_BITMAP1, 0);
		vmcs_write(EOI_EXIT_BITMAP2, 0);
		vmcs_write(EOI_EXIT_BITMAP3, 0);
		vmcs_write(GUEST_INTR_STATUS, 0);
	}
	info("lapic: virtual LAPIC at 0x%llx; hardware virtualization %s\n",
	     APIC_DEFAULT_PHYS_BASE, v->lapic_hw_ok ? "available (used in "
	     "x2APIC mode)" : v->cfg->apic == APIC_AUTO ? "not offered by this "
	     "CPU" : "off (apic=soft)");
}

bool lapic_hw_active(const struct vcpu *v)
{
	return v->lapic_hw;
}

bool lapic_rdmsr(struct vcpu *v, u32 msr, u64 *val, bool *gp)
{
	*gp = false;
	if (msr == MSR_IA32_APIC_BASE)
		*val = v->lapic.apic_base;
	else if (msr == MSR_IA32_TSC_DEADLINE)
		*val = v->lapic.tsc_deadline;
	else if (vlapic_is_x2apic_msr(msr))
		*gp = vlapic_rdmsr(&v->lapic, msr, val, cpu_rdtsc()) != 0;
	else
		return false;
	return true;
}

bool lapic_wrmsr(struct vcpu *v, u32 msr, u64 val, bool *gp)
{
	struct vlapic *l = &v->lapic;
	u64 eois = l->st.eoi;
	u32 before = irr_count(l->page);

	*gp = false;
	if (msr == MSR_IA32_APIC_BASE) {
		*gp = vlapic_set_apic_base(l, val) != 0;
		choose_path(v);
	} else if (msr == MSR_IA32_TSC_DEADLINE) {
		*gp = vlapic_set_tsc_deadline(l, val, cpu_rdtsc()) != 0;
	} else if (vlapic_is_x2apic_msr(msr)) {
		*gp = vlapic_wrmsr(l, msr, val, cpu_rdtsc()) != 0;
	} else {
		return false;
	}
	if (msr == X2APIC_MSR_EOI && l->st.eoi != eois)
		v->lapic_eoi_exits++;
	if (v->lapic_hw)
		hw_posted(v, before);	/* e.g. a self-IPI through the ICR */
	return true;
}

bool lapic_owns_gpa(const struct vcpu *v, u64 gpa)
{
	const struct vlapic *l = &v->lapic;

	return (l->apic_base & APIC_BASE_EN) && !l->x2apic &&
	       (gpa & PAGE_MASK) == (l->apic_base & PAGE_MASK);
}

u32 lapic_mmio_read(struct vcpu *v, u64 gpa)
{
	u32 val = 0;

	vlapic_mmio_read(&v->lapic, (u32)(gpa & ~PAGE_MASK), &val, cpu_rdtsc());
	return val;
}

void lapic_mmio_write(struct vcpu *v, u64 gpa, u32 val)
{
	u32 off = (u32)(gpa & ~PAGE_MASK);
	u64 eois = v->lapic.st.eoi;

	vlapic_mmio_write(&v->lapic, off, val, cpu_rdtsc());
	if (v->lapic.st.eoi != eois)
		v->lapic_eoi_exits++;
}

bool lapic_accepts(const struct vcpu *v)
{
	return vlapic_enabled(&v->lapic);
}

bool lapic_post(struct vcpu *v, u8 vector)
{
	u32 before;

	if (!vlapic_enabled(&v->lapic))
		return false;
	before = irr_count(v->lapic.page);

	vlapic_post(&v->lapic, vector);
	if (v->lapic_hw)
		hw_posted(v, before);
	return true;
}

static void set_window(bool on)
{
	u64 proc = vmcs_read(PROC_BASED_CONTROLS);
	u64 want = on ? proc | PROC_INTR_WINDOW : proc & ~(u64)PROC_INTR_WINDOW;

	if (want != proc)
		vmcs_write(PROC_BASED_CONTROLS, want);
}

/* Software path: may an external interrupt be injected on this entry? */
static bool can_inject(void)
{
	return (vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(GUEST_INTERRUPTIBILITY) &
		 (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)) &&
	       !(vmcs_read(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

/* TPR shadow: ask for an exit when the guest lowers TPR below the class
 * of an interrupt that TPR is holding back (threshold <= VTPR class). */
static void set_tpr_threshold(const struct vlapic *l)
{
	int irr = highest_bit(l->page, APIC_IRR);
	u32 tpr_class = APIC_PRIO_CLASS(*(const u32 *)(l->page + APIC_TPR) & APIC_PRIO_MASK);
	u32 thr = 0;

	if (irr >= 0 && APIC_PRIO_CLASS((u32)irr) <= tpr_class)
		thr = APIC_PRIO_CLASS((u32)irr);
	vmcs_write(TPR_THRESHOLD, thr);
}

static void deliver_soft(struct vcpu *v)
{
	int vec = vlapic_pending(&v->lapic);

	if (vec < 0) {
		set_window(false);
		set_tpr_threshold(&v->lapic);
		return;
	}
	vmcs_write(TPR_THRESHOLD, 0);
	if (!can_inject()) {
		set_window(true);
		return;
	}
	vmcs_write(VM_ENTRY_INTR_INFO, (u32)vec | INTR_TYPE_EXT_INT | INTR_INFO_VALID);
	vlapic_accept(&v->lapic, (u8)vec);
	set_window(false);
}

void lapic_tick(struct vcpu *v, u64 now)
{
	u64 due = vlapic_next_timer(&v->lapic);
	u32 before;

	if (!due || due > now)
		return;		/* the common case: nothing to fire */
	before = v->lapic_hw ? irr_count(v->lapic.page) : 0;
	vlapic_tick(&v->lapic, now);
	if (v->lapic_hw)
		hw_posted(v, before);
}

void lapic_deliver(struct vcpu *v)
{
	if (!v->lapic_hw)
		deliver_soft(v);
}

u64 lapic_next_deadline(const struct vcpu *v)
{
	u64 t = vlapic_next_timer(&v->lapic);

	return t ? t : ~0ULL;
}

u64 lapic_wake_deadline(const struct vcpu *v)
{
	return vlapic_timer_posts(&v->lapic) ? lapic_next_deadline(v) : ~0ULL;
}

bool lapic_wakes(const struct vcpu *v)
{
	/* On both paths the page holds IRR, ISR and TPR, so the model can
	 * tell whether something is deliverable (the CPU keeps it current on
	 * the hardware path). */
	if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF))
		return false;
	return vlapic_pending(&v->lapic) >= 0;
}

void lapic_eoi_exit(struct vcpu *v)
{
	v->lapic_eoi_exits++;
}

/* APIC-write exit (hardware path, trap-like: the value is already in the
 * page): a write the CPU does not complete itself, e.g. a SELF IPI with an
 * illegal vector. Let the model carry it out (ESR, ICR, ...). */
void lapic_apic_write(struct vcpu *v, u32 offset)
{
	struct vlapic *l = &v->lapic;
	u32 before = irr_count(l->page);
	u32 val = *(const u32 *)(l->page + (offset & ~3u));

	if (l->x2apic)
		vlapic_wrmsr(l, X2APIC_MSR(offset), val, cpu_rdtsc());
	else
		vlapic_mmio_write(l, offset, val, cpu_rdtsc());
	hw_posted(v, before);
}
