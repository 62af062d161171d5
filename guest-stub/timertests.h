/*
 * guest-stub/timertests.h - the LAPIC timer tests: one-shot and
 * TSC-deadline expiries here, periodic preemption in work.c. They run
 * with or without a hypervisor (QEMU's own LAPIC bare), and SKIP without
 * a LAPIC. Environment: guest ring 0, IF=0, after apic_init().
 */
#ifndef GUEST_TIMERTESTS_H
#define GUEST_TIMERTESTS_H

#include "opts.h"

void timertests_run(const struct guest_config *cfg, bool apfvisor);

#endif
