/*
 * tests/guests/common/mb1.c - Multiboot v1 information as the kernel
 * reads it (Multiboot Specification 0.6.96, "Boot information format").
 *
 * Environment: ring 0, interrupts off, paging off.
 */
#include "guest.h"
#include "mb1.h"

#define MB1_MAGIC		0x2badb002u
#define MB1_INFO_MEM		BIT(0)
#define MB1_INFO_CMDLINE	BIT(2)
#define MB1_INFO_MMAP		BIT(6)
#define MB1_INFO_LOADER		BIT(9)

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr, syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb1_mmap {
	u32 size;	/* of the rest of the entry */
	u64 base, len;
	u32 type;
} __attribute__((packed));

void mb1_facts(u32 info, struct boot_facts *f)
{
	const struct mb1_info *mi = (const void *)info;
	u32 p, end;

	memset(f, 0, sizeof(*f));
	report_info("Multiboot v1 information at 0x%x, flags 0x%x", info, mi->flags);
	if (mi->flags & MB1_INFO_MEM) {
		f->have_mem = true;
		f->mem_lower = mi->mem_lower;
		f->mem_upper = mi->mem_upper;
	}
	if (mi->flags & MB1_INFO_CMDLINE)
		f->cmdline = (const char *)mi->cmdline;
	if (mi->flags & MB1_INFO_LOADER)
		f->loader = (const char *)mi->boot_loader_name;
	if (!(mi->flags & MB1_INFO_MMAP))
		return;
	end = mi->mmap_addr + mi->mmap_length;
	for (p = mi->mmap_addr; p + sizeof(struct mb1_mmap) <= end &&
	     f->nranges < ARRAY_SIZE(f->ranges); p += ((struct mb1_mmap *)p)->size + 4) {
		const struct mb1_mmap *e = (const void *)p;

		f->ranges[f->nranges++] = (struct mem_range){ e->base, e->len, e->type };
	}
}
