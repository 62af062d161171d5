/*
 * vmm/cmdline.h - the hypervisor's command line: documented options, each
 * `name=value`, parsed from a table (vmm/cmdline.c). An unknown option or
 * a bad value is an error naming the option; nothing is silently ignored.
 *
 * Pure module: host-tested and fuzzed. Options are documented in README.md
 * ("Command line"); keep that table and cmdline.c's table in step.
 */
#ifndef VMM_CMDLINE_H
#define VMM_CMDLINE_H

#include "../lib/types.h"

enum log_level { LOG_QUIET = 0, LOG_INFO = 1, LOG_DEBUG = 2 };

/* Deliberate failures, to prove every failure path ends the run loudly. */
enum fault_inject {
	FAULT_NONE = 0,
	FAULT_VMENTRY,		/* corrupt guest state: VM entry must fail */
	FAULT_PANIC,		/* panic right after VMX is on */
	FAULT_HOSTEXC,		/* the hypervisor itself takes an exception */
	FAULT_VMWRITE,		/* a VMWRITE to a field that does not exist */
	FAULT_OOM,		/* host memory runs out while setting up the vCPU */
	FAULT_LAST = FAULT_OOM,
};

/* apic=: use APIC virtualization when the CPU has it, or never. */
enum apic_mode { APIC_AUTO = 0, APIC_SOFT };

struct vmm_config {
	u64 ram_size;		/* ram=   guest RAM in bytes (K/M/G suffix) */
	u32 log;		/* log=   quiet|info|debug */
	u32 fault;		/* fault= none|vmentry|panic */
	bool ept_large;		/* ept_large= on|off: 2M/1G EPT pages */
	u32 guest_module;	/* guest= index of the boot module to run */
	/* the slow backing store (apf/pager.h) */
	u64 slow_start;		/* slow_start= first slow guest-physical byte */
	u64 slow_end;		/* slow_end=   end of the slow range, 0 = RAM end */
	u32 slow_pct;		/* slow_pct=   percent of the range that is slow */
	u64 latency;		/* latency=    fetch latency, TSC cycles */
	u64 latency_max;	/* latency_max= 0, or uniform in [latency, max] */
	u32 max_fetches;	/* max_fetches= fetches in flight at once */
	u64 resident;		/* resident=   slow pages kept mapped, 0 = all */
	u64 seed;		/* seed=       for slow-page choice and latencies */
	u32 apic;		/* apic=       auto|soft: LAPIC delivery path */
	u64 fail_start;		/* fail_start= first page whose fetches fail */
	u64 fail_end;		/* fail_end=   end of that range (0 = none) */
	u32 fail_pct;		/* fail_pct=   percent of attempts failing transiently */
	u32 retries;		/* retries=    transient failures retried per fetch */
	u64 trace;		/* trace=      event records kept (0 = off) */
};

/* Fill c with the defaults documented in README.md. */
void cmdline_defaults(struct vmm_config *c);

/* Return line with a loader-added image path or URL (a first word without
 * '=' that contains '/' or ':') skipped; QEMU mb1 and iPXE add one. */
const char *cmdline_skip_image_path(const char *line);

/* Parse space-separated name=value options into c (which holds defaults).
 * Returns 0, or -1 with a message naming the offending option in err. */
int cmdline_parse(const char *line, struct vmm_config *c, char *err,
		  size_t errlen);

/* Call out once per option with a help line: name=<values>, what it does,
 * its default and range (the table README.md mirrors). */
void cmdline_print_help(void (*out)(const char *line));

/* Write c as one command line ("ram=64M log=info ...") that parses back to
 * c, for the start-up log. Returns the length needed, like snprintf. */
int cmdline_format(const struct vmm_config *c, char *buf, size_t size);

#endif
