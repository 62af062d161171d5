/*
 * boot/multiboot.c - turns the boot loader's Multiboot v1 or v2
 * information into struct boot_info (memory map, command line, modules,
 * loader name, ACPI RSDP, UEFI or not).
 *
 * Pure module: it reads the loader's memory through env_phys_to_virt()
 * and checks every length against the bounds of the structure it sits in
 * before reading, so a malformed structure is an error, never a wild read.
 * Follows the Multiboot Specification 0.6.96 ("Boot information format")
 * and Multiboot2 Specification 2.0 ("Boot information"); no SDM section.
 * Environment: early boot (64-bit, IF=0, identity map), or host tests.
 *
 * Everything is copied into boot_info, so afterwards only module contents
 * are still needed from the loader's memory; info_start/info_end cover the
 * v1 info block or the whole v2 tag list.
 */
#include "multiboot.h"
#include "../lib/env.h"
#include "../lib/fmt.h"
#include "../lib/string.h"

#define KIB_SHIFT		10
#define MB_NO_BOUND		SIZE_MAX	/* v1 strings: only the NUL ends them */
#define MB_LOW_MEM_BASE		0
#define MB_HIGH_MEM_BASE	(1 * MiB)	/* mem_upper counts from 1 MiB */

/* v1: the `size` field precedes each entry and does not count itself;
 * addr, len and type must fit in what it announces. */
#define MB1_MMAP_SIZE_FIELD	sizeof(u32)
#define MB1_MMAP_MIN_SIZE	(sizeof(struct mb1_mmap_entry) - MB1_MMAP_SIZE_FIELD)

/* v2 layout (Multiboot2 spec 3.6): an 8-byte header (total_size,
 * reserved), then tags aligned to 8 bytes. */
#define MB2_INFO_HEADER		8u
#define MB2_TAG_ALIGN		8u
#define MB2_TAG_HEADER		sizeof(struct mb2_tag)
#define MB2_INFO_MIN		(MB2_INFO_HEADER + MB2_TAG_HEADER)
#define MB2_INFO_MAX		(1u * 1024 * 1024)	/* sanity bound */
#define MB2_MODULE_FIXED	(MB2_TAG_HEADER + 2 * sizeof(u32))
#define MB2_MEMINFO_SIZE	(MB2_TAG_HEADER + 2 * sizeof(u32))
#define MB2_MMAP_FIXED		(MB2_TAG_HEADER + 2 * sizeof(u32))
#define MB2_MMAP_ENTRY_MIN	24u	/* addr, len, type, reserved */
#define MB2_MMAP_ENTRY_ALIGN	8u
#define MB2_MMAP_OFF_LEN	8u	/* entry: u64 addr, u64 len, u32 type */
#define MB2_MMAP_OFF_TYPE	16u
#define ACPI_RSDP_V1_SIZE	20u
#define ACPI_RSDP_V2_SIZE	36u

/* One parse in progress: where errors go. */
struct mb_ctx {
	struct boot_info *bi;
	char *err;
	size_t errlen;
};

/* v2 state that is only decided once the walk ends. */
struct mb2_state {
	bool have_meminfo;
	u32 mem_lower, mem_upper;
	u64 rsdp_old, rsdp_new;
	bool end_seen;
};

static int fail(struct mb_ctx *c, const char *f, ...) __printf(2, 3);

/* Record an error message; always returns -1. */
static int fail(struct mb_ctx *c, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	fmt_vsnprintf(c->err, c->errlen, f, ap);
	va_end(ap);
	return -1;
}

static u32 rd32(u64 pa)
{
	u32 v;

	memcpy(&v, env_phys_to_virt(pa), sizeof(v));
	return v;
}

static u64 rd64(u64 pa)
{
	u64 v;

	memcpy(&v, env_phys_to_virt(pa), sizeof(v));
	return v;
}

/* Append one memory region; -1 when the table is full. */
static int add_region(struct mb_ctx *c, u64 base, u64 len, u32 type)
{
	struct boot_info *bi = c->bi;

	if (!len)
		return 0;	/* some firmware lists empty entries */
	if (bi->nregions == BOOT_MAX_REGIONS)
		return fail(c, "more than %u memory map entries", BOOT_MAX_REGIONS);
	bi->regions[bi->nregions++] = (struct boot_region){ base, len, type };
	return 0;
}

/* The pre-mmap fallback: mem_lower KiB at 0, mem_upper KiB at 1 MiB. */
static int add_basic_meminfo(struct mb_ctx *c, u32 lower_kib, u32 upper_kib)
{
	if (add_region(c, MB_LOW_MEM_BASE, (u64)lower_kib << KIB_SHIFT,
		       BOOT_MEM_RAM) < 0)
		return -1;
	return add_region(c, MB_HIGH_MEM_BASE, (u64)upper_kib << KIB_SHIFT,
			  BOOT_MEM_RAM);
}

