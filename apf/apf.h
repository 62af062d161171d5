/*
 * apf/apf.h - the asynchronous-page-fault protocol of one vCPU, as a pure
 * state machine (KVM ABI: apf/kvm_para.h; rules: docs/apf.md).
 *
 * It owns the guest's APF MSRs, the tokens of faults in flight, the queue
 * of "page ready" events, and the two decisions the hypervisor asks it:
 * "may this fault go asynchronous?" and "which event may be delivered on
 * this VM entry?". It touches the guest only through struct apf_ops (the
 * 64-byte shared area), so it builds for host unit tests and fuzzing.
 * Environment: VMX root, IF=0, or host tests.
 */
#ifndef APF_APF_H
#define APF_APF_H

#include "kvm_para.h"

#define APF_MAX_OUTSTANDING 64	/* KVM's ASYNC_PF_PER_VCPU */

/* The facts about the vCPU at the faulting exit or before an entry. */
struct apf_guest_state {
	bool if_set;		/* RFLAGS.IF */
	bool shadow;		/* STI or MOV-SS interrupt shadow */
	bool injecting;		/* an event is already queued for this entry */
	u32 cpl;
};

/* Guest-memory access for the shared area; false = not guest RAM. */
struct apf_ops {
	bool (*read_u32)(void *ctx, u64 gpa, u32 *val);
	bool (*write_u32)(void *ctx, u64 gpa, u32 val);
	void *ctx;
};

/* Why a fault was handled synchronously (for stats and tests). */
enum apf_sync_reason {
	APF_SYNC_NONE = 0,	/* went asynchronous */
	APF_SYNC_DISABLED,	/* APF off, or no #PF delivery mode in use */
	APF_SYNC_IF_OFF,	/* RFLAGS.IF=0 */
	APF_SYNC_SHADOW,	/* STI/MOV-SS shadow */
	APF_SYNC_INJECTING,	/* another event is being delivered */
	APF_SYNC_CPL0,		/* CPL 0 without SEND_ALWAYS */
	APF_SYNC_QUEUE_FULL,	/* APF_MAX_OUTSTANDING faults in flight */
	APF_SYNC_SLOT_BUSY,	/* flags not yet cleared by the guest */
};

enum apf_event_kind {
	APF_EV_NONE = 0,
	APF_EV_READY_PF,	/* inject #PF, CR2 = token (flags = 2 written) */
	APF_EV_READY_INT,	/* post vector (token written at offset 4) */
};

struct apf_event {
	enum apf_event_kind kind;
	u32 token;
	u8 vector;
	bool error;	/* the fetch failed (reported in ready_flags if opted in) */
};

struct apf_fault {
	u64 gfn;
	u32 token;
	bool used;
};

struct apf_stats {
	u64 not_present, ready_pf, ready_int, sync, wakeall, ack;
	u64 errors_async;	/* failures reported in ready_flags */
};

struct apf {
	struct apf_ops ops;
	bool offer_int;		/* CPUID advertises ASYNC_PF_INT */
	bool offer_errors;	/* apfvisor's error extension is advertised
				 * (set after apf_init) */
	u64 ram_size;
	u64 en;			/* MSR_KVM_ASYNC_PF_EN as accepted */
	u64 vec;		/* MSR_KVM_ASYNC_PF_INT */
	struct apf_fault faults[APF_MAX_OUTSTANDING];
	u32 nfaults;
	u32 ready[APF_MAX_OUTSTANDING + 1];	/* tokens whose page arrived */
	bool ready_err[APF_MAX_OUTSTANDING + 1];	/* ... or failed */
	u32 rhead, rcount;
	bool await_ack;		/* interrupt mode: delivered, not yet ACKed */
	u32 next_id;
	struct apf_stats st;
};

/* Reset to "APF off" for a guest with ram_size bytes of RAM. */
void apf_init(struct apf *a, const struct apf_ops *ops, bool offer_int,
	      u64 ram_size);
/* Is msr one this module emulates? */
bool apf_msr_known(u32 msr);
/* Guest WRMSR/RDMSR: 0, or -1 when the CPU would raise #GP. */
int apf_wrmsr(struct apf *a, u32 msr, u64 val);
int apf_rdmsr(const struct apf *a, u32 msr, u64 *val);

/* A guest access to slow page gfn whose fetch is just starting. Returns
 * APF_SYNC_NONE with *token set (flags = 1 written: inject #PF with error
 * code 0 and CR2 = *token), or the reason the vCPU must wait instead. */
enum apf_sync_reason apf_fault(struct apf *a, u64 gfn,
			       const struct apf_guest_state *gs, u32 *token);
/* The fetch of gfn completed: queue "ready" for its asynchronous fault. */
void apf_page_ready(struct apf *a, u64 gfn);
/* The fetch of gfn failed: queue "ready" with the error for its
 * asynchronous fault. Returns true when one was waiting (the failure then
 * reaches the guest through that event). */
bool apf_page_failed(struct apf *a, u64 gfn);
/* Has the guest opted in to error reports (EN bit 4)? */
bool apf_reports_errors(const struct apf *a);
/* Before a VM entry: if an event may be delivered now, write the shared
 * area, fill *ev and return true (the caller injects it). */
bool apf_next_event(struct apf *a, const struct apf_guest_state *gs,
		    struct apf_event *ev);
/* Number of faults whose "ready" has not been delivered yet. */
u32 apf_outstanding(const struct apf *a);

#endif
