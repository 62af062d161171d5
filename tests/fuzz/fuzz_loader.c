/*
 * tests/fuzz/fuzz_loader.c - libFuzzer target for vmm/loader.c: parse a
 * guest kernel image (Multiboot v1 a.out kludge, Multiboot2 address tag,
 * ELF32/ELF64), copy it into guest RAM of a fuzzed size, and build the
 * boot information the guest gets - read back through boot/multiboot.c
 * for Multiboot2, whose information is self-contained.
 *
 * Input: four header bytes, then the image.
 *   byte 0   guest RAM = (b % 64 + 1) * 64 KiB      (64 KiB .. 4 MiB)
 *   byte 1   ... plus b bytes (RAM sizes that are not page multiples)
 *   byte 2   lowest = b * 4 KiB                       (0 .. ~1 MiB)
 *   byte 3   bits 1:0 err buffer 0/1/16/200 bytes; bit 2: copy into a
 *            RAM buffer (b >> 3) * 4 KiB smaller than the parse was told
 * The image and the RAM are exactly-sized heap buffers: a read past the
 * image or a write past RAM is an ASan report.
 *
 * Invariants: on success 1..8 segments, each with filesz <= memsz, inside
 * the file and inside [lowest, RAM), pairwise disjoint; the entry inside
 * one of them; kind and protocol agree with the headers found. After the
 * copy every segment holds its file bytes then zeros. The boot
 * information lies in [APFV_GUEST_MBI_GPA, APFV_GUEST_MBI_END) and
 * describes the RAM it was given; v2 information parses back with the
 * same command line. On failure, a message.
 *
 * Environment: host fuzzing (clang, libFuzzer, ASan+UBSan).
 */
#include "fuzz.h"
#include "../../boot/multiboot.h"
#include "../../vmm/abi.h"
#include "../../vmm/loader.h"

#define RAM_UNIT	(64 * KiB)
#define RAM_UNITS	64
#define ERR_MAX		200
#define CMDLINE_MAX	(APFV_GUEST_MBI_END - APFV_GUEST_MBI_GPA + 64)
#define HIGH_MEM	(1 * MiB)

static bool nul_in(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void check_segments(const struct guest_image *gi, u64 size,
			   u64 lowest, u64 ram_size)
{
	bool entry_in = false;

	FUZZ_CHECK(gi->nsegs >= 1 && gi->nsegs <= LOADER_MAX_SEGS);
	for (u32 i = 0; i < gi->nsegs; i++) {
		const struct image_seg *s = &gi->segs[i];

		FUZZ_CHECK(s->filesz <= s->memsz && s->memsz > 0);
		FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset);
		FUZZ_CHECK(s->gpa >= lowest && s->gpa <= ram_size &&
			   s->memsz <= ram_size - s->gpa);
		for (u32 j = 0; j < i; j++)
			FUZZ_CHECK(s->gpa >= gi->segs[j].gpa + gi->segs[j].memsz ||
				   gi->segs[j].gpa >= s->gpa + s->memsz);
		if (gi->entry >= s->gpa && gi->entry - s->gpa < s->memsz)
			entry_in = true;
	}
	FUZZ_CHECK(entry_in);
	FUZZ_CHECK(gi->entry < 4 * GiB);	/* entered in 32-bit mode */
	if (gi->kind == IMAGE_MB2_ADDRESS)
		FUZZ_CHECK(gi->proto == BOOT_PROTO_MB2);
	if (gi->kind == IMAGE_MB1_KLUDGE || gi->has_mb1)
		FUZZ_CHECK(gi->proto == BOOT_PROTO_MB1);
	if (gi->proto == BOOT_PROTO_MB2)
		FUZZ_CHECK(gi->has_mb2 && !gi->has_mb1);
}

/* Every segment that fits ram holds its file bytes, then zeros. */
static void check_copy(const struct guest_image *gi, const u8 *img,
		       const u8 *ram, u64 ram_size)
{
	for (u32 i = 0; i < gi->nsegs; i++) {
		const struct image_seg *s = &gi->segs[i];

		if (s->gpa > ram_size || s->memsz > ram_size - s->gpa)
			continue;	/* skipped: does not fit this RAM */
		FUZZ_CHECK(!memcmp(ram + s->gpa, img + s->offset, s->filesz));
		for (u64 b = s->filesz; b < s->memsz; b++)
			FUZZ_CHECK(ram[s->gpa + b] == 0);
	}
}

