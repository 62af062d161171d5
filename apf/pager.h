/*
 * apf/pager.h - the simulated slow backing store: which guest pages are
 * slow, the fetches in flight and when each completes, first-touch
 * contents, and eviction back to "slow" so long runs keep faulting.
 *
 * Pure module: time is whatever the caller passes as `now` (the
 * hypervisor uses the TSC, which Bochs advances once per instruction), and
 * the per-page state lives in storage the caller provides. Host-tested.
 * Environment: VMX root, IF=0, or host tests.
 */
#ifndef APF_PAGER_H
#define APF_PAGER_H

#include "../lib/types.h"

#define PAGER_MAX_FETCHES 64

struct pager_config {
	u64 slow_start, slow_end;	/* guest-physical [start, end), 4K aligned */
	u32 slow_pct;			/* percent of pages in range that are slow */
	u64 lat_min, lat_max;		/* fetch latency in TSC cycles (max 0: fixed) */
	u32 max_fetches;		/* fetches in flight at once (1..64) */
	u64 resident_max;		/* slow pages resident at once (0: no limit) */
	u64 seed;
	/* error injection (docs/apf.md, "When a fetch fails") */
	u64 fail_start, fail_end;	/* fetches of these pages always fail */
	u32 fail_pct;			/* percent of fetch attempts failing transiently */
	u32 retries;			/* transient failures retried per fetch */
};

enum pager_state {
	PAGER_NOT_SLOW = 0,	/* ordinary RAM, always mapped */
	PAGER_ABSENT,		/* slow and not mapped: an access starts a fetch */
	PAGER_FETCHING,		/* a fetch is in flight */
	PAGER_PRESENT,		/* fetched and mapped */
	PAGER_FAILED,		/* the last fetch failed; not yet reported */
};

enum pager_outcome {
	PAGER_OK,		/* the page arrived */
	PAGER_ERROR,		/* it did not: permanently, or retries ran out */
};

struct pager_fetch {
	u64 gfn;
	u64 deadline;
	u32 tries;		/* failed attempts so far */
};

struct pager {
	struct pager_config cfg;
	u64 first_gfn, npages;
	u8 *state;		/* per page: enum pager_state | PAGER_FILLED */
	u64 *fifo;		/* resident slow pages, oldest first (ring) */
	u64 fifo_head, fifo_count;
	struct pager_fetch fetch[PAGER_MAX_FETCHES];
	u32 nfetch;
	u64 rng;
	u64 fetches, evictions;
	u64 errors_injected;	/* failed fetch attempts, retried ones too */
	u64 retries;		/* attempts started again after a failure */
};

/* Bytes of storage pager_init() needs for cfg. */
u64 pager_storage_size(const struct pager_config *cfg);
/* Start with every slow page absent. storage: pager_storage_size() zeroed
 * bytes. */
void pager_init(struct pager *p, const struct pager_config *cfg, void *storage);
/* State of guest page gfn. */
enum pager_state pager_state(const struct pager *p, u64 gfn);
/* Start fetching absent page gfn at time now; returns its deadline, or 0
 * when max_fetches are already in flight (complete one first). */
u64 pager_start(struct pager *p, u64 gfn, u64 now);
/* Earliest deadline in flight, or ~0 when nothing is. */
u64 pager_next_deadline(const struct pager *p);
/* Pop one fetch due at now. PAGER_OK: *gfn is present, and *fill is true
 * on its first arrival (the caller writes its initial contents). An attempt
 * that fails transiently is retried inside (a new latency) up to
 * cfg.retries times and not returned; PAGER_ERROR: *gfn failed for good
 * and is PAGER_FAILED until pager_failure_reported(). False if none due. */
bool pager_complete(struct pager *p, u64 now, u64 *gfn, bool *fill,
		    enum pager_outcome *out);
/* The hypervisor is about to touch slow page gfn itself (the APF shared
 * area may live in one): returns true if it has never been filled - it is
 * then marked filled and the caller writes its initial contents first. */
bool pager_take_fill(struct pager *p, u64 gfn);
/* The failure of gfn reached the guest: an access may fetch it again. */
void pager_failure_reported(struct pager *p, u64 gfn);
/* If more slow pages are resident than allowed, make the oldest absent
 * again and return it in *gfn (the caller unmaps it; contents are kept,
 * as a backing store would keep them). */
bool pager_evict(struct pager *p, u64 *gfn);

#endif
