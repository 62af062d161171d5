/*
 * apic/vlapic.c - the virtual local APIC of one vCPU as a pure register
 * model, following SDM Vol. 3A, "Advanced Programmable Interrupt
 * Controller (APIC)": the register page, its xAPIC MMIO and x2APIC MSR
 * front doors, interrupt acceptance and priorities (IRR, ISR, TPR, PPR,
 * EOI), error reporting (ESR), self-IPIs through the ICR, the timer in
 * its three modes, and the IA32_APIC_BASE state machine ("x2APIC State
 * Transitions").
 *
 * Every register lives in the caller's page at its xAPIC offset, so the
 * page doubles as the CPU's virtual-APIC page. One table describes each
 * 16-byte slot: which mode may read or write it, its writable bits, and
 * the read-only bits a write may carry.
 *
 * Environment: pure (no hardware, time passed in as `now`). VMX root with
 * IF=0, and hosted in unit tests.
 */
#include "vlapic.h"
#include "../lib/string.h"

#define NR_REGS		(APIC_REG_END / APIC_REG_STRIDE)
#define BITMAP_REGS	8	/* 256-bit ISR/TMR/IRR: 8 x 32 bits */
#define PRIO_CLASS_MASK	0xf0

/* Who may use a register slot: xAPIC MMIO and x2APIC MSR, read / write. */
enum {
	XR = 1, XW = 2, X2R = 4, X2W = 8,
	RO = XR | X2R,
	RW = XR | XW | X2R | X2W,
};

struct apic_reg {
	u8 access;
	u32 wmask;	/* bits a write stores */
	u32 ro;		/* read-only bits a write may carry (x2APIC: no #GP) */
};

#define LVT_TIMER_BITS	(APIC_VECTOR_MASK | APIC_LVT_MASKED | \
			 APIC_TIMER_MODE_MASK)
#define LVT_LOCAL_BITS	(APIC_VECTOR_MASK | APIC_DM_MASK | APIC_LVT_MASKED)
#define LVT_LINT_BITS	(LVT_LOCAL_BITS | APIC_LVT_POLARITY | \
			 APIC_LEVEL_TRIGGER)
#define LVT_ERROR_BITS	(APIC_VECTOR_MASK | APIC_LVT_MASKED)
#define ICR_LO_BITS	(APIC_VECTOR_MASK | APIC_DM_MASK | APIC_ICR_LOGICAL | \
			 APIC_ICR_ASSERT | APIC_LEVEL_TRIGGER | \
			 APIC_ICR_SHORTHAND_MASK)

#define REG(off)	[(off) / APIC_REG_STRIDE]
#define BITMAP(off)	[(off) / APIC_REG_STRIDE ... \
			 (off) / APIC_REG_STRIDE + BITMAP_REGS - 1]

/* SDM "Local APIC Register Address Map" and the x2APIC MSR table; every
 * slot not named here is reserved. No CMCI entry (max LVT 5). */
static const struct apic_reg regs[NR_REGS] = {
	REG(APIC_ID)		= { XR | XW | X2R, APIC_ID_MASK, 0 },
	REG(APIC_VERSION)	= { RO, 0, 0 },
	REG(APIC_TPR)		= { RW, APIC_PRIO_MASK, 0 },
	REG(APIC_APR)		= { XR, 0, 0 },
	REG(APIC_PPR)		= { RO, 0, 0 },
	REG(APIC_EOI)		= { XW | X2W, 0, 0 },	/* x2APIC: 0 only */
	REG(APIC_RRD)		= { XR, 0, 0 },
	REG(APIC_LDR)		= { XR | XW | X2R, APIC_ID_MASK, 0 },
	REG(APIC_DFR)		= { XR | XW, APIC_DFR_MODEL_MASK, 0 },
	REG(APIC_SVR)		= { RW, APIC_SVR_VECTOR_MASK | APIC_SVR_ENABLE |
				    APIC_SVR_FOCUS_DISABLE, 0 },
	BITMAP(APIC_ISR)	= { RO, 0, 0 },
	BITMAP(APIC_TMR)	= { RO, 0, 0 },
	BITMAP(APIC_IRR)	= { RO, 0, 0 },
	REG(APIC_ESR)		= { RW, 0, 0 },		/* x2APIC: 0 only */
	REG(APIC_ICR)		= { RW, ICR_LO_BITS, APIC_DELIVERY_STATUS },
	REG(APIC_ICR_HI)	= { XR | XW, APIC_ID_MASK, 0 },
	REG(APIC_LVT_TIMER)	= { RW, LVT_TIMER_BITS, APIC_DELIVERY_STATUS },
	REG(APIC_LVT_THERMAL)	= { RW, LVT_LOCAL_BITS, APIC_DELIVERY_STATUS },
	REG(APIC_LVT_PERF)	= { RW, LVT_LOCAL_BITS, APIC_DELIVERY_STATUS },
	REG(APIC_LVT_LINT0)	= { RW, LVT_LINT_BITS, APIC_DELIVERY_STATUS |
				    APIC_LVT_REMOTE_IRR },
	REG(APIC_LVT_LINT1)	= { RW, LVT_LINT_BITS, APIC_DELIVERY_STATUS |
				    APIC_LVT_REMOTE_IRR },
	REG(APIC_LVT_ERROR)	= { RW, LVT_ERROR_BITS, APIC_DELIVERY_STATUS },
	REG(APIC_TMICT)		= { RW, 0xffffffffU, 0 },
	REG(APIC_TMCCT)		= { RO, 0, 0 },
	REG(APIC_TDCR)		= { RW, APIC_TDCR_MASK, 0 },
	REG(APIC_SELF_IPI)	= { X2W, APIC_VECTOR_MASK, 0 },
};

