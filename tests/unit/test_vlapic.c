/*
 * tests/unit/test_vlapic.c - apic/vlapic.c: the virtual local APIC as a
 * register page (SDM Vol. 3A, "Advanced Programmable Interrupt Controller
 * (APIC)"). Priorities, PPR and nested EOI, software disable, ESR, the
 * xAPIC MMIO and x2APIC MSR front doors and their refusals, the ICR, the
 * timer in its three modes, and IA32_APIC_BASE transitions. The register
 * page is checked directly too: it is what the CPU would read. Host unit
 * test.
 */
#include <string.h>

#include "env_host.h"
#include "../../apic/vlapic.h"

#define MY_ID		3
#define BASE_XAPIC	(APIC_DEFAULT_PHYS_BASE | APIC_BASE_BSP | APIC_BASE_EN)
#define BASE_X2APIC	(BASE_XAPIC | APIC_BASE_EXTD)
#define BASE_OFF	(APIC_DEFAULT_PHYS_BASE | APIC_BASE_BSP)
#define SVR_ON		(APIC_SVR_ENABLE | 0xff)
#define SVR_OFF		0xff
#define TIMER_VEC	0xec
#define ERROR_VEC	0xfe
#define ONESHOT		(APIC_TIMER_ONESHOT << APIC_TIMER_MODE_SHIFT)
#define PERIODIC	(APIC_TIMER_PERIODIC << APIC_TIMER_MODE_SHIFT)
#define DEADLINE	(APIC_TIMER_TSC_DEADLINE << APIC_TIMER_MODE_SHIFT)
#define RESERVED_MODE	(3U << APIC_TIMER_MODE_SHIFT)
#define TDCR_DIV1	0xb
#define TDCR_DIV2	0x0
#define TDCR_DIV4	0x1
#define SH_SELF		(APIC_DEST_SELF << APIC_ICR_SHORTHAND_SHIFT)
#define SH_ALL		(APIC_DEST_ALL << APIC_ICR_SHORTHAND_SHIFT)
#define SH_OTHERS	(APIC_DEST_OTHERS << APIC_ICR_SHORTHAND_SHIFT)
#define DM(m)		((u32)(m) << APIC_DM_SHIFT)

static struct vlapic l;
static void *page;

static int setup(void **state)
{
	(void)state;
	page = env_page_alloc();
	assert_non_null(page);
	vlapic_init(&l, page, MY_ID);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_page_free(page);
	return 0;
}

/* --- helpers ------------------------------------------------------------- */

/* What the CPU would read in the virtual-APIC page. */
static u32 page_reg(u32 off)
{
	u32 v;

	memcpy(&v, (u8 *)page + off, sizeof(v));
	return v;
}

static bool vec_in(u32 base, u32 v)
{
	return page_reg(base + (v / 32) * APIC_REG_STRIDE) & (1U << (v % 32));
}

static bool in_irr(u32 v) { return vec_in(APIC_IRR, v); }
static bool in_isr(u32 v) { return vec_in(APIC_ISR, v); }

static u32 rd_at(u32 off, u64 now)
{
	u32 v = 0xdeadbeef;

	assert_int_equal(vlapic_mmio_read(&l, off, &v, now), 0);
	return v;
}

static u32 rd(u32 off) { return rd_at(off, 0); }

static void wr_at(u32 off, u32 val, u64 now)
{
	assert_int_equal(vlapic_mmio_write(&l, off, val, now), 0);
}

static void wr(u32 off, u32 val) { wr_at(off, val, 0); }

static void sw_enable(void) { wr(APIC_SVR, SVR_ON); }

/* ESR is write-then-read: the write makes the collected errors visible. */
static u32 esr(void)
{
	wr(APIC_ESR, 0);
	return rd(APIC_ESR);
}

static void to_x2apic(void)
{
	assert_int_equal(vlapic_set_apic_base(&l, BASE_X2APIC), 0);
}

static u64 msr_rd(u32 msr)
{
	u64 v = 0xdead;

	assert_int_equal(vlapic_rdmsr(&l, msr, &v, 0), 0);
	return v;
}

static void msr_wr(u32 msr, u64 val)
{
	assert_int_equal(vlapic_wrmsr(&l, msr, val, 0), 0);
}

static int msr_rd_rc(u32 msr)
{
	u64 v = 0xdead;
	int rc = vlapic_rdmsr(&l, msr, &v, 0);

	if (rc)
		assert_int_equal(v, 0);
	return rc;
}

/* The CPU takes the pending interrupt, which must be v. */
static void take(int v)
{
	assert_int_equal(vlapic_pending(&l), v);
	vlapic_accept(&l, (u8)v);
}

static void expect_eoi(int v)
{
	assert_int_equal(vlapic_eoi(&l), v);
}

/* An unmasked timer of mode (ONESHOT...) with TIMER_VEC, APIC enabled. */
static void timer_setup(u32 mode, u32 tdcr)
{
	sw_enable();
	wr(APIC_LVT_TIMER, mode | TIMER_VEC);
	wr(APIC_TDCR, tdcr);
}

/* --- power-on state ------------------------------------------------------ */

static void power_on_state_follows_the_sdm(void **state)
{
	(void)state;
	assert_int_equal(l.apic_base, 0xfee00900);
	assert_false(l.x2apic);
	assert_int_equal(rd(APIC_ID), MY_ID << 24);
	assert_int_equal(rd(APIC_VERSION), 0x50014);
	assert_int_equal(rd(APIC_SVR), 0xff);
	assert_int_equal(rd(APIC_DFR), 0xffffffff);
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
		assert_int_equal(rd(off), APIC_LVT_MASKED);
	assert_int_equal(rd(APIC_TPR), 0);
	assert_int_equal(rd(APIC_PPR), 0);
	assert_int_equal(rd(APIC_LDR), 0);
	assert_int_equal(rd(APIC_TDCR), 0);
	for (u32 i = 0; i < 8; i++)
		assert_int_equal(rd(APIC_IRR + i * 0x10) | rd(APIC_ISR + i * 0x10) |
				 rd(APIC_TMR + i * 0x10), 0);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_false(vlapic_enabled(&l));
	/* the page itself holds the registers at their xAPIC offsets */
	assert_int_equal(page_reg(APIC_VERSION), 0x50014);
	assert_int_equal(page_reg(APIC_SVR), 0xff);
}

