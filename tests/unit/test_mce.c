/*
 * tests/unit/test_mce.c - vmm/mce.c: the one-bank virtual machine-check
 * architecture that reports a failed fetch as an action-required memory
 * error (SDM Vol. 3B, "Machine-Check Architecture"): the capability
 * register, the record an #MC carries, the double machine check, and what
 * the guest's handler may write. Host unit test.
 */
#include "env_host.h"
#include "../../vmm/mce.h"

#define GPA		0x12345000ULL
#define GPA2		0x6789a000ULL
#define MCG_CTL		0x17b	/* needs MCG_CTL_P, not offered */
#define MC1_CTL		0x404	/* bank 1: there is only bank 0 */
#define MC0_CTL2	0x280	/* needs MCG_CMCI_P, not offered */
#define SRAR_STATUS	(MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | \
			 MCI_STATUS_MISCV | MCI_STATUS_ADDRV | MCI_STATUS_S | \
			 MCI_STATUS_AR | MCI_MCACOD_DATA_LOAD)
#define MCG_STATUS_ALL	(MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP)

static struct mce mce;

static int setup(void **state)
{
	(void)state;
	mce_init(&mce);
	return 0;
}

static u64 rd(u32 msr)
{
	u64 v = 0xdeadbeef;

	assert_int_equal(mce_rdmsr(&mce, msr, &v), 0);
	return v;
}

/* --- registers after reset ------------------------------------------- */

static void mcg_cap_reports_one_bank_with_ser_p(void **state)
{
	u64 cap;

	(void)state;
	cap = rd(MSR_IA32_MCG_CAP);
	assert_int_equal(cap & MCG_CAP_COUNT_MASK, 1);
	assert_true(cap & MCG_SER_P);
	assert_int_equal(cap, 1 | MCG_SER_P);	/* no MCG_CTL_P, CMCI, LMCE */
}

static void mcg_cap_is_read_only(void **state)
{
	(void)state;
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MCG_CAP, 1 | MCG_SER_P), -1);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MCG_CAP, 0), -1);
	assert_int_equal(rd(MSR_IA32_MCG_CAP), 1 | MCG_SER_P);
}

static void reset_has_bank_enabled_and_nothing_recorded(void **state)
{
	(void)state;
	assert_int_equal(rd(MSR_IA32_MC0_CTL), ~0ULL);
	assert_int_equal(rd(MSR_IA32_MC0_STATUS), 0);
	assert_int_equal(rd(MSR_IA32_MC0_ADDR), 0);
	assert_int_equal(rd(MSR_IA32_MC0_MISC), 0);
	assert_int_equal(rd(MSR_IA32_MCG_STATUS), 0);
	assert_int_equal(mce.raised, 0);
}

/* --- recording an error ---------------------------------------------- */

static void record_sets_an_srar_data_load_error_at_gpa(void **state)
{
	u64 status;

	(void)state;
	assert_true(mce_record(&mce, GPA));
	status = rd(MSR_IA32_MC0_STATUS);
	assert_int_equal(status, SRAR_STATUS);
	assert_int_equal(status & 0xffff, 0x134);
	assert_false(status & (MCI_STATUS_OVER | MCI_STATUS_PCC));
	assert_int_equal(rd(MSR_IA32_MC0_ADDR), GPA);
	/* address mode physical (MISC[8:6] = 2), valid to the page (LSB 12) */
	assert_int_equal(rd(MSR_IA32_MC0_MISC), (2ULL << 6) | 12);
	assert_int_equal(mce.raised, 1);
}

static void record_sets_eipv_and_mcip_without_ripv(void **state)
{
	(void)state;
	assert_true(mce_record(&mce, GPA));
	assert_int_equal(rd(MSR_IA32_MCG_STATUS),
			 MCG_STATUS_EIPV | MCG_STATUS_MCIP);
	assert_false(rd(MSR_IA32_MCG_STATUS) & MCG_STATUS_RIPV);
}

static void second_record_while_mcip_set_fails_and_keeps_the_first(void **state)
{
	(void)state;
	assert_true(mce_record(&mce, GPA));
	assert_false(mce_record(&mce, GPA2));	/* the CPU would shut down */
	assert_int_equal(rd(MSR_IA32_MC0_ADDR), GPA);
	assert_int_equal(rd(MSR_IA32_MC0_STATUS), SRAR_STATUS);
	assert_int_equal(rd(MSR_IA32_MCG_STATUS),
			 MCG_STATUS_EIPV | MCG_STATUS_MCIP);
	assert_int_equal(mce.raised, 1);
}

/* Linux's handler clears the bank, then MCG_STATUS; the next error is
 * then a fresh machine check. */