/* Copy the NUL-terminated string at pa, which may use at most max bytes
 * (MB_NO_BOUND: none but its NUL), into dst; fail naming what when it
 * does not fit or has no NUL within max. Address 0 means empty. */
static int copy_string(struct mb_ctx *c, char *dst, size_t size, u64 pa,
		       size_t max, const char *what)
{
	const char *s = env_phys_to_virt(pa);
	size_t limit = MIN(max, size), n;

	dst[0] = '\0';
	if (!pa)
		return 0;
	n = strnlen(s, limit);
	if (n == limit && max <= size)
		return fail(c, "%s is not NUL-terminated", what);
	if (n == limit)
		return fail(c, "%s is longer than %zu bytes", what, size - 1);
	memcpy(dst, s, n + 1);
	return 0;
}

/* Copy the loader's name, truncated if need be: it is only logged. */
static void copy_name(char *dst, size_t size, u64 pa, size_t max)
{
	const char *s = env_phys_to_virt(pa);
	size_t n;

	dst[0] = '\0';
	if (!pa || !max)
		return;
	n = strnlen(s, MIN(max, size - 1));
	if (n == max)
		return;		/* no NUL inside the tag: leave it empty */
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Add a module [start, end) with its command line at cmd_pa. */
static int add_module(struct mb_ctx *c, u64 start, u64 end, u64 cmd_pa,
		      size_t cmd_max)
{
	struct boot_info *bi = c->bi;
	struct boot_module *m;

	if (bi->nmodules == BOOT_MAX_MODULES)
		return fail(c, "more than %u boot modules", BOOT_MAX_MODULES);
	if (end < start)
		return fail(c, "module %u ends (0x%llx) before it starts (0x%llx)",
			    bi->nmodules, (unsigned long long)end,
			    (unsigned long long)start);
	m = &bi->modules[bi->nmodules];
	m->start = start;
	m->end = end;
	if (copy_string(c, m->cmdline, sizeof(m->cmdline), cmd_pa, cmd_max,
			"module command line") < 0)
		return -1;
	bi->nmodules++;
	return 0;
}

/* --- Multiboot v1 ------------------------------------------------------ */

/* Walk the v1 memory map: each entry is `size` and then size bytes. */
static int mb1_mmap(struct mb_ctx *c, u64 pa, u32 length)
{
	for (u64 off = 0; off < length;) {
		u64 e = pa + off;
		u32 size;

		if (length - off < MB1_MMAP_SIZE_FIELD + MB1_MMAP_MIN_SIZE)
			return fail(c, "mb1: mmap entry at offset %llu is truncated",
				    (unsigned long long)off);
		size = rd32(e);
		if (size < MB1_MMAP_MIN_SIZE ||
		    size > length - off - MB1_MMAP_SIZE_FIELD)
			return fail(c, "mb1: mmap entry at offset %llu has bad size %u",
				    (unsigned long long)off, size);
		if (add_region(c, rd64(e + offsetof(struct mb1_mmap_entry, addr)),
			       rd64(e + offsetof(struct mb1_mmap_entry, len)),
			       rd32(e + offsetof(struct mb1_mmap_entry, type))) < 0)
			return -1;
		off += MB1_MMAP_SIZE_FIELD + size;
	}
	return 0;
}

/* The module array: mods_count entries of struct mb1_module. */
static int mb1_modules(struct mb_ctx *c, const struct mb1_info *mi)
{
	if (mi->mods_count > BOOT_MAX_MODULES)
		return fail(c, "mb1: %u boot modules, at most %u supported",
			    mi->mods_count, BOOT_MAX_MODULES);
	if (mi->mods_count && !mi->mods_addr)
		return fail(c, "mb1: %u modules at address 0", mi->mods_count);
	for (u32 i = 0; i < mi->mods_count; i++) {
		struct mb1_module m;

		memcpy(&m, env_phys_to_virt(mi->mods_addr + (u64)i * sizeof(m)),
		       sizeof(m));
		if (add_module(c, m.mod_start, m.mod_end, m.cmdline,
			       MB_NO_BOUND) < 0)
			return -1;
	}
	return 0;
}

/* The fallback from mem_lower/mem_upper alone: it must describe some
 * memory (both 0 would leave nothing to run on; found by fuzz_multiboot,
 * F1). */
static int basic_meminfo(struct mb_ctx *c, u32 lower, u32 upper)
{
	if (add_basic_meminfo(c, lower, upper))
		return -1;
	return c->bi->nregions ? 0 :
	       fail(c, "no memory: mem_lower and mem_upper are both 0");
}

/* Memory: the full map when flagged, else mem_lower/mem_upper. */
static int mb1_memory(struct mb_ctx *c, const struct mb1_info *mi)
{
	if (mi->flags & MB1_INFO_MEM_MAP) {
		if (mi->mmap_length && !mi->mmap_addr)
			return fail(c, "mb1: memory map at address 0");
		if (mb1_mmap(c, mi->mmap_addr, mi->mmap_length) < 0)
			return -1;
	}
	if (c->bi->nregions)
		return 0;
	if (mi->flags & MB1_INFO_MEMORY)
		return basic_meminfo(c, mi->mem_lower, mi->mem_upper);
	return fail(c, "mb1: no memory information (no mmap, no mem_lower/upper)");
}

static int mb1_parse(struct mb_ctx *c, u64 pa)
{
	struct boot_info *bi = c->bi;
	struct mb1_info mi;

	memcpy(&mi, env_phys_to_virt(pa), sizeof(mi));
	bi->loader = BOOT_MB1;
	bi->info_start = pa;
	bi->info_end = pa + sizeof(mi);
	if ((mi.flags & MB1_INFO_CMDLINE) &&
	    copy_string(c, bi->cmdline, sizeof(bi->cmdline), mi.cmdline,
			MB_NO_BOUND, "mb1: command line") < 0)
		return -1;
	if (mi.flags & MB1_INFO_LOADER_NAME)
		copy_name(bi->loader_name, sizeof(bi->loader_name),
			  mi.boot_loader_name, MB_NO_BOUND);
	if ((mi.flags & MB1_INFO_MODS) && mb1_modules(c, &mi) < 0)
		return -1;
	return mb1_memory(c, &mi);
}

/* --- Multiboot v2 ------------------------------------------------------ */

/* A string tag: NUL-terminated text filling the rest of the tag. */
static int mb2_string(struct mb_ctx *c, char *dst, size_t size, u64 tag,
		      u32 tsize, const char *what)
{
	return copy_string(c, dst, size, tag + MB2_TAG_HEADER,
			   tsize - MB2_TAG_HEADER, what);
}

static int mb2_module(struct mb_ctx *c, u64 tag, u32 tsize)
{
	if (tsize <= MB2_MODULE_FIXED)
		return fail(c, "mb2: module tag of %u bytes is truncated", tsize);
	return add_module(c, rd32(tag + MB2_TAG_HEADER),
			  rd32(tag + MB2_TAG_HEADER + sizeof(u32)),
			  tag + MB2_MODULE_FIXED, tsize - MB2_MODULE_FIXED);
}

/* The mmap tag: entry_size, entry_version, then whole entries. */
static int mb2_mmap(struct mb_ctx *c, u64 tag, u32 tsize)
{
	u32 esize, n;

	if (tsize < MB2_MMAP_FIXED)
		return fail(c, "mb2: mmap tag of %u bytes is truncated", tsize);
	esize = rd32(tag + MB2_TAG_HEADER);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % MB2_MMAP_ENTRY_ALIGN)
		return fail(c, "mb2: mmap entry_size %u is invalid", esize);
	if ((tsize - MB2_MMAP_FIXED) % esize)
		return fail(c, "mb2: mmap tag ends inside an entry");
	n = (tsize - MB2_MMAP_FIXED) / esize;
	for (u32 i = 0; i < n; i++) {
		u64 e = tag + MB2_MMAP_FIXED + (u64)i * esize;

		if (add_region(c, rd64(e), rd64(e + MB2_MMAP_OFF_LEN),
			       rd32(e + MB2_MMAP_OFF_TYPE)) < 0)
			return -1;
	}
	return 0;
}

