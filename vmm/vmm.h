/*
 * vmm/vmm.h - how a run ends: the guest's exit code, or a failure that
 * prints `FAIL:`, dumps what helps, prints `STATS:` and powers off.
 *
 * Environment: VMX root (or earlier in boot), IF=0, single CPU.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include "../lib/types.h"

/* End the run with a failure: `FAIL: <message>`, the dump (guest state and
 * the last exits when a guest runs), the STATS line, power-off. */
__noreturn void vmm_fail(const char *fmt, ...) __printf(1, 2);

/* A hypervisor bug or impossible state: `FAIL: vmm panic: <message>`. */
#define panic(...) vmm_panic_at(__FILE__, __LINE__, __VA_ARGS__)
__noreturn void vmm_panic_at(const char *file, int line, const char *fmt, ...)
	__printf(3, 4);

/* End the run normally with the guest's exit code (0 = success). */
__noreturn void vmm_end_run(u32 guest_exit_code);

/* Checksum the hypervisor's code and constants now; every end of the run
 * checks them again (STATS vmm.image_intact). */
void vmm_image_seal(void);

/* Set by the vCPU code so failures can dump the guest's state. */
extern void (*vmm_dump_hook)(void);

/* Power the machine off, with QEMU's isa-debug-exit code where there is
 * one (0 = success). Falls back to halting with a message. */
__noreturn void power_off(int code);

#endif