static void init_zeroes_whatever_the_page_held(void **state)
{
	(void)state;
	memset(page, 0xa5, APIC_PAGE_SIZE);
	vlapic_init(&l, page, MY_ID);
	assert_int_equal(page_reg(APIC_IRR + 0x70), 0);
	assert_int_equal(page_reg(0x800), 0);
	assert_int_equal(rd(APIC_ID), MY_ID << 24);
}

/* --- priorities, PPR, EOI ------------------------------------------------ */

static void higher_priority_class_is_delivered_first(void **state)
{
	(void)state;
	sw_enable();
	vlapic_post(&l, 0x31);
	vlapic_post(&l, 0x51);
	take(0x51);
	assert_int_equal(vlapic_pending(&l), -1);	/* 0x3x below ISR 0x5x */
	expect_eoi(0x51);
	take(0x31);
	expect_eoi(0x31);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(l.st.injected, 2);
	assert_int_equal(l.st.eoi, 2);
}

static void within_a_class_the_higher_vector_comes_first(void **state)
{
	(void)state;
	sw_enable();
	vlapic_post(&l, 0x41);
	vlapic_post(&l, 0x4f);
	take(0x4f);
	assert_int_equal(vlapic_pending(&l), -1);	/* same class in service */
	expect_eoi(0x4f);
	take(0x41);
}

static void tpr_blocks_its_class_and_lower(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_TPR, 0x50);
	vlapic_post(&l, 0x5f);
	vlapic_post(&l, 0x42);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(APIC_TPR, 0x4f);	/* the sub-class does not matter */
	assert_int_equal(vlapic_pending(&l), 0x5f);
	vlapic_post(&l, 0x61);
	wr(APIC_TPR, 0x60);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(APIC_TPR, 0);
	take(0x61);
	assert_true(in_irr(0x5f));
	assert_true(in_irr(0x42));
}

static void isr_blocks_equal_and_lower_classes_until_eoi(void **state)
{
	(void)state;
	sw_enable();
	vlapic_post(&l, 0x80);
	take(0x80);
	vlapic_post(&l, 0x80);	/* again, while in service: IRR and ISR */
	vlapic_post(&l, 0x70);
	assert_true(in_irr(0x80));
	assert_true(in_isr(0x80));
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_post(&l, 0x90);	/* a higher class nests */
	take(0x90);
	expect_eoi(0x90);
	assert_int_equal(vlapic_pending(&l), -1);	/* 0x80 still in service */
	expect_eoi(0x80);
	take(0x80);		/* the second 0x80, exactly once */
	expect_eoi(0x80);
	take(0x70);
	expect_eoi(0x70);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(l.st.injected, 4);
}

static void eoi_clears_the_highest_isr_bit_first(void **state)
{
	(void)state;
	sw_enable();
	vlapic_post(&l, 0x30);
	take(0x30);
	vlapic_post(&l, 0x60);
	take(0x60);
	vlapic_post(&l, 0xa0);
	take(0xa0);
	assert_true(in_isr(0x30) && in_isr(0x60) && in_isr(0xa0));
	expect_eoi(0xa0);
	wr(APIC_EOI, 0x1234);	/* xAPIC: any value written is an EOI */
	assert_false(in_isr(0x60));
	assert_true(in_isr(0x30));
	expect_eoi(0x30);
	assert_int_equal(l.st.eoi, 3);
}

static void eoi_with_nothing_in_service_does_nothing(void **state)
{
	(void)state;
	sw_enable();
	expect_eoi(-1);
	wr(APIC_EOI, 0);
	assert_int_equal(l.st.eoi, 0);
}

static void ppr_is_the_higher_of_tpr_and_isr_class(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_TPR, 0x45);
	assert_int_equal(rd(APIC_PPR), 0x45);	/* nothing in service: TPR */
	vlapic_post(&l, 0x61);
	take(0x61);
	assert_int_equal(rd(APIC_PPR), 0x60);	/* ISR class, sub-class 0 */
	assert_int_equal(page_reg(APIC_PPR), 0x60);	/* the CPU's VPPR */
	wr(APIC_TPR, 0x65);
	assert_int_equal(rd(APIC_PPR), 0x65);	/* equal class: TPR whole */
	wr(APIC_TPR, 0x7a);
	assert_int_equal(rd(APIC_PPR), 0x7a);
	wr(APIC_TPR, 0x5f);
	assert_int_equal(rd(APIC_PPR), 0x60);
	expect_eoi(0x61);
	assert_int_equal(rd(APIC_PPR), 0x5f);
	assert_int_equal(page_reg(APIC_PPR), 0x5f);
}

static void posting_twice_before_delivery_delivers_once(void **state)
{
	(void)state;
	sw_enable();
	vlapic_post(&l, 0x44);
	vlapic_post(&l, 0x44);
	take(0x44);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(l.st.injected, 1);
	assert_false(vec_in(APIC_TMR, 0x44));	/* edge-triggered */
}

static void accept_of_a_vector_not_requested_is_ignored(void **state)
{
	(void)state;
	sw_enable();
	vlapic_accept(&l, 0x50);
	assert_false(in_isr(0x50));
	assert_int_equal(l.st.injected, 0);
	assert_int_equal(rd(APIC_PPR), 0);
}

/* Random posts, deliveries, EOIs and TPR changes: every post that found
 * its IRR bit clear is delivered exactly once, and a delivery always
 * outranks TPR and everything in service. */
static void random_traffic_delivers_each_post_exactly_once(void **state)
{
	u32 seed = 2024;
	u64 posted = 0;

	(void)state;
	sw_enable();
	for (int i = 0; i < 20000; i++) {
		u32 r, v;
		int p, top;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		v = 16 + (r >> 4) % 240;
		switch (r % 8) {
		case 0: case 1: case 2:
			posted += !in_irr(v);
			vlapic_post(&l, (u8)v);
			break;
		case 3: case 4:
			p = vlapic_pending(&l);
			if (p < 0)
				break;
			top = 0;
			for (int x = 255; x >= 16 && !top; x--)
				top = in_isr((u32)x) ? x : 0;
			assert_true(p >> 4 > top >> 4);
			assert_true(p >> 4 > (int)(rd(APIC_TPR) >> 4));
			vlapic_accept(&l, (u8)p);
			assert_true(in_isr((u32)p));
			break;
		case 5: case 6:
			vlapic_eoi(&l);
			break;
		default:
			wr(APIC_TPR, (r >> 4) & 0xff);
		}
	}
	wr(APIC_TPR, 0);
	for (;;) {
		int p = vlapic_pending(&l);

		if (p >= 0)
			vlapic_accept(&l, (u8)p);
		else if (vlapic_eoi(&l) < 0)
			break;
	}
	assert_true(posted > 1000);
	assert_int_equal(l.st.injected, posted);
	assert_int_equal(l.st.eoi, posted);
	for (u32 v = 0; v < 256; v++)
		assert_false(in_irr(v) || in_isr(v));
}

