/*
 * guest-stub/report.h - test results in the kvm-unit-tests form:
 * "PASS: name", "FAIL: name", "SKIP: name (why)", a final
 * "SUMMARY: N tests, M unexpected failures, K skipped", then the run ends
 * through the debug-exit port (0 = all passed, 1 = failures).
 *
 * Environment: guest (ring 0).
 */
#ifndef GUEST_REPORT_H
#define GUEST_REPORT_H

#include "../lib/types.h"

/* Report test name as passed or failed; returns pass. */
bool report(const char *name, bool pass);
/* Report test name as skipped, with the reason why. */
void report_skip(const char *name, const char *why);
/* Print an informational line, "guest-stub: ..." (not a result). */
void report_info(const char *f, ...) __printf(1, 2);
/* Print the SUMMARY line and end the run with its status. */
__noreturn void report_exit(void);
/* End the run with exit code, printing nothing more. */
__noreturn void report_end(u32 code);
/* Print "FAIL: <message>", count it, and end the run (status 1). */
__noreturn void report_abort(const char *f, ...) __printf(1, 2);

#endif
