/*
 * vmm/io.c - port I/O for the guest (exit qualification per SDM Vol. 3C,
 * "Exit Qualification for I/O Instructions").
 *
 * Every port exits (vmm/vcpu.c sets both I/O bitmaps). Devices:
 *   0x3f8-0x3ff  COM1, a 16550 (vmm/uart.c): output joins the console
 *   0xe9         debug console: output joins the console; reads 0xe9
 *   0xf4         debug exit: the value written ends the run (exit code)
 *   0x80         POST/delay port: ignored
 *   0x510-0x511  QEMU fw_cfg, traditional interface (vmm/fwcfg.c)
 *   0x20-0x21, 0xa0-0xa1, 0x608-0x60b, 0xcf9, 0x92  the 8259 pair, the
 *                ACPI PM timer, the reset ports (vmm/pcdev.c); a reset
 *                request ends the run with a FAIL line
 * Any other port reads all ones and ignores writes, like an ISA bus with
 * nothing on it, so a guest polling it never waits on a value that cannot
 * change; the first access to each such port is logged (docs/abi.md).
 * Environment: VMX root, IF=0.
 */
#include "io.h"
#include "cpu.h"
#include "fwcfg.h"
#include "pcdev.h"
#include "uart.h"
#include "console.h"
#include "stats.h"
#include "vmm.h"
#include "abi.h"

#define IOQ_SIZE(q)	(((q) & 7) + 1)
#define IOQ_IN		BIT(3)
#define IOQ_STRING	BIT(4)
#define IOQ_PORT(q)	((u16)((q) >> 16))
#define PORT_POST	0x80
#define UNKNOWN_LOG_MAX	32

struct io_access {
	u16 port;
	u32 size;	/* 1, 2 or 4 */
	bool in;
	u32 val;	/* out: value written; in: value to return */
	bool end_run;	/* the access ends the run (debug exit) */
};

struct port_dev {
	u16 base, count;
	void (*access)(struct vcpu *v, struct io_access *a);
};

static void guest_tx(char c)
{
	stat_inc(ST_GUEST_CONSOLE_BYTES);
	con_guest_putc(c);
}

static struct uart com1 = { .tx = guest_tx };

static void com1_access(struct vcpu *v, struct io_access *a)
{
	(void)v;
	if (a->in)
		a->val = uart_read(&com1, a->port - APFV_PORT_COM1);
	else
		uart_write(&com1, a->port - APFV_PORT_COM1, (u8)a->val);
}

static void debugcon_access(struct vcpu *v, struct io_access *a)
{
	(void)v;
	if (a->in)
		a->val = APFV_PORT_DEBUGCON;
	else
		guest_tx((char)a->val);
}

static void debug_exit_access(struct vcpu *v, struct io_access *a)
{
	if (a->in) {
		a->val = ~0u;
		return;
	}
	v->guest_exit_code = a->val;
	a->end_run = true;
}

static void post_access(struct vcpu *v, struct io_access *a)
{
	(void)v;
	if (a->in)
		a->val = ~0u;
}

static struct fwcfg fwcfg;
static struct pcdev pc;

/* fw_cfg and the PC devices need the RAM size and the TSC rate: set up at
 * the guest's first access to either (the PM timer counts from then). */
static void pc_setup(const struct vcpu *v)
{
	static bool ready;
	struct cpuid_regs l0, l15 = { 0 }, l16 = { 0 };
	u64 hz;

	if (ready)
		return;
	cpu_cpuid(0, 0, &l0);
	if (l0.eax >= 0x15)
		cpu_cpuid(0x15, 0, &l15);
	if (l0.eax >= 0x16)
		cpu_cpuid(0x16, 0, &l16);
	hz = pcdev_tsc_hz(l0.eax, &l15, &l16);
	pcdev_init(&pc, hz, cpu_rdtsc());
	fwcfg_init(&fwcfg, v->ram_size, 1);
	ready = true;
	info("io: PM timer from a %llu MHz TSC%s\n",
	     (unsigned long long)(pc.tsc_hz / 1000000),
	     hz ? "" : " (assumed: CPUID leaves 0x15/0x16 give no rate)");
}

