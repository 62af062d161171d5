/*
 * guest-stub/pvapf.h - the guest side of KVM's asynchronous page faults
 * (apf/kvm_para.h; shared/reference/kvm-apf-abi.md), in both deliveries
 * of "page ready":
 *   #PF mode (pre-5.8 Linux): both events are #PF, told apart by flags;
 *   interrupt mode (Linux 5.9+): "not present" is still #PF with flags 1,
 *     "page ready" is the vector in MSR_KVM_ASYNC_PF_INT, with the token
 *     at offset 4: the guest takes it, writes token 0 and ACKs.
 * plus apfvisor's error extension (vmm/abi.h): with EN bit 4 set, every
 * "ready" also carries ready_flags at offset 8, APFV_READY_ERROR when the
 * page could not be fetched. Every event is counted and logged, so the
 * tests can check what arrived, how, where, and in which order.
 *
 * Environment: guest ring 0; pvapf_handle() runs in the #PF handler and
 * the interrupt handler in its vector's, both IF=0.
 */
#ifndef GUEST_PVAPF_H
#define GUEST_PVAPF_H

#include "trap.h"
#include "../apf/kvm_para.h"
#include "../vmm/abi.h"

#define PVAPF_LOG_MAX	256

enum pvapf_via {
	PVAPF_VIA_PF = 0,	/* a #PF (flags 1 or 2) */
	PVAPF_VIA_INT,		/* "page ready" by interrupt */
};

/* One APF event as the guest took it. */
struct pvapf_event {
	u32 reason;	/* KVM_PV_REASON_PAGE_NOT_PRESENT or _PAGE_READY */
	u32 token;	/* CR2 (#PF), or offset 4 (interrupt) */
	u64 error;	/* #PF error code: 0 for both kinds */
	u64 rip, cs;	/* where it was delivered */
	bool skipped;	/* "not present" at a probe load, which was skipped */
	u8 via;		/* enum pvapf_via */
	u8 vector;	/* PVAPF_VIA_INT: the vector it came on */
	u32 ready_flags;	/* "ready": offset 8 as found (0 if not opted in) */
	bool failed;	/* "ready" reporting an error (opted in) */
	u64 tsc;	/* when it was taken */
};

struct pvapf_stats {
	u64 not_present;	/* "page not present" events */
	u64 ready;		/* "page ready" events, wake-alls included */
	u64 ready_int;		/* ... of which by interrupt */
	u64 wakeall;		/* ... of which token 0xffffffff */
	u64 errors;		/* ... of which reporting a failed fetch */
	u64 skipped;		/* probe loads skipped */
	u64 halted;		/* "not present" waited out with sti; hlt */
	u64 stale_int;		/* "ready" interrupts after APF went off (token
				 * cleared: nothing to wake) */
	u64 int_in_pf_mode;	/* "ready" interrupts posted before a switch
				 * to #PF mode, taken after it (real ones) */
};

/* Install the interrupt-mode handler on vector (before any test writes
 * MSR_KVM_ASYNC_PF_INT with it). */
void pvapf_init(u8 vector);

/* Guest-physical address of the shared area (64-byte aligned). */
u64 pvapf_area_gpa(void);
/* The area's fields, and writing them (tests only). */
u32 pvapf_flags(void);
void pvapf_set_flags(u32 flags);
u32 pvapf_token(void);
void pvapf_set_token(u32 token);
u32 pvapf_ready_flags(void);
void pvapf_set_ready_flags(u32 v);

/* #PF mode: MSR_KVM_ASYNC_PF_EN = area | ENABLED | bits; false on #GP. */
bool pvapf_enable(u64 bits);
/* Interrupt mode, as Linux 5.9+ does: MSR_KVM_ASYNC_PF_INT = vector
 * first, then EN = area | ENABLED | DELIVERY_AS_INT | bits. The vector's
 * handler is installed first. False on #GP (either write). */
bool pvapf_enable_int(u8 vector, u64 bits);
/* Write MSR_KVM_ASYNC_PF_EN = 0 (never faults under apfvisor), and
 * clear the token slot a dropped "ready" may have left. */
void pvapf_disable(void);
/* The EN bits last written successfully (0 when disabled). */
u64 pvapf_en(void);
/* MSR_KVM_ASYNC_PF_ACK = 1: "the token was taken". */
void pvapf_ack(void);
/* Tests: hold=true makes the interrupt handler take "ready" (log, EOI,
 * wake) but leave token and ready_flags as they are and not ACK, so the
 * test does the handshake itself. */
void pvapf_int_hold(bool hold);

/*
 * The #PF hook: false if flags is 0 (an ordinary #PF). Else it takes
 * token = CR2, clears flags before anything that could fault, and
 *   not present: at a probe load skips it; in a task, parks the task
 *     (sched.h); elsewhere halts with IF=1 until that token is ready;
 *   ready (#PF mode): wakes the task(s) waiting on it (0xffffffff: all),
 *     failing them if ready_flags reports an error.
 * tf may come back as another context (a task switch).
 */
bool pvapf_handle(struct trap_frame *tf);

/* At a probe load (probe.S) resume after it (RAX keeps ~0); true if tf
 * was at one. Ring 0 resumes with IF=0. For the #PF and #MC hooks. */
bool pvapf_probe_skip(struct trap_frame *tf);

/* Observers of every event as the handlers take it (soak mode keeps
 * its own books with them): not_present(token) for each "not present",
 * probe loads included; ready(token, failed, via) for each "ready",
 * wake-alls included. Either may be NULL; NULL hooks: none. Called in
 * the handler, IF=0, before the task is parked or woken. */
struct pvapf_hooks {
	void (*not_present)(u32 token);
	void (*ready)(u32 token, bool failed, u8 via);
};
void pvapf_set_hooks(const struct pvapf_hooks *h);

/* The event log: cleared by pvapf_log_reset(), PVAPF_LOG_MAX at most. */
void pvapf_log_reset(void);
unsigned pvapf_log_len(void);
const struct pvapf_event *pvapf_log_at(unsigned i);
/* Counts since boot. */
struct pvapf_stats pvapf_stats(void);

#endif
