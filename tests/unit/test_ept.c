/*
 * tests/unit/test_ept.c - ept/ept.c: mapping with 4K/2M/1G leaves,
 * replacing, unmapping with splits, translation, table accounting and
 * freeing, out-of-memory paths, EPTP and violation decoding (SDM Vol. 3C
 * "EPT Translation Mechanism"). Host unit test; the mapped host addresses
 * are plain numbers and never touched.
 */
#include "env_host.h"
#include "../../ept/ept.h"

#define LEVEL_4K	0
#define LEVEL_2M	1
#define LEVEL_1G	2
#define ENTRIES		512
#define HPA		0x40000000ULL	/* 1G-aligned frame base */

static struct ept e;

static int setup(void **state)
{
	(void)state;
	env_host_reset();
	return 0;
}

/* Every table page allocated must have been freed. */
static int teardown(void **state)
{
	(void)state;
	ept_destroy(&e);
	return env_host_live_pages == 0 ? 0 : -1;
}

/* The leaf entry mapping gpa, and its level; 0 when unmapped. */
static u64 leaf(u64 gpa, int *level)
{
	u64 *t = e.pml4;

	for (int l = 3; l >= 0; l--) {
		u64 pte = t[(gpa >> (12 + 9 * l)) & (ENTRIES - 1)];

		if (!(pte & EPT_RWX))
			return 0;
		if (l == 0 || (pte & EPT_LARGE)) {
			*level = l;
			return pte;
		}
		t = env_phys_to_virt(pte & EPT_ADDR_MASK);
	}
	return 0;
}

static void expect_mapped(u64 gpa, u64 hpa, u64 perms)
{
	u64 h = 0, p = 0;

	assert_true(ept_translate(&e, gpa, &h, &p));
	assert_int_equal(h, hpa);
	assert_int_equal(p, perms);
}

static void expect_unmapped(u64 gpa)
{
	assert_false(ept_translate(&e, gpa, NULL, NULL));
}

static void expect_level(u64 gpa, int want)
{
	int level = -1;

	assert_int_not_equal(leaf(gpa, &level), 0);
	assert_int_equal(level, want);
}

static void init_allocates_only_the_pml4(void **state)
{
	(void)state;
	assert_int_equal(ept_init(&e, true, true), 0);
	assert_non_null(e.pml4);
	assert_int_equal(e.tables, 1);
	assert_int_equal(env_host_live_pages, 1);
	expect_unmapped(0);
}

static void init_without_memory_fails(void **state)
{
	(void)state;
	env_host_allocs_left = 0;
	assert_int_equal(ept_init(&e, true, true), -1);
	assert_null(e.pml4);
}

static void a_4k_mapping_builds_four_levels(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_map(&e, 0x5000, HPA + 0x7000, PAGE_SIZE, EPT_RWX), 0);
	assert_int_equal(e.tables, 4);
	expect_mapped(0x5000, HPA + 0x7000, EPT_RWX);
	expect_mapped(0x5abc, HPA + 0x7abc, EPT_RWX);
	expect_unmapped(0x4000);
	expect_unmapped(0x6000);
	expect_level(0x5000, LEVEL_4K);
}

static void leaves_carry_write_back_and_the_permissions(void **state)
{
	int level;
	u64 pte;

	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, PAGE_SIZE, EPT_R | EPT_X);
	pte = leaf(0, &level);
	assert_int_equal(pte & (7ULL << EPT_MT_SHIFT), EPT_MT_WB);
	assert_int_equal(pte & EPT_RWX, EPT_R | EPT_X);
	assert_int_equal(pte & EPT_ADDR_MASK, HPA);
	assert_int_equal(pte & EPT_LARGE, 0);
}

static void aligned_2m_uses_a_large_pde(void **state)
{
	int level;

	(void)state;
	ept_init(&e, true, false);
	assert_int_equal(ept_map(&e, SZ_2M, HPA, SZ_2M, EPT_RWX), 0);
	assert_int_equal(e.tables, 3);
	expect_level(SZ_2M, LEVEL_2M);
	assert_int_equal(leaf(SZ_2M, &level) & EPT_MT_WB, EPT_MT_WB);
	expect_mapped(SZ_2M + 0x12345, HPA + 0x12345, EPT_RWX);
}

static void large_pages_are_not_used_when_not_allowed(void **state)
{
	(void)state;
	ept_init(&e, false, false);
	assert_int_equal(ept_map(&e, 0, HPA, SZ_1G, EPT_RWX), 0);
	expect_level(0, LEVEL_4K);
	expect_level(SZ_1G - PAGE_SIZE, LEVEL_4K);
	assert_int_equal(e.tables, 3 + ENTRIES);
	expect_mapped(SZ_1G - 1, HPA + SZ_1G - 1, EPT_RWX);
}

