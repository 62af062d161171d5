/*
 * guest-stub/slow.c - the slow range of apfvisor's pager, seen from the
 * guest (slow.h). Taking pages only moves a cursor forward: no page is
 * handed out twice, so each one's first access starts a fetch.
 *
 * Environment: guest ring 0.
 */
#include "slow.h"
#include "hv.h"
#include "paging.h"

static struct {
	struct hv_pager p;	/* start/end clipped to the identity map */
	u64 next;		/* first page not yet taken */
	u64 excluded;		/* a page never handed out (0: none) */
} slow;

void slow_init(void)
{
	struct hv_pager p;

	if (!hv_pager_info(&p))
		return;
	p.slow_end = MIN(p.slow_end, (u64)GS_IDENTITY_END);
	p.slow_start = MIN(ALIGN_UP(p.slow_start, PAGE_SIZE), p.slow_end);
	if (!p.slow_pct)
		p.slow_end = p.slow_start;
	slow.p = p;
	slow.next = p.slow_start;
}

bool slow_present(void)
{
	return slow.p.slow_end > slow.p.slow_start;
}

bool slow_overlaps(u64 base, u64 end)
{
	return base < slow.p.slow_end && slow.p.slow_start < end;
}

u64 slow_seed(void)
{
	return slow.p.seed;
}

u64 slow_pct(void)
{
	return slow.p.slow_pct;
}

void slow_exclude(u64 gpa)
{
	slow.excluded = ALIGN_DOWN(gpa, PAGE_SIZE);
}

bool slow_is_slow(u64 gpa)
{
	return slow_overlaps(gpa, gpa + 1) &&
	       slow_pick(gpa, slow.p.seed, slow.p.slow_pct);
}

/* The first slow page at or after gpa that may be handed out, or the
 * range's end. */
static u64 slow_next_from(u64 gpa)
{
	while (gpa < slow.p.slow_end &&
	       (!slow_pick(gpa, slow.p.seed, slow.p.slow_pct) ||
		(slow.excluded && gpa == slow.excluded)))
		gpa += PAGE_SIZE;
	return gpa;
}

u64 slow_left(void)
{
	u64 n = 0;

	if (slow.p.slow_pct >= SLOW_PCT_ALL && !slow.excluded)
		return (slow.p.slow_end - slow.next) / PAGE_SIZE;
	for (u64 a = slow_next_from(slow.next); a < slow.p.slow_end;
	     a = slow_next_from(a + PAGE_SIZE))
		n++;
	return n;
}

u64 slow_take(void)
{
	u64 a = slow_next_from(slow.next);

	if (a >= slow.p.slow_end)
		return 0;
	slow.next = a + PAGE_SIZE;
	return a;
}

bool slow_take_span(u32 n, u64 *first, u64 *end)
{
	u64 start = slow.next;

	if (slow_left() < n)
		return false;
	*first = slow_next_from(start);
	for (u32 i = 0; i < n; i++)
		slow_take();
	*end = slow.next;
	return true;
}

u64 slow_word(u64 gpa)
{
	return apfv_backing_word(gpa, slow.p.seed);
}

bool slow_page_ok(u64 gpa)
{
	const volatile u64 *w0 = (const volatile u64 *)(uintptr_t)gpa;
	const volatile u64 *w1 = (const volatile u64 *)(uintptr_t)
				 (gpa + slow_check_off(gpa));

	return *w0 == slow_word(gpa) &&
	       *w1 == slow_word(gpa + slow_check_off(gpa));
}

void slow_user_allow(bool allow)
{
	if (slow_present())
		pd_update(slow.p.slow_start, slow.p.slow_end,
			  allow ? PTE_U : 0, allow ? 0 : PTE_U);
}
