/*
 * tests/unit/test_loader.c - vmm/loader.c: finding the Multiboot v1 and
 * v2 headers and choosing the protocol, a.out-kludge, v2 address-tag,
 * ELF32 and ELF64 images with every rejection, copying into guest RAM,
 * and the Multiboot v1 and v2 information the guest gets.
 * Images are parsed from exactly-sized heap copies so ASan catches any
 * read past the file. Host unit test.
 */
#include <stdlib.h>
#include <string.h>

#include "env_host.h"
#include "../../boot/multiboot.h"
#include "../../vmm/abi.h"
#include "../../vmm/loader.h"

#define ERRLEN		240
#define IMG_MAX		0x4000
#define RAM_SIZE	(4 * MiB)
#define LOWEST		MiB
#define EM_386		3
#define EM_X86_64	62
#define PT_LOAD		1
#define PT_NOTE		4
#define ELF32_EH	52
#define ELF32_PH	32
#define ELF64_EH	64
#define ELF64_PH	56

struct seg {
	u32 type;
	u64 off, paddr, filesz, memsz;
};

static u8 img[IMG_MAX];
static u64 img_size;
static struct guest_image gi;
static char err[ERRLEN];

static int setup(void **state)
{
	(void)state;
	for (u32 i = 0; i < IMG_MAX; i++)
		img[i] = (u8)(i * 7 + 1);	/* never zero: bss must be zeroed */
	img_size = IMG_MAX;
	memset(&gi, 0xa5, sizeof(gi));
	err[0] = '\0';
	return 0;
}

static void put16(u64 off, u16 v) { memcpy(img + off, &v, 2); }
static void put32(u64 off, u32 v) { memcpy(img + off, &v, 4); }
static void put64(u64 off, u64 v) { memcpy(img + off, &v, 8); }

static void elf_ident(u8 class)
{
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = class;
	img[5] = 1;	/* little-endian */
	img[6] = 1;	/* version */
	memset(img + 7, 0, 9);
}

/* An ELF32 executable with its program headers right after the header. */
static void elf32(u32 entry, const struct seg *s, u32 n)
{
	elf_ident(1);
	put16(16, 2);			/* ET_EXEC */
	put16(18, EM_386);
	put32(20, 1);
	put32(24, entry);
	put32(28, ELF32_EH);		/* phoff */
	put16(42, ELF32_PH);
	put16(44, (u16)n);
	for (u32 i = 0; i < n; i++) {
		u64 ph = ELF32_EH + i * ELF32_PH;

		put32(ph, s[i].type);
		put32(ph + 4, (u32)s[i].off);
		put32(ph + 8, (u32)s[i].paddr + 0xc0000000u);	/* vaddr */
		put32(ph + 12, (u32)s[i].paddr);
		put32(ph + 16, (u32)s[i].filesz);
		put32(ph + 20, (u32)s[i].memsz);
	}
}

static void elf64(u64 entry, const struct seg *s, u32 n)
{
	elf_ident(2);
	put16(16, 2);
	put16(18, EM_X86_64);
	put32(20, 1);
	put64(24, entry);
	put64(32, ELF64_EH);
	put16(54, ELF64_PH);
	put16(56, (u16)n);
	for (u32 i = 0; i < n; i++) {
		u64 ph = ELF64_EH + i * ELF64_PH;

		put32(ph, s[i].type);
		put64(ph + 8, s[i].off);
		put64(ph + 16, s[i].paddr + 0xffffffff80000000ULL);
		put64(ph + 24, s[i].paddr);
		put64(ph + 32, s[i].filesz);
		put64(ph + 40, s[i].memsz);
	}
}

/* A Multiboot v1 header at off; kludge holds header_addr, load_addr,
 * load_end_addr, bss_end_addr, entry_addr when flags has bit 16. */
static void mb1_header(u64 off, u32 flags, const u32 *kludge)
{
	put32(off, MB1_HEADER_MAGIC);
	put32(off + 4, flags);
	put32(off + 8, -(MB1_HEADER_MAGIC + flags));
	for (u32 i = 0; kludge && i < 5; i++)
		put32(off + 12 + 4 * i, kludge[i]);
}

/* --- Multiboot2 header builder --------------------------------------- */

#define MB2_FIXED	16
#define MB2_OPT		1	/* header tag flag: optional */

static u64 mb2_off, mb2_pos;	/* header start, next tag */

/* Start a v2 header at off (8-aligned) for architecture arch. */
static void mb2_begin(u64 off, u32 arch)
{
	mb2_off = off;
	mb2_pos = off + MB2_FIXED;
	put32(off, MB2_HEADER_MAGIC);
	put32(off + 4, arch);
}

/* Append a tag with n u32 words of body. */
static void mb2_tag(u16 type, u16 flags, const u32 *body, u32 n)
{
	put16(mb2_pos, type);
	put16(mb2_pos + 2, flags);
	put32(mb2_pos + 4, 8 + 4 * n);
	for (u32 i = 0; i < n; i++)
		put32(mb2_pos + 8 + 4 * i, body[i]);
	mb2_pos += (8 + 4 * n + 7) & ~7ULL;
}

/* Append the end tag and seal length and checksum. */
static void mb2_end(void)
{
	u32 len, arch;

	mb2_tag(MB2_HDR_TAG_END, 0, NULL, 0);
	len = (u32)(mb2_pos - mb2_off);
	memcpy(&arch, img + mb2_off + 4, 4);
	put32(mb2_off + 8, len);
	put32(mb2_off + 12, -(MB2_HEADER_MAGIC + arch + len));
}

static void mb2_entry_tag(u32 entry)
{
	mb2_tag(MB2_HDR_TAG_ENTRY, 0, &entry, 1);
}

