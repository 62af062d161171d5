/*
 * vmm/trace.h - an event trace of the hypervisor's side of APF: a ring of
 * compact records stamped with the TSC, dumped at the end of the run when
 * `trace=N` keeps N of them (docs/trace.md lists the events).
 *
 * Cost when off: one predictable branch per event point. When on: one
 * RDTSC and a 24-byte store (BENCHMARKS.md measures it).
 * Environment: VMX root, IF=0.
 */
#ifndef VMM_TRACE_H
#define VMM_TRACE_H

#include "../lib/types.h"

/* X(id, "name") - names appear in the dump; add at the end. */
#define TRACE_EVENTS(X)						\
	X(EXIT, "exit")			/* a: basic reason, b: rip */	\
	X(FAULT, "fault")		/* a: gfn: guest touched a slow page */ \
	X(NOT_PRESENT, "not_present")	/* a: token, b: gfn */		\
	X(SYNC_HOLD, "sync_hold")	/* a: reason (apf_sync_reason), b: gfn */ \
	X(SYNC_RELEASE, "sync_release")	/* b: gfn */			\
	X(FETCH_START, "fetch_start")	/* b: gfn */			\
	X(FETCH_DONE, "fetch_done")	/* b: gfn */			\
	X(FETCH_FAIL, "fetch_fail")	/* b: gfn */			\
	X(READY, "ready")		/* a: token, b: 1 #PF, 2 vector; +4 error */ \
	X(ACK, "ack")			/* guest wrote MSR_KVM_ASYNC_PF_ACK */ \
	X(MCE, "mce")			/* b: guest-physical address */	\
	X(HALT, "halt")			/* guest HLT: the vCPU idles */	\
	X(WAKE, "wake")			/* the idle vCPU resumes */	\
	X(ENTRY, "entry")		/* just before VM entry */

enum trace_event {
#define TRACE_ENUM(id, name) TR_##id,
	TRACE_EVENTS(TRACE_ENUM)
#undef TRACE_ENUM
	TR_COUNT
};

struct trace_rec {
	u64 tsc;
	u32 event;
	u32 a;
	u64 b;
};
_Static_assert(sizeof(struct trace_rec) == 24, "compact trace record");

extern bool trace_on;

/* Allocate the ring (records: its size) and start recording. */
void trace_start(u64 records);
void trace_record(enum trace_event ev, u32 a, u64 b);
/* Record ev if tracing: the off path is one load and a branch. */
static inline void trace(enum trace_event ev, u32 a, u64 b)
{
	if (trace_on)
		trace_record(ev, a, b);
}
/* Print the ring, oldest first, as `TRACE: tsc event a b` lines (on port
 * 0xE9 where there is one: it costs the emulator nothing). */
void trace_dump(void);

#endif
