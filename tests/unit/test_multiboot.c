/*
 * tests/unit/test_multiboot.c - boot/multiboot.c: Multiboot v1 and v2
 * information built in buffers the way GRUB, QEMU and iPXE lay it out
 * (pointer value == physical address), and every malformed structure the
 * parser must refuse without reading past its bounds. v1 holds 32-bit
 * addresses, so its structures live below 4 GiB; v2 structures are copied
 * into exactly-sized heap buffers so ASan catches any over-read.
 * Host unit test.
 */
#include <stdlib.h>
#include <string.h>

#include "env_host.h"
#include "../../boot/multiboot.h"

#define ERRLEN		200
#define LOW_SIZE	(256 * 1024)
#define MB2_BUF_SIZE	8192
#define RSDP_V1_LEN	20
#define RSDP_V2_LEN	36
#define EFI_MMAP_DESC	48

static struct boot_info bi;
static char err[ERRLEN];

/* --- v1 builders: a bump allocator below 4 GiB ------------------------- */

static u8 *low;
static u32 low_used;

static int setup(void **state)
{
	(void)state;
	low = env_host_low_alloc(LOW_SIZE);
	low_used = 0;
	memset(&bi, 0xa5, sizeof(bi));
	err[0] = '\0';
	return low ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	env_host_low_free(low, LOW_SIZE);
	return 0;
}

/* Copy len bytes (zeros if p is NULL) into low memory; its address. */
static u32 low_put(const void *p, u32 len)
{
	u32 off = (u32)ALIGN_UP(low_used, 8);

	assert_true(off + len <= LOW_SIZE);
	if (p)
		memcpy(low + off, p, len);
	low_used = off + len;
	return (u32)(uintptr_t)(low + off);
}

static u32 low_str(const char *s)
{
	return low_put(s, (u32)strlen(s) + 1);
}

/* A v1 info with flags; with MB1_INFO_MEMORY it describes a PC with 639K
 * low and 63M high memory, which tests may change. */
static struct mb1_info *mb1_new(u32 flags)
{
	struct mb1_info *mi = (void *)(uintptr_t)low_put(NULL, sizeof(*mi));

	mi->flags = flags;
	if (flags & MB1_INFO_MEMORY) {
		mi->mem_lower = 639;
		mi->mem_upper = 63 * 1024;
	}
	return mi;
}

/* An mmap of n entries in the `size`-prefixed v1 format. */
static void mb1_set_mmap(struct mb1_info *mi, const struct mb1_mmap_entry *e,
			 u32 n)
{
	mi->flags |= MB1_INFO_MEM_MAP;
	mi->mmap_addr = low_put(e, n * (u32)sizeof(*e));
	mi->mmap_length = n * (u32)sizeof(*e);
}

#define MB1_E(a, l, t) { 20, (a), (l), (t) }

static const struct mb1_mmap_entry qemu_map[] = {
	MB1_E(0, 0x9fc00, BOOT_MEM_RAM),
	MB1_E(0x9fc00, 0x400, BOOT_MEM_RESERVED),
	MB1_E(0xf0000, 0x10000, BOOT_MEM_RESERVED),
	MB1_E(0x100000, 0x7ee0000, BOOT_MEM_RAM),
	MB1_E(0x7fe0000, 0x20000, BOOT_MEM_RESERVED),
	MB1_E(0xfffc0000, 0x40000, BOOT_MEM_RESERVED),
};

static int parse1(struct mb1_info *mi)
{
	return mb_parse(MB1_LOADER_MAGIC, (u64)(uintptr_t)mi, &bi, err,
			sizeof(err));
}

static void expect_fail1(struct mb1_info *mi, const char *msg)
{
	assert_int_equal(parse1(mi), -1);
	assert_string_equal(err, msg);
}

/* --- v2 builders -------------------------------------------------------- */

static u8 mb2[MB2_BUF_SIZE] __aligned(8);
static u32 mb2_len;

static void mb2_begin(void)
{
	memset(mb2, 0, sizeof(mb2));
	mb2_len = 8;
}