/* Parse the first img_size bytes from an exactly-sized heap copy. */
static int parse(void)
{
	u8 *copy = malloc(img_size ? img_size : 1);
	int rc;

	memcpy(copy, img, img_size);
	rc = loader_parse(copy, img_size, LOWEST, RAM_SIZE, &gi, err, sizeof(err));
	free(copy);
	return rc;
}

static void expect_fail(const char *msg)
{
	assert_int_equal(parse(), -1);
	assert_string_equal(err, msg);
}

static void expect_seg(u32 i, u64 gpa, u64 off, u64 filesz, u64 memsz)
{
	assert_int_equal(gi.segs[i].gpa, gpa);
	assert_int_equal(gi.segs[i].offset, off);
	assert_int_equal(gi.segs[i].filesz, filesz);
	assert_int_equal(gi.segs[i].memsz, memsz);
}

static const struct seg two_segs[] = {
	{ PT_LOAD, 0x1000, 0x100000, 0x1000, 0x1000 },
	{ PT_NOTE, 0x200, 0, 0x10, 0x10 },
	{ PT_LOAD, 0x2000, 0x102000, 0x800, 0x3000 },
};

/* --- ELF ---------------------------------------------------------------- */

static void elf32_loads_pt_load_segments_at_physical_addresses(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.kind, IMAGE_ELF32);
	assert_int_equal(gi.entry, 0x100010);
	assert_false(gi.has_mb1);
	assert_int_equal(gi.nsegs, 2);
	expect_seg(0, 0x100000, 0x1000, 0x1000, 0x1000);
	expect_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
}

static void elf64_loads_pt_load_segments_at_physical_addresses(void **state)
{
	(void)state;
	elf64(0x102100, two_segs, ARRAY_SIZE(two_segs));
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.kind, IMAGE_ELF64);
	assert_int_equal(gi.entry, 0x102100);
	assert_int_equal(gi.nsegs, 2);
	expect_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
}

static void elf_with_a_multiboot_header_records_it(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb1_header(0x1000, MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMORY_INFO, NULL);
	assert_int_equal(parse(), 0);
	assert_true(gi.has_mb1);
	assert_int_equal(gi.mb1_flags, MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMORY_INFO);
	assert_int_equal(gi.kind, IMAGE_ELF32);
}

static void elf64_entry_above_4g_is_rejected(void **state)
{
	(void)state;
	elf64(0xffffffff80100000ULL, two_segs, ARRAY_SIZE(two_segs));
	expect_fail("ELF64 entry point 0xffffffff80100000 is above 4 GiB; "
		    "the guest starts in 32-bit mode");
}

static void elf_machine_must_match_the_class(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	put16(18, EM_X86_64);
	expect_fail("ELF32 machine 62 is not EM_386");
	elf64(0x100010, two_segs, ARRAY_SIZE(two_segs));
	put16(18, EM_386);
	expect_fail("ELF64 machine 3 is not EM_X86_64");
}

static void elf_big_endian_or_bad_class_is_rejected(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	img[5] = 2;
	expect_fail("ELF image is not little-endian version 1");
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	img[4] = 3;
	expect_fail("ELF class 3 is neither ELF32 nor ELF64");
}

static void elf_truncated_headers_are_rejected(void **state)
{
	(void)state;
	elf64(0x100010, two_segs, ARRAY_SIZE(two_segs));
	img_size = ELF64_EH - 1;
	expect_fail("ELF64 header is truncated");
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	img_size = ELF32_EH - 1;
	expect_fail("ELF32 header is truncated");
}

static void elf_program_headers_past_the_file_are_rejected(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	img_size = ELF32_EH + 2 * ELF32_PH;
	expect_fail("ELF program headers lie past the end of the image");
	elf64(0x100010, two_segs, ARRAY_SIZE(two_segs));
	put64(32, UINT64_MAX - 8);
	img_size = IMG_MAX;
	expect_fail("ELF program headers lie past the end of the image");
}

static void elf_program_header_size_too_small_is_rejected(void **state)
{
	(void)state;
	elf64(0x100010, two_segs, ARRAY_SIZE(two_segs));
	put16(54, ELF32_PH);
	expect_fail("ELF program header size 32 is below 56");
}

static void elf_segment_past_the_file_is_rejected(void **state)
{
	struct seg s = { PT_LOAD, 0x3800, 0x100000, 0x1000, 0x1000 };

	(void)state;
	elf32(0x100000, &s, 1);
	expect_fail("segment at 0x100000: bytes 0x3800+0x1000 lie past the end "
		    "of the 16384-byte image");
}

static void elf_segment_below_lowest_is_rejected(void **state)
{
	struct seg s = { PT_LOAD, 0x1000, 0xff000, 0x1000, 0x1000 };

	(void)state;
	elf32(0xff000, &s, 1);
	expect_fail("segment [0xff000, +0x1000) outside guest RAM "
		    "[0x100000, 0x400000)");
}

static void elf_segment_past_guest_ram_is_rejected(void **state)
{
	struct seg s = { PT_LOAD, 0x1000, 0x3ff000, 0x1000, 0x2000 };
	struct seg far = { PT_LOAD, 0x1000, 0xfffffffffffff000ULL, 0x1000, 0x2000 };

	(void)state;
	elf64(0x3ff000, &s, 1);
	expect_fail("segment [0x3ff000, +0x2000) outside guest RAM "
		    "[0x100000, 0x400000)");
	elf64(0x100000, &far, 1);
	assert_int_equal(parse(), -1);
}

static void elf_segment_ending_exactly_at_the_top_of_ram_fits(void **state)
{
	struct seg s = { PT_LOAD, 0x1000, RAM_SIZE - 0x2000, 0x1000, 0x2000 };

	(void)state;
	elf64(RAM_SIZE - 0x2000, &s, 1);
	assert_int_equal(parse(), 0);
}

