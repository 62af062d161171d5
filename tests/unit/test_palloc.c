/*
 * tests/unit/test_palloc.c - vmm/palloc.c: adding and reserving ranges
 * (trims, splits, merges, a full table), page and contiguous allocation,
 * the free list. Memory is a host arena whose addresses stand for
 * physical ones. Host unit test.
 */
#include <stdlib.h>
#include <string.h>

#include "env_host.h"
#include "../../vmm/palloc.h"

#define ARENA_ALIGN	SZ_2M
#define ARENA_SIZE	(4 * SZ_2M)
#define ARENA_PAGES	(ARENA_SIZE / PAGE_SIZE)
#define DIRT		0x5a

static u8 *arena;

/* A fresh allocator and a dirty 2M-aligned arena (not yet added). */
static int setup(void **state)
{
	(void)state;
	arena = aligned_alloc(ARENA_ALIGN, ARENA_SIZE);
	if (!arena)
		return -1;
	memset(arena, DIRT, ARENA_SIZE);
	palloc_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	palloc_reset();
	free(arena);
	return 0;
}

static u64 pa(u64 page)
{
	return (u64)(uintptr_t)arena + page * PAGE_SIZE;
}

static void *pg(u64 page)
{
	return arena + page * PAGE_SIZE;
}

static bool zeroed(const void *p, u64 len)
{
	const u8 *b = p;

	for (u64 i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static void add_trims_inward_to_whole_pages(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(pa(0) + 1, 4 * PAGE_SIZE), 0);
	assert_int_equal(palloc_free_pages(), 3);
	assert_ptr_equal(palloc_page(), pg(1));
}

static void add_of_less_than_a_page_adds_nothing(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(pa(0) + 1, PAGE_SIZE), 0);
	assert_int_equal(palloc_add(pa(0), 0), 0);
	assert_int_equal(palloc_free_pages(), 0);
	assert_null(palloc_page());
}

static void page_zero_is_never_handed_out(void **state)
{
	(void)state;
	/* the range is only counted, never touched */
	assert_int_equal(palloc_add(0, 16 * PAGE_SIZE), 0);
	assert_int_equal(palloc_free_pages(), 15);
	palloc_reset();
	assert_int_equal(palloc_add(0, PAGE_SIZE), 0);
	assert_int_equal(palloc_free_pages(), 0);
}

static void add_at_the_top_of_the_address_space_does_not_wrap(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(UINT64_MAX - 100, 1000), 0);
	assert_int_equal(palloc_add(UINT64_MAX - 3 * PAGE_SIZE + 1, UINT64_MAX), 0);
	assert_int_equal(palloc_free_pages(), 2);
}

static void pages_come_back_zeroed_lowest_first(void **state)
{
	(void)state;
	palloc_add(pa(0), 3 * PAGE_SIZE);
	for (u64 i = 0; i < 3; i++) {
		void *p = palloc_page();

		assert_ptr_equal(p, pg(i));
		assert_true(zeroed(p, PAGE_SIZE));
	}
	assert_null(palloc_page());
	assert_int_equal(palloc_free_pages(), 0);
}

static void a_freed_page_is_reused_first_and_zeroed_again(void **state)
{
	void *a, *b;

	(void)state;
	palloc_add(pa(0), 8 * PAGE_SIZE);
	a = palloc_page();
	b = palloc_page();
	memset(a, DIRT, PAGE_SIZE);
	palloc_free(a);
	assert_int_equal(palloc_free_pages(), 7);
	assert_ptr_equal(palloc_page(), a);
	assert_true(zeroed(a, PAGE_SIZE));
	assert_ptr_equal(palloc_page(), pg(2));
	(void)b;
}

static void freed_pages_come_back_last_freed_first(void **state)
{
	void *p[3];

	(void)state;
	palloc_add(pa(0), 3 * PAGE_SIZE);
	for (int i = 0; i < 3; i++)
		p[i] = palloc_page();
	for (int i = 0; i < 3; i++)
		palloc_free(p[i]);
	assert_int_equal(palloc_free_pages(), 3);
	assert_ptr_equal(palloc_page(), p[2]);
	assert_ptr_equal(palloc_page(), p[1]);
	assert_ptr_equal(palloc_page(), p[0]);
	assert_null(palloc_page());
}

static void freeing_null_or_unaligned_pointers_is_ignored(void **state)
{
	(void)state;
	palloc_add(pa(0), 2 * PAGE_SIZE);
	palloc_free(NULL);
	palloc_free(arena + 8);
	assert_int_equal(palloc_free_pages(), 2);
}

static void reserve_in_the_middle_splits_the_range(void **state)
{
	(void)state;
	palloc_add(pa(0), 6 * PAGE_SIZE);
	assert_int_equal(palloc_reserve(pa(2), 2 * PAGE_SIZE), 0);
	assert_int_equal(palloc_free_pages(), 4);
	assert_ptr_equal(palloc_page(), pg(0));
	assert_ptr_equal(palloc_page(), pg(1));
	assert_ptr_equal(palloc_page(), pg(4));
	assert_ptr_equal(palloc_page(), pg(5));
	assert_null(palloc_page());
}

