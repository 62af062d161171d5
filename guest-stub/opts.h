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
};

/* apf=: how the workload uses asynchronous page faults. */
enum apf_mode {
	APF_MODE_OFF = 0,	/* never enable APF: every slow fault is synchronous */
	APF_MODE_PF,		/* "page ready" by #PF (flags = 2), pre-5.8 Linux */
	APF_MODE_INT,		/* "page ready" by interrupt (needs ASYNC_PF_INT) */
};

#define OPTS_TASKS_MAX		16
#define OPTS_PAGES_MAX		1024
#define OPTS_WORK_MAX		10000000
/* Work units between page touches: one unit costs about 20 TSC cycles
 * (Bochs: instructions), so 10000 units match the default fetch latency
 * of 200000 cycles: compute and fetches are comparable. */
#define OPTS_WORK_DEFAULT	10000

struct guest_config {
	u32 crash;		/* enum crash_mode */
	u32 apf;		/* enum apf_mode */
	u32 tasks;		/* workload tasks, 1..OPTS_TASKS_MAX */
	u32 pages;		/* slow pages each task touches */
	u32 work;		/* work units between two page touches */
	u32 send_always;	/* 1: enable APF with SEND_ALWAYS (CPL 0 too) */
};

/* Fill c with the defaults: no crash, apf=pf, 4 tasks of 16 pages. */
void opts_defaults(struct guest_config *c);

/* Parse line into c (which holds defaults). Returns 0, or -1 with a
 * message naming the offending word in err. */
int opts_parse(const char *line, struct guest_config *c, char *err,
	       size_t errlen);

#endif