static void elf_overlapping_segments_are_rejected(void **state)
{
	struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x1000, 0x2000 },
		{ PT_LOAD, 0x2000, 0x101000, 0x1000, 0x1000 },
	};

	(void)state;
	elf32(0x100000, s, 2);
	expect_fail("segments at 0x100000 and 0x101000 overlap");
}

static void elf_adjacent_segments_are_fine(void **state)
{
	struct seg s[] = {
		{ PT_LOAD, 0x1000, 0x100000, 0x1000, 0x1000 },
		{ PT_LOAD, 0x2000, 0x101000, 0x1000, 0x1000 },
	};

	(void)state;
	elf32(0x100000, s, 2);
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.nsegs, 2);
}

static void elf_file_size_above_memory_size_is_rejected(void **state)
{
	struct seg s = { PT_LOAD, 0x1000, 0x100000, 0x2000, 0x1000 };

	(void)state;
	elf32(0x100000, &s, 1);
	expect_fail("segment at 0x100000: file size exceeds memory size");
}

static void elf_more_than_8_segments_are_rejected(void **state)
{
	struct seg s[LOADER_MAX_SEGS + 1];

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = (struct seg){ PT_LOAD, 0x1000, 0x100000 + i * 0x1000, 0x10,
				     0x1000 };
	elf32(0x100000, s, LOADER_MAX_SEGS);
	assert_int_equal(parse(), 0);
	elf32(0x100000, s, ARRAY_SIZE(s));
	expect_fail("more than 8 loadable segments");
}

static void elf_without_loadable_segments_is_rejected(void **state)
{
	struct seg s[] = {
		{ PT_NOTE, 0x1000, 0x100000, 0x10, 0x10 },
		{ PT_LOAD, 0x1000, 0x100000, 0, 0 },
	};

	(void)state;
	elf32(0x100000, s, 2);
	expect_fail("the image has no loadable segments");
}

static void entry_outside_every_segment_is_rejected(void **state)
{
	(void)state;
	elf32(0x105000, two_segs, ARRAY_SIZE(two_segs));
	expect_fail("entry point 0x105000 is outside every loaded segment");
}

/* --- Multiboot header and a.out kludge ---------------------------------- */

static void neither_elf_nor_kludge_is_not_a_multiboot_kernel(void **state)
{
	(void)state;
	expect_fail("not a Multiboot kernel: no ELF header and no a.out-kludge "
		    "Multiboot header");
	mb1_header(0x100, MB1_HDR_MEMORY_INFO, NULL);
	expect_fail("not a Multiboot kernel: no ELF header and no a.out-kludge "
		    "Multiboot header");
	assert_true(gi.has_mb1);
	img_size = 0;
	assert_int_equal(parse(), -1);
}

static const u32 kludge[5] = { 0x100040, 0x100000, 0x102000, 0x104000, 0x100080 };

static void kludge_header_places_the_image_by_its_addresses(void **state)
{
	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, kludge);
	img_size = 0x3000;
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.kind, IMAGE_MB1_KLUDGE);
	assert_true(gi.has_mb1);
	assert_int_equal(gi.entry, 0x100080);
	assert_int_equal(gi.nsegs, 1);
	expect_seg(0, 0x100000, 0, 0x2000, 0x4000);
}

static void kludge_load_addr_after_the_file_start_gives_a_file_offset(void **state)
{
	/* the file's first 0x1000 bytes are not loaded */
	u32 k[5] = { 0x200040, 0x200000, 0, 0, 0x200100 };

	(void)state;
	mb1_header(0x1040, MB1_HDR_AOUT_KLUDGE, k);
	img_size = 0x3000;
	assert_int_equal(parse(), 0);
	expect_seg(0, 0x200000, 0x1000, 0x2000, 0x2000);
}

static void kludge_zero_load_end_and_bss_end_mean_whole_file_and_no_bss(void **state)
{
	u32 k[5] = { 0x100040, 0x100000, 0, 0, 0x100080 };

	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, k);
	img_size = 0x2345;
	assert_int_equal(parse(), 0);
	expect_seg(0, 0x100000, 0, 0x2345, 0x2345);
}

static void kludge_wins_over_an_elf_header(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, kludge);
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.kind, IMAGE_MB1_KLUDGE);
}

static void kludge_load_addr_before_the_file_start_is_rejected(void **state)
{
	u32 k[5] = { 0x100040, 0xfff00, 0, 0, 0x100080 };

	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, k);
	expect_fail("Multiboot header_addr 0x100040 and load_addr 0xfff00 do not "
		    "match the header's file offset 0x40");
	k[1] = 0x100044;	/* load_addr above header_addr */
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, k);
	assert_int_equal(parse(), -1);
}

static void kludge_load_end_past_the_file_is_rejected(void **state)
{
	u32 k[5] = { 0x100040, 0x100000, 0x110000, 0, 0x100080 };

	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, k);
	img_size = 0x3000;
	expect_fail("segment at 0x100000: bytes 0x0+0x10000 lie past the end of "
		    "the 12288-byte image");
}

static void kludge_load_end_before_the_header_is_rejected(void **state)
{
	u32 k[5] = { 0x100040, 0x100000, 0x100040, 0, 0x100000 };

	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, k);
	expect_fail("Multiboot load_end_addr 0x100040 ends before the header");
}

static void kludge_bss_end_below_load_end_is_rejected(void **state)
{
	u32 k[5] = { 0x100040, 0x100000, 0x102000, 0x101000, 0x100080 };

	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, k);
	expect_fail("Multiboot bss_end_addr 0x101000 is below load_end 0x102000");
}

static void kludge_entry_outside_the_image_is_rejected(void **state)
{
	u32 k[5] = { 0x100040, 0x100000, 0x102000, 0x104000, 0x104000 };

	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, k);
	expect_fail("entry point 0x104000 is outside every loaded segment");
}

