/*
 * tests/hostile/lapic.c - the local APIC through both front doors
 * (docs/abi.md, "Local APIC"; docs/lapic.md; SDM Vol. 3A, "Advanced
 * Programmable Interrupt Controller (APIC)"):
 *  - xAPIC MMIO at 0xfee00000: every 16-byte offset of the page read,
 *    written with four patterns and read back (reserved: read 0, writes
 *    ignored; read-only: unchanged; read/write: the writable bits);
 *    unaligned offsets read 0 and writes there change nothing;
 *  - x2APIC MSRs 0x800-0x8ff: every MSR read (#GP unless readable), every
 *    reserved bit of every writable one written alone (#GP), 0 and the
 *    writable bits accepted and read back; non-writable ones #GP;
 *  - illegal vectors 0-15 in the ICR and the LVT timer: nothing
 *    delivered, ESR reports them;
 *  - the timer with every divide value (and reserved ones), initial count
 *    0, 1, ~0, periodic, the reserved mode 3 and TSC-deadline in the past
 *    and far future;
 *  - software-disable with an interrupt pending: nothing delivered, LVTs
 *    stay masked, nothing lost when re-enabled;
 *  - the IA32_APIC_BASE mode transitions, legal and illegal.
 * Class lapic-edge (run last): SELF IPI with vectors 0-15, and a masked
 * periodic timer with a period of one TSC cycle.
 *
 * Environment: guest, 64-bit, ring 0, IF=0 except inside windows. Starts
 * in xAPIC mode, ends in xAPIC mode with the APIC software-enabled.
 */
#include "hostile.h"

#define XAPIC_BASE	0xfee00000ULL
#define MSR_APIC_BASE	0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_MSR(off)	(0x800 + ((off) >> 4))
#define BASE_BSP	BIT(8)
#define BASE_EXTD	BIT(10)
#define BASE_EN		BIT(11)

#define ID		0x020
#define VERSION		0x030
#define TPR		0x080
#define EOI		0x0b0
#define LDR		0x0d0
#define SVR		0x0f0
#define ISR		0x100
#define IRR		0x200
#define ESR		0x280
#define ICR		0x300
#define ICR_HI		0x310
#define LVT_TIMER	0x320
#define LVT_ERROR	0x370
#define TMICT		0x380
#define TMCCT		0x390
#define TDCR		0x3e0
#define SELF_IPI	0x3f0
#define REG_END		0x400
#define VERSION_VALUE	0x50014

#define SVR_ON		0x1ff
#define SVR_OFF		0x0ff
#define LVT_MASKED	BIT(16)
#define TIMER_PERIODIC	(1u << 17)
#define TIMER_DEADLINE	(2u << 17)
#define TIMER_RESERVED	(3u << 17)
#define ICR_SELF	(1u << 18)	/* destination shorthand: self */
#define ESR_SEND_ILLEGAL BIT(5)
#define ESR_RECV_ILLEGAL BIT(6)
#define DIV_1		0xb

#define VEC_TIMER	0x40
#define VEC_HELD	0x50
#define VEC_DROPPED	0x51
#define WINDOW		200000ULL
#define TIMER_COUNT	20000u	/* ticks: outlasts an exit at divide 1 */
/* skip= names of the lapic-edge inputs that end the run or hang it on
 * the hardware path today (see hx_class_lapic_edge) */
#define SKIP_SELF_IPI	"selfipi-illegal"
#define SKIP_PERIOD_1	"timer-period-1"

enum { XR = 1, XW = 2, X2R = 4, X2W = 8, RW = XR | XW | X2R | X2W, RO = XR | X2R };

/* SDM "Local APIC Register Address Map" and the x2APIC MSR table, for an
 * APIC with 6 LVT entries (no CMCI) and no EOI-broadcast suppression. */
struct reg {
	u16 off;
	u8 acc;
	u32 wmask;	/* writable bits */
	u32 ro;		/* read-only bits an x2APIC write may carry */
	u32 ones;	/* bits that read as 1 whatever is written */
};

