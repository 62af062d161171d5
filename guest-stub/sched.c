/*
 * guest-stub/sched.c - the workload's scheduler (sched.h). Switching is
 * copying frames: the outgoing context's trap frame is saved in its task,
 * and the incoming one's is copied over the frame the CPU will IRETQ from.
 * Every switch happens in a handler entered with IF=0 straight from the
 * outgoing context (trap_depth() 1): a timer tick that interrupts a
 * handler which enabled interrupts itself (halting for a "ready") only
 * counts.
 * IRETQ restores RIP, CS, RFLAGS, RSP and SS in 64-bit mode whatever the
 * privilege levels, so ring 0 and ring 3 tasks switch alike (SDM Vol. 3A,
 * "Stack Switching in IA-32e Mode"). The frame lies below the outgoing
 * context's saved RSP, on memory no other context uses.
 *
 * Environment: guest ring 0, IF=0 (trap and #PF handlers).
 */
#include "sched.h"
#include "apic.h"
#include "cpu.h"
#include "fixup.h"
#include "report.h"
#include "../apf/kvm_para.h"

#define CTX_MAIN	(-1)	/* sched_run()'s caller */
#define CTX_IDLE	(-2)
#define IDLE_STACK_SIZE	8192	/* handlers nest on it: printing too */
#define REMEMBER_MAX	64	/* KVM's outstanding faults per vCPU */

enum task_state { TASK_RUNNABLE, TASK_PARKED, TASK_DONE, TASK_FAILED };

struct task {
	struct trap_frame tf;
	enum task_state state;
	u32 token;			/* TASK_PARKED: the token waited on */
	u64 parks, wakes, preempts;
	volatile u64 *parks_out, *preempts_out;
	u64 left;			/* TSC when it last stopped running */
	volatile u64 *away_out;		/* TSC cycles it spent switched out */
};

static struct {
	struct task task[SCHED_MAX_TASKS];
	unsigned n;
	int cur;			/* a task index, CTX_MAIN or CTX_IDLE */
	bool running;
	struct trap_frame main;
	u32 parked;
	volatile u32 *parked_out;
	u32 remembered[REMEMBER_MAX];	/* ready before not-present */
	bool remembered_failed[REMEMBER_MAX];
	unsigned nremembered;
	struct sched_totals totals;
} s;

static u8 idle_stack[IDLE_STACK_SIZE] __aligned(16);

/* The idle context: wait for the next event ("page ready"). */
static __noreturn void sched_idle(void)
{
	for (;;)
		asm volatile("sti; hlt" : : : "memory");
}

/* A fresh frame that enters rip with RDI = arg, on the stack that ends
 * at top (as if called: RSP = top - 8), IF=1. */
static struct trap_frame frame_new(u64 rip, u64 top, u64 arg, bool user)
{
	return (struct trap_frame){
		.rip = rip, .rdi = arg, .rsp = top - 8,
		.cs = user ? SEL_UCODE64 | RPL_USER : SEL_KCODE64,
		.ss = user ? SEL_UDATA | RPL_USER : SEL_KDATA,
		.rflags = RFLAGS_FIXED | RFLAGS_IF,
	};
}

/* The running task stops running: its frame is *tf. */
static void save(const struct trap_frame *tf)
{
	struct task *t = &s.task[s.cur];

	t->tf = *tf;
	t->left = rdtsc();
}

/* Make ctx the running context: its frame replaces *tf. */
static void load(struct trap_frame *tf, int ctx)
{
	struct task *t = &s.task[ctx >= 0 ? ctx : 0];

	s.cur = ctx;
	if (ctx >= 0 && t->left && t->away_out)
		*t->away_out += rdtsc() - t->left;
	if (ctx >= 0)
		*tf = t->tf;
	else if (ctx == CTX_MAIN)
		*tf = s.main;
	else
		*tf = frame_new((u64)(uintptr_t)sched_idle,
				(u64)(uintptr_t)(idle_stack + IDLE_STACK_SIZE),
				0, false);
}

/* The next runnable task after the current one (round robin); else idle
 * while some task is parked; else back to sched_run()'s caller. */
static int pick_next(void)
{
	unsigned base = s.cur >= 0 ? (unsigned)s.cur + 1 : 0;

	for (unsigned i = 0; i < s.n; i++) {
		unsigned t = (base + i) % s.n;

		if (s.task[t].state == TASK_RUNNABLE)
			return (int)t;
	}
	return s.parked ? CTX_IDLE : CTX_MAIN;
}

static void parked_set(u32 n)
{
	s.parked = n;
	*s.parked_out = n;
}

/* The timer: preempt the running task for the next runnable one. */
static void sched_timer(struct trap_frame *tf)
{
	struct task *t;
	int next;

	apic_eoi();
	s.totals.ticks++;
	if (!s.running || s.cur < 0 || trap_depth() != 1)
		return;
	next = pick_next();
	if (next == s.cur)
		return;
	t = &s.task[s.cur];
	save(tf);
	t->preempts++;
	if (t->preempts_out)
		*t->preempts_out = t->preempts;
	s.totals.preemptions++;
	load(tf, next);
}

/* Take a timer interrupt left in IRR when the timer stopped (it would
 * otherwise arrive in the middle of a later test). */
static void timer_drain(void)
{
	irq_enable();
	cpu_relax();
	cpu_relax();
	irq_disable();
}