static void kludge_header_cut_short_is_rejected(void **state)
{
	(void)state;
	mb1_header(0x40, MB1_HDR_AOUT_KLUDGE, kludge);
	img_size = 0x40 + 16;
	expect_fail("Multiboot header at 0x40 is cut short: the a.out kludge "
		    "needs 32 bytes in the first 8 KiB");
	img_size = IMG_MAX;
	put32(0x40, 0);
	mb1_header(MB1_SEARCH_LIMIT - 16, MB1_HDR_AOUT_KLUDGE, kludge);
	assert_int_equal(parse(), -1);
	assert_non_null(strstr(err, "cut short"));
}

static void header_is_found_at_the_last_slot_of_the_first_8k(void **state)
{
	u32 k[5] = { 0x100000 + MB1_SEARCH_LIMIT - 32, 0x100000, 0, 0, 0x100000 };

	(void)state;
	mb1_header(MB1_SEARCH_LIMIT - 32, MB1_HDR_AOUT_KLUDGE, k);
	assert_int_equal(parse(), 0);
	expect_seg(0, 0x100000, 0, IMG_MAX, IMG_MAX);
}

static void header_beyond_8k_or_unaligned_is_not_seen(void **state)
{
	(void)state;
	mb1_header(MB1_SEARCH_LIMIT, MB1_HDR_AOUT_KLUDGE, kludge);
	mb1_header(0x42, MB1_HDR_AOUT_KLUDGE, kludge);
	assert_int_equal(parse(), -1);
	assert_false(gi.has_mb1);
}

static void header_with_a_bad_checksum_is_not_seen(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb1_header(0x800, MB1_HDR_AOUT_KLUDGE, kludge);
	put32(0x808, 0x12345678);
	assert_int_equal(parse(), 0);
	assert_false(gi.has_mb1);
	assert_int_equal(gi.kind, IMAGE_ELF32);
}

static void header_requiring_a_video_mode_is_refused(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb1_header(0x1000, MB1_HDR_MEMORY_INFO | MB1_HDR_VIDEO_MODE, NULL);
	expect_fail("Multiboot header requires features apfvisor does not "
		    "provide (flags 0x4)");
	mb1_header(0x1000, BIT(15), NULL);
	expect_fail("Multiboot header requires features apfvisor does not "
		    "provide (flags 0x8000)");
}

/* --- Multiboot2 header, protocol choice, address tag ------------------- */

static void mb2_only_elf_is_loaded_by_program_headers_and_entered_as_v2(void **state)
{
	u32 req[] = { MB2_TAG_CMDLINE, MB2_TAG_MMAP, MB2_TAG_BASIC_MEMINFO };

	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_INFO_REQ, 0, req, ARRAY_SIZE(req));
	mb2_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.proto, BOOT_PROTO_MB2);
	assert_int_equal(gi.kind, IMAGE_ELF32);
	assert_true(gi.has_mb2);
	assert_false(gi.has_mb1);
	assert_int_equal(gi.entry, 0x100010);
	assert_int_equal(gi.nsegs, 2);
	expect_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
}

static void mb1_header_wins_when_both_are_present(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_end();
	mb1_header(0x1800, MB1_HDR_MEMORY_INFO, NULL);
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.proto, BOOT_PROTO_MB1);
	assert_true(gi.has_mb1);
	assert_true(gi.has_mb2);
}

static void plain_elf_is_entered_as_v1(void **state)
{
	(void)state;
	elf64(0x100010, two_segs, ARRAY_SIZE(two_segs));
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.proto, BOOT_PROTO_MB1);
	assert_false(gi.has_mb2);
}

static void mb2_entry_tag_overrides_the_elf_entry(void **state)
{
	(void)state;
	elf64(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_entry_tag(0x102040);
	mb2_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.kind, IMAGE_ELF64);
	assert_int_equal(gi.entry, 0x102040);
}

static void mb2_address_tag_places_the_image_by_its_addresses(void **state)
{
	u32 addr[4] = { 0x300040, 0x300000, 0x302000, 0x305000 };

	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));	/* ignored */
	mb2_begin(0x40, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_ADDRESS, 0, addr, 4);
	mb2_entry_tag(0x300100);
	mb2_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.proto, BOOT_PROTO_MB2);
	assert_int_equal(gi.kind, IMAGE_MB2_ADDRESS);
	assert_int_equal(gi.entry, 0x300100);
	assert_int_equal(gi.nsegs, 1);
	expect_seg(0, 0x300000, 0, 0x2000, 0x5000);
}

static void mb2_address_tag_needs_an_entry_tag(void **state)
{
	u32 addr[4] = { 0x300040, 0x300000, 0, 0 };

	(void)state;
	mb2_begin(0x40, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_ADDRESS, 0, addr, 4);
	mb2_end();
	expect_fail("Multiboot2 address tag without an entry address tag");
}

static void mb2_address_tag_errors_name_multiboot2(void **state)
{
	u32 addr[4] = { 0x300040, 0x300000, 0x300048, 0 };

	(void)state;
	mb2_begin(0x40, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_ADDRESS, 0, addr, 4);
	mb2_entry_tag(0x300000);
	mb2_end();
	/* the header runs to 0x40 + 0x30: load_end inside it is refused */
	expect_fail("Multiboot2 load_end_addr 0x300048 ends before the header");
	addr[2] = 0;
	addr[1] = 0x2fff00;
	mb2_begin(0x40, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_ADDRESS, 0, addr, 4);
	mb2_entry_tag(0x300000);
	mb2_end();
	expect_fail("Multiboot2 header_addr 0x300040 and load_addr 0x2fff00 do "
		    "not match the header's file offset 0x40");
}