/* --- software disable ------------------------------------------------------ */

static void software_disabled_apic_holds_irr_and_delivers_it_on_reenable(void **state)
{
	(void)state;
	sw_enable();
	vlapic_post(&l, 0x40);
	wr(APIC_SVR, SVR_OFF);
	assert_false(vlapic_enabled(&l));
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_post(&l, 0x50);	/* not accepted while software-disabled */
	assert_false(in_irr(0x50));
	sw_enable();
	take(0x40);
	expect_eoi(0x40);
	assert_int_equal(vlapic_pending(&l), -1);
}

static void power_on_apic_is_software_disabled_and_drops_posts(void **state)
{
	(void)state;
	vlapic_post(&l, 0x40);
	assert_false(in_irr(0x40));
	sw_enable();
	assert_int_equal(vlapic_pending(&l), -1);
}

static void software_disable_masks_every_lvt_and_keeps_them_masked(void **state)
{
	(void)state;
	sw_enable();
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
		wr(off, 0x40);
	assert_int_equal(rd(APIC_LVT_LINT0), 0x40);
	wr(APIC_SVR, SVR_OFF);
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
		assert_int_equal(rd(off), APIC_LVT_MASKED | 0x40);
	wr(APIC_LVT_ERROR, 0x41);	/* unmasking is ignored */
	assert_int_equal(rd(APIC_LVT_ERROR), APIC_LVT_MASKED | 0x41);
	sw_enable();			/* re-enabling does not unmask */
	assert_int_equal(rd(APIC_LVT_ERROR), APIC_LVT_MASKED | 0x41);
	wr(APIC_LVT_ERROR, 0x41);
	assert_int_equal(rd(APIC_LVT_ERROR), 0x41);
}

/* --- ESR ------------------------------------------------------------------------- */

static void illegal_vector_is_dropped_and_latches_receive_illegal(void **state)
{
	(void)state;
	sw_enable();
	for (u32 v = 0; v < 16; v++)
		vlapic_post(&l, (u8)v);
	for (u32 v = 0; v < 16; v++)
		assert_false(in_irr(v));
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(rd(APIC_ESR), 0);	/* not visible before a write */
	assert_int_equal(esr(), APIC_ESR_RECV_ILLEGAL);
	assert_int_equal(esr(), 0);		/* the write started anew */
	assert_int_equal(l.st.esr_errors, 16);
}

static void esr_errors_are_signalled_through_lvt_error(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_LVT_ERROR, ERROR_VEC);
	vlapic_post(&l, 7);
	take(ERROR_VEC);
	assert_int_equal(esr(), APIC_ESR_RECV_ILLEGAL);
}

static void lvt_error_with_an_illegal_vector_does_not_loop(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_LVT_ERROR, 3);
	vlapic_post(&l, 7);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(l.st.esr_errors, 1);
	assert_int_equal(esr(), APIC_ESR_RECV_ILLEGAL);
}

/* --- xAPIC MMIO: reserved, read-only, write-only ----------------------------- */

static void reserved_offsets_read_0_ignore_writes_and_latch_illegal_register(void **state)
{
	static const u32 reserved[] = { 0x000, 0x010, 0x040, 0x050, 0x060,
					0x070, 0x290, 0x2e0, APIC_LVT_CMCI,
					0x3a0, 0x3d0, APIC_SELF_IPI, 0x400,
					0x800, 0xff0 };
	u32 v;

	(void)state;
	sw_enable();
	for (u32 i = 0; i < ARRAY_SIZE(reserved); i++) {
		v = 0x1234;
		assert_int_equal(vlapic_mmio_read(&l, reserved[i], &v, 0), -1);
		assert_int_equal(v, 0);
		assert_int_equal(vlapic_mmio_write(&l, reserved[i], ~0U, 0), -1);
		assert_int_equal(page_reg(reserved[i]), 0);
		assert_int_equal(esr(), APIC_ESR_ILLEGAL_REG);
	}
	/* a self IPI through the xAPIC SELF IPI slot sent nothing */
	assert_int_equal(vlapic_pending(&l), -1);
}

static void unaligned_and_out_of_page_offsets_are_refused_without_esr(void **state)
{
	static const u32 bad[] = { 0x024, 0x081, 0x0b8, 0x1000, 0xffffffff };
	u32 v;

	(void)state;
	sw_enable();
	for (u32 i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 0x1234;
		assert_int_equal(vlapic_mmio_read(&l, bad[i], &v, 0), -1);
		assert_int_equal(v, 0);
		assert_int_equal(vlapic_mmio_write(&l, bad[i], 0x20, 0), -1);
	}
	assert_int_equal(rd(APIC_TPR), 0);
	assert_int_equal(esr(), 0);
}

static void read_only_registers_ignore_writes(void **state)
{
	static const u32 ro[] = { APIC_VERSION, APIC_APR, APIC_PPR, APIC_RRD,
				  APIC_ISR, APIC_ISR + 0x70, APIC_TMR + 0x30,
				  APIC_IRR, APIC_IRR + 0x70, APIC_TMCCT };
	u32 before;

	(void)state;
	sw_enable();
	vlapic_post(&l, 0xe0);
	for (u32 i = 0; i < ARRAY_SIZE(ro); i++) {
		before = page_reg(ro[i]);
		assert_int_equal(vlapic_mmio_write(&l, ro[i], 0xffffffff, 0), -1);
		assert_int_equal(page_reg(ro[i]), before);
	}
	assert_int_equal(rd(APIC_VERSION), 0x50014);
	assert_int_equal(rd(APIC_APR), 0);
	assert_int_equal(rd(APIC_RRD), 0);
	assert_int_equal(vlapic_pending(&l), 0xe0);
	assert_int_equal(esr(), 0);	/* an existing register: no error */
}

static void eoi_register_is_write_only(void **state)
{
	u32 v = 1;

	(void)state;
	assert_int_equal(vlapic_mmio_read(&l, APIC_EOI, &v, 0), -1);
	assert_int_equal(v, 0);
	assert_int_equal(esr(), 0);
}

