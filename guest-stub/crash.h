/*
 * guest-stub/crash.h - crash=: deliberate failures with which the
 * hypervisor's failure paths are tested (opts.h lists them).
 * Environment: guest (ring 0), after trap_init().
 */
#ifndef GUEST_CRASH_H
#define GUEST_CRASH_H

#include "../lib/types.h"

/* Carry out crash mode (enum crash_mode). Returns only for CRASH_NONE;
 * the other modes stop the machine or end the run themselves. */
void crash_run(u32 mode, bool apfvisor);

#endif
