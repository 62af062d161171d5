/*
 * tests/unit/test_pcdev.c - vmm/pcdev.c: the 8259 pair (ICW sequences,
 * IMR, OCW3 reads, no interrupts), the ACPI PM timer's rate, width and
 * wrap, the TSC rate from CPUID, and the two reset ports. Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../vmm/pcdev.h"

#define HZ	2000000000ULL	/* a 2 GHz TSC */
#define T0	1000000ULL

static struct pcdev d;

static int setup(void **state)
{
	(void)state;
	pcdev_init(&d, HZ, T0);
	return 0;
}

static u8 in8(u16 port) { return (u8)pcdev_read(&d, port, 1, T0); }

static enum pcdev_action out8(u16 port, u8 v)
{
	return pcdev_write(&d, port, 1, v);
}

/* --- 8259 ------------------------------------------------------------ */

static void pics_start_with_every_line_masked(void **state)
{
	(void)state;
	assert_int_equal(in8(0x21), 0xff);
	assert_int_equal(in8(0xa1), 0xff);
}

static void imr_reads_back_what_ocw1_wrote(void **state)
{
	(void)state;
	assert_int_equal(out8(0x21, 0xfb), PCDEV_OK);
	out8(0xa1, 0x3c);
	assert_int_equal(in8(0x21), 0xfb);
	assert_int_equal(in8(0xa1), 0x3c);
}

/* Linux's init_8259A: ICW1 0x11, ICW2 vector base, ICW3 wiring, ICW4
 * 8086 mode, then OCW1 masks. */
static void the_icw_sequence_is_taken_and_clears_the_imr(void **state)
{
	(void)state;
	out8(0x20, 0x11);
	assert_int_equal(in8(0x21), 0);		/* ICW1 cleared the IMR */
	out8(0x21, 0x20);
	out8(0x21, 0x04);
	out8(0x21, 0x01);
	assert_int_equal(d.pic[0].vector_base, 0x20);
	assert_int_equal(d.pic[0].init_step, 0);
	out8(0x21, 0xff);			/* OCW1 now */
	assert_int_equal(in8(0x21), 0xff);
	out8(0xa0, 0x11);
	out8(0xa1, 0x28);
	out8(0xa1, 0x02);
	out8(0xa1, 0x01);
	out8(0xa1, 0xfe);
	assert_int_equal(d.pic[1].vector_base, 0x28);
	assert_int_equal(in8(0xa1), 0xfe);
}

static void single_pic_without_icw4_skips_icw3_and_icw4(void **state)
{
	(void)state;
	out8(0x20, 0x12);	/* SNGL, no IC4 */
	out8(0x21, 0x47);	/* ICW2: low 3 bits are not the base */
	assert_int_equal(d.pic[0].vector_base, 0x40);
	out8(0x21, 0xaa);	/* already OCW1 */
	assert_int_equal(in8(0x21), 0xaa);
}

static void command_port_reads_irr_isr_and_poll_as_zero(void **state)
{
	(void)state;
	out8(0x20, 0x0a);	/* OCW3: read IRR */
	assert_int_equal(in8(0x20), 0);
	out8(0x20, 0x0b);	/* OCW3: read ISR */
	assert_true(d.pic[0].read_isr);
	assert_int_equal(in8(0x20), 0);
	out8(0x20, 0x0c);	/* OCW3: poll */
	assert_true(d.pic[0].poll);
	assert_int_equal(in8(0x20), 0);
	assert_false(d.pic[0].poll);
	assert_int_equal(out8(0x20, 0x20), PCDEV_OK);	/* OCW2: EOI */
	assert_int_equal(in8(0x21), 0xff);
}

static void a_word_access_is_two_byte_accesses(void **state)
{
	(void)state;
	pcdev_write(&d, 0x20, 2, 0xfd0a);	/* OCW3, then OCW1 0xfd */
	assert_int_equal(pcdev_read(&d, 0x20, 2, T0), 0xfd00);
	/* bytes past the device read 0xff */
	assert_int_equal(pcdev_read(&d, 0x21, 2, T0), 0xfffd);
}

/* --- PM timer -------------------------------------------------------- */

static void pm_timer_counts_at_3_579545_mhz_of_tsc_time(void **state)
{
	(void)state;
	assert_int_equal(pcdev_pmtimer(&d, T0), 0);
	assert_int_equal(pcdev_pmtimer(&d, T0 + HZ / 1000), 3579);	/* 1 ms */
	assert_int_equal(pcdev_read(&d, PCDEV_PMTMR, 4, T0 + HZ / 10), 357954);
	/* 1 s later the 24-bit count wrapped? 3579545 < 2^24: no */
	assert_int_equal(pcdev_pmtimer(&d, T0 + HZ), 3579545);
}

static void pm_timer_is_24_bits_and_wraps(void **state)
{
	u64 wrap_tsc = ((1ULL << 24) * HZ + PCDEV_PMTMR_HZ - 1) / PCDEV_PMTMR_HZ;

	(void)state;
	assert_int_equal(pcdev_pmtimer(&d, T0 + wrap_tsc - HZ / 1000000), 16777212);
	assert_int_equal(pcdev_pmtimer(&d, T0 + wrap_tsc), 0);
	/* an hour of TSC: no overflow in the arithmetic, still 24 bits */
	assert_true(pcdev_pmtimer(&d, T0 + 3600 * HZ) <= PCDEV_PMTMR_MASK);
	assert_int_equal(pcdev_pmtimer(&d, T0 + 3600 * HZ),
			 (3600ULL * PCDEV_PMTMR_HZ) & PCDEV_PMTMR_MASK);
	/* even after years at 5 GHz */
	pcdev_init(&d, 5000000000ULL, 0);
	assert_int_equal(pcdev_pmtimer(&d, 5000000000ULL * 100000000ULL),
			 (100000000ULL * PCDEV_PMTMR_HZ) & PCDEV_PMTMR_MASK);
}