static const struct reg regs[] = {
	{ ID, XR | XW | X2R, 0xff000000, 0, 0 },
	{ VERSION, RO, 0, 0, 0 },
	{ TPR, RW, 0xff, 0, 0 },
	{ 0x090, XR, 0, 0, 0 },				/* APR */
	{ 0x0a0, RO, 0, 0, 0 },				/* PPR */
	{ EOI, XW | X2W, 0, 0, 0 },
	{ 0x0c0, XR, 0, 0, 0 },				/* RRD */
	{ LDR, XR | XW | X2R, 0xff000000, 0, 0 },
	{ 0x0e0, XR | XW, 0xf0000000, 0, 0x0fffffff },	/* DFR */
	{ SVR, RW, 0x3ff, 0, 0 },
	{ ESR, RW, 0, 0, 0 },
	{ ICR, RW, 0xccfff, BIT(12), 0 },
	{ ICR_HI, XR | XW, 0xff000000, 0, 0 },
	{ LVT_TIMER, RW, 0x700ff, BIT(12), 0 },
	{ 0x330, RW, 0x107ff, BIT(12), 0 },		/* LVT thermal */
	{ 0x340, RW, 0x107ff, BIT(12), 0 },		/* LVT perf */
	{ 0x350, RW, 0x1a7ff, BIT(12) | BIT(14), 0 },	/* LVT LINT0 */
	{ 0x360, RW, 0x1a7ff, BIT(12) | BIT(14), 0 },	/* LVT LINT1 */
	{ LVT_ERROR, RW, 0x100ff, BIT(12), 0 },
	{ TMICT, RW, 0xffffffff, 0, 0 },
	{ TMCCT, RO, 0, 0, 0 },
	{ TDCR, RW, 0xb, 0, 0 },
	{ SELF_IPI, X2W, 0xff, 0, 0 },
};
static const struct reg bitmap_reg = { 0, RO, 0, 0, 0 };	/* ISR/TMR/IRR */

enum hx_apic_mode hx_apic_mode = HX_APIC_XAPIC;

/* --- access -------------------------------------------------------------- */

/* The register at off, or NULL for a reserved offset. */
static const struct reg *reg_find(u32 off)
{
	if (off >= ISR && off < ESR)
		return &bitmap_reg;
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		if (regs[i].off == off)
			return &regs[i];
	return NULL;
}

/* Raw x2APIC MSR access for the interrupt path (no exception table). */
static u64 x2_rd(u32 off)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(X2APIC_MSR(off)));
	return (u64)hi << 32 | lo;
}

static void x2_wr(u32 off, u64 v)
{
	asm volatile("wrmsr" : : "c"(X2APIC_MSR(off)), "a"((u32)v),
		     "d"((u32)(v >> 32)) : "memory");
}

u32 hx_apic_read(u32 off)
{
	if (hx_apic_mode == HX_APIC_XAPIC)
		return hx_read32(XAPIC_BASE + off);
	return hx_apic_mode == HX_APIC_X2APIC ? (u32)x2_rd(off) : 0;
}

void hx_apic_write(u32 off, u32 val)
{
	if (hx_apic_mode == HX_APIC_XAPIC)
		hx_write32(XAPIC_BASE + off, val);
	else if (hx_apic_mode == HX_APIC_X2APIC)
		x2_wr(off, val);
}

void hx_apic_eoi_if_isr(unsigned vec)
{
	if (hx_apic_read(ISR + (vec / 32) * 16) & BIT(vec % 32))
		hx_apic_write(EOI, 0);
}

/* ESR after an ESR write: the errors since the write before. */
static u32 esr_fresh(void)
{
	hx_apic_write(ESR, 0);
	return hx_apic_read(ESR);
}

/* Mask every LVT, stop the timer, TPR 0, software-enabled. */
static void apic_quiet(void)
{
	hx_apic_write(SVR, SVR_ON);
	for (u32 off = LVT_TIMER; off <= LVT_ERROR; off += 16)
		hx_apic_write(off, LVT_MASKED);
	hx_apic_write(TMICT, 0);
	hx_apic_write(TPR, 0);
	esr_fresh();
}

/* IA32_APIC_BASE = base with mode bits; the guest follows on success. */
static int set_mode(u64 bits)
{
	int r = hx_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | bits);

	if (r == HX_NONE)
		hx_apic_mode = !(bits & BASE_EN) ? HX_APIC_OFF :
			       bits & BASE_EXTD ? HX_APIC_X2APIC : HX_APIC_XAPIC;
	return r;
}

/* --- xAPIC MMIO ----------------------------------------------------------- */

static const u32 patterns[] = { 0, 0xffffffff, 0x5a5a5a5a, 0xa5a5a5a5 };