static void writes_keep_only_the_defined_bits(void **state)
{
	(void)state;
	wr(APIC_TPR, 0xffffffff);
	assert_int_equal(rd(APIC_TPR), 0xff);
	wr(APIC_ID, 0xffffffff);
	assert_int_equal(rd(APIC_ID), 0xff000000);
	wr(APIC_LDR, 0xffffffff);
	assert_int_equal(rd(APIC_LDR), 0xff000000);
	wr(APIC_DFR, 0);
	assert_int_equal(rd(APIC_DFR), 0x0fffffff);	/* 27:0 read as 1s */
	wr(APIC_SVR, 0xffffffff);
	assert_int_equal(rd(APIC_SVR), 0x3ff);
	wr(APIC_LVT_TIMER, 0xffffffff);
	assert_int_equal(rd(APIC_LVT_TIMER), 0x700ff);
	wr(APIC_LVT_THERMAL, 0xffffffff);
	assert_int_equal(rd(APIC_LVT_THERMAL), 0x107ff);
	wr(APIC_LVT_LINT0, 0xffffffff);	/* no remote IRR, no status */
	assert_int_equal(rd(APIC_LVT_LINT0), 0x1a7ff);
	wr(APIC_LVT_ERROR, 0xffffffff);
	assert_int_equal(rd(APIC_LVT_ERROR), 0x100ff);
	wr(APIC_TDCR, 0xffffffff);
	assert_int_equal(rd(APIC_TDCR), 0xb);
	wr(APIC_ICR_HI, 0xffffffff);
	assert_int_equal(rd(APIC_ICR_HI), 0xff000000);
	wr(APIC_ICR, 0xffffffff & ~(u32)APIC_ICR_SHORTHAND_MASK);
	assert_int_equal(rd(APIC_ICR), 0xcfff);	/* delivery status idle */
}

static void mmio_is_off_while_the_apic_is_disabled(void **state)
{
	u32 v = 1;

	(void)state;
	assert_int_equal(vlapic_set_apic_base(&l, BASE_OFF), 0);
	assert_int_equal(vlapic_mmio_read(&l, APIC_VERSION, &v, 0), -1);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_mmio_write(&l, APIC_SVR, SVR_ON, 0), -1);
	assert_int_equal(page_reg(APIC_SVR), SVR_OFF);
}

/* --- ICR ------------------------------------------------------------------ */

static void icr_self_shorthand_posts_a_fixed_vector(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_ICR, SH_SELF | 0x44);
	take(0x44);
	assert_int_equal(rd(APIC_ICR) & APIC_DELIVERY_STATUS, 0);
	wr(APIC_ICR, SH_ALL | 0x55);
	assert_int_equal(vlapic_pending(&l), 0x55);
}

static void icr_reaches_own_physical_id_and_broadcast_only(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_ICR_HI, (MY_ID + 1) << 24);
	wr(APIC_ICR, 0x51);
	assert_false(in_irr(0x51));
	wr(APIC_ICR, SH_OTHERS | 0x52);
	assert_false(in_irr(0x52));
	wr(APIC_ICR_HI, MY_ID << 24);
	wr(APIC_ICR, 0x53);
	assert_true(in_irr(0x53));
	wr(APIC_ICR_HI, 0xff000000);
	wr(APIC_ICR, 0x54);
	assert_true(in_irr(0x54));
	wr(APIC_ID, 9 << 24);		/* the software-set xAPIC ID counts */
	wr(APIC_ICR_HI, 9 << 24);
	wr(APIC_ICR, 0x55);
	assert_true(in_irr(0x55));
}

static void icr_logical_destination_matches_flat_and_cluster_ldr(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_LDR, 0x24 << 24);	/* flat: bits 2 and 5 */
	wr(APIC_ICR_HI, 0x04 << 24);
	wr(APIC_ICR, APIC_ICR_LOGICAL | 0x61);
	assert_true(in_irr(0x61));
	wr(APIC_ICR_HI, 0x08 << 24);
	wr(APIC_ICR, APIC_ICR_LOGICAL | 0x62);
	assert_false(in_irr(0x62));
	wr(APIC_DFR, APIC_DFR_CLUSTER << 28);	/* cluster 2, member bit 2 */
	wr(APIC_ICR_HI, 0x26 << 24);
	wr(APIC_ICR, APIC_ICR_LOGICAL | 0x63);
	assert_true(in_irr(0x63));
	wr(APIC_ICR_HI, 0x34 << 24);		/* other cluster */
	wr(APIC_ICR, APIC_ICR_LOGICAL | 0x64);
	assert_false(in_irr(0x64));
	wr(APIC_DFR, 0x5U << 28);		/* an undefined model */
	wr(APIC_ICR_HI, 0x26 << 24);
	wr(APIC_ICR, APIC_ICR_LOGICAL | 0x65);
	assert_false(in_irr(0x65));
}

static void icr_non_fixed_delivery_modes_are_ignored(void **state)
{
	static const u32 modes[] = { APIC_DM_SMI, APIC_DM_NMI, APIC_DM_INIT,
				     APIC_DM_STARTUP, APIC_DM_EXTINT };

	(void)state;
	sw_enable();
	for (u32 i = 0; i < ARRAY_SIZE(modes); i++)
		wr(APIC_ICR, SH_SELF | DM(modes[i]) | 0x70);
	assert_false(in_irr(0x70));
	wr(APIC_ICR, SH_SELF | DM(APIC_DM_LOWEST) | 0x71);	/* invalid */
	assert_false(in_irr(0x71));
	wr(APIC_ICR_HI, MY_ID << 24);
	wr(APIC_ICR, DM(APIC_DM_LOWEST) | 0x72);	/* the only APIC */
	assert_true(in_irr(0x72));
}

static void icr_with_an_illegal_vector_latches_send_illegal(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_ICR, SH_SELF | 0x0f);
	assert_false(in_irr(0x0f));
	assert_int_equal(esr(), APIC_ESR_SEND_ILLEGAL);
}

/* --- x2APIC MSRs ------------------------------------------------------------ */

static void x2apic_msr_range_is_0x800_to_0x8ff(void **state)
{
	(void)state;
	assert_false(vlapic_is_x2apic_msr(0x7ff));
	assert_true(vlapic_is_x2apic_msr(0x800));
	assert_true(vlapic_is_x2apic_msr(0x8ff));
	assert_false(vlapic_is_x2apic_msr(0x900));
	assert_false(vlapic_is_x2apic_msr(MSR_IA32_APIC_BASE));
}