static void pm_timer_bytes_and_writes(void **state)
{
	u32 v;

	(void)state;
	v = pcdev_read(&d, PCDEV_PMTMR, 4, T0 + HZ / 3);
	assert_int_equal(v >> 24, 0);
	assert_int_equal(pcdev_read(&d, PCDEV_PMTMR + 1, 1, T0 + HZ / 3),
			 (v >> 8) & 0xff);
	assert_int_equal(pcdev_read(&d, PCDEV_PMTMR, 2, T0 + HZ / 3), v & 0xffff);
	assert_int_equal(pcdev_write(&d, PCDEV_PMTMR, 4, 0), PCDEV_OK);
	assert_int_equal(pcdev_read(&d, PCDEV_PMTMR, 4, T0 + HZ / 3), v);
}

static void pm_timer_without_a_tsc_rate_uses_the_default(void **state)
{
	(void)state;
	pcdev_init(&d, 0, 0);
	assert_int_equal(d.tsc_hz, PCDEV_TSC_HZ_DEFAULT);
	assert_int_equal(pcdev_pmtimer(&d, PCDEV_TSC_HZ_DEFAULT), PCDEV_PMTMR_HZ);
}

static void tsc_rate_comes_from_cpuid_15_then_16(void **state)
{
	struct cpuid_regs l15 = { 2, 176, 24000000, 0 };	/* 2.112 GHz */
	struct cpuid_regs l16 = { 2100, 4000, 100, 0 };
	struct cpuid_regs none = { 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(pcdev_tsc_hz(0x16, &l15, &l16), 2112000000ULL);
	l15.ecx = 0;	/* crystal not enumerated */
	assert_int_equal(pcdev_tsc_hz(0x16, &l15, &l16), 2100000000ULL);
	assert_int_equal(pcdev_tsc_hz(0x15, &l15, &l16), 0);	/* no 0x16 */
	assert_int_equal(pcdev_tsc_hz(0xd, &l15, &l16), 0);
	assert_int_equal(pcdev_tsc_hz(0x20, &none, &none), 0);
}

/* --- reset ports ----------------------------------------------------- */

static void rcr_reset_requests(void **state)
{
	(void)state;
	assert_int_equal(out8(PCDEV_RCR, 0x02), PCDEV_OK);	/* arm: hard */
	assert_int_equal(in8(PCDEV_RCR), 0x02);
	assert_int_equal(out8(PCDEV_RCR, 0x06), PCDEV_RESET);
	assert_int_equal(out8(PCDEV_RCR, 0x0e), PCDEV_RESET);
	assert_int_equal(out8(PCDEV_RCR, 0x04), PCDEV_RESET);	/* soft */
	assert_int_equal(out8(PCDEV_RCR, 0x08), PCDEV_OK);
	assert_int_equal(in8(PCDEV_RCR), 0x08);
}

static void port92_a20_always_on_and_fast_reset(void **state)
{
	(void)state;
	assert_int_equal(in8(PCDEV_PORT92), PORT92_A20);
	assert_int_equal(out8(PCDEV_PORT92, 0x00), PCDEV_OK);	/* A20 off: no */
	assert_int_equal(in8(PCDEV_PORT92), PORT92_A20);
	assert_int_equal(out8(PCDEV_PORT92, 0x02), PCDEV_OK);
	assert_int_equal(out8(PCDEV_PORT92, 0x03), PCDEV_RESET);
	/* bit 0 staying set is no new request */
	assert_int_equal(out8(PCDEV_PORT92, 0x03), PCDEV_OK);
	assert_int_equal(out8(PCDEV_PORT92, 0x02), PCDEV_OK);
	assert_int_equal(out8(PCDEV_PORT92, 0x01), PCDEV_RESET);
}

static void ownership(void **state)
{
	static const u16 mine[] = { 0x20, 0x21, 0xa0, 0xa1, 0x608, 0x609,
				    0x60a, 0x60b, 0xcf9, 0x92 };
	static const u16 not_mine[] = { 0x22, 0x9f, 0xa2, 0x604, 0x60c,
					0xcf8, 0xcfa, 0x93, 0x510 };

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(mine); i++)
		assert_true(pcdev_owns(mine[i]));
	for (u32 i = 0; i < ARRAY_SIZE(not_mine); i++)
		assert_false(pcdev_owns(not_mine[i]));
	assert_int_equal(in8(0x22), 0xff);
	assert_int_equal(out8(0x22, 0x1), PCDEV_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, NULL)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(pics_start_with_every_line_masked),
		T(imr_reads_back_what_ocw1_wrote),
		T(the_icw_sequence_is_taken_and_clears_the_imr),
		T(single_pic_without_icw4_skips_icw3_and_icw4),
		T(command_port_reads_irr_isr_and_poll_as_zero),
		T(a_word_access_is_two_byte_accesses),
		T(pm_timer_counts_at_3_579545_mhz_of_tsc_time),
		T(pm_timer_is_24_bits_and_wraps),
		T(pm_timer_bytes_and_writes),
		T(pm_timer_without_a_tsc_rate_uses_the_default),
		T(tsc_rate_comes_from_cpuid_15_then_16),
		T(rcr_reset_requests),
		T(port92_a20_always_on_and_fast_reset),
		T(ownership),
	};

	return UNIT_RUN("pcdev", tests);
}
