/*
 * tests/hostile/mem.c - guest-physical memory (docs/abi.md, "Memory"):
 *  - outside RAM: the whole 4 GiB below the APIC page sampled every MiB,
 *    a few pages above it and above 4 GiB: loads read all ones, stores
 *    are dropped, in each MOV form apfvisor emulates;
 *  - RAM: every slow page brought in (asynchronously, through APF) holds
 *    the backing store's words; then an address-derived pattern written
 *    over all of RAM but the guest's own image reads back intact. With
 *    the stores outside RAM dropped, this shows the guest reaches no
 *    memory but its own: no store lands in the hypervisor, and nothing
 *    the hypervisor owns shows through.
 * Instruction fetch outside RAM ends the run by design and is not tried.
 *
 * Environment: guest, 64-bit, ring 0, IF=0 (APF prefetch aside).
 */
#include "hostile.h"

#define APIC_PAGE	0xfee00000ULL
#define FOUR_GIB	0x100000000ULL
#define ALL_ONES	0xffffffffffffffffULL
#define STORE_PATTERN	0x0123456789abcdefULL
#define RAM_MAGIC	0xa5c3f00d5a3c0ff1ULL
#define FORMS_EVERY	(64 * MiB)	/* the other MOV forms: every 64 MiB */

/* A plain 64-bit load and store outside RAM: all ones, store dropped. */
static void unbacked(struct hx_class *c, u64 a)
{
	u64 r1 = hx_read64(a), r2;

	hx_write64(a, STORE_PATTERN);
	r2 = hx_read64(a);
	hx_check(c, r1 == ALL_ONES, "gpa 0x%lx reads 0x%lx", a, r1);
	hx_check(c, r2 == ALL_ONES, "gpa 0x%lx reads 0x%lx after a store", a, r2);
}

/* MOV EAX, moffs64 (opcode A1) needs its address in the instruction:
 * one fixed address outside any RAM apfvisor accepts (3 GiB at most). */
static u32 unbacked_moffs(void)
{
	u32 v;

	asm volatile("movabs 0xfed00000, %%eax" : "=a"(v) : : "memory");
	return v;
}

/* The other emulated forms: MOVZX byte/word, 32-bit, 8-bit, MOV imm
 * stores, and MOV from moffs (at its fixed address). */
static void unbacked_forms(struct hx_class *c, u64 a)
{
	u32 b, w, l, m;
	u8 h;

	asm volatile("movzbl (%1), %0" : "=r"(b) : "r"(a) : "memory");
	asm volatile("movzwl (%1), %0" : "=r"(w) : "r"(a) : "memory");
	asm volatile("movl $0x12345678, (%0)" : : "r"(a) : "memory");
	asm volatile("movb $0x12, (%0)" : : "r"(a) : "memory");
	asm volatile("movl (%1), %0" : "=r"(l) : "r"(a) : "memory");
	asm volatile("movb (%1), %0" : "=q"(h) : "r"(a) : "memory");
	m = unbacked_moffs();
	hx_check(c, b == 0xff && w == 0xffff && l == 0xffffffff && h == 0xff &&
		 m == 0xffffffff, "gpa 0x%lx: movzb 0x%x movzw 0x%x mov32 0x%x "
		 "mov8 0x%x moffs 0x%x", a, b, w, l, h, m);
}

static void below_4g(struct hx_class *c)
{
	u64 a = ALIGN_UP(hx_m.ram, MiB), n = 0;

	for (; a < APIC_PAGE; a += MiB, n++) {
		unbacked(c, a);
		if (a % FORMS_EVERY == 0)
			unbacked_forms(c, a);
	}
	for (u64 x = APIC_PAGE + PAGE_SIZE; x < FOUR_GIB; x += 0x7ff000)
		unbacked(c, x);
	unbacked(c, FOUR_GIB - 8);
	hx_note(c, "outside RAM: %lu addresses every MiB in [0x%lx, 0x%llx), "
		"plus the page after the APIC's to 4 GiB every 8 MiB",
		n, (u64)ALIGN_UP(hx_m.ram, MiB), (unsigned long long)APIC_PAGE);
}

/* A few pages above 4 GiB, up to the guest's MAXPHYADDR (and the 512 GiB
 * one PML4 entry maps). */
static void above_4g(struct hx_class *c)
{
	u32 bits = MIN(hx_m.maxphy, 39u);
	u64 top = 1ULL << bits;
	u64 addrs[] = { FOUR_GIB, FOUR_GIB + 0x7ff000, 2 * FOUR_GIB,
			top - 16 * GiB - PAGE_SIZE, top - PAGE_SIZE, top - 8 };

	for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++) {
		if (addrs[i] < FOUR_GIB || addrs[i] >= top || !hx_map_high(addrs[i]))
			continue;
		unbacked(c, addrs[i]);
		unbacked_forms(c, addrs[i]);
	}
}

static bool in_image(u64 a)
{
	return a >= hx_m.image_start && a < hx_m.image_end;
}

/* Every slow page not touched before: first and last word from the
 * backing store (brought in asynchronously, 32 at a time). */
static void slow_contents(struct hx_class *c)
{
	u64 from = MAX(hx_m.slow_start, hx_apf.slow_touched_end), n = 0;
	u64 np = hx_apf.not_present, rd = hx_apf.ready, st = hx_apf.stray_ready;
	u32 left = hx_apf_prefetch(hx_m.slow_start, hx_m.slow_end);

	hx_check(c, left == 0 && hx_apf.stray_ready == st, "prefetch: %u faults "
		 "without \"ready\", %lu stray", left, hx_apf.stray_ready - st);
	for (u64 p = from; p < hx_m.slow_end; p += PAGE_SIZE) {
		if (!hx_slow_page(p >> PAGE_SHIFT))
			continue;
		n++;
		hx_check(c, hx_read64(p) == apfv_backing_word(p, hx_m.seed) &&
			 hx_read64(p + PAGE_SIZE - 8) ==
			 apfv_backing_word(p + PAGE_SIZE - 8, hx_m.seed),
			 "slow page 0x%lx: not the backing store's words", p);
	}
	hx_note(c, "%lu slow pages checked after an APF prefetch (%lu not "
		"present, %lu ready)", n, hx_apf.not_present - np, hx_apf.ready - rd);
}

/* Pattern over all RAM outside the image, then read back: one value per
 * page, all 512 words of it compared. */
static void ram_pattern(struct hx_class *c)
{
	u64 pages = 0;

	for (u64 p = 0; p < hx_m.ram; p += PAGE_SIZE) {
		if (in_image(p))
			continue;
		for (u64 a = p; a < p + PAGE_SIZE; a += 8)
			*(volatile u64 *)(uintptr_t)a = a ^ RAM_MAGIC;
	}
	for (u64 p = 0; p < hx_m.ram; p += PAGE_SIZE) {
		u64 bad = 0;

		if (in_image(p))
			continue;
		for (u64 a = p; a < p + PAGE_SIZE; a += 8)
			bad += *(volatile u64 *)(uintptr_t)a != (a ^ RAM_MAGIC);
		hx_check(c, !bad, "RAM page 0x%lx: %lu words changed", p, bad);
		pages++;
	}
	hx_note(c, "RAM: %lu pages (%lu MiB) written and read back; image "
		"[0x%lx, 0x%lx) left alone", pages, pages >> 8,
		hx_m.image_start, hx_m.image_end);
}

void hx_class_mem(struct hx_class *c)
{
	below_4g(c);
	above_4g(c);
	if (hx_m.slow_end > hx_m.slow_start)
		slow_contents(c);
	ram_pattern(c);
}
