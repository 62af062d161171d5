/*
 * guest-stub/crash.c - the crash= modes. Each announces itself on the
 * console, then does what no correct hypervisor may let pass silently.
 *
 * Environment: guest (ring 0), interrupts off.
 */
#include "crash.h"
#include "apic.h"
#include "console.h"
#include "cpu.h"
#include "paging.h"
#include "report.h"
#include "tests.h"
#include "trap.h"

#define NOHLT_TICK		10000	/* LAPIC timer count (TSC cycles) */
#define NOHLT_TICKS_WANT	3	/* ticks taken before the cli; hlt */
#define NOHLT_WAIT_CYCLES	200000000ull

/* An IDT with limit 0: int3 then raises #GP, whose delivery fails the
 * same way (#DF), and so does that: a triple fault (shutdown). */
static __noreturn void crash_triple(void)
{
	static const struct desc_ptr empty = { 0, 0 };

	report_info("crash=triple: empty IDT, then int3");
	con_flush();
	lidt(&empty);
	int3();
	report_abort("crash=triple: still running after a triple fault");
}

/* cli; hlt: with interrupts off nothing wakes the CPU. */
static __noreturn void crash_hlt(void)
{
	report_info("crash=hlt: cli; hlt with nothing to wake the CPU");
	con_flush();
	cpu_halt_forever();
}

/*
 * The task switch itself happened (or was stopped) in head.S before long
 * mode; landing here means it completed. That is right on bare hardware
 * or QEMU, wrong under apfvisor, which must have ended the run.
 */
static __noreturn void crash_taskswitch(bool apfvisor)
{
	static const char name[] = "crash=taskswitch";

	if (!boot_taskswitched)
		report_abort("%s: head.S did not attempt the task switch", name);
	else if (apfvisor)
		report(name, false);
	else
		report_skip(name, "task switch completed: no hypervisor stopped it");
	report_exit();
}

static __noreturn void crash_ud(void)
{
	tests_vmx_ud();
	report_exit();
}

/* Map the unbacked 2 MiB at CRASH_UNBACKED_GPA in the guest's own page
 * tables, so that the access reaches the hypervisor as an EPT violation
 * (a #PF inside the guest would prove nothing). */
static void map_unbacked(const char *name)
{
	if (!pd_map_mmio(CRASH_UNBACKED_GPA))
		report_abort("%s: cannot map 0x%llx", name, CRASH_UNBACKED_GPA);
}

/* An instruction outside the MOV forms the MMIO emulator decodes
 * (vmm/decode.c), on guest-physical memory where nothing is: apfvisor
 * cannot emulate it and must end the run saying so. */
static __noreturn void crash_mmio(void)
{
	volatile u32 *p = (volatile u32 *)(uintptr_t)CRASH_UNBACKED_GPA;

	map_unbacked("crash=mmio");
	report_info("crash=mmio: ADD to unbacked guest-physical 0x%llx "
		    "(no MOV form)", CRASH_UNBACKED_GPA);
	con_flush();
	asm volatile("addl %1, (%0)" : : "r"(p), "a"(1u) : "memory", "cc");
	report_abort("crash=mmio: still running after an ADD to unbacked "
		     "guest-physical 0x%llx", CRASH_UNBACKED_GPA);
}

/* Instructions fetched where there is no RAM: nothing to run. */
static __noreturn void crash_fetch(void)
{
	map_unbacked("crash=fetch");
	report_info("crash=fetch: jump to unbacked guest-physical 0x%llx",
		    CRASH_UNBACKED_GPA);
	con_flush();
	asm volatile("jmp *%0" : : "r"(CRASH_UNBACKED_GPA) : "memory");
	__builtin_unreachable();
}

/* String I/O (OUTSB) to a port apfvisor knows: it emulates only IN/OUT. */
static __noreturn void crash_outs(void)
{
	static const u8 byte = 0x5a;
	const u8 *src = &byte;

	report_info("crash=outs: outsb to port 0x%x", CRASH_PORT_POST);
	con_flush();
	asm volatile("outsb" : "+S"(src) : "d"((u16)CRASH_PORT_POST) : "memory");
	report_abort("crash=outs: still running after OUTSB to port 0x%x",
		     CRASH_PORT_POST);
}

