/*
 * guest-stub/apfutil.h - what the APF test files (apftests.c: #PF
 * delivery and the MSRs; apfint.c: interrupt delivery; apferr.c: failed
 * fetches) share: their context, the event log queries, waiting with
 * IF=1, MSR probes, and starting a test from APF freshly enabled.
 *
 * Environment: guest ring 0, IF=0 except inside probes and waits.
 */
#ifndef GUEST_APFUTIL_H
#define GUEST_APFUTIL_H

#include "opts.h"
#include "pvapf.h"

#define OUTSIDE_RAM_GPA		(1ull << 40)	/* 1 TiB: beyond any test RAM */
#define QUEUE_MAX		64	/* KVM's ASYNC_PF_PER_VCPU */
/* An event already queued: apfvisor looks again every 20000 cycles. */
#define WAIT_QUEUED_CYCLES	2000000
/* How long IF=1 is kept to see that no event comes. */
#define QUIET_CYCLES		1000000
#define PROBE_SKIPPED		(~0ull)	/* a skipped probe load's value */
#define ANY_TOKEN		0	/* KVM never sends token 0 */
#define NP			KVM_PV_REASON_PAGE_NOT_PRESENT
#define READY			KVM_PV_REASON_PAGE_READY
#define WAKE_ALL		KVM_APF_WAKE_ALL_TOKEN

struct apft {
	const struct guest_config *cfg;
	bool apfvisor;
	const char *why_msr;	/* non-NULL: the MSR tests skip, saying why */
	const char *why;	/* non-NULL: the delivery tests skip */
	const char *why_int;	/* non-NULL: the interrupt-mode tests skip */
	const char *why_err;	/* non-NULL: the error tests skip */
	u64 fail_page;		/* fail_page=, checked (0 when why_err) */
};

extern u64 probe_load(const volatile u64 *p);		/* probe.S */
extern u64 probe_load_irq(const volatile u64 *p);
extern const u8 probe_insn[], probe_irq_insn[], user_touch[],
		user_probe_insn[];

/* --- the event log ---------------------------------------------------- */

/* Log entries of reason for token (ANY_TOKEN: any). */
unsigned ev_count(u32 reason, u32 token);
/* ... that came by via (enum pvapf_via). */
unsigned ev_count_via(u32 reason, u32 token, u8 via);
/* "Ready" entries reporting a failed fetch. */
unsigned ev_count_failed(void);
/* Faults sent asynchronously whose "ready" has not come yet. */
unsigned ev_outstanding(void);
/* Is log entry i a skipped "not present" at rip, delivered in ring cpl
 * with error code 0 and a real token? */
bool ev_is_async_np(unsigned i, const u8 *rip, unsigned cpl);
/* Log entry i's token, or ANY_TOKEN when there is none. */
u32 ev_token_at(unsigned i);
/* The log entry of token's first "ready", or NULL. */
const struct pvapf_event *ev_ready_of(u32 token);

/* --- waiting with IF=1 ------------------------------------------------- */

/* Keep IF=1 for up to cycles or until token's "ready" is logged; true if
 * it is. For events apfvisor has queued already (it polls for them). */
bool spin_for_ready(u32 token, u64 cycles);
/* Keep IF=1 for up to cycles or until n "ready" events are logged. */
bool spin_for_readies(unsigned n, u64 cycles);
/* Keep IF=1 for cycles: anything apfvisor would deliver arrives. */
void spin_quiet(u64 cycles);
/* Keep IF=0 for cycles (time passes, nothing is delivered). */
void spin_cli(u64 cycles);
/* Halt with IF=1 until token's "ready" is logged. Only while apfvisor
 * owes it: each HLT ends when a fetch completes or a queued event is
 * delivered (with neither, apfvisor ends the run: nothing would wake us). */
void halt_for_ready(u32 token);

/* --- MSRs --------------------------------------------------------------- */

bool wrmsr_gp(u32 msr, u64 val);
bool rdmsr_gp(u32 msr);
/* True if MSR_KVM_ASYNC_PF_EN reads 0: APF stayed off. */
bool apf_still_off(void);

/* --- starting a test ----------------------------------------------------- */

/* Start from a known state: APF off, then on (#PF mode, or interrupt
 * mode on vector vec when vec != 0) with bits, and the wake-all of that
 * enabling write taken; the log is empty. False if that failed. */
bool apf_restart(u64 bits, u8 vec);

/* Report name as skipped if the delivery tests cannot run (or apf=off),
 * or if fewer than pages fresh slow pages are left. */
bool apft_need(const struct apft *t, const char *name, u64 pages);
/* Start delivery test name with APF re-enabled (apf_restart(bits, vec)):
 * false if it was skipped, or failed (reported) because APF could not be
 * enabled. vec != 0 also needs interrupt mode (why_int). */
bool apft_begin(const struct apft *t, const char *name, u64 pages, u64 bits,
		u8 vec);
/* Report name as skipped if the MSR tests cannot run. */
bool apft_need_msr(const struct apft *t, const char *name);

/* A fresh slow page, touched by a probe with IF=1 around it (ring 0: needs
 * SEND_ALWAYS): true if it went asynchronous ("not present" logged and
 * skipped); *page gets the page, *token its token. */
bool touch_async(u64 *page, u32 *token);
/* The same touch of a given page. */
bool touch_async_at(u64 page, u32 *token);

/* The test groups: interrupt delivery (apfint.c), failed fetches
 * (apferr.c). Each test reports PASS/FAIL/SKIP by its name. */
void apfint_run(const struct apft *t);
void apferr_run(const struct apft *t);

#endif
