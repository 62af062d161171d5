/*
 * tests/unit/test_pager.c - apf/pager.c: the simulated slow backing store.
 * Which pages are slow (seeded, and the formula the guest learns through
 * APFV_HC_PAGER_INFO), fetch deadlines and the limit on fetches in flight,
 * completion order, first-arrival fills, FIFO eviction, and error
 * injection (permanent failures, transient ones retried). Time is a plain
 * number passed as `now`. Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../apf/pager.h"
#include "../../vmm/abi.h"

#define SLOW_START	0x100000ULL
#define NPAGES		256ULL
#define SLOW_END	(SLOW_START + NPAGES * PAGE_SIZE)
#define GFN0		(SLOW_START >> PAGE_SHIFT)
#define GFN_END		(SLOW_END >> PAGE_SHIFT)
#define LAT		1000ULL
#define SEED		42ULL
#define NEVER		(~0ULL)
#define STORE_WORDS	2048	/* 16 KiB: state bytes and FIFO of 1K pages */

static u64 store[2][STORE_WORDS];
static struct pager pg, pg2;

/* Every page in range slow, fixed latency, no limits, no failures. */
static struct pager_config cfg_default(void)
{
	return (struct pager_config){
		.slow_start = SLOW_START, .slow_end = SLOW_END,
		.slow_pct = 100, .lat_min = LAT, .max_fetches = PAGER_MAX_FETCHES,
		.seed = SEED,
	};
}

static void init_in(struct pager *p, const struct pager_config *cfg,
		    u64 *words)
{
	assert_true(pager_storage_size(cfg) <= sizeof(store[0]));
	memset(words, 0, sizeof(store[0]));
	pager_init(p, cfg, words);
}

static void init(const struct pager_config *cfg)
{
	init_in(&pg, cfg, store[0]);
}

/* Start a fetch that must be accepted; returns its deadline. */
static u64 start(u64 gfn, u64 now)
{
	u64 d = pager_start(&pg, gfn, now);

	assert_int_not_equal(d, 0);
	assert_int_equal(pager_state(&pg, gfn), PAGER_FETCHING);
	return d;
}

/* The next completion at now must be gfn arriving; returns *fill. */
static bool arrives(u64 gfn, u64 now)
{
	enum pager_outcome out = PAGER_ERROR;
	bool fill = false;
	u64 got = NEVER;

	assert_true(pager_complete(&pg, now, &got, &fill, &out));
	assert_int_equal(got, gfn);
	assert_int_equal(out, PAGER_OK);
	assert_int_equal(pager_state(&pg, gfn), PAGER_PRESENT);
	return fill;
}

/* The next completion at now must be gfn failing for good. */
static void fails(u64 gfn, u64 now)
{
	enum pager_outcome out = PAGER_OK;
	bool fill = true;
	u64 got = NEVER;

	assert_true(pager_complete(&pg, now, &got, &fill, &out));
	assert_int_equal(got, gfn);
	assert_int_equal(out, PAGER_ERROR);
	assert_false(fill);
	assert_int_equal(pager_state(&pg, gfn), PAGER_FAILED);
}

static void nothing_due(u64 now)
{
	enum pager_outcome out;
	bool fill;
	u64 got;

	assert_false(pager_complete(&pg, now, &got, &fill, &out));
}

/* Fetch gfn start to finish at time now; returns the arrival's fill. */
static bool fetch(u64 gfn, u64 now)
{
	return arrives(gfn, start(gfn, now));
}

static u64 count_state(const struct pager *p, enum pager_state s)
{
	u64 n = 0;

	for (u64 g = GFN0; g < GFN_END; g++)
		n += pager_state(p, g) == s;
	return n;
}

/* --- storage and which pages are slow -------------------------------- */

static void storage_is_state_bytes_rounded_to_8_plus_fifo_words(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	assert_int_equal(pager_storage_size(&c), NPAGES + NPAGES * sizeof(u64));
	c.slow_end = c.slow_start + 3 * PAGE_SIZE;
	assert_int_equal(pager_storage_size(&c), 8 + 3 * sizeof(u64));
	c.slow_end = c.slow_start;
	assert_int_equal(pager_storage_size(&c), 0);
}

