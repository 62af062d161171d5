/*
 * boot/bootinfo.h - what the loader told us, in one loader-neutral form.
 *
 * boot/multiboot.c fills it from Multiboot v1 or v2 information; nothing
 * after boot reads Multiboot structures again.
 */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

#include "../lib/types.h"

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 8
#define BOOT_CMDLINE_MAX 512
#define BOOT_MODLINE_MAX 256

enum boot_loader { BOOT_MB1 = 1, BOOT_MB2 = 2 };

/* Multiboot memory types, shared by v1 and v2. */
enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_region {
	u64 base;
	u64 len;
	u32 type;	/* enum boot_mem_type; unknown values kept as given */
};

struct boot_module {
	u64 start;	/* physical, inclusive */
	u64 end;	/* physical, exclusive */
	char cmdline[BOOT_MODLINE_MAX];
};

struct boot_info {
	enum boot_loader loader;
	char loader_name[64];
	char cmdline[BOOT_CMDLINE_MAX];	/* as given, path prefix included */
	u32 nregions;
	struct boot_region regions[BOOT_MAX_REGIONS];
	u32 nmodules;
	struct boot_module modules[BOOT_MAX_MODULES];
	u64 info_start, info_end;	/* the loader's structure itself */
	u64 rsdp;			/* ACPI RSDP copy address, 0 if none */
	bool efi;			/* booted through UEFI (mb2 EFI tags) */
};

#endif
