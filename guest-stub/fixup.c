/*
 * guest-stub/fixup.c - skipping a fallible load (fixup.h).
 * Environment: guest ring 0, in exception or APF handlers (IF=0).
 */
#include "fixup.h"

struct fixup_entry {
	u64 insn, next;
};

extern const struct fixup_entry __fixup_start[], __fixup_end[];	/* linker.ld */

bool fixup_skip(struct trap_frame *tf)
{
	for (const struct fixup_entry *e = __fixup_start; e < __fixup_end; e++) {
		if (tf->rip == e->insn) {
			tf->rip = e->next;
			return true;
		}
	}
	return false;
}
