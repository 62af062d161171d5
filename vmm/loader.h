/*
 * vmm/loader.h - loads a Multiboot guest kernel into guest RAM and builds
 * the Multiboot information the guest receives, as a Multiboot loader
 * would (the guest is then entered in 32-bit protected mode, EAX = the
 * loader magic of its protocol, EBX = info).
 *
 * Pure module: works on a host buffer that holds guest RAM (gpa 0 at
 * ram[0]); host-tested and fuzzed.
 *
 * Which protocol: Multiboot v1 when the image has a v1 header (in the
 * first 8 KiB) - also when it has a v2 header too, since every loader
 * that speaks v1 boots such a kernel the same way (QEMU -kernel, GRUB
 * `multiboot`); Multiboot v2 when it has only a v2 header (in the first
 * 32 KiB); v1 for a plain ELF image without any header.
 * Image formats: v1 - the a.out kludge (flags bit 16), else ELF32/ELF64
 * program headers (PT_LOAD, physical addresses); v2 - the header's
 * address tag, else ELF32/ELF64 program headers, with the entry address
 * tag (if any) overriding the ELF entry point.
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include "../lib/types.h"

#define LOADER_MAX_SEGS 8

enum image_kind {
	IMAGE_MB1_KLUDGE = 1,	/* v1 header, a.out-kludge fields */
	IMAGE_ELF32,
	IMAGE_ELF64,
	IMAGE_MB2_ADDRESS,	/* v2 header, address tag */
};

/* How the guest is entered and which information it gets. */
enum boot_proto {
	BOOT_PROTO_MB1 = 1,	/* EAX = 0x2BADB002, EBX = struct mb1_info */
	BOOT_PROTO_MB2,		/* EAX = 0x36D76289, EBX = v2 tag list */
};

struct image_seg {
	u64 gpa;	/* where it goes in the guest */
	u64 offset;	/* where it starts in the file */
	u64 filesz;	/* bytes copied from the file */
	u64 memsz;	/* bytes in memory; the rest is zeroed */
};

struct guest_image {
	enum image_kind kind;
	enum boot_proto proto;
	bool has_mb1;		/* a Multiboot v1 header was found */
	u32 mb1_flags;
	bool has_mb2;		/* a Multiboot v2 header was found */
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

/* Write Multiboot v2 information at APFV_GUEST_MBI_GPA (8-byte aligned):
 * the tags command line, boot loader name, basic memory information and
 * memory map (the same map as v1), then the end tag; the command line is
 * cut to fit below APFV_GUEST_MBI_END. Returns the information's
 * guest-physical address, or 0 (nothing written) below 1 MiB of RAM. */
u32 loader_build_mb2i(void *ram, u64 ram_size, const char *cmdline);

/* The information gi's protocol wants (loader_build_mbi or _mb2i), and in
 * *magic the value for EAX at entry. Returns the information's address. */
u32 loader_build_info(const struct guest_image *gi, void *ram, u64 ram_size,
		      const char *cmdline, u32 *magic);

#endif