static void misaligned_host_address_falls_back_to_4k(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_map(&e, 0, HPA + PAGE_SIZE, SZ_2M, EPT_RWX), 0);
	expect_level(0, LEVEL_4K);
	assert_int_equal(e.tables, 4);
}

static void aligned_1g_uses_a_large_pdpte(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_map(&e, SZ_1G, HPA, SZ_1G, EPT_RWX), 0);
	assert_int_equal(e.tables, 2);
	expect_level(SZ_1G, LEVEL_1G);
	expect_mapped(SZ_1G + 0x3456789, HPA + 0x3456789, EPT_RWX);
}

static void a_range_uses_the_largest_page_at_each_step(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	/* 4K, then one 2M page, then 4K: [2M-4K, 4M+4K) */
	assert_int_equal(ept_map(&e, SZ_2M - PAGE_SIZE, HPA + SZ_2M - PAGE_SIZE,
				 SZ_2M + 2 * PAGE_SIZE, EPT_RWX), 0);
	expect_level(SZ_2M - PAGE_SIZE, LEVEL_4K);
	expect_level(SZ_2M, LEVEL_2M);
	expect_level(2 * SZ_2M, LEVEL_4K);
	expect_unmapped(2 * SZ_2M + PAGE_SIZE);
	expect_mapped(2 * SZ_2M, HPA + 2 * SZ_2M, EPT_RWX);
}

static void guest_ram_of_64m_needs_only_three_tables(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_map(&e, 0, HPA, 64 * MiB, EPT_RWX), 0);
	assert_int_equal(e.tables, 3);
	expect_mapped(64 * MiB - 1, HPA + 64 * MiB - 1, EPT_RWX);
	expect_unmapped(64 * MiB);
}

static void a_mapping_replaces_an_earlier_one(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0x3000, HPA, PAGE_SIZE, EPT_RWX);
	assert_int_equal(ept_map(&e, 0x3000, HPA + SZ_2M, PAGE_SIZE, EPT_R), 0);
	expect_mapped(0x3000, HPA + SZ_2M, EPT_R);
	assert_int_equal(e.tables, 4);
}

static void a_large_page_over_small_ones_frees_their_table(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, 2 * PAGE_SIZE, EPT_RWX);
	assert_int_equal(e.tables, 4);
	assert_int_equal(ept_map(&e, 0, HPA + SZ_2M, SZ_2M, EPT_R), 0);
	assert_int_equal(e.tables, 3);
	assert_int_equal(env_host_live_pages, 3);
	expect_mapped(PAGE_SIZE, HPA + SZ_2M + PAGE_SIZE, EPT_R);
}

static void a_4k_mapping_inside_a_large_page_splits_it(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, SZ_2M, EPT_RWX);
	assert_int_equal(ept_map(&e, 0x10000, 0x7000, PAGE_SIZE, EPT_R), 0);
	expect_mapped(0x10000, 0x7000, EPT_R);
	expect_mapped(0xf000, HPA + 0xf000, EPT_RWX);
	expect_mapped(0x11000, HPA + 0x11000, EPT_RWX);
}

static void unmapping_4k_inside_a_2m_page_keeps_its_neighbours(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, SZ_2M, HPA, SZ_2M, EPT_R | EPT_X);
	assert_int_equal(ept_unmap(&e, SZ_2M + 0x5000, PAGE_SIZE), 0);
	expect_unmapped(SZ_2M + 0x5000);
	assert_int_equal(e.tables, 4);
	for (u64 off = 0; off < SZ_2M; off += PAGE_SIZE)
		if (off != 0x5000)
			expect_mapped(SZ_2M + off, HPA + off, EPT_R | EPT_X);
	expect_level(SZ_2M, LEVEL_4K);
}

static void a_split_keeps_the_memory_type_and_other_bits(void **state)
{
	int level;
	u64 pte;

	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, SZ_2M, EPT_RWX);
	ept_unmap(&e, 0, PAGE_SIZE);
	pte = leaf(PAGE_SIZE, &level);
	assert_int_equal(level, LEVEL_4K);
	assert_int_equal(pte, (HPA + PAGE_SIZE) | EPT_RWX | EPT_MT_WB);
}

static void unmapping_4k_inside_a_1g_page_splits_down_twice(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, SZ_1G, EPT_RWX);
	assert_int_equal(ept_unmap(&e, 3 * SZ_2M + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(e.tables, 4);
	expect_unmapped(3 * SZ_2M + PAGE_SIZE);
	expect_mapped(3 * SZ_2M, HPA + 3 * SZ_2M, EPT_RWX);
	expect_mapped(3 * SZ_2M + 2 * PAGE_SIZE, HPA + 3 * SZ_2M + 2 * PAGE_SIZE,
		      EPT_RWX);
	expect_level(0, LEVEL_2M);
	expect_level(SZ_1G - SZ_2M, LEVEL_2M);
	expect_mapped(SZ_1G - 1, HPA + SZ_1G - 1, EPT_RWX);
}

static void unmapping_a_whole_large_page_needs_no_split(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, 2 * SZ_2M, EPT_RWX);
	assert_int_equal(ept_unmap(&e, SZ_2M, SZ_2M), 0);
	assert_int_equal(e.tables, 3);
	expect_unmapped(SZ_2M);
	expect_mapped(SZ_2M - 1, HPA + SZ_2M - 1, EPT_RWX);
}