static void fwcfg_access(struct vcpu *v, struct io_access *a)
{
	pc_setup(v);
	if (a->in)
		a->val = fwcfg_port_read(&fwcfg, a->port, a->size);
	else
		fwcfg_port_write(&fwcfg, a->port, a->size, a->val);
}

/* apfvisor cannot restart a guest: a reset request ends the run. */
static void pc_access(struct vcpu *v, struct io_access *a)
{
	pc_setup(v);
	if (a->in)
		a->val = pcdev_read(&pc, a->port, a->size, cpu_rdtsc());
	else if (pcdev_write(&pc, a->port, a->size, a->val) == PCDEV_RESET)
		vmm_fail("vmm: guest requested a reset (port 0x%x)", a->port);
}

static const struct port_dev devices[] = {
	{ APFV_PORT_COM1, 8, com1_access },
	{ APFV_PORT_DEBUGCON, 1, debugcon_access },
	{ APFV_PORT_DEBUG_EXIT, 1, debug_exit_access },
	{ PORT_POST, 1, post_access },
	{ FWCFG_PORT_SEL, FWCFG_NPORTS, fwcfg_access },
	{ PCDEV_PIC1, PCDEV_PIC_NPORTS, pc_access },
	{ PCDEV_PIC2, PCDEV_PIC_NPORTS, pc_access },
	{ PCDEV_PMTMR, PCDEV_PMTMR_NPORTS, pc_access },
	{ PCDEV_RCR, 1, pc_access },
	{ PCDEV_PORT92, 1, pc_access },
};

/* Log the first access to each unknown port, up to a bound. */
static void unknown_port(struct io_access *a)
{
	static u16 seen[UNKNOWN_LOG_MAX];
	static u32 nseen;
	u32 i;

	stat_inc(ST_IO_UNKNOWN);
	if (a->in)
		a->val = ~0u;
	for (i = 0; i < nseen; i++)
		if (seen[i] == a->port)
			return;
	if (nseen == UNKNOWN_LOG_MAX)
		return;
	seen[nseen++] = a->port;
	info("io: guest %s port 0x%x (no device: reads all ones, writes "
	     "ignored)%s\n", a->in ? "reads" : "writes", a->port,
	     nseen == UNKNOWN_LOG_MAX ? "; further unknown ports not logged" : "");
}

static const struct port_dev *find_dev(u16 port)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (port >= devices[i].base &&
		    port < devices[i].base + devices[i].count)
			return &devices[i];
	return NULL;
}

/* IN writes AL/AX/EAX: 8- and 16-bit reads keep RAX's other bits, a
 * 32-bit read zero-extends (SDM Vol. 1, "General-Purpose Registers"). */
static void set_in_result(struct vcpu *v, const struct io_access *a)
{
	u64 *rax = &v->regs.gpr[REG_RAX];
	u64 mask = a->size == 4 ? ~0ULL : (1ULL << (8 * a->size)) - 1;

	*rax = a->size == 4 ? (u32)a->val : ((*rax & ~mask) | (a->val & mask));
}

enum exit_action io_handle(struct vcpu *v)
{
	u64 q = v->exit_qual;
	struct io_access a = { IOQ_PORT(q), IOQ_SIZE(q), q & IOQ_IN, 0, false };
	const struct port_dev *d;

	if (q & IOQ_STRING)
		vmm_fail("io: guest string I/O (INS/OUTS) on port 0x%x is not "
			 "supported", a.port);
	if (!a.in)
		a.val = (u32)v->regs.gpr[REG_RAX] &
			(a.size == 4 ? ~0u : (1u << (8 * a.size)) - 1);
	d = find_dev(a.port);
	if (d)
		d->access(v, &a);
	else
		unknown_port(&a);
	if (a.in)
		set_in_result(v, &a);
	return a.end_run ? EXIT_DONE : EXIT_SKIP;
}
