/*
 * ept/ept.c - builds and walks the 4-level EPT hierarchy (PML4, PDPT, PD,
 * PT) and decodes EPT-violation exit qualifications.
 *
 * Pure module: table pages come from env_page_alloc() and are reached
 * through env_phys_to_virt(); no VMX instruction here (vmm/vcpu.c loads
 * the EPTP, vmx/vmx.c runs INVEPT - the caller must INVEPT after ept_map() over a
 * live mapping and after every ept_unmap()). Follows SDM Vol. 3C "EPT
 * Translation Mechanism" and "EPT Violations".
 * Environment: VMX root, IF=0, single CPU; or host tests.
 */
#include "ept.h"
#include "../lib/env.h"

#define EPT_TOP_LEVEL	3	/* PML4; level 0 is the page table */
#define EPT_INDEX_BITS	9
#define EPT_ENTRIES	(1u << EPT_INDEX_BITS)
#define EPT_GPA_LIMIT	BIT(48)	/* 4-level walk: 48-bit guest-physical */
#define EPT_HPA_LIMIT	BIT(52)
#define EPT_LEVEL_2M	1
#define EPT_LEVEL_1G	2
/* Non-leaf entries grant everything; the leaf decides the access. */
#define EPT_TABLE_PERMS	EPT_RWX

/* Bytes mapped by one entry at level lvl (4K, 2M, 1G, 512G). */
static u64 level_size(int lvl)
{
	return PAGE_SIZE << (EPT_INDEX_BITS * lvl);
}

/* Index of gpa's entry in a level-lvl table. */
static unsigned level_index(u64 gpa, int lvl)
{
	return (gpa >> (PAGE_SHIFT + EPT_INDEX_BITS * lvl)) & (EPT_ENTRIES - 1);
}

static bool entry_present(u64 pte)
{
	return (pte & EPT_RWX) != 0;
}

/* Does this level-lvl entry point to a lower table (not a leaf)? */
static bool entry_is_table(u64 pte, int lvl)
{
	return lvl > 0 && entry_present(pte) && !(pte & EPT_LARGE);
}

static u64 *table_of(u64 pte)
{
	return env_phys_to_virt(pte & EPT_ADDR_MASK);
}

/* A leaf entry mapping hpa at level lvl with perms, write-back. */
static u64 make_leaf(u64 hpa, int lvl, u64 perms)
{
	return hpa | (perms & EPT_RWX) | EPT_MT_WB | (lvl ? EPT_LARGE : 0);
}

/* A zeroed table page, counted in e->tables; NULL without memory. */
static u64 *table_alloc(struct ept *e)
{
	u64 *t = env_page_alloc();

	if (t)
		e->tables++;
	return t;
}

/* Free table t (whose entries are level lvl) and every table below it;
 * the frames that leaves map are not ours and stay untouched. */
static void free_tree(struct ept *e, u64 *t, int lvl)
{
	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		if (entry_is_table(t[i], lvl))
			free_tree(e, table_of(t[i]), lvl - 1);
	env_page_free(t);
	e->tables--;
}

/* Fill table t (level child) with leaves that map what the large leaf
 * at level child+1 mapped, with the same permissions and memory type. */
static void split_fill(u64 *t, u64 leaf, int child)
{
	u64 base = leaf & EPT_ADDR_MASK;
	u64 attrs = leaf & ~(EPT_ADDR_MASK | EPT_LARGE);
	u64 large = child ? EPT_LARGE : 0;

	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		t[i] = (base + i * level_size(child)) | attrs | large;
}

/* Make *pte (level lvl, empty or a large leaf) point to a table; a large
 * leaf is split so the rest of its range stays mapped. 0 or -1. */
static int ensure_table(struct ept *e, u64 *pte, int lvl)
{
	u64 *t = table_alloc(e);

	if (!t)
		return -1;
	if (entry_present(*pte))
		split_fill(t, *pte, lvl - 1);
	/* the table is complete before it becomes reachable */
	*pte = env_virt_to_phys(t) | EPT_TABLE_PERMS;
	return 0;
}

/* Return the level-lvl entry for gpa, creating tables and splitting large
 * pages on the way down; NULL without memory. */
static u64 *walk_create(struct ept *e, u64 gpa, int lvl)
{
	u64 *table = e->pml4;

	for (int l = EPT_TOP_LEVEL; l > lvl; l--) {
		u64 *pte = &table[level_index(gpa, l)];

		if (!entry_is_table(*pte, l) && ensure_table(e, pte, l) < 0)
			return NULL;
		table = table_of(*pte);
	}
	return &table[level_index(gpa, lvl)];
}

/* The largest leaf level usable at gpa/hpa for at most len bytes. */
static int map_level(const struct ept *e, u64 gpa, u64 hpa, u64 len)
{
	if (e->use_1g && IS_ALIGNED(gpa | hpa, SZ_1G) && len >= SZ_1G)
		return EPT_LEVEL_1G;
	if (e->use_2m && IS_ALIGNED(gpa | hpa, SZ_2M) && len >= SZ_2M)
		return EPT_LEVEL_2M;
	return 0;
}

/* Install one leaf at level lvl, freeing any table it replaces. */
static int map_one(struct ept *e, u64 gpa, u64 hpa, int lvl, u64 perms)
{
	u64 *pte = walk_create(e, gpa, lvl);
	u64 old;

	if (!pte)
		return -1;
	old = *pte;
	*pte = make_leaf(hpa, lvl, perms);
	if (entry_is_table(old, lvl))
		free_tree(e, table_of(old), lvl - 1);
	return 0;
}

