/*
 * vmx/caps.h - VMX capability decisions, pure (SDM Vol. 3D Appendix A,
 * "VMX Capability Reporting Facility"). The capability MSRs are read once
 * by vmx/vmx.c into struct vmx_caps; everything else is computed here so
 * it can be host-tested.
 */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include "../lib/types.h"

/* IA32_FEATURE_CONTROL (MSR 0x3a) */
#define FC_LOCKED		BIT(0)
#define FC_VMX_IN_SMX		BIT(1)
#define FC_VMX_OUTSIDE_SMX	BIT(2)

/* IA32_VMX_BASIC */
#define VMX_BASIC_REVISION_MASK	0x7fffffffULL
#define VMX_BASIC_TRUE_CTLS	BIT(55)

/* IA32_VMX_EPT_VPID_CAP */
#define VMX_EPT_WALK_4		BIT(6)
#define VMX_EPT_MT_WB		BIT(14)
#define VMX_EPT_2M		BIT(16)
#define VMX_EPT_1G		BIT(17)
#define VMX_EPT_INVEPT		BIT(20)
#define VMX_EPT_INVEPT_SINGLE	BIT(25)
#define VMX_EPT_INVEPT_ALL	BIT(26)
#define VMX_VPID_INVVPID	BIT(32)
#define VMX_VPID_INVVPID_SINGLE	BIT(41)
#define VMX_VPID_INVVPID_ALL	BIT(42)

/* Raw capability MSRs; for the four control MSRs the TRUE_* variant is
 * stored when IA32_VMX_BASIC[55] says it exists. */
struct vmx_caps {
	u64 basic;
	u64 pin, proc, proc2, exit, entry;
	u64 misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid;
};

enum fc_action {
	FC_OK,			/* locked with VMX outside SMX enabled */
	FC_ENABLE,		/* unlocked: set VMX-outside-SMX and lock */
	FC_LOCKED_OFF,		/* locked with VMX disabled: firmware says no */
};

/* What to do with IA32_FEATURE_CONTROL value fc. */
enum fc_action vmx_fc_action(u64 fc);

/* Compute a 32-bit control word from its capability MSR (allowed-0 in the
 * low half, allowed-1 in the high half): the result has every bit the CPU
 * requires, plus the wanted bits it allows. Bits in `required` that the CPU
 * cannot set are returned in *missing (0 when all are there). */
u32 vmx_adjust(u64 cap, u32 wanted, u32 required, u32 *missing);

/* Apply CR0/CR4 fixed bits: returns v with fixed0 bits set and bits not in
 * fixed1 cleared. */
u64 vmx_fixed(u64 v, u64 fixed0, u64 fixed1);

#endif
