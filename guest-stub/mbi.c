/*
 * guest-stub/mbi.c - reading the Multiboot v1 information (structures
 * from boot/multiboot.h; constants shared with head.S pinned here).
 *
 * Environment: guest (ring 0). The info is trusted to be well formed only
 * as far as its own lengths say; nothing is read past mmap_length.
 */
#include "mbi.h"
#include "cpu.h"
#include "../boot/multiboot.h"

_Static_assert(GS_MB1_HEADER_MAGIC == MB1_HEADER_MAGIC, "mb1 header magic");
_Static_assert(GS_MB1_LOADER_MAGIC == MB1_LOADER_MAGIC, "mb1 loader magic");
_Static_assert(GS_MB1_HDR_FLAGS == (MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMORY_INFO |
				   MB1_HDR_AOUT_KLUDGE), "mb1 header flags");
_Static_assert(GS_MB1_INFO_CMDLINE == MB1_INFO_CMDLINE, "mb1 cmdline flag");
_Static_assert(GS_MB1_INFO_CMDLINE_OFF == __builtin_offsetof(struct mb1_info,
							     cmdline),
	       "mb1 cmdline offset");

#define MB1_MEM_LOWER_BASE	0x0
#define MB1_MEM_UPPER_BASE	0x100000

static const struct mb1_info *mbi(void)
{
	return (const struct mb1_info *)(uintptr_t)boot_mb_info;
}

bool mbi_valid(void)
{
	return boot_mb_magic == MB1_LOADER_MAGIC;
}

const char *mbi_cmdline(void)
{
	if (!(mbi()->flags & MB1_INFO_CMDLINE) || !mbi()->cmdline)
		return "";
	return (const char *)(uintptr_t)mbi()->cmdline;
}

/* RAM from mem_lower/mem_upper (KiB below 640 KiB and above 1 MiB). */
static unsigned mbi_ram_basic(struct mem_range *out, unsigned max)
{
	const struct mb1_info *m = mbi();

	if (!(m->flags & MB1_INFO_MEMORY) || max < 2)
		return 0;
	out[0] = (struct mem_range){ MB1_MEM_LOWER_BASE, m->mem_lower * KiB };
	out[1] = (struct mem_range){ MB1_MEM_UPPER_BASE,
				     MB1_MEM_UPPER_BASE + m->mem_upper * KiB };
	return 2;
}

unsigned mbi_ram(struct mem_range *out, unsigned max)
{
	const struct mb1_info *m = mbi();
	u64 pos, end;
	unsigned n = 0;

	if (!(m->flags & MB1_INFO_MEM_MAP))
		return mbi_ram_basic(out, max);
	pos = m->mmap_addr;
	end = pos + m->mmap_length;
	while (pos + sizeof(struct mb1_mmap_entry) <= end && n < max) {
		const struct mb1_mmap_entry *e = (const void *)(uintptr_t)pos;

		if (e->type == BOOT_MEM_RAM && e->len)
			out[n++] = (struct mem_range){ e->addr, e->addr + e->len };
		pos += e->size + sizeof(e->size);
	}
	return n;
}

static bool overlaps(u64 base, u64 end, u64 b2, u64 e2)
{
	return base < e2 && b2 < end;
}

bool mbi_overlaps_boot_data(u64 base, u64 end)
{
	const struct mb1_info *m = mbi();
	const struct mb1_module *mod;
	u64 info = boot_mb_info;

	if (overlaps(base, end, info, info + sizeof(*m)))
		return true;
	if (!(m->flags & MB1_INFO_MODS))
		return false;
	mod = (const void *)(uintptr_t)m->mods_addr;
	for (u32 i = 0; i < m->mods_count; i++)
		if (overlaps(base, end, mod[i].mod_start, mod[i].mod_end))
			return true;
	return false;
}