static void x2apic_msrs_are_the_page_registers_at_msr_offset_times_16(void **state)
{
	(void)state;
	to_x2apic();
	msr_wr(0x80f, SVR_ON);
	assert_int_equal(page_reg(APIC_SVR), SVR_ON);
	msr_wr(0x808, 0x20);
	assert_int_equal(page_reg(APIC_TPR), 0x20);
	assert_int_equal(msr_rd(0x802), MY_ID);		/* 32-bit x2APIC ID */
	assert_int_equal(msr_rd(0x803), 0x50014);
	assert_int_equal(msr_rd(0x80a), 0x20);
	msr_wr(0x832, PERIODIC | TIMER_VEC);
	assert_int_equal(page_reg(APIC_LVT_TIMER), PERIODIC | TIMER_VEC);
	msr_wr(0x83e, TDCR_DIV1);
	assert_int_equal(page_reg(APIC_TDCR), TDCR_DIV1);
	vlapic_post(&l, 0x95);
	assert_int_equal(msr_rd(0x824), 1U << (0x95 - 0x80));
	take(0x95);
	assert_int_equal(msr_rd(0x814), 1U << (0x95 - 0x80));
	msr_wr(0x80b, 0);
	assert_int_equal(msr_rd(0x814), 0);
	assert_int_equal(l.st.eoi, 1);
}

static void x2apic_icr_is_one_64_bit_msr(void **state)
{
	(void)state;
	to_x2apic();
	msr_wr(0x80f, SVR_ON);
	msr_wr(X2APIC_MSR_ICR, ((u64)MY_ID << 32) | 0x66);
	assert_int_equal(page_reg(APIC_ICR), 0x66);
	assert_int_equal(page_reg(APIC_ICR_HI), MY_ID);
	assert_int_equal(msr_rd(X2APIC_MSR_ICR), ((u64)MY_ID << 32) | 0x66);
	assert_true(in_irr(0x66));
	msr_wr(X2APIC_MSR_ICR, ((u64)(MY_ID + 0x100) << 32) | 0x67);
	assert_false(in_irr(0x67));	/* 32-bit destination compared */
	msr_wr(X2APIC_MSR_ICR, (0xffffffffULL << 32) | 0x68);
	assert_true(in_irr(0x68));
	/* logical: cluster 0 (ID 3 >> 4), member bit 3 */
	msr_wr(X2APIC_MSR_ICR, (0x0008ULL << 32) | APIC_ICR_LOGICAL | 0x69);
	assert_true(in_irr(0x69));
	msr_wr(X2APIC_MSR_ICR, (0x10008ULL << 32) | APIC_ICR_LOGICAL | 0x6a);
	assert_false(in_irr(0x6a));
	assert_int_equal(msr_rd_rc(0x831), -1);	/* no separate ICR high */
}

static void x2apic_self_ipi_posts_and_cannot_be_read(void **state)
{
	(void)state;
	to_x2apic();
	msr_wr(0x80f, SVR_ON);
	msr_wr(X2APIC_MSR_SELF_IPI, 0x55);
	take(0x55);
	assert_int_equal(msr_rd_rc(X2APIC_MSR_SELF_IPI), -1);
	assert_int_equal(vlapic_wrmsr(&l, X2APIC_MSR_SELF_IPI, 0x155, 0), -1);
	msr_wr(X2APIC_MSR_SELF_IPI, 0x05);
	msr_wr(0x828, 0);
	assert_int_equal(msr_rd(0x828), APIC_ESR_SEND_ILLEGAL);
}

static void x2apic_ldr_is_derived_from_the_id_and_read_only(void **state)
{
	(void)state;
	vlapic_init(&l, page, 0x23);
	to_x2apic();
	assert_int_equal(msr_rd(0x802), 0x23);
	assert_int_equal(msr_rd(0x80d), (0x2 << 16) | (1 << 3));
	assert_int_equal(vlapic_wrmsr(&l, 0x80d, 0, 0), -1);
	assert_int_equal(vlapic_wrmsr(&l, 0x802, 0, 0), -1);
	assert_int_equal(msr_rd(0x80d), 0x20008);
}

static void x2apic_reserved_and_read_only_msrs_raise_gp(void **state)
{
	static const u32 reserved[] = { 0x800, 0x801, 0x804, 0x807, 0x809,
					0x80c, 0x80e, 0x829, 0x82f, 0x831,
					0x83a, 0x83d, 0x840, 0x8ff };
	static const u32 read_only[] = { 0x802, 0x803, 0x80a, 0x80d, 0x810,
					 0x817, 0x818, 0x820, 0x827, 0x839 };

	(void)state;
	to_x2apic();
	for (u32 i = 0; i < ARRAY_SIZE(reserved); i++) {
		assert_int_equal(msr_rd_rc(reserved[i]), -1);
		assert_int_equal(vlapic_wrmsr(&l, reserved[i], 0, 0), -1);
	}
	for (u32 i = 0; i < ARRAY_SIZE(read_only); i++)
		assert_int_equal(vlapic_wrmsr(&l, read_only[i], 0, 0), -1);
	assert_int_equal(msr_rd_rc(0x80b), -1);		/* EOI: write-only */
	assert_int_equal(msr_rd(0x803), 0x50014);	/* nothing changed */
}

static void x2apic_nonzero_eoi_esr_and_reserved_bits_raise_gp(void **state)
{
	(void)state;
	to_x2apic();
	msr_wr(0x80f, SVR_ON);
	vlapic_post(&l, 0x40);
	take(0x40);
	assert_int_equal(vlapic_wrmsr(&l, 0x80b, 1, 0), -1);
	assert_true(in_isr(0x40));
	assert_int_equal(vlapic_wrmsr(&l, 0x828, 1, 0), -1);
	assert_int_equal(vlapic_wrmsr(&l, 0x808, 0x100, 0), -1);	/* TPR */
	assert_int_equal(vlapic_wrmsr(&l, 0x808, 1ULL << 32, 0), -1);
	assert_int_equal(vlapic_wrmsr(&l, 0x80f, SVR_ON | BIT(12), 0), -1);
	assert_int_equal(vlapic_wrmsr(&l, 0x832, BIT(8), 0), -1);	/* LVT */
	assert_int_equal(vlapic_wrmsr(&l, 0x83e, 0x4, 0), -1);	/* TDCR */
	assert_int_equal(vlapic_wrmsr(&l, X2APIC_MSR_ICR, BIT(13), 0), -1);
	assert_int_equal(page_reg(APIC_TPR), 0);
	assert_int_equal(page_reg(APIC_SVR), SVR_ON);
	/* read-only bits may be written back as read */
	msr_wr(0x835, APIC_LVT_MASKED | APIC_DELIVERY_STATUS |
		      APIC_LVT_REMOTE_IRR);
	assert_int_equal(msr_rd(0x835), APIC_LVT_MASKED);
	msr_wr(0x80b, 0);
	assert_false(in_isr(0x40));
}

