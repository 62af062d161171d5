/*
 * tests/unit/test_gwalk.c - vmm/gwalk.c: guest linear to guest-physical
 * translation (SDM Vol. 3A, "Paging"). Page tables are built in a fake
 * guest RAM for 32-bit paging (4K and PSE 4M pages), PAE (2M/4K) and
 * 4-level paging (1G/2M/4K), then translations, not-present, protection,
 * NX, SMEP and reserved-bit faults are checked with the exact #PF error
 * codes, and gwalk_read copies across page boundaries. Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../vmm/gwalk.h"

#define RAM_SIZE	(256 * KiB)
#define PAGE(n)		((u64)(n) * PAGE_SIZE)

/* Table and data pages in the fake RAM. */
#define TOP		PAGE(1)		/* PD, PDPT or PML4 */
#define L2		PAGE(2)
#define L3		PAGE(3)
#define L4		PAGE(4)
#define L2_HIGH		PAGE(5)		/* 4-level: the upper half's tables */
#define L3_HIGH		PAGE(6)
#define L4_HIGH		PAGE(7)
#define DATA_A		PAGE(0x20)
#define DATA_B		PAGE(0x21)
#define DATA_C		PAGE(0x30)
#define OUTSIDE_RAM	(4 * GiB)
#define FETCH_LEN	15		/* what the MMIO path fetches at RIP */

#define P		GWALK_PTE_P
#define RW		GWALK_PTE_RW
#define US		GWALK_PTE_US
#define PS		GWALK_PTE_PS
#define XD		GWALK_PTE_XD
#define PAT_4K		BIT(7)		/* PAT bit of a 4K PTE: not reserved */
#define PAT_LARGE	BIT(12)		/* PAT bit of a 2M/4M PDE */
#define ALL		(P | RW | US)

/* #PF error codes */
#define PF_NP_READ	0
#define PF_P		GWALK_PF_P
#define PF_W		GWALK_PF_W
#define PF_U		GWALK_PF_U
#define PF_RSVD		GWALK_PF_RSVD
#define PF_ID		GWALK_PF_ID

#define CR0_ON		(GWALK_CR0_PG | GWALK_CR0_WP)
#define EFER_LONG	(GWALK_EFER_LMA | GWALK_EFER_NXE)

static u8 ram[RAM_SIZE];
static u32 reads;

static bool ram_read_u64(void *ctx, u64 gpa, u64 *val)
{
	(void)ctx;
	assert_int_equal(gpa % sizeof(u64), 0);
	reads++;
	if (gpa >= RAM_SIZE)
		return false;
	memcpy(val, ram + gpa, sizeof(*val));
	return true;
}

static const struct gwalk_ops ops = { ram_read_u64, NULL };

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	reads = 0;
	return 0;
}

static void set32(u64 table, u32 idx, u32 val)
{
	memcpy(ram + table + idx * sizeof(u32), &val, sizeof(val));
}

static void set64(u64 table, u32 idx, u64 val)
{
	memcpy(ram + table + idx * sizeof(u64), &val, sizeof(val));
}

/* la must translate to gpa for access. */
static void maps(const struct gwalk_mode *m, u64 la, u32 access, u64 gpa)
{
	u32 pf = ~0u;
	u64 got = 0;

	assert_int_equal(gwalk_translate(&ops, m, la, access, &got, &pf),
			 GWALK_OK);
	assert_int_equal(got, gpa);
	assert_int_equal(pf, 0);
}

/* la must fail with res and #PF error code pf for access. */
static void faults(const struct gwalk_mode *m, u64 la, u32 access,
		   enum gwalk_result res, u32 pf)
{
	u32 got_pf = ~0u;
	u64 gpa;

	assert_int_equal(gwalk_translate(&ops, m, la, access, &gpa, &got_pf),
			 res);
	assert_int_equal(got_pf, pf);
}

/* --- paging off --------------------------------------------------------- */

static void paging_off_is_identity_within_4g(void **state)
{
	const struct gwalk_mode m = { .cr0 = 0 };

	(void)state;
	maps(&m, 0xfee00300, GWALK_WRITE | GWALK_USER, 0xfee00300);
	maps(&m, 0x100001000ULL, GWALK_FETCH, 0x1000);	/* wraps at 4 GiB */
	assert_int_equal(reads, 0);
}

/* --- 32-bit paging --------------------------------------------------- */