/* Are perms a valid EPT grant? Write without read is a misconfiguration
 * (SDM "EPT Misconfigurations"); no permission at all is an unmap. */
static bool perms_valid(u64 perms)
{
	if (!perms || (perms & ~EPT_RWX))
		return false;
	return !((perms & EPT_W) && !(perms & EPT_R));
}

/* Page-aligned and inside the 48-bit guest-physical space? */
static bool gpa_range_valid(u64 gpa, u64 len)
{
	return IS_ALIGNED(gpa | len, PAGE_SIZE) && gpa < EPT_GPA_LIMIT &&
	       len <= EPT_GPA_LIMIT - gpa;
}

/* Start an empty hierarchy: one zeroed PML4. */
int ept_init(struct ept *e, bool use_2m, bool use_1g)
{
	*e = (struct ept){ .use_2m = use_2m, .use_1g = use_1g };
	e->pml4 = table_alloc(e);
	return e->pml4 ? 0 : -1;
}

/* Free every table page, leaving e empty (pml4 NULL). */
void ept_destroy(struct ept *e)
{
	if (e->pml4)
		free_tree(e, e->pml4, EPT_TOP_LEVEL);
	e->pml4 = NULL;
}

/* Map [gpa, gpa+len) -> [hpa, hpa+len). On -1 (bad arguments, or out of
 * memory) a prefix of the range may already be mapped. */
int ept_map(struct ept *e, u64 gpa, u64 hpa, u64 len, u64 perms)
{
	if (!e->pml4 || !perms_valid(perms) || !gpa_range_valid(gpa, len) ||
	    !IS_ALIGNED(hpa, PAGE_SIZE) || hpa >= EPT_HPA_LIMIT ||
	    len > EPT_HPA_LIMIT - hpa)
		return -1;
	while (len) {
		int lvl = map_level(e, gpa, hpa, len);
		u64 size = level_size(lvl);

		if (map_one(e, gpa, hpa, lvl, perms) < 0)
			return -1;
		gpa += size;
		hpa += size;
		len -= size;
	}
	return 0;
}

/* Clear the biggest entry at gpa that [gpa, end) covers whole, splitting
 * large pages that it covers in part; *next is where to go on. */
static int unmap_step(struct ept *e, u64 gpa, u64 end, u64 *next)
{
	u64 *table = e->pml4;

	for (int l = EPT_TOP_LEVEL;; l--) {
		u64 *pte = &table[level_index(gpa, l)];
		u64 size = level_size(l);
		u64 old = *pte;

		*next = ALIGN_DOWN(gpa, size) + size;
		if (!entry_present(old))
			return 0;
		if (IS_ALIGNED(gpa, size) && end - gpa >= size) {
			*pte = 0;
			if (entry_is_table(old, l))
				free_tree(e, table_of(old), l - 1);
			return 0;
		}
		if (!entry_is_table(old, l) && ensure_table(e, pte, l) < 0)
			return -1;
		table = table_of(*pte);
	}
}

/* Remove [gpa, gpa+len); unmapped holes inside are fine. On -1 (bad
 * arguments, or out of memory while splitting) a prefix may be gone. */
int ept_unmap(struct ept *e, u64 gpa, u64 len)
{
	u64 end = gpa + len, next;

	if (!e->pml4 || !gpa_range_valid(gpa, len))
		return -1;
	while (gpa < end) {
		if (unmap_step(e, gpa, end, &next) < 0)
			return -1;
		gpa = next;
	}
	return 0;
}

/* Walk the hierarchy for gpa; true with *hpa and *perms (either may be NULL)
 * when a leaf maps it. */
bool ept_translate(const struct ept *e, u64 gpa, u64 *hpa, u64 *perms)
{
	const u64 *table = e->pml4;

	if (!table || gpa >= EPT_GPA_LIMIT)
		return false;
	for (int l = EPT_TOP_LEVEL;; l--) {
		u64 pte = table[level_index(gpa, l)];
		u64 size = level_size(l);

		if (!entry_present(pte))
			return false;
		if (!entry_is_table(pte, l)) {
			if (hpa)
				*hpa = (pte & EPT_ADDR_MASK) + (gpa & (size - 1));
			if (perms)
				*perms = pte & EPT_RWX;
			return true;
		}
		table = table_of(pte);
	}
}

/* EPTP: PML4 address, write-back paging-structure accesses, 4-level walk,
 * accessed/dirty flags off. */
u64 ept_eptp(const struct ept *e)
{
	return env_virt_to_phys(e->pml4) | EPTP_MT_WB | EPTP_WALK_4;
}

/* Split the qualification into the access and what the entry allowed.
 * Bit 8 only means something when bit 7 (linear address valid) is set. */
struct ept_violation ept_decode(u64 qual)
{
	bool gla = qual & EPT_QUAL_GLA_VALID;

	return (struct ept_violation){
		.read = qual & EPT_QUAL_READ,
		.write = qual & EPT_QUAL_WRITE,
		.fetch = qual & EPT_QUAL_FETCH,
		.present = (u32)((qual >> EPT_QUAL_PERM_SHIFT) & EPT_RWX),
		.gla_valid = gla,
		.at_translation = gla && (qual & EPT_QUAL_GLA_XLATE),
	};
}
