/*
 * tests/fuzz/fuzz_vlapic.c - libFuzzer target for apic/vlapic.c, the
 * virtual local APIC. The input is a sequence of register accesses through
 * both front doors (xAPIC MMIO, x2APIC MSRs), IA32_APIC_BASE and
 * IA32_TSC_DEADLINE writes, interrupts posted, taken (the CPU accepting
 * the highest pending one, or any vector), EOIs and timer ticks, with time
 * moving forward. The register page is compared before and after each.
 *
 * Invariants (SDM Vol. 3A "Advanced Programmable Interrupt Controller"):
 *  - only an accept sets ISR bits, and it moves exactly the accepted
 *    vector IRR -> ISR (st.injected +1), or changes nothing when that
 *    vector was not in IRR: each edge posted is taken at most once;
 *  - IRR bits are cleared only by an accept or the reset of EN=0; ISR
 *    bits only by an EOI (which clears exactly the highest one) or reset;
 *  - vectors 0-15 are never in IRR or ISR; TMR is always 0 (edge only);
 *  - vlapic_pending() is the highest IRR vector when its class beats PPR,
 *    else -1; the PPR in the page (the CPU's VPPR) is TPR/ISR's value;
 *  - MMIO works only in xAPIC mode, MSRs only in x2APIC mode; a refused
 *    access changes nothing (MMIO may latch ESR and post the LVT error
 *    vector); the IA32_APIC_BASE transitions the SDM forbids are #GP;
 *  - software-disabled: every LVT stays masked; VERSION reads 0x50014;
 *    the current count never exceeds the initial count; after a tick the
 *    next deadline is 0 or in the future.
 *
 * Environment: host fuzzing (clang, libFuzzer, ASan+UBSan).
 */
#include "fuzz.h"
#include "../../apic/vlapic.h"

#define NWORDS		8	/* 256-bit register: 8 x 32 bits */
#define TIME_MAX	(1ULL << 60)	/* keeps every deadline from wrapping */

enum op {
	OP_MMIO_RD, OP_MMIO_WR, OP_MSR_RD, OP_MSR_WR, OP_APIC_BASE,
	OP_TSC_DEADLINE, OP_POST, OP_TAKE, OP_ACCEPT, OP_EOI, OP_TICK,
	OP_TIME, OP_COUNT,
};

struct bitmap {
	u32 w[NWORDS];
};

/* The 256-bit registers and the rest of the page before one step. */
struct snap {
	struct bitmap irr, isr, tmr;
	u8 page[APIC_PAGE_SIZE];
	u64 injected, eoi;
};

static u8 page[APIC_PAGE_SIZE] __aligned(APIC_PAGE_SIZE);
static struct vlapic L;
static u64 now;
static struct snap before;

static u32 reg(u32 off)
{
	u32 v;

	memcpy(&v, page + off, sizeof(v));
	return v;
}

static void bitmap_read(struct bitmap *b, u32 base)
{
	for (u32 i = 0; i < NWORDS; i++)
		b->w[i] = reg(base + i * APIC_REG_STRIDE);
}

static bool bit_test(const struct bitmap *b, u32 v)
{
	return b->w[v / 32] & (1u << (v % 32));
}

static int bit_highest(const struct bitmap *b)
{
	for (int i = NWORDS - 1; i >= 0; i--)
		if (b->w[i])
			return i * 32 + 31 - __builtin_clz(b->w[i]);
	return -1;
}

/* a == b except for vector v (which may differ either way). */
static bool same_but(const struct bitmap *a, const struct bitmap *b, int v)
{
	for (u32 i = 0; i < NWORDS; i++) {
		u32 mask = (v >= 0 && (u32)v / 32 == i) ? ~(1u << (v % 32)) : ~0u;

		if ((a->w[i] & mask) != (b->w[i] & mask))
			return false;
	}
	return true;
}

