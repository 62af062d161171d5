/*
 * vmm/cr.c - MOV to CR0/CR4 when the guest touches a bit the hypervisor
 * owns (SDM Vol. 3C, "Guest/Host Masks and Read Shadows for CR0 and CR4";
 * exit qualification per "Exit Qualification for Control-Register
 * Accesses"). The guest sees its own value through the read shadow; the
 * CPU runs with the bits VMX requires.
 *
 * Environment: VMX root, IF=0, handling a CR-access exit.
 */
#include "cr.h"
#include "cpu.h"
#include "vmm.h"

#define CRQ_NUM(q)	((q) & 0xf)
#define CRQ_TYPE(q)	(((q) >> 4) & 3)
#define CRQ_GPR(q)	(((q) >> 8) & 0xf)
#define CRQ_MOV_TO_CR	0
#define CR0_RESERVED_HI	GENMASK(63, 32)

/* Track EFER.LMA and the "IA-32e mode guest" entry control through a
 * paging switch the hypervisor performs on the guest's behalf. */
static bool update_long_mode(u64 old_cr0, u64 new_cr0)
{
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	u64 entry = vmcs_read(VM_ENTRY_CONTROLS);

	if (!(old_cr0 & CR0_PG) && (new_cr0 & CR0_PG) && (efer & EFER_LME)) {
		if (!(vmcs_read(GUEST_CR4) & CR4_PAE))
			return false;
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_GUEST;
	} else if ((old_cr0 & CR0_PG) && !(new_cr0 & CR0_PG)) {
		efer &= ~EFER_LMA;
		entry &= ~(u64)ENTRY_IA32E_GUEST;
	}
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(VM_ENTRY_CONTROLS, entry);
	return true;
}

/* PAE paging outside long mode: with EPT the CPU takes the PDPTEs from
 * the VMCS on entry, so load them as MOV to CR0/CR4 would. */
static void load_pdptes(struct vcpu *v)
{
	u64 cr3 = vmcs_read(GUEST_CR3) & ~0x1fULL, hpa, perms;
	u64 *pdpte;

	if (!(vmcs_read(GUEST_CR0) & CR0_PG) ||
	    !(vmcs_read(GUEST_CR4) & CR4_PAE) ||
	    (vmcs_read(GUEST_IA32_EFER) & EFER_LMA))
		return;
	if (!ept_translate(&v->ept, cr3 & PAGE_MASK, &hpa, &perms))
		return;	/* the entry's PDPTE checks report a bad CR3 */
	pdpte = (u64 *)(uintptr_t)(hpa + (cr3 & ~PAGE_MASK));
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static bool write_cr0(struct vcpu *v, u64 val)
{
	u64 old = vmcs_read(GUEST_CR0);

	if ((val & CR0_RESERVED_HI) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	if (!update_long_mode(old, val))
		return false;
	vmcs_write(GUEST_CR0, vcpu_cr0_real(val));
	vmcs_write(CR0_READ_SHADOW, val);
	load_pdptes(v);
	return true;
}

static bool write_cr4(struct vcpu *v, u64 val)
{
	u64 reserved = ~vmx_caps.cr4_fixed1 | CR4_HIDDEN;

	if (val & reserved)
		return false;
	if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && !(val & CR4_PAE))
		return false;
	vmcs_write(GUEST_CR4, val | vmx_caps.cr4_fixed0);
	vmcs_write(CR4_READ_SHADOW, val);
	load_pdptes(v);
	return true;
}

enum exit_action cr_handle(struct vcpu *v)
{
	u64 q = v->exit_qual;
	u64 val = vcpu_gpr(v, CRQ_GPR(q));
	bool ok;

	if (CRQ_TYPE(q) != CRQ_MOV_TO_CR)
		vmm_fail("vmm: unexpected control-register access (qualification "
			 "0x%llx)", (unsigned long long)q);
	if (CRQ_NUM(q) == 0)
		ok = write_cr0(v, val);
	else if (CRQ_NUM(q) == 4)
		ok = write_cr4(v, val);
	else
		vmm_fail("vmm: unexpected MOV to CR%u", (u32)CRQ_NUM(q));
	if (!ok) {
		vcpu_inject_exception(v, EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	vmx_flush_guest_tlb();
	return EXIT_SKIP;
}
