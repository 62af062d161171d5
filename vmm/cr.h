/* vmm/cr.h - guest MOV to CR0/CR4 emulation (vmm/cr.c). VMX root, IF=0. */
#ifndef VMM_CR_H
#define VMM_CR_H

#include "vcpu.h"

/* Handle a control-register-access exit: validate and apply the write,
 * or inject #GP as the CPU would. */
enum exit_action cr_handle(struct vcpu *v);

#endif
