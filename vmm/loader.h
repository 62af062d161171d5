/*
 * vmm/loader.h - loads a Multiboot guest kernel into guest RAM and builds
 * the Multiboot v1 information the guest receives, as a Multiboot loader
 * would (the guest is then entered in 32-bit protected mode, EAX=0x2BADB002,
 * EBX=info).
 *
 * Pure module: works on a host buffer that holds guest RAM (gpa 0 at
 * ram[0]); host-tested and fuzzed. Image formats, tried in this order:
 * a Multiboot v1 header with the a.out kludge (flags bit 16), then ELF32 or
 * ELF64 program headers (PT_LOAD, physical addresses).
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include "../lib/types.h"

#define LOADER_MAX_SEGS 8

enum image_kind { IMAGE_MB1_KLUDGE = 1, IMAGE_ELF32, IMAGE_ELF64 };

struct image_seg {
	u64 gpa;	/* where it goes in the guest */
	u64 offset;	/* where it starts in the file */
	u64 filesz;	/* bytes copied from the file */
	u64 memsz;	/* bytes in memory; the rest is zeroed */
};

struct guest_image {
	enum image_kind kind;
	bool has_mb1;		/* a Multiboot v1 header was found */
	u32 mb1_flags;
	u64 entry;
	u32 nsegs;
	struct image_seg segs[LOADER_MAX_SEGS];
};

/* Parse a kernel image of size bytes. Every segment must lie inside
 * [lowest, ram_size) of guest RAM and inside the file. Returns 0, or -1
 * with the reason in err. */
int loader_parse(const void *img, u64 size, u64 lowest, u64 ram_size,
		 struct guest_image *gi, char *err, size_t errlen);

/* Copy and zero the segments of gi into ram (guest RAM, ram_size bytes). */
void loader_copy(const struct guest_image *gi, const void *img, void *ram,
		 u64 ram_size);

/* Write Multiboot v1 information for the guest at APFV_GUEST_MBI_GPA:
 * mem_lower/mem_upper, a memory map of ram_size bytes of RAM with the PC's
 * legacy holes reserved, the command line (cut to fit below
 * APFV_GUEST_MBI_END) and loader name. Returns the info's guest-physical
 * address, or 0 (nothing written) when ram_size is below 1 MiB. */
u32 loader_build_mbi(void *ram, u64 ram_size, const char *cmdline);

#endif
