/*
 * vmm/gwalk.c - a software walk of the guest's page tables: guest linear
 * to guest-physical, with the access-rights checks and the #PF error code
 * the CPU would produce (SDM Vol. 3A, chapter "Paging": "32-Bit Paging",
 * "PAE Paging", "4-Level Paging and 5-Level Paging", "Access Rights",
 * "Page-Fault Exceptions").
 *
 * Each paging mode is described as data: one struct gwalk_level per
 * level of its hierarchy, top first. MAXPHYADDR is taken as 52, the
 * architectural maximum, so only the reserved bits that do not depend on
 * it are caught. Accessed and dirty bits are never written.
 *
 * Environment: pure; touches guest memory only through struct gwalk_ops.
 * Runs in VMX root with IF=0, and hosted in unit tests.
 */
#include "gwalk.h"

#define GWALK_LA32_MASK		GENMASK(31, 0)	/* linear addresses wrap at 4 GiB */
#define GWALK_CANONICAL_BITS	48		/* 4-level: bits 63:47 equal */
#define GWALK_WORD		8		/* read_u64 granularity */

/* Where the next table or the page is (MAXPHYADDR 52). */
#define ADDR_MASK_WIDE		GENMASK(51, 12)	/* 8-byte entries, CR3 */
#define ADDR_MASK_NARROW	GENMASK(31, 12)	/* 32-bit paging, CR3 */
#define PAE_CR3_MASK		GENMASK(31, 5)	/* the 32-byte-aligned PDPT */

/* PSE-36: a 4 MiB PDE holds physical-address bits 39:32 in bits 20:13. */
#define PSE36_MASK		GENMASK(20, 13)
#define PSE36_SHIFT		(32 - 13)

/* Reserved bits (must be 0), per entry format. */
#define RSVD_4M			BIT(21)
#define RSVD_2M			GENMASK(20, 13)	/* bit 12 is PAT */
#define RSVD_1G			GENMASK(29, 13)
#define RSVD_PAE_HIGH		GENMASK(62, 52)	/* PAE: bits 62:MAXPHYADDR */
#define RSVD_PAE_PDPTE		(GENMASK(2, 1) | GENMASK(8, 5) | GENMASK(63, 52))
#define RSVD_PML4E		GWALK_PTE_PS

/* One level of a paging hierarchy. */
struct gwalk_level {
	u8 shift;	/* lowest linear-address bit of this level's index */
	u8 bits;	/* width of the index */
	bool rights;	/* R/W, U/S and XD apply (not to PAE PDPTEs) */
	bool large;	/* PS=1 maps a page here */
	u64 rsvd;	/* reserved bits when the entry references a table/4K page */
	u64 rsvd_large;	/* reserved bits when PS=1 maps a page */
};

static const struct gwalk_level LV_32[] = {
	{ .shift = 22, .bits = 10, .rights = true },
	{ .shift = 12, .bits = 10, .rights = true },
};

static const struct gwalk_level LV_32_PSE[] = {
	{ .shift = 22, .bits = 10, .rights = true, .large = true,
	  .rsvd_large = RSVD_4M },
	{ .shift = 12, .bits = 10, .rights = true },
};

static const struct gwalk_level LV_PAE[] = {
	{ .shift = 30, .bits = 2, .rsvd = RSVD_PAE_PDPTE },
	{ .shift = 21, .bits = 9, .rights = true, .large = true,
	  .rsvd = RSVD_PAE_HIGH, .rsvd_large = RSVD_PAE_HIGH | RSVD_2M },
	{ .shift = 12, .bits = 9, .rights = true, .rsvd = RSVD_PAE_HIGH },
};

static const struct gwalk_level LV_4LEVEL[] = {
	{ .shift = 39, .bits = 9, .rights = true, .rsvd = RSVD_PML4E },
	{ .shift = 30, .bits = 9, .rights = true, .large = true,
	  .rsvd_large = RSVD_1G },
	{ .shift = 21, .bits = 9, .rights = true, .large = true,
	  .rsvd_large = RSVD_2M },
	{ .shift = 12, .bits = 9, .rights = true },
};

/* The paging mode in use, as the walk needs it. */
struct gwalk_format {
	const struct gwalk_level *lv;
	u32 levels;
	bool wide;	/* 8-byte entries (PAE, 4-level) */
	bool nxe;	/* bit 63 of wide entries is XD, else reserved */
	u64 top;	/* guest-physical address of the top table */
	u64 la_mask;
	u64 addr_mask;
};