static void slow_pct_100_makes_every_page_in_range_slow(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	init(&c);
	assert_int_equal(count_state(&pg, PAGER_ABSENT), NPAGES);
}

static void slow_pct_0_makes_no_page_slow(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	c.slow_pct = 0;
	init(&c);
	assert_int_equal(count_state(&pg, PAGER_NOT_SLOW), NPAGES);
	assert_int_equal(pager_start(&pg, GFN0, 0), 0);
	assert_int_equal(pg.fetches, 0);
}

static void slow_pct_50_picks_about_half_deterministically(void **state)
{
	struct pager_config c = cfg_default();
	u64 slow, differ = 0;

	(void)state;
	c.slow_end = c.slow_start + 1024 * PAGE_SIZE;
	c.slow_pct = 50;
	init_in(&pg, &c, store[0]);
	init_in(&pg2, &c, store[1]);
	slow = 0;
	for (u64 g = GFN0; g < GFN0 + 1024; g++) {
		assert_int_equal(pager_state(&pg, g), pager_state(&pg2, g));
		slow += pager_state(&pg, g) == PAGER_ABSENT;
	}
	assert_in_range(slow, 412, 612);	/* 512 +- 6 sigma */
	c.seed = SEED + 1;
	init_in(&pg2, &c, store[1]);
	for (u64 g = GFN0; g < GFN0 + 1024; g++)
		differ += pager_state(&pg, g) != pager_state(&pg2, g);
	assert_true(differ > 100);
}

/* The guest computes the same set from APFV_HC_PAGER_INFO (vmm/abi.h). */
static void page_is_slow_exactly_when_the_abi_hash_says(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	c.slow_pct = 30;
	init(&c);
	for (u64 g = GFN0; g < GFN_END; g++) {
		bool slow = apfv_mix64(g ^ SEED) % 100 < 30;

		assert_int_equal(pager_state(&pg, g),
				 slow ? PAGER_ABSENT : PAGER_NOT_SLOW);
	}
}

static void pages_outside_the_range_are_not_slow(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	init(&c);
	assert_int_equal(pager_state(&pg, GFN0 - 1), PAGER_NOT_SLOW);
	assert_int_equal(pager_state(&pg, GFN_END), PAGER_NOT_SLOW);
	assert_int_equal(pager_state(&pg, 0), PAGER_NOT_SLOW);
	assert_int_equal(pager_state(&pg, NEVER), PAGER_NOT_SLOW);
	assert_int_equal(pager_start(&pg, GFN_END, 0), 0);
	assert_int_equal(pager_start(&pg, GFN0 - 1, 0), 0);
	assert_false(pager_take_fill(&pg, GFN_END));
}

/* --- starting fetches ------------------------------------------------ */

static void start_makes_page_fetching_with_deadline_now_plus_latency(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	init(&c);
	assert_int_equal(start(GFN0, 5000), 5000 + LAT);
	assert_int_equal(pg.fetches, 1);
	/* a page in flight is not started twice */
	assert_int_equal(pager_start(&pg, GFN0, 5001), 0);
	assert_int_equal(pg.fetches, 1);
}

static void start_deadline_is_never_0(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	c.lat_min = 0;
	init(&c);
	assert_int_equal(start(GFN0, 0), 1);
}

static void latency_distribution_is_within_min_max_and_seeded(void **state)
{
	struct pager_config c = cfg_default();
	u64 d[PAGER_MAX_FETCHES];
	bool varied = false;

	(void)state;
	c.lat_min = 100;
	c.lat_max = 1000;
	init(&c);
	for (u32 i = 0; i < PAGER_MAX_FETCHES; i++) {
		d[i] = start(GFN0 + i, 10000) - 10000;
		assert_in_range(d[i], 100, 1000);
		varied |= d[i] != d[0];
	}
	assert_true(varied);
	init(&c);	/* same seed, same latencies */
	for (u32 i = 0; i < PAGER_MAX_FETCHES; i++)
		assert_int_equal(start(GFN0 + i, 10000) - 10000, d[i]);
	c.seed = SEED + 1;
	init(&c);
	varied = false;
	for (u32 i = 0; i < PAGER_MAX_FETCHES; i++)
		varied |= start(GFN0 + i, 10000) - 10000 != d[i];
	assert_true(varied);
}