/* Append a tag with an explicit size field and len payload bytes. */
static void mb2_raw(u32 type, u32 size, const void *payload, u32 len)
{
	struct mb2_tag t = { type, size };

	assert_true(mb2_len + 8 + len + 8 <= sizeof(mb2));
	memcpy(mb2 + mb2_len, &t, sizeof(t));
	if (len)
		memcpy(mb2 + mb2_len + 8, payload, len);
	mb2_len = (u32)ALIGN_UP(mb2_len + 8 + len, 8);
}

static void mb2_tag(u32 type, const void *payload, u32 len)
{
	mb2_raw(type, 8 + len, payload, len);
}

static void mb2_str(u32 type, const char *s)
{
	mb2_tag(type, s, (u32)strlen(s) + 1);
}

static void mb2_module(u32 start, u32 end, const char *cmd)
{
	u8 p[300];
	u32 n = (u32)strlen(cmd) + 1;

	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, cmd, n);
	mb2_tag(MB2_TAG_MODULE, p, 8 + n);
}

static void mb2_meminfo(u32 lower, u32 upper)
{
	u32 p[2] = { lower, upper };

	mb2_tag(MB2_TAG_BASIC_MEMINFO, p, sizeof(p));
}

/* An mmap tag of n entries, each esize bytes (>= 24). */
static void mb2_mmap(u32 esize, const u64 (*e)[3], u32 n)
{
	u8 p[1024] = { 0 };
	u32 hdr[2] = { esize, 0 };

	memcpy(p, hdr, sizeof(hdr));
	for (u32 i = 0; i < n; i++) {
		u32 type = (u32)e[i][2];

		memcpy(p + 8 + i * esize, &e[i][0], 8);
		memcpy(p + 8 + i * esize + 8, &e[i][1], 8);
		memcpy(p + 8 + i * esize + 16, &type, 4);
	}
	mb2_tag(MB2_TAG_MMAP, p, 8 + n * esize);
}

static const u64 grub_map[][3] = {
	{ 0, 0x9f000, BOOT_MEM_RAM },
	{ 0x9f000, 0x1000, BOOT_MEM_RESERVED },
	{ 0x100000, 0x3ff00000, BOOT_MEM_RAM },
	{ 0x3fff0000, 0x10000, BOOT_MEM_ACPI },
	{ 0x100000000ULL, 0x40000000, BOOT_MEM_RAM },
};

/* Finish with total_size and copy into an exactly-sized heap buffer. */
static u8 *mb2_done(void)
{
	u8 *buf = aligned_alloc(8, mb2_len);

	memcpy(mb2, &mb2_len, 4);
	memcpy(buf, mb2, mb2_len);
	return buf;
}

static u8 *mb2_done_with_end(void)
{
	mb2_tag(MB2_TAG_END, NULL, 0);
	return mb2_done();
}

static int parse2(u8 *buf)
{
	int rc = mb_parse(MB2_LOADER_MAGIC, (u64)(uintptr_t)buf, &bi, err,
			  sizeof(err));

	free(buf);
	return rc;
}

static void expect_fail2(u8 *buf, const char *msg)
{
	assert_int_equal(parse2(buf), -1);
	assert_string_equal(err, msg);
}

/* --- common ------------------------------------------------------------- */

static void bad_loader_magic_is_rejected_with_its_value(void **state)
{
	(void)state;
	assert_int_equal(mb_parse(0x12345678, 0x1000, &bi, err, sizeof(err)), -1);
	assert_string_equal(err, "bad loader magic 0x12345678 "
			    "(expected 0x2badb002 or 0x36d76289)");
	assert_int_equal(bi.nregions, 0);
}

static void header_magic_is_not_loader_magic(void **state)
{
	(void)state;
	assert_int_equal(mb_parse(MB1_HEADER_MAGIC, 0x1000, &bi, err,
				  sizeof(err)), -1);
	assert_int_equal(mb_parse(MB2_HEADER_MAGIC, 0x1000, &bi, err,
				  sizeof(err)), -1);
}

static void info_at_address_zero_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(mb_parse(MB1_LOADER_MAGIC, 0, &bi, err, sizeof(err)), -1);
	assert_string_equal(err, "no boot information (address 0)");
}

/* --- Multiboot v1 ------------------------------------------------------- */

