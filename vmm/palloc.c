/*
 * vmm/palloc.c - the physical page allocator: a sorted table of disjoint
 * free ranges (from the loader's memory map, minus reservations) plus a
 * free list of returned pages, threaded through the pages themselves.
 *
 * Pure module: memory is touched only through pointers whose value is the
 * physical address (lib/env.h), so it runs unchanged in host tests.
 * Follows no SDM section; the ranges come from the Multiboot memory map.
 * Environment: VMX root, single CPU, IF=0 - no locking.
 *
 * Build the table (add, then reserve) before the first allocation:
 * palloc_add() and palloc_reserve() do not look at the free list.
 */
#include "palloc.h"
#include "../lib/env.h"
#include "../lib/string.h"

/* [base, end), both page-aligned, base < end. */
struct palloc_range {
	u64 base, end;
};

static struct palloc_range ranges[PALLOC_MAX_RANGES];	/* sorted by base */
static u32 nranges;
static void *free_head;		/* freed pages; first word links to next */
static u64 free_count;

/* Forget all ranges and the free list. */
void palloc_reset(void)
{
	nranges = 0;
	free_head = NULL;
	free_count = 0;
}

static void range_remove(u32 i)
{
	memmove(&ranges[i], &ranges[i + 1], (nranges - i - 1) * sizeof(ranges[0]));
	nranges--;
}

/* Insert r keeping the table sorted; the caller checked there is room. */
static void range_insert(struct palloc_range r)
{
	u32 i = 0;

	while (i < nranges && ranges[i].base < r.base)
		i++;
	memmove(&ranges[i + 1], &ranges[i], (nranges - i) * sizeof(ranges[0]));
	ranges[i] = r;
	nranges++;
}

/* Absorb every range that overlaps or touches *r into *r, removing it. */
static void range_absorb(struct palloc_range *r)
{
	for (u32 i = 0; i < nranges;) {
		if (ranges[i].end < r->base || ranges[i].base > r->end) {
			i++;
			continue;
		}
		r->base = MIN(r->base, ranges[i].base);
		r->end = MAX(r->end, ranges[i].end);
		range_remove(i);
	}
}

/* base+len, saturating at the top of the address space. */
static u64 range_end(u64 base, u64 len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

/* Add RAM trimmed inward to whole pages; page 0 is never handed out (a
 * NULL pointer), so it is left out. Overlapping adds merge. */
int palloc_add(u64 base, u64 len)
{
	u64 end = ALIGN_DOWN(range_end(base, len), PAGE_SIZE);
	struct palloc_range r;

	if (base > UINT64_MAX - (PAGE_SIZE - 1))
		return 0;
	r.base = MAX(ALIGN_UP(base, PAGE_SIZE), PAGE_SIZE);
	r.end = end;
	if (r.base >= r.end)
		return 0;
	range_absorb(&r);
	if (nranges == PALLOC_MAX_RANGES)
		return -1;
	range_insert(r);
	return 0;
}

/* If [b, e) lies strictly inside one range (both sides keep pages), return
 * its index; that is the only case that needs a new table slot. */
static int range_find_split(u64 b, u64 e)
{
	for (u32 i = 0; i < nranges; i++)
		if (ranges[i].base < b && e < ranges[i].end)
			return (int)i;
	return -1;
}

/* Cut [b, e) out of every range; the caller made sure no range needs to
 * be split in two. */
static void range_cut(u64 b, u64 e)
{
	for (u32 i = 0; i < nranges;) {
		struct palloc_range *r = &ranges[i];

		if (r->end <= b || r->base >= e) {
			i++;
		} else if (r->base >= b && r->end <= e) {
			range_remove(i);
		} else {
			if (r->base < b)
				r->end = b;
			else
				r->base = e;
			i++;
		}
	}
}

/* Remove [b, e) (page-aligned) from the free ranges; the table is left
 * unchanged on -1 (a split with no free slot). */
static int reserve_pages(u64 b, u64 e)
{
	int split = range_find_split(b, e);

	if (split >= 0) {
		struct palloc_range hi = { e, ranges[split].end };

		if (nranges == PALLOC_MAX_RANGES)
			return -1;
		ranges[split].end = b;
		range_insert(hi);
		return 0;
	}
	range_cut(b, e);
	return 0;
}

/* Reserve [base, base+len) widened outward to whole pages. */
int palloc_reserve(u64 base, u64 len)
{
	u64 end = range_end(base, len);

	if (!len)
		return 0;
	end = end > UINT64_MAX - (PAGE_SIZE - 1) ? ALIGN_DOWN(end, PAGE_SIZE)
						  : ALIGN_UP(end, PAGE_SIZE);
	return reserve_pages(ALIGN_DOWN(base, PAGE_SIZE), end);
}

/* A page from the free list, or NULL when it is empty. */
static void *free_list_pop(void)
{
	void *p = free_head;

	if (p) {
		memcpy(&free_head, p, sizeof(free_head));
		free_count--;
	}
	return p;
}

/* One zeroed page: a freed page first, else the lowest free page. */
void *palloc_page(void)
{
	void *p = free_list_pop();

	if (!p && nranges) {
		p = env_phys_to_virt(ranges[0].base);
		ranges[0].base += PAGE_SIZE;
		if (ranges[0].base == ranges[0].end)
			range_remove(0);
	}
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

/* npages contiguous zeroed pages aligned to align, from the lowest range
 * that fits; NULL for a bad request or when nothing fits. */
void *palloc_contig(u64 npages, u64 align)
{
	u64 bytes = npages * PAGE_SIZE;

	if (!npages || npages > UINT64_MAX / PAGE_SIZE || align < PAGE_SIZE ||
	    (align & (align - 1)))
		return NULL;
	for (u32 i = 0; i < nranges; i++) {
		u64 start = ALIGN_UP(ranges[i].base, align);

		if (start < ranges[i].base || start >= ranges[i].end ||
		    bytes > ranges[i].end - start)
			continue;
		if (reserve_pages(start, start + bytes) < 0)
			continue;
		memset(env_phys_to_virt(start), 0, bytes);
		return env_phys_to_virt(start);
	}
	return NULL;
}

/* Put a page on the free list; NULL and pointers that are not page-aligned
 * are ignored (they cannot have come from this allocator). */
void palloc_free(void *page)
{
	if (!page || !IS_ALIGNED(env_virt_to_phys(page), PAGE_SIZE))
		return;
	memcpy(page, &free_head, sizeof(free_head));
	free_head = page;
	free_count++;
}

/* Pages in the ranges plus pages on the free list. */
u64 palloc_free_pages(void)
{
	u64 n = free_count;

	for (u32 i = 0; i < nranges; i++)
		n += (ranges[i].end - ranges[i].base) / PAGE_SIZE;
	return n;
}