void sched_run(const struct sched_task *t, unsigned n, volatile u32 *parked,
	       u32 tick)
{
	if (n == 0 || n > SCHED_MAX_TASKS)
		report_abort("sched: %u tasks (1..%u)", n, SCHED_MAX_TASKS);
	s.n = n;
	s.parked_out = parked;
	parked_set(0);
	s.nremembered = 0;
	s.totals = (struct sched_totals){ 0 };
	for (unsigned i = 0; i < n; i++)
		s.task[i] = (struct task){
			.tf = frame_new(t[i].entry, t[i].stack_top, t[i].arg,
					t[i].user),
			.state = TASK_RUNNABLE, .parks_out = t[i].parks,
			.preempts_out = t[i].preempts, .away_out = t[i].away,
		};
	s.cur = CTX_MAIN;
	irq_set(VEC_TIMER, sched_timer);
	tick = apic_mode() != APIC_MODE_NONE ? tick : 0;
	if (tick)
		apic_timer_periodic(VEC_TIMER, tick);
	s.running = true;
	/* Every register comes back as it was: the frame is restored whole. */
	asm volatile("int $0x80" : : "a"((u64)SCHED_SYS_START) : "memory");
	s.running = false;
	if (tick) {
		apic_timer_stop();
		timer_drain();
	}
}

bool sched_syscall(struct trap_frame *tf)
{
	if (!s.running)
		return false;
	if (tf->rax == SCHED_SYS_START && s.cur == CTX_MAIN)
		s.main = *tf;
	else if (tf->rax == SCHED_SYS_YIELD && s.cur >= 0)
		save(tf);
	else if (tf->rax == SCHED_SYS_EXIT && s.cur >= 0)
		s.task[s.cur].state = TASK_DONE;
	else
		report_abort("sched: int $0x80 with rax=%lu from context %d",
			     tf->rax, s.cur);
	load(tf, pick_next());
	return true;
}

/* Forget token if it was remembered; true if it was, with *failed saying
 * whether its "ready" reported an error. */
static bool forget(u32 token, bool *failed)
{
	for (unsigned i = 0; i < s.nremembered; i++) {
		if (s.remembered[i] == token) {
			*failed = s.remembered_failed[i];
			s.nremembered--;
			s.remembered[i] = s.remembered[s.nremembered];
			s.remembered_failed[i] = s.remembered_failed[s.nremembered];
			return true;
		}
	}
	return false;
}

/* Remember a "ready" no task waits on (the oldest goes when full). */
static void remember(u32 token, bool failed)
{
	bool f;

	s.totals.unmatched++;
	if (s.nremembered == REMEMBER_MAX)
		forget(s.remembered[0], &f);
	s.remembered_failed[s.nremembered] = failed;
	s.remembered[s.nremembered++] = token;
}

/* Task i can never go on: it fails; the others run on. */
static void task_fail(unsigned i, const char *why, u32 token)
{
	struct task *t = &s.task[i];

	if (t->state == TASK_PARKED)
		parked_set(s.parked - 1);
	t->state = TASK_FAILED;
	s.totals.failed++;
	report_info("sched: task %u (ring %lu) failed: %s (token 0x%x, "
		    "rip=0x%lx)", i, t->tf.cs & 3, why, token, t->tf.rip);
}

bool sched_fail_current(struct trap_frame *tf, const char *why)
{
	if (!s.running || s.cur < 0 || trap_depth() != 1)
		return false;
	save(tf);
	task_fail((unsigned)s.cur, why, 0);
	load(tf, pick_next());
	return true;
}

bool sched_park(struct trap_frame *tf, u32 token)
{
	struct task *t;
	bool failed;

	if (!s.running || s.cur < 0 || trap_depth() != 1)
		return false;
	if (forget(token, &failed)) {
		if (!failed || fixup_skip(tf))
			return true;	/* retry the access now, or go past it */
		save(tf);
		task_fail((unsigned)s.cur, "its page could not be fetched",
			  token);
		load(tf, pick_next());
		return true;
	}
	t = &s.task[s.cur];
	save(tf);
	t->state = TASK_PARKED;
	t->token = token;
	*t->parks_out = ++t->parks;
	parked_set(s.parked + 1);
	load(tf, pick_next());
	return true;
}

/* Wake the tasks parked on token (all of them for the wake-all token),
 * or fail them when failed; returns how many. */
static unsigned wake(u32 token, bool failed)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s.n; i++) {
		struct task *t = &s.task[i];

		if (t->state != TASK_PARKED ||
		    (token != KVM_APF_WAKE_ALL_TOKEN && t->token != token))
			continue;
		if (failed && token != KVM_APF_WAKE_ALL_TOKEN &&
		    !fixup_skip(&t->tf)) {
			t->wakes++;
			task_fail(i, "the fetch of its page failed", token);
			n++;
			continue;
		}
		/* (a fallible load that failed resumes after the load) */
		t->state = TASK_RUNNABLE;
		t->wakes++;
		parked_set(s.parked - 1);
		if (token == KVM_APF_WAKE_ALL_TOKEN)
			s.totals.wakeall_wakes++;
		n++;
	}
	return n;
}

void sched_wake(struct trap_frame *tf, u32 token, bool failed)
{
	unsigned n;

	if (!s.running)
		return;
	n = wake(token, failed);
	if (token == KVM_APF_WAKE_ALL_TOKEN)
		s.nremembered = 0;	/* as Linux drops its dummy entries */
	else if (!n)
		remember(token, failed);
	if (n && s.cur == CTX_IDLE && trap_depth() == 1)
		load(tf, pick_next());
}

struct sched_counts sched_counts(unsigned i)
{
	const struct task *t = &s.task[i];

	return (struct sched_counts){ t->parks, t->wakes, t->preempts,
				      t->state == TASK_PARKED,
				      t->state == TASK_FAILED };
}

struct sched_totals sched_totals(void)
{
	return s.totals;
}
