/*
 * vmm/loader.c - loads a Multiboot guest kernel (v1: a.out kludge, ELF32 or
 * ELF64; v2: address tag, ELF32 or ELF64) into guest RAM and writes the
 * Multiboot information the guest is entered with, as a Multiboot loader
 * would. vmm/loader.h says which protocol an image gets.
 *
 * Pure module: works on a host buffer holding guest RAM (gpa 0 at ram[0])
 * and on the image as bytes; every offset is checked against the image
 * size before it is read. Follows the Multiboot Specification 0.6.96
 * ("OS image format", "Boot information format"), the Multiboot2
 * Specification 2.0 ("OS image format", "Boot information format") and the
 * System V ABI ELF program headers; no SDM section.
 * Environment: VMX root during start-up, or host tests.
 */
#include "loader.h"
#include "../boot/multiboot.h"
#include "../lib/fmt.h"
#include "../lib/string.h"
#include "abi.h"

/* The two header words checked first, then the checksum word. */
#define MB1_HDR_MIN		(3 * sizeof(u32))
#define MB1_HDR_ALIGN		4u
/* Bits 0-15 are requirements: a loader must refuse those it cannot meet.
 * apfvisor page-aligns nothing it loads besides the kernel and always
 * gives memory information; it has no video mode to offer. */
#define MB1_HDR_REQ_MASK	0xffffu
#define MB1_HDR_SUPPORTED	(MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMORY_INFO)

/* Multiboot2 header (Multiboot2 spec, "Header layout", "Header tags"):
 * 8-byte aligned in the first 32 KiB, tags 8-byte aligned after the four
 * fixed words. boot/multiboot.h names tags 0-4 and 6; the rest are here. */
#define MB2_HDR_FIXED		(4 * sizeof(u32))
#define MB2_HDR_ALIGN		8u
#define MB2_HDR_TAG_FRAMEBUFFER	5
#define MB2_HDR_TAG_EFI_BS	7	/* may run with EFI boot services */
#define MB2_HDR_TAG_ENTRY_EFI32	8
#define MB2_HDR_TAG_ENTRY_EFI64	9
#define MB2_HDR_TAG_RELOCATABLE	10
#define MB2_ADDR_TAG_SIZE	24	/* type, flags, size, four addresses */
#define MB2_ENTRY_TAG_SIZE	12	/* type, flags, size, entry_addr */

struct mb2_hdr_tag {
	u16 type, flags;
	u32 size;
};
_Static_assert(sizeof(struct mb2_hdr_tag) == 8, "mb2 header tag");

/* The a.out-style placement both protocols can give instead of ELF. */
struct aout_addrs {
	u32 header_addr, load_addr, load_end_addr, bss_end_addr;
};

/* What a Multiboot2 header asked for (mb2_tags). */
struct mb2_req {
	bool has_addr, has_entry;
	struct aout_addrs addr;
	u32 entry;
};

/* ELF (System V gABI, "ELF Header" and "Program Header") */
#define ELF_MAGIC		"\x7f" "ELF"
#define ELF_MAGIC_LEN		4
#define EI_CLASS		4
#define EI_DATA			5
#define EI_VERSION		6
#define EI_NIDENT		16
#define ELFCLASS32		1
#define ELFCLASS64		2
#define ELFDATA2LSB		1
#define EV_CURRENT		1
#define EM_386			3
#define EM_X86_64		62
#define PT_LOAD			1
#define GUEST_ENTRY_LIMIT	(4 * GiB)	/* guest starts in 32-bit mode */

struct elf32_ehdr {
	u8 ident[EI_NIDENT];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "Elf32_Ehdr");