static void mb1_from_qemu_gives_map_cmdline_modules_and_name(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MEMORY | MB1_INFO_CMDLINE |
				      MB1_INFO_MODS | MB1_INFO_LOADER_NAME);
	struct mb1_module mods[2] = {
		{ 0x200000, 0x210000, low_str("guest-stub.elf test=apf"), 0 },
		{ 0x300000, 0x300000, 0, 0 },
	};

	(void)state;
	mi->mem_lower = 639;
	mi->mem_upper = 129920;
	mi->cmdline = low_str("/boot/apfvisor.elf ram=16M log=debug");
	mi->boot_loader_name = low_str("qemu");
	mi->mods_count = 2;
	mi->mods_addr = low_put(mods, sizeof(mods));
	mb1_set_mmap(mi, qemu_map, ARRAY_SIZE(qemu_map));
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.loader, BOOT_MB1);
	assert_string_equal(bi.cmdline, "/boot/apfvisor.elf ram=16M log=debug");
	assert_string_equal(bi.loader_name, "qemu");
	assert_int_equal(bi.nregions, ARRAY_SIZE(qemu_map));
	for (u32 i = 0; i < bi.nregions; i++) {
		assert_int_equal(bi.regions[i].base, qemu_map[i].addr);
		assert_int_equal(bi.regions[i].len, qemu_map[i].len);
		assert_int_equal(bi.regions[i].type, qemu_map[i].type);
	}
	assert_int_equal(bi.nmodules, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x210000);
	assert_string_equal(bi.modules[0].cmdline, "guest-stub.elf test=apf");
	assert_string_equal(bi.modules[1].cmdline, "");
	assert_int_equal(bi.info_start, (uintptr_t)mi);
	assert_int_equal(bi.info_end, (uintptr_t)mi + sizeof(*mi));
	assert_int_equal(bi.rsdp, 0);
	assert_false(bi.efi);
}

static void mb1_fields_without_their_flag_are_ignored(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MEMORY);

	(void)state;
	mi->mem_lower = 639;
	mi->mem_upper = 1024;
	mi->cmdline = low_str("ram=8M");
	mi->boot_loader_name = low_str("GRUB");
	mi->mods_count = 200;
	mi->mods_addr = 0x1234;
	mi->mmap_length = 7;
	mi->mmap_addr = 0x10;
	assert_int_equal(parse1(mi), 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "");
	assert_int_equal(bi.nmodules, 0);
	assert_int_equal(bi.nregions, 2);
}

static void mb1_without_mmap_falls_back_to_mem_lower_and_upper(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MEMORY);

	(void)state;
	mi->mem_lower = 639;
	mi->mem_upper = 64 * 1024 - 1024;
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nregions, 2);
	assert_int_equal(bi.regions[0].base, 0);
	assert_int_equal(bi.regions[0].len, 639 * KiB);
	assert_int_equal(bi.regions[0].type, BOOT_MEM_RAM);
	assert_int_equal(bi.regions[1].base, MiB);
	assert_int_equal(bi.regions[1].len, 63 * MiB);
}

static void mb1_with_an_empty_mmap_falls_back_to_mem_lower_and_upper(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MEMORY);

	(void)state;
	mi->mem_lower = 600;
	mi->mem_upper = 1024;
	mb1_set_mmap(mi, qemu_map, 0);
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nregions, 2);
	assert_int_equal(bi.regions[1].len, MiB);
}

static void mb1_without_any_memory_information_is_rejected(void **state)
{
	(void)state;
	expect_fail1(mb1_new(MB1_INFO_CMDLINE),
		     "mb1: no memory information (no mmap, no mem_lower/upper)");
}

static void mb1_zero_mem_lower_and_upper_is_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MEMORY);

	(void)state;
	mi->mem_lower = 0;
	mi->mem_upper = 0;
	expect_fail1(mi, "no memory: mem_lower and mem_upper are both 0");
}

