/*
 * tests/unit/test_loader.c - vmm/loader.c: finding the Multiboot v1
 * header, a.out-kludge, ELF32 and ELF64 images with every rejection,
 * copying into guest RAM, and the Multiboot information the guest gets.
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
		T(copy_places_file_bytes_and_zeroes_bss),
		T(copy_skips_a_segment_that_does_not_fit),
		T(mbi_describes_memory_cmdline_and_loader),
		T(mbi_memory_map_reserves_the_pc_holes),
		T(mbi_overlong_cmdline_is_cut_before_the_end),
		T(mbi_null_cmdline_is_empty),
		T(mbi_for_a_large_guest_reports_all_ram),
		T(mbi_needs_at_least_1m_of_ram),
	};

	return UNIT_RUN("loader", tests);
}
