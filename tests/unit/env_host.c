/*
 * tests/unit/env_host.c - lib/env.h for host unit tests: pages from
 * aligned_alloc(), counted so tests can prove every table page is freed,
 * with an optional allocation limit to drive out-of-memory paths.
 *
 * Environment: host unit tests only.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "env_host.h"

long env_host_live_pages;
long env_host_allocs;
long env_host_allocs_left = -1;

void env_host_reset(void)
{
	env_host_live_pages = 0;
	env_host_allocs = 0;
	env_host_allocs_left = -1;
}

/* A zeroed, page-aligned page, or NULL when the simulated limit is hit. */
void *env_page_alloc(void)
{
	void *p;

	if (env_host_allocs_left == 0)
		return NULL;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!p)
		return NULL;
	memset(p, 0, PAGE_SIZE);
	if (env_host_allocs_left > 0)
		env_host_allocs_left--;
	env_host_allocs++;
	env_host_live_pages++;
	return p;
}

void env_page_free(void *page)
{
	free(page);
	env_host_live_pages--;
}

/* MAP_32BIT places the mapping in the low 2 GiB on x86-64. */
void *env_host_low_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	if (p == MAP_FAILED || (uintptr_t)p + size > UINT32_MAX)
		return NULL;
	return p;
}

void env_host_low_free(void *p, size_t size)
{
	munmap(p, size);
}