/* --- the register page ---------------------------------------------- */

static u32 *reg_ptr(const struct vlapic *l, u32 off)
{
	return (u32 *)(l->page + off);
}

static u32 reg_get(const struct vlapic *l, u32 off)
{
	return *reg_ptr(l, off);
}

static void reg_set(struct vlapic *l, u32 off, u32 val)
{
	*reg_ptr(l, off) = val;
}

/* Vector v of a 256-bit register: bit v % 32 of the register at
 * base + (v / 32) * 16. */
static u32 vec_off(u32 base, u32 v)
{
	return base + (v >> 5) * APIC_REG_STRIDE;
}

static bool vec_test(const struct vlapic *l, u32 base, u32 v)
{
	return reg_get(l, vec_off(base, v)) & BIT(v & 31);
}

static void vec_set(struct vlapic *l, u32 base, u32 v)
{
	*reg_ptr(l, vec_off(base, v)) |= (u32)BIT(v & 31);
}

static void vec_clear(struct vlapic *l, u32 base, u32 v)
{
	*reg_ptr(l, vec_off(base, v)) &= ~(u32)BIT(v & 31);
}

/* The highest vector set in the 256-bit register at base, or -1. */
static int vec_highest(const struct vlapic *l, u32 base)
{
	for (int i = BITMAP_REGS - 1; i >= 0; i--) {
		u32 w = reg_get(l, base + (u32)i * APIC_REG_STRIDE);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* --- modes and priorities --------------------------------------------- */

static bool hw_enabled(const struct vlapic *l)
{
	return l->apic_base & APIC_BASE_EN;
}

static bool xapic_mode(const struct vlapic *l)
{
	return hw_enabled(l) && !l->x2apic;
}

bool vlapic_enabled(const struct vlapic *l)
{
	return hw_enabled(l) && (reg_get(l, APIC_SVR) & APIC_SVR_ENABLE);
}

/* SDM "Processor Priority Register": TPR while its class is at least
 * that of the highest in-service vector, else that class, sub-class 0. */
static u32 ppr_compute(const struct vlapic *l)
{
	u32 tpr = reg_get(l, APIC_TPR) & APIC_PRIO_MASK;
	int isrv = vec_highest(l, APIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & PRIO_CLASS_MASK;

	return (tpr & PRIO_CLASS_MASK) >= isr_class ? tpr : isr_class;
}

/* Keep PPR in the page current: the CPU reads it there (VPPR). */
static void ppr_update(struct vlapic *l)
{
	reg_set(l, APIC_PPR, ppr_compute(l));
}

/* --- acceptance, delivery, EOI ---------------------------------------- */

/* Edge-triggered: TMR bit clear, so the EOI broadcasts nothing. */
static void irr_set(struct vlapic *l, u32 v)
{
	vec_set(l, APIC_IRR, v);
	vec_clear(l, APIC_TMR, v);
}

/* Latch error bits for the next ESR write and signal them through the
 * LVT error entry. An illegal vector there is not reported again, which
 * would loop. */
static void esr_error(struct vlapic *l, u32 bits)
{
	u32 lvt = reg_get(l, APIC_LVT_ERROR);
	u32 v = lvt & APIC_VECTOR_MASK;

	l->esr_pending |= bits;
	l->st.esr_errors++;
	if (!(lvt & APIC_LVT_MASKED) && v >= APIC_FIRST_VECTOR &&
	    vlapic_enabled(l))
		irr_set(l, v);
}

void vlapic_post(struct vlapic *l, u8 vector)
{
	if (!vlapic_enabled(l))
		return;
	if (vector < APIC_FIRST_VECTOR) {
		esr_error(l, APIC_ESR_RECV_ILLEGAL);
		return;
	}
	irr_set(l, vector);
}

int vlapic_pending(const struct vlapic *l)
{
	int v;

	if (!vlapic_enabled(l))
		return -1;
	v = vec_highest(l, APIC_IRR);
	if (v < 0 || APIC_PRIO_CLASS((u32)v) <=
		     APIC_PRIO_CLASS(ppr_compute(l)))
		return -1;
	return v;
}

void vlapic_accept(struct vlapic *l, u8 vector)
{
	if (!vec_test(l, APIC_IRR, vector))
		return;
	vec_clear(l, APIC_IRR, vector);
	vec_set(l, APIC_ISR, vector);
	ppr_update(l);
	l->st.injected++;
}

int vlapic_eoi(struct vlapic *l)
{
	int v = vec_highest(l, APIC_ISR);

	if (v < 0)
		return -1;
	vec_clear(l, APIC_ISR, (u32)v);
	ppr_update(l);
	l->st.eoi++;
	return v;
}

/* --- IPIs: the ICR and SELF IPI ---------------------------------------- */

/* KVM's reading of the SDM: broadcast reaches everyone; x2APIC logical
 * is cluster (bits 31:16) plus a bit in the 16-bit mask; xAPIC logical is
 * the flat or cluster model that DFR selects. */
static bool logical_match(const struct vlapic *l, u32 dest)
{
	u32 ldr = reg_get(l, APIC_LDR), model;

	if (l->x2apic)
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	ldr >>= APIC_ID_SHIFT;
	model = reg_get(l, APIC_DFR) >> 28;
	if (model == APIC_DFR_FLAT)
		return dest & ldr;
	if (model == APIC_DFR_CLUSTER)
		return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
	return false;
}

/* Does the IPI in ICR (low half lo) reach this, the only, APIC? */
static bool ipi_reaches_self(const struct vlapic *l, u32 lo)
{
	u32 sh = (lo & APIC_ICR_SHORTHAND_MASK) >> APIC_ICR_SHORTHAND_SHIFT;
	u32 dest = reg_get(l, APIC_ICR_HI);

	if (sh != APIC_DEST_FIELD)
		return sh == APIC_DEST_SELF || sh == APIC_DEST_ALL;
	if (!l->x2apic)
		dest >>= APIC_ICR_DEST_SHIFT;
	if (dest == (l->x2apic ? APIC_X2APIC_BROADCAST : APIC_XAPIC_BROADCAST))
		return true;
	if (lo & APIC_ICR_LOGICAL)
		return logical_match(l, dest);
	return dest == (l->x2apic ? l->id : reg_get(l, APIC_ID) >> APIC_ID_SHIFT);
}

/* Send a fixed interrupt from this APIC: an illegal vector is a send
 * error and goes nowhere. */
static void send_fixed(struct vlapic *l, u32 vector, bool to_self)
{
	if (vector < APIC_FIRST_VECTOR) {
		esr_error(l, APIC_ESR_SEND_ILLEGAL);
		return;
	}
	if (to_self)
		vlapic_post(l, (u8)vector);
}

/* A write of the ICR's low half sends the IPI. Lowest priority among one
 * APIC is that APIC (the SDM allows it only without shorthand); NMI,
 * SMI, INIT, SIPI and ExtINT are not modelled. */
static void icr_send(struct vlapic *l)
{
	u32 lo = reg_get(l, APIC_ICR);
	u32 dm = (lo & APIC_DM_MASK) >> APIC_DM_SHIFT;
	bool shorthand = lo & APIC_ICR_SHORTHAND_MASK;

	if (dm == APIC_DM_FIXED || (dm == APIC_DM_LOWEST && !shorthand))
		send_fixed(l, lo & APIC_VECTOR_MASK, ipi_reaches_self(l, lo));
}

/* --- the timer ---------------------------------------------------------- */

static u32 timer_mode(const struct vlapic *l)
{
	return (reg_get(l, APIC_LVT_TIMER) & APIC_TIMER_MODE_MASK) >>
	       APIC_TIMER_MODE_SHIFT;
}

static bool timer_counts(u32 mode)
{
	return mode == APIC_TIMER_ONESHOT || mode == APIC_TIMER_PERIODIC;
}

/* TDCR bits 3,1:0 = 000 divide by 2 ... 110 by 128, 111 by 1: the
 * timer ticks once every 1 << shift TSC cycles. */
static u32 timer_shift(const struct vlapic *l)
{
	u32 d = reg_get(l, APIC_TDCR);
	u32 code = (d & 3) | ((d >> 1) & 4);

	return (code + 1) & 7;
}

/* Start counting down from count now; periodic reloads TMICT, but never
 * faster than l->min_period (as KVM's min_timer_period_us). */
static void timer_load(struct vlapic *l, u32 count, u64 now)
{
	u32 shift = timer_shift(l);

	l->timer_period = MAX((u64)reg_get(l, APIC_TMICT) << shift,
			      l->min_period);
	l->timer_deadline = now + ((u64)count << shift);
	l->timer_start = now;
}

/* Disarm and forget the count, as a change of timer kind does. */
static void timer_stop(struct vlapic *l)
{
	l->timer_deadline = 0;
	l->timer_period = 0;
	l->tsc_deadline = 0;
	reg_set(l, APIC_TMICT, 0);
}

/* CURRENT COUNT: ticks left until the armed deadline, rounded up so the
 * count reads TMICT right after loading. Callers tick first, so an armed
 * deadline lies after now. */
static u32 timer_current(const struct vlapic *l, u64 now)
{
	u32 shift = timer_shift(l);
	u64 left;

	if (!timer_counts(timer_mode(l)) || l->timer_deadline <= now)
		return 0;
	left = (l->timer_deadline - now + BIT(shift) - 1) >> shift;
	return (u32)MIN(left, (u64)reg_get(l, APIC_TMICT));
}

static void timer_post(struct vlapic *l)
{
	u32 lvt = reg_get(l, APIC_LVT_TIMER);

	if (!(lvt & APIC_LVT_MASKED))
		vlapic_post(l, lvt & APIC_VECTOR_MASK);
}

bool vlapic_timer_posts(const struct vlapic *l)
{
	return vlapic_enabled(l) &&
	       !(reg_get(l, APIC_LVT_TIMER) & APIC_LVT_MASKED);
}

u64 vlapic_next_timer(const struct vlapic *l)
{
	return l->timer_deadline;
}

void vlapic_tick(struct vlapic *l, u64 now)
{
	u64 fires = 1;

	if (!l->timer_deadline || now < l->timer_deadline)
		return;
	if (timer_mode(l) == APIC_TIMER_PERIODIC && l->timer_period) {
		fires += (now - l->timer_deadline) / l->timer_period;
		l->timer_deadline += fires * l->timer_period;
		l->timer_start = l->timer_deadline - l->timer_period;
	} else {
		/* one-shot stops; TSC-deadline also clears the MSR (SDM) */
		l->timer_deadline = 0;
		l->tsc_deadline = 0;
	}
	l->st.timer_fires += fires;
	timer_post(l);	/* IRR holds one edge however many fired */
}

/* SDM: initial count 0 stops the timer; TSC-deadline mode ignores it. */
static void tmict_write(struct vlapic *l, u32 val, u64 now)
{
	u32 mode = timer_mode(l);

	if (mode == APIC_TIMER_TSC_DEADLINE)
		return;
	reg_set(l, APIC_TMICT, val);
	l->timer_deadline = 0;
	l->timer_period = 0;
	if (val && timer_counts(mode))
		timer_load(l, val, now);
}

/* A new divisor applies to the rest of the running count. */
static void tdcr_write(struct vlapic *l, u32 val, u64 now)
{
	u32 left = timer_current(l, now);

	reg_set(l, APIC_TDCR, val);
	if (left)
		timer_load(l, left, now);
}

int vlapic_set_tsc_deadline(struct vlapic *l, u64 val, u64 now)
{
	vlapic_tick(l, now);	/* an old deadline already passed fired */
	if (timer_mode(l) != APIC_TIMER_TSC_DEADLINE)
		return 0;
	l->tsc_deadline = val;
	l->timer_deadline = val;
	vlapic_tick(l, now);
	return 0;
}

/* --- register writes ---------------------------------------------------- */

static void lvt_write(struct vlapic *l, u32 off, u32 val)
{
	/* software-disabled: "attempts to reset these bits will be ignored" */
	if (!(reg_get(l, APIC_SVR) & APIC_SVR_ENABLE))
		val |= APIC_LVT_MASKED;
	reg_set(l, off, val);
}

/* SDM: transitions between TSC-deadline mode and the counting modes
 * disarm the timer; one-shot <-> periodic keeps the count running.
 * Reserved mode 3 never runs. */
static void lvt_timer_write(struct vlapic *l, u32 val)
{
	u32 old = timer_mode(l), mode;

	lvt_write(l, APIC_LVT_TIMER, val);
	mode = timer_mode(l);
	if (mode != old && !(timer_counts(mode) && timer_counts(old)))
		timer_stop(l);
}

static void svr_write(struct vlapic *l, u32 val)
{
	reg_set(l, APIC_SVR, val);
	if (val & APIC_SVR_ENABLE)
		return;
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR;
	     off += APIC_REG_STRIDE)
		reg_set(l, off, reg_get(l, off) | APIC_LVT_MASKED);
}

/* SDM "Error Status Register": a write makes the errors collected since
 * the previous write readable and starts collecting anew. */
static void esr_write(struct vlapic *l)
{
	reg_set(l, APIC_ESR, l->esr_pending);
	l->esr_pending = 0;
}

/* The write of a checked access to the register at off. Expiries due
 * before it fire first, under the settings they were armed with. */
static void reg_write(struct vlapic *l, u32 off, u32 val, u64 now)
{
	vlapic_tick(l, now);
	val &= regs[off / APIC_REG_STRIDE].wmask;
	switch (off) {
	case APIC_TPR:
		reg_set(l, off, val);
		ppr_update(l);
		break;
	case APIC_EOI:
		vlapic_eoi(l);
		break;
	case APIC_DFR:
		reg_set(l, off, val | APIC_DFR_RSVD_ONES);
		break;
	case APIC_SVR:
		svr_write(l, val);
		break;
	case APIC_ESR:
		esr_write(l);
		break;
	case APIC_ICR:
		reg_set(l, off, val);
		icr_send(l);
		break;
	case APIC_LVT_TIMER:
		lvt_timer_write(l, val);
		break;
	case APIC_LVT_THERMAL:
	case APIC_LVT_PERF:
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
	case APIC_LVT_ERROR:
		lvt_write(l, off, val);
		break;
	case APIC_TMICT:
		tmict_write(l, val, now);
		break;
	case APIC_TDCR:
		tdcr_write(l, val, now);
		break;
	case APIC_SELF_IPI:
		send_fixed(l, val, true);
		break;
	default:	/* ID, LDR, ICR_HI: plain storage */
		reg_set(l, off, val);
	}
}

static u32 reg_read(struct vlapic *l, u32 off, u64 now)
{
	vlapic_tick(l, now);
	if (off == APIC_PPR)
		return ppr_compute(l);
	if (off == APIC_TMCCT)
		return timer_current(l, now);
	return reg_get(l, off);
}

/* --- the front doors ------------------------------------------------------ */

/* May an xAPIC MMIO access with need (XR or XW) reach off? Reserved
 * offsets latch "illegal register address" (SDM "Error Handling"). */
static int mmio_check(struct vlapic *l, u32 off, u8 need)
{
	u8 access;

	if (off >= APIC_PAGE_SIZE || !IS_ALIGNED(off, APIC_REG_STRIDE) ||
	    !xapic_mode(l))
		return -1;
	access = off < APIC_REG_END ? regs[off / APIC_REG_STRIDE].access : 0;
	if (!(access & (XR | XW))) {
		esr_error(l, APIC_ESR_ILLEGAL_REG);
		return -1;
	}
	return access & need ? 0 : -1;
}

int vlapic_mmio_read(struct vlapic *l, u32 offset, u32 *val, u64 now)
{
	*val = 0;
	if (mmio_check(l, offset, XR))
		return -1;
	*val = reg_read(l, offset, now);
	return 0;
}

int vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val, u64 now)
{
	if (mmio_check(l, offset, XW))
		return -1;
	reg_write(l, offset, val, now);
	return 0;
}

bool vlapic_is_x2apic_msr(u32 msr)
{
	return msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST;
}

/* The register offset of an x2APIC MSR usable with need (X2R or X2W),
 * or -1: #GP outside x2APIC mode and for reserved MSRs. */
static int msr_offset(const struct vlapic *l, u32 msr, u8 need)
{
	u32 off;

	if (!l->x2apic || !vlapic_is_x2apic_msr(msr))
		return -1;
	off = (msr - X2APIC_MSR_FIRST) * APIC_REG_STRIDE;
	if (off >= APIC_REG_END || !(regs[off / APIC_REG_STRIDE].access & need))
		return -1;
	return (int)off;
}

int vlapic_rdmsr(struct vlapic *l, u32 msr, u64 *val, u64 now)
{
	int off = msr_offset(l, msr, X2R);

	*val = 0;
	if (off < 0)
		return -1;
	*val = reg_read(l, (u32)off, now);
	if (off == APIC_ICR)
		*val |= (u64)reg_get(l, APIC_ICR_HI) << 32;
	return 0;
}

/* SDM "Reserved Bit Checking": in x2APIC mode a write of a reserved bit
 * raises #GP; the ICR is the one 64-bit register (destination 63:32). */
int vlapic_wrmsr(struct vlapic *l, u32 msr, u64 val, u64 now)
{
	int off = msr_offset(l, msr, X2W);
	u64 ok;

	if (off < 0)
		return -1;
	ok = regs[off / APIC_REG_STRIDE].wmask | regs[off / APIC_REG_STRIDE].ro;
	if (off == APIC_ICR)
		ok |= GENMASK(63, 32);
	if (val & ~ok)
		return -1;
	if (off == APIC_ICR)
		reg_set(l, APIC_ICR_HI, (u32)(val >> 32));
	reg_write(l, (u32)off, (u32)val, now);
	return 0;
}

/* --- reset and IA32_APIC_BASE ---------------------------------------------- */

/* SDM "Local APIC State After Power-Up or Reset" (xAPIC layout). */
static void regs_reset(struct vlapic *l)
{
	memset(l->page, 0, APIC_PAGE_SIZE);
	reg_set(l, APIC_ID, l->id << APIC_ID_SHIFT);
	reg_set(l, APIC_VERSION, APIC_VERSION_VALUE);
	reg_set(l, APIC_DFR, APIC_DFR_RESET);
	reg_set(l, APIC_SVR, APIC_SVR_RESET);
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR;
	     off += APIC_REG_STRIDE)
		reg_set(l, off, APIC_LVT_RESET);
	l->timer_deadline = 0;
	l->timer_period = 0;
	l->tsc_deadline = 0;
	l->timer_start = 0;
	l->esr_pending = 0;
}