struct elf64_ehdr {
	u8 ident[EI_NIDENT];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr");

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
_Static_assert(sizeof(struct elf32_phdr) == 32, "Elf32_Phdr");

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr");

/* The guest's boot information (loader_build_mbi): the PC layout. */
#define MBI_LOW_RAM_END		0x9fc00ULL	/* EBDA starts here */
#define MBI_EBDA_END		0xa0000ULL
#define MBI_BIOS_BASE		0xf0000ULL	/* system BIOS ROM */
#define MBI_HIGH_BASE		(1 * MiB)
#define MBI_MEM_LOWER_KIB	(MBI_LOW_RAM_END / KiB)	/* 639 */
#define MBI_MMAP_ENTRIES	4
#define MBI_MMAP_ALIGN		8u
#define MBI_LOADER_NAME		"apfvisor"
#define MBI_FLAGS		(MB1_INFO_MEMORY | MB1_INFO_CMDLINE | \
				 MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME)

/* Multiboot2 information (Multiboot2 spec, "Boot information format"):
 * u32 total_size, u32 reserved, then tags, each 8-byte aligned. */
#define MB2I_FIXED		8u
#define MB2I_ALIGN		8u
#define MB2I_TAG_HDR		8u	/* u32 type, u32 size */
#define MB2I_MMAP_HDR		8u	/* u32 entry_size, u32 entry_version */
#define MB2I_MMAP_VERSION	0

struct mb2_meminfo {
	u32 mem_lower, mem_upper;
};

struct mb2_mmap_entry {
	u64 base, len;
	u32 type, reserved;
};
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry");

/* One range of the guest's memory map, whichever protocol carries it. */
struct mem_range {
	u64 base, len;
	u32 type;
};

/* One parse in progress. */
struct ld_ctx {
	const u8 *img;
	u64 size, lowest, ram_size;
	struct guest_image *gi;
	char *err;
	size_t errlen;
};

static int fail(struct ld_ctx *c, const char *f, ...) __printf(2, 3);

/* Record an error message; always returns -1. */
static int fail(struct ld_ctx *c, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	fmt_vsnprintf(c->err, c->errlen, f, ap);
	va_end(ap);
	return -1;
}

/* Does [off, off+len) lie inside the image? */
static bool in_file(const struct ld_ctx *c, u64 off, u64 len)
{
	return off <= c->size && len <= c->size - off;
}

static u32 rd32(const struct ld_ctx *c, u64 off)
{
	u32 v;

	memcpy(&v, c->img + off, sizeof(v));
	return v;
}

/* --- segments ------------------------------------------------------------ */

static bool segs_overlap(const struct image_seg *a, const struct image_seg *b)
{
	return a->gpa < b->gpa + b->memsz && b->gpa < a->gpa + a->memsz;
}

/* Check s against the file, guest RAM and earlier segments; append it. */
static int add_seg(struct ld_ctx *c, struct image_seg s)
{
	struct guest_image *gi = c->gi;

	if (s.filesz > s.memsz)
		return fail(c, "segment at 0x%llx: file size exceeds memory size",
			    (unsigned long long)s.gpa);
	if (!in_file(c, s.offset, s.filesz))
		return fail(c, "segment at 0x%llx: bytes 0x%llx+0x%llx lie past "
			    "the end of the %llu-byte image",
			    (unsigned long long)s.gpa, (unsigned long long)s.offset,
			    (unsigned long long)s.filesz, (unsigned long long)c->size);
	if (s.gpa < c->lowest || s.gpa > c->ram_size ||
	    s.memsz > c->ram_size - s.gpa)
		return fail(c, "segment [0x%llx, +0x%llx) outside guest RAM "
			    "[0x%llx, 0x%llx)", (unsigned long long)s.gpa,
			    (unsigned long long)s.memsz, (unsigned long long)c->lowest,
			    (unsigned long long)c->ram_size);
	for (u32 i = 0; i < gi->nsegs; i++)
		if (segs_overlap(&gi->segs[i], &s))
			return fail(c, "segments at 0x%llx and 0x%llx overlap",
				    (unsigned long long)gi->segs[i].gpa,
				    (unsigned long long)s.gpa);
	if (gi->nsegs == LOADER_MAX_SEGS)
		return fail(c, "more than %u loadable segments", LOADER_MAX_SEGS);
	gi->segs[gi->nsegs++] = s;
	return 0;
}

