/*
 * guest-stub/main.c - the test guest's C entry: console, banner, traps,
 * options, then a crash= mode, the soak (soak=), or the tests, and the
 * SUMMARY.
 *
 * Environment: guest (ring 0), 64-bit, interrupts off; called once by
 * head.S on the boot stack with the identity map of the first 1 GiB.
 */
#include "apic.h"
#include "console.h"
#include "cpu.h"
#include "crash.h"
#include "hv.h"
#include "mbi.h"
#include "mce.h"
#include "opts.h"
#include "pvapf.h"
#include "report.h"
#include "soak.h"
#include "tests.h"
#include "trap.h"
#include "../vmm/abi.h"

__noreturn void guest_main(void);

/* The LAPIC, machine checks and the APF interrupt vector; then the
 * choices cfg left to the machine: apf=auto becomes int where
 * ASYNC_PF_INT is offered (and the LAPIC is used), else pf; errors= only
 * where apfvisor advertises the extension. */
static void platform_init(struct guest_config *c, bool apfvisor)
{
	static const char *const apf_names[] = { "off", "pf", "int", "auto" };
	bool has_int = hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF_INT);
	bool mce;

	if (c->apic != APIC_WANT_OFF)
		apic_init(c->apic == APIC_WANT_X2, !apfvisor);
	mce = mce_init();
	pvapf_init((u8)c->apf_vec);
	if (c->apf_vec != VEC_APF_DEFAULT)
		pvapf_init(VEC_APF_DEFAULT);	/* the MSR tests' vector */
	if (c->apf == APF_MODE_AUTO)
		c->apf = has_int && apic_mode() != APIC_MODE_NONE ? APF_MODE_INT
								  : APF_MODE_PF;
	if (!(hv_apfvisor_features() & APFV_FEAT_APF_ERRORS))
		c->errors = 0;
	report_info("config: apf=%s apic=%s tick=%u apf_vec=0x%x errors=%s "
		    "fail_page=0x%x mce=%s", apf_names[c->apf], apic_mode_name(),
		    c->tick, c->apf_vec, c->errors ? "on" : "off", c->fail_page,
		    mce ? "on" : "off");
}

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
	crash_run(&cfg, apfvisor);
	platform_init(&cfg, apfvisor);
	if (cfg.soak)
		soak_run(&cfg, apfvisor);
	else
		tests_run(apfvisor, &cfg);
	report_exit();
}
