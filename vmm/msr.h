/* vmm/msr.h - the guest's RDMSR/WRMSR (vmm/msr.c). VMX root, IF=0. */
#ifndef VMM_MSR_H
#define VMM_MSR_H

#include "vcpu.h"

/* Handle RDMSR / WRMSR exits: emulate a known MSR or inject #GP(0), as a
 * CPU does for an MSR it does not have. */
enum exit_action msr_handle_read(struct vcpu *v);
enum exit_action msr_handle_write(struct vcpu *v);

#endif