static void record_after_the_handler_clears_mcip_succeeds(void **state)
{
	(void)state;
	assert_true(mce_record(&mce, GPA));
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_STATUS, 0), 0);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MCG_STATUS, 0), 0);
	assert_true(mce_record(&mce, GPA2));
	assert_int_equal(rd(MSR_IA32_MC0_ADDR), GPA2);
	assert_int_equal(rd(MSR_IA32_MC0_STATUS), SRAR_STATUS);
	assert_int_equal(mce.raised, 2);
}

/* --- what the guest may write ---------------------------------------- */

static void writing_0_clears_status_addr_and_misc(void **state)
{
	(void)state;
	assert_true(mce_record(&mce, GPA));
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_STATUS, 0), 0);
	assert_int_equal(rd(MSR_IA32_MC0_STATUS), 0);
	assert_int_equal(rd(MSR_IA32_MC0_ADDR), GPA);	/* one at a time */
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_ADDR, 0), 0);
	assert_int_equal(rd(MSR_IA32_MC0_ADDR), 0);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_MISC, 0), 0);
	assert_int_equal(rd(MSR_IA32_MC0_MISC), 0);
}

static void writing_non_zero_to_status_addr_or_misc_is_gp(void **state)
{
	(void)state;
	assert_true(mce_record(&mce, GPA));
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_STATUS, 1), -1);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_STATUS, SRAR_STATUS), -1);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_ADDR, GPA2), -1);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_MISC, BIT(63)), -1);
	assert_int_equal(rd(MSR_IA32_MC0_STATUS), SRAR_STATUS);
	assert_int_equal(rd(MSR_IA32_MC0_ADDR), GPA);
	assert_int_equal(rd(MSR_IA32_MC0_MISC), MCI_MISC_ADDR_PHYS |
						MCI_MISC_LSB_PAGE);
}

static void mcg_status_accepts_only_bits_2_to_0(void **state)
{
	(void)state;
	for (u64 v = 0; v <= MCG_STATUS_ALL; v++) {
		assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MCG_STATUS, v), 0);
		assert_int_equal(rd(MSR_IA32_MCG_STATUS), v);
	}
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MCG_STATUS, BIT(3)), -1);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MCG_STATUS,
				   BIT(63) | MCG_STATUS_MCIP), -1);
	assert_int_equal(rd(MSR_IA32_MCG_STATUS), MCG_STATUS_ALL);
}

static void mc0_ctl_reads_back_what_was_written(void **state)
{
	(void)state;
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_CTL, 0), 0);
	assert_int_equal(rd(MSR_IA32_MC0_CTL), 0);
	assert_int_equal(mce_wrmsr(&mce, MSR_IA32_MC0_CTL, ~0ULL), 0);
	assert_int_equal(rd(MSR_IA32_MC0_CTL), ~0ULL);
}

/* --- which MSRs ------------------------------------------------------ */

static void unknown_msrs_are_gp(void **state)
{
	static const u32 unknown[] = { MCG_CTL, MC1_CTL, MC0_CTL2, 0x178,
				       0x3ff, 0 };
	u64 v = 7;

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(unknown); i++) {
		assert_int_equal(mce_rdmsr(&mce, unknown[i], &v), -1);
		assert_int_equal(mce_wrmsr(&mce, unknown[i], 0), -1);
	}
	assert_int_equal(v, 7);
}

static void msr_known_is_mcg_cap_status_and_bank_0(void **state)
{
	(void)state;
	assert_true(mce_msr_known(MSR_IA32_MCG_CAP));
	assert_true(mce_msr_known(MSR_IA32_MCG_STATUS));
	for (u32 m = MSR_IA32_MC0_CTL; m <= MSR_IA32_MC0_MISC; m++)
		assert_true(mce_msr_known(m));
	assert_false(mce_msr_known(0x178));
	assert_false(mce_msr_known(MCG_CTL));
	assert_false(mce_msr_known(MSR_IA32_MC0_CTL - 1));
	assert_false(mce_msr_known(MC1_CTL));
	assert_false(mce_msr_known(MC0_CTL2));
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(mcg_cap_reports_one_bank_with_ser_p),
		T(mcg_cap_is_read_only),
		T(reset_has_bank_enabled_and_nothing_recorded),
		T(record_sets_an_srar_data_load_error_at_gpa),
		T(record_sets_eipv_and_mcip_without_ripv),
		T(second_record_while_mcip_set_fails_and_keeps_the_first),
		T(record_after_the_handler_clears_mcip_succeeds),
		T(writing_0_clears_status_addr_and_misc),
		T(writing_non_zero_to_status_addr_or_misc_is_gp),
		T(mcg_status_accepts_only_bits_2_to_0),
		T(mc0_ctl_reads_back_what_was_written),
		T(unknown_msrs_are_gp),
		T(msr_known_is_mcg_cap_status_and_bank_0),
	};

	return UNIT_RUN("mce", tests);
}
