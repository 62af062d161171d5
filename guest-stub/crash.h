/*
 * guest-stub/crash.h - crash=: deliberate failures with which the
 * hypervisor's failure paths are tested (opts.h lists them).
 * Environment: guest (ring 0), after trap_init().
 */
#ifndef GUEST_CRASH_H
#define GUEST_CRASH_H

#include "opts.h"

/* Guest-physical (and, once mapped, virtual) address with no RAM behind
 * it under apfvisor: the 4th GiB starts above any guest RAM (ram= is at
 * most 3G) and holds no device. */
#define CRASH_UNBACKED_GPA	0xc0000000ull
#define CRASH_PORT_POST		0x80	/* a port apfvisor emulates */

/* Carry out c->crash (enum crash_mode). Returns only for CRASH_NONE;
 * the other modes stop the machine or end the run themselves. */
void crash_run(const struct guest_config *c, bool apfvisor);

#endif