static void mb1_mmap_entries_honour_a_larger_size_field(void **state)
{
	struct mb1_info *mi = mb1_new(0);
	u8 map[2 * 28] = { 0 };
	u32 size = 24;
	u64 a0 = 0, l0 = 0x9fc00, a1 = 0x100000, l1 = 0x1000000;
	u32 t = BOOT_MEM_RAM, t1 = BOOT_MEM_NVS;

	(void)state;
	memcpy(map, &size, 4);
	memcpy(map + 4, &a0, 8);
	memcpy(map + 12, &l0, 8);
	memcpy(map + 20, &t, 4);
	memcpy(map + 28, &size, 4);
	memcpy(map + 32, &a1, 8);
	memcpy(map + 40, &l1, 8);
	memcpy(map + 48, &t1, 4);
	mi->flags = MB1_INFO_MEM_MAP;
	mi->mmap_addr = low_put(map, sizeof(map));
	mi->mmap_length = sizeof(map);
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nregions, 2);
	assert_int_equal(bi.regions[1].base, 0x100000);
	assert_int_equal(bi.regions[1].len, 0x1000000);
	assert_int_equal(bi.regions[1].type, BOOT_MEM_NVS);
}

static void mb1_zero_length_entries_are_dropped_and_unknown_types_kept(void **state)
{
	static const struct mb1_mmap_entry map[] = {
		MB1_E(0, 0x9fc00, BOOT_MEM_RAM),
		MB1_E(0x9fc00, 0, BOOT_MEM_RESERVED),
		MB1_E(0x100000, 0x100000, 20),
	};
	struct mb1_info *mi = mb1_new(0);

	(void)state;
	mb1_set_mmap(mi, map, ARRAY_SIZE(map));
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nregions, 2);
	assert_int_equal(bi.regions[1].type, 20);
}

static void mb1_mmap_entry_too_small_is_rejected(void **state)
{
	struct mb1_mmap_entry map[2] = { MB1_E(0, 0x9fc00, 1), MB1_E(0, 1, 1) };
	struct mb1_info *mi = mb1_new(0);

	(void)state;
	map[1].size = 16;
	mb1_set_mmap(mi, map, 2);
	expect_fail1(mi, "mb1: mmap entry at offset 24 has bad size 16");
}

static void mb1_mmap_entry_running_past_mmap_length_is_rejected(void **state)
{
	struct mb1_mmap_entry map[2] = { MB1_E(0, 0x9fc00, 1), MB1_E(0, 1, 1) };
	struct mb1_info *mi = mb1_new(0);

	(void)state;
	map[1].size = 28;
	mb1_set_mmap(mi, map, 2);
	expect_fail1(mi, "mb1: mmap entry at offset 24 has bad size 28");
}

static void mb1_mmap_with_a_partial_trailing_entry_is_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(0);

	(void)state;
	mb1_set_mmap(mi, qemu_map, 2);
	mi->mmap_length -= 4;
	expect_fail1(mi, "mb1: mmap entry at offset 24 is truncated");
}

static void mb1_mmap_at_address_zero_is_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MEM_MAP);

	(void)state;
	mi->mmap_length = 24;
	expect_fail1(mi, "mb1: memory map at address 0");
}

static void mb1_more_memory_regions_than_fit_are_rejected(void **state)
{
	struct mb1_mmap_entry map[BOOT_MAX_REGIONS + 1];
	struct mb1_info *mi = mb1_new(0);

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = (struct mb1_mmap_entry)MB1_E(i * MiB, MiB, BOOT_MEM_RAM);
	mb1_set_mmap(mi, map, BOOT_MAX_REGIONS);
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nregions, BOOT_MAX_REGIONS);
	mb1_set_mmap(mi, map, ARRAY_SIZE(map));
	expect_fail1(mi, "more than 64 memory map entries");
}

static void mb1_command_line_of_511_bytes_fits(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_CMDLINE | MB1_INFO_MEMORY);
	char line[BOOT_CMDLINE_MAX];

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mi->cmdline = low_str(line);
	assert_int_equal(parse1(mi), 0);
	assert_string_equal(bi.cmdline, line);
}

static void mb1_overlong_command_line_is_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_CMDLINE | MB1_INFO_MEMORY);
	char line[BOOT_CMDLINE_MAX + 1];

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mi->cmdline = low_str(line);
	expect_fail1(mi, "mb1: command line is longer than 511 bytes");
}

static void mb1_long_loader_name_is_truncated(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_LOADER_NAME | MB1_INFO_MEMORY);
	char name[100];

	(void)state;
	memset(name, 'g', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mi->boot_loader_name = low_str(name);
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(strlen(bi.loader_name), sizeof(bi.loader_name) - 1);
}