static void x2apic_msrs_raise_gp_outside_x2apic_mode(void **state)
{
	u64 v = 1;

	(void)state;
	assert_int_equal(vlapic_rdmsr(&l, 0x803, &v, 0), -1);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_wrmsr(&l, 0x808, 0, 0), -1);
	assert_int_equal(vlapic_wrmsr(&l, X2APIC_MSR_SELF_IPI, 0x40, 0), -1);
}

static void mmio_is_off_in_x2apic_mode(void **state)
{
	u32 v = 1;

	(void)state;
	to_x2apic();
	assert_int_equal(vlapic_mmio_read(&l, APIC_VERSION, &v, 0), -1);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_mmio_write(&l, APIC_TPR, 0x30, 0), -1);
	assert_int_equal(vlapic_mmio_write(&l, 0x000, 0, 0), -1);
	assert_int_equal(l.st.esr_errors, 0);
	assert_int_equal(page_reg(APIC_TPR), 0);
}

/* --- IA32_APIC_BASE ---------------------------------------------------------- */

static void apic_base_mode_transitions_follow_the_sdm(void **state)
{
	(void)state;
	to_x2apic();					/* xAPIC -> x2APIC */
	assert_true(l.x2apic);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC), -1);
	assert_true(l.x2apic);
	assert_int_equal(l.apic_base, BASE_X2APIC);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_OFF), 0);
	assert_false(l.x2apic);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_X2APIC), -1);
	assert_int_equal(l.apic_base, BASE_OFF);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC), 0);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC), 0);	/* same */
	assert_int_equal(vlapic_set_apic_base(&l, BASE_OFF), 0);	/* xAPIC -> off */
	assert_int_equal(l.apic_base, BASE_OFF);
}

static void apic_base_invalid_state_and_reserved_bits_raise_gp(void **state)
{
	(void)state;
	assert_int_equal(vlapic_set_apic_base(&l, BASE_OFF | APIC_BASE_EXTD), -1);
	for (u32 b = 0; b < 8; b++)
		assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC | BIT(b)), -1);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC | BIT(9)), -1);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC | BIT(52)), -1);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC | BIT(63)), -1);
	assert_int_equal(l.apic_base, BASE_XAPIC);
	l.phys_bits = 39;
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC | BIT(39)), -1);
	/* relocation within MAXPHYADDR; the BSP flag is writable */
	assert_int_equal(vlapic_set_apic_base(&l, BIT(38) | APIC_BASE_EN), 0);
	assert_int_equal(l.apic_base, BIT(38) | APIC_BASE_EN);
}

static void disabling_the_apic_resets_it_to_power_on_state(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_TPR, 0x20);
	wr(APIC_LDR, 0x01000000);
	wr(APIC_LVT_TIMER, PERIODIC | TIMER_VEC);
	wr_at(APIC_TMICT, 1000, 50);
	vlapic_post(&l, 0x80);
	take(0x80);
	vlapic_post(&l, 0x90);
	vlapic_post(&l, 3);
	assert_int_equal(vlapic_set_apic_base(&l, BASE_OFF), 0);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_post(&l, 0x91);				/* nobody home */
	assert_int_equal(vlapic_set_apic_base(&l, BASE_XAPIC), 0);
	assert_int_equal(rd(APIC_SVR), 0xff);
	assert_int_equal(rd(APIC_TPR), 0);
	assert_int_equal(rd(APIC_LDR), 0);
	assert_int_equal(rd(APIC_ID), MY_ID << 24);
	assert_int_equal(rd(APIC_LVT_TIMER), APIC_LVT_MASKED);
	assert_int_equal(rd(APIC_TMICT), 0);
	assert_false(in_isr(0x80) || in_irr(0x90) || in_irr(0x91));
	assert_int_equal(esr(), 0);
}

static void entering_x2apic_keeps_state_but_replaces_id_ldr_and_icr_high(void **state)
{
	(void)state;
	sw_enable();
	wr(APIC_ID, 7 << 24);
	wr(APIC_LDR, 0x80U << 24);
	wr(APIC_ICR_HI, 0x12 << 24);
	wr(APIC_TPR, 0x20);
	vlapic_post(&l, 0x70);
	to_x2apic();
	assert_int_equal(msr_rd(0x802), MY_ID);
	assert_int_equal(msr_rd(0x80d), 1 << MY_ID);
	assert_int_equal(msr_rd(X2APIC_MSR_ICR) >> 32, 0);
	assert_int_equal(msr_rd(0x808), 0x20);
	assert_int_equal(msr_rd(0x80f), SVR_ON);
	take(0x70);
}

/* --- the timer ---------------------------------------------------------------- */

static void oneshot_fires_once_after_count_times_divisor(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV2);
	wr_at(APIC_TMICT, 1000, 500);
	assert_int_equal(vlapic_next_timer(&l), 500 + 2000);
	vlapic_tick(&l, 2499);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_tick(&l, 2500);
	take(TIMER_VEC);
	assert_int_equal(l.st.timer_fires, 1);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(rd_at(APIC_TMCCT, 2600), 0);
	assert_int_equal(rd_at(APIC_TMICT, 2600), 1000);
	vlapic_tick(&l, 100000);
	assert_int_equal(l.st.timer_fires, 1);
}

static void divide_configuration_encodings_scale_the_count(void **state)
{
	static const struct { u32 tdcr, div; } enc[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(enc); i++) {
		vlapic_init(&l, page, MY_ID);
		timer_setup(ONESHOT, enc[i].tdcr);
		wr_at(APIC_TMICT, 10, 100);
		assert_int_equal(vlapic_next_timer(&l), 100 + 10 * enc[i].div);
		assert_int_equal(rd_at(APIC_TMCCT, 100 + enc[i].div), 9);
	}
}