/* Is after what a write of pat to off must leave (before: the value
 * read just before the write)? */
static bool xapic_answer(const struct reg *r, u32 off, u32 pat, u32 before,
			 u32 after)
{
	if (!r || !(r->acc & (XR | XW)))
		return before == 0 && after == 0;	/* reserved */
	if (!(r->acc & XR))
		return after == 0;			/* write-only (EOI) */
	if (!(r->acc & XW))
		return off == TMCCT || after == before;	/* read-only */
	if (off == ESR)
		return true;		/* reads errors latched: see illegal_vectors */
	return after == ((pat & r->wmask) | r->ones);
}

/* Registers a test may write back: not the ICR (it would send an IPI). */
static bool restorable(const struct reg *r, u32 off)
{
	return r && (r->acc & XW) && (r->acc & XR) && off != ICR && off != ESR;
}

static void xapic_offset(struct hx_class *c, u32 off)
{
	const struct reg *r = off < REG_END ? reg_find(off) : NULL;
	u32 orig = hx_apic_read(off);

	for (unsigned i = 0; i < ARRAY_SIZE(patterns); i++) {
		u32 before = hx_apic_read(off), after;

		hx_apic_write(off, patterns[i]);
		after = hx_apic_read(off);
		hx_check(c, xapic_answer(r, off, patterns[i], before, after),
			 "xAPIC 0x%03x: wrote 0x%08x over 0x%08x, reads 0x%08x",
			 off, patterns[i], before, after);
	}
	if (restorable(r, off))
		hx_apic_write(off, off == SVR ? SVR_ON : orig);
}

/* Unaligned dwords inside a register's 16 bytes: read 0, writes there
 * leave the register as it was. */
static void xapic_unaligned(struct hx_class *c, u32 off)
{
	for (u32 k = 4; k < 16; k += 4) {
		u32 before = hx_apic_read(off), v = hx_read32(XAPIC_BASE + off + k);

		hx_write32(XAPIC_BASE + off + k, 0xa5a5a5a5);
		hx_check(c, v == 0 && (off == TMCCT || hx_apic_read(off) == before),
			 "xAPIC 0x%03x+%u reads 0x%x; register 0x%x -> 0x%x", off,
			 k, v, before, hx_apic_read(off));
	}
}

static void xapic_sweep(struct hx_class *c)
{
	apic_quiet();
	hx_check(c, hx_apic_read(VERSION) == VERSION_VALUE, "xAPIC version 0x%x",
		 hx_apic_read(VERSION));
	for (u32 off = 0; off < PAGE_SIZE; off += 16)
		xapic_offset(c, off);
	for (u32 off = 0; off < REG_END; off += 16)
		xapic_unaligned(c, off);
	apic_quiet();
}

/* --- x2APIC MSRs ---------------------------------------------------------- */

/* The bits a WRMSR to r may set without #GP. */
static u64 x2_allowed(const struct reg *r)
{
	if (r->off == EOI || r->off == ESR)
		return 0;		/* 0 only */
	return r->wmask | r->ro | (r->off == ICR ? GENMASK(63, 32) : 0);
}

/* What a writable register reads after writing v (or v for unreadable). */
static u64 x2_readback(const struct reg *r, u64 v)
{
	u64 hi = r->off == ICR ? v & GENMASK(63, 32) : 0;

	return hi | (v & r->wmask) | r->ones;
}

static void x2_restore(const struct reg *r, u64 orig)
{
	if (r->off == SVR)
		hx_wrmsr(X2APIC_MSR(SVR), SVR_ON);
	else if (r->off != ICR && r->off != SELF_IPI && r->off != EOI &&
		 r->off != ESR)
		hx_wrmsr(X2APIC_MSR(r->off), orig);
}

static void x2_writable(struct hx_class *c, u32 msr, const struct reg *r, u64 orig)
{
	u64 allowed = x2_allowed(r), vals[2] = { 0, r->wmask };

	if (r->off == SELF_IPI)
		vals[0] = VEC_TIMER;	/* vectors 0-15: lapic-edge */
	for (int b = 0; b < 64; b++)
		if (!(allowed & BIT(b)))
			hx_check(c, hx_wrmsr(msr, BIT(b)) == VEC_GP, "x2APIC MSR "
				 "0x%x = bit %d: raised %d", msr, b, hx_fault.vector);
	for (unsigned i = 0; i < (allowed ? 2u : 1u); i++) {
		int w = hx_wrmsr(msr, vals[i]);

		hx_check(c, w == HX_NONE, "x2APIC MSR 0x%x = 0x%lx: raised %d",
			 msr, vals[i], w);
		if (w == HX_NONE && (r->acc & X2R) && r->off != ESR)
			hx_msr_is(c, msr, x2_readback(r, vals[i]));
	}
	x2_restore(r, orig);
}