static void reserve_widens_outward_to_whole_pages(void **state)
{
	(void)state;
	palloc_add(pa(0), 6 * PAGE_SIZE);
	/* one byte at the end of page 1 and one at the start of page 2 */
	assert_int_equal(palloc_reserve(pa(2) - 1, 2), 0);
	assert_int_equal(palloc_free_pages(), 4);
	assert_ptr_equal(palloc_page(), pg(0));
	assert_ptr_equal(palloc_page(), pg(3));
}

static void reserve_of_zero_bytes_reserves_nothing(void **state)
{
	(void)state;
	palloc_add(pa(0), 4 * PAGE_SIZE);
	assert_int_equal(palloc_reserve(pa(1) + 5, 0), 0);
	assert_int_equal(palloc_free_pages(), 4);
}

static void reserve_at_either_edge_trims_the_range(void **state)
{
	(void)state;
	palloc_add(pa(0), 6 * PAGE_SIZE);
	palloc_reserve(pa(0), PAGE_SIZE);
	palloc_reserve(pa(5), 10 * PAGE_SIZE);
	assert_int_equal(palloc_free_pages(), 4);
	assert_ptr_equal(palloc_page(), pg(1));
}

static void reserve_covering_a_range_removes_it(void **state)
{
	(void)state;
	palloc_add(pa(2), 2 * PAGE_SIZE);
	palloc_add(pa(8), 2 * PAGE_SIZE);
	palloc_reserve(pa(1), 4 * PAGE_SIZE);
	assert_int_equal(palloc_free_pages(), 2);
	assert_ptr_equal(palloc_page(), pg(8));
}

static void reserve_across_several_ranges_cuts_each(void **state)
{
	(void)state;
	palloc_add(pa(0), 4 * PAGE_SIZE);
	palloc_add(pa(6), 2 * PAGE_SIZE);
	palloc_add(pa(10), 4 * PAGE_SIZE);
	palloc_reserve(pa(2), 10 * PAGE_SIZE);	/* pages 2..11 */
	assert_int_equal(palloc_free_pages(), 4);
	assert_ptr_equal(palloc_page(), pg(0));
	assert_ptr_equal(palloc_page(), pg(1));
	assert_ptr_equal(palloc_page(), pg(12));
	assert_ptr_equal(palloc_page(), pg(13));
}

static void reserve_outside_every_range_changes_nothing(void **state)
{
	(void)state;
	palloc_add(pa(4), 2 * PAGE_SIZE);
	assert_int_equal(palloc_reserve(pa(0), 4 * PAGE_SIZE), 0);
	assert_int_equal(palloc_reserve(pa(6), 4 * PAGE_SIZE), 0);
	assert_int_equal(palloc_free_pages(), 2);
}

static void overlapping_adds_merge_instead_of_counting_twice(void **state)
{
	(void)state;
	palloc_add(pa(0), 4 * PAGE_SIZE);
	palloc_add(pa(2), 4 * PAGE_SIZE);
	palloc_add(pa(1), PAGE_SIZE);
	assert_int_equal(palloc_free_pages(), 6);
	for (u64 i = 0; i < 6; i++)
		assert_ptr_equal(palloc_page(), pg(i));
	assert_null(palloc_page());
}

/* Add n one-page ranges with one-page gaps between them. */
static void add_disjoint(u32 n)
{
	for (u32 i = 0; i < n; i++)
		assert_int_equal(palloc_add(pa(2 * i), PAGE_SIZE), 0);
}

static void a_full_range_table_refuses_another_range(void **state)
{
	(void)state;
	add_disjoint(PALLOC_MAX_RANGES);
	assert_int_equal(palloc_add(pa(2 * PALLOC_MAX_RANGES), PAGE_SIZE), -1);
	assert_int_equal(palloc_free_pages(), PALLOC_MAX_RANGES);
}

static void a_full_table_still_takes_a_range_that_merges(void **state)
{
	(void)state;
	add_disjoint(PALLOC_MAX_RANGES);
	/* fills the gap between the first two ranges: three become one */
	assert_int_equal(palloc_add(pa(1), PAGE_SIZE), 0);
	assert_int_equal(palloc_free_pages(), PALLOC_MAX_RANGES + 1);
	assert_int_equal(palloc_add(pa(2 * PALLOC_MAX_RANGES), PAGE_SIZE), 0);
}

static void a_split_with_a_full_table_fails_and_changes_nothing(void **state)
{
	(void)state;
	palloc_add(pa(0), 3 * PAGE_SIZE);
	for (u32 i = 1; i < PALLOC_MAX_RANGES; i++)
		palloc_add(pa(2 + 2 * i), PAGE_SIZE);
	assert_int_equal(palloc_reserve(pa(1), PAGE_SIZE), -1);
	assert_int_equal(palloc_free_pages(), PALLOC_MAX_RANGES + 2);
	/* trimming an edge needs no slot and still works */
	assert_int_equal(palloc_reserve(pa(0), PAGE_SIZE), 0);
	assert_int_equal(palloc_free_pages(), PALLOC_MAX_RANGES + 1);
}

