/*
 * vmm/hypercall.c - apfvisor's hypercalls (numbers and contracts in
 * vmm/abi.h; docs/abi.md). Only CPL 0 may call them, as with KVM; outside
 * 64-bit mode the number and arguments are 32-bit (vcpu_gpr), as with KVM.
 * Environment: VMX root, IF=0.
 */
#include "hypercall.h"
#include "memory.h"
#include "stats.h"
#include "abi.h"

static u64 hc_ping(struct vcpu *v)
{
	return vcpu_gpr(v, REG_RBX) + 1;
}

static u64 hc_trap_page(struct vcpu *v)
{
	return memory_trap_page(v, vcpu_gpr(v, REG_RBX)) ? APFV_HC_EINVAL : 0;
}

static u64 hc_trap_count(struct vcpu *v)
{
	(void)v;
	return stats[ST_EPT_TRAP_HITS];
}

/* Results in RBX, RCX, RDX, RSI besides RAX (vmm/abi.h). */
static u64 hc_pager_info(struct vcpu *v)
{
	const struct pager_config *c = &v->pager.cfg;

	v->regs.gpr[REG_RBX] = c->slow_start;
	v->regs.gpr[REG_RCX] = c->slow_end;
	v->regs.gpr[REG_RDX] = c->seed;
	v->regs.gpr[REG_RSI] = c->slow_pct;
	return 0;
}

static const struct {
	u32 nr;
	u64 (*fn)(struct vcpu *v);
} hypercalls[] = {
	{ APFV_HC_PING, hc_ping },
	{ APFV_HC_TRAP_PAGE, hc_trap_page },
	{ APFV_HC_TRAP_COUNT, hc_trap_count },
	{ APFV_HC_PAGER_INFO, hc_pager_info },
};

enum exit_action hypercall_handle(struct vcpu *v)
{
	u64 nr = vcpu_gpr(v, REG_RAX);
	u64 ret = APFV_HC_ENOSYS;

	stat_inc(ST_HYPERCALLS);
	if (vcpu_cpl() != 0) {
		v->regs.gpr[REG_RAX] = APFV_HC_EPERM;
		return EXIT_SKIP;
	}
	for (size_t i = 0; i < ARRAY_SIZE(hypercalls); i++)
		if (hypercalls[i].nr == nr)
			ret = hypercalls[i].fn(v);
	v->regs.gpr[REG_RAX] = ret;
	return EXIT_SKIP;
}
