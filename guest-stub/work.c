/*
 * guest-stub/work.c - the APF workload (work.h). Task i runs in ring 3 if
 * i is odd, in ring 0 if even. Each walks its own span of the slow range:
 * for every slow page it reads word 0 and one more word, checks both
 * against the backing store's first-fetch contents, yields, then computes
 * `work` units. A touch that finds its page absent is where apfvisor may
 * send "page not present": the task parks (sched.c) and the others compute
 * while the page is fetched. Without APF (apf=off, or ring 0 without
 * SEND_ALWAYS) the vCPU itself waits for the page. The LAPIC timer
 * preempts tasks every `tick`. Before the tasks start, the enabling
 * write's wake-all is taken, as a guest takes it at boot.
 *
 * The task code runs in ring 3 too, so it lives in .usertext and calls
 * nothing (guest.mk checks that no CALL is there); what it reads and
 * writes lives in .bss.user. Environment: guest ring 0, IF=0, except the
 * tasks (IF=1).
 */
#include "work.h"
#include "apic.h"
#include "cpu.h"
#include "hv.h"
#include "mce.h"
#include "pvapf.h"
#include "report.h"
#include "sched.h"
#include "slow.h"
#include "tests.h"

#define USERTEXT	__attribute__((section(".usertext")))
#define USERBSS		__attribute__((section(".bss.user")))
#define TASK_STACK_SIZE	8192
/* A touch that took this long without parking the task (or being
 * preempted) most likely held the vCPU for a synchronous fetch
 * (apfvisor's latency is 200000 by default; a touch that finds its page
 * present takes well under 1000). */
#define SYNC_SUSPECT_CYCLES 20000
/* The wake-all of enabling is queued: apfvisor delivers it within 20000. */
#define WAKEALL_WAIT_CYCLES 2000000
/* The preemption test: each task runs until preempted this often, or
 * for PREEMPT_LIMIT_TICKS ticks' worth of TSC cycles at most. */
#define PREEMPT_TASKS		3
#define PREEMPT_WANT		2
#define PREEMPT_MIN_WORK	1000	/* and has done this much work */
#define PREEMPT_LIMIT_TICKS	400
/* The failing-fetch workload: its healthy tasks and their pages. */
#define FAIL_TASKS		4
#define FAIL_TASK		1	/* ring 3 */
#define FAIL_PAGES		4

/* One task's view: set by the kernel side, then written by the task. */
struct task_share {
	u64 first, end;		/* its span of the slow range */
	u64 seed, pct, work;
	u64 touched, bad, work_done, work_during, sync_suspected;
	u64 sink;		/* keeps the computation alive */
	u64 spin_limit;		/* preemption test: TSC cycles at most */
	volatile u64 parks;	/* written by the scheduler */
	volatile u64 preempts;	/* likewise */
	volatile u64 away;	/* likewise: TSC cycles switched out */
};

static struct {
	volatile u32 parked;	/* tasks parked now (sched.c writes it) */
	struct task_share t[OPTS_TASKS_MAX];
} shared USERBSS __aligned(64);

static u8 task_stack[OPTS_TASKS_MAX][TASK_STACK_SIZE] USERBSS __aligned(16);
_Static_assert(OPTS_TASKS_MAX <= SCHED_MAX_TASKS, "tasks= beyond the scheduler");

static const char test_name[] = "apf every parked task woken exactly once";
static const char *const mode_names[] = { "off", "pf", "int", "auto" };

/* --- the tasks (ring 0 or 3; call nothing) ----------------------------- */

static __always_inline void task_sys(u64 nr)
{
	asm volatile("int $0x80" : : "a"(nr) : "memory");
}

/* Read two words of page a and check them; note a slow touch that did
 * not park the task (the time other tasks ran meanwhile, preempting it,
 * does not count). */
static __always_inline void task_touch(struct task_share *t, u64 a)
{
	u64 parks = t->parks, away = t->away;
	u64 off = slow_check_off(a), t0 = rdtsc(), w0, w1;

	w0 = *(volatile u64 *)(uintptr_t)a;
	w1 = *(volatile u64 *)(uintptr_t)(a + off);
	if (t->parks == parks &&
	    rdtsc() - t0 - (t->away - away) > SYNC_SUSPECT_CYCLES)
		t->sync_suspected++;
	if (w0 != apfv_backing_word(a, t->seed) ||
	    w1 != apfv_backing_word(a + off, t->seed))
		t->bad++;
	t->touched++;
}

