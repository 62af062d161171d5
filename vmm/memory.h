/*
 * vmm/memory.h - guest-physical memory: which GPA belongs to whom, and
 * EPT violations handed to their owner (vmm/memory.c). VMX root, IF=0.
 */
#ifndef VMM_MEMORY_H
#define VMM_MEMORY_H

#include "vcpu.h"

/* Take the guest RAM page holding gpa out of EPT (contents kept) so its
 * next access exits. Returns 0, or -1 outside guest RAM or when the trap
 * table is full. */
int memory_trap_page(struct vcpu *v, u64 gpa);
/* Handle an EPT-violation exit. */
enum exit_action memory_ept_violation(struct vcpu *v);

#endif