static int mb2_meminfo(struct mb_ctx *c, struct mb2_state *st, u64 tag,
		       u32 tsize)
{
	if (tsize < MB2_MEMINFO_SIZE)
		return fail(c, "mb2: basic meminfo tag of %u bytes is truncated",
			    tsize);
	st->have_meminfo = true;
	st->mem_lower = rd32(tag + MB2_TAG_HEADER);
	st->mem_upper = rd32(tag + MB2_TAG_HEADER + sizeof(u32));
	return 0;
}

/* ACPI tags hold a copy of the RSDP; record where the copy is. */
static int mb2_acpi(struct mb_ctx *c, u64 *rsdp, u64 tag, u32 tsize,
		    u32 need)
{
	if (tsize < MB2_TAG_HEADER + need)
		return fail(c, "mb2: ACPI tag of %u bytes is truncated", tsize);
	*rsdp = tag + MB2_TAG_HEADER;
	return 0;
}

/* Handle one tag that fits inside the info; unknown tags are skipped. */
static int mb2_tag(struct mb_ctx *c, struct mb2_state *st, u64 tag, u32 type,
		   u32 tsize)
{
	struct boot_info *bi = c->bi;

	switch (type) {
	case MB2_TAG_END:
		st->end_seen = true;
		return 0;
	case MB2_TAG_CMDLINE:
		return mb2_string(c, bi->cmdline, sizeof(bi->cmdline), tag, tsize,
				  "mb2: command line");
	case MB2_TAG_LOADER_NAME:
		copy_name(bi->loader_name, sizeof(bi->loader_name),
			  tag + MB2_TAG_HEADER, tsize - MB2_TAG_HEADER);
		return 0;
	case MB2_TAG_MODULE: return mb2_module(c, tag, tsize);
	case MB2_TAG_BASIC_MEMINFO: return mb2_meminfo(c, st, tag, tsize);
	case MB2_TAG_MMAP: return mb2_mmap(c, tag, tsize);
	case MB2_TAG_ACPI_OLD:
		return mb2_acpi(c, &st->rsdp_old, tag, tsize, ACPI_RSDP_V1_SIZE);
	case MB2_TAG_ACPI_NEW:
		return mb2_acpi(c, &st->rsdp_new, tag, tsize, ACPI_RSDP_V2_SIZE);
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI_MMAP:
	case MB2_TAG_EFI_BS:
		bi->efi = true;
		return 0;
	default:
		return 0;
	}
}