static void mb1_too_many_modules_are_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MODS | MB1_INFO_MEMORY);
	struct mb1_module mods[BOOT_MAX_MODULES + 1] = { { 0 } };

	(void)state;
	mi->mods_addr = low_put(mods, sizeof(mods));
	mi->mods_count = BOOT_MAX_MODULES;
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nmodules, BOOT_MAX_MODULES);
	mi->mods_count = BOOT_MAX_MODULES + 1;
	expect_fail1(mi, "mb1: 9 boot modules, at most 8 supported");
}

static void mb1_module_ending_before_it_starts_is_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MODS | MB1_INFO_MEMORY);
	struct mb1_module m = { 0x300000, 0x2fffff, 0, 0 };

	(void)state;
	mi->mods_addr = low_put(&m, sizeof(m));
	mi->mods_count = 1;
	expect_fail1(mi, "module 0 ends (0x2fffff) before it starts (0x300000)");
}

static void mb1_modules_at_address_zero_are_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MODS | MB1_INFO_MEMORY);

	(void)state;
	mi->mods_count = 1;
	expect_fail1(mi, "mb1: 1 modules at address 0");
}

static void mb1_overlong_module_command_line_is_rejected(void **state)
{
	struct mb1_info *mi = mb1_new(MB1_INFO_MODS | MB1_INFO_MEMORY);
	char line[BOOT_MODLINE_MAX + 10];
	struct mb1_module m = { 0x300000, 0x300100, 0, 0 };

	(void)state;
	memset(line, 'm', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	m.cmdline = low_str(line);
	mi->mods_addr = low_put(&m, sizeof(m));
	mi->mods_count = 1;
	expect_fail1(mi, "module command line is longer than 255 bytes");
}

static void a_small_error_buffer_is_never_overrun(void **state)
{
	char tiny[6];

	(void)state;
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(mb_parse(1, 0x1000, &bi, tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "bad l");
	assert_int_equal(mb_parse(1, 0x1000, &bi, NULL, 0), -1);
}

/* --- Multiboot v2 ------------------------------------------------------- */

static void mb2_from_grub_on_bios_gives_everything(void **state)
{
	u8 rsdp[RSDP_V1_LEN] = "RSD PTR ";
	u8 *buf;

	(void)state;
	mb2_begin();
	mb2_str(MB2_TAG_CMDLINE, "ram=32M guest=1");
	mb2_str(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mb2_module(0x200000, 0x2a0123, "/boot/other.elf");
	mb2_module(0x2a1000, 0x2b0000, "/boot/guest-stub.elf x=y");
	mb2_meminfo(639, 1047424);
	mb2_raw(MB2_TAG_BOOTDEV, 20, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12);
	mb2_mmap(24, grub_map, ARRAY_SIZE(grub_map));
	mb2_tag(MB2_TAG_ACPI_OLD, rsdp, sizeof(rsdp));
	buf = mb2_done_with_end();
	assert_int_equal(mb_parse(MB2_LOADER_MAGIC, (uintptr_t)buf, &bi, err,
				  sizeof(err)), 0);
	assert_int_equal(bi.loader, BOOT_MB2);
	assert_string_equal(bi.cmdline, "ram=32M guest=1");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_int_equal(bi.nmodules, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x2a0123);
	assert_string_equal(bi.modules[1].cmdline, "/boot/guest-stub.elf x=y");
	assert_int_equal(bi.nregions, ARRAY_SIZE(grub_map));
	for (u32 i = 0; i < bi.nregions; i++) {
		assert_int_equal(bi.regions[i].base, grub_map[i][0]);
		assert_int_equal(bi.regions[i].len, grub_map[i][1]);
		assert_int_equal(bi.regions[i].type, grub_map[i][2]);
	}
	assert_int_not_equal(bi.rsdp, 0);
	assert_memory_equal((void *)(uintptr_t)bi.rsdp, "RSD PTR ", 8);
	assert_int_equal(bi.info_start, (uintptr_t)buf);
	assert_int_equal(bi.info_end, (uintptr_t)buf + mb2_len);
	assert_false(bi.efi);
	free(buf);
}

static void mb2_efi_tags_mark_a_uefi_boot(void **state)
{
	u64 st = 0x7fe00000;
	u8 efi_mmap[8 + EFI_MMAP_DESC] = { EFI_MMAP_DESC };

	(void)state;
	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	mb2_tag(MB2_TAG_EFI64, &st, sizeof(st));
	assert_int_equal(parse2(mb2_done_with_end()), 0);
	assert_true(bi.efi);

	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	mb2_tag(MB2_TAG_EFI_MMAP, efi_mmap, sizeof(efi_mmap));
	assert_int_equal(parse2(mb2_done_with_end()), 0);
	assert_true(bi.efi);
}

static void mb2_rsdp_points_at_the_copy_and_prefers_acpi_2(void **state)
{
	u8 v1[RSDP_V1_LEN] = "RSD PTR v1";
	u8 v2[RSDP_V2_LEN] = "RSD PTR v2";
	u8 *buf;

	(void)state;
	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	mb2_tag(MB2_TAG_ACPI_NEW, v2, sizeof(v2));
	mb2_tag(MB2_TAG_ACPI_OLD, v1, sizeof(v1));
	buf = mb2_done_with_end();
	assert_int_equal(mb_parse(MB2_LOADER_MAGIC, (uintptr_t)buf, &bi, err,
				  sizeof(err)), 0);
	assert_true(bi.rsdp > (uintptr_t)buf && bi.rsdp < (uintptr_t)buf + mb2_len);
	assert_memory_equal((void *)(uintptr_t)bi.rsdp, "RSD PTR v2", 10);
	free(buf);
}

static void mb2_truncated_acpi_tag_is_rejected(void **state)
{
	u8 v2[RSDP_V1_LEN] = "RSD PTR ";

	(void)state;
	mb2_begin();
	mb2_tag(MB2_TAG_ACPI_NEW, v2, sizeof(v2));
	expect_fail2(mb2_done_with_end(), "mb2: ACPI tag of 28 bytes is truncated");
}

static void mb2_mmap_honours_a_larger_entry_size(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(32, grub_map, ARRAY_SIZE(grub_map));
	assert_int_equal(parse2(mb2_done_with_end()), 0);
	assert_int_equal(bi.nregions, ARRAY_SIZE(grub_map));
	assert_int_equal(bi.regions[4].base, 0x100000000ULL);
	assert_int_equal(bi.regions[4].len, 0x40000000);
}

static void mb2_mmap_with_a_bad_entry_size_is_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(16, grub_map, 2);
	expect_fail2(mb2_done_with_end(), "mb2: mmap entry_size 16 is invalid");
	mb2_begin();
	mb2_mmap(28, grub_map, 2);
	expect_fail2(mb2_done_with_end(), "mb2: mmap entry_size 28 is invalid");
}

static void mb2_mmap_ending_inside_an_entry_is_rejected(void **state)
{
	u8 p[8 + 24 + 8] = { 24 };

	(void)state;
	mb2_begin();
	mb2_tag(MB2_TAG_MMAP, p, sizeof(p));
	expect_fail2(mb2_done_with_end(), "mb2: mmap tag ends inside an entry");
}

static void mb2_truncated_mmap_tag_is_rejected(void **state)
{
	u32 esize = 24;

	(void)state;
	mb2_begin();
	mb2_tag(MB2_TAG_MMAP, &esize, sizeof(esize));
	expect_fail2(mb2_done_with_end(), "mb2: mmap tag of 12 bytes is truncated");
}

static void mb2_without_mmap_uses_basic_meminfo(void **state)
{
	(void)state;
	mb2_begin();
	mb2_meminfo(639, 31 * 1024);
	assert_int_equal(parse2(mb2_done_with_end()), 0);
	assert_int_equal(bi.nregions, 2);
	assert_int_equal(bi.regions[0].len, 639 * KiB);
	assert_int_equal(bi.regions[1].base, MiB);
	assert_int_equal(bi.regions[1].len, 31 * MiB);
}

static void mb2_mmap_wins_over_basic_meminfo(void **state)
{
	(void)state;
	mb2_begin();
	mb2_meminfo(639, 31 * 1024);
	mb2_mmap(24, grub_map, 3);
	assert_int_equal(parse2(mb2_done_with_end()), 0);
	assert_int_equal(bi.nregions, 3);
}

static void mb2_truncated_basic_meminfo_is_rejected(void **state)
{
	u32 lower = 639;

	(void)state;
	mb2_begin();
	mb2_tag(MB2_TAG_BASIC_MEMINFO, &lower, sizeof(lower));
	expect_fail2(mb2_done_with_end(),
		     "mb2: basic meminfo tag of 12 bytes is truncated");
}

static void mb2_without_any_memory_information_is_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_str(MB2_TAG_CMDLINE, "ram=8M");
	expect_fail2(mb2_done_with_end(),
		     "mb2: no memory information (no mmap or basic meminfo tag)");
}

static void mb2_unknown_tags_are_skipped(void **state)
{
	u32 load_base = 0x200000;
	u8 fb[32] = { 0 };

	(void)state;
	mb2_begin();
	mb2_tag(21, &load_base, sizeof(load_base));	/* image load base */
	mb2_tag(8, fb, sizeof(fb));			/* framebuffer */
	mb2_tag(1000, NULL, 0);
	mb2_mmap(24, grub_map, 1);
	assert_int_equal(parse2(mb2_done_with_end()), 0);
	assert_int_equal(bi.nregions, 1);
}

static void mb2_the_end_tag_stops_the_walk(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	mb2_tag(MB2_TAG_END, NULL, 0);
	mb2_raw(MB2_TAG_CMDLINE, 2, NULL, 0);	/* garbage after the end */
	assert_int_equal(parse2(mb2_done()), 0);
}

static void mb2_tag_running_past_total_size_is_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	mb2_raw(MB2_TAG_CMDLINE, 64, "ram=8M", 7);
	expect_fail2(mb2_done(),
		     "mb2: tag 1 at offset 48 has size 64, outside total_size 64");
}