/* t->work units of arithmetic, counting those done while some task was
 * parked, i.e. while a fetch ran in the background. */
static __always_inline u64 task_compute(struct task_share *t, u64 acc)
{
	u64 during = 0;

	for (u64 i = 0; i < t->work; i++) {
		acc = apfv_mix64(acc + i);
		if (shared.parked)
			during++;
	}
	t->work_done += t->work;
	t->work_during += during;
	return acc;
}

/* A task's whole life: every slow page of its span, then exit. It
 * yields right after each touch, before computing: yielding after the
 * computation instead keeps the tasks in lockstep, all touching (and
 * waiting) at once, with little computation left to overlap a fetch. */
static USERTEXT __noreturn void task_main(struct task_share *t)
{
	u64 acc = t->first;

	for (u64 a = t->first; a < t->end; a += PAGE_SIZE) {
		if (!slow_pick(a, t->seed, t->pct))
			continue;
		task_touch(t, a);
		task_sys(SCHED_SYS_YIELD);
		acc = task_compute(t, acc);
	}
	t->sink = acc;
	task_sys(SCHED_SYS_EXIT);
	__builtin_unreachable();
}

/* The preemption test's task: compute, never yield, until preempted
 * PREEMPT_WANT times having done some work (or out of time), then exit.
 * (Under QEMU's TCG a tick may end before cold code ran at all.) */
static USERTEXT __noreturn void spin_main(struct task_share *t)
{
	u64 acc = t->seed, t0 = rdtsc();

	while ((t->preempts < PREEMPT_WANT || t->work_done < PREEMPT_MIN_WORK) &&
	       rdtsc() - t0 < t->spin_limit) {
		acc = apfv_mix64(acc);
		t->work_done++;
	}
	t->sink = acc;
	task_sys(SCHED_SYS_EXIT);
	__builtin_unreachable();
}

/* --- the kernel side ------------------------------------------------- */

/* Task i of a run: shared.t[i] starts from *init, entered at entry. */
static void task_prepare(unsigned i, const struct task_share *init,
			 void (*entry)(struct task_share *), struct sched_task *st)
{
	struct task_share *t = &shared.t[i];

	*t = *init;
	st[i] = (struct sched_task){
		.entry = (u64)(uintptr_t)entry,
		.arg = (u64)(uintptr_t)t,
		.stack_top = (u64)(uintptr_t)(task_stack[i] + TASK_STACK_SIZE),
		.user = i & 1, .parks = &t->parks, .preempts = &t->preempts,
		.away = &t->away,
	};
}

/* Task i on n fresh slow pages of its own; false if they ran out. */
static bool task_on_pages(unsigned i, u32 n, u32 work, struct sched_task *st)
{
	struct task_share init = { .seed = slow_seed(), .pct = slow_pct(),
				   .work = work };

	if (!slow_take_span(n, &init.first, &init.end))
		return false;
	task_prepare(i, &init, task_main, st);
	return true;
}

/* Give each of cfg->tasks tasks its span of cfg->pages fresh slow pages;
 * false if the slow range runs out. */
static bool tasks_setup(const struct guest_config *cfg, struct sched_task *st)
{
	for (unsigned i = 0; i < cfg->tasks; i++)
		if (!task_on_pages(i, cfg->pages, cfg->work, st))
			return false;
	return true;
}

/* Totals over all tasks, and the verdict of the test. */
struct totals {
	u64 work, during, parks, wakes, sync_suspected;
	bool ok;
};

/* Print task i's line, add it to *sum, and check it (pages: the touches
 * it must have made; 0 for a task that must fail). */
static void task_account(unsigned i, u64 pages, bool apf_on, bool must_fail,
			 struct totals *sum)
{
	const struct task_share *t = &shared.t[i];
	struct sched_counts c = sched_counts(i);
	bool ok = c.failed == must_fail && !c.parked && c.parks == c.wakes &&
		  (must_fail || (t->touched == pages && !t->bad)) &&
		  (apf_on || !c.parks);

