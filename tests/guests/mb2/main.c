/*
 * tests/guests/mb2/main.c - a Multiboot2 kernel checking what its loader
 * gave it (Multiboot2 Specification 2.0, "Boot information format"): the
 * magic, the information's alignment and size, that its tags are 8-byte
 * aligned and end with the end tag exactly at total_size, that every tag
 * the header asked for is there (command line, loader name, basic memory
 * information, memory map with 24-byte version-0 entries), then the same
 * checks as the v1 kernels on those facts, fw_cfg and the PC devices.
 * Built twice: mb2 (ELF placement) and mb2-aout (address tag).
 *
 * Environment: ring 0, interrupts off, paging off.
 */
#include "guest.h"

#define MB2_MAGIC		0x36d76289u
#define TAG_END			0
#define TAG_CMDLINE		1
#define TAG_LOADER_NAME		2
#define TAG_BASIC_MEMINFO	4
#define TAG_MMAP		6
#define TAG_ALIGN		8u
#define INFO_MAX		(64 * KIB)	/* more would be absurd here */
#define MMAP_ENTRY_MIN		24u

struct tag {
	u32 type, size;
};

struct mmap_tag {
	struct tag t;
	u32 entry_size, entry_version;
};

struct mmap_entry {
	u64 base, len;
	u32 type, reserved;
};

void kmain(u32 magic, u32 info);
void wrong_entry(void);

static u32 seen;	/* BIT(type) of every tag found */

static void take_mmap(const struct mmap_tag *m, struct boot_facts *f)
{
	u32 p = (u32)m + sizeof(*m), end = (u32)m + m->t.size;

	report(m->entry_size >= MMAP_ENTRY_MIN && m->entry_version == 0,
	       "memory map tag: %u-byte entries, version %u", m->entry_size,
	       m->entry_version);
	if (m->entry_size < MMAP_ENTRY_MIN)
		return;
	for (; p + m->entry_size <= end && f->nranges < ARRAY_SIZE(f->ranges);
	     p += m->entry_size) {
		const struct mmap_entry *e = (const void *)p;

		f->ranges[f->nranges++] = (struct mem_range){ e->base, e->len, e->type };
	}
}

static void take_tag(const struct tag *t, struct boot_facts *f)
{
	const u32 *w = (const u32 *)(t + 1);

	if (t->type < 32)
		seen |= BIT(t->type);
	switch (t->type) {
	case TAG_CMDLINE:
		f->cmdline = (const char *)w;
		break;
	case TAG_LOADER_NAME:
		f->loader = (const char *)w;
		break;
	case TAG_BASIC_MEMINFO:
		f->have_mem = true;
		f->mem_lower = w[0];
		f->mem_upper = w[1];
		break;
	case TAG_MMAP:
		take_mmap((const struct mmap_tag *)t, f);
		break;
	}
}

/* Walk the tags; true when the end tag closes them at total_size. */
static bool walk(u32 info, u32 total, struct boot_facts *f)
{
	u32 p = info + 8, end = info + total;

	while (p + sizeof(struct tag) <= end) {
		const struct tag *t = (const void *)p;

		if (t->size < sizeof(*t) || t->size > end - p || p % TAG_ALIGN) {
			report(false, "tag %u at 0x%x: size %u does not fit", t->type,
			       p, t->size);
			return false;
		}
		if (t->type == TAG_END)
			return t->size == 8 && p + 8 == end;
		take_tag(t, f);
		p = (p + t->size + TAG_ALIGN - 1) & ~(TAG_ALIGN - 1);
	}
	return false;
}

void kmain(u32 magic, u32 info)
{
	struct boot_facts f;
	u32 total = *(const u32 *)info;

	con_init();
	memset(&f, 0, sizeof(f));
	report_info("a Multiboot2 kernel running at %p", (void *)kmain);
	if (!report(magic == MB2_MAGIC, "Multiboot2 magic in EAX (0x%x)", magic))
		report_exit();
	report_info("Multiboot2 information at 0x%x, %u bytes", info, total);
	report(info % TAG_ALIGN == 0 && total >= 16 && total <= INFO_MAX &&
	       ((const u32 *)info)[1] == 0, "information is 8-byte aligned, "
	       "total_size sane, reserved 0");
	report(walk(info, total, &f), "tags are 8-byte aligned and the end tag "
	       "ends them at total_size");
	report((seen & (BIT(TAG_CMDLINE) | BIT(TAG_LOADER_NAME) |
			BIT(TAG_BASIC_MEMINFO) | BIT(TAG_MMAP))) ==
	       (BIT(TAG_CMDLINE) | BIT(TAG_LOADER_NAME) | BIT(TAG_BASIC_MEMINFO) |
		BIT(TAG_MMAP)), "every requested tag is there (seen 0x%x)", seen);
	check_boot_facts(&f);
	check_fwcfg(&f);
	check_pc_devices(&f);
	report_exit();
}

/* The ELF entry point: a loader that ignored the entry address tag. */
void wrong_entry(void)
{
	con_init();
	report(false, "entered at the ELF entry point, not at the Multiboot2 "
	       "entry address tag's");
	report_exit();
}