static void mb2_short_address_or_entry_tags_are_rejected(void **state)
{
	u32 addr[3] = { 0x300040, 0x300000, 0 };
	u32 none = 0;

	(void)state;
	mb2_begin(0x40, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_ADDRESS, 0, addr, 3);
	mb2_end();
	expect_fail("Multiboot2 address tag is 20 bytes, not 24");
	mb2_begin(0x40, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_ENTRY, 0, &none, 0);
	mb2_end();
	expect_fail("Multiboot2 entry address tag is 8 bytes, not 12");
}

static void mb2_kernel_neither_elf_nor_addressed_is_rejected(void **state)
{
	(void)state;
	mb2_begin(0x40, MB2_ARCH_I386);
	mb2_entry_tag(0x100000);
	mb2_end();
	expect_fail("Multiboot2 kernel is neither ELF nor placed by an address tag");
}

static void mb2_other_architecture_is_rejected(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, 4);	/* MIPS */
	mb2_end();
	expect_fail("Multiboot2 header is for architecture 4, not i386 (0)");
}

static void mb2_header_tags_must_end_inside_the_header(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_FLAGS, 0, (u32[]){ 0 }, 1);
	mb2_end();
	put32(0x1000 + MB2_FIXED + 16, MB2_HDR_TAG_FLAGS);	/* was the end tag */
	expect_fail("Multiboot2 header has no end tag");
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_FLAGS, 0, (u32[]){ 0 }, 1);
	mb2_end();
	put32(0x1000 + MB2_FIXED + 4, 0x100);		/* flags tag's size */
	expect_fail("Multiboot2 header tag 4 at 0x1010: size 256 is outside "
		    "the header");
	put32(0x1000 + MB2_FIXED + 4, 4);
	expect_fail("Multiboot2 header tag 4 at 0x1010: size 4 is outside "
		    "the header");
}

static void mb2_header_length_must_fit_the_image(void **state)
{
	u32 len = 0x10000;

	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	put32(0x1008, len);
	put32(0x100c, -(MB2_HEADER_MAGIC + len));
	expect_fail("Multiboot2 header at 0x1000: length 65536 does not fit the "
		    "first 32 KiB of the image");
	len = 8;
	put32(0x1008, len);
	put32(0x100c, -(MB2_HEADER_MAGIC + len));
	expect_fail("Multiboot2 header at 0x1000: length 8 does not fit the "
		    "first 32 KiB of the image");
}

static void mb2_information_request_must_be_met_unless_optional(void **state)
{
	u32 req[] = { MB2_TAG_MMAP, 8 /* framebuffer info */ };

	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_INFO_REQ, 0, req, 2);
	mb2_end();
	expect_fail("Multiboot2 header asks for information apfvisor does not "
		    "give (tag type 8)");
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_INFO_REQ, MB2_OPT, req, 2);
	mb2_end();
	assert_int_equal(parse(), 0);
}

static void mb2_required_framebuffer_or_unknown_tag_is_refused(void **state)
{
	u32 fb[3] = { 1024, 768, 32 };

	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(5, 0, fb, 3);
	mb2_end();
	expect_fail("Multiboot2 header requires a framebuffer, which apfvisor "
		    "does not provide (tag type 5)");
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(99, 0, NULL, 0);
	mb2_end();
	expect_fail("Multiboot2 header requires a feature apfvisor does not "
		    "provide (tag type 99)");
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(5, MB2_OPT, fb, 3);
	mb2_tag(99, MB2_OPT, NULL, 0);
	mb2_end();
	assert_int_equal(parse(), 0);
}

static void mb2_tags_for_other_loaders_are_accepted(void **state)
{
	u32 reloc[4] = { 0x100000, 0x1000000, 0x1000, 0 };

	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_tag(MB2_HDR_TAG_FLAGS, 0, (u32[]){ 3 }, 1);
	mb2_tag(MB2_HDR_TAG_MODULE_ALIGN, 0, NULL, 0);
	mb2_tag(7, 0, NULL, 0);			/* EFI boot services */
	mb2_tag(8, 0, (u32[]){ 0x100020 }, 1);	/* EFI i386 entry */
	mb2_tag(9, 0, (u32[]){ 0x100020 }, 1);	/* EFI amd64 entry */
	mb2_tag(10, 0, reloc, 4);		/* relocatable */
	mb2_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(gi.entry, 0x100010);
}

static void mb2_header_must_be_8_aligned_with_a_good_checksum(void **state)
{
	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	mb2_begin(0x1004, MB2_ARCH_I386);
	mb2_end();
	assert_int_equal(parse(), 0);
	assert_false(gi.has_mb2);
	assert_int_equal(gi.proto, BOOT_PROTO_MB1);
	mb2_begin(0x1000, MB2_ARCH_I386);
	mb2_end();
	put32(0x100c, 0x1234);
	assert_int_equal(parse(), 0);
	assert_false(gi.has_mb2);
}

static void mb2_header_is_searched_in_the_first_32k_only(void **state)
{
	size_t n = MB2_SEARCH_LIMIT + 0x100;
	u8 *big = calloc(1, n);
	u8 save[0x40];

	(void)state;
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	memcpy(big, img, IMG_MAX);
	memcpy(save, img, sizeof(save));
	/* a header in the last slot that still holds it is found ... */
	mb2_begin(0, MB2_ARCH_I386);
	mb2_end();
	memcpy(big + MB2_SEARCH_LIMIT - 0x18, img, 0x18);
	memcpy(img, save, sizeof(save));
	assert_int_equal(loader_parse(big, n, LOWEST, RAM_SIZE, &gi, err,
				      sizeof(err)), 0);
	assert_true(gi.has_mb2);
	/* ... one past 32 KiB is not */
	memset(big + MB2_SEARCH_LIMIT - 0x18, 0, 0x18);
	mb2_begin(0, MB2_ARCH_I386);
	mb2_end();
	memcpy(big + MB2_SEARCH_LIMIT, img, 0x18);
	assert_int_equal(loader_parse(big, n, LOWEST, RAM_SIZE, &gi, err,
				      sizeof(err)), 0);
	assert_false(gi.has_mb2);
	free(big);
}

