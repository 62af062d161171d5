/*
 * tests/guests/common/checks.c - the checks every test kernel runs on
 * what a PC and its loader gave it: the memory information against the
 * memory map, the command line, QEMU's fw_cfg, the 8259 pair, the ACPI PM
 * timer and port 0x92. They pass on QEMU (with SeaBIOS behind its
 * Multiboot loader) and on apfvisor; where the two legitimately differ
 * (SeaBIOS reserves tables at the top of RAM, which fw_cfg's RAM size
 * counts and the memory map does not; older QEMUs say mem_lower = 640)
 * the check is exact only when the loader calls itself "apfvisor".
 *
 * Environment: ring 0, interrupts off.
 */
#include "guest.h"

#define EBDA_BASE	0x9fc00u
#define VGA_BASE	0xa0000u
#define BIOS_BASE	0xf0000u
#define HIGH_BASE	0x100000u

#define FWCFG_SEL	0x510
#define FWCFG_DATA	0x511
#define FW_SIGNATURE	0x0000
#define FW_ID		0x0001
#define FW_RAM_SIZE	0x0003
#define FW_NB_CPUS	0x0005
#define FW_FILE_DIR	0x0019
#define FW_ID_TRADITIONAL BIT(0)
#define FW_ID_DMA	BIT(1)

#define PIC1		0x20
#define PIC2		0xa0
#define PMTMR		0x608
#define PMTMR_HZ	3579545u
#define PMTMR_MASK	0xffffffu
#define PMTMR_1MS	3580u
#define PORT92		0x92
#define PORT92_A20	BIT(1)
#define PORT92_RESET	BIT(0)
#define RCR		0xcf9
#define RCR_HARD_RESET	0x06
#define SPIN_MAX	100000000u

static bool strict(const struct boot_facts *f)
{
	return f->loader && !strcmp(f->loader, "apfvisor");
}

/* The end of the RAM entry starting at base, or 0 when there is none. */
static u64 ram_end_from(const struct boot_facts *f, u64 base)
{
	for (u32 i = 0; i < f->nranges; i++)
		if (f->ranges[i].type == MEM_RAM && f->ranges[i].base == base)
			return base + f->ranges[i].len;
	return 0;
}

static bool overlaps(const struct mem_range *r, u64 b, u64 e)
{
	return r->base < e && b < r->base + r->len;
}

/* Is [b, e) inside one entry that is not RAM? */
static bool reserved(const struct boot_facts *f, u64 b, u64 e)
{
	for (u32 i = 0; i < f->nranges; i++) {
		const struct mem_range *r = &f->ranges[i];

		if (r->type != MEM_RAM && r->base <= b && e <= r->base + r->len)
			return true;
	}
	return false;
}

static void check_mem_lower_upper(const struct boot_facts *f)
{
	u64 low = ram_end_from(f, 0), high = ram_end_from(f, HIGH_BASE);
	u64 lower = (u64)f->mem_lower * KIB, upper = HIGH_BASE + (u64)f->mem_upper * KIB;
	u64 dl = lower > low ? lower - low : low - lower;

	report_info("mem_lower %u KiB, mem_upper %u KiB; RAM at 0 ends 0x%llx, "
		    "RAM at 1 MiB ends 0x%llx", f->mem_lower, f->mem_upper,
		    low, high);
	report(low && (strict(f) ? dl == 0 : dl <= KIB),
	       "mem_lower matches the memory map's RAM at 0%s",
	       strict(f) ? " (exactly)" : "");
	report(high && (strict(f) ? upper == high : high <= upper && upper - high <= MIB),
	       "mem_upper matches the memory map's RAM at 1 MiB%s",
	       strict(f) ? " (exactly)" : "");
}

static void check_holes(const struct boot_facts *f)
{
	bool ram_in_hole = false, disjoint = true;

	for (u32 i = 0; i < f->nranges; i++) {
		const struct mem_range *r = &f->ranges[i];

		report_info("  mmap [0x%llx, 0x%llx) type %u", r->base,
			    r->base + r->len, r->type);
		if (r->type != MEM_RAM)
			continue;
		ram_in_hole |= overlaps(r, EBDA_BASE, HIGH_BASE);
		for (u32 j = 0; j < i; j++)
			if (f->ranges[j].type == MEM_RAM &&
			    overlaps(&f->ranges[j], r->base, r->base + r->len))
				disjoint = false;
	}
	report(!ram_in_hole, "no RAM in the memory map between 0x9fc00 and 1 MiB");
	report(reserved(f, EBDA_BASE, VGA_BASE) && reserved(f, BIOS_BASE, HIGH_BASE),
	       "memory map reserves 0x9fc00-0xa0000 and 0xf0000-0x100000");
	report(disjoint, "RAM entries of the memory map do not overlap");
}

