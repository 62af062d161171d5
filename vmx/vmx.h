/*
 * vmx/vmx.h - VMX operation: capability checks, VMXON, VMCS access, and
 * the guest entry primitive (SDM Vol. 3C, "Virtual Machine Extensions",
 * "VMX Instruction Reference").
 *
 * Environment: VMX root, CPL 0, IF=0, single CPU. No APF or LAPIC policy.
 */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include "caps.h"
#include "vmcs.h"

/* The capability MSRs as read at probe time. */
extern struct vmx_caps vmx_caps;

/* Guest general-purpose registers, in the SDM's register-number order (the
 * order exit qualifications and instruction-information fields use), plus
 * CR2, which the VMCS does not hold. entry.S depends on this layout. */
struct guest_regs {
	u64 gpr[16];	/* rax rcx rdx rbx rsp(unused: VMCS) rbp rsi rdi r8..r15 */
	u64 cr2;
};
enum { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI,
       REG_RDI, REG_R8 };
_Static_assert(sizeof(struct guest_regs) == 17 * 8, "entry.S layout");

/* Check CPUID, IA32_FEATURE_CONTROL and the capabilities apfvisor
 * requires (EPT with 4-level walks and WB, INVEPT, unrestricted guest,
 * EFER load/save). Reads nothing that could fault on a CPU without VMX.
 * On failure returns -1 with a line naming what is missing in why. */
int vmx_probe(char *why, size_t len);
/* Enter VMX root operation (CR0/CR4 fixed bits, CR4.VMXE, VMXON). */
int vmx_on(char *why, size_t len);

/* Make vmcs (a zeroed 4 KiB page) current: revision id, VMCLEAR, VMPTRLD. */
int vmcs_load(void *vmcs);

static inline u64 vmcs_read(u32 field)
{
	u64 v;

	asm volatile("vmread %1, %0" : "=r"(v) : "r"((u64)field) : "cc");
	return v;
}

/* VMWRITE; returns false on VMfail (read VM_INSTRUCTION_ERROR then). */
static inline bool vmcs_write_raw(u32 field, u64 v)
{
	u8 ok;

	asm volatile("vmwrite %2, %1; seta %0"
		     : "=qm"(ok) : "r"((u64)field), "r"(v) : "cc", "memory");
	return ok;
}

/* VMWRITE that panics, naming the field and the VM-instruction error. */
void vmcs_write(u32 field, u64 v);

/* Enter the guest with regs; launched selects VMRESUME over VMLAUNCH.
 * Returns 0 after a VM exit (regs updated), 1 on VMfailInvalid, 2 on
 * VMfailValid (see VM_INSTRUCTION_ERROR). */
int vmx_enter(struct guest_regs *regs, int launched);

/* INVEPT, all contexts (or single-context when that is all there is). */
void vmx_invept(u64 eptp);

/* Flush the guest's linear translations after the hypervisor changed its
 * paging state for it (INVVPID single-context when VPID is on; without
 * VPID every VM entry flushes them anyway). */
void vmx_flush_guest_tlb(void);

#endif
