/*
 * guest-stub/work.c - the APF workload (work.h). Task i runs in ring 3 if
 * i is odd, in ring 0 if even. Each walks its own span of the slow range:
 * for every slow page it reads word 0 and one more word, checks both
 * against the backing store's first-fetch contents, yields, then computes
 * `work` units. A touch that finds its page absent is where apfvisor may
 * send "page not present": the task parks (sched.c) and the others compute
 * while the page is fetched. Without APF (apf=off, or ring 0 without
 * SEND_ALWAYS) the vCPU itself waits for the page. Before the tasks start,
 * the enabling write's wake-all is taken, as a guest takes it at boot.
 *
 * The task code runs in ring 3 too, so it lives in .usertext and calls
 * nothing (guest.mk checks that no CALL is there); what it reads and
 * writes lives in .bss.user. Environment: guest ring 0, IF=0, except the
 * tasks (IF=1).
 */
#include "work.h"
#include "cpu.h"
#include "hv.h"
#include "pvapf.h"
#include "report.h"
#include "sched.h"
#include "slow.h"
#include "tests.h"

#define USERTEXT	__attribute__((section(".usertext")))
#define USERBSS		__attribute__((section(".bss.user")))
#define TASK_STACK_SIZE	8192
/* A touch that took this long without parking the task most likely held
 * the vCPU for a synchronous fetch (apfvisor's latency is 200000 by
 * default; a touch that finds its page present takes well under 1000). */
#define SYNC_SUSPECT_CYCLES 20000
/* The wake-all of enabling is queued: apfvisor delivers it within 20000. */
#define WAKEALL_WAIT_CYCLES 2000000

/* One task's view: set by work_test(), then written by the task. */
struct task_share {
	u64 first, end;		/* its span of the slow range */
	u64 seed, pct, work;
	u64 touched, bad, work_done, work_during, sync_suspected;
	u64 sink;		/* keeps the computation alive */
	volatile u64 parks;	/* written by the scheduler */
};

static struct {
	volatile u32 parked;	/* tasks parked now (sched.c writes it) */
	struct task_share t[OPTS_TASKS_MAX];
} shared USERBSS __aligned(64);

static u8 task_stack[OPTS_TASKS_MAX][TASK_STACK_SIZE] USERBSS __aligned(16);
_Static_assert(OPTS_TASKS_MAX <= SCHED_MAX_TASKS, "tasks= beyond the scheduler");

static const char test_name[] = "apf every parked task woken exactly once";

/* --- the task (ring 0 or 3; calls nothing) ----------------------------- */

static __always_inline void task_sys(u64 nr)
{
	asm volatile("int $0x80" : : "a"(nr) : "memory");
}

/* Read two words of page a and check them; note a slow touch that did
 * not park the task. */