static void check_cmdline(const struct boot_facts *f)
{
	char v[32];

	report_info("loader '%s', command line '%s'", f->loader ? f->loader : "?",
		    f->cmdline ? f->cmdline : "(none)");
	if (!report(f->cmdline != NULL, "loader gives a command line"))
		return;
	if (cmdline_value(f->cmdline, "hello", v, sizeof(v)))
		report(!strcmp(v, "world"), "command line word hello=world arrives "
		       "intact (got hello=%s)", v);
	else
		report_skip("command line value (no hello= given)");
}

void check_boot_facts(const struct boot_facts *f)
{
	if (!report(f->have_mem && f->nranges, "loader gives memory information "
		    "and a memory map (%u entries)", f->nranges))
		return;
	check_mem_lower_upper(f);
	check_holes(f);
	check_cmdline(f);
}

/* --- fw_cfg ------------------------------------------------------------ */

static void fw_read(u16 key, void *buf, u32 n)
{
	u8 *b = buf;

	outw(FWCFG_SEL, key);
	for (u32 i = 0; i < n; i++)
		b[i] = inb(FWCFG_DATA);
}

void check_fwcfg(const struct boot_facts *f)
{
	u8 sig[4], cpus[4], dir[4];
	u32 id = 0;
	u64 ram = 0, want = ((u64)f->mem_upper + 1024) * KIB;

	fw_read(FW_SIGNATURE, sig, sizeof(sig));
	if (!report(!memcmp(sig, "QEMU", 4), "fw_cfg signature is \"QEMU\""))
		return;
	fw_read(FW_ID, &id, sizeof(id));
	report(id & FW_ID_TRADITIONAL, "fw_cfg ID 0x%x offers the traditional "
	       "interface%s", id, id & FW_ID_DMA ? " (and DMA)" : "");
	fw_read(FW_NB_CPUS, cpus, sizeof(cpus));
	report(cpus[0] == 1 && cpus[1] == 0, "fw_cfg says 1 CPU (FW_CFG_NB_CPUS "
	       "= %u)", cpus[0] | cpus[1] << 8);
	report(cpus[2] == 0 && cpus[3] == 0, "fw_cfg reads 0 past an item's end");
	fw_read(FW_RAM_SIZE, &ram, sizeof(ram));
	/* QEMU counts the top-of-RAM firmware tables SeaBIOS reserves (its
	 * e820, hence mem_upper, does not); apfvisor has none. */
	report(f->have_mem && (strict(f) ? ram == want :
			       ram >= want && ram - want <= MIB),
	       "fw_cfg RAM size 0x%llx = mem_upper + 1 MiB (0x%llx)%s", ram, want,
	       strict(f) ? "" : ", give or take firmware tables");
	fw_read(FW_FILE_DIR, dir, sizeof(dir));
	report_info("fw_cfg file directory: %u files",
		    (u32)dir[0] << 24 | dir[1] << 16 | dir[2] << 8 | dir[3]);
}

/* --- PC devices -------------------------------------------------------- */

/* Linux's init_8259A: ICW1-ICW4 on both, vectors 0x20/0x28, all masked. */
static void pic_init(void)
{
	outb(PIC1, 0x11);
	outb(PIC1 + 1, 0x20);
	outb(PIC1 + 1, 0x04);
	outb(PIC1 + 1, 0x01);
	outb(PIC2, 0x11);
	outb(PIC2 + 1, 0x28);
	outb(PIC2 + 1, 0x02);
	outb(PIC2 + 1, 0x01);
	outb(PIC1 + 1, 0xff);
	outb(PIC2 + 1, 0xff);
}

