/*
 * boot/multiboot.h - Multiboot v1 and v2 constants (named, per the two
 * specifications) and the parser that turns either into struct boot_info.
 *
 * The parser is pure: it reads loader memory through env_phys_to_virt()
 * and checks every length against the structure's own bounds, so it builds
 * for host unit tests and fuzzing unchanged.
 */
#ifndef BOOT_MULTIBOOT_H
#define BOOT_MULTIBOOT_H

#include "bootinfo.h"

/* Multiboot v1 */
#define MB1_HEADER_MAGIC	0x1BADB002u
#define MB1_LOADER_MAGIC	0x2BADB002u
#define MB1_HDR_PAGE_ALIGN	(1u << 0)
#define MB1_HDR_MEMORY_INFO	(1u << 1)
#define MB1_HDR_VIDEO_MODE	(1u << 2)
#define MB1_HDR_AOUT_KLUDGE	(1u << 16)
#define MB1_SEARCH_LIMIT	8192u	/* header within the first 8 KiB */

#define MB1_INFO_MEMORY		(1u << 0)
#define MB1_INFO_BOOTDEV	(1u << 1)
#define MB1_INFO_CMDLINE	(1u << 2)
#define MB1_INFO_MODS		(1u << 3)
#define MB1_INFO_MEM_MAP	(1u << 6)
#define MB1_INFO_LOADER_NAME	(1u << 9)

struct mb1_header {
	u32 magic, flags, checksum;
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};
_Static_assert(sizeof(struct mb1_header) == 32, "mb1 header with kludge");

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe[4];		/* vbe_control_info .. vbe_interface_len, raw */
	u8 fb[28];		/* framebuffer_addr .. color_info, raw */
} __packed;
_Static_assert(sizeof(struct mb1_info) == 116, "mb1 info layout");

struct mb1_module {
	u32 mod_start, mod_end, cmdline, pad;
};
_Static_assert(sizeof(struct mb1_module) == 16, "mb1 module layout");

/* mmap entries: `size` does not count itself */
struct mb1_mmap_entry {
	u32 size;
	u64 addr, len;
	u32 type;
} __packed;
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "mb1 mmap entry");

/* Multiboot v2 */
#define MB2_HEADER_MAGIC	0xE85250D6u
#define MB2_LOADER_MAGIC	0x36D76289u
#define MB2_ARCH_I386		0u
#define MB2_SEARCH_LIMIT	32768u
#define MB2_HDR_TAG_END		0
#define MB2_HDR_TAG_INFO_REQ	1
#define MB2_HDR_TAG_ADDRESS	2
#define MB2_HDR_TAG_ENTRY	3
#define MB2_HDR_TAG_FLAGS	4
#define MB2_HDR_TAG_MODULE_ALIGN 6
#define MB2_HDR_TAG_OPTIONAL	1u	/* tag flags bit 0 */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18,
};

struct mb2_tag {
	u32 type, size;
};

/* Fill *bi from the loader's information at info_pa, given the magic the
 * loader left in EAX. Returns 0, or -1 with a reason in err. */
int mb_parse(u32 magic, u64 info_pa, struct boot_info *bi, char *err,
	     size_t errlen);

#endif