static void x2_msr(struct hx_class *c, u32 msr)
{
	u32 off = (msr - 0x800) << 4;
	const struct reg *r = off < REG_END ? reg_find(off) : NULL;
	bool rd_ok = r && (r->acc & X2R);
	u64 v = 0;
	int rd = hx_rdmsr(msr, &v);

	hx_check(c, rd == (rd_ok ? HX_NONE : VEC_GP), "x2APIC MSR 0x%x read "
		 "raised %d", msr, rd);
	if (r && (r->acc & X2W)) {
		x2_writable(c, msr, r, v);
		return;
	}
	hx_check(c, hx_wrmsr(msr, 0) == VEC_GP && hx_wrmsr(msr, v) == VEC_GP,
		 "x2APIC MSR 0x%x (not writable) write raised %d", msr,
		 hx_fault.vector);
}

/* The x2APIC ICR is one 64-bit register: the destination written in
 * bits 63:32 reads back (delivery mode ExtINT: no IPI is sent). */
static void icr_64(struct hx_class *c)
{
	const u64 icr = 0x12345678ULL << 32 | 0x7ff;

	hx_check(c, hx_wrmsr(X2APIC_MSR(ICR), icr) == HX_NONE, "ICR = 0x%lx "
		 "refused", icr);
	hx_msr_is(c, X2APIC_MSR(ICR), icr);
}

static void x2apic_sweep(struct hx_class *c)
{
	apic_quiet();
	hx_msr_is(c, X2APIC_MSR(ID), 0);
	hx_msr_is(c, X2APIC_MSR(VERSION), VERSION_VALUE);
	hx_msr_is(c, X2APIC_MSR(LDR), 1);	/* cluster 0, ID bit 0 */
	hx_check(c, hx_read32(XAPIC_BASE + VERSION) == 0xffffffff,
		 "xAPIC page still answers in x2APIC mode");
	for (u32 msr = 0x800; msr <= 0x8ff; msr++)
		x2_msr(c, msr);
	icr_64(c);
	apic_quiet();
	hx_irq_window(WINDOW);		/* SELF IPI 0xff from the sweep */
}

/* --- illegal vectors, timer, software disable ----------------------------- */

/* Vectors 0-15 in the ICR (self): "send illegal vector". */
static void illegal_ipis(struct hx_class *c, const char *mode)
{
	u64 n = hx_irq_total();

	for (u32 vec = 0; vec < 16; vec++) {
		esr_fresh();
		hx_apic_write(ICR, ICR_SELF | vec);
		hx_check(c, esr_fresh() & ESR_SEND_ILLEGAL, "%s ICR vector %u: "
			 "ESR without \"send illegal vector\"", mode, vec);
	}
	hx_irq_window(WINDOW);
	hx_check(c, hx_irq_total() == n, "%s: %lu interrupts from illegal "
		 "vectors", mode, hx_irq_total() - n);
}

/* Wait until the timer's current count reads 0; false after cycles. */
static bool timer_expires(u64 cycles)
{
	u64 end = hx_rdtsc() + cycles;

	while (hx_apic_read(TMCCT) != 0)
		if (hx_rdtsc() > end)
			return false;
	return true;
}

/* LVT timer vectors 0-15: the expiry is "receive illegal vector". */
static void illegal_timer(struct hx_class *c)
{
	u64 n = hx_irq_total();

	hx_apic_write(TDCR, DIV_1);
	for (u32 vec = 0; vec < 16; vec++) {
		esr_fresh();
		hx_apic_write(LVT_TIMER, vec);
		hx_apic_write(TMICT, 1);
		timer_expires(WINDOW);
		hx_check(c, esr_fresh() & ESR_RECV_ILLEGAL, "LVT timer vector %u: "
			 "ESR without \"receive illegal vector\"", vec);
	}
	hx_apic_write(LVT_TIMER, LVT_MASKED);
	hx_irq_window(WINDOW);
	hx_check(c, hx_irq_total() == n, "%lu interrupts from illegal LVT "
		 "vectors", hx_irq_total() - n);
}