/* The entry point must be inside something that was loaded. */
static int check_entry(struct ld_ctx *c)
{
	const struct guest_image *gi = c->gi;

	for (u32 i = 0; i < gi->nsegs; i++)
		if (gi->entry >= gi->segs[i].gpa &&
		    gi->entry - gi->segs[i].gpa < gi->segs[i].memsz)
			return 0;
	return fail(c, "entry point 0x%llx is outside every loaded segment",
		    (unsigned long long)gi->entry);
}

/* --- Multiboot header -------------------------------------------------- */

/* Offset of a valid Multiboot v1 header (magic and checksum) within the
 * first 8 KiB, 4-byte aligned; -1 when there is none. */
static s64 mb1_find(const struct ld_ctx *c)
{
	u64 end = MIN(c->size, (u64)MB1_SEARCH_LIMIT);

	for (u64 off = 0; off + MB1_HDR_MIN <= end; off += MB1_HDR_ALIGN) {
		u32 magic = rd32(c, off), flags = rd32(c, off + sizeof(u32));

		if (magic == MB1_HEADER_MAGIC &&
		    (u32)(magic + flags + rd32(c, off + 2 * sizeof(u32))) == 0)
			return (s64)off;
	}
	return -1;
}

/* Place an a.out-style image: the header at file offset hoff (hdr_len
 * bytes) is loaded at header_addr, so load_addr's file offset is hoff -
 * (header_addr - load_addr). Zero load_end/bss_end mean "whole file"/"no
 * bss". who names the header in messages ("Multiboot", "Multiboot2"). */
static int aout_place(struct ld_ctx *c, const char *who, u64 hoff,
		      u64 hdr_len, const struct aout_addrs *h)
{
	struct image_seg s;

	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff)
		return fail(c, "%s header_addr 0x%x and load_addr 0x%x do not "
			    "match the header's file offset 0x%llx", who,
			    h->header_addr, h->load_addr, (unsigned long long)hoff);
	s.gpa = h->load_addr;
	s.offset = hoff - (h->header_addr - h->load_addr);
	if (h->load_end_addr && h->load_end_addr < h->header_addr + hdr_len)
		return fail(c, "%s load_end_addr 0x%x ends before the header",
			    who, h->load_end_addr);
	s.filesz = h->load_end_addr ? (u64)h->load_end_addr - h->load_addr
				    : c->size - s.offset;
	if (h->bss_end_addr && h->bss_end_addr < s.gpa + s.filesz)
		return fail(c, "%s bss_end_addr 0x%x is below load_end 0x%llx",
			    who, h->bss_end_addr,
			    (unsigned long long)(s.gpa + s.filesz));
	s.memsz = h->bss_end_addr ? (u64)h->bss_end_addr - h->load_addr
				  : s.filesz;
	return add_seg(c, s);
}

/* The v1 a.out kludge: the header's address fields, then the entry. */
static int mb1_kludge(struct ld_ctx *c, u64 hoff)
{
	struct mb1_header h;
	struct aout_addrs a;

	if (hoff + sizeof(h) > MIN(c->size, (u64)MB1_SEARCH_LIMIT))
		return fail(c, "Multiboot header at 0x%llx is cut short: the a.out "
			    "kludge needs %zu bytes in the first 8 KiB",
			    (unsigned long long)hoff, sizeof(h));
	memcpy(&h, c->img + hoff, sizeof(h));
	a = (struct aout_addrs){ h.header_addr, h.load_addr, h.load_end_addr,
				 h.bss_end_addr };
	c->gi->kind = IMAGE_MB1_KLUDGE;
	c->gi->entry = h.entry_addr;
	return aout_place(c, "Multiboot", hoff, sizeof(h), &a);
}

/* --- ELF --------------------------------------------------------------- */

static int elf_add_load(struct ld_ctx *c, u32 type, u64 off, u64 paddr,
			u64 filesz, u64 memsz)
{
	if (type != PT_LOAD || !memsz)
		return 0;
	return add_seg(c, (struct image_seg){ paddr, off, filesz, memsz });
}