static void contig_returns_aligned_zeroed_pages(void **state)
{
	u8 *p;

	(void)state;
	palloc_add(pa(1), ARENA_SIZE - PAGE_SIZE);
	p = palloc_contig(SZ_2M / PAGE_SIZE, SZ_2M);
	assert_ptr_equal(p, arena + SZ_2M);
	assert_true(zeroed(p, SZ_2M));
	assert_int_equal(palloc_free_pages(), ARENA_PAGES - 1 - SZ_2M / PAGE_SIZE);
	/* the pages before the aligned block are still there */
	assert_ptr_equal(palloc_page(), pg(1));
}

static void contig_takes_the_first_range_that_fits(void **state)
{
	(void)state;
	palloc_add(pa(0), 2 * PAGE_SIZE);
	palloc_add(pa(4), 8 * PAGE_SIZE);
	assert_ptr_equal(palloc_contig(3, PAGE_SIZE), pg(4));
	assert_ptr_equal(palloc_contig(2, PAGE_SIZE), pg(0));
	assert_ptr_equal(palloc_contig(5, PAGE_SIZE), pg(7));
	assert_int_equal(palloc_free_pages(), 0);
}

static void contig_that_fits_nowhere_returns_null(void **state)
{
	(void)state;
	palloc_add(pa(1), 4 * PAGE_SIZE);
	assert_null(palloc_contig(5, PAGE_SIZE));
	assert_null(palloc_contig(1, SZ_2M));	/* no 2M boundary inside */
	assert_null(palloc_contig(UINT64_MAX / PAGE_SIZE + 1, PAGE_SIZE));
	assert_int_equal(palloc_free_pages(), 4);
}

static void contig_rejects_bad_arguments(void **state)
{
	(void)state;
	palloc_add(pa(0), 8 * PAGE_SIZE);
	assert_null(palloc_contig(0, PAGE_SIZE));
	assert_null(palloc_contig(1, 0));
	assert_null(palloc_contig(1, 2048));
	assert_null(palloc_contig(1, 3 * PAGE_SIZE));
	assert_int_equal(palloc_free_pages(), 8);
}

static void contig_needing_a_split_with_a_full_table_tries_the_next_range(void **state)
{
	(void)state;
	/* range 0 is pages 1..3: an 8K-aligned page there is page 2, in the
	 * middle, which would need a new slot; the table is full */
	palloc_add(pa(1), 3 * PAGE_SIZE);
	for (u32 i = 1; i < PALLOC_MAX_RANGES; i++)
		palloc_add(pa(4 + 16 * i), 8 * PAGE_SIZE);
	assert_ptr_equal(palloc_contig(1, 2 * PAGE_SIZE), pg(20));
	assert_ptr_equal(palloc_page(), pg(1));
	assert_ptr_equal(palloc_page(), pg(2));
}

static void reset_forgets_ranges_and_freed_pages(void **state)
{
	void *p;

	(void)state;
	palloc_add(pa(0), 4 * PAGE_SIZE);
	p = palloc_page();
	palloc_free(p);
	palloc_reset();
	assert_int_equal(palloc_free_pages(), 0);
	assert_null(palloc_page());
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(add_trims_inward_to_whole_pages),
		T(add_of_less_than_a_page_adds_nothing),
		T(page_zero_is_never_handed_out),
		T(add_at_the_top_of_the_address_space_does_not_wrap),
		T(pages_come_back_zeroed_lowest_first),
		T(a_freed_page_is_reused_first_and_zeroed_again),
		T(freed_pages_come_back_last_freed_first),
		T(freeing_null_or_unaligned_pointers_is_ignored),
		T(reserve_in_the_middle_splits_the_range),
		T(reserve_widens_outward_to_whole_pages),
		T(reserve_of_zero_bytes_reserves_nothing),
		T(reserve_at_either_edge_trims_the_range),
		T(reserve_covering_a_range_removes_it),
		T(reserve_across_several_ranges_cuts_each),
		T(reserve_outside_every_range_changes_nothing),
		T(overlapping_adds_merge_instead_of_counting_twice),
		T(a_full_range_table_refuses_another_range),
		T(a_full_table_still_takes_a_range_that_merges),
		T(a_split_with_a_full_table_fails_and_changes_nothing),
		T(contig_returns_aligned_zeroed_pages),
		T(contig_takes_the_first_range_that_fits),
		T(contig_that_fits_nowhere_returns_null),
		T(contig_rejects_bad_arguments),
		T(contig_needing_a_split_with_a_full_table_tries_the_next_range),
		T(reset_forgets_ranges_and_freed_pages),
	};

	return UNIT_RUN("palloc", tests);
}