	report_info("task %u ring %u: touched=%lu bad=%lu work=%lu during=%lu "
		    "parks=%lu wakes=%lu preempts=%lu sync_suspected=%lu%s%s",
		    i, (i & 1) ? 3 : 0, t->touched, t->bad, t->work_done,
		    t->work_during, c.parks, c.wakes, c.preempts,
		    t->sync_suspected, c.failed ? " failed" : "",
		    ok ? "" : " (wrong)");
	sum->work += t->work_done;
	sum->during += t->work_during;
	sum->parks += c.parks;
	sum->wakes += c.wakes;
	sum->sync_suspected += t->sync_suspected;
	sum->ok &= ok;
}

/* Enable APF (mode: APF_MODE_PF or APF_MODE_INT, with bits) and take the
 * wake-all of the enabling write (IF=1 until it comes), as a guest boots
 * with APF on before it runs tasks; else that wake-all wakes the first
 * tasks to park before their own "ready". False if enabling raised #GP. */
static bool apf_start(const struct guest_config *cfg, u32 mode, u64 bits)
{
	u64 wakeall = pvapf_stats().wakeall, t0 = rdtsc();
	bool on;

	if (mode == APF_MODE_OFF)
		return true;
	on = mode == APF_MODE_INT ? pvapf_enable_int((u8)cfg->apf_vec, bits)
				  : pvapf_enable(bits);
	if (!on)
		return false;
	irq_enable();
	while (pvapf_stats().wakeall == wakeall &&
	       rdtsc() - t0 < WAKEALL_WAIT_CYCLES)
		cpu_relax();
	irq_disable();
	return true;
}

/* Run n tasks with APF in mode (enabled with bits); returns the TSC
 * cycles, *enabled false if enabling raised #GP (nothing ran). */
static u64 tasks_run(const struct guest_config *cfg, struct sched_task *st,
		     unsigned n, u32 mode, u64 bits, bool *enabled)
{
	u64 t0, t1;

	tests_user_allow(true);
	*enabled = apf_start(cfg, mode, bits);
	t0 = rdtsc();
	if (*enabled)
		sched_run(st, n, &shared.parked, cfg->tick);
	t1 = rdtsc();
	if (mode != APF_MODE_OFF)
		pvapf_disable();
	tests_user_allow(false);
	return t1 - t0;
}

/* The EN bits the workload enables with, as cfg says. */
static u64 work_bits(const struct guest_config *cfg)
{
	return (cfg->send_always ? KVM_ASYNC_PF_SEND_ALWAYS : 0) |
	       (cfg->errors ? APFV_ASYNC_PF_SEND_ERROR : 0);
}

/* Why the workload cannot run as configured, or NULL. */
static const char *work_unusable(const struct guest_config *cfg, bool usable,
				 const char *why)
{
	if (!usable)
		return why;
	if (cfg->apf == APF_MODE_INT) {
		if (!(hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF_INT)))
			return "interrupt mode not offered";
		if (apic_mode() == APIC_MODE_NONE)
			return "interrupt mode needs the LAPIC (apic=off)";
	}
	if (slow_left() < (u64)cfg->tasks * cfg->pages)
		return "not enough slow pages left";
	return NULL;
}

void work_test(const struct guest_config *cfg, bool usable, const char *why)
{
	struct sched_task st[OPTS_TASKS_MAX];
	struct totals sum = { .ok = true };
	struct sched_totals tot;
	bool enabled;
	u64 tsc;

	why = work_unusable(cfg, usable, why);
	if (why || !tasks_setup(cfg, st)) {
		report_skip(test_name, why ? why : "not enough slow pages left");
		return;
	}
	tsc = tasks_run(cfg, st, cfg->tasks, cfg->apf, work_bits(cfg), &enabled);
	if (!enabled) {
		report_info("workload: enabling APF raised #GP");
		report(test_name, false);
		return;
	}
	for (unsigned i = 0; i < cfg->tasks; i++)
		task_account(i, cfg->pages, cfg->apf != APF_MODE_OFF, false, &sum);
	tot = sched_totals();
	report_info("workload apf=%s tasks=%u pages=%u: tsc=%lu work=%lu "
		    "work_during_fetches=%lu parks=%lu wakes=%lu sync_suspected=%lu "
		    "unmatched_ready=%lu mode=%s preemptions=%lu failed_tasks=%lu",
		    mode_names[cfg->apf], cfg->tasks, cfg->pages, tsc, sum.work,
		    sum.during, sum.parks, sum.wakes, sum.sync_suspected,
		    tot.unmatched, mode_names[cfg->apf], tot.preemptions,
		    tot.failed);
	report(test_name, sum.ok && tot.unmatched <= tot.wakeall_wakes &&
			  !tot.failed &&
			  (cfg->apf != APF_MODE_OFF || !sum.during));
}

