/*
 * lib/env.h - the one interface through which the pure modules (EPT
 * builder, pager, APF protocol, LAPIC model, parsers) reach memory.
 *
 * The hypervisor identity-maps physical memory, so a pointer's value is its
 * physical address; host unit tests provide the same functions over
 * aligned_alloc(), where the pointer value serves as the "physical" address.
 */
#ifndef LIB_ENV_H
#define LIB_ENV_H

#include "types.h"

/* Return a zeroed, 4 KiB-aligned page, or NULL when memory is exhausted. */
void *env_page_alloc(void);
/* Give back a page obtained from env_page_alloc(). */
void env_page_free(void *page);

static inline u64 env_virt_to_phys(const void *p) { return (u64)(uintptr_t)p; }
static inline void *env_phys_to_virt(u64 pa) { return (void *)(uintptr_t)pa; }

#endif
