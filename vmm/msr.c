/*
 * vmm/msr.c - guest MSRs (SDM Vol. 4, "Model-Specific Registers").
 *
 * Every MSR not passed through by the MSR bitmap (vmm/vcpu.c) lands here.
 * Known ones are emulated from a table; everything else raises #GP(0),
 * as a CPU without that MSR would. One deliberate difference: writes to
 * IA32_TSC raise #GP, because the TSC is the one clock of every
 * measurement and apfvisor does not offset it (docs/abi.md).
 * Environment: VMX root, IF=0.
 */
#include "msr.h"
#include "apfhost.h"
#include "../apic/lapic.h"
#include "cpu.h"
#include "stats.h"
#include "console.h"

#define MSR_IA32_TSC		0x10
#define MSR_IA32_BIOS_SIGN_ID	0x8b
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MISC_ENABLE_FAST_STRING	BIT(0)
#define MISC_ENABLE_NO_BTS	BIT(11)
#define MISC_ENABLE_NO_PEBS	BIT(12)
#define EFER_WRITABLE		(EFER_SCE | EFER_LME | EFER_NXE)

struct msr_desc {
	u32 msr;
	/* Return false to raise #GP. */
	bool (*read)(struct vcpu *v, u64 *val);
	bool (*write)(struct vcpu *v, u64 val);
};

static bool efer_read(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = vmcs_read(GUEST_IA32_EFER);
	return true;
}

/* LMA is read-only; LME may not change while paging is on. */
static bool efer_write(struct vcpu *v, u64 val)
{
	u64 old = vmcs_read(GUEST_IA32_EFER);

	(void)v;
	if (val & ~(EFER_WRITABLE | EFER_LMA))
		return false;
	if ((vmcs_read(GUEST_CR0) & CR0_PG) && ((val ^ old) & EFER_LME))
		return false;
	vmcs_write(GUEST_IA32_EFER, (val & EFER_WRITABLE) | (old & EFER_LMA));
	return true;
}

static bool pat_read(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = vmcs_read(GUEST_IA32_PAT);
	return true;
}

/* Each of the 8 entries must be a defined memory type: 0,1,4,5,6,7. */
static bool pat_write(struct vcpu *v, u64 val)
{
	(void)v;
	for (int i = 0; i < 8; i++) {
		u8 t = (u8)(val >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	vmcs_write(GUEST_IA32_PAT, val);
	return true;
}

static bool tsc_read(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = cpu_rdtsc();
	return true;
}

/* VMX is hidden from the guest: firmware "locked it off". */
static bool feature_control_read(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = FC_LOCKED;
	return true;
}

/* Fast strings on, BTS and PEBS unavailable (docs/abi.md). */
static bool misc_enable_read(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = MISC_ENABLE_FAST_STRING | MISC_ENABLE_NO_BTS | MISC_ENABLE_NO_PEBS;
	return true;
}

static bool read_zero(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = 0;
	return true;
}

static bool write_ignored(struct vcpu *v, u64 val)
{
	(void)v, (void)val;
	return true;
}

static const struct msr_desc msrs[] = {
	{ MSR_IA32_TSC, tsc_read, NULL },
	{ MSR_IA32_FEATURE_CONTROL, feature_control_read, NULL },
	{ MSR_IA32_BIOS_SIGN_ID, read_zero, write_ignored },
	{ MSR_IA32_MISC_ENABLE, misc_enable_read, write_ignored },
	{ MSR_IA32_PAT, pat_read, pat_write },
	{ MSR_IA32_EFER, efer_read, efer_write },
};

static const struct msr_desc *msr_find(u32 msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(msrs); i++)
		if (msrs[i].msr == msr)
			return &msrs[i];
	return NULL;
}

static enum exit_action raise_gp(struct vcpu *v, u32 msr, const char *op)
{
	stat_inc(ST_MSR_GP);
	debug("msr: %s of MSR 0x%x: #GP\n", op, msr);
	vcpu_inject_exception(v, EXC_GP, true, 0);
	return EXIT_RESUME;
}

enum exit_action msr_handle_read(struct vcpu *v)
{
	u32 msr = (u32)v->regs.gpr[REG_RCX];
	const struct msr_desc *d = msr_find(msr);
	u64 val;
	bool gp = false;

	if (mce_msr_known(msr)) {
		if (mce_rdmsr(&v->mce, msr, &val))
			return raise_gp(v, msr, "read");
	} else if (apfhost_rdmsr(v, msr, &val, &gp) ||
		   lapic_rdmsr(v, msr, &val, &gp)) {
		if (gp)
			return raise_gp(v, msr, "read");
	} else if (!d || !d->read || !d->read(v, &val))
		return raise_gp(v, msr, "read");
	v->regs.gpr[REG_RAX] = (u32)val;
	v->regs.gpr[REG_RDX] = val >> 32;
	return EXIT_SKIP;
}

enum exit_action msr_handle_write(struct vcpu *v)
{
	u32 msr = (u32)v->regs.gpr[REG_RCX];
	const struct msr_desc *d = msr_find(msr);
	u64 val = (v->regs.gpr[REG_RDX] << 32) | (u32)v->regs.gpr[REG_RAX];
	bool gp = false;

	if (mce_msr_known(msr)) {
		if (mce_wrmsr(&v->mce, msr, val))
			return raise_gp(v, msr, "write");
	} else if (apfhost_wrmsr(v, msr, val, &gp) ||
		   lapic_wrmsr(v, msr, val, &gp)) {
		if (gp)
			return raise_gp(v, msr, "write");
	} else if (!d || !d->write || !d->write(v, val))
		return raise_gp(v, msr, "write");
	return EXIT_SKIP;
}