static void max_fetches_limits_fetches_in_flight(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	c.max_fetches = 2;
	init(&c);
	start(GFN0, 0);
	start(GFN0 + 1, 0);
	assert_int_equal(pager_start(&pg, GFN0 + 2, 0), 0);
	assert_int_equal(pager_state(&pg, GFN0 + 2), PAGER_ABSENT);
	assert_int_equal(pg.fetches, 2);
	arrives(GFN0, LAT);
	start(GFN0 + 2, LAT);
}

static void next_deadline_is_the_earliest_in_flight(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	init(&c);
	assert_int_equal(pager_next_deadline(&pg), NEVER);
	start(GFN0, 300);
	start(GFN0 + 1, 100);
	start(GFN0 + 2, 200);
	assert_int_equal(pager_next_deadline(&pg), 100 + LAT);
	arrives(GFN0 + 1, 100 + LAT);
	assert_int_equal(pager_next_deadline(&pg), 200 + LAT);
}

/* --- completing fetches ---------------------------------------------- */

static void complete_returns_nothing_before_deadline_then_earliest_first(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	init(&c);
	start(GFN0, 30);
	start(GFN0 + 1, 10);
	start(GFN0 + 2, 20);
	nothing_due(0);
	nothing_due(10 + LAT - 1);
	/* all three due: oldest deadline first */
	arrives(GFN0 + 1, 100 * LAT);
	arrives(GFN0 + 2, 100 * LAT);
	arrives(GFN0, 100 * LAT);
	nothing_due(NEVER);
	assert_int_equal(pager_next_deadline(&pg), NEVER);
}

static void first_arrival_fills_refetch_after_eviction_does_not(void **state)
{
	struct pager_config c = cfg_default();
	u64 gfn;

	(void)state;
	c.resident_max = 1;
	init(&c);
	assert_true(fetch(GFN0, 0));
	assert_true(fetch(GFN0 + 1, 0));
	assert_true(pager_evict(&pg, &gfn));
	assert_int_equal(gfn, GFN0);
	assert_false(fetch(GFN0, 0));	/* contents kept by the store */
}

static void resident_cap_evicts_oldest_first_and_evicted_are_absent(void **state)
{
	struct pager_config c = cfg_default();
	u64 gfn = NEVER;

	(void)state;
	c.resident_max = 2;
	init(&c);
	fetch(GFN0 + 7, 0);
	fetch(GFN0 + 3, 10);
	assert_false(pager_evict(&pg, &gfn));	/* at the cap, not over */
	fetch(GFN0 + 5, 20);
	assert_true(pager_evict(&pg, &gfn));
	assert_int_equal(gfn, GFN0 + 7);
	assert_int_equal(pager_state(&pg, GFN0 + 7), PAGER_ABSENT);
	assert_false(pager_evict(&pg, &gfn));
	fetch(GFN0 + 7, 30);
	assert_true(pager_evict(&pg, &gfn));
	assert_int_equal(gfn, GFN0 + 3);
	assert_int_equal(pager_state(&pg, GFN0 + 3), PAGER_ABSENT);
	assert_int_equal(pager_state(&pg, GFN0 + 5), PAGER_PRESENT);
	assert_int_equal(pg.evictions, 2);
}

/* Many evict/refetch rounds over few pages wrap the FIFO ring. */
static void fifo_order_survives_ring_wrap(void **state)
{
	struct pager_config c = cfg_default();
	u64 gfn;

	(void)state;
	c.slow_end = c.slow_start + 4 * PAGE_SIZE;
	c.resident_max = 3;
	init(&c);
	for (u64 g = GFN0; g < GFN0 + 3; g++)
		fetch(g, 0);
	for (u64 i = 0; i < 20; i++) {
		u64 next = GFN0 + (i + 3) % 4, oldest = GFN0 + i % 4;

		fetch(next, i);
		assert_true(pager_evict(&pg, &gfn));
		assert_int_equal(gfn, oldest);
		assert_false(pager_evict(&pg, &gfn));
	}
	assert_int_equal(pg.evictions, 20);
}

