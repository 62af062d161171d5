/*
 * vmx/caps.c - VMX capability decisions: IA32_FEATURE_CONTROL handling,
 * control-word adjustment and CR0/CR4 fixed bits.
 *
 * Pure module: works on MSR values that vmx/vmx.c read; no instructions
 * here, so it is host-tested. Follows SDM Vol. 3D Appendix A, "VMX
 * Capability Reporting Facility" (A.3 "VM-Execution Controls", A.7/A.8
 * "VMX-Fixed Bits in CR0/CR4") and Vol. 3C "Enabling and Entering VMX
 * Operation" for IA32_FEATURE_CONTROL.
 * Environment: VMX root or host tests.
 */
#include "caps.h"

#define CAPS_ALLOWED1_SHIFT 32	/* allowed-1 settings in bits 63:32 */

/* Decide from IA32_FEATURE_CONTROL whether VMXON may run, after enabling
 * it ourselves if firmware left the MSR unlocked. */
enum fc_action vmx_fc_action(u64 fc)
{
	if (!(fc & FC_LOCKED))
		return FC_ENABLE;
	return (fc & FC_VMX_OUTSIDE_SMX) ? FC_OK : FC_LOCKED_OFF;
}

/* Allowed-0 (bits 31:0) lists bits that must be 1; allowed-1 (bits 63:32)
 * lists bits that may be 1. Required bits the CPU refuses go to *missing. */
u32 vmx_adjust(u64 cap, u32 wanted, u32 required, u32 *missing)
{
	u32 must_be_1 = (u32)cap;
	u32 may_be_1 = (u32)(cap >> CAPS_ALLOWED1_SHIFT);

	if (missing)
		*missing = required & ~may_be_1;
	return must_be_1 | ((wanted | required) & may_be_1);
}

/* A bit set in FIXED0 must be 1; a bit clear in FIXED1 must be 0. */
u64 vmx_fixed(u64 v, u64 fixed0, u64 fixed1)
{
	return (v | fixed0) & fixed1;
}
