/*
 * guest-stub/mbi.h - what the Multiboot v1 loader told the guest: the
 * magic, the command line, RAM and boot modules.
 * Environment: guest (ring 0); the info is read in place (identity map).
 */
#ifndef GUEST_MBI_H
#define GUEST_MBI_H

#include "../lib/types.h"

struct mem_range {
	u64 base;	/* inclusive */
	u64 end;	/* exclusive */
};

/* True if the loader's magic (EAX at entry) was the Multiboot v1 one. */
bool mbi_valid(void);
/* The loader's command line as given, or "" when there is none. */
const char *mbi_cmdline(void);
/* Fill out[0..max) with the RAM ranges of the memory map (or of
 * mem_lower/mem_upper without one); returns how many were filled. */
unsigned mbi_ram(struct mem_range *out, unsigned max);
/* True if [base, end) overlaps a boot module or the info itself. */
bool mbi_overlaps_boot_data(u64 base, u64 end);

#endif