static void no_resident_limit_never_evicts(void **state)
{
	struct pager_config c = cfg_default();
	u64 gfn;

	(void)state;
	init(&c);
	for (u64 g = GFN0; g < GFN_END; g++)
		fetch(g, 0);
	assert_false(pager_evict(&pg, &gfn));
	assert_int_equal(pg.evictions, 0);
}

/* --- error injection ------------------------------------------------- */

static void page_in_fail_range_completes_with_error_until_reported(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	c.fail_start = SLOW_START + 2 * PAGE_SIZE;
	c.fail_end = SLOW_START + 3 * PAGE_SIZE;
	c.retries = 5;	/* a permanent failure is not retried */
	init(&c);
	fails(GFN0 + 2, start(GFN0 + 2, 0));
	assert_int_equal(pg.errors_injected, 1);
	assert_int_equal(pg.retries, 0);
	assert_int_equal(pager_next_deadline(&pg), NEVER);
	/* FAILED until the guest hears of it: no second fetch */
	assert_int_equal(pager_start(&pg, GFN0 + 2, 0), 0);
	assert_int_equal(pager_state(&pg, GFN0 + 2), PAGER_FAILED);
	pager_failure_reported(&pg, GFN0 + 2);
	assert_int_equal(pager_state(&pg, GFN0 + 2), PAGER_ABSENT);
	fails(GFN0 + 2, start(GFN0 + 2, 0));
	/* its neighbours are fine */
	assert_true(fetch(GFN0 + 1, 0));
	assert_true(fetch(GFN0 + 3, 0));
}

static void failure_reported_leaves_other_states_alone(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	init(&c);
	pager_failure_reported(&pg, GFN0);
	assert_int_equal(pager_state(&pg, GFN0), PAGER_ABSENT);
	start(GFN0 + 1, 0);
	pager_failure_reported(&pg, GFN0 + 1);
	assert_int_equal(pager_state(&pg, GFN0 + 1), PAGER_FETCHING);
	arrives(GFN0 + 1, LAT);
	pager_failure_reported(&pg, GFN0 + 1);
	assert_int_equal(pager_state(&pg, GFN0 + 1), PAGER_PRESENT);
}

static void transient_failure_retried_n_times_then_error(void **state)
{
	struct pager_config c = cfg_default();
	u64 now;

	(void)state;
	c.fail_pct = 100;
	c.retries = 3;
	init(&c);
	now = start(GFN0, 0);
	for (u32 i = 1; i <= 3; i++) {
		nothing_due(now);	/* failed, retried with a new latency */
		assert_int_equal(pg.retries, i);
		assert_int_equal(pager_state(&pg, GFN0), PAGER_FETCHING);
		assert_int_equal(pager_next_deadline(&pg), now + LAT);
		now += LAT;
	}
	fails(GFN0, now);
	assert_int_equal(pg.retries, 3);
	assert_int_equal(pg.errors_injected, 4);
	assert_int_equal(pg.fetches, 1);
}

static void transient_failure_with_no_retries_is_an_error_at_once(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	c.fail_pct = 100;
	init(&c);
	fails(GFN0, start(GFN0, 0));
	assert_int_equal(pg.retries, 0);
	assert_int_equal(pg.errors_injected, 1);
}

static void rare_transient_failures_with_retries_all_arrive(void **state)
{
	struct pager_config c = cfg_default();
	u64 now = 0, gfn, next = GFN0, done = 0, rounds = 0;
	enum pager_outcome out;
	bool fill;

	(void)state;
	c.fail_pct = 10;
	c.retries = 100;
	c.lat_max = 3 * LAT;
	init(&c);
	while (done < NPAGES) {
		/* each round ends a fetch or retries one: fail, never hang */
		assert_true(rounds++ < 4 * NPAGES);
		while (next < GFN_END && pager_start(&pg, next, now))
			next++;
		now = pager_next_deadline(&pg);
		while (pager_complete(&pg, now, &gfn, &fill, &out)) {
			assert_int_equal(out, PAGER_OK);
			assert_true(fill);
			done++;
		}
	}
	assert_int_equal(count_state(&pg, PAGER_PRESENT), NPAGES);
	assert_true(pg.errors_injected > 0);
	assert_int_equal(pg.retries, pg.errors_injected);
	assert_int_equal(pg.fetches, NPAGES);
}