/* TDCR: x2APIC #GP for bit 2 and bits 31:4; each valid divide counts
 * down from TIMER_COUNT to 0. (SDM "Divide Configuration Register".) */
static void timer_divides(struct hx_class *c)
{
	for (u32 d = 0; d < 16; d++) {
		int w = hx_wrmsr(X2APIC_MSR(TDCR), d);

		if (d & 4) {
			hx_check(c, w == VEC_GP, "TDCR = 0x%x: raised %d", d, w);
			continue;
		}
		hx_apic_write(LVT_TIMER, LVT_MASKED);
		hx_apic_write(TMICT, TIMER_COUNT);
		u32 cur = hx_apic_read(TMCCT);
		hx_check(c, w == HX_NONE && hx_apic_read(TDCR) == d && cur > 0 &&
			 cur <= TIMER_COUNT && timer_expires(TIMER_COUNT << 8),
			 "TDCR = 0x%x: raised %d, count read %u then no expiry", d,
			 w, cur);
	}
	for (int b = 4; b < 32; b++)
		hx_check(c, hx_wrmsr(X2APIC_MSR(TDCR), BIT(b)) == VEC_GP,
			 "TDCR bit %d: raised %d", b, hx_fault.vector);
	hx_apic_write(TDCR, DIV_1);
}

/* Count interrupts on vec over a window. */
static u64 irqs_in_window(unsigned vec, u64 cycles)
{
	u64 n = hx_irq_count(vec);

	hx_irq_window(cycles);
	return hx_irq_count(vec) - n;
}

static void timer_counts(struct hx_class *c)
{
	u64 n;

	hx_apic_write(TDCR, DIV_1);
	hx_apic_write(LVT_TIMER, VEC_TIMER);
	hx_apic_write(TMICT, 0);		/* 0: stopped */
	hx_check(c, hx_apic_read(TMCCT) == 0 && !irqs_in_window(VEC_TIMER, WINDOW),
		 "initial count 0: the timer ran");
	hx_apic_write(TMICT, 1);		/* one-shot, 1 tick */
	n = irqs_in_window(VEC_TIMER, WINDOW);
	hx_check(c, n == 1, "initial count 1: %lu interrupts, want 1", n);
	hx_apic_write(TDCR, 0xa);		/* divide by 128 */
	hx_apic_write(TMICT, 0xffffffff);
	u32 a = hx_apic_read(TMCCT), b = hx_apic_read(TMCCT);
	hx_check(c, a > 0xff000000 && b <= a && !irqs_in_window(VEC_TIMER, WINDOW),
		 "initial count ~0: counts 0x%x, 0x%x", a, b);
	hx_apic_write(TMICT, 0);
	hx_check(c, hx_apic_read(TMCCT) == 0, "count not stopped by 0");
	hx_apic_write(TDCR, DIV_1);
	hx_apic_write(LVT_TIMER, VEC_TIMER | TIMER_RESERVED);
	hx_apic_write(TMICT, 10);
	hx_check(c, !irqs_in_window(VEC_TIMER, WINDOW), "timer mode 3 (reserved) "
		 "fired");
	hx_apic_write(TMICT, 0);
}

/* Periodic, unmasked, period 100000: about one interrupt per period. */
static void timer_periodic(struct hx_class *c)
{
	u64 n;

	hx_apic_write(TDCR, DIV_1);
	hx_apic_write(LVT_TIMER, VEC_TIMER | TIMER_PERIODIC);
	hx_apic_write(TMICT, 100000);
	n = irqs_in_window(VEC_TIMER, 1000000);
	hx_check(c, n >= 2 && n <= 11, "period 100000 over 1000000 cycles: "
		 "%lu interrupts", n);
	hx_apic_write(LVT_TIMER, LVT_MASKED);
	hx_apic_write(TMICT, 0);
	hx_irq_window(WINDOW);
}

/* TSC-deadline: a past deadline fires at once and clears the MSR; a far
 * one never; TMICT is ignored in that mode. */