/* The program header table must lie in the file, entries big enough. */
static int elf_check_phdrs(struct ld_ctx *c, u64 phoff, u32 phentsize,
			   u32 phnum, u32 need)
{
	if (phentsize < need)
		return fail(c, "ELF program header size %u is below %u",
			    phentsize, need);
	if (!in_file(c, phoff, (u64)phentsize * phnum))
		return fail(c, "ELF program headers lie past the end of the image");
	return 0;
}

static int elf32_load(struct ld_ctx *c)
{
	struct elf32_ehdr eh;
	struct elf32_phdr ph;

	if (!in_file(c, 0, sizeof(eh)))
		return fail(c, "ELF32 header is truncated");
	memcpy(&eh, c->img, sizeof(eh));
	if (eh.machine != EM_386)
		return fail(c, "ELF32 machine %u is not EM_386", eh.machine);
	if (elf_check_phdrs(c, eh.phoff, eh.phentsize, eh.phnum, sizeof(ph)) < 0)
		return -1;
	c->gi->kind = IMAGE_ELF32;
	c->gi->entry = eh.entry;
	for (u32 i = 0; i < eh.phnum; i++) {
		memcpy(&ph, c->img + eh.phoff + (u64)i * eh.phentsize, sizeof(ph));
		if (elf_add_load(c, ph.type, ph.offset, ph.paddr, ph.filesz,
				 ph.memsz) < 0)
			return -1;
	}
	return 0;
}

static int elf64_load(struct ld_ctx *c)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;

	if (!in_file(c, 0, sizeof(eh)))
		return fail(c, "ELF64 header is truncated");
	memcpy(&eh, c->img, sizeof(eh));
	if (eh.machine != EM_X86_64)
		return fail(c, "ELF64 machine %u is not EM_X86_64", eh.machine);
	if (eh.entry >= GUEST_ENTRY_LIMIT)
		return fail(c, "ELF64 entry point 0x%llx is above 4 GiB; the guest "
			    "starts in 32-bit mode", (unsigned long long)eh.entry);
	if (elf_check_phdrs(c, eh.phoff, eh.phentsize, eh.phnum, sizeof(ph)) < 0)
		return -1;
	c->gi->kind = IMAGE_ELF64;
	c->gi->entry = eh.entry;
	for (u32 i = 0; i < eh.phnum; i++) {
		memcpy(&ph, c->img + eh.phoff + (u64)i * eh.phentsize, sizeof(ph));
		if (elf_add_load(c, ph.type, ph.offset, ph.paddr, ph.filesz,
				 ph.memsz) < 0)
			return -1;
	}
	return 0;
}

static bool elf_is(const struct ld_ctx *c)
{
	return in_file(c, 0, EI_NIDENT) &&
	       !memcmp(c->img, ELF_MAGIC, ELF_MAGIC_LEN);
}

/* Check the identification bytes, then load by class. */
static int elf_load(struct ld_ctx *c)
{
	const u8 *id = c->img;

	if (id[EI_DATA] != ELFDATA2LSB || id[EI_VERSION] != EV_CURRENT)
		return fail(c, "ELF image is not little-endian version 1");
	if (id[EI_CLASS] == ELFCLASS32)
		return elf32_load(c);
	if (id[EI_CLASS] == ELFCLASS64)
		return elf64_load(c);
	return fail(c, "ELF class %u is neither ELF32 nor ELF64", id[EI_CLASS]);
}

/* --- Multiboot2 header -------------------------------------------------- */

/* Offset of a valid Multiboot2 header (magic and checksum over the four
 * fixed words) within the first 32 KiB, 8-byte aligned; -1 when none. */
static s64 mb2_find(const struct ld_ctx *c)
{
	u64 end = MIN(c->size, (u64)MB2_SEARCH_LIMIT);

	for (u64 off = 0; off + MB2_HDR_FIXED <= end; off += MB2_HDR_ALIGN) {
		u32 magic = rd32(c, off), arch = rd32(c, off + 4);
		u32 len = rd32(c, off + 8), sum = rd32(c, off + 12);

		if (magic == MB2_HEADER_MAGIC && (u32)(magic + arch + len + sum) == 0)
			return (s64)off;
	}
	return -1;
}

