/*
 * guest-stub/work.h - the APF workload: tasks that touch slow pages and
 * compute between touches, under the preemptive scheduler, and the test
 * that every parked task was woken exactly once. Its "workload" line
 * compares apf=int, apf=pf and apf=off. Also the task-level tests that
 * share its tasks: timer preemption, and a fetch that fails under one
 * task while the others go on.
 * Environment: guest ring 0, IF=0, after slow_init() and apic_init().
 */
#ifndef GUEST_WORK_H
#define GUEST_WORK_H

#include "opts.h"

/* Run the workload as cfg says (apf, tasks, pages, work, send_always,
 * tick, apf_vec, errors), print its line and report "apf every parked
 * task woken exactly once". usable is false, with why, when the APF tests
 * cannot run at all. */
void work_test(const struct guest_config *cfg, bool usable, const char *why);

/* "lapic timer periodic preempts tasks": compute-only tasks (ring 0 and
 * 3) under the periodic timer; each must be preempted and finish. Runs
 * with or without a hypervisor (needs a LAPIC). */
void work_preempt_test(const struct guest_config *cfg);

/* Run three tasks of four fresh slow pages each and one ring-3 task that
 * touches only fail_page (whose fetches always fail), APF enabled with
 * the error opt-in, "ready" by interrupt (int_mode) or #PF: the failing
 * task, and only it, must fail; the others finish with the right
 * contents. Reports name. */
void work_fail_test(const struct guest_config *cfg, bool int_mode,
		    const char *name, u64 fail_page);

#endif
