/*
 * vmm/env.c - the hypervisor's side of lib/env.h: table pages for the
 * pure modules come from the physical page allocator.
 * Environment: VMX root, IF=0.
 */
#include "../lib/env.h"
#include "palloc.h"

void *env_page_alloc(void)
{
	return palloc_page();
}

void env_page_free(void *page)
{
	palloc_free(page);
}
