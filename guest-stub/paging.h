/*
 * guest-stub/paging.h - changing the boot identity map (head.S) one
 * 4 KiB page at a time in the first 2 MiB, where it uses 4 KiB pages, and
 * one 2 MiB page at a time above (the slow pages that ring 3 touches).
 * Environment: guest (ring 0), one CPU (no shootdown needed).
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include "../lib/types.h"

/* Return the PTE that maps va, or NULL if va is not 4 KiB-mapped. */
u64 *pt_pte(const void *va);

/* On every 4 KiB page of [va, va + len): set the PTE bits in set, clear
 * those in clear, and flush the TLB entry. Returns false (changing
 * nothing) if part of the range is not 4 KiB-mapped. */
bool pt_update(const void *va, size_t len, u64 set, u64 clear);

/* The same for the 2 MiB pages of the identity map, [2 MiB, 1 GiB): on
 * every 2 MiB page that [base, end) touches. False (changing nothing) if
 * the range reaches outside them. */
bool pd_update(u64 base, u64 end, u64 set, u64 clear);

/* Identity-map the 2 MiB page holding pa, uncached (PCD, PWT), for
 * device registers in the 4th GiB (the LAPIC at 0xfee00000): the boot
 * map covers only the first GiB. False if pa lies elsewhere. */
bool pd_map_mmio(u64 pa);

#endif
