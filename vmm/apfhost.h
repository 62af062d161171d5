/*
 * vmm/apfhost.h - the host side of asynchronous page faults: connects EPT
 * violations on slow pages, the pager (apf/pager.c), the clock (VMX-
 * preemption timer over the TSC) and the protocol (apf/apf.c), and injects
 * what the protocol decides. Environment: VMX root, IF=0.
 */
#ifndef VMM_APFHOST_H
#define VMM_APFHOST_H

#include "vcpu.h"

/* Set up the pager from the config and unmap every slow page. */
void apfhost_init(struct vcpu *v);
/* EPT violation on guest page gfn: true if it is a slow page (handled:
 * "page not present" injected, or the vCPU held until the page came). */
bool apfhost_ept_violation(struct vcpu *v, u64 gfn);
/* Before each VM entry: complete due fetches, deliver a "ready" event the
 * guest can take now, and arm the preemption timer for the next deadline. */
void apfhost_before_entry(struct vcpu *v);
/* HLT: if a fetch or event is pending, wait for it and return true. */
bool apfhost_idle(struct vcpu *v);
/* The guest's APF MSRs: true if msr is one; *gp set when #GP is due. */
bool apfhost_rdmsr(struct vcpu *v, u32 msr, u64 *val, bool *gp);
bool apfhost_wrmsr(struct vcpu *v, u32 msr, u64 val, bool *gp);

#endif