void work_preempt_test(const struct guest_config *cfg)
{
	static const char name[] = "lapic timer periodic preempts tasks";
	struct sched_task st[PREEMPT_TASKS];
	struct sched_totals tot;
	bool ok = true;

	if (apic_mode() == APIC_MODE_NONE || !cfg->tick) {
		report_skip(name, apic_mode() == APIC_MODE_NONE ? "no LAPIC"
							   : "tick=0");
		return;
	}
	for (unsigned i = 0; i < PREEMPT_TASKS; i++) {
		struct task_share init = {
			.seed = i + 1,
			.spin_limit = (u64)cfg->tick * PREEMPT_LIMIT_TICKS,
		};

		task_prepare(i, &init, spin_main, st);
	}
	tests_user_allow(true);
	sched_run(st, PREEMPT_TASKS, &shared.parked, cfg->tick);
	tests_user_allow(false);
	tot = sched_totals();
	for (unsigned i = 0; i < PREEMPT_TASKS; i++) {
		struct sched_counts c = sched_counts(i);

		report_info("preempt task %u ring %u: work=%lu preempts=%lu",
			    i, (i & 1) ? 3 : 0, shared.t[i].work_done, c.preempts);
		ok &= c.preempts >= 1 && !c.failed && !c.parked &&
		      shared.t[i].work_done >= PREEMPT_MIN_WORK;
	}
	report_info("timer: %lu ticks, %lu preemptions (tick=%u)", tot.ticks,
		    tot.preemptions, cfg->tick);
	report(name, ok && tot.preemptions > 0);
}

void work_fail_test(const struct guest_config *cfg, bool int_mode,
		    const char *name, u64 fail_page)
{
	struct sched_task st[FAIL_TASKS];
	struct totals sum = { .ok = true };
	struct pvapf_stats p0 = pvapf_stats(), p1;
	u64 mc0 = mce_count(), tsc;
	u32 mode = int_mode ? APF_MODE_INT : APF_MODE_PF;
	bool enabled;

	for (unsigned i = 0; i < FAIL_TASKS; i++) {
		struct task_share init = {
			.seed = slow_seed(), .pct = slow_pct(), .work = cfg->work,
			.first = fail_page, .end = fail_page + PAGE_SIZE,
		};

		if (i == FAIL_TASK)
			task_prepare(i, &init, task_main, st);
		else if (!task_on_pages(i, FAIL_PAGES, cfg->work, st)) {
			report_skip(name, "not enough slow pages left");
			return;
		}
	}
	tsc = tasks_run(cfg, st, FAIL_TASKS, mode, APFV_ASYNC_PF_SEND_ERROR,
			&enabled);
	if (!enabled) {
		report_info("apf error: enabling with SEND_ERROR raised #GP");
		report(name, false);
		return;
	}
	for (unsigned i = 0; i < FAIL_TASKS; i++)
		task_account(i, FAIL_PAGES, true, i == FAIL_TASK, &sum);
	p1 = pvapf_stats();
	report_info("apf error (%s): tsc=%lu error_readies=%lu machine_checks=%lu "
		    "failed_tasks=%lu", mode_names[mode], tsc,
		    p1.errors - p0.errors, mce_count() - mc0,
		    sched_totals().failed);
	report(name, sum.ok && p1.errors - p0.errors == 1 &&
		     mce_count() == mc0 && sched_totals().failed == 1 &&
		     (p1.ready_int - p0.ready_int > 0) == int_mode);
}