/* --- copying and boot information ---------------------------------------- */

static void copy_places_file_bytes_and_zeroes_bss(void **state)
{
	u8 *ram = malloc(RAM_SIZE);

	(void)state;
	memset(ram, 0xee, RAM_SIZE);
	elf32(0x100010, two_segs, ARRAY_SIZE(two_segs));
	assert_int_equal(parse(), 0);
	loader_copy(&gi, img, ram, RAM_SIZE);
	assert_memory_equal(ram + 0x100000, img + 0x1000, 0x1000);
	assert_memory_equal(ram + 0x102000, img + 0x2000, 0x800);
	for (u64 i = 0x102800; i < 0x105000; i++)
		assert_int_equal(ram[i], 0);
	assert_int_equal(ram[0x101000], 0xee);	/* between segments */
	assert_int_equal(ram[0x105000], 0xee);
	free(ram);
}

static void copy_skips_a_segment_that_does_not_fit(void **state)
{
	u8 *ram = malloc(RAM_SIZE);
	struct guest_image bad = { .nsegs = 1,
				   .segs = { { RAM_SIZE - 0x800, 0, 0x1000, 0x1000 } } };

	(void)state;
	memset(ram, 0xee, RAM_SIZE);
	loader_copy(&bad, img, ram, RAM_SIZE);
	assert_int_equal(ram[RAM_SIZE - 1], 0xee);
	free(ram);
}

static struct mb1_info mbi_of(const u8 *ram)
{
	struct mb1_info mi;

	memcpy(&mi, ram + APFV_GUEST_MBI_GPA, sizeof(mi));
	return mi;
}

static void mbi_describes_memory_cmdline_and_loader(void **state)
{
	u8 *ram = malloc(RAM_SIZE);
	struct mb1_info mi;

	(void)state;
	memset(ram, 0xee, RAM_SIZE);
	assert_int_equal(loader_build_mbi(ram, RAM_SIZE, "guest-stub test=apf"),
			 APFV_GUEST_MBI_GPA);
	mi = mbi_of(ram);
	assert_int_equal(mi.flags, MB1_INFO_MEMORY | MB1_INFO_CMDLINE |
				   MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME);
	assert_int_equal(mi.mem_lower, 639);
	assert_int_equal(mi.mem_upper, (RAM_SIZE - MiB) / KiB);
	assert_string_equal((char *)ram + mi.cmdline, "guest-stub test=apf");
	assert_string_equal((char *)ram + mi.boot_loader_name, "apfvisor");
	assert_int_equal(mi.mods_count, 0);
	assert_true(mi.cmdline > APFV_GUEST_MBI_GPA && mi.cmdline < APFV_GUEST_MBI_END);
	assert_true(mi.mmap_addr >= APFV_GUEST_MBI_GPA + sizeof(mi));
	assert_true(mi.mmap_addr + mi.mmap_length <= APFV_GUEST_MBI_END);
	free(ram);
}

static void mbi_memory_map_reserves_the_pc_holes(void **state)
{
	static const u64 want[4][3] = {
		{ 0, 0x9fc00, BOOT_MEM_RAM },
		{ 0x9fc00, 0x400, BOOT_MEM_RESERVED },
		{ 0xf0000, 0x10000, BOOT_MEM_RESERVED },
		{ 0x100000, RAM_SIZE - 0x100000, BOOT_MEM_RAM },
	};
	u8 *ram = calloc(1, RAM_SIZE);
	struct mb1_info mi;

	(void)state;
	loader_build_mbi(ram, RAM_SIZE, "");
	mi = mbi_of(ram);
	assert_int_equal(mi.mmap_length, 4 * sizeof(struct mb1_mmap_entry));
	for (u32 i = 0; i < 4; i++) {
		struct mb1_mmap_entry e;

		memcpy(&e, ram + mi.mmap_addr + i * sizeof(e), sizeof(e));
		assert_int_equal(e.size, 20);
		assert_int_equal(e.addr, want[i][0]);
		assert_int_equal(e.len, want[i][1]);
		assert_int_equal(e.type, want[i][2]);
	}
	free(ram);
}

static void mbi_overlong_cmdline_is_cut_before_the_end(void **state)
{
	size_t n = 2 * (APFV_GUEST_MBI_END - APFV_GUEST_MBI_GPA);
	char *line = malloc(n + 1);
	u8 *ram = malloc(RAM_SIZE);
	struct mb1_info mi;

	(void)state;
	memset(line, 'z', n);
	line[n] = '\0';
	memset(ram, 0xee, RAM_SIZE);
	loader_build_mbi(ram, RAM_SIZE, line);
	mi = mbi_of(ram);
	assert_int_equal(ram[APFV_GUEST_MBI_END - 1], 0);
	assert_int_equal(strlen((char *)ram + mi.cmdline),
			 APFV_GUEST_MBI_END - 1 - mi.cmdline);
	assert_int_equal(ram[APFV_GUEST_MBI_END], 0xee);	/* untouched */
	free(line);
	free(ram);
}

static void mbi_null_cmdline_is_empty(void **state)
{
	u8 *ram = malloc(RAM_SIZE);

	(void)state;
	loader_build_mbi(ram, RAM_SIZE, NULL);
	assert_string_equal((char *)ram + mbi_of(ram).cmdline, "");
	free(ram);
}

