/*
 * tests/unit/test_caps.c - vmx/caps.c: IA32_FEATURE_CONTROL decisions,
 * control-word adjustment from allowed-0/allowed-1 settings, CR0/CR4
 * fixed bits (SDM Vol. 3D Appendix A). Host unit test.
 */
#include "env_host.h"
#include "../../vmx/caps.h"

/* A capability MSR from its two halves. */
#define CAP(must1, may1) (((u64)(may1) << 32) | (u32)(must1))

/* Values seen on real parts (IA32_VMX_TRUE_PINBASED_CTLS etc.). */
#define REAL_PIN_CAP		0x0000007f00000016ULL
#define REAL_CR0_FIXED0		0x80000021ULL	/* PG, NE, PE */
#define REAL_CR0_FIXED1		0xffffffffULL
#define REAL_CR4_FIXED0		0x00002000ULL	/* VMXE */
#define REAL_CR4_FIXED1		0x003727ffULL

static void unlocked_feature_control_is_enabled_by_us(void **state)
{
	(void)state;
	assert_int_equal(vmx_fc_action(0), FC_ENABLE);
	assert_int_equal(vmx_fc_action(FC_VMX_OUTSIDE_SMX), FC_ENABLE);
	assert_int_equal(vmx_fc_action(FC_VMX_IN_SMX), FC_ENABLE);
}

static void locked_with_vmx_outside_smx_is_ok(void **state)
{
	(void)state;
	assert_int_equal(vmx_fc_action(FC_LOCKED | FC_VMX_OUTSIDE_SMX), FC_OK);
	assert_int_equal(vmx_fc_action(FC_LOCKED | FC_VMX_OUTSIDE_SMX |
				       FC_VMX_IN_SMX | BIT(20)), FC_OK);
}

static void locked_without_vmx_outside_smx_means_firmware_said_no(void **state)
{
	(void)state;
	assert_int_equal(vmx_fc_action(FC_LOCKED), FC_LOCKED_OFF);
	assert_int_equal(vmx_fc_action(FC_LOCKED | FC_VMX_IN_SMX), FC_LOCKED_OFF);
}

static void adjust_sets_bits_the_cpu_requires(void **state)
{
	u32 missing = 0xdead;

	(void)state;
	assert_int_equal(vmx_adjust(CAP(0x16, 0xffffffff), 0, 0, &missing), 0x16);
	assert_int_equal(missing, 0);
}

static void adjust_keeps_wanted_bits_the_cpu_allows(void **state)
{
	(void)state;
	assert_int_equal(vmx_adjust(CAP(0, 0xf0), 0x30, 0, NULL), 0x30);
}

static void adjust_drops_wanted_bits_the_cpu_refuses_silently(void **state)
{
	u32 missing = 0xdead;

	(void)state;
	assert_int_equal(vmx_adjust(CAP(0, 0xf0), 0x0f | 0x10, 0, &missing), 0x10);
	assert_int_equal(missing, 0);
}

static void adjust_reports_required_bits_the_cpu_refuses(void **state)
{
	u32 missing = 0;
	u32 v = vmx_adjust(CAP(0x1, 0x0f), 0, 0x18, &missing);

	(void)state;
	assert_int_equal(missing, 0x10);
	assert_int_equal(v, 0x1 | 0x08);	/* the allowed required bit is set */
}

static void adjust_tolerates_a_null_missing_pointer(void **state)
{
	(void)state;
	assert_int_equal(vmx_adjust(CAP(0, 0), 0, BIT(31), NULL), 0);
}

static void adjust_uses_the_high_half_as_allowed_1_on_real_values(void **state)
{
	u32 missing;
	/* external-interrupt exiting (0), NMI exiting (3), virtual NMIs (5),
	 * preemption timer (6), posted interrupts (7, refused here) */
	u32 v = vmx_adjust(REAL_PIN_CAP, BIT(0) | BIT(3) | BIT(5) | BIT(6),
			   BIT(7), &missing);

	(void)state;
	assert_int_equal(v, 0x16 | BIT(0) | BIT(3) | BIT(5) | BIT(6));
	assert_int_equal(missing, BIT(7));
}

static void fixed_bits_are_forced_on_and_off_in_cr0(void **state)
{
	(void)state;
	assert_int_equal(vmx_fixed(0, REAL_CR0_FIXED0, REAL_CR0_FIXED1),
			 REAL_CR0_FIXED0);
	/* bits above 31 are outside FIXED1 and get cleared */
	assert_int_equal(vmx_fixed(BIT(40) | BIT(1), REAL_CR0_FIXED0,
				   REAL_CR0_FIXED1), REAL_CR0_FIXED0 | BIT(1));
}

static void fixed_bits_keep_cr4_vmxe_and_clear_unsupported_bits(void **state)
{
	(void)state;
	assert_int_equal(vmx_fixed(BIT(5) | BIT(22), REAL_CR4_FIXED0,
				   REAL_CR4_FIXED1), BIT(5) | BIT(13));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unlocked_feature_control_is_enabled_by_us),
		cmocka_unit_test(locked_with_vmx_outside_smx_is_ok),
		cmocka_unit_test(locked_without_vmx_outside_smx_means_firmware_said_no),
		cmocka_unit_test(adjust_sets_bits_the_cpu_requires),
		cmocka_unit_test(adjust_keeps_wanted_bits_the_cpu_allows),
		cmocka_unit_test(adjust_drops_wanted_bits_the_cpu_refuses_silently),
		cmocka_unit_test(adjust_reports_required_bits_the_cpu_refuses),
		cmocka_unit_test(adjust_tolerates_a_null_missing_pointer),
		cmocka_unit_test(adjust_uses_the_high_half_as_allowed_1_on_real_values),
		cmocka_unit_test(fixed_bits_are_forced_on_and_off_in_cr0),
		cmocka_unit_test(fixed_bits_keep_cr4_vmxe_and_clear_unsupported_bits),
	};

	return UNIT_RUN("caps", tests);
}
