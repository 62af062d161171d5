/*
 * guest-stub/timertests.c - LAPIC timer expiries (timertests.h; SDM Vol.
 * 3A, "APIC Timer"): a one-shot count fires once and its current count
 * reads 0 after; a TSC deadline fires once, not before the deadline, and
 * IA32_TSC_DEADLINE reads 0 after. Under apfvisor the timer counts at the
 * TSC rate (apic/vlapic.h), so the one-shot may not fire before its count
 * has passed in TSC cycles either; other LAPICs count at their own rate.
 *
 * Environment: guest ring 0, IF=0 except while waiting.
 */
#include "timertests.h"
#include "apic.h"
#include "cpu.h"
#include "report.h"
#include "trap.h"
#include "work.h"

#define MSR_IA32_TSC_DEADLINE	0x6e0
#define ONESHOT_COUNT		20000
#define DEADLINE_CYCLES		20000
/* Generous: QEMU's LAPIC counts at its bus rate, not the TSC's. */
#define FIRE_WAIT_CYCLES	200000000ull
#define AFTER_CYCLES		(20 * ONESHOT_COUNT)

static volatile struct {
	u64 fires;
	u64 tsc;	/* of the first fire */
} timer;

static void timer_handler(struct trap_frame *tf)
{
	(void)tf;
	if (!timer.fires++)
		timer.tsc = rdtsc();
	apic_eoi();
}

/* IF=1 until the first fire (or the wait runs out), then for `after`
 * cycles more; returns the number of fires. */
static u64 wait_fires(u64 after)
{
	u64 t0 = rdtsc();

	irq_enable();
	while (!timer.fires && rdtsc() - t0 < FIRE_WAIT_CYCLES)
		cpu_relax();
	t0 = rdtsc();
	while (rdtsc() - t0 < after)
		cpu_relax();
	irq_disable();
	return timer.fires;
}

/* One-shot: true if it fired exactly once and stopped. */
static bool oneshot(bool tsc_rate)
{
	u64 t0, n;
	u32 cur;

	timer.fires = 0;
	t0 = rdtsc();
	apic_timer_oneshot(VEC_TIMER, ONESHOT_COUNT);
	n = wait_fires(AFTER_CYCLES);
	cur = apic_read(APIC_REG_TMCCT);
	apic_timer_stop();
	if (n != 1 || cur || (tsc_rate && timer.tsc - t0 < ONESHOT_COUNT)) {
		report_info("timer: one-shot of %u fired %lu times, after %lu "
			    "cycles; current count then %u", ONESHOT_COUNT, n,
			    timer.tsc - t0, cur);
		return false;
	}
	return true;
}

/* TSC-deadline: true if it fired once, at or after the deadline, and the
 * MSR reads 0 after. */
static bool deadline(void)
{
	u64 dl, n, msr;

	timer.fires = 0;
	dl = rdtsc() + DEADLINE_CYCLES;
	apic_timer_tsc_deadline(VEC_TIMER, dl);
	n = wait_fires(AFTER_CYCLES);
	msr = rdmsr(MSR_IA32_TSC_DEADLINE);
	apic_timer_stop();
	if (n != 1 || timer.tsc < dl || msr) {
		report_info("timer: deadline 0x%lx fired %lu times, first at "
			    "0x%lx; IA32_TSC_DEADLINE then 0x%lx", dl, n,
			    timer.tsc, msr);
		return false;
	}
	return true;
}

static void t_oneshot_deadline(bool apfvisor)
{
	static const char name[] = "lapic timer one-shot and TSC-deadline fire";
	bool os, dl = true;

	if (apic_mode() == APIC_MODE_NONE) {
		report_skip(name, "no LAPIC");
		return;
	}
	irq_set(VEC_TIMER, timer_handler);
	os = oneshot(apfvisor);
	if (apic_has_tsc_deadline())
		dl = deadline();
	else
		report_info("timer: no TSC-deadline mode (CPUID.1:ECX[24]): "
			    "one-shot only");
	report(name, os && dl);
}

void timertests_run(const struct guest_config *cfg, bool apfvisor)
{
	t_oneshot_deadline(apfvisor);
	work_preempt_test(cfg);
}