/* Information tags apfvisor gives (loader_build_mb2i); modules: none. */
static bool mb2_info_given(u32 type)
{
	return type == MB2_TAG_CMDLINE || type == MB2_TAG_LOADER_NAME ||
	       type == MB2_TAG_MODULE || type == MB2_TAG_BASIC_MEMINFO ||
	       type == MB2_TAG_MMAP;
}

/* Every type an information-request tag names must be one apfvisor
 * gives, unless the tag is optional. */
static int mb2_info_request(struct ld_ctx *c, u64 off, const struct mb2_hdr_tag *t)
{
	for (u64 i = sizeof(*t); i + sizeof(u32) <= t->size; i += sizeof(u32)) {
		u32 type = rd32(c, off + i);

		if (!mb2_info_given(type) && !(t->flags & MB2_HDR_TAG_OPTIONAL))
			return fail(c, "Multiboot2 header asks for information "
				    "apfvisor does not give (tag type %u)", type);
	}
	return 0;
}

/* One header tag. The address and entry tags are recorded; tags that only
 * matter to other loaders (console flags, module alignment, EFI, a
 * relocatable image - loaded at its link address) are accepted; anything
 * else must be optional. */
static int mb2_tag(struct ld_ctx *c, u64 off, const struct mb2_hdr_tag *t,
		   struct mb2_req *r)
{
	switch (t->type) {
	case MB2_HDR_TAG_INFO_REQ:
		return mb2_info_request(c, off, t);
	case MB2_HDR_TAG_ADDRESS:
		if (t->size < MB2_ADDR_TAG_SIZE)
			return fail(c, "Multiboot2 address tag is %u bytes, not %u",
				    t->size, MB2_ADDR_TAG_SIZE);
		memcpy(&r->addr, c->img + off + sizeof(*t), sizeof(r->addr));
		r->has_addr = true;
		return 0;
	case MB2_HDR_TAG_ENTRY:
		if (t->size < MB2_ENTRY_TAG_SIZE)
			return fail(c, "Multiboot2 entry address tag is %u bytes, "
				    "not %u", t->size, MB2_ENTRY_TAG_SIZE);
		r->entry = rd32(c, off + sizeof(*t));
		r->has_entry = true;
		return 0;
	case MB2_HDR_TAG_FLAGS:
	case MB2_HDR_TAG_MODULE_ALIGN:
	case MB2_HDR_TAG_EFI_BS:
	case MB2_HDR_TAG_ENTRY_EFI32:
	case MB2_HDR_TAG_ENTRY_EFI64:
	case MB2_HDR_TAG_RELOCATABLE:
		return 0;
	}
	if (t->flags & MB2_HDR_TAG_OPTIONAL)
		return 0;
	return fail(c, "Multiboot2 header requires %s apfvisor does not "
		    "provide (tag type %u)", t->type == MB2_HDR_TAG_FRAMEBUFFER ?
		    "a framebuffer, which" : "a feature", t->type);
}

/* Check the header's fixed part and walk its tags up to the end tag. */
static int mb2_header(struct ld_ctx *c, u64 hoff, u32 *hlen, struct mb2_req *r)
{
	u32 arch = rd32(c, hoff + 4);
	u64 off = hoff + MB2_HDR_FIXED, end;
	struct mb2_hdr_tag t;

	*hlen = rd32(c, hoff + 8);
	if (arch != MB2_ARCH_I386)
		return fail(c, "Multiboot2 header is for architecture %u, not "
			    "i386 (0)", arch);
	end = hoff + *hlen;
	if (*hlen < MB2_HDR_FIXED + sizeof(t) || end > MIN(c->size, (u64)MB2_SEARCH_LIMIT))
		return fail(c, "Multiboot2 header at 0x%llx: length %u does not "
			    "fit the first 32 KiB of the image",
			    (unsigned long long)hoff, *hlen);
	for (;;) {
		if (off + sizeof(t) > end)
			return fail(c, "Multiboot2 header has no end tag");
		memcpy(&t, c->img + off, sizeof(t));
		if (t.size < sizeof(t) || t.size > end - off)
			return fail(c, "Multiboot2 header tag %u at 0x%llx: size %u "
				    "is outside the header", t.type,
				    (unsigned long long)off, t.size);
		if (t.type == MB2_HDR_TAG_END)
			return 0;
		if (mb2_tag(c, off, &t, r) < 0)
			return -1;
		off += ALIGN_UP(t.size, MB2_HDR_ALIGN);
	}
}