/* v1: the fields as the guest will read them (guest-physical pointers). */
static void check_mbi(const u8 *ram, u64 ram_size, const char *cmdline)
{
	struct mb1_info mi;
	const char *cmd;

	memcpy(&mi, ram + APFV_GUEST_MBI_GPA, sizeof(mi));
	FUZZ_CHECK(mi.flags & MB1_INFO_CMDLINE);
	FUZZ_CHECK(mi.mem_upper == (ram_size - HIGH_MEM) / KiB);
	FUZZ_CHECK(mi.mmap_addr >= APFV_GUEST_MBI_GPA + sizeof(mi) &&
		   mi.mmap_addr + mi.mmap_length <= APFV_GUEST_MBI_END);
	FUZZ_CHECK(mi.cmdline >= APFV_GUEST_MBI_GPA &&
		   mi.cmdline < APFV_GUEST_MBI_END);
	cmd = (const char *)ram + mi.cmdline;
	FUZZ_CHECK(nul_in(cmd, APFV_GUEST_MBI_END - mi.cmdline));
	FUZZ_CHECK(!strncmp(cmd, cmdline, strlen(cmd)));	/* a prefix */
}

/* v2: self-contained, so boot/multiboot.c can read it back in place. */
static void check_mb2i(const u8 *ram, u64 ram_size, const char *cmdline)
{
	static struct boot_info bi;
	char err[ERR_MAX];
	u64 pa = (u64)(uintptr_t)(ram + APFV_GUEST_MBI_GPA), ram_bytes = 0;
	u32 total;

	memcpy(&total, ram + APFV_GUEST_MBI_GPA, sizeof(total));
	FUZZ_CHECK(total <= APFV_GUEST_MBI_END - APFV_GUEST_MBI_GPA);
	if (strlen(cmdline) >= BOOT_CMDLINE_MAX)
		return;	/* the hypervisor's own parser keeps 511 bytes */
	FUZZ_CHECK(mb_parse(MB2_LOADER_MAGIC, pa, &bi, err, sizeof(err)) == 0);
	FUZZ_CHECK(!strncmp(bi.cmdline, cmdline, BOOT_CMDLINE_MAX));
	FUZZ_CHECK(bi.info_end - bi.info_start == total);
	for (u32 i = 0; i < bi.nregions; i++)
		if (bi.regions[i].type == BOOT_MEM_RAM)
			ram_bytes += bi.regions[i].len;
	FUZZ_CHECK(ram_bytes <= ram_size);
}

static void build_info(const struct guest_image *gi, u8 *ram, u64 ram_size,
		       const char *cmdline)
{
	u32 magic = 0, at = loader_build_info(gi, ram, ram_size, cmdline, &magic);

	if (ram_size < HIGH_MEM) {
		FUZZ_CHECK(at == 0);
		return;
	}
	FUZZ_CHECK(at == APFV_GUEST_MBI_GPA);
	if (gi->proto == BOOT_PROTO_MB2) {
		FUZZ_CHECK(magic == MB2_LOADER_MAGIC);
		check_mb2i(ram, ram_size, cmdline);
	} else {
		FUZZ_CHECK(magic == MB1_LOADER_MAGIC);
		check_mbi(ram, ram_size, cmdline);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const size_t errlens[] = { 0, 1, 16, ERR_MAX };
	static struct guest_image gi;
	char err[ERR_MAX], *cmdline;
	u64 ram_size, copy_size, lowest, shrink = 0, n;
	const u8 *img;
	struct fz f;
	u8 flags, *ram;
	int rc;

	fz_init(&f, data, size);
	ram_size = (fz_u8(&f) % RAM_UNITS + 1) * RAM_UNIT;
	ram_size += fz_u8(&f);
	lowest = fz_u8(&f) * PAGE_SIZE;
	flags = fz_u8(&f);
	img = data + MIN(f.pos, size);
	n = size - MIN(f.pos, size);
	memset(err, 0x5a, sizeof(err));
	rc = loader_parse(img, n, lowest, ram_size, &gi, err, errlens[flags & 3]);
	FUZZ_TRACE("loader_parse(%llu bytes, lowest %#llx, ram %#llx): %d %s\n",
		   (unsigned long long)n, (unsigned long long)lowest,
		   (unsigned long long)ram_size, rc, errlens[flags & 3] ? err : "");
	if (errlens[flags & 3])
		FUZZ_CHECK(nul_in(err, errlens[flags & 3]));
	if (rc) {
		FUZZ_CHECK(rc == -1);
		if (errlens[flags & 3] > 1)
			FUZZ_CHECK(err[0] != '\0');
		return 0;
	}
	check_segments(&gi, n, lowest, ram_size);
	if (flags & 4)
		shrink = MIN((u64)(flags >> 3) * PAGE_SIZE, ram_size - 1);
	copy_size = ram_size - shrink;
	ram = malloc(copy_size);
	cmdline = strndup((const char *)img, MIN(n, (u64)CMDLINE_MAX));
	FUZZ_CHECK(ram && cmdline);
	loader_copy(&gi, img, ram, copy_size);
	check_copy(&gi, img, ram, copy_size);
	build_info(&gi, ram, copy_size, cmdline);
	free(cmdline);
	free(ram);
	return 0;
}