static void mb2_tag_smaller_than_its_header_is_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_raw(MB2_TAG_CMDLINE, 4, NULL, 0);
	mb2_tag(MB2_TAG_END, NULL, 0);
	expect_fail2(mb2_done(),
		     "mb2: tag 1 at offset 8 has size 4, outside total_size 24");
}

static void mb2_missing_end_tag_is_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	expect_fail2(mb2_done(), "mb2: no end tag within total_size 48");
}

static void mb2_padding_past_total_size_means_no_end_tag(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	mb2_raw(MB2_TAG_CMDLINE, 10, "x", 2);	/* the padding is not there */
	mb2_len -= 6;
	memcpy(mb2, &mb2_len, 4);
	{
		u8 *buf = malloc(mb2_len);

		memcpy(buf, mb2, mb2_len);
		expect_fail2(buf, "mb2: no end tag within total_size 58");
	}
}

static void mb2_total_size_out_of_bounds_is_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_len = 8;
	expect_fail2(mb2_done(), "mb2: total_size 8 outside 16..1048576");
}

static void mb2_info_not_8_byte_aligned_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(mb_parse(MB2_LOADER_MAGIC, 0x1004, &bi, err,
				  sizeof(err)), -1);
	assert_string_equal(err, "mb2: info at 0x1004 is not 8-byte aligned");
}

