/*
 * tests/hostile/main.c - the hostile guest's start, console, reporting
 * and the order of its classes.
 *
 * Environment: guest, 64-bit, ring 0, IF=0; entered from head.S.
 */
#include <stdarg.h>
#include "hostile.h"
#include "../../lib/fmt.h"
#include "../../lib/string.h"

#define COM1		APFV_PORT_COM1
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20
#define THRE_SPINS	1000
#define SHOW_MAX	40	/* wrong answers printed per class */
#define MBI_MEM		0x1	/* mbi.flags: mem_lower/mem_upper valid */
#define MBI_CMDLINE	0x4	/* mbi.flags: cmdline valid */
#define MBI_CMDLINE_OFF	4	/* u32 index of cmdline in the mbi */
#define KiB_SHIFT	10

extern u32 hx_mb_magic, hx_mb_info;
extern u64 hx_pdpt[512], hx_pd_high[HX_HIGH_PDS][512];
extern const u8 __image_start[], __image_end[];

struct hx_machine hx_m;
static char cmdline[256];
static u64 rand_state = 0x9e3779b97f4a7c15ULL;
static u32 high_pds_used;

/* --- console and reports ------------------------------------------------- */

static void putc_com1(char c)
{
	for (int i = 0; i < THRE_SPINS && !(hx_inb(COM1_LSR) & LSR_THRE); i++)
		;
	hx_outb(COM1, (u8)c);
}

static void vprint(const char *fmt, va_list ap)
{
	char buf[256];

	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	for (const char *p = buf; *p; p++)
		putc_com1(*p);
}

void hx_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

/* Count one value; show a wrong one (the first SHOW_MAX per class). */
static bool tally(struct hx_class *c, bool ok, bool known, const char *fmt,
		  va_list ap)
{
	c->values++;
	if (ok)
		return true;
	if (known)
		c->known++;
	else
		c->bad++;
	if (c->shown++ < SHOW_MAX) {
		hx_printf("hostile: %s: %s", c->name, known ? "known: " : "wrong: ");
		vprint(fmt, ap);
		hx_printf("\n");
	}
	return false;
}

bool hx_check(struct hx_class *c, bool ok, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tally(c, ok, false, fmt, ap);
	va_end(ap);
	return r;
}

bool hx_known(struct hx_class *c, bool ok, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tally(c, ok, true, fmt, ap);
	va_end(ap);
	return r;
}

bool hx_msr_is(struct hx_class *c, u32 msr, u64 want)
{
	u64 v = 0;
	int r = hx_rdmsr(msr, &v);

	return hx_check(c, r == HX_NONE && v == want, "MSR 0x%x reads 0x%lx "
			"(raised %d), want 0x%lx", msr, v, r, want);
}

void hx_note(struct hx_class *c, const char *fmt, ...)
{
	va_list ap;

	hx_printf("hostile: %s: ", c->name);
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	hx_printf("\n");
}

static __noreturn void finish(u32 code)
{
	for (;;)
		hx_outl(APFV_PORT_DEBUG_EXIT, code);
}

void hx_abort(const char *fmt, ...)
{
	va_list ap;

	hx_printf("FAIL: hostile: ");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	hx_printf("\nSUMMARY: hostile: aborted\n");
	finish(1);
}

/* --- the machine ------------------------------------------------------------ */

/* The next word of s starting with prefix, or NULL. */
static const char *strstr_word(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	for (; *s; s++)
		if ((s == cmdline || s[-1] == ' ') && !strncmp(s, prefix, n))
			return s;
	return NULL;
}

u64 hx_rand(void)
{
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return rand_state * 0x2545f4914f6cdd1dULL;
}

bool hx_slow_page(u64 gfn)
{
	u64 gpa = gfn << PAGE_SHIFT;

	if (gpa < hx_m.slow_start || gpa >= hx_m.slow_end)
		return false;
	return hx_m.slow_pct >= 100 || apfv_mix64(gfn ^ hx_m.seed) % 100 < hx_m.slow_pct;
}

bool hx_map_high(u64 gpa)
{
	u64 g = gpa >> 30;
	u64 *pd;

	if (g >= 512)
		return false;
	if (hx_pdpt[g] & HX_PTE_P)
		return true;
	if (high_pds_used == HX_HIGH_PDS)
		return false;
	pd = hx_pd_high[high_pds_used++];
	for (u64 i = 0; i < 512; i++)
		pd[i] = (g << 30) + (i << 21) + HX_PTE_P + HX_PTE_W + HX_PTE_PS;
	hx_pdpt[g] = (u64)(uintptr_t)pd + HX_PTE_P + HX_PTE_W;
	return true;
}

