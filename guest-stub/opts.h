/*
 * guest-stub/opts.h - the guest's command line: space-separated
 * name=value options, parsed from a table (opts.c). The loader's first
 * word, when it has no '=', is the image path (QEMU -kernel adds it) and
 * is skipped. Unknown options, bad values and an option given twice are
 * errors.
 *
 * Pure module: no hardware, no globals written; host-testable.
 */
#ifndef GUEST_OPTS_H
#define GUEST_OPTS_H

#include "../lib/types.h"

/* crash=: deliberate failures that the hypervisor must report loudly. */
enum crash_mode {
	CRASH_NONE = 0,
	CRASH_TRIPLE,		/* empty IDT + int3: triple fault */
	CRASH_TASKSWITCH,	/* hardware task switch before long mode */
	CRASH_HLT,		/* cli; hlt with nothing to wake the CPU */
	CRASH_UD,		/* only the "vmx instruction #UD" test */
	CRASH_MMIO,		/* ADD to unbacked GPA 0xc0000000: no MOV form */
	CRASH_FETCH,		/* jump to code at unbacked GPA 0xc0000000 */
	CRASH_OUTS,		/* string I/O: OUTSB to port 0x80 */
	CRASH_MCE,		/* IF=0, CR4.MCE=0: touch fail_page (fails) */
	CRASH_NOHLT,		/* LAPIC timer armed and firing, then cli; hlt */
	CRASH_MASKEDHLT,	/* periodic LAPIC timer masked, then sti; hlt */
};

/* apf=: how the workload uses asynchronous page faults. */
enum apf_mode {
	APF_MODE_OFF = 0,	/* never enable APF: every slow fault is synchronous */
	APF_MODE_PF,		/* "page ready" by #PF (flags = 2), pre-5.8 Linux */
	APF_MODE_INT,		/* "page ready" by interrupt (needs ASYNC_PF_INT) */
	APF_MODE_AUTO,		/* int where ASYNC_PF_INT is offered, else pf */
};

/* apic=: how the guest drives its local APIC. */
enum apic_want {
	APIC_WANT_X2 = 0,	/* x2APIC (MSRs) where CPUID offers it, else xAPIC */
	APIC_WANT_X,		/* xAPIC: MMIO at 0xfee00000 */
	APIC_WANT_OFF,		/* leave it alone: no timer, no interrupt mode */
};

#define OPTS_TASKS_MAX		16
#define OPTS_PAGES_MAX		1024
/* tasks= and pages= when not given: the workload's, or soak mode's
 * (more tasks and pages: more fetches in flight, more of them evicted). */
#define OPTS_TASKS_DEFAULT	4
#define OPTS_PAGES_DEFAULT	16
#define OPTS_SOAK_TASKS_DEFAULT	8
#define OPTS_SOAK_PAGES_DEFAULT	32
/* Soak mode: one ring-0 controller task beside the workers, and a cap on
 * the pages the workers own in all. */
#define OPTS_SOAK_TASKS_MAX	(OPTS_TASKS_MAX - 1)
#define OPTS_SOAK_PAGES_TOTAL	4096
#define OPTS_SOAK_SWITCH_DEFAULT 500	/* events between two re-enables */
#define OPTS_SOAK_SWITCH_MIN	10
#define OPTS_SOAK_FAIL_DEFAULT	2	/* fail_page touched every 2nd round */
#define OPTS_WORK_MAX		10000000
/* Work units between page touches: one unit costs about 20 TSC cycles
 * (Bochs: instructions), so 10000 units match the default fetch latency
 * of 200000 cycles: compute and fetches are comparable. */
#define OPTS_WORK_DEFAULT	10000
/* Timer ticks between preemptions (TSC cycles under apfvisor). */
#define OPTS_TICK_DEFAULT	50000
#define OPTS_TICK_MIN		1000
#define OPTS_TICK_MAX		1000000000

struct guest_config {
	u32 crash;		/* enum crash_mode */
	u32 apf;		/* enum apf_mode */
	u32 tasks;		/* workload tasks, 1..OPTS_TASKS_MAX */
	u32 pages;		/* slow pages each task touches */
	u32 work;		/* work units between two page touches */
	u32 send_always;	/* 1: enable APF with SEND_ALWAYS (CPL 0 too) */
	u32 apic;		/* enum apic_want */
	u32 tick;		/* LAPIC timer count per preemption; 0: none */
	u32 apf_vec;		/* interrupt-mode "page ready" vector, 32..255 */
	u32 errors;		/* 1: opt in to error reports where advertised */
	u32 fail_page;		/* guest-physical page whose fetches fail; 0: none */
	u32 soak;		/* soak mode: APF events to see (0: no soak) */
	u32 soak_switch;	/* soak: events between re-enables (switching mode) */
	u32 soak_fail;		/* soak: fail_page touched every K-th round; 0 never */
};

/* Fill c with the defaults: no crash, apf=auto, x2APIC, a tick every
 * 50000, vector 0xec, errors on, no failing page, no soak (when it runs:
 * re-enable every 500 events, fail_page every 2nd round). tasks and pages
 * are 0 here: opts_parse() makes them 4 tasks of 16 pages, or 8 of 32
 * with soak=, unless the line gives them. */
void opts_defaults(struct guest_config *c);

/* Parse line into c (which holds defaults). Numbers are decimal, or hex
 * with 0x, optionally with a K, M or G suffix (fail_page=60M). Returns 0,
 * or -1 with a message naming the offending word in err. */
int opts_parse(const char *line, struct guest_config *c, char *err,
	       size_t errlen);

#endif