/* A synchronous fetch that fails (IF=0, APF off) must be reported by a
 * machine check; with CR4.MCE clear the CPU would shut down instead, and
 * apfvisor must end the run so. */
static __noreturn void crash_mce(const struct guest_config *c)
{
	u64 page = ALIGN_DOWN((u64)c->fail_page, PAGE_SIZE), v;

	if (!page)
		report_abort("crash=mce: needs fail_page= (a page in the "
			     "hypervisor's fail_start..fail_end)");
	write_cr4(read_cr4() & ~CR4_MCE);
	report_info("crash=mce: CR4.MCE=0, IF=0: load from fail_page 0x%lx",
		    page);
	con_flush();
	v = *(volatile u64 *)(uintptr_t)page;
	report_abort("crash=mce: still running after loading 0x%lx from the "
		     "failing page 0x%lx", v, page);
}

static volatile u64 nohlt_ticks;

static void nohlt_tick(struct trap_frame *tf)
{
	(void)tf;
	nohlt_ticks++;
	apic_eoi();
}

/* HLT with IF=0 while the LAPIC timer runs: its interrupts cannot wake
 * the CPU (they are masked), so only an NMI could; apfvisor must end the
 * run rather than wait, or wake the CPU on a masked interrupt. */
static __noreturn void crash_nohlt(bool apfvisor)
{
	u64 t0;

	if (apic_init(true, !apfvisor) == APIC_MODE_NONE)
		report_abort("crash=nohlt: no LAPIC");
	irq_set(VEC_TIMER, nohlt_tick);
	apic_timer_periodic(VEC_TIMER, NOHLT_TICK);
	t0 = rdtsc();
	irq_enable();
	while (nohlt_ticks < NOHLT_TICKS_WANT && rdtsc() - t0 < NOHLT_WAIT_CYCLES)
		cpu_relax();
	irq_disable();
	if (nohlt_ticks < NOHLT_TICKS_WANT)
		report_abort("crash=nohlt: the LAPIC timer did not fire (%lu "
			     "ticks)", nohlt_ticks);
	report_info("crash=nohlt: LAPIC timer armed (every %u, %lu ticks "
		    "taken); cli; hlt", NOHLT_TICK, nohlt_ticks);
	con_flush();
	asm volatile("cli; hlt" : : : "memory");
	report_abort("crash=nohlt: HLT with IF=0 returned (%lu ticks now)",
		     nohlt_ticks);
}

/* HLT with IF=1 while the only timer runs masked: its expiries post
 * nothing, so nothing can wake the CPU; apfvisor must say so and end the
 * run rather than wait on expiries for ever. */
static __noreturn void crash_maskedhlt(bool apfvisor)
{
	if (apic_init(true, !apfvisor) == APIC_MODE_NONE)
		report_abort("crash=maskedhlt: no LAPIC");
	apic_timer_periodic(VEC_TIMER, NOHLT_TICK);
	apic_write(APIC_REG_LVT_TIMER,
		   APIC_LVT_MASKED | APIC_TIMER_PERIODIC | VEC_TIMER);
	report_info("crash=maskedhlt: periodic LAPIC timer masked; sti; hlt");
	con_flush();
	asm volatile("sti; hlt; cli" : : : "memory");
	report_abort("crash=maskedhlt: HLT returned with only a masked timer");
}

void crash_run(const struct guest_config *c, bool apfvisor)
{
	switch (c->crash) {
	case CRASH_NONE:
		return;
	case CRASH_TRIPLE:
		crash_triple();
	case CRASH_TASKSWITCH:
		crash_taskswitch(apfvisor);
	case CRASH_HLT:
		crash_hlt();
	case CRASH_UD:
		crash_ud();
	case CRASH_MMIO:
		crash_mmio();
	case CRASH_FETCH:
		crash_fetch();
	case CRASH_OUTS:
		crash_outs();
	case CRASH_MCE:
		crash_mce(c);
	case CRASH_NOHLT:
		crash_nohlt(apfvisor);
	case CRASH_MASKEDHLT:
		crash_maskedhlt(apfvisor);
	default:
		report_abort("guest-stub: crash mode %u not implemented", c->crash);
	}
}
