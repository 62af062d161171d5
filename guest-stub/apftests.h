/*
 * guest-stub/apftests.h - the APF tests: KVM's asynchronous-page-fault
 * ABI as apfvisor must serve it (#PF delivery, interrupt delivery, and
 * apfvisor's failed-fetch reports), then the workload.
 * Environment: guest ring 0, IF=0, after trap_init() and slow_init().
 */
#ifndef GUEST_APFTESTS_H
#define GUEST_APFTESTS_H

#include "opts.h"

/* Run every APF test; each SKIPs when apfvisor, its hypercalls, APF or
 * slow pages are missing, and the ones that enable APF when apf=off; the
 * interrupt-mode ones without ASYNC_PF_INT or a LAPIC; the error ones
 * without APFV_FEAT_APF_ERRORS or machine checks, and most of them
 * without fail_page=. */
void apftests_run(const struct guest_config *cfg, bool apfvisor,
		  bool hypercalls);

#endif
