/*
 * guest-stub/tests.h - the guest's tests, each reported by name
 * (report.h). Environment: guest (ring 0), after trap_init().
 */
#ifndef GUEST_TESTS_H
#define GUEST_TESTS_H

#include "../lib/types.h"

/* Run every test; apfvisor-specific ones SKIP when apfvisor is absent. */
void tests_run(bool apfvisor);
/* "vmx instruction #UD": VMXON must raise #UD in a guest (crash=ud). */
void tests_vmx_ud(void);

#endif
