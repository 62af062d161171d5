/*
 * guest-stub/fixup.h - loads that may fail, and how a handler skips one
 * (the idea of Linux's exception table). fallible_load() sets its result
 * to ~0 and then loads; the address of the load and of the instruction
 * after it go into the table .fixup_table (linker.ld gathers it between
 * __fixup_start and __fixup_end). A handler that learns that the load
 * cannot complete (an APF "page ready" reporting a failed fetch, or a
 * machine check at it) calls fixup_skip(): the context resumes after the
 * load with the result still ~0. Every inlined copy of the load gets its
 * own entry, so the wrapper may be expanded anywhere, .usertext included.
 *
 * Environment: fallible_load() in any ring (it calls nothing);
 * fixup_skip() in ring 0 handlers.
 */
#ifndef GUEST_FIXUP_H
#define GUEST_FIXUP_H

#include "trap.h"

/* What a skipped fallible load leaves in its result. */
#define FIXUP_FAILED	(~0ull)

static inline __attribute__((always_inline)) u64
fallible_load(const volatile u64 *p)
{
	u64 v;

	asm volatile("movq $-1, %0\n"
		     "1:\tmovq (%1), %0\n"
		     "2:\n"
		     "\t.pushsection .fixup_table, \"a\"\n"
		     "\t.balign 8\n"
		     "\t.quad 1b, 2b\n"
		     "\t.popsection"
		     : "=&r"(v) : "r"(p) : "memory");
	return v;
}

/* If tf stops at a fallible load, move it past the load (its result
 * stays FIXUP_FAILED) and return true; else false, tf unchanged. */
bool fixup_skip(struct trap_frame *tf);

#endif