static void current_count_falls_one_per_divided_tick(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV4);
	wr_at(APIC_TMICT, 100, 1000);
	assert_int_equal(rd_at(APIC_TMCCT, 1000), 100);
	assert_int_equal(rd_at(APIC_TMCCT, 1003), 100);
	assert_int_equal(rd_at(APIC_TMCCT, 1004), 99);
	assert_int_equal(rd_at(APIC_TMCCT, 1200), 50);
	assert_int_equal(rd_at(APIC_TMCCT, 1399), 1);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(rd_at(APIC_TMCCT, 1400), 0);
	/* the read caught up with the expiry itself */
	assert_int_equal(vlapic_pending(&l), TIMER_VEC);
}

static void periodic_rearms_and_counts_missed_periods(void **state)
{
	(void)state;
	timer_setup(PERIODIC, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	assert_int_equal(vlapic_next_timer(&l), 100);
	vlapic_tick(&l, 100);
	assert_int_equal(vlapic_next_timer(&l), 200);
	take(TIMER_VEC);
	vlapic_tick(&l, 450);		/* 200, 300 and 400 were due */
	assert_int_equal(l.st.timer_fires, 4);
	assert_int_equal(vlapic_next_timer(&l), 500);
	assert_int_equal(l.timer_start, 400);
	assert_int_equal(rd_at(APIC_TMCCT, 450), 50);
	assert_int_equal(rd_at(APIC_TMCCT, 500), 100);	/* reloaded */
	assert_int_equal(l.st.timer_fires, 5);
	expect_eoi(TIMER_VEC);
	take(TIMER_VEC);		/* one edge in IRR for them all */
	expect_eoi(TIMER_VEC);
	assert_int_equal(vlapic_pending(&l), -1);
}

static void initial_count_0_stops_the_timer(void **state)
{
	(void)state;
	timer_setup(PERIODIC, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	wr_at(APIC_TMICT, 0, 50);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(rd_at(APIC_TMCCT, 60), 0);
	vlapic_tick(&l, 1000);
	assert_int_equal(l.st.timer_fires, 0);
}

static void writing_initial_count_restarts_the_count(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	wr_at(APIC_TMICT, 300, 80);
	assert_int_equal(vlapic_next_timer(&l), 380);
	assert_int_equal(rd_at(APIC_TMCCT, 80), 300);
	assert_int_equal(l.timer_start, 80);
}

static void masked_timer_does_not_post_but_still_counts(void **state)
{
	(void)state;
	timer_setup(PERIODIC | APIC_LVT_MASKED, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	assert_int_equal(rd_at(APIC_TMCCT, 30), 70);
	vlapic_tick(&l, 250);
	assert_int_equal(l.st.timer_fires, 2);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_false(in_irr(TIMER_VEC));
	assert_int_equal(vlapic_next_timer(&l), 300);
	assert_false(vlapic_timer_posts(&l));	/* it can wake nothing */
	wr_at(APIC_LVT_TIMER, PERIODIC | TIMER_VEC, 260);	/* unmask */
	assert_true(vlapic_timer_posts(&l));
	vlapic_tick(&l, 300);
	take(TIMER_VEC);
}

static void timer_with_an_illegal_vector_latches_receive_illegal(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV1);
	wr(APIC_LVT_TIMER, ONESHOT | 0x08);
	wr_at(APIC_TMICT, 10, 0);
	vlapic_tick(&l, 10);
	assert_int_equal(l.st.timer_fires, 1);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(esr(), APIC_ESR_RECV_ILLEGAL);
}

static void divide_change_mid_count_keeps_the_remaining_count(void **state)
{
	(void)state;
	timer_setup(PERIODIC, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	assert_int_equal(rd_at(APIC_TMCCT, 40), 60);
	wr_at(APIC_TDCR, TDCR_DIV2, 40);
	assert_int_equal(vlapic_next_timer(&l), 40 + 60 * 2);
	assert_int_equal(rd_at(APIC_TMCCT, 40), 60);
	assert_int_equal(rd_at(APIC_TMCCT, 100), 30);
	vlapic_tick(&l, 160);		/* periods are now 200 cycles */
	assert_int_equal(vlapic_next_timer(&l), 360);
	assert_int_equal(rd_at(APIC_TMCCT, 160), 100);
}

static void oneshot_to_periodic_keeps_the_running_count(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	wr_at(APIC_LVT_TIMER, PERIODIC | TIMER_VEC, 30);
	assert_int_equal(vlapic_next_timer(&l), 100);
	vlapic_tick(&l, 100);
	assert_int_equal(vlapic_next_timer(&l), 200);	/* now periodic */
	wr_at(APIC_LVT_TIMER, ONESHOT | TIMER_VEC, 150);
	vlapic_tick(&l, 200);
	assert_int_equal(vlapic_next_timer(&l), 0);	/* one-shot again */
	assert_int_equal(l.st.timer_fires, 2);
}

static void tsc_deadline_fires_at_the_deadline_and_clears_the_msr(void **state)
{
	(void)state;
	timer_setup(DEADLINE, TDCR_DIV2);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 5000, 1000), 0);
	assert_int_equal(l.tsc_deadline, 5000);
	assert_int_equal(vlapic_next_timer(&l), 5000);
	vlapic_tick(&l, 4999);
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_tick(&l, 5000);
	take(TIMER_VEC);
	assert_int_equal(l.tsc_deadline, 0);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(l.st.timer_fires, 1);
}

static void tsc_deadline_0_disarms_and_a_past_deadline_fires_at_once(void **state)
{
	(void)state;
	timer_setup(DEADLINE, TDCR_DIV2);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 5000, 1000), 0);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 0, 1000), 0);
	assert_int_equal(vlapic_next_timer(&l), 0);
	vlapic_tick(&l, 6000);
	assert_int_equal(l.st.timer_fires, 0);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 900, 1000), 0);
	assert_int_equal(l.st.timer_fires, 1);
	assert_int_equal(vlapic_pending(&l), TIMER_VEC);
	assert_int_equal(l.tsc_deadline, 0);
}

static void tsc_deadline_writes_are_ignored_in_other_modes(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV2);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 5000, 1000), 0);
	assert_int_equal(l.tsc_deadline, 0);
	assert_int_equal(vlapic_next_timer(&l), 0);
}