/* A v2-only kernel: the address tag places it (and then needs the entry
 * tag, as GRUB requires), else its ELF program headers; an entry tag
 * overrides the ELF entry point. */
static int mb2_load(struct ld_ctx *c, u64 hoff)
{
	struct mb2_req r = { 0 };
	u32 hlen;
	int rc;

	c->gi->proto = BOOT_PROTO_MB2;
	if (mb2_header(c, hoff, &hlen, &r) < 0)
		return -1;
	if (r.has_addr && !r.has_entry)
		return fail(c, "Multiboot2 address tag without an entry address tag");
	if (r.has_addr) {
		c->gi->kind = IMAGE_MB2_ADDRESS;
		rc = aout_place(c, "Multiboot2", hoff, hlen, &r.addr);
	} else if (elf_is(c)) {
		rc = elf_load(c);
	} else {
		return fail(c, "Multiboot2 kernel is neither ELF nor placed by an "
			    "address tag");
	}
	if (r.has_entry)
		c->gi->entry = r.entry;
	return rc;
}

/* --- entry points ------------------------------------------------------ */

/* Record the Multiboot header if there is one and refuse requirements
 * apfvisor cannot meet. */
static int mb1_header(struct ld_ctx *c, s64 hoff)
{
	u32 req;

	if (hoff < 0)
		return 0;
	c->gi->has_mb1 = true;
	c->gi->mb1_flags = rd32(c, (u64)hoff + sizeof(u32));
	req = c->gi->mb1_flags & MB1_HDR_REQ_MASK & ~MB1_HDR_SUPPORTED;
	if (req)
		return fail(c, "Multiboot header requires features apfvisor does not "
			    "provide (flags 0x%x)", req);
	return 0;
}

/* A v1 kernel (or a plain ELF): the a.out kludge, else ELF. */
static int mb1_load(struct ld_ctx *c, s64 hoff)
{
	c->gi->proto = BOOT_PROTO_MB1;
	if (mb1_header(c, hoff) < 0)
		return -1;
	if (hoff >= 0 && (c->gi->mb1_flags & MB1_HDR_AOUT_KLUDGE))
		return mb1_kludge(c, (u64)hoff);
	if (elf_is(c))
		return elf_load(c);
	return fail(c, "not a Multiboot kernel: no ELF header and no "
		    "a.out-kludge Multiboot header");
}

/* v2 only when there is no v1 header (vmm/loader.h says why); then check
 * the result as a whole. */
int loader_parse(const void *img, u64 size, u64 lowest, u64 ram_size,
		 struct guest_image *gi, char *err, size_t errlen)
{
	struct ld_ctx c = { img, size, lowest, ram_size, gi, err, errlen };
	s64 h1, h2;
	int rc;

	memset(gi, 0, sizeof(*gi));
	if (errlen)
		err[0] = '\0';
	h1 = mb1_find(&c);
	h2 = mb2_find(&c);
	gi->has_mb2 = h2 >= 0;
	rc = h1 < 0 && h2 >= 0 ? mb2_load(&c, (u64)h2) : mb1_load(&c, h1);
	if (rc < 0)
		return -1;
	if (!gi->nsegs)
		return fail(&c, "the image has no loadable segments");
	return check_entry(&c);
}

/* Copy each segment's file bytes and zero the rest of its memory; a
 * segment that does not fit ram (not from loader_parse) is skipped. */