/* Every bit of a is also in b. */
static bool subset(const struct bitmap *a, const struct bitmap *b)
{
	for (u32 i = 0; i < NWORDS; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

static void take_snap(void)
{
	bitmap_read(&before.irr, APIC_IRR);
	bitmap_read(&before.isr, APIC_ISR);
	bitmap_read(&before.tmr, APIC_TMR);
	memcpy(before.page, page, sizeof(page));
	before.injected = L.st.injected;
	before.eoi = L.st.eoi;
}

static bool hw_on(void) { return L.apic_base & APIC_BASE_EN; }
static bool xapic(void) { return hw_on() && !L.x2apic; }
static bool sw_on(void) { return reg(APIC_SVR) & APIC_SVR_ENABLE; }

/* SDM "Processor Priority Register", computed from the page. */
static u32 ppr_expected(void)
{
	struct bitmap isr;
	int v;
	u32 tpr = reg(APIC_TPR) & 0xff, cls;

	bitmap_read(&isr, APIC_ISR);
	v = bit_highest(&isr);
	cls = v < 0 ? 0 : (u32)v & 0xf0;
	return (tpr & 0xf0) >= cls ? tpr : cls;
}

/* What may change in this step. */
struct allow {
	int accepted;		/* vector moved IRR -> ISR, or -1 */
	bool eoi;		/* an EOI was performed */
	bool reset;		/* EN=0: back to power-on registers */
};

/* After every step: the bitmaps changed only as allowed. */
static void check_step(const struct allow *a)
{
	struct bitmap irr, isr, tmr;
	int hi = bit_highest(&before.isr);

	bitmap_read(&irr, APIC_IRR);
	bitmap_read(&isr, APIC_ISR);
	bitmap_read(&tmr, APIC_TMR);
	FUZZ_CHECK(bit_highest(&tmr) < 0);		/* edge-triggered only */
	FUZZ_CHECK((irr.w[0] & 0xffff) == 0 && (isr.w[0] & 0xffff) == 0);
	FUZZ_CHECK(reg(APIC_PPR) == ppr_expected());
	FUZZ_CHECK(reg(APIC_VERSION) == APIC_VERSION_VALUE);
	if (hw_on() && !sw_on())
		for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 16)
			FUZZ_CHECK(reg(off) & APIC_LVT_MASKED);
	if (a->reset) {
		FUZZ_CHECK(bit_highest(&irr) < 0 && bit_highest(&isr) < 0);
		return;
	}
	if (a->accepted >= 0) {
		FUZZ_CHECK(bit_test(&before.irr, (u32)a->accepted));
		FUZZ_CHECK(!bit_test(&irr, (u32)a->accepted));
		FUZZ_CHECK(bit_test(&isr, (u32)a->accepted));
		FUZZ_CHECK(same_but(&irr, &before.irr, a->accepted));
		FUZZ_CHECK(same_but(&isr, &before.isr, a->accepted));
		FUZZ_CHECK(L.st.injected == before.injected + 1);
		return;
	}
	FUZZ_CHECK(L.st.injected == before.injected);
	FUZZ_CHECK(subset(&before.irr, &irr));		/* IRR only gains */
	if (a->eoi && hi >= 0) {
		FUZZ_CHECK(!bit_test(&isr, (u32)hi));
		FUZZ_CHECK(same_but(&isr, &before.isr, hi));
		FUZZ_CHECK(L.st.eoi == before.eoi + 1);
	} else {
		FUZZ_CHECK(!memcmp(&isr, &before.isr, sizeof(isr)));
		FUZZ_CHECK(L.st.eoi == before.eoi);
	}
}

/* A refused access: the page is as before, except that an MMIO one may
 * latch "illegal register address" and post the LVT error vector. */
static void check_refused(bool mmio)
{
	struct bitmap irr;
	u32 lvt = reg(APIC_LVT_ERROR);

	bitmap_read(&irr, APIC_IRR);
	for (u32 off = 0; off < APIC_PAGE_SIZE; off += 4)
		if (off < APIC_IRR || off >= APIC_IRR + NWORDS * APIC_REG_STRIDE)
			FUZZ_CHECK(!memcmp(page + off, before.page + off, 4));
	FUZZ_CHECK(subset(&before.irr, &irr));
	if (!mmio || (lvt & APIC_LVT_MASKED))
		FUZZ_CHECK(!memcmp(&irr, &before.irr, sizeof(irr)));
	else
		FUZZ_CHECK(same_but(&irr, &before.irr, (int)(lvt & 0xff)));
}

/* After an access that ticked: nothing due is left armed. */
static void check_ticked(void)
{
	u64 d = vlapic_next_timer(&L);

	FUZZ_CHECK(d == 0 || d > now);
}

static void check_read(u32 off, u32 val)
{
	if (off == APIC_VERSION)
		FUZZ_CHECK(val == APIC_VERSION_VALUE);
	if (off == APIC_TMCCT)
		FUZZ_CHECK(val <= reg(APIC_TMICT));
	if (off == APIC_PPR)
		FUZZ_CHECK(val == ppr_expected());
	if (off == APIC_ICR || (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR))
		FUZZ_CHECK(!(val & APIC_DELIVERY_STATUS));	/* always idle */
}

/* An xAPIC offset: mostly a register slot, sometimes anything. */
static u32 offset(struct fz *f)
{
	u8 b = fz_u8(f);

	if (b & 0x80)
		return (u32)fz_bytes(f, 2) % APIC_PAGE_SIZE;
	return (u32)(b & 0x3f) * APIC_REG_STRIDE;
}

static void mmio(struct fz *f, bool write, struct allow *a)
{
	u32 off = offset(f), val = write ? fz_u32(f) : 0;
	int rc;

	if (write)
		rc = vlapic_mmio_write(&L, off, val, now);
	else
		rc = vlapic_mmio_read(&L, off, &val, now);
	FUZZ_TRACE("  mmio %s %#x = %#x: %d\n", write ? "wr" : "rd", off, val, rc);
	if (rc) {
		FUZZ_CHECK(val == 0 || write);
		check_refused(true);
		return;
	}
	FUZZ_CHECK(xapic());
	check_ticked();
	if (write)
		a->eoi = off == APIC_EOI;
	else
		check_read(off, val);
}

static void msr(struct fz *f, bool write, struct allow *a)
{
	u8 b = fz_u8(f);
	u32 m = X2APIC_MSR_FIRST + (b & 0x80 ? fz_u8(f) : b & 0x3f);
	u64 val = 0;
	int rc;

	if (write) {
		val = fz_u8(f) & 1 ? fz_u64(f) : fz_u32(f);
		rc = vlapic_wrmsr(&L, m, val, now);
	} else {
		rc = vlapic_rdmsr(&L, m, &val, now);
	}
	FUZZ_TRACE("  msr %s %#x = %#llx: %d\n", write ? "wr" : "rd", m,
		   (unsigned long long)val, rc);
	if (rc) {
		FUZZ_CHECK(val == 0 || write);
		check_refused(false);
		return;
	}
	FUZZ_CHECK(L.x2apic && hw_on());
	check_ticked();
	if (write)
		a->eoi = m == X2APIC_MSR(APIC_EOI);
	else
		check_read((m - X2APIC_MSR_FIRST) * APIC_REG_STRIDE, (u32)val);
}

/* IA32_APIC_BASE: mode bits from the input, the base mostly the default. */
static void apic_base(struct fz *f, struct allow *a)
{
	u8 b = fz_u8(f);
	u64 mode = L.apic_base & (APIC_BASE_EN | APIC_BASE_EXTD), next;
	u64 val = b & 0x80 ? fz_u64(f) :
		  APIC_DEFAULT_PHYS_BASE | (b & 1 ? APIC_BASE_BSP : 0) |
		  (b & 2 ? APIC_BASE_EN : 0) | (b & 4 ? APIC_BASE_EXTD : 0);
	bool illegal;
	int rc;

	next = val & (APIC_BASE_EN | APIC_BASE_EXTD);
	illegal = next == APIC_BASE_EXTD ||
		  (mode == (APIC_BASE_EN | APIC_BASE_EXTD) && next == APIC_BASE_EN) ||
		  (mode == 0 && next == (APIC_BASE_EN | APIC_BASE_EXTD));
	rc = vlapic_set_apic_base(&L, val);
	FUZZ_TRACE("  apic base %#llx: %d\n", (unsigned long long)val, rc);
	if (illegal)
		FUZZ_CHECK(rc == -1);
	if (rc) {
		check_refused(false);
		return;
	}
	FUZZ_CHECK(L.apic_base == val);
	a->reset = mode != 0 && next == 0;
	if (L.x2apic)
		FUZZ_CHECK(reg(APIC_ID) == L.id);
}

/* The CPU takes the highest pending vector, if it may. */
static void take(struct allow *a)
{
	int v = vlapic_pending(&L);
	int hi = bit_highest(&before.irr);

	FUZZ_TRACE("  pending %d\n", v);
	if (v < 0) {
		FUZZ_CHECK(!vlapic_enabled(&L) || hi < 0 ||
			   ((u32)hi >> 4) <= (ppr_expected() >> 4));
		return;
	}
	FUZZ_CHECK(vlapic_enabled(&L) && v == hi);
	FUZZ_CHECK(((u32)v >> 4) > (ppr_expected() >> 4));
	vlapic_accept(&L, (u8)v);
	a->accepted = v;
}

static void accept_any(u8 v, struct allow *a)
{
	vlapic_accept(&L, v);
	a->accepted = bit_test(&before.irr, v) ? v : -1;
}

static void eoi(struct allow *a)
{
	int v = vlapic_eoi(&L);

	FUZZ_CHECK(v == bit_highest(&before.isr));
	a->eoi = true;
}

static const char *const op_names[OP_COUNT] = {
	"mmio read", "mmio write", "rdmsr", "wrmsr", "apic base",
	"tsc deadline", "post", "take", "accept", "eoi", "tick", "time",
};

static void step(struct fz *f)
{
	struct allow a = { .accepted = -1 };
	u8 op = fz_u8(f) % OP_COUNT;

	FUZZ_TRACE("%s\n", op_names[op]);
	take_snap();
	switch (op) {
	case OP_MMIO_RD: mmio(f, false, &a); break;
	case OP_MMIO_WR: mmio(f, true, &a); break;
	case OP_MSR_RD: msr(f, false, &a); break;
	case OP_MSR_WR: msr(f, true, &a); break;
	case OP_APIC_BASE: apic_base(f, &a); break;
	case OP_TSC_DEADLINE:
		FUZZ_CHECK(vlapic_set_tsc_deadline(&L, now + fz_u32(f), now) == 0);
		check_ticked();
		break;
	case OP_POST: vlapic_post(&L, fz_u8(f)); break;
	case OP_TAKE: take(&a); break;
	case OP_ACCEPT: accept_any(fz_u8(f), &a); break;
	case OP_EOI: eoi(&a); break;
	case OP_TICK:
		vlapic_tick(&L, now);
		check_ticked();
		break;
	case OP_TIME:
		now += fz_u8(f) & 1 ? fz_u32(f) : fz_u8(f);
		if (now > TIME_MAX)
			now = TIME_MAX;
		break;
	}
	check_step(&a);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz f;
	u8 cfg;

	fz_init(&f, data, size);
	cfg = fz_u8(&f);
	vlapic_init(&L, page, cfg & 0x80 ? fz_u32(&f) : cfg & 0xf);
	L.phys_bits = (u8)(32 + fz_u8(&f) % 21);	/* MAXPHYADDR 32..52 */
	now = fz_u32(&f);
	while (fz_more(&f))
		step(&f);
	return 0;
}