void vlapic_init(struct vlapic *l, void *page, u32 id)
{
	*l = (struct vlapic){
		.page = page, .id = id, .phys_bits = APIC_PHYS_BITS_MAX,
		.apic_base = APIC_DEFAULT_PHYS_BASE | APIC_BASE_BSP |
			     APIC_BASE_EN,
	};
	regs_reset(l);
}

/* SDM "State Changes From xAPIC Mode to x2APIC Mode": the ID becomes the
 * 32-bit x2APIC ID, LDR is derived from it (cluster ID[19:4] in bits
 * 31:16, bit ID[3:0] below), ICR bits 63:32 are not preserved. */
static void enter_x2apic(struct vlapic *l)
{
	reg_set(l, APIC_ID, l->id);
	reg_set(l, APIC_LDR, ((l->id >> 4) << 16) | (u32)BIT(l->id & 0xf));
	reg_set(l, APIC_ICR_HI, 0);
}

static u64 apic_base_reserved(const struct vlapic *l)
{
	u32 bits = MIN(MAX(l->phys_bits, (u8)32), (u8)APIC_PHYS_BITS_MAX);

	return ~(APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN |
		 GENMASK(bits - 1, APIC_BASE_ADDR_SHIFT));
}

/* SDM "x2APIC State Transitions": disabled (EN=0), xAPIC (EN), x2APIC
 * (EN|EXTD); EXTD without EN is invalid; x2APIC -> xAPIC and disabled ->
 * x2APIC are illegal. */
int vlapic_set_apic_base(struct vlapic *l, u64 val)
{
	u64 mode_bits = APIC_BASE_EN | APIC_BASE_EXTD;
	u64 old = l->apic_base & mode_bits, new = val & mode_bits;

	if ((val & apic_base_reserved(l)) || new == APIC_BASE_EXTD)
		return -1;
	if ((old == mode_bits && new == APIC_BASE_EN) ||
	    (old == 0 && new == mode_bits))
		return -1;
	l->apic_base = val;
	l->x2apic = new == mode_bits;
	if (new == 0 && old != 0)
		regs_reset(l);	/* SDM: EN=0 returns it to the reset state */
	else if (new != old && l->x2apic)
		enter_x2apic(l);
	return 0;
}