void loader_copy(const struct guest_image *gi, const void *img, void *ram,
		 u64 ram_size)
{
	for (u32 i = 0; i < gi->nsegs && i < LOADER_MAX_SEGS; i++) {
		const struct image_seg *s = &gi->segs[i];
		u8 *dst = (u8 *)ram + s->gpa;

		if (s->gpa > ram_size || s->memsz > ram_size - s->gpa ||
		    s->filesz > s->memsz)
			continue;
		memcpy(dst, (const u8 *)img + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
}

/* The guest's memory map: low RAM, the EBDA and BIOS holes, high RAM. */
static void mem_map(struct mem_range r[MBI_MMAP_ENTRIES], u64 ram_size)
{
	static const struct { u64 base, end; u32 type; } map[MBI_MMAP_ENTRIES] = {
		{ 0, MBI_LOW_RAM_END, BOOT_MEM_RAM },
		{ MBI_LOW_RAM_END, MBI_EBDA_END, BOOT_MEM_RESERVED },
		{ MBI_BIOS_BASE, MBI_HIGH_BASE, BOOT_MEM_RESERVED },
		{ MBI_HIGH_BASE, 0, BOOT_MEM_RAM },	/* end: ram_size */
	};

	for (unsigned i = 0; i < MBI_MMAP_ENTRIES; i++) {
		u64 end = map[i].end ? map[i].end : ram_size;

		r[i] = (struct mem_range){ map[i].base,
			end > map[i].base ? end - map[i].base : 0, map[i].type };
	}
}

/* KiB of upper memory, from 1 MiB to the end of RAM (both protocols). */
static u32 mem_upper_kib(u64 ram_size)
{
	return (u32)((ram_size - MBI_HIGH_BASE) / KiB);
}

static void mbi_mmap(struct mb1_mmap_entry *e, u64 ram_size)
{
	struct mem_range r[MBI_MMAP_ENTRIES];

	mem_map(r, ram_size);
	for (unsigned i = 0; i < MBI_MMAP_ENTRIES; i++)
		e[i] = (struct mb1_mmap_entry){
			.size = sizeof(e[i]) - sizeof(e[i].size),
			.addr = r[i].base, .len = r[i].len, .type = r[i].type,
		};
}

/* Lay out info, memory map, loader name and command line from
 * APFV_GUEST_MBI_GPA up; the command line is cut to what fits before
 * APFV_GUEST_MBI_END. Returns 0 (nothing written) if ram is too small. */
u32 loader_build_mbi(void *ram, u64 ram_size, const char *cmdline)
{
	u8 *base = ram;
	u64 mmap_pa = ALIGN_UP(APFV_GUEST_MBI_GPA + sizeof(struct mb1_info),
			       MBI_MMAP_ALIGN);
	u64 mmap_len = MBI_MMAP_ENTRIES * sizeof(struct mb1_mmap_entry);
	u64 name_pa = mmap_pa + mmap_len;
	u64 cmd_pa = name_pa + sizeof(MBI_LOADER_NAME);
	struct mb1_info mi = { 0 };

	if (ram_size < MBI_HIGH_BASE)
		return 0;
	memset(base + APFV_GUEST_MBI_GPA, 0, APFV_GUEST_MBI_END - APFV_GUEST_MBI_GPA);
	mbi_mmap((struct mb1_mmap_entry *)(base + mmap_pa), ram_size);
	memcpy(base + name_pa, MBI_LOADER_NAME, sizeof(MBI_LOADER_NAME));
	str_copy((char *)base + cmd_pa, cmdline ? cmdline : "",
		 APFV_GUEST_MBI_END - cmd_pa);
	mi.flags = MBI_FLAGS;
	mi.mem_lower = MBI_MEM_LOWER_KIB;
	mi.mem_upper = mem_upper_kib(ram_size);
	mi.cmdline = (u32)cmd_pa;
	mi.mmap_addr = (u32)mmap_pa;
	mi.mmap_length = (u32)mmap_len;
	mi.boot_loader_name = (u32)name_pa;
	memcpy(base + APFV_GUEST_MBI_GPA, &mi, sizeof(mi));
	return APFV_GUEST_MBI_GPA;
}

/* Write one v2 information tag at *pa (header, then len bytes of body;
 * body NULL: already in place) and move *pa past it, to the next 8-byte
 * boundary. */
static void mb2i_tag(u8 *ram, u64 *pa, u32 type, const void *body, u32 len)
{
	struct mb2_tag t = { type, MB2I_TAG_HDR + len };

	memcpy(ram + *pa, &t, sizeof(t));
	if (body)
		memcpy(ram + *pa + sizeof(t), body, len);
	*pa = ALIGN_UP(*pa + t.size, MB2I_ALIGN);
}

/* The memory-map tag: entry size and version, then the entries. */
static void mb2i_mmap(u8 *ram, u64 *pa, u64 ram_size)
{
	struct {
		u32 entry_size, entry_version;
		struct mb2_mmap_entry e[MBI_MMAP_ENTRIES];
	} __packed body = { sizeof(struct mb2_mmap_entry), MB2I_MMAP_VERSION, { { 0 } } };
	struct mem_range r[MBI_MMAP_ENTRIES];

	_Static_assert(sizeof(body) == MB2I_MMAP_HDR + sizeof(body.e), "packed");
	mem_map(r, ram_size);
	for (unsigned i = 0; i < MBI_MMAP_ENTRIES; i++)
		body.e[i] = (struct mb2_mmap_entry){ r[i].base, r[i].len, r[i].type, 0 };
	mb2i_tag(ram, pa, MB2_TAG_MMAP, &body, sizeof(body));
}

/* Tags in this order: loader name, basic meminfo, memory map, command
 * line (last, so it can take whatever room is left), end. */
u32 loader_build_mb2i(void *ram, u64 ram_size, const char *cmdline)
{
	u8 *base = ram;
	u64 pa = APFV_GUEST_MBI_GPA + MB2I_FIXED, room;
	struct mb2_meminfo mem = { MBI_MEM_LOWER_KIB, 0 };
	struct mb2_tag end = { MB2_TAG_END, MB2I_TAG_HDR };
	u32 fixed[2] = { 0, 0 };	/* total_size, reserved */
	size_t len;

	_Static_assert(APFV_GUEST_MBI_GPA % MB2I_ALIGN == 0, "v2 info alignment");
	if (ram_size < MBI_HIGH_BASE)
		return 0;
	memset(base + APFV_GUEST_MBI_GPA, 0, APFV_GUEST_MBI_END - APFV_GUEST_MBI_GPA);
	mem.mem_upper = mem_upper_kib(ram_size);
	mb2i_tag(base, &pa, MB2_TAG_LOADER_NAME, MBI_LOADER_NAME,
		 sizeof(MBI_LOADER_NAME));
	mb2i_tag(base, &pa, MB2_TAG_BASIC_MEMINFO, &mem, sizeof(mem));
	mb2i_mmap(base, &pa, ram_size);
	/* the string with its NUL, then the end tag, before the area's end */
	room = APFV_GUEST_MBI_END - pa - MB2I_TAG_HDR - sizeof(end);
	len = str_copy((char *)base + pa + MB2I_TAG_HDR, cmdline ? cmdline : "",
		       room);
	len = MIN(len, room - 1);
	mb2i_tag(base, &pa, MB2_TAG_CMDLINE, NULL, (u32)len + 1);
	memcpy(base + pa, &end, sizeof(end));
	fixed[0] = (u32)(pa + sizeof(end) - APFV_GUEST_MBI_GPA);
	memcpy(base + APFV_GUEST_MBI_GPA, fixed, sizeof(fixed));
	return APFV_GUEST_MBI_GPA;
}

u32 loader_build_info(const struct guest_image *gi, void *ram, u64 ram_size,
		      const char *cmdline, u32 *magic)
{
	if (gi->proto == BOOT_PROTO_MB2) {
		*magic = MB2_LOADER_MAGIC;
		return loader_build_mb2i(ram, ram_size, cmdline);
	}
	*magic = MB1_LOADER_MAGIC;
	return loader_build_mbi(ram, ram_size, cmdline);
}