static void timer_deadline(struct hx_class *c)
{
	u64 n;

	hx_apic_write(LVT_TIMER, VEC_TIMER | TIMER_DEADLINE);
	hx_apic_write(TMICT, 1234);
	hx_check(c, hx_apic_read(TMICT) == 0, "TMICT taken in deadline mode");
	hx_wrmsr_ok(MSR_TSC_DEADLINE, 1);
	n = irqs_in_window(VEC_TIMER, WINDOW);
	hx_check(c, n == 1, "deadline 1: %lu interrupts", n);
	hx_msr_is(c, MSR_TSC_DEADLINE, 0);	/* cleared when it fired */
	hx_wrmsr_ok(MSR_TSC_DEADLINE, ~0ULL);
	n = irqs_in_window(VEC_TIMER, WINDOW);
	hx_check(c, n == 0, "deadline ~0: %lu interrupts", n);
	hx_msr_is(c, MSR_TSC_DEADLINE, ~0ULL);
	hx_wrmsr_ok(MSR_TSC_DEADLINE, 0);
	hx_apic_write(LVT_TIMER, LVT_MASKED);
}

/* An interrupt pending when software-disabled is held, not delivered;
 * LVTs stay masked; one sent while disabled is discarded; re-enabling
 * delivers the held one exactly once. */
static void soft_disable(struct hx_class *c, const char *mode)
{
	u64 held = hx_irq_count(VEC_HELD), dropped = hx_irq_count(VEC_DROPPED);

	apic_quiet();
	hx_apic_write(ICR, ICR_SELF | VEC_HELD);
	hx_apic_write(SVR, SVR_OFF);
	hx_apic_write(LVT_TIMER, VEC_TIMER);	/* unmask: ignored */
	hx_check(c, hx_apic_read(LVT_TIMER) & LVT_MASKED, "%s: LVT unmasked "
		 "while software-disabled", mode);
	hx_apic_write(ICR, ICR_SELF | VEC_DROPPED);
	hx_irq_window(WINDOW);
	hx_check(c, hx_irq_count(VEC_HELD) == held, "%s: interrupt delivered "
		 "while software-disabled", mode);
	hx_check(c, hx_apic_read(IRR + (VEC_HELD / 32) * 16) & BIT(VEC_HELD % 32),
		 "%s: pending interrupt lost from IRR while disabled", mode);
	hx_apic_write(SVR, SVR_ON);
	hx_irq_window(WINDOW);
	hx_check(c, hx_irq_count(VEC_HELD) == held + 1, "%s: held interrupt "
		 "delivered %lu times after re-enable", mode,
		 hx_irq_count(VEC_HELD) - held);
	hx_check(c, hx_irq_count(VEC_DROPPED) == dropped, "%s: an IPI sent "
		 "while disabled was delivered", mode);
}

/* --- IA32_APIC_BASE -------------------------------------------------------- */

static void mode_changes(struct hx_class *c)
{
	u64 v;
	int r;

	hx_check(c, set_mode(BASE_EN) == VEC_GP, "x2APIC -> xAPIC allowed");
	hx_check(c, set_mode(BASE_EXTD) == VEC_GP, "EXTD without EN allowed");
	hx_check(c, set_mode(0) == HX_NONE, "x2APIC -> disabled refused");
	r = hx_rdmsr(X2APIC_MSR(VERSION), &v);
	hx_check(c, r == VEC_GP, "x2APIC MSR readable while disabled: raised "
		 "%d", r);
	hx_check(c, hx_read32(XAPIC_BASE + VERSION) == 0xffffffff, "xAPIC page "
		 "answers while disabled");
	hx_check(c, set_mode(BASE_EN | BASE_EXTD) == VEC_GP, "disabled -> "
		 "x2APIC allowed");
	hx_check(c, set_mode(BASE_EN) == HX_NONE, "disabled -> xAPIC refused");
	hx_check(c, hx_apic_read(SVR) == SVR_OFF &&
		 hx_apic_read(LVT_TIMER) == LVT_MASKED &&
		 hx_apic_read(VERSION) == VERSION_VALUE && hx_apic_read(TPR) == 0,
		 "registers not reset by disabling: SVR 0x%x LVT 0x%x",
		 hx_apic_read(SVR), hx_apic_read(LVT_TIMER));
}

static void xapic_ipis(struct hx_class *c) { illegal_ipis(c, "xAPIC"); }
static void x2apic_ipis(struct hx_class *c) { illegal_ipis(c, "x2APIC"); }
static void xapic_disable(struct hx_class *c) { soft_disable(c, "xAPIC"); }
static void x2apic_disable(struct hx_class *c) { soft_disable(c, "x2APIC"); }

