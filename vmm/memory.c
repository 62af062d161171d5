/*
 * vmm/memory.c - the owners of guest-physical memory and the EPT
 * violations they serve.
 *
 * Guest RAM [0, ram_size) is mapped at start. A page the guest asked to
 * trap (APFV_HC_TRAP_PAGE) is unmapped; its next access exits here, is
 * counted, and the page is mapped back. Nothing else exists in the guest-
 * physical space yet: an access there ends the run with a FAIL line that
 * names the address (docs/abi.md). The hypervisor's own memory is never
 * in EPT, so no guest access can reach it.
 * Environment: VMX root, IF=0.
 */
#include "memory.h"
#include "apfhost.h"
#include "mmio.h"
#include "console.h"
#include "stats.h"
#include "vmm.h"

static int trap_find(const struct vcpu *v, u64 gpa)
{
	for (u32 i = 0; i < v->ntraps; i++)
		if (v->traps[i] == gpa)
			return (int)i;
	return -1;
}

int memory_trap_page(struct vcpu *v, u64 gpa)
{
	gpa &= PAGE_MASK;
	/* A slow page already leaves EPT on its own (the pager owns it). */
	if (gpa >= v->ram_size || v->ntraps == VCPU_MAX_TRAPS ||
	    pager_state(&v->pager, gpa >> PAGE_SHIFT) != PAGER_NOT_SLOW)
		return -1;
	if (trap_find(v, gpa) >= 0)
		return 0;
	if (ept_unmap(&v->ept, gpa, PAGE_SIZE))
		vmm_fail("ept: out of memory splitting a large page");
	vmx_invept(ept_eptp(&v->ept));
	v->traps[v->ntraps++] = gpa;
	return 0;
}

static void trap_serve(struct vcpu *v, int idx)
{
	u64 gpa = v->traps[idx];

	if (ept_map(&v->ept, gpa, v->ram_hpa + gpa, PAGE_SIZE, EPT_RWX))
		vmm_fail("ept: out of memory mapping a trapped page");
	vmx_invept(ept_eptp(&v->ept));
	v->traps[idx] = v->traps[--v->ntraps];
	stat_inc(ST_EPT_TRAP_HITS);
	debug("ept: trapped page 0x%llx accessed, mapped back\n",
	      (unsigned long long)gpa);
}

enum exit_action memory_ept_violation(struct vcpu *v)
{
	u64 gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	struct ept_violation e = ept_decode(v->exit_qual);
	int idx = trap_find(v, gpa & PAGE_MASK);

	if (idx >= 0) {
		trap_serve(v, idx);
		return EXIT_RESUME;
	}
	if (gpa < v->ram_size && apfhost_ept_violation(v, gpa >> PAGE_SHIFT))
		return EXIT_RESUME;
	if (gpa < v->ram_size)
		panic("EPT violation inside mapped guest RAM at 0x%llx",
		      (unsigned long long)gpa);
	if (e.fetch)
		vmm_fail("ept: guest fetched instructions from guest-physical "
			 "0x%llx, where there is no RAM (rip 0x%llx)",
			 (unsigned long long)gpa,
			 (unsigned long long)vmcs_read(GUEST_RIP));
	return mmio_emulate(v, gpa);
}
