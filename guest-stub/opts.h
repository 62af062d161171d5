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

struct guest_config {
	u32 crash;		/* enum crash_mode */
};

/* Fill c with the defaults (every option off / none). */
void opts_defaults(struct guest_config *c);

/* Parse line into c (which holds defaults). Returns 0, or -1 with a
 * message naming the offending word in err. */
int opts_parse(const char *line, struct guest_config *c, char *err,
	       size_t errlen);

#endif