static void tsc_deadline_mode_ignores_initial_count_and_reads_count_0(void **state)
{
	(void)state;
	timer_setup(DEADLINE, TDCR_DIV2);
	wr_at(APIC_TMICT, 100, 0);
	assert_int_equal(rd(APIC_TMICT), 0);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 5000, 0), 0);
	assert_int_equal(rd_at(APIC_TMCCT, 10), 0);
}

static void switching_to_or_from_tsc_deadline_mode_disarms(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	wr_at(APIC_LVT_TIMER, DEADLINE | TIMER_VEC, 10);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(rd(APIC_TMICT), 0);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 500, 10), 0);
	wr_at(APIC_LVT_TIMER, PERIODIC | TIMER_VEC, 20);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(l.tsc_deadline, 0);
	vlapic_tick(&l, 1000);
	assert_int_equal(l.st.timer_fires, 0);
	/* masking without a mode change keeps the deadline armed */
	wr_at(APIC_LVT_TIMER, DEADLINE | TIMER_VEC, 30);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 500, 30), 0);
	wr_at(APIC_LVT_TIMER, DEADLINE | APIC_LVT_MASKED | TIMER_VEC, 40);
	assert_int_equal(vlapic_next_timer(&l), 500);
}

static void reserved_timer_mode_never_runs(void **state)
{
	(void)state;
	timer_setup(RESERVED_MODE, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	assert_int_equal(vlapic_next_timer(&l), 0);
	assert_int_equal(rd_at(APIC_TMCCT, 10), 0);
	assert_int_equal(vlapic_set_tsc_deadline(&l, 50, 0), 0);
	assert_int_equal(vlapic_next_timer(&l), 0);
}

static void register_writes_fire_expiries_that_were_already_due(void **state)
{
	(void)state;
	timer_setup(ONESHOT, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	/* the hypervisor has not ticked; the mask comes after the expiry */
	wr_at(APIC_LVT_TIMER, ONESHOT | APIC_LVT_MASKED | TIMER_VEC, 150);
	assert_int_equal(l.st.timer_fires, 1);
	assert_int_equal(vlapic_pending(&l), TIMER_VEC);
}

static void timer_counts_but_posts_nothing_while_software_disabled(void **state)
{
	(void)state;
	timer_setup(PERIODIC, TDCR_DIV1);
	wr_at(APIC_TMICT, 100, 0);
	wr_at(APIC_SVR, SVR_OFF, 10);
	vlapic_tick(&l, 100);
	assert_int_equal(l.st.timer_fires, 1);
	assert_false(in_irr(TIMER_VEC));
	assert_int_equal(vlapic_next_timer(&l), 200);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(power_on_state_follows_the_sdm),
		T(init_zeroes_whatever_the_page_held),
		T(higher_priority_class_is_delivered_first),
		T(within_a_class_the_higher_vector_comes_first),
		T(tpr_blocks_its_class_and_lower),
		T(isr_blocks_equal_and_lower_classes_until_eoi),
		T(eoi_clears_the_highest_isr_bit_first),
		T(eoi_with_nothing_in_service_does_nothing),
		T(ppr_is_the_higher_of_tpr_and_isr_class),
		T(posting_twice_before_delivery_delivers_once),
		T(accept_of_a_vector_not_requested_is_ignored),
		T(random_traffic_delivers_each_post_exactly_once),
		T(software_disabled_apic_holds_irr_and_delivers_it_on_reenable),
		T(power_on_apic_is_software_disabled_and_drops_posts),
		T(software_disable_masks_every_lvt_and_keeps_them_masked),
		T(illegal_vector_is_dropped_and_latches_receive_illegal),
		T(esr_errors_are_signalled_through_lvt_error),
		T(lvt_error_with_an_illegal_vector_does_not_loop),
		T(reserved_offsets_read_0_ignore_writes_and_latch_illegal_register),
		T(unaligned_and_out_of_page_offsets_are_refused_without_esr),
		T(read_only_registers_ignore_writes),
		T(eoi_register_is_write_only),
		T(writes_keep_only_the_defined_bits),
		T(mmio_is_off_while_the_apic_is_disabled),
		T(icr_self_shorthand_posts_a_fixed_vector),
		T(icr_reaches_own_physical_id_and_broadcast_only),
		T(icr_logical_destination_matches_flat_and_cluster_ldr),
		T(icr_non_fixed_delivery_modes_are_ignored),
		T(icr_with_an_illegal_vector_latches_send_illegal),
		T(x2apic_msr_range_is_0x800_to_0x8ff),
		T(x2apic_msrs_are_the_page_registers_at_msr_offset_times_16),
		T(x2apic_icr_is_one_64_bit_msr),
		T(x2apic_self_ipi_posts_and_cannot_be_read),
		T(x2apic_ldr_is_derived_from_the_id_and_read_only),
		T(x2apic_reserved_and_read_only_msrs_raise_gp),
		T(x2apic_nonzero_eoi_esr_and_reserved_bits_raise_gp),
		T(x2apic_msrs_raise_gp_outside_x2apic_mode),
		T(mmio_is_off_in_x2apic_mode),
		T(apic_base_mode_transitions_follow_the_sdm),
		T(apic_base_invalid_state_and_reserved_bits_raise_gp),
		T(disabling_the_apic_resets_it_to_power_on_state),
		T(entering_x2apic_keeps_state_but_replaces_id_ldr_and_icr_high),
		T(oneshot_fires_once_after_count_times_divisor),
		T(divide_configuration_encodings_scale_the_count),
		T(current_count_falls_one_per_divided_tick),
		T(periodic_rearms_and_counts_missed_periods),
		T(initial_count_0_stops_the_timer),
		T(writing_initial_count_restarts_the_count),
		T(masked_timer_does_not_post_but_still_counts),
		T(timer_with_an_illegal_vector_latches_receive_illegal),
		T(divide_change_mid_count_keeps_the_remaining_count),
		T(oneshot_to_periodic_keeps_the_running_count),
		T(tsc_deadline_fires_at_the_deadline_and_clears_the_msr),
		T(tsc_deadline_0_disarms_and_a_past_deadline_fires_at_once),
		T(tsc_deadline_writes_are_ignored_in_other_modes),
		T(tsc_deadline_mode_ignores_initial_count_and_reads_count_0),
		T(switching_to_or_from_tsc_deadline_mode_disarms),
		T(reserved_timer_mode_never_runs),
		T(register_writes_fire_expiries_that_were_already_due),
		T(timer_counts_but_posts_nothing_while_software_disabled),
	};

	return UNIT_RUN("vlapic", tests);
}
