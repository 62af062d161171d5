/*
 * vmm/stats.h - the counters printed in the run's final `STATS:` line.
 * Names are stable and documented in docs/stats.md: tools rely on them.
 *
 * Environment: VMX root, IF=0, single CPU (no atomics needed).
 */
#ifndef VMM_STATS_H
#define VMM_STATS_H

#include "../lib/types.h"

/* X(id, "key") - add new counters at the end of their group. */
#define STATS_LIST(X)						\
	X(EXITS, "exits")					\
	X(BOOT_CYCLES, "boot.cycles")				\
	X(IMAGE_INTACT, "vmm.image_intact")			\
	X(EPT_TRAP_HITS, "ept.trap_hits")			\
	X(INJECT_EXCEPTIONS, "inject.exceptions")		\
	X(INJECT_REINJECT, "inject.reinjected")			\
	X(IO_UNKNOWN, "io.unknown")				\
	X(MMIO_UNBACKED, "mmio.unbacked")			\
	X(MSR_GP, "msr.gp")					\
	X(HYPERCALLS, "hypercalls")				\
	X(GUEST_CONSOLE_BYTES, "guest.console_bytes")		\
	X(APF_NOT_PRESENT, "apf.not_present")			\
	X(APF_READY_PF, "apf.ready_pf")				\
	X(APF_SYNC, "apf.sync")					\
	X(APF_WAKEALL, "apf.wakeall")				\
	X(APF_INFLIGHT_HOLD, "apf.inflight_hold")		\
	X(PAGER_FETCHES, "pager.fetches")			\
	X(PAGER_EVICTIONS, "pager.evictions")			\
	X(APF_READY_INT, "apf.ready_int")			\
	X(APF_ACK, "apf.ack")					\
	X(LAPIC_INJECTED, "lapic.injected")			\
	X(LAPIC_EOI_EXITS, "lapic.eoi_exits")			\
	X(LAPIC_TIMER_FIRES, "lapic.timer_fires")		\
	X(APF_ERRORS_ASYNC, "apf.errors_async")			\
	X(APF_ERRORS_SYNC, "apf.errors_sync")			\
	X(PAGER_ERRORS_INJECTED, "pager.errors_injected")	\
	X(PAGER_RETRIES, "pager.retries")

enum stat_id {
#define STAT_ENUM(id, key) ST_##id,
	STATS_LIST(STAT_ENUM)
#undef STAT_ENUM
	ST_COUNT
};

extern u64 stats[ST_COUNT];

static inline void stat_inc(enum stat_id id) { stats[id]++; }

/* Called by stats_print() first, to copy counters kept elsewhere. */
extern void (*stats_collect_hook)(void);

/* Count one VM exit with basic reason `reason`. */
void stats_count_exit(u32 reason);
/* Print the single final `STATS:` line, with the guest's exit code (-1 if
 * the guest never reported one) and whether the run ended by panic. */
void stats_print(s64 guest_exit_code, bool panicked);

#endif
