/*
 * guest-stub/slow.h - apfvisor's slow pages as the guest sees them: where
 * they are (APFV_HC_PAGER_INFO), which pages of the range are slow, what
 * their words hold on the first fetch (vmm/abi.h), and fresh ones handed
 * out in address order so that every test and task faults on pages no one
 * touched before.
 *
 * Environment: guest. slow_init() and slow_take*() in ring 0; the inline
 * helpers also from ring-3 code in .usertext (they call nothing).
 */
#ifndef GUEST_SLOW_H
#define GUEST_SLOW_H

#include "cpu.h"
#include "../vmm/abi.h"

#define SLOW_PCT_ALL	100

/* Is page gpa of the slow range slow? (apf/pager.c's rule) */
static __always_inline bool slow_pick(u64 gpa, u64 seed, u64 pct)
{
	return pct >= SLOW_PCT_ALL ||
	       apfv_mix64((gpa >> PAGE_SHIFT) ^ seed) % SLOW_PCT_ALL < pct;
}

/* The second word checked on page gpa (word 0 is the first): it moves
 * around the page from one page to the next. */
static __always_inline u64 slow_check_off(u64 gpa)
{
	return 8 * (1 + (gpa >> PAGE_SHIFT) % (PAGE_SIZE / 8 - 1));
}

/* Ask apfvisor where the slow pages are (once; needs its hypercalls).
 * The range used is clipped to the guest's identity map. */
void slow_init(void);
/* True if slow_init() found slow pages. */
bool slow_present(void);
/* True if [base, end) overlaps the slow range (false without one). */
bool slow_overlaps(u64 base, u64 end);
/* The seed and percentage that decide contents and slowness. */
u64 slow_seed(void);
u64 slow_pct(void);
/* Never hand out page gpa (the run's always-failing page). */
void slow_exclude(u64 gpa);
/* Is gpa in a slow page of the range? */
bool slow_is_slow(u64 gpa);
/* Number of fresh slow pages left to take. */
u64 slow_left(void);
/* The next fresh slow page, or 0 when none is left. */
u64 slow_take(void);
/* Take the shortest span [*first, *end) that holds n fresh slow pages;
 * false (taking nothing) if too few are left. */
bool slow_take_span(u32 n, u64 *first, u64 *end);
/* What the word at gpa holds after its page's first fetch. */
u64 slow_word(u64 gpa);
/* Does page gpa hold its first-fetch contents at word 0 and at
 * slow_check_off()? Reading it may fault (it is slow). */
bool slow_page_ok(u64 gpa);
/* Let ring 3 reach the slow range (its 2 MiB pages), or stop it. */
void slow_user_allow(bool allow);

#endif
