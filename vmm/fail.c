/*
 * vmm/fail.c - the three ways a run ends: the guest's exit code, a
 * failure (`FAIL: ...`), or a panic (`FAIL: vmm panic: ...`). Each prints
 * the STATS line last and powers the machine off; none returns.
 *
 * Environment: VMX root or earlier, IF=0.
 */
#include "vmm.h"
#include "console.h"
#include "stats.h"
#include "trace.h"
#include "../lib/fmt.h"

void (*vmm_dump_hook)(void);
static bool ending;
static u64 image_sum;
extern const u8 __code_start[], __code_end[];

/* FNV-1a over the hypervisor's code and read-only data. */
static u64 image_checksum(void)
{
	u64 h = 0xcbf29ce484222325ULL;

	for (const u8 *p = __code_start; p < __code_end; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h;
}

void vmm_image_seal(void)
{
	image_sum = image_checksum();
}

/* No guest access may change the hypervisor (EPT never maps it): check
 * that its code and constants are what they were at boot. */
static bool check_image(void)
{
	stats[ST_IMAGE_INTACT] = image_sum && image_checksum() == image_sum;
	if (image_sum && !stats[ST_IMAGE_INTACT])
		con_printf("FAIL: vmm: the hypervisor image changed during the run\n");
	return stats[ST_IMAGE_INTACT] || !image_sum;
}

static __noreturn void finish(s64 guest_code, bool panicked, int status)
{
	con_guest_flush();
	if (!check_image())
		status = 1;
	trace_dump();
	stats_print(guest_code, panicked);
	power_off(status);
}

/* Print the FAIL line; a failure while already ending stops at once. */
static void fail_line(const char *prefix, const char *fmt, va_list ap)
{
	char msg[400];

	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	if (ending) {
		con_printf("FAIL: %s%s (while ending the run)\n", prefix, msg);
		power_off(1);
	}
	ending = true;
	con_guest_flush();
	con_printf("FAIL: %s%s\n", prefix, msg);
	if (vmm_dump_hook)
		vmm_dump_hook();
}

void vmm_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_line("", fmt, ap);
	va_end(ap);
	finish(-1, false, 1);
}

void vmm_panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_line("vmm panic: ", fmt, ap);
	va_end(ap);
	con_printf("vmm: panic raised at %s:%d\n", file, line);
	finish(-1, true, 1);
}

void vmm_end_run(u32 guest_exit_code)
{
	ending = true;
	con_guest_flush();
	info("vmm: guest ended the run with exit code %u\n", guest_exit_code);
	finish(guest_exit_code, false, guest_exit_code ? 1 : 0);
}
