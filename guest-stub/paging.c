/*
 * guest-stub/paging.c - PTE access for the 4 KiB-mapped first 2 MiB
 * (SDM Vol. 3A, "4-Level Paging and 5-Level Paging").
 * Environment: guest (ring 0).
 */
#include "paging.h"
#include "cpu.h"

u64 *pt_pte(const void *va)
{
	u64 a = (u64)(uintptr_t)va;

	if (a >= GS_SMALL_PAGES_END)
		return NULL;
	return &boot_pt0[a >> PAGE_SHIFT];
}

bool pt_update(const void *va, size_t len, u64 set, u64 clear)
{
	u64 a = ALIGN_DOWN((u64)(uintptr_t)va, PAGE_SIZE);
	u64 end = (u64)(uintptr_t)va + len;

	if (!len || end > GS_SMALL_PAGES_END)
		return false;
	for (; a < end; a += PAGE_SIZE) {
		u64 *pte = pt_pte((const void *)(uintptr_t)a);

		*pte = (*pte | set) & ~clear;
		invlpg((const void *)(uintptr_t)a);
	}
	return true;
}

#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define MMIO_GIB	3	/* the 4th GiB: 0xc0000000-0xffffffff */

/* The page directory of the 4th GiB, made on the first MMIO mapping. */
static u64 mmio_pd[512] __aligned(PAGE_SIZE);

bool pd_map_mmio(u64 pa)
{
	u64 base = ALIGN_DOWN(pa, SZ_2M);

	if (pa / SZ_1G != MMIO_GIB)
		return false;
	mmio_pd[(base % SZ_1G) / SZ_2M] = base | PTE_P | PTE_W | PTE_PS |
					  PTE_PCD | PTE_PWT;
	boot_pdpt[MMIO_GIB] = (u64)(uintptr_t)mmio_pd | PTE_P | PTE_W;
	write_cr3(read_cr3());	/* flush: the PDPT entry changed */
	return true;
}

bool pd_update(u64 base, u64 end, u64 set, u64 clear)
{
	u64 a = ALIGN_DOWN(base, SZ_2M);

	if (base >= end || a < GS_SMALL_PAGES_END || end > GS_IDENTITY_END)
		return false;
	for (; a < end; a += SZ_2M) {
		u64 *pde = &boot_pd[a / SZ_2M];

		*pde = (*pde | set) & ~clear;
		invlpg((const void *)(uintptr_t)a);
	}
	return true;
}