static void to_x2apic(struct hx_class *c)
{
	hx_check(c, set_mode(BASE_EN | BASE_EXTD) == HX_NONE, "xAPIC -> x2APIC "
		 "refused");
}

/* Run one step, named on the console first (a hang then shows where). */
static void step(struct hx_class *c, const char *name,
		 void (*fn)(struct hx_class *c))
{
	hx_printf("hostile: %s: %s\n", c->name, name);
	fn(c);
}

/* SELF IPI with vectors 0-15: "send illegal vector", nothing delivered. */
static void self_ipi_illegal(struct hx_class *c)
{
	u64 n = hx_irq_total();

	for (u32 vec = 0; vec < 16; vec++) {
		esr_fresh();
		hx_apic_write(SELF_IPI, vec);
		hx_check(c, esr_fresh() & ESR_SEND_ILLEGAL, "SELF IPI vector %u: "
			 "ESR without \"send illegal vector\"", vec);
	}
	hx_irq_window(WINDOW);
	hx_check(c, hx_irq_total() == n, "%lu interrupts from illegal SELF IPIs",
		 hx_irq_total() - n);
}

/* A masked periodic timer with a period of one TSC cycle: the guest must
 * still run (2000 hypercalls in bounded time). */
static void period_1(struct hx_class *c)
{
	u64 t0;

	hx_apic_write(TDCR, DIV_1);
	hx_apic_write(LVT_TIMER, VEC_TIMER | TIMER_PERIODIC | LVT_MASKED);
	hx_apic_write(TMICT, 1);
	t0 = hx_rdtsc();
	for (int i = 0; i < 2000; i++)
		hx_vmcall(APFV_HC_PING, (u64)i, NULL);
	hx_check(c, hx_rdtsc() - t0 < 400000000ULL, "period 1, masked: 2000 "
		 "hypercalls took %lu cycles", hx_rdtsc() - t0);
	hx_apic_write(TMICT, 0);
	hx_apic_write(LVT_TIMER, LVT_MASKED);
}

/* lapic-edge, run last: x2APIC inputs that ended (SELF IPI 0-15: an
 * APIC-write exit on the hardware path) or froze (a masked periodic
 * timer of period 1) the run when this class was written; each can be
 * left out with skip=NAME so that a run still completes. */
void hx_class_lapic_edge(struct hx_class *c)
{
	hx_check(c, set_mode(BASE_EN | BASE_EXTD) == HX_NONE, "xAPIC -> x2APIC "
		 "refused");
	apic_quiet();
	if (hx_skip(SKIP_SELF_IPI))
		hx_note(c, "skipped (skip=%s): SELF IPI vectors 0-15", SKIP_SELF_IPI);
	else
		step(c, "x2APIC SELF IPI vectors 0-15", self_ipi_illegal);
	if (hx_skip(SKIP_PERIOD_1))
		hx_note(c, "skipped (skip=%s): masked periodic timer, period 1",
			SKIP_PERIOD_1);
	else
		step(c, "masked periodic timer, period 1", period_1);
	apic_quiet();
	hx_check(c, set_mode(0) == HX_NONE && set_mode(BASE_EN) == HX_NONE,
		 "back to xAPIC refused");
	apic_quiet();
}

void hx_class_lapic(struct hx_class *c)
{
	hx_irq_window(WINDOW);		/* anything left from apf-msr */
	step(c, "xAPIC MMIO sweep", xapic_sweep);
	step(c, "xAPIC illegal vectors", xapic_ipis);
	step(c, "xAPIC software disable", xapic_disable);
	step(c, "to x2APIC mode", to_x2apic);
	step(c, "x2APIC MSR sweep", x2apic_sweep);
	step(c, "x2APIC illegal vectors", x2apic_ipis);
	step(c, "LVT timer illegal vectors", illegal_timer);
	step(c, "timer divide values", timer_divides);
	step(c, "timer counts 0, 1, ~0, mode 3", timer_counts);
	step(c, "periodic timer", timer_periodic);
	step(c, "TSC-deadline timer", timer_deadline);
	step(c, "x2APIC software disable", x2apic_disable);
	step(c, "IA32_APIC_BASE transitions", mode_changes);
	apic_quiet();
}