static void check_pic(void)
{
	bool masked, readback;

	pic_init();
	masked = inb(PIC1 + 1) == 0xff && inb(PIC2 + 1) == 0xff;
	outb(PIC1 + 1, 0xfb);
	outb(PIC2 + 1, 0x7e);
	readback = inb(PIC1 + 1) == 0xfb && inb(PIC2 + 1) == 0x7e;
	outb(PIC1 + 1, 0xff);
	outb(PIC2 + 1, 0xff);
	report(masked && readback, "8259 pair initialized (ICW1-4), IMR reads "
	       "back what OCW1 wrote");
	outb(PIC1, 0x0b);	/* OCW3: read ISR */
	outb(PIC2, 0x0b);
	report(inb(PIC1) == 0 && inb(PIC2) == 0, "8259 ISRs are empty");
	outb(PIC1, 0x0a);	/* back to IRR, as Linux leaves it */
	outb(PIC2, 0x0a);
}

/* TSC Hz from CPUID 0x15/0x16 (0: not told); apfvisor derives the PM
 * timer from the same numbers. */
static u64 cpuid_tsc_hz(void)
{
	u32 max = cpuid(0, 0).a;
	struct cpuid l;

	if (max >= 0x15) {
		l = cpuid(0x15, 0);
		if (l.a && l.b && l.c)
			return udiv64((u64)l.c * l.b, l.a);
	}
	if (max >= 0x16 && (cpuid(0x16, 0).a & 0xffff))
		return (u64)(cpuid(0x16, 0).a & 0xffff) * 1000000u;
	return 0;
}

static u32 pm_delta(u32 from, u32 to)
{
	return (to - from) & PMTMR_MASK;
}

/* The PM timer counts, and on apfvisor at 3.579545 MHz of TSC time
 * (within 1/32 over 1 ms). */
static void check_pm_timer(void)
{
	u32 p0 = inl(PMTMR), p1 = p0, n = 0, dp;
	u64 t0, dt, hz = cpuid_tsc_hz(), lhs, rhs, diff;

	while (p1 == p0 && ++n < SPIN_MAX)
		p1 = inl(PMTMR);
	report(p1 != p0 && !(p0 & ~PMTMR_MASK) && !(p1 & ~PMTMR_MASK),
	       "ACPI PM timer at 0x608 counts, 24 bits (0x%x, then 0x%x)", p0, p1);
	if (!on_apfvisor() || !hz) {
		report_skip("PM timer rate against the TSC (%s)", hz ?
			    "not apfvisor: TCG's TSC is not its clock" :
			    "CPUID gives no TSC rate");
		return;
	}
	t0 = rdtsc();
	p0 = inl(PMTMR);
	do
		dp = pm_delta(p0, inl(PMTMR));
	while (dp < PMTMR_1MS);
	dt = rdtsc() - t0;
	/* dp / 3579545 = dt / hz, without dividing 64-bit numbers */
	lhs = dp * hz;
	rhs = dt * PMTMR_HZ;
	diff = lhs > rhs ? lhs - rhs : rhs - lhs;
	report(diff <= rhs >> 5, "PM timer runs at 3.579545 MHz of a %u MHz TSC "
	       "(%u ticks in 0x%llx TSC cycles)", (u32)udiv64(hz, 1000000), dp, dt);
}

/* reset=cf9 or reset=92: ask for a reset; nothing after it should run. */
static void reset_if_asked(const struct boot_facts *f)
{
	char v[8];

	if (!f->cmdline || !cmdline_value(f->cmdline, "reset", v, sizeof(v)))
		return;
	report_info("asking for a reset through port 0x%s", v);
	if (!strcmp(v, "cf9"))
		outb(RCR, RCR_HARD_RESET);
	else if (!strcmp(v, "92"))
		outb(PORT92, inb(PORT92) | PORT92_RESET);
	for (u32 i = 0; i < 1000; i++)
		inb(0x80);
	report(false, "the machine is still running after a reset request "
	       "through port 0x%s", v);
}

void check_pc_devices(const struct boot_facts *f)
{
	check_pic();
	check_pm_timer();
	report(inb(PORT92) & PORT92_A20, "port 0x92 says A20 is on");
	reset_if_asked(f);
}

bool on_apfvisor(void)
{
	struct cpuid r = cpuid(0x40000100, 0);

	return r.b == 0x56465041 && r.c == 0x524f5349 && r.d == 0;
}