/* la 0xc0101234: PDE 0x300 (low half of a word), PTE 0x101 (high half). */
#define LA32		0xc0101234ULL
static const struct gwalk_mode M32 = { .cr0 = CR0_ON, .cr3 = TOP };
static const struct gwalk_mode M32_PSE = { .cr0 = CR0_ON, .cr3 = TOP,
					   .cr4 = GWALK_CR4_PSE };

static void map32_4k(u32 pde_flags, u32 pte_flags)
{
	set32(TOP, 0x300, (u32)L2 | pde_flags);
	set32(L2, 0x101, (u32)DATA_A | pte_flags);
}

static void bit32_4k_page(void **state)
{
	static u8 before[RAM_SIZE];

	(void)state;
	map32_4k(ALL, ALL | PAT_4K);
	memcpy(before, ram, sizeof(ram));
	maps(&M32, LA32, GWALK_READ, DATA_A + 0x234);
	maps(&M32, LA32, GWALK_WRITE | GWALK_USER, DATA_A + 0x234);
	maps(&M32, LA32 | 0xf00000000ULL, GWALK_READ, DATA_A + 0x234);
	/* accessed/dirty bits are not set */
	assert_memory_equal(before, ram, sizeof(ram));
}

static void bit32_pse_4m_page(void **state)
{
	(void)state;
	set32(TOP, 0x300, 0x00800000 | ALL | PS | PAT_LARGE);
	maps(&M32_PSE, LA32, GWALK_READ, 0x00800000 + (LA32 & (4 * MiB - 1)));
	/* PSE-36: bits 20:13 hold physical-address bits 39:32 */
	set32(TOP, 0x300, 0x00c00000 | (0x12 << 13) | ALL | PS);
	maps(&M32_PSE, LA32, GWALK_READ, 0x1200c00000ULL + 0x101234);
	/* bit 21 is reserved */
	set32(TOP, 0x300, 0x00c00000 | BIT(21) | ALL | PS);
	faults(&M32_PSE, LA32, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
}

static void bit32_ps_is_ignored_without_cr4_pse(void **state)
{
	(void)state;
	map32_4k(ALL | PS, ALL);
	maps(&M32, LA32, GWALK_READ, DATA_A + 0x234);
	/* with PSE it is a 4M page: L2's bit 13 reads as PSE-36 bit 32 */
	maps(&M32_PSE, LA32, GWALK_READ, BIT(32) | (LA32 & (4 * MiB - 1)));
}

static void bit32_not_present(void **state)
{
	(void)state;
	faults(&M32, LA32, GWALK_READ, GWALK_NOT_PRESENT, PF_NP_READ);
	map32_4k(ALL, ALL & ~P);
	faults(&M32, LA32, GWALK_WRITE | GWALK_USER, GWALK_NOT_PRESENT,
	       PF_W | PF_U);
	/* no NX nor SMEP: a fetch does not set I/D */
	faults(&M32, LA32, GWALK_FETCH, GWALK_NOT_PRESENT, 0);
}

static void bit32_user_and_write_protection(void **state)
{
	struct gwalk_mode no_wp = M32;

	(void)state;
	no_wp.cr0 &= ~GWALK_CR0_WP;
	map32_4k(P | RW, ALL);	/* supervisor-only at the PDE */
	faults(&M32, LA32, GWALK_READ | GWALK_USER, GWALK_PROTECTION,
	       PF_P | PF_U);
	faults(&M32, LA32, GWALK_FETCH | GWALK_USER, GWALK_PROTECTION,
	       PF_P | PF_U);
	map32_4k(ALL, P | US);	/* read-only at the PTE */
	faults(&M32, LA32, GWALK_WRITE, GWALK_PROTECTION, PF_P | PF_W);
	maps(&no_wp, LA32, GWALK_WRITE, DATA_A + 0x234);
	faults(&no_wp, LA32, GWALK_WRITE | GWALK_USER, GWALK_PROTECTION,
	       PF_P | PF_W | PF_U);
	maps(&M32, LA32, GWALK_READ | GWALK_USER, DATA_A + 0x234);
}

static void bit32_smep_refuses_supervisor_fetch_from_user_page(void **state)
{
	struct gwalk_mode smep = M32;

	(void)state;
	smep.cr4 |= GWALK_CR4_SMEP;
	map32_4k(ALL, ALL);
	maps(&M32, LA32, GWALK_FETCH, DATA_A + 0x234);
	faults(&smep, LA32, GWALK_FETCH, GWALK_PROTECTION, PF_P | PF_ID);
	maps(&smep, LA32, GWALK_FETCH | GWALK_USER, DATA_A + 0x234);
	maps(&smep, LA32, GWALK_READ, DATA_A + 0x234);	/* SMEP: fetches only */
}

/* --- PAE paging ------------------------------------------------------- */

/* CR3 bits 4:0 are not part of the PDPT address (bit 3 is PWT). */
#define PDPT_PAE	(TOP + 0x20)
#define LA_PAE_2M	0xc0412345ULL	/* PDPTE 3, PDE 2 */
#define LA_PAE_4K	0xc0001abcULL	/* PDPTE 3, PDE 0, PTE 1 */
static const struct gwalk_mode MPAE = { .cr0 = CR0_ON,
					.cr3 = PDPT_PAE | BIT(3),
					.cr4 = GWALK_CR4_PAE,
					.efer = GWALK_EFER_NXE };

static void map_pae(u64 pdpte, u64 pde_2m, u64 pde, u64 pte)
{
	set64(PDPT_PAE, 3, L2 | pdpte);
	set64(L2, 2, 0x00400000 | PS | pde_2m);
	set64(L2, 0, L3 | pde);
	set64(L3, 1, DATA_A | pte);
}

static void pae_2m_and_4k_pages(void **state)
{
	(void)state;
	map_pae(P, ALL | PAT_LARGE, ALL, ALL | PAT_4K);
	maps(&MPAE, LA_PAE_2M, GWALK_WRITE | GWALK_USER, 0x00412345);
	maps(&MPAE, LA_PAE_4K, GWALK_FETCH | GWALK_USER, DATA_A + 0xabc);
}

static void pae_nx_sets_the_id_bit(void **state)
{
	(void)state;
	map_pae(P, ALL | XD, ALL, ALL | XD);
	maps(&MPAE, LA_PAE_4K, GWALK_READ, DATA_A + 0xabc);
	faults(&MPAE, LA_PAE_4K, GWALK_FETCH, GWALK_PROTECTION, PF_P | PF_ID);
	faults(&MPAE, LA_PAE_2M, GWALK_FETCH | GWALK_USER, GWALK_PROTECTION,
	       PF_P | PF_U | PF_ID);
	set64(L3, 1, 0);
	faults(&MPAE, LA_PAE_4K, GWALK_FETCH, GWALK_NOT_PRESENT, PF_ID);
}

static void pae_reserved_bits(void **state)
{
	struct gwalk_mode no_nxe = MPAE;

	(void)state;
	no_nxe.efer = 0;
	map_pae(P | RW, ALL, ALL, ALL);		/* PDPTEs have no R/W */
	faults(&MPAE, LA_PAE_4K, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
	map_pae(P, ALL | BIT(13), ALL, ALL | BIT(52));
	faults(&MPAE, LA_PAE_2M, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
	faults(&MPAE, LA_PAE_4K, GWALK_WRITE, GWALK_RESERVED,
	       PF_P | PF_W | PF_RSVD);
	map_pae(P, ALL, ALL, ALL | XD);		/* XD without NXE */
	maps(&MPAE, LA_PAE_4K, GWALK_READ, DATA_A + 0xabc);
	faults(&no_nxe, LA_PAE_4K, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
	/* no NXE, no SMEP: no I/D */
	faults(&no_nxe, LA_PAE_4K, GWALK_FETCH, GWALK_RESERVED, PF_P | PF_RSVD);
	set64(PDPT_PAE, 3, 0);
	faults(&MPAE, LA_PAE_4K, GWALK_READ, GWALK_NOT_PRESENT, 0);
}

/* --- 4-level paging ---------------------------------------------------- */

#define LA_1G		0x41234567ULL		/* PML4 0, PDPT 1 */
#define LA_2M		0x00212345ULL		/* PML4 0, PDPT 0, PD 1 */
#define LA_4K		0x00005abcULL		/* PML4 0, PDPT 0, PD 0, PT 5 */
#define LA_HIGH		0xffffffff80001234ULL	/* PML4 511, PDPT 510, PD 0, PT 1 */
static const struct gwalk_mode M64 = { .cr0 = CR0_ON, .cr3 = TOP,
				       .cr4 = GWALK_CR4_PAE,
				       .efer = EFER_LONG };

static void map_4level(void)
{
	set64(TOP, 0, L2 | ALL);
	set64(L2, 1, 0x40000000 | ALL | PS);
	set64(L2, 0, L3 | ALL);
	set64(L3, 1, 0x00600000 | ALL | PS | PAT_LARGE);
	set64(L3, 0, L4 | ALL);
	set64(L4, 5, DATA_A | ALL);
	set64(TOP, 511, L2_HIGH | P | RW);
	set64(L2_HIGH, 510, L3_HIGH | P | RW);
	set64(L3_HIGH, 0, L4_HIGH | P | RW);
	set64(L4_HIGH, 1, DATA_B | P | RW);
}

static void level4_1g_2m_4k_and_upper_half(void **state)
{
	(void)state;
	map_4level();
	maps(&M64, LA_1G, GWALK_WRITE | GWALK_USER, LA_1G);
	maps(&M64, LA_2M, GWALK_READ, 0x00612345);
	maps(&M64, LA_4K, GWALK_FETCH | GWALK_USER, DATA_A + 0xabc);
	maps(&M64, LA_HIGH, GWALK_WRITE, DATA_B + 0x234);
	faults(&M64, LA_HIGH, GWALK_READ | GWALK_USER, GWALK_PROTECTION,
	       PF_P | PF_U);
}

static void level4_rights_combine_across_levels(void **state)
{
	struct gwalk_mode no_wp = M64;

	(void)state;
	no_wp.cr0 &= ~GWALK_CR0_WP;
	map_4level();
	set64(TOP, 0, L2 | P | US);		/* read-only at the PML4E */
	faults(&M64, LA_4K, GWALK_WRITE, GWALK_PROTECTION, PF_P | PF_W);
	maps(&no_wp, LA_4K, GWALK_WRITE, DATA_A + 0xabc);
	set64(TOP, 0, L2 | ALL);
	set64(L2, 0, L3 | P | RW);		/* supervisor at the PDPTE */
	faults(&M64, LA_2M, GWALK_READ | GWALK_USER, GWALK_PROTECTION,
	       PF_P | PF_U);
	set64(L2, 0, L3 | ALL);
	set64(L3, 0, L4 | ALL | XD);		/* XD at the PDE */
	faults(&M64, LA_4K, GWALK_FETCH | GWALK_USER, GWALK_PROTECTION,
	       PF_P | PF_U | PF_ID);
	maps(&M64, LA_4K, GWALK_WRITE | GWALK_USER, DATA_A + 0xabc);
}

static void level4_smep(void **state)
{
	struct gwalk_mode smep = M64;

	(void)state;
	smep.cr4 |= GWALK_CR4_SMEP;
	map_4level();
	faults(&smep, LA_4K, GWALK_FETCH, GWALK_PROTECTION, PF_P | PF_ID);
	maps(&smep, LA_HIGH, GWALK_FETCH, DATA_B + 0x234);
}

static void level4_not_present_and_reserved(void **state)
{
	struct gwalk_mode no_nxe = M64;

	(void)state;
	no_nxe.efer &= ~GWALK_EFER_NXE;
	map_4level();
	set64(L4, 5, DATA_A);
	faults(&M64, LA_4K, GWALK_WRITE | GWALK_USER, GWALK_NOT_PRESENT,
	       PF_W | PF_U);
	set64(L2, 1, 0x40000000 | ALL | PS | BIT(13));	/* 1G: 29:13 reserved */
	faults(&M64, LA_1G, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
	set64(L3, 1, 0x00600000 | ALL | PS | BIT(20));	/* 2M: 20:13 reserved */
	faults(&M64, LA_2M, GWALK_FETCH, GWALK_RESERVED,
	       PF_P | PF_RSVD | PF_ID);
	set64(TOP, 0, L2 | ALL | PS);			/* PS is reserved in a PML4E */
	faults(&M64, LA_4K, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
	set64(TOP, 511, L2_HIGH | P | RW | XD);
	faults(&no_nxe, LA_HIGH, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
	/* a reserved bit in a higher level wins over a lower non-present */
	set64(L4_HIGH, 1, 0);
	faults(&no_nxe, LA_HIGH, GWALK_READ, GWALK_RESERVED, PF_P | PF_RSVD);
}

static void level4_unsupported_and_bad_tables(void **state)
{
	struct gwalk_mode la57 = M64;
	u64 gpa;

	(void)state;
	la57.cr4 |= GWALK_CR4_LA57;
	map_4level();
	faults(&la57, LA_4K, GWALK_READ, GWALK_UNSUPPORTED, 0);
	faults(&M64, 0x0000800000000000ULL, GWALK_READ, GWALK_UNSUPPORTED, 0);
	faults(&M64, 0xffff7fffffffffffULL, GWALK_READ, GWALK_UNSUPPORTED, 0);
	set64(L3, 0, OUTSIDE_RAM | ALL);
	faults(&M64, LA_4K, GWALK_READ, GWALK_BAD_TABLE, 0);
	/* pf_error may be NULL */
	assert_int_equal(gwalk_translate(&ops, &M64, LA_2M, GWALK_READ, &gpa,
					 NULL), GWALK_OK);
	assert_int_equal(gpa, 0x00612345);
}

/* --- gwalk_read ----------------------------------------------------------- */

/* Linear pages 0x5000 and 0x6000 map to DATA_B and DATA_A: reversed. */
static void map_two_pages(void)
{
	map_4level();
	set64(L4, 5, DATA_B | ALL);
	set64(L4, 6, DATA_A | ALL);
	for (u32 i = 0; i < PAGE_SIZE; i++) {
		ram[DATA_A + i] = (u8)i;
		ram[DATA_B + i] = (u8)(0x80 + i);
	}
}

static void read_crosses_a_page_boundary(void **state)
{
	static const u8 want[] = { 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
				   0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
				   0x07 };
	u8 buf[sizeof(want)];
	u32 pf = ~0u;

	(void)state;
	map_two_pages();
	assert_int_equal(gwalk_read(&ops, &M64, 0x5ff9, buf, sizeof(buf),
				    GWALK_FETCH, &pf), GWALK_OK);
	assert_int_equal(pf, 0);
	assert_memory_equal(buf, want, sizeof(want));
	/* unaligned within one page */
	assert_int_equal(gwalk_read(&ops, &M64, 0x6003, buf, 3, GWALK_READ,
				    &pf), GWALK_OK);
	assert_memory_equal(buf, ((u8[]){ 0x03, 0x04, 0x05 }), 3);
}

static void read_stops_at_a_faulting_second_page(void **state)
{
	u8 buf[FETCH_LEN];
	u32 pf = ~0u;

	(void)state;
	map_two_pages();
	set64(L4, 6, 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(gwalk_read(&ops, &M64, 0x5ffc, buf, sizeof(buf),
				    GWALK_FETCH | GWALK_USER, &pf),
			 GWALK_NOT_PRESENT);
	assert_int_equal(pf, PF_U | PF_ID);
	assert_memory_equal(buf, ((u8[]){ 0x7c, 0x7d, 0x7e, 0x7f }), 4);
	/* the data itself outside RAM */
	set64(L4, 6, OUTSIDE_RAM | ALL);
	assert_int_equal(gwalk_read(&ops, &M64, 0x6000, buf, 1, GWALK_READ,
				    &pf), GWALK_BAD_TABLE);
}

static void read_in_32bit_paging(void **state)
{
	u8 buf[4];
	u32 pf;

	(void)state;
	set32(TOP, 0, (u32)L2 | ALL);
	set32(L2, 0x10, (u32)DATA_C | ALL);
	set32(L2, 0x11, (u32)DATA_A | ALL);
	memcpy(ram + DATA_C + PAGE_SIZE - 2, "\xaa\xbb", 2);
	memcpy(ram + DATA_A, "\xcc\xdd", 2);
	assert_int_equal(gwalk_read(&ops, &M32, 0x10ffe, buf, sizeof(buf),
				    GWALK_READ, &pf), GWALK_OK);
	assert_memory_equal(buf, "\xaa\xbb\xcc\xdd", sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(paging_off_is_identity_within_4g, setup),
		cmocka_unit_test_setup(bit32_4k_page, setup),
		cmocka_unit_test_setup(bit32_pse_4m_page, setup),
		cmocka_unit_test_setup(bit32_ps_is_ignored_without_cr4_pse, setup),
		cmocka_unit_test_setup(bit32_not_present, setup),
		cmocka_unit_test_setup(bit32_user_and_write_protection, setup),
		cmocka_unit_test_setup(bit32_smep_refuses_supervisor_fetch_from_user_page, setup),
		cmocka_unit_test_setup(pae_2m_and_4k_pages, setup),
		cmocka_unit_test_setup(pae_nx_sets_the_id_bit, setup),
		cmocka_unit_test_setup(pae_reserved_bits, setup),
		cmocka_unit_test_setup(level4_1g_2m_4k_and_upper_half, setup),
		cmocka_unit_test_setup(level4_rights_combine_across_levels, setup),
		cmocka_unit_test_setup(level4_smep, setup),
		cmocka_unit_test_setup(level4_not_present_and_reserved, setup),
		cmocka_unit_test_setup(level4_unsupported_and_bad_tables, setup),
		cmocka_unit_test_setup(read_crosses_a_page_boundary, setup),
		cmocka_unit_test_setup(read_stops_at_a_faulting_second_page, setup),
		cmocka_unit_test_setup(read_in_32bit_paging, setup),
	};

	return UNIT_RUN("gwalk", tests);
}
