/*
 * guest-stub/work.h - the APF workload: tasks that touch slow pages and
 * compute between touches, and the test that every parked task was woken
 * exactly once. Its "workload" line compares apf=pf with apf=off.
 * Environment: guest ring 0, IF=0, after slow_init().
 */
#ifndef GUEST_WORK_H
#define GUEST_WORK_H

#include "opts.h"

/* Run the workload as cfg says (apf, tasks, pages, work, send_always),
 * print its line and report "apf every parked task woken exactly once".
 * usable is false, with why, when the APF tests cannot run at all. */
void work_test(const struct guest_config *cfg, bool usable, const char *why);

#endif