static void unmapping_a_covered_table_frees_it(void **state)
{
	(void)state;
	ept_init(&e, false, false);
	ept_map(&e, 0, HPA, 4 * SZ_2M, EPT_RWX);
	assert_int_equal(e.tables, 3 + 4);
	assert_int_equal(ept_unmap(&e, 0, SZ_1G), 0);
	assert_int_equal(e.tables, 2);
	assert_int_equal(env_host_live_pages, 2);
	expect_unmapped(0);
}

static void unmapping_holes_and_unmapped_ranges_is_fine(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0x2000, HPA, PAGE_SIZE, EPT_RWX);
	assert_int_equal(ept_unmap(&e, 0, 16 * SZ_1G), 0);
	expect_unmapped(0x2000);
	assert_int_equal(ept_unmap(&e, 0x7000000000ULL, SZ_2M), 0);
}

static void unmapping_can_remap_after(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, SZ_2M, EPT_RWX);
	ept_unmap(&e, 0x4000, PAGE_SIZE);
	assert_int_equal(ept_map(&e, 0x4000, HPA + 0x4000, PAGE_SIZE, EPT_RWX), 0);
	expect_mapped(0x4000, HPA + 0x4000, EPT_RWX);
}

static void bad_map_arguments_are_rejected(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_map(&e, 0x800, HPA, PAGE_SIZE, EPT_RWX), -1);
	assert_int_equal(ept_map(&e, 0, HPA + 8, PAGE_SIZE, EPT_RWX), -1);
	assert_int_equal(ept_map(&e, 0, HPA, 100, EPT_RWX), -1);
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, 0), -1);
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, EPT_W), -1);
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, EPT_W | EPT_X), -1);
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, EPT_RWX | EPT_LARGE), -1);
	assert_int_equal(ept_map(&e, BIT(48), HPA, PAGE_SIZE, EPT_RWX), -1);
	assert_int_equal(ept_map(&e, BIT(48) - PAGE_SIZE, HPA, 2 * PAGE_SIZE,
				 EPT_RWX), -1);
	assert_int_equal(ept_map(&e, 0, BIT(52), PAGE_SIZE, EPT_RWX), -1);
	assert_int_equal(e.tables, 1);
}

static void execute_only_and_read_only_are_valid(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, EPT_X), 0);
	assert_int_equal(ept_map(&e, PAGE_SIZE, HPA, PAGE_SIZE, EPT_R), 0);
	expect_mapped(0, HPA, EPT_X);
	expect_mapped(PAGE_SIZE, HPA, EPT_R);
}

static void zero_length_map_and_unmap_do_nothing(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_map(&e, 0, HPA, 0, EPT_RWX), 0);
	assert_int_equal(ept_unmap(&e, 0, 0), 0);
	assert_int_equal(e.tables, 1);
}

static void bad_unmap_arguments_are_rejected(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_unmap(&e, 0x10, PAGE_SIZE), -1);
	assert_int_equal(ept_unmap(&e, 0, 0x10), -1);
	assert_int_equal(ept_unmap(&e, BIT(48), PAGE_SIZE), -1);
}

static void map_out_of_memory_fails(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	env_host_allocs_left = 2;	/* PDPT and PD, but no PT */
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, EPT_RWX), -1);
	expect_unmapped(0);
	env_host_allocs_left = -1;
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, EPT_RWX), 0);
	assert_int_equal(e.tables, 4);
}

static void split_out_of_memory_fails_and_keeps_the_large_page(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, SZ_2M, EPT_RWX);
	env_host_allocs_left = 0;
	assert_int_equal(ept_unmap(&e, PAGE_SIZE, PAGE_SIZE), -1);
	expect_level(PAGE_SIZE, LEVEL_2M);
	expect_mapped(PAGE_SIZE, HPA + PAGE_SIZE, EPT_RWX);
	assert_int_equal(e.tables, 3);
}

static void translate_beyond_48_bits_is_unmapped(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_map(&e, 0, HPA, SZ_1G, EPT_RWX);
	expect_unmapped(BIT(48));
	expect_unmapped(BIT(48) + 0x1000);
}

