/*
 * guest-stub/soak.h - soak mode (soak=N): the multitasking APF workload
 * run until the guest has taken at least N APF events ("not present" and
 * "page ready", wake-alls included), checking on the way that no event is
 * lost or duplicated and that every slow page always holds what it must.
 * Ring-0 and ring-3 workers read, check and write their own slow pages;
 * a ring-0 controller re-enables APF every soak_switch= events, switching
 * between interrupt and #PF delivery (every third time through a disable,
 * which drops the faults in flight), and every soak_fail=-th round has a
 * worker load fail_page= once, expecting exactly one error report
 * (soak.c says how each part is checked).
 *
 * Run it with a pager that keeps pages faulting, e.g. the hypervisor's
 *   latency=2000 latency_max=60000 resident=32 max_fetches=16 seed=11
 *   fail_pct=5 retries=20 fail_start=60M fail_end=61M
 * and the guest's  soak=100000 fail_page=60M  (tests/soak/soak.mk).
 *
 * Environment: guest ring 0, IF=0, after platform_init() (LAPIC, machine
 * checks, APF vector).
 */
#ifndef GUEST_SOAK_H
#define GUEST_SOAK_H

#include "opts.h"

/* Run the soak as cfg says (soak, soak_switch, soak_fail, tasks, pages,
 * tick, apf, apf_vec, errors, fail_page). Prints progress every 10000
 * events, then one "guest-stub: soak events=..." line, and reports
 * "soak: no event lost or duplicated" and "soak: every page's contents
 * right" (both SKIP when APF cannot run here). */
void soak_run(const struct guest_config *cfg, bool apfvisor);

#endif
