/*
 * vmm/palloc.h - the physical page allocator.
 *
 * Built from the loader's memory map: RAM ranges are added, then everything
 * that must never be handed out (the image, boot modules, the loader's
 * information, the first MiB) is reserved. Pages come back zeroed.
 * Pure module (pointer value == physical address; see lib/env.h).
 * Environment: VMX root, single CPU, IF=0 - no locking.
 */
#ifndef VMM_PALLOC_H
#define VMM_PALLOC_H

#include "../lib/types.h"

#define PALLOC_MAX_RANGES 64

/* Forget all ranges. */
void palloc_reset(void);
/* Add usable RAM [base, base+len); trimmed inward to page boundaries.
 * Returns 0, or -1 when the range table is full. */
int palloc_add(u64 base, u64 len);
/* Remove [base, base+len) (widened outward to pages) from the free ranges.
 * Returns 0, or -1 when splitting would overflow the range table. */
int palloc_reserve(u64 base, u64 len);
/* One zeroed 4 KiB page, or NULL. */
void *palloc_page(void);
/* npages contiguous zeroed pages aligned to align (a power of two >= 4K),
 * or NULL. */
void *palloc_contig(u64 npages, u64 align);
/* Return one page obtained from palloc_page(). */
void palloc_free(void *page);
/* Pages still free. */
u64 palloc_free_pages(void);

#endif
