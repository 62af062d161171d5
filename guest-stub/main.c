/*
 * guest-stub/main.c - the test guest's C entry: console, banner, traps,
 * options, then either a crash= mode or the tests, and the SUMMARY.
 *
 * Environment: guest (ring 0), 64-bit, interrupts off; called once by
 * head.S on the boot stack with the identity map of the first 1 GiB.
 */
#include "console.h"
#include "cpu.h"
#include "crash.h"
#include "hv.h"
#include "mbi.h"
#include "opts.h"
#include "report.h"
#include "tests.h"
#include "trap.h"

__noreturn void guest_main(void);

void guest_main(void)
{
	bool apfvisor = hv_apfvisor();
	struct guest_config cfg;
	char err[160];

	trap_init();
	/* apfvisor's COM1 has no line settings to program (vmm/abi.h). */
	con_init(!apfvisor);
	if (!mbi_valid())
		report_abort("guest-stub: bad multiboot magic 0x%x (want 0x%x)",
			     boot_mb_magic, GS_MB1_LOADER_MAGIC);
	report_info("%s", mbi_cmdline());
	opts_defaults(&cfg);
	if (opts_parse(mbi_cmdline(), &cfg, err, sizeof(err)))
		report_abort("guest-stub: %s", err);
	crash_run(cfg.crash, apfvisor);
	tests_run(apfvisor, &cfg);
	report_exit();
}