static void mbi_for_a_large_guest_reports_all_ram(void **state)
{
	u8 *ram = calloc(1, APFV_GUEST_MBI_END);
	struct mb1_mmap_entry e;
	struct mb1_info mi;

	(void)state;
	/* only the info area is written, so a small buffer stands for 8G */
	loader_build_mbi(ram, 8 * GiB, "");
	mi = mbi_of(ram);
	assert_int_equal(mi.mem_upper, (8 * GiB - MiB) / KiB);
	memcpy(&e, ram + mi.mmap_addr + 3 * sizeof(e), sizeof(e));
	assert_int_equal(e.len, 8 * GiB - MiB);
	free(ram);
}

static void mbi_needs_at_least_1m_of_ram(void **state)
{
	u8 *ram = malloc(MiB);

	(void)state;
	memset(ram, 0xee, MiB);
	assert_int_equal(loader_build_mbi(ram, MiB - PAGE_SIZE, "x"), 0);
	assert_int_equal(ram[APFV_GUEST_MBI_GPA], 0xee);
	free(ram);
}

/* --- Multiboot2 information ------------------------------------------ */

struct mb2i_seen {
	u32 total;
	const char *cmdline, *name;
	u32 mem_lower, mem_upper;
	u32 entry_size, entry_version, nmmap;
	u64 mmap[8][3];
	u32 ntags, end_at;
};

/* Walk the v2 information at APFV_GUEST_MBI_GPA as a guest would. */
static struct mb2i_seen mb2i_walk(const u8 *ram)
{
	struct mb2i_seen w = { 0 };
	u64 pa = APFV_GUEST_MBI_GPA + 8;

	memcpy(&w.total, ram + APFV_GUEST_MBI_GPA, 4);
	for (;;) {
		u32 type, size;

		assert_true(pa % 8 == 0);
		memcpy(&type, ram + pa, 4);
		memcpy(&size, ram + pa + 4, 4);
		assert_true(size >= 8 && pa + size <= APFV_GUEST_MBI_END);
		w.ntags++;
		if (type == MB2_TAG_END) {
			assert_int_equal(size, 8);
			w.end_at = (u32)(pa + 8 - APFV_GUEST_MBI_GPA);
			return w;
		}
		if (type == MB2_TAG_CMDLINE)
			w.cmdline = (const char *)ram + pa + 8;
		if (type == MB2_TAG_LOADER_NAME)
			w.name = (const char *)ram + pa + 8;
		if (type == MB2_TAG_BASIC_MEMINFO) {
			memcpy(&w.mem_lower, ram + pa + 8, 4);
			memcpy(&w.mem_upper, ram + pa + 12, 4);
		}
		if (type == MB2_TAG_MMAP) {
			memcpy(&w.entry_size, ram + pa + 8, 4);
			memcpy(&w.entry_version, ram + pa + 12, 4);
			for (u64 e = pa + 16; e + 24 <= pa + size && w.nmmap < 8; e += 24) {
				u32 t;

				memcpy(&w.mmap[w.nmmap][0], ram + e, 8);
				memcpy(&w.mmap[w.nmmap][1], ram + e + 8, 8);
				memcpy(&t, ram + e + 16, 4);
				w.mmap[w.nmmap++][2] = t;
			}
		}
		pa = (pa + size + 7) & ~7ULL;
	}
}

static void mb2i_gives_cmdline_name_meminfo_and_the_v1_memory_map(void **state)
{
	u8 *ram = malloc(RAM_SIZE), *ram1 = calloc(1, RAM_SIZE);
	struct mb2i_seen w;
	struct mb1_info mi;

	(void)state;
	memset(ram, 0xee, RAM_SIZE);
	assert_int_equal(loader_build_mb2i(ram, RAM_SIZE, "mb2 hello=world"),
			 APFV_GUEST_MBI_GPA);
	w = mb2i_walk(ram);
	assert_int_equal(w.total, w.end_at);
	assert_int_equal(w.ntags, 5);
	assert_string_equal(w.cmdline, "mb2 hello=world");
	assert_string_equal(w.name, "apfvisor");
	assert_int_equal(w.mem_lower, 639);
	assert_int_equal(w.mem_upper, (RAM_SIZE - MiB) / KiB);
	assert_int_equal(w.entry_size, 24);
	assert_int_equal(w.entry_version, 0);
	/* the very same map as v1's */
	loader_build_mbi(ram1, RAM_SIZE, "");
	mi = mbi_of(ram1);
	assert_int_equal(w.nmmap, mi.mmap_length / sizeof(struct mb1_mmap_entry));
	for (u32 i = 0; i < w.nmmap; i++) {
		struct mb1_mmap_entry e;

		memcpy(&e, ram1 + mi.mmap_addr + i * sizeof(e), sizeof(e));
		assert_int_equal(w.mmap[i][0], e.addr);
		assert_int_equal(w.mmap[i][1], e.len);
		assert_int_equal(w.mmap[i][2], e.type);
	}
	assert_int_equal(w.mmap[1][0], 0x9fc00);
	assert_int_equal(w.mmap[2][0] + w.mmap[2][1], 0x100000);
	assert_int_equal(ram[APFV_GUEST_MBI_END], 0xee);
	free(ram);
	free(ram1);
}

static void mb2i_overlong_cmdline_is_cut_and_the_end_tag_still_fits(void **state)
{
	size_t n = 2 * (APFV_GUEST_MBI_END - APFV_GUEST_MBI_GPA);
	char *line = malloc(n + 1);
	u8 *ram = malloc(RAM_SIZE);
	struct mb2i_seen w;

	(void)state;
	memset(line, 'z', n);
	line[n] = '\0';
	memset(ram, 0xee, RAM_SIZE);
	loader_build_mb2i(ram, RAM_SIZE, line);
	w = mb2i_walk(ram);
	assert_int_equal(w.total, w.end_at);
	assert_true(APFV_GUEST_MBI_GPA + w.total <= APFV_GUEST_MBI_END);
	assert_true(strlen(w.cmdline) > 1000);
	assert_int_equal(ram[APFV_GUEST_MBI_END], 0xee);
	free(line);
	free(ram);
}