static __always_inline void task_touch(struct task_share *t, u64 a)
{
	u64 parks = t->parks, off = slow_check_off(a), t0 = rdtsc(), w0, w1;

	w0 = *(volatile u64 *)(uintptr_t)a;
	w1 = *(volatile u64 *)(uintptr_t)(a + off);
	if (t->parks == parks && rdtsc() - t0 > SYNC_SUSPECT_CYCLES)
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

/* --- the kernel side ------------------------------------------------- */

/* Give each of cfg->tasks tasks its span of cfg->pages fresh slow pages;
 * false if the slow range runs out. */
static bool tasks_setup(const struct guest_config *cfg, struct sched_task *st)
{
	for (unsigned i = 0; i < cfg->tasks; i++) {
		struct task_share *t = &shared.t[i];

		*t = (struct task_share){ .seed = slow_seed(), .pct = slow_pct(),
					  .work = cfg->work };
		if (!slow_take_span(cfg->pages, &t->first, &t->end))
			return false;
		st[i] = (struct sched_task){
			.entry = (u64)(uintptr_t)task_main,
			.arg = (u64)(uintptr_t)t,
			.stack_top = (u64)(uintptr_t)(task_stack[i] + TASK_STACK_SIZE),
			.user = i & 1, .parks = &t->parks,
		};
	}
	return true;
}

/* Totals over all tasks, and the verdict of the test. */
struct totals {
	u64 work, during, parks, wakes, sync_suspected;
	bool ok;
};

/* Print task i's line, add it to *sum, and check it. */
static void task_account(const struct guest_config *cfg, unsigned i,
			 struct totals *sum)
{
	const struct task_share *t = &shared.t[i];
	struct sched_counts c = sched_counts(i);
	bool ok = t->touched == cfg->pages && !t->bad && c.parks == c.wakes &&
		  !c.parked && (cfg->apf != APF_MODE_OFF || !c.parks);

	report_info("task %u ring %u: touched=%lu bad=%lu work=%lu during=%lu "
		    "parks=%lu wakes=%lu sync_suspected=%lu%s", i,
		    (i & 1) ? 3 : 0, t->touched, t->bad, t->work_done,
		    t->work_during, c.parks, c.wakes, t->sync_suspected,
		    ok ? "" : " (wrong)");
	sum->work += t->work_done;
	sum->during += t->work_during;
	sum->parks += c.parks;
	sum->wakes += c.wakes;
	sum->sync_suspected += t->sync_suspected;
	sum->ok &= ok;
}

/* Enable APF as cfg says and take the wake-all of the enabling write
 * (IF=1 until it comes), as a guest boots with APF on before it runs
 * tasks; else that wake-all wakes the first tasks to park before their
 * own "ready". False if enabling raised #GP. */
static bool apf_start(const struct guest_config *cfg)
{
	u64 wakeall = pvapf_stats().wakeall, t0 = rdtsc();

	if (cfg->apf == APF_MODE_OFF)
		return true;
	if (!pvapf_enable(cfg->send_always ? KVM_ASYNC_PF_SEND_ALWAYS : 0))
		return false;
	irq_enable();
	while (pvapf_stats().wakeall == wakeall &&
	       rdtsc() - t0 < WAKEALL_WAIT_CYCLES)
		asm volatile("pause");
	irq_disable();
	return true;
}

/* Run the tasks with APF on (apf=pf) or off; returns the TSC cycles. */
static u64 tasks_run(const struct guest_config *cfg, struct sched_task *st,
		     bool *enabled)
{
	u64 t0, t1;

	tests_user_allow(true);
	*enabled = apf_start(cfg);
	t0 = rdtsc();
	if (*enabled)
		sched_run(st, cfg->tasks, &shared.parked);
	t1 = rdtsc();
	if (cfg->apf != APF_MODE_OFF)
		pvapf_disable();
	tests_user_allow(false);
	return t1 - t0;
}

/* Why the workload cannot run as configured, or NULL. */
static const char *work_unusable(const struct guest_config *cfg, bool usable,
				 const char *why)
{
	if (!usable)
		return why;
	if (cfg->apf == APF_MODE_INT)
		return hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF_INT) ?
		       "interrupt mode not implemented in guest-stub yet" :
		       "interrupt mode not offered";
	if (slow_left() < (u64)cfg->tasks * cfg->pages)
		return "not enough slow pages left";
	return NULL;
}

void work_test(const struct guest_config *cfg, bool usable, const char *why)
{
	static const char *const mode[] = { "off", "pf", "int" };
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
	tsc = tasks_run(cfg, st, &enabled);
	if (!enabled) {
		report_info("workload: enabling APF raised #GP");
		report(test_name, false);
		return;
	}
	for (unsigned i = 0; i < cfg->tasks; i++)
		task_account(cfg, i, &sum);
	tot = sched_totals();
	report_info("workload apf=%s tasks=%u pages=%u: tsc=%lu work=%lu "
		    "work_during_fetches=%lu parks=%lu wakes=%lu sync_suspected=%lu "
		    "unmatched_ready=%lu", mode[cfg->apf], cfg->tasks, cfg->pages,
		    tsc, sum.work, sum.during, sum.parks, sum.wakes,
		    sum.sync_suspected, tot.unmatched);
	report(test_name, sum.ok && tot.unmatched <= tot.wakeall_wakes &&
			  (cfg->apf != APF_MODE_OFF || !sum.during));
}