/* The rights granted by all the entries walked (SDM "Access Rights"). */
struct gwalk_rights {
	bool write;	/* R/W=1 at every level */
	bool user;	/* U/S=1 at every level */
	bool xd;	/* XD=1 at some level (with NXE) */
};

static void pf_set(u32 *pf_error, u32 code)
{
	if (pf_error)
		*pf_error = code;
}

static bool la_canonical(u64 la)
{
	u32 unused = 64 - GWALK_CANONICAL_BITS;

	return (u64)((s64)(la << unused) >> unused) == la;
}

/* 32-bit or PAE paging, from CR3/CR4. */
static void format_legacy(const struct gwalk_mode *m, struct gwalk_format *f)
{
	bool pse = m->cr4 & GWALK_CR4_PSE;

	if (m->cr4 & GWALK_CR4_PAE)
		*f = (struct gwalk_format){ LV_PAE, ARRAY_SIZE(LV_PAE), true,
					    m->efer & GWALK_EFER_NXE,
					    m->cr3 & PAE_CR3_MASK,
					    GWALK_LA32_MASK, ADDR_MASK_WIDE };
	else
		*f = (struct gwalk_format){ pse ? LV_32_PSE : LV_32,
					    ARRAY_SIZE(LV_32), false, false,
					    m->cr3 & ADDR_MASK_NARROW,
					    GWALK_LA32_MASK, ADDR_MASK_NARROW };
}

/* The format for mode m and address la (paging on), or why none. */
static enum gwalk_result format_of(const struct gwalk_mode *m, u64 la,
				   struct gwalk_format *f)
{
	if (!(m->efer & GWALK_EFER_LMA)) {
		format_legacy(m, f);
		return GWALK_OK;
	}
	if ((m->cr4 & GWALK_CR4_LA57) || !la_canonical(la))
		return GWALK_UNSUPPORTED;
	*f = (struct gwalk_format){ LV_4LEVEL, ARRAY_SIZE(LV_4LEVEL), true,
				    m->efer & GWALK_EFER_NXE,
				    m->cr3 & ADDR_MASK_WIDE, ~0ULL,
				    ADDR_MASK_WIDE };
	return GWALK_OK;
}

/* Entry idx of the table at gpa table; narrow entries are one half of
 * an aligned 8-byte word. */
static bool entry_read(const struct gwalk_ops *ops,
		       const struct gwalk_format *f, u64 table, u64 idx,
		       u64 *e)
{
	u64 addr = table + idx * (f->wide ? sizeof(u64) : sizeof(u32));
	u32 half = (u32)(addr % GWALK_WORD) * 8;

	if (!ops->read_u64(ops->ctx, addr - addr % GWALK_WORD, e))
		return false;
	if (!f->wide)
		*e = (u32)(*e >> half);
	return true;
}

static u64 level_index(const struct gwalk_level *lv, u64 la)
{
	return (la >> lv->shift) & (BIT(lv->bits) - 1);
}

static u64 entry_rsvd(const struct gwalk_format *f,
		      const struct gwalk_level *lv, bool large)
{
	u64 rsvd = large ? lv->rsvd_large : lv->rsvd;

	if (f->wide && lv->rights && !f->nxe)
		rsvd |= GWALK_PTE_XD;
	return rsvd;
}

static void rights_add(const struct gwalk_format *f, struct gwalk_rights *r,
		       u64 e)
{
	r->write &= !!(e & GWALK_PTE_RW);
	r->user &= !!(e & GWALK_PTE_US);
	r->xd |= f->wide && f->nxe && (e & GWALK_PTE_XD);
}

/* Start of the page that leaf entry e maps at level lv. */
static u64 page_base(const struct gwalk_format *f,
		     const struct gwalk_level *lv, u64 e, bool large)
{
	u64 base = e & f->addr_mask & ~(BIT(lv->shift) - 1);

	if (large && !f->wide)
		base |= (e & PSE36_MASK) << PSE36_SHIFT;
	return base;
}

/* Walk f's hierarchy for la: *gpa and the combined rights, or the first
 * fault met on the way down (SDM order: P, then reserved bits). */
static enum gwalk_result walk(const struct gwalk_ops *ops,
			      const struct gwalk_format *f, u64 la, u64 *gpa,
			      struct gwalk_rights *r)
{
	u64 table = f->top;