static void mb2_command_line_without_nul_is_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_tag(MB2_TAG_CMDLINE, "ram=8M", 6);
	expect_fail2(mb2_done_with_end(), "mb2: command line is not NUL-terminated");
}

static void mb2_overlong_command_line_is_rejected(void **state)
{
	char line[BOOT_CMDLINE_MAX + 1];

	(void)state;
	memset(line, 'c', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mb2_begin();
	mb2_str(MB2_TAG_CMDLINE, line);
	expect_fail2(mb2_done_with_end(),
		     "mb2: command line is longer than 511 bytes");
}

static void mb2_loader_name_without_nul_is_left_empty(void **state)
{
	(void)state;
	mb2_begin();
	mb2_tag(MB2_TAG_LOADER_NAME, "GRUB", 4);
	mb2_tag(MB2_TAG_LOADER_NAME, NULL, 0);
	mb2_mmap(24, grub_map, 1);
	assert_int_equal(parse2(mb2_done_with_end()), 0);
	assert_string_equal(bi.loader_name, "");
}

static void mb2_truncated_module_tag_is_rejected(void **state)
{
	u32 p[2] = { 0x200000, 0x300000 };

	(void)state;
	mb2_begin();
	mb2_tag(MB2_TAG_MODULE, p, sizeof(p));
	expect_fail2(mb2_done_with_end(), "mb2: module tag of 16 bytes is truncated");
}

static void mb2_too_many_modules_are_rejected(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(24, grub_map, 1);
	for (u32 i = 0; i <= BOOT_MAX_MODULES; i++)
		mb2_module(0x200000 + i * 0x1000, 0x200800 + i * 0x1000, "m");
	expect_fail2(mb2_done_with_end(), "more than 8 boot modules");
}

static void mb2_more_memory_regions_than_fit_are_rejected(void **state)
{
	u64 map[BOOT_MAX_REGIONS + 1][3];

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(map); i++) {
		map[i][0] = i * MiB;
		map[i][1] = MiB;
		map[i][2] = BOOT_MEM_RAM;
	}
	mb2_begin();
	mb2_mmap(24, map, 33);
	mb2_mmap(24, map, 32);
	assert_int_equal(parse2(mb2_done_with_end()), -1);
	assert_string_equal(err, "more than 64 memory map entries");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(bad_loader_magic_is_rejected_with_its_value),
		T(header_magic_is_not_loader_magic),
		T(info_at_address_zero_is_rejected),
		T(mb1_from_qemu_gives_map_cmdline_modules_and_name),
		T(mb1_fields_without_their_flag_are_ignored),
		T(mb1_without_mmap_falls_back_to_mem_lower_and_upper),
		T(mb1_with_an_empty_mmap_falls_back_to_mem_lower_and_upper),
		T(mb1_without_any_memory_information_is_rejected),
		T(mb1_zero_mem_lower_and_upper_is_rejected),
		T(mb1_mmap_entries_honour_a_larger_size_field),
		T(mb1_zero_length_entries_are_dropped_and_unknown_types_kept),
		T(mb1_mmap_entry_too_small_is_rejected),
		T(mb1_mmap_entry_running_past_mmap_length_is_rejected),
		T(mb1_mmap_with_a_partial_trailing_entry_is_rejected),
		T(mb1_mmap_at_address_zero_is_rejected),
		T(mb1_more_memory_regions_than_fit_are_rejected),
		T(mb1_command_line_of_511_bytes_fits),
		T(mb1_overlong_command_line_is_rejected),
		T(mb1_long_loader_name_is_truncated),
		T(mb1_too_many_modules_are_rejected),
		T(mb1_module_ending_before_it_starts_is_rejected),
		T(mb1_modules_at_address_zero_are_rejected),
		T(mb1_overlong_module_command_line_is_rejected),
		T(a_small_error_buffer_is_never_overrun),
		T(mb2_from_grub_on_bios_gives_everything),
		T(mb2_efi_tags_mark_a_uefi_boot),
		T(mb2_rsdp_points_at_the_copy_and_prefers_acpi_2),
		T(mb2_truncated_acpi_tag_is_rejected),
		T(mb2_mmap_honours_a_larger_entry_size),
		T(mb2_mmap_with_a_bad_entry_size_is_rejected),
		T(mb2_mmap_ending_inside_an_entry_is_rejected),
		T(mb2_truncated_mmap_tag_is_rejected),
		T(mb2_without_mmap_uses_basic_meminfo),
		T(mb2_mmap_wins_over_basic_meminfo),
		T(mb2_truncated_basic_meminfo_is_rejected),
		T(mb2_without_any_memory_information_is_rejected),
		T(mb2_unknown_tags_are_skipped),
		T(mb2_the_end_tag_stops_the_walk),
		T(mb2_tag_running_past_total_size_is_rejected),
		T(mb2_tag_smaller_than_its_header_is_rejected),
		T(mb2_missing_end_tag_is_rejected),
		T(mb2_padding_past_total_size_means_no_end_tag),
		T(mb2_total_size_out_of_bounds_is_rejected),
		T(mb2_info_not_8_byte_aligned_is_rejected),
		T(mb2_command_line_without_nul_is_rejected),
		T(mb2_overlong_command_line_is_rejected),
		T(mb2_loader_name_without_nul_is_left_empty),
		T(mb2_truncated_module_tag_is_rejected),
		T(mb2_too_many_modules_are_rejected),
		T(mb2_more_memory_regions_than_fit_are_rejected),
	};

	return UNIT_RUN("multiboot", tests);
}