bool hx_skip(const char *name)
{
	size_t n = strlen(name);

	for (const char *p = cmdline; (p = strstr_word(p, "skip=")); ) {
		p += 5;
		while (*p && *p != ' ') {
			if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == ' ' ||
						     !p[n]))
				return true;
			while (*p && *p != ',' && *p != ' ')
				p++;
			if (*p == ',')
				p++;
		}
	}
	return false;
}

/* RAM size from the Multiboot information, the slow range from apfvisor. */
static void machine_init(void)
{
	const volatile u32 *mbi = (const u32 *)(uintptr_t)hx_mb_info;
	u64 out[4];

	if (hx_mb_magic != HX_MB1_LOADER_MAGIC || !(mbi[0] & MBI_MEM))
		hx_abort("no Multiboot v1 memory information (magic 0x%x)",
			 hx_mb_magic);
	if (mbi[0] & MBI_CMDLINE)
		str_copy(cmdline, (const char *)(uintptr_t)mbi[MBI_CMDLINE_OFF],
			 sizeof(cmdline));
	hx_m.ram = ((u64)mbi[2] << KiB_SHIFT) + MiB;
	hx_m.image_start = (u64)(uintptr_t)__image_start;
	hx_m.image_end = (u64)(uintptr_t)__image_end;
	if (hx_vmcall(APFV_HC_PAGER_INFO, 0, out) != 0)
		hx_abort("APFV_HC_PAGER_INFO failed: not under apfvisor?");
	hx_m.slow_start = out[0];
	hx_m.slow_end = out[1];
	hx_m.seed = out[2];
	hx_m.slow_pct = out[3];
	hx_m.maxphy = hx_cpuid(0x80000008, 0).a & 0xff;
	if (cmdline[0])
		hx_printf("hostile: command line '%s'\n", cmdline);
	hx_printf("hostile: RAM %lu MiB, image [0x%lx, 0x%lx), slow [0x%lx, "
		  "0x%lx) %lu percent, seed %lu, MAXPHYADDR %u\n", hx_m.ram >> 20,
		  hx_m.image_start, hx_m.image_end, hx_m.slow_start,
		  hx_m.slow_end, hx_m.slow_pct, hx_m.seed, hx_m.maxphy);
}

/* --- the run ------------------------------------------------------------------ */

static const struct {
	const char *name;
	void (*run)(struct hx_class *c);
} classes[] = {
	{ "cpuid", hx_class_cpuid },
	{ "vmx-insn", hx_class_vmx },
	{ "cr", hx_class_cr },
	{ "msr", hx_class_msr },
	{ "io", hx_class_io },
	{ "apf-msr", hx_class_apf },
	{ "lapic", hx_class_lapic },
	{ "memory", hx_class_mem },
	{ "lapic-edge", hx_class_lapic_edge },	/* last: see lapic.c */
};

static void run_class(unsigned i, u64 *values, u64 *failed, u64 *known)
{
	struct hx_class c = { .name = classes[i].name };
	u64 t0 = hx_rdtsc();

	classes[i].run(&c);
	hx_printf("hostile: %s took %lu M TSC cycles\n", c.name,
		  (hx_rdtsc() - t0) >> 20);
	if (c.bad)
		hx_printf("FAIL: hostile %s: %lu of %lu values wrong\n", c.name,
			  c.bad, c.values);
	else if (c.known)
		hx_printf("XFAIL: hostile %s (%lu values, %lu known deviations)\n",
			  c.name, c.values, c.known);
	else
		hx_printf("PASS: hostile %s (%lu values)\n", c.name, c.values);
	*values += c.values;
	*failed += c.bad != 0;
	*known += c.known;
}

void hx_main(void)
{
	u64 values = 0, failed = 0, known = 0;

	hx_trap_init();
	machine_init();
	for (unsigned i = 0; i < ARRAY_SIZE(classes); i++)
		run_class(i, &values, &failed, &known);
	hx_printf("SUMMARY: hostile: %lu classes, %lu values, %lu classes "
		  "failed, %lu known deviations\n", (u64)ARRAY_SIZE(classes),
		  values, failed, known);
	finish(failed ? 1 : 0);
}
