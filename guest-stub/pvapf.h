/*
 * guest-stub/pvapf.h - the guest side of KVM's asynchronous page faults,
 * #PF delivery (apf/kvm_para.h; shared/reference/kvm-apf-abi.md): the
 * shared area, MSR_KVM_ASYNC_PF_EN, and the #PF hook that tells APF
 * events from ordinary page faults. Every event is counted and logged,
 * so the tests can check what arrived, where, and in which order.
 *
 * Environment: guest ring 0; pvapf_handle() runs in the #PF handler, IF=0.
 */
#ifndef GUEST_PVAPF_H
#define GUEST_PVAPF_H

#include "trap.h"
#include "../apf/kvm_para.h"

#define PVAPF_LOG_MAX	256

/* One APF event as the #PF hook saw it. */
struct pvapf_event {
	u32 reason;	/* KVM_PV_REASON_PAGE_NOT_PRESENT or _PAGE_READY */
	u32 token;	/* CR2 */
	u64 error;	/* #PF error code: 0 for both kinds */
	u64 rip, cs;	/* where it was delivered */
	bool skipped;	/* "not present" at a probe load, which was skipped */
};

struct pvapf_stats {
	u64 not_present;	/* "page not present" events */
	u64 ready;		/* "page ready" events, wake-alls included */
	u64 wakeall;		/* ... of which token 0xffffffff */
	u64 skipped;		/* probe loads skipped */
	u64 halted;		/* "not present" waited out with sti; hlt */
};

/* Guest-physical address of the shared area (64-byte aligned). */
u64 pvapf_area_gpa(void);
/* The area's flags ("reason"), and writing it (tests only). */
u32 pvapf_flags(void);
void pvapf_set_flags(u32 flags);
/* Write MSR_KVM_ASYNC_PF_EN = area | ENABLED | bits; false on #GP. */
bool pvapf_enable(u64 bits);
/* Write MSR_KVM_ASYNC_PF_EN = 0 (never faults under apfvisor). */
void pvapf_disable(void);

/*
 * The #PF hook: false if flags is 0 (an ordinary #PF). Else it takes
 * token = CR2, clears flags before anything that could fault, and
 *   not present: at a probe load skips it; in a task, parks the task
 *     (sched.h); elsewhere halts with IF=1 until that token is ready;
 *   ready: wakes the task(s) waiting on it (0xffffffff: all).
 * tf may come back as another context (a task switch).
 */
bool pvapf_handle(struct trap_frame *tf);

/* The event log: cleared by pvapf_log_reset(), PVAPF_LOG_MAX at most. */
void pvapf_log_reset(void);
unsigned pvapf_log_len(void);
const struct pvapf_event *pvapf_log_at(unsigned i);
/* Counts since boot. */
struct pvapf_stats pvapf_stats(void);

#endif
