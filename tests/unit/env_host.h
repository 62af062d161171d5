/*
 * tests/unit/env_host.h - the host stand-in for lib/env.h and the few
 * helpers every unit test shares.
 *
 * Environment: host unit tests only (gcc -DAPFV_HOSTED, ASan/UBSan,
 * cmocka). The pointer value is the "physical" address, as in the
 * hypervisor's identity map.
 */
#ifndef TESTS_UNIT_ENV_HOST_H
#define TESTS_UNIT_ENV_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/env.h"

/* Pages handed out by env_page_alloc() and not yet given back. */
extern long env_host_live_pages;
/* Successful env_page_alloc() calls since env_host_reset(). */
extern long env_host_allocs;
/* When >= 0: this many more allocations succeed, then NULL (OOM tests). */
extern long env_host_allocs_left;

/* Zero the counters and switch out-of-memory simulation off. */
void env_host_reset(void);

/* size bytes of zeroed memory below 4 GiB, for structures that hold
 * 32-bit physical addresses (Multiboot v1); freed with env_host_low_free. */
void *env_host_low_alloc(size_t size);
void env_host_low_free(void *p, size_t size);

/* Run one module's tests with TAP output (see unit.mk). */
#define UNIT_RUN(module, tests) \
	cmocka_run_group_tests_name(module, tests, NULL, NULL)

#endif
