/*
 * tests/fuzz/fuzz_multiboot.c - libFuzzer target for boot/multiboot.c,
 * mb_parse() on Multiboot v1 and v2 boot information.
 *
 * Input: one header byte, then the boot loader's memory image.
 *   bit 0    v2 magic (else v1); bit 1: a fuzzed magic (u32 follows)
 *   bits 4:2 the info starts at image offset 8 * n; bit 5 adds 4 (a
 *            misaligned v2 info must be refused, not read)
 *   bits 7:6 err buffer length: 0, 1, 16 or 200 bytes
 * The image is placed at LOW_BASE, below 4 GiB since v1 holds 32-bit
 * addresses. A v1 structure points anywhere, so the parser cannot check
 * its pointers; this target plays a sane loader there: v1 pointer fields
 * in the input are offsets into the image, relocated here, and an input
 * whose v1 pointers or arrays leave the image is skipped. A v2 structure
 * is self-contained: the loader provides total_size bytes (zeros past the
 * input), and every byte beyond is poisoned, so any read the parser makes
 * outside the structure is an ASan report.
 *
 * Invariants after a successful parse: counts within their arrays, every
 * string NUL-terminated in its buffer, modules end >= start, no empty
 * region, info_start/info_end cover the v1 info or exactly total_size,
 * the RSDP copy lies inside the v2 info; after a failure, a message.
 *
 * Environment: host fuzzing (clang, libFuzzer, ASan+UBSan).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sanitizer/asan_interface.h>

#include "fuzz.h"
#include "../../boot/multiboot.h"

#define LOW_BASE	0x10000000UL	/* below 4 GiB, inside ASan's low memory */
#define LOW_SIZE	(2UL << 20)	/* v2 total_size is at most 1 MiB */
#define IMAGE_MAX	(LOW_SIZE / 2)
#define MB2_TOTAL_MIN	16u
#define MB2_TOTAL_MAX	(1u << 20)
#define ERR_MAX		200

static u8 *low;
static size_t low_valid;	/* bytes unpoisoned by the previous input */

