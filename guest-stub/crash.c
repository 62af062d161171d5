/*
 * guest-stub/crash.c - the crash= modes. Each announces itself on the
 * console, then does what no correct hypervisor may let pass silently.
 *
 * Environment: guest (ring 0), interrupts off.
 */
#include "crash.h"
#include "console.h"
#include "cpu.h"
#include "opts.h"
#include "report.h"
#include "tests.h"

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

void crash_run(u32 mode, bool apfvisor)
{
	switch (mode) {
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
	default:
		report_abort("guest-stub: crash mode %u not implemented", mode);
	}
}