static void destroy_frees_every_table_and_leaves_frames_alone(void **state)
{
	(void)state;
	ept_init(&e, false, true);
	ept_map(&e, 0, HPA, 3 * PAGE_SIZE, EPT_RWX);
	ept_map(&e, 512 * SZ_1G, HPA, SZ_1G, EPT_RWX);
	ept_map(&e, 7 * SZ_1G + SZ_2M, HPA, PAGE_SIZE, EPT_RWX);
	assert_int_equal(env_host_live_pages, (long)e.tables);
	ept_destroy(&e);
	assert_int_equal(e.tables, 0);
	assert_null(e.pml4);
	assert_int_equal(env_host_live_pages, 0);
	ept_destroy(&e);	/* twice is harmless */
}

static void a_destroyed_hierarchy_refuses_work(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	ept_destroy(&e);
	assert_int_equal(ept_map(&e, 0, HPA, PAGE_SIZE, EPT_RWX), -1);
	assert_int_equal(ept_unmap(&e, 0, PAGE_SIZE), -1);
	expect_unmapped(0);
}

static void eptp_is_pml4_with_write_back_and_4_levels(void **state)
{
	(void)state;
	ept_init(&e, true, true);
	assert_int_equal(ept_eptp(&e), env_virt_to_phys(e.pml4) | 0x1e);
}

static void decode_reports_the_access_kind(void **state)
{
	struct ept_violation v;

	(void)state;
	v = ept_decode(EPT_QUAL_READ);
	assert_true(v.read);
	assert_false(v.write);
	assert_false(v.fetch);
	v = ept_decode(EPT_QUAL_WRITE);
	assert_true(v.write);
	assert_false(v.read);
	v = ept_decode(EPT_QUAL_FETCH);
	assert_true(v.fetch);
}

static void decode_reports_what_the_entry_allowed(void **state)
{
	(void)state;
	assert_int_equal(ept_decode(0).present, 0);
	/* a write to a read/execute page: bits 3 and 5 */
	assert_int_equal(ept_decode(EPT_QUAL_WRITE | BIT(3) | BIT(5)).present,
			 EPT_R | EPT_X);
	assert_int_equal(ept_decode(7ULL << EPT_QUAL_PERM_SHIFT).present, EPT_RWX);
}

static void decode_needs_a_valid_linear_address_for_translation(void **state)
{
	struct ept_violation v;

	(void)state;
	v = ept_decode(EPT_QUAL_READ | EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_XLATE);
	assert_true(v.gla_valid);
	assert_true(v.at_translation);
	v = ept_decode(EPT_QUAL_READ | EPT_QUAL_GLA_VALID);
	assert_true(v.gla_valid);
	assert_false(v.at_translation);	/* a guest page-walk access */
	v = ept_decode(EPT_QUAL_READ | EPT_QUAL_GLA_XLATE);
	assert_false(v.gla_valid);
	assert_false(v.at_translation);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(init_allocates_only_the_pml4),
		T(init_without_memory_fails),
		T(a_4k_mapping_builds_four_levels),
		T(leaves_carry_write_back_and_the_permissions),
		T(aligned_2m_uses_a_large_pde),
		T(large_pages_are_not_used_when_not_allowed),
		T(misaligned_host_address_falls_back_to_4k),
		T(aligned_1g_uses_a_large_pdpte),
		T(a_range_uses_the_largest_page_at_each_step),
		T(guest_ram_of_64m_needs_only_three_tables),
		T(a_mapping_replaces_an_earlier_one),
		T(a_large_page_over_small_ones_frees_their_table),
		T(a_4k_mapping_inside_a_large_page_splits_it),
		T(unmapping_4k_inside_a_2m_page_keeps_its_neighbours),
		T(a_split_keeps_the_memory_type_and_other_bits),
		T(unmapping_4k_inside_a_1g_page_splits_down_twice),
		T(unmapping_a_whole_large_page_needs_no_split),
		T(unmapping_a_covered_table_frees_it),
		T(unmapping_holes_and_unmapped_ranges_is_fine),
		T(unmapping_can_remap_after),
		T(bad_map_arguments_are_rejected),
		T(execute_only_and_read_only_are_valid),
		T(zero_length_map_and_unmap_do_nothing),
		T(bad_unmap_arguments_are_rejected),
		T(map_out_of_memory_fails),
		T(split_out_of_memory_fails_and_keeps_the_large_page),
		T(translate_beyond_48_bits_is_unmapped),
		T(destroy_frees_every_table_and_leaves_frames_alone),
		T(a_destroyed_hierarchy_refuses_work),
		T(eptp_is_pml4_with_write_back_and_4_levels),
		T(decode_reports_the_access_kind),
		T(decode_reports_what_the_entry_allowed),
		T(decode_needs_a_valid_linear_address_for_translation),
	};

	return UNIT_RUN("ept", tests);
}