static void mb2i_null_cmdline_is_empty_and_small_ram_gets_nothing(void **state)
{
	u8 *ram = malloc(RAM_SIZE);

	(void)state;
	memset(ram, 0xee, RAM_SIZE);
	assert_int_equal(loader_build_mb2i(ram, MiB - PAGE_SIZE, "x"), 0);
	assert_int_equal(ram[APFV_GUEST_MBI_GPA], 0xee);
	loader_build_mb2i(ram, RAM_SIZE, NULL);
	assert_string_equal(mb2i_walk(ram).cmdline, "");
	free(ram);
}

static void build_info_follows_the_protocol(void **state)
{
	u8 *ram = calloc(1, RAM_SIZE);
	struct guest_image g = { .proto = BOOT_PROTO_MB2 };
	u32 magic = 0;

	(void)state;
	assert_int_equal(loader_build_info(&g, ram, RAM_SIZE, "a", &magic),
			 APFV_GUEST_MBI_GPA);
	assert_int_equal(magic, MB2_LOADER_MAGIC);
	assert_string_equal(mb2i_walk(ram).cmdline, "a");
	g.proto = BOOT_PROTO_MB1;
	loader_build_info(&g, ram, RAM_SIZE, "b", &magic);
	assert_int_equal(magic, MB1_LOADER_MAGIC);
	assert_string_equal((char *)ram + mbi_of(ram).cmdline, "b");
	free(ram);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, NULL)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(elf32_loads_pt_load_segments_at_physical_addresses),
		T(elf64_loads_pt_load_segments_at_physical_addresses),
		T(elf_with_a_multiboot_header_records_it),
		T(elf64_entry_above_4g_is_rejected),
		T(elf_machine_must_match_the_class),
		T(elf_big_endian_or_bad_class_is_rejected),
		T(elf_truncated_headers_are_rejected),
		T(elf_program_headers_past_the_file_are_rejected),
		T(elf_program_header_size_too_small_is_rejected),
		T(elf_segment_past_the_file_is_rejected),
		T(elf_segment_below_lowest_is_rejected),
		T(elf_segment_past_guest_ram_is_rejected),
		T(elf_segment_ending_exactly_at_the_top_of_ram_fits),
		T(elf_overlapping_segments_are_rejected),
		T(elf_adjacent_segments_are_fine),
		T(elf_file_size_above_memory_size_is_rejected),
		T(elf_more_than_8_segments_are_rejected),
		T(elf_without_loadable_segments_is_rejected),
		T(entry_outside_every_segment_is_rejected),
		T(neither_elf_nor_kludge_is_not_a_multiboot_kernel),
		T(kludge_header_places_the_image_by_its_addresses),
		T(kludge_load_addr_after_the_file_start_gives_a_file_offset),
		T(kludge_zero_load_end_and_bss_end_mean_whole_file_and_no_bss),
		T(kludge_wins_over_an_elf_header),
		T(kludge_load_addr_before_the_file_start_is_rejected),
		T(kludge_load_end_past_the_file_is_rejected),
		T(kludge_load_end_before_the_header_is_rejected),
		T(kludge_bss_end_below_load_end_is_rejected),
		T(kludge_entry_outside_the_image_is_rejected),
		T(kludge_header_cut_short_is_rejected),
		T(header_is_found_at_the_last_slot_of_the_first_8k),
		T(header_beyond_8k_or_unaligned_is_not_seen),
		T(header_with_a_bad_checksum_is_not_seen),
		T(header_requiring_a_video_mode_is_refused),
		T(mb2_only_elf_is_loaded_by_program_headers_and_entered_as_v2),
		T(mb1_header_wins_when_both_are_present),
		T(plain_elf_is_entered_as_v1),
		T(mb2_entry_tag_overrides_the_elf_entry),
		T(mb2_address_tag_places_the_image_by_its_addresses),
		T(mb2_address_tag_needs_an_entry_tag),
		T(mb2_address_tag_errors_name_multiboot2),
		T(mb2_short_address_or_entry_tags_are_rejected),
		T(mb2_kernel_neither_elf_nor_addressed_is_rejected),
		T(mb2_other_architecture_is_rejected),
		T(mb2_header_tags_must_end_inside_the_header),
		T(mb2_header_length_must_fit_the_image),
		T(mb2_information_request_must_be_met_unless_optional),
		T(mb2_required_framebuffer_or_unknown_tag_is_refused),
		T(mb2_tags_for_other_loaders_are_accepted),
		T(mb2_header_must_be_8_aligned_with_a_good_checksum),
		T(mb2_header_is_searched_in_the_first_32k_only),
		T(copy_places_file_bytes_and_zeroes_bss),
		T(copy_skips_a_segment_that_does_not_fit),
		T(mbi_describes_memory_cmdline_and_loader),
		T(mbi_memory_map_reserves_the_pc_holes),
		T(mbi_overlong_cmdline_is_cut_before_the_end),
		T(mbi_null_cmdline_is_empty),
		T(mbi_for_a_large_guest_reports_all_ram),
		T(mbi_needs_at_least_1m_of_ram),
		T(mb2i_gives_cmdline_name_meminfo_and_the_v1_memory_map),
		T(mb2i_overlong_cmdline_is_cut_and_the_end_tag_still_fits),
		T(mb2i_null_cmdline_is_empty_and_small_ram_gets_nothing),
		T(build_info_follows_the_protocol),
	};

	return UNIT_RUN("loader", tests);
}