/* Walk the tags at 8-byte steps, never past total_size. */
static int mb2_walk(struct mb_ctx *c, struct mb2_state *st, u64 pa, u32 total)
{
	u32 step;

	for (u32 off = MB2_INFO_HEADER; !st->end_seen; off += step) {
		u32 type, size;

		if (off > total || total - off < MB2_TAG_HEADER)
			return fail(c, "mb2: no end tag within total_size %u", total);
		type = rd32(pa + off);
		size = rd32(pa + off + sizeof(u32));
		if (size < MB2_TAG_HEADER || size > total - off)
			return fail(c, "mb2: tag %u at offset %u has size %u, "
				    "outside total_size %u", type, off, size, total);
		if (mb2_tag(c, st, pa + off, type, size) < 0)
			return -1;
		step = (u32)ALIGN_UP(size, MB2_TAG_ALIGN);
	}
	return 0;
}

/* After the walk: the memory fallback and the preferred RSDP. */
static int mb2_finish(struct mb_ctx *c, const struct mb2_state *st)
{
	struct boot_info *bi = c->bi;

	bi->rsdp = st->rsdp_new ? st->rsdp_new : st->rsdp_old;
	if (bi->nregions)
		return 0;
	if (st->have_meminfo)
		return basic_meminfo(c, st->mem_lower, st->mem_upper);
	return fail(c, "mb2: no memory information (no mmap or basic meminfo tag)");
}

static int mb2_parse(struct mb_ctx *c, u64 pa)
{
	struct mb2_state st = { 0 };
	u32 total;

	if (!IS_ALIGNED(pa, MB2_TAG_ALIGN))
		return fail(c, "mb2: info at 0x%llx is not 8-byte aligned",
			    (unsigned long long)pa);
	total = rd32(pa);
	if (total < MB2_INFO_MIN || total > MB2_INFO_MAX)
		return fail(c, "mb2: total_size %u outside %u..%u", total,
			    (u32)MB2_INFO_MIN, MB2_INFO_MAX);
	c->bi->loader = BOOT_MB2;
	c->bi->info_start = pa;
	c->bi->info_end = pa + total;
	if (mb2_walk(c, &st, pa, total) < 0)
		return -1;
	return mb2_finish(c, &st);
}

/* Dispatch on the magic the loader left in EAX. */
int mb_parse(u32 magic, u64 info_pa, struct boot_info *bi, char *err,
	     size_t errlen)
{
	struct mb_ctx c = { bi, err, errlen };

	memset(bi, 0, sizeof(*bi));
	if (errlen)
		err[0] = '\0';
	if (magic != MB1_LOADER_MAGIC && magic != MB2_LOADER_MAGIC)
		return fail(&c, "bad loader magic 0x%x (expected 0x%x or 0x%x)",
			    magic, MB1_LOADER_MAGIC, MB2_LOADER_MAGIC);
	if (!info_pa)
		return fail(&c, "no boot information (address 0)");
	if (magic == MB1_LOADER_MAGIC)
		return mb1_parse(&c, info_pa);
	return mb2_parse(&c, info_pa);
}
