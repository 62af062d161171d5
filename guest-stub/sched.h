/*
 * guest-stub/sched.h - a small preemptive scheduler for the APF
 * workload. A task is a saved trap frame (trap.h): it runs until it calls
 * int $0x80 (SCHED_SYS_YIELD or SCHED_SYS_EXIT, number in RAX), until
 * "page not present" parks it on an APF token, or until the LAPIC timer
 * preempts it (round robin, ring 0 and ring 3 tasks alike). "Page ready"
 * for its token (or the wake-all token) makes it runnable again; a
 * "ready" reporting a failed fetch, or a machine check while it runs,
 * fails it (it never runs again; the others go on) - unless it stopped
 * at a fallible load (fixup.h), which it then resumes after. With no task
 * runnable the CPU idles in ring 0 with sti; hlt.
 *
 * Environment: guest ring 0. sched_run() from the boot context with IF=0;
 * the rest from trap_dispatch() and its hooks, IF=0. Tasks run with IF=1,
 * in ring 0 or ring 3. Only a handler entered straight from a task or the
 * idle loop (trap_depth() == 1) switches.
 */
#ifndef GUEST_SCHED_H
#define GUEST_SCHED_H

#include "trap.h"

#define SCHED_MAX_TASKS		16
#define SCHED_SYS_START		0	/* sched_run() only */
#define SCHED_SYS_YIELD		1
#define SCHED_SYS_EXIT		2

struct sched_task {
	u64 entry;		/* first instruction; RDI = arg there */
	u64 arg;
	u64 stack_top;		/* 16-byte aligned, writable by the task */
	bool user;		/* ring 3, else ring 0 */
	volatile u64 *parks;	/* where the task can read its park count */
	volatile u64 *preempts;	/* ... and its preemption count (or NULL) */
	volatile u64 *away;	/* ... and the TSC cycles it spent switched
				 * out (or NULL), added as it resumes */
};

/* Run the n tasks of t until every one has exited or failed. *parked
 * shows the number of parked tasks as it changes (tasks may read it).
 * tick: LAPIC timer count between preemptions (periodic, divide 1: TSC
 * cycles under apfvisor); 0, or no LAPIC: no preemption. */
void sched_run(const struct sched_task *t, unsigned n, volatile u32 *parked,
	       u32 tick);

/* int $0x80 while sched_run() runs: yield, exit, start. False when the
 * scheduler is not running (the caller handles the trap). */
bool sched_syscall(struct trap_frame *tf);

/* "Page not present" for token: park the running task and switch away,
 * or, if that token's "ready" came first, let the task retry at once.
 * False when no task is running (the caller must wait some other way). */
bool sched_park(struct trap_frame *tf, u32 token);

/* "Page ready" for token: make the task parked on it runnable (every
 * parked task for the wake-all token), or fail it when failed; a token no
 * task waits on is remembered for sched_park(). Leaves the idle context
 * for the woken task. */
void sched_wake(struct trap_frame *tf, u32 token, bool failed);

/* The running task cannot go on (a machine check): fail it and switch
 * away. False when no task is running at depth 1. */
bool sched_fail_current(struct trap_frame *tf, const char *why);

/* What happened to task i in the last sched_run(). */
struct sched_counts {
	u64 parks, wakes, preempts;
	bool parked;		/* still parked at the end (never woken) */
	bool failed;		/* failed (error "ready" or machine check) */
};
struct sched_counts sched_counts(unsigned i);

/* Over the last sched_run(): "page ready" events for tokens no task
 * waited on, and wakes by the wake-all token. A task that wake-all woke
 * before its own "ready" came sees that "ready" unmatched (it is
 * remembered), so unmatched <= wakeall_wakes in a correct run. Also
 * timer ticks, the preemptions they caused, and failed tasks. */
struct sched_totals {
	u64 unmatched, wakeall_wakes;
	u64 ticks, preemptions, failed;
};
struct sched_totals sched_totals(void);

#endif