static void low_setup(void)
{
	low = mmap((void *)LOW_BASE, LOW_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (low != (u8 *)LOW_BASE) {
		perror("fuzz_multiboot: mmap at LOW_BASE");
		abort();
	}
	ASAN_POISON_MEMORY_REGION(low, LOW_SIZE);
}

/* Make [0, n) of the image readable and zeroed, the rest poisoned.
 * Outside [0, low_valid) the image is always zeros. */
static void low_reset(size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(low, MAX(n, low_valid));
	memset(low, 0, MAX(n, low_valid));
	ASAN_POISON_MEMORY_REGION(low, LOW_SIZE);
	ASAN_UNPOISON_MEMORY_REGION(low, n);
	low_valid = n;
}

/* Make [0, n) readable too; past low_valid the image is all zeros. */
static void low_extend(size_t n)
{
	if (n <= low_valid)
		return;
	ASAN_UNPOISON_MEMORY_REGION(low, n);
	low_valid = n;
}

static u32 low_addr(u32 off)
{
	return (u32)(LOW_BASE + off);
}

/* A v1 pointer field: an offset into the image, made an address; *ok
 * goes false when [off, off+len) leaves the image (a loader never does
 * that). 0 stays 0: absent. */
static u32 reloc(u32 off, u64 len, size_t image, bool *ok)
{
	if (!off)
		return 0;
	if (off >= image || len > image - off)
		*ok = false;
	return low_addr(off);
}

/* The v1 module array: mods_count entries, each with a command line.
 * Its command-line fields are relocated in place, so an array that
 * overlaps the info itself (whose fields were already decided) is
 * skipped. */
static bool reloc_modules(struct mb1_info *mi, u32 info_off, size_t image)
{
	u32 off = mi->mods_addr;
	u64 len = (u64)mi->mods_count * sizeof(struct mb1_module);
	bool ok = true;

	if (mi->mods_count > BOOT_MAX_MODULES)
		return true;	/* refused before the array is read */
	mi->mods_addr = reloc(off, len, image, &ok);
	if (off && off < info_off + sizeof(*mi) && info_off < off + len)
		return false;
	for (u32 i = 0; ok && off && i < mi->mods_count; i++) {
		struct mb1_module m;
		u8 *p = low + off + i * sizeof(m);

		memcpy(&m, p, sizeof(m));
		m.cmdline = reloc(m.cmdline, 1, image, &ok);
		memcpy(p, &m, sizeof(m));
	}
	return ok;
}

/* Play the loader for v1: every pointer the flags enable, relocated. */
static bool mb1_prepare(u32 info_off, size_t image)
{
	struct mb1_info mi;
	bool ok = true;

	if (info_off + sizeof(mi) > image)
		return false;	/* the loader provides the whole info */
	memcpy(&mi, low + info_off, sizeof(mi));
	if (mi.flags & MB1_INFO_CMDLINE)
		mi.cmdline = reloc(mi.cmdline, 1, image, &ok);
	if (mi.flags & MB1_INFO_LOADER_NAME)
		mi.boot_loader_name = reloc(mi.boot_loader_name, 1, image, &ok);
	if (mi.flags & MB1_INFO_MEM_MAP)
		mi.mmap_addr = reloc(mi.mmap_addr, mi.mmap_length, image, &ok);
	if ((mi.flags & MB1_INFO_MODS) && !reloc_modules(&mi, info_off, image))
		ok = false;
	memcpy(low + info_off, &mi, sizeof(mi));
	return ok;
}

static bool nul_in(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void check_ok(const struct boot_info *bi, u32 magic, u64 pa)
{
	FUZZ_CHECK(bi->nregions <= BOOT_MAX_REGIONS);
	FUZZ_CHECK(bi->nmodules <= BOOT_MAX_MODULES);
	/* Finding F1 (crashes/README.md, fixed): memory information that
	 * describes no region at all is refused. */
	FUZZ_CHECK(bi->nregions > 0);
	FUZZ_CHECK(nul_in(bi->cmdline, sizeof(bi->cmdline)));
	FUZZ_CHECK(nul_in(bi->loader_name, sizeof(bi->loader_name)));
	for (u32 i = 0; i < bi->nregions; i++)
		FUZZ_CHECK(bi->regions[i].len != 0);
	for (u32 i = 0; i < bi->nmodules; i++) {
		FUZZ_CHECK(bi->modules[i].end >= bi->modules[i].start);
		FUZZ_CHECK(nul_in(bi->modules[i].cmdline,
				  sizeof(bi->modules[i].cmdline)));
	}
	FUZZ_CHECK(bi->info_start == pa);
	if (magic == MB1_LOADER_MAGIC) {
		FUZZ_CHECK(bi->loader == BOOT_MB1);
		FUZZ_CHECK(bi->info_end == pa + sizeof(struct mb1_info));
		FUZZ_CHECK(!bi->efi && !bi->rsdp);
		return;
	}
	FUZZ_CHECK(bi->loader == BOOT_MB2);
	FUZZ_CHECK(bi->info_end - bi->info_start >= MB2_TOTAL_MIN &&
		   bi->info_end - bi->info_start <= MB2_TOTAL_MAX);
	if (bi->rsdp)	/* a copy inside one of the tags */
		FUZZ_CHECK(bi->rsdp >= pa + 16 && bi->rsdp < bi->info_end);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const size_t errlens[] = { 0, 1, 16, ERR_MAX };
	static struct boot_info bi;
	char err[ERR_MAX];
	struct fz f;
	u8 hdr;
	u32 magic, info_off, total;
	size_t image, valid;
	int rc;

	if (!low)
		low_setup();
	fz_init(&f, data, size);
	hdr = fz_u8(&f);
	magic = hdr & 1 ? MB2_LOADER_MAGIC : MB1_LOADER_MAGIC;
	if (hdr & 2)
		magic = fz_u32(&f);
	info_off = 8 * ((hdr >> 2) & 7) + (hdr & 0x20 ? 4 : 0);
	image = MIN(f.n - MIN(f.pos, f.n), IMAGE_MAX);
	valid = image + 1;	/* a NUL after the image ends any string */
	if (magic == MB2_LOADER_MAGIC)	/* the 8-byte header, at least */
		valid = MAX(valid, (size_t)info_off + 8);
	low_reset(valid);
	memcpy(low, data + f.pos, image);
	if (magic == MB2_LOADER_MAGIC) {	/* and total_size bytes */
		memcpy(&total, low + info_off, sizeof(total));
		if (total >= MB2_TOTAL_MIN && total <= MB2_TOTAL_MAX)
			low_extend((size_t)info_off + total);
	}
	if (magic == MB1_LOADER_MAGIC && !mb1_prepare(info_off, image))
		return 0;
	memset(err, 0x5a, sizeof(err));
	rc = mb_parse(magic, low_addr(info_off), &bi, err, errlens[hdr >> 6]);
	FUZZ_TRACE("mb_parse(%#x, +%u): %d %s\n", magic, info_off, rc,
		   errlens[hdr >> 6] ? err : "");
	if (errlens[hdr >> 6])
		FUZZ_CHECK(nul_in(err, errlens[hdr >> 6]));
	if (rc == 0) {
		check_ok(&bi, magic, low_addr(info_off));
		if (errlens[hdr >> 6])
			FUZZ_CHECK(err[0] == '\0');
	} else {
		FUZZ_CHECK(rc == -1);
		if (errlens[hdr >> 6] > 1)
			FUZZ_CHECK(err[0] != '\0');
	}
	return 0;
}
