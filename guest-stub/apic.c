/*
 * guest-stub/apic.c - the local-APIC driver (apic.h; SDM Vol. 3A,
 * "Advanced Programmable Interrupt Controller (APIC)", "Extended XAPIC
 * (x2APIC)").
 *
 * Environment: guest ring 0, IF=0 or in an interrupt handler. One CPU.
 */
#include "apic.h"
#include "cpu.h"
#include "paging.h"
#include "trap.h"
#include "../lib/types.h"

#define MSR_IA32_APIC_BASE	0x1b
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define X2APIC_MSR(off)		(0x800u + ((off) >> 4))
#define X2APIC_MSR_SELF_IPI	0x83fu
#define APIC_BASE_EXTD		BIT(10)
#define APIC_BASE_EN		BIT(11)
#define APIC_BASE_ADDR		GENMASK(51, 12)
#define ICR_SELF		(1u << 18)	/* destination shorthand "self" */
#define PIC1_DATA		0x21
#define PIC2_DATA		0xa1
#define PIC_MASK_ALL		0xff

static struct {
	enum apic_mode mode;
	u64 mmio;		/* xAPIC: the register page */
	bool tsc_deadline;
} apic;

static u32 mmio_read(u32 off)
{
	u32 v;

	/* one plain 32-bit MOV, as the hypervisor's decoder expects */
	asm volatile("movl (%1), %0" : "=r"(v) : "r"(apic.mmio + off) : "memory");
	return v;
}

static void mmio_write(u32 off, u32 v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(apic.mmio + off) : "memory");
}

u32 apic_read(u32 off)
{
	if (apic.mode == APIC_MODE_X2APIC)
		return (u32)rdmsr(X2APIC_MSR(off));
	if (apic.mode == APIC_MODE_XAPIC)
		return mmio_read(off);
	return 0;
}

void apic_write(u32 off, u32 val)
{
	if (apic.mode == APIC_MODE_X2APIC)
		wrmsr(X2APIC_MSR(off), val);
	else if (apic.mode == APIC_MODE_XAPIC)
		mmio_write(off, val);
}

void apic_eoi(void)
{
	apic_write(APIC_REG_EOI, 0);
}

void apic_set_tpr(u32 tpr)
{
	apic_write(APIC_REG_TPR, tpr & 0xff);
}

void apic_sw_enable(bool on)
{
	u32 svr = apic_read(APIC_REG_SVR);

	apic_write(APIC_REG_SVR, on ? svr | APIC_SVR_ENABLE
				    : svr & ~(u32)APIC_SVR_ENABLE);
}

void apic_self_ipi(u8 vector)
{
	if (apic.mode == APIC_MODE_X2APIC) {
		wrmsr(X2APIC_MSR_SELF_IPI, vector);
	} else if (apic.mode == APIC_MODE_XAPIC) {
		mmio_write(APIC_REG_ICR_HI, 0);
		mmio_write(APIC_REG_ICR, ICR_SELF | vector);	/* fixed, edge */
	}
}

/* Bit vector of the 256-bit register at base (8 registers, 16 apart). */
static bool vec_bit(u32 base, u8 vector)
{
	return apic_read(base + (vector / 32u) * 0x10) & BIT(vector % 32u);
}

bool apic_irr(u8 vector)
{
	return vec_bit(APIC_REG_IRR, vector);
}

bool apic_isr(u8 vector)
{
	return vec_bit(APIC_REG_ISR, vector);
}

void apic_timer_stop(void)
{
	if (apic.mode == APIC_MODE_NONE)
		return;
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_REG_TMICT, 0);
	if (apic.tsc_deadline)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
}

static void timer_count(u32 mode, u8 vector, u32 count)
{
	apic_write(APIC_REG_TMICT, 0);
	apic_write(APIC_REG_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_REG_LVT_TIMER, mode | vector);
	apic_write(APIC_REG_TMICT, count);
}

void apic_timer_periodic(u8 vector, u32 count)
{
	timer_count(APIC_TIMER_PERIODIC, vector, count);
}

void apic_timer_oneshot(u8 vector, u32 count)
{
	timer_count(APIC_TIMER_ONESHOT, vector, count);
}

void apic_timer_tsc_deadline(u8 vector, u64 tsc)
{
	apic_write(APIC_REG_TMICT, 0);
	apic_write(APIC_REG_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | vector);
	/* SDM: an MFENCE orders the LVT write before the deadline write
	 * (WRMSR to IA32_TSC_DEADLINE is not serializing). */
	asm volatile("mfence" : : : "memory");
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}

bool apic_has_tsc_deadline(void)
{
	return apic.tsc_deadline;
}

enum apic_mode apic_mode(void)
{
	return apic.mode;
}

const char *apic_mode_name(void)
{
	static const char *const names[] = { "none", "xapic", "x2apic" };

	return names[apic.mode];
}

/* The spurious vector: no EOI (SDM "Spurious Interrupt"). */
static void spurious(struct trap_frame *tf)
{
	(void)tf;
}

enum apic_mode apic_init(bool want_x2, bool mask_pic)
{
	struct cpuid_regs r = cpuid(1, 0);
	u64 base;

	if (mask_pic) {
		outb(PIC1_DATA, PIC_MASK_ALL);
		outb(PIC2_DATA, PIC_MASK_ALL);
	}
	if (!(r.edx & CPUID_1_EDX_APIC))
		return APIC_MODE_NONE;
	apic.tsc_deadline = r.ecx & CPUID_1_ECX_TSC_DEADLINE;
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_EN)) {	/* disabled -> xAPIC first (SDM) */
		base |= APIC_BASE_EN;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (want_x2 && (r.ecx & CPUID_1_ECX_X2APIC)) {
		if (!(base & APIC_BASE_EXTD))
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
		apic.mode = APIC_MODE_X2APIC;
	} else if (!(base & APIC_BASE_EXTD)) {
		apic.mmio = base & APIC_BASE_ADDR;
		if (!pd_map_mmio(apic.mmio))
			return APIC_MODE_NONE;
		apic.mode = APIC_MODE_XAPIC;
	} else {
		return APIC_MODE_NONE;	/* x2APIC already, and not wanted */
	}
	irq_set(VEC_SPURIOUS, spurious);
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	apic_set_tpr(0);
	for (u32 off = APIC_REG_LVT_TIMER; off <= APIC_REG_LVT_ERROR; off += 0x10)
		apic_write(off, APIC_LVT_MASKED);
	apic_write(APIC_REG_TMICT, 0);
	return apic.mode;
}