	for (u32 i = 0; i < f->levels; i++) {
		const struct gwalk_level *lv = &f->lv[i];
		bool large;
		u64 e;

		if (!entry_read(ops, f, table, level_index(lv, la), &e))
			return GWALK_BAD_TABLE;
		if (!(e & GWALK_PTE_P))
			return GWALK_NOT_PRESENT;
		large = lv->large && (e & GWALK_PTE_PS);
		if (e & entry_rsvd(f, lv, large))
			return GWALK_RESERVED;
		if (lv->rights)
			rights_add(f, r, e);
		if (large || i + 1 == f->levels) {
			*gpa = page_base(f, lv, e, large) |
			       (la & (BIT(lv->shift) - 1));
			return GWALK_OK;
		}
		table = e & f->addr_mask;
	}
	return GWALK_BAD_TABLE;	/* not reached: the last level is a leaf */
}

/* Would the CPU refuse access to a page with rights r? (SDM "Access
 * Rights": supervisor writes obey R/W only with CR0.WP; SMEP forbids
 * supervisor fetches from user pages.) */
static bool rights_deny(const struct gwalk_mode *m,
			const struct gwalk_rights *r, u32 access)
{
	bool user = access & GWALK_USER;

	if (user && !r->user)
		return true;
	if ((access & GWALK_WRITE) && !r->write &&
	    (user || (m->cr0 & GWALK_CR0_WP)))
		return true;
	if (access & GWALK_FETCH)
		return r->xd ||
		       (!user && r->user && (m->cr4 & GWALK_CR4_SMEP));
	return false;
}

/* The #PF error code for fault res on access. I/D is set only where the
 * CPU sets it: a fetch with SMEP, or with NXE under PAE/4-level paging. */
static u32 pf_code(const struct gwalk_mode *m, enum gwalk_result res,
		   u32 access)
{
	bool id_valid = (m->cr4 & GWALK_CR4_SMEP) ||
			((m->cr4 & GWALK_CR4_PAE) && (m->efer & GWALK_EFER_NXE));
	u32 code = 0;

	if (res != GWALK_NOT_PRESENT)
		code |= GWALK_PF_P;
	if (res == GWALK_RESERVED)
		code |= GWALK_PF_RSVD;
	if (access & GWALK_WRITE)
		code |= GWALK_PF_W;
	if (access & GWALK_USER)
		code |= GWALK_PF_U;
	if ((access & GWALK_FETCH) && id_valid)
		code |= GWALK_PF_ID;
	return code;
}

static bool is_page_fault(enum gwalk_result res)
{
	return res == GWALK_NOT_PRESENT || res == GWALK_PROTECTION ||
	       res == GWALK_RESERVED;
}

enum gwalk_result gwalk_translate(const struct gwalk_ops *ops,
				  const struct gwalk_mode *m, u64 la,
				  u32 access, u64 *gpa, u32 *pf_error)
{
	struct gwalk_rights r = { .write = true, .user = true };
	struct gwalk_format f;
	enum gwalk_result res;

	pf_set(pf_error, 0);
	if (!(m->cr0 & GWALK_CR0_PG)) {
		*gpa = la & GWALK_LA32_MASK;
		return GWALK_OK;
	}
	res = format_of(m, la, &f);
	if (res == GWALK_OK)
		res = walk(ops, &f, la & f.la_mask, gpa, &r);
	if (res == GWALK_OK && rights_deny(m, &r, access))
		res = GWALK_PROTECTION;
	if (is_page_fault(res))
		pf_set(pf_error, pf_code(m, res, access));
	return res;
}

/* Copy len bytes of guest-physical memory at gpa into dst, one aligned
 * word at a time (x86 is little-endian). */
static bool read_phys(const struct gwalk_ops *ops, u64 gpa, u8 *dst, u32 len)
{
	while (len) {
		u32 off = (u32)(gpa % GWALK_WORD);
		u32 n = MIN(len, GWALK_WORD - off);
		u64 word;

		if (!ops->read_u64(ops->ctx, gpa - off, &word))
			return false;
		for (u32 i = 0; i < n; i++)
			dst[i] = (u8)(word >> (8 * (off + i)));
		gpa += n;
		dst += n;
		len -= n;
	}
	return true;
}

enum gwalk_result gwalk_read(const struct gwalk_ops *ops,
			     const struct gwalk_mode *m, u64 la, void *buf,
			     u32 len, u32 access, u32 *pf_error)
{
	u8 *dst = buf;

	pf_set(pf_error, 0);
	while (len) {
		u32 chunk = (u32)MIN((u64)len, PAGE_SIZE - (la & ~PAGE_MASK));
		enum gwalk_result res;
		u64 gpa;

		res = gwalk_translate(ops, m, la, access, &gpa, pf_error);
		if (res != GWALK_OK)
			return res;
		if (!read_phys(ops, gpa, dst, chunk))
			return GWALK_BAD_TABLE;
		dst += chunk;
		la += chunk;
		len -= chunk;
	}
	return GWALK_OK;
}
