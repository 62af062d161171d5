/*
 * guest-stub/tests.h - the guest's tests, each reported by name
 * (report.h). Environment: guest (ring 0), after trap_init().
 */
#ifndef GUEST_TESTS_H
#define GUEST_TESTS_H

#include "opts.h"

/* Run every test as cfg says; apfvisor-specific ones SKIP when apfvisor
 * is absent. */
void tests_run(bool apfvisor, const struct guest_config *cfg);
/* Let ring 3 reach (or stop it reaching) the user code, its stacks and
 * data (.usertext, .bss.user) and the slow range. */
void tests_user_allow(bool allow);
/* "vmx instruction #UD": VMXON must raise #UD in a guest (crash=ud). */
void tests_vmx_ud(void);

#endif