/* --- fills and counters ---------------------------------------------- */

static void take_fill_marks_filled_exactly_once(void **state)
{
	struct pager_config c = cfg_default();

	(void)state;
	init(&c);
	assert_true(pager_take_fill(&pg, GFN0));
	assert_false(pager_take_fill(&pg, GFN0));
	assert_int_equal(pager_state(&pg, GFN0), PAGER_ABSENT);
	assert_false(fetch(GFN0, 0));	/* the hypervisor filled it */
	/* also while in flight */
	start(GFN0 + 1, 0);
	assert_true(pager_take_fill(&pg, GFN0 + 1));
	assert_false(arrives(GFN0 + 1, LAT));
	/* and never again once it has arrived */
	assert_true(fetch(GFN0 + 2, 0));
	assert_false(pager_take_fill(&pg, GFN0 + 2));
}

static void take_fill_is_false_for_pages_that_are_not_slow(void **state)
{
	struct pager_config c = cfg_default();
	u64 fast = 0;

	(void)state;
	c.slow_pct = 50;
	init(&c);
	for (u64 g = GFN0; g < GFN_END; g++) {
		if (pager_state(&pg, g) != PAGER_NOT_SLOW)
			continue;
		assert_false(pager_take_fill(&pg, g));
		assert_int_equal(pager_state(&pg, g), PAGER_NOT_SLOW);
		fast++;
	}
	assert_true(fast > 0);
	assert_false(pager_take_fill(&pg, GFN0 - 1));
	assert_false(pager_take_fill(&pg, GFN_END));
}

static void counters_count_fetches_started_and_evictions(void **state)
{
	struct pager_config c = cfg_default();
	u64 gfn;

	(void)state;
	c.resident_max = 1;
	c.max_fetches = 1;
	init(&c);
	fetch(GFN0, 0);
	start(GFN0 + 1, 0);
	assert_int_equal(pager_start(&pg, GFN0 + 2, 0), 0);	/* refused */
	arrives(GFN0 + 1, LAT);
	assert_true(pager_evict(&pg, &gfn));
	fetch(GFN0, LAT);					/* refetch */
	assert_true(pager_evict(&pg, &gfn));
	assert_int_equal(pg.fetches, 3);
	assert_int_equal(pg.evictions, 2);
	assert_int_equal(pg.errors_injected, 0);
	assert_int_equal(pg.retries, 0);
}

#define T(fn) cmocka_unit_test(fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(storage_is_state_bytes_rounded_to_8_plus_fifo_words),
		T(slow_pct_100_makes_every_page_in_range_slow),
		T(slow_pct_0_makes_no_page_slow),
		T(slow_pct_50_picks_about_half_deterministically),
		T(page_is_slow_exactly_when_the_abi_hash_says),
		T(pages_outside_the_range_are_not_slow),
		T(start_makes_page_fetching_with_deadline_now_plus_latency),
		T(start_deadline_is_never_0),
		T(latency_distribution_is_within_min_max_and_seeded),
		T(max_fetches_limits_fetches_in_flight),
		T(next_deadline_is_the_earliest_in_flight),
		T(complete_returns_nothing_before_deadline_then_earliest_first),
		T(first_arrival_fills_refetch_after_eviction_does_not),
		T(resident_cap_evicts_oldest_first_and_evicted_are_absent),
		T(fifo_order_survives_ring_wrap),
		T(no_resident_limit_never_evicts),
		T(page_in_fail_range_completes_with_error_until_reported),
		T(failure_reported_leaves_other_states_alone),
		T(transient_failure_retried_n_times_then_error),
		T(transient_failure_with_no_retries_is_an_error_at_once),
		T(rare_transient_failures_with_retries_all_arrive),
		T(take_fill_marks_filled_exactly_once),
		T(take_fill_is_false_for_pages_that_are_not_slow),
		T(counters_count_fetches_started_and_evictions),
	};

	return UNIT_RUN("pager", tests);
}
