/*
 * guest-stub/report.c - result counting, the SUMMARY line, and the end of
 * the run through port 0xf4 (QEMU isa-debug-exit; apfvisor's debug exit).
 *
 * Environment: guest (ring 0).
 */
#include <stdarg.h>
#include "report.h"
#include "console.h"
#include "cpu.h"
#include "../vmm/abi.h"

static struct {
	unsigned tests, failures, skipped;
} counts;

bool report(const char *name, bool pass)
{
	counts.tests++;
	if (!pass)
		counts.failures++;
	con_printf("%s: %s\n", pass ? "PASS" : "FAIL", name);
	return pass;
}

void report_skip(const char *name, const char *why)
{
	counts.tests++;
	counts.skipped++;
	con_printf("SKIP: %s (%s)\n", name, why);
}

void report_info(const char *f, ...)
{
	va_list ap;

	con_puts("guest-stub: ");
	va_start(ap, f);
	con_vprintf(f, ap);
	va_end(ap);
	con_puts("\n");
}

/* The exit port first; if nothing stops us there, halt for good. */
void report_end(u32 code)
{
	con_flush();
	outl(APFV_PORT_DEBUG_EXIT, code);
	cpu_halt_forever();
}

void report_exit(void)
{
	con_printf("SUMMARY: %u tests, %u unexpected failures, %u skipped\n",
		   counts.tests, counts.failures, counts.skipped);
	report_end(counts.failures ? 1 : 0);
}

void report_abort(const char *f, ...)
{
	va_list ap;

	counts.tests++;
	counts.failures++;
	con_puts("FAIL: ");
	va_start(ap, f);
	con_vprintf(f, ap);
	va_end(ap);
	con_puts("\n");
	report_exit();
}
