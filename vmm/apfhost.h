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
/* Complete the fetches due at now (pages mapped, "ready" queued). */
void apfhost_complete(struct vcpu *v, u64 now);
/* Before an entry: deliver one queued "ready" the guest can take now -
 * #PF in #PF mode, a vector posted to the LAPIC in interrupt mode. */
void apfhost_deliver(struct vcpu *v);
/* TSC time of the next fetch completion (or a re-check of a waiting
 * "ready" event), ~0 if none. */
u64 apfhost_next_deadline(const struct vcpu *v, u64 now);
/* HLT: is a "ready" event waiting to be delivered on resume? */
bool apfhost_wakes(struct vcpu *v);
/* Is any fetch in flight? */
bool apfhost_fetching(const struct vcpu *v);
/* Slow pages in [gpa, gpa+len) already hold data (the loaded kernel):
 * their first fetch keeps it instead of writing the backing pattern. */
void apfhost_keep(struct vcpu *v, u64 gpa, u64 len);
/* The guest's APF MSRs: true if msr is one; *gp set when #GP is due. */
bool apfhost_rdmsr(struct vcpu *v, u32 msr, u64 *val, bool *gp);
bool apfhost_wrmsr(struct vcpu *v, u32 msr, u64 val, bool *gp);

#endif
