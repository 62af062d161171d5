/* vmm/hypercall.h - apfvisor's VMCALLs (vmm/hypercall.c, ABI in
 * vmm/abi.h). VMX root, IF=0. */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

#include "vcpu.h"

/* Handle a VMCALL exit: RAX = number, RBX/RCX/RDX = arguments, result
 * in RAX. Unknown numbers return APFV_HC_ENOSYS, as KVM does. */
enum exit_action hypercall_handle(struct vcpu *v);

#endif
