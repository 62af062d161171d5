/*
 * guest-stub/soak.c - soak mode (soak.h): a long run of the multitasking
 * APF workload that keeps every part of the protocol busy and checks all
 * of it as it goes.
 *
 * Workers: tasks= tasks (even ones in ring 0, odd ones in ring 3), each
 * owning pages= slow pages of its own. A worker picks one of its pages at
 * random, reads three words of it (word 0, word 511 and one that moves
 * through the rest; on every 16th touch the whole page) and checks each
 * against what the page must hold, then, on every other touch, writes a
 * new generation into words 0 and 511. The generation of each page lives
 * in a table outside the slow range, so after an eviction the hypervisor
 * must bring back exactly what the guest wrote. A touch that finds its
 * page absent gets "page not present" (ring 0 too: SEND_ALWAYS) and the
 * worker parks until its "page ready".
 *
 * Controller: one more task, in ring 0. Every soak_switch= events it
 * re-enables APF in the other delivery mode (interrupt <-> #PF), without
 * disabling in between, so the faults in flight carry over and every
 * enabling write's wake-all wakes whoever is parked; every third time it
 * disables APF first, which drops the faults in flight (their "ready"
 * must never come). Interrupt-mode enables take apf_vec= and another
 * vector by turns. Every soak_fail=-th round (a round: from one re-enable
 * to the next), once that enable's wake-all has come, it has one worker
 * load fail_page= - the only access to that page in the run - through a
 * fallible load (fixup.h) and checks that exactly one error report came
 * back for it: a "ready" with APFV_READY_ERROR, or a machine check where
 * the load was synchronous (every other ring-0 worker asked loads with
 * IF=0) or not opted in to error reports. It prints progress, notices a
 * run that stopped delivering events or a worker that stopped getting
 * anywhere, and stops the workers at soak= events. While every worker is
 * parked it halts, so that "ready" by #PF (which needs IF=1) can come at
 * once.
 *
 * The books: every "not present" token must be new; every "ready" must
 * be for a token still outstanding (a task that a wake-all woke early
 * still gets its own "ready" later: re-enabling keeps the faults; a
 * disable forgets them); at the end, once the run drained, no token may
 * be outstanding, every enable must have had exactly one wake-all, and
 * every park exactly one wake.
 *
 * Environment: guest ring 0, IF=0; the tasks run with IF=1. The worker
 * code runs in ring 3 too, so it lives in .usertext and calls nothing
 * (guest.mk refuses a CALL there); what it reads and writes lives in
 * .bss.user.
 */
#include "soak.h"
#include "apic.h"
#include "cpu.h"
#include "fixup.h"
#include "hv.h"
#include "mce.h"
#include "pvapf.h"
#include "report.h"
#include "sched.h"
#include "slow.h"
#include "tests.h"

#define USERTEXT	__attribute__((section(".usertext")))
#define USERBSS		__attribute__((section(".bss.user")))
#define STACK_SIZE	8192
#define WORDS		(PAGE_SIZE / sizeof(u64))
#define LAST_WORD	(WORDS - 1)
#define FULL_EVERY	16	/* a worker reads its whole page this often */
#define PROGRESS_EVERY	10000	/* events between two progress lines */
#define TOKENS_MAX	256	/* outstanding tokens (apfvisor allows 64) */
#define NO_TASK		(~0ull)
#define SALT_FIRST	0x5d0c6e1f00000000ull	/* word 0's written values */
#define SALT_LAST	0xa3f39b2e00000000ull	/* word 511's */
/* Bounded time for everything that waits on the hypervisor: no event at
 * all for this long means the run is stuck (a fetch takes at most
 * latency_max * (retries + 1) cycles); the end and the drain likewise. */
#define STALL_CYCLES	300000000ull
#define WAKEALL_CYCLES	20000000ull
#define DROP_EVERY	3	/* every 3rd re-enable disables APF first */
#define TOKENS_SHOW	8

static const char lost_name[] = "soak: no event lost or duplicated";
static const char contents_name[] = "soak: every page's contents right";

/* --- what the workers see (ring 0 or 3) ------------------------------ */

struct worker {
	u64 id;
	u64 first, n;		/* its pages: sh.page[first .. first + n) */
	u64 seed;		/* the backing store's */
	u64 rng;		/* xorshift64 state */
	u64 touches, writes, full_checks, words;
	u64 bad;		/* words that held something else */
	u64 bad_addr, bad_got, bad_want;	/* the first of them */
	u64 fail_touches;
	volatile u64 parks, preempts, away;	/* the scheduler writes these */
	volatile u64 exited;
};

static struct {
	volatile u64 stop;		/* the controller: workers, exit */
	volatile u64 fail_req;		/* worker asked to load fail_page */
	volatile u64 fail_value;	/* what that load returned */
	volatile u64 fail_sync;		/* ... to be made with IF=0 */
	u64 fail_page;
	volatile u32 parked;		/* sched.c writes it */
	struct worker w[OPTS_SOAK_TASKS_MAX];
	u64 page[OPTS_SOAK_PAGES_TOTAL];	/* guest-physical page */
	u64 gen[OPTS_SOAK_PAGES_TOTAL];		/* generation written (0: none) */
} sh USERBSS __aligned(64);

static u8 stacks[OPTS_TASKS_MAX][STACK_SIZE] USERBSS __aligned(16);

static __always_inline void task_sys(u64 nr)
{
	asm volatile("int $0x80" : : "a"(nr) : "memory");
}

/* What word w of page a must hold when generation gen was written last
 * (0: never written: the backing store's first-fetch contents). Word 0
 * holds the generation itself in its high half (a stale copy brought
 * back after an eviction shows which one it was), a hash of page and
 * generation in its low half; word 511 a hash. */
static __always_inline u64 expect(u64 a, u64 w, u64 gen, u64 seed)
{
	u64 gpa = a + w * sizeof(u64);

	if (gen && w == 0)
		return gen << 32 |
		       (u32)apfv_mix64(gpa ^ (gen << 32) ^ SALT_FIRST);
	if (gen && w == LAST_WORD)
		return apfv_mix64(gpa ^ (gen << 32) ^ SALT_LAST);
	return apfv_backing_word(gpa, seed);
}

/* Check one word read from page a; keep the first mismatch. */
static __always_inline void check(struct worker *k, u64 a, u64 w, u64 got,
				  u64 gen)
{
	u64 want = expect(a, w, gen, k->seed);

	if (got != want && !k->bad++) {
		k->bad_addr = a + w * sizeof(u64);
		k->bad_got = got;
		k->bad_want = want;
	}
}

/* One touch of page i: read and check, then maybe write a generation. */
static __always_inline void touch(struct worker *k, u64 i, bool write)
{
	u64 a = sh.page[i], gen = sh.gen[i];
	volatile u64 *p = (volatile u64 *)(uintptr_t)a;
	u64 w = 1 + k->touches % (WORDS - 2);

	check(k, a, 0, p[0], gen);
	check(k, a, w, p[w], gen);
	check(k, a, LAST_WORD, p[LAST_WORD], gen);
	k->words += 3;
	if (k->touches % FULL_EVERY == 0) {
		for (w = 1; w < LAST_WORD; w++)
			check(k, a, w, p[w], gen);
		k->words += WORDS - 2;
		k->full_checks++;
	}
	if (write) {
		gen++;
		p[0] = expect(a, 0, gen, k->seed);
		p[LAST_WORD] = expect(a, LAST_WORD, gen, k->seed);
		sh.gen[i] = gen;
		k->writes++;
	}
	k->touches++;
}

/* Load fail_page once. When asked to (only a ring-0 worker is), with
 * IF=0: the hypervisor must fetch synchronously and report the failure
 * by a machine check; else "not present" parks the worker and the error
 * comes with its "ready". Either way the load is skipped. */
static __always_inline void fail_touch(struct worker *k)
{
	const volatile u64 *p = (const volatile u64 *)(uintptr_t)sh.fail_page;

	if (sh.fail_sync) {
		asm volatile("cli" : : : "memory");
		sh.fail_value = fallible_load(p);
		asm volatile("sti" : : : "memory");
	} else {
		sh.fail_value = fallible_load(p);
	}
	k->fail_touches++;
}

/* A worker's life: touch its pages at random until told to stop; load
 * fail_page when asked to. */
static USERTEXT __noreturn void worker_main(struct worker *k)
{
	u64 rng = k->rng;

	for (;;) {
		if (sh.fail_req == k->id) {
			fail_touch(k);
			sh.fail_req = NO_TASK;
		}
		if (sh.stop)
			break;
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		touch(k, k->first + (rng >> 1) % k->n, rng & 1);
	}
	k->rng = rng;
	k->exited = 1;
	task_sys(SCHED_SYS_EXIT);
	__builtin_unreachable();
}

/* --- the books (ring 0, in the APF handlers) ----------------------- */

static struct {
	u32 tok[TOKENS_MAX];	/* outstanding "not present" tokens */
	unsigned n;
	u64 not_present, ready_pf, ready_int, wakeall, error_readies;
	u64 enables;		/* enabling writes of MSR_KVM_ASYNC_PF_EN */
	u64 dup_np;		/* "not present" for a token outstanding */
	u64 unknown_ready;	/* "ready" for a token not outstanding */
	u64 extra_wakeall;	/* wake-alls beyond the enables */
	u64 overflow;		/* tokens the table could not hold */
	u32 first_bad_token;
} bk;

static int tok_find(u32 token)
{
	for (unsigned i = 0; i < bk.n; i++)
		if (bk.tok[i] == token)
			return (int)i;
	return -1;
}

static void book_not_present(u32 token)
{
	bk.not_present++;
	if (token == 0 || token == KVM_APF_WAKE_ALL_TOKEN ||
	    tok_find(token) >= 0) {
		if (!bk.dup_np++ && !bk.unknown_ready)
			bk.first_bad_token = token;
		return;
	}
	if (bk.n == TOKENS_MAX) {
		bk.overflow++;
		return;
	}
	bk.tok[bk.n++] = token;
}

static void book_ready(u32 token, bool failed, u8 via)
{
	int i;

	if (via == PVAPF_VIA_INT)
		bk.ready_int++;
	else
		bk.ready_pf++;
	if (token == KVM_APF_WAKE_ALL_TOKEN) {
		if (++bk.wakeall > bk.enables)
			bk.extra_wakeall++;
		return;
	}
	if (failed)
		bk.error_readies++;
	i = tok_find(token);
	if (i < 0) {
		if (!bk.unknown_ready++ && !bk.dup_np)
			bk.first_bad_token = token;
		return;
	}
	bk.tok[i] = bk.tok[--bk.n];
}

static const struct pvapf_hooks hooks = { book_not_present, book_ready };

static u64 events(void)
{
	return bk.not_present + bk.ready_pf + bk.ready_int;
}

/* --- the controller (ring 0) ---------------------------------------- */

static struct {
	const struct guest_config *cfg;
	unsigned workers;
	u64 bits;		/* EN bits besides ENABLED and the mode */
	bool int_ok;		/* interrupt delivery may be used */
	bool int_now;		/* the mode enabled last */
	bool fail_ok;		/* fail_page is usable */
	u64 round, switches, next_switch, next_progress;
	bool fail_due;		/* this round's fail_page touch still to do */
	bool fail_pending;	/* asked for, its report not yet checked */
	u64 fail_err0, fail_mc0;
	u64 fail_touches, fail_reported, fail_none, fail_multi, fail_served;
	u64 fail_ring0;		/* ring-0 workers asked so far */
	u64 int_enables;	/* interrupt-mode enables so far */
	u64 drops, dropped;	/* disables, and the faults they dropped */
	u64 fail_reports;	/* error reports inside the touches' windows */
	u64 mc0;		/* machine checks before the soak */
	u64 tsc0;
	volatile u64 ctl_parks;
} ctl;

/* Print one line with IF=0: no task switch, no handler in between. */
#define say(...) do {				\
	u64 _fl = read_rflags();		\
	irq_disable();				\
	report_info(__VA_ARGS__);		\
	if (_fl & RFLAGS_IF)			\
		irq_enable();			\
} while (0)

static void progress(void)
{
	say("soak progress: events=%lu not_present=%lu ready_pf=%lu "
	    "ready_int=%lu wakeall=%lu switches=%lu errors=%lu outstanding=%u "
	    "tsc=%lu", events(), bk.not_present, bk.ready_pf, bk.ready_int,
	    bk.wakeall, ctl.switches, bk.error_readies + mce_count() - ctl.mc0,
	    bk.n, rdtsc() - ctl.tsc0);
}

/* The vector of the next interrupt-mode enable: apf_vec= and another
 * one by turns, so that a "ready" posted on the old vector is still in
 * flight when the vector changes. */
static u8 next_vector(void)
{
	u8 v = (u8)ctl.cfg->apf_vec;

	if (ctl.int_enables++ & 1)
		v = v == VEC_APF_ALT ? VEC_APF_ALT + 1 : VEC_APF_ALT;
	return v;
}

/* Enable APF in interrupt mode (to_int) or #PF mode, counting the
 * enable; IF=0 around it so the wake-all cannot come before it counts. */
static bool apf_on(bool to_int)
{
	u64 fl = read_rflags();
	bool ok;

	irq_disable();
	ok = to_int ? pvapf_enable_int(next_vector(), ctl.bits)
		    : pvapf_enable(ctl.bits);
	if (ok) {
		bk.enables++;
		ctl.int_now = to_int;
	}
	if (fl & RFLAGS_IF)
		irq_enable();
	return ok;
}

static void new_round(void)
{
	ctl.round++;
	ctl.next_switch = events() + ctl.cfg->soak_switch;
	ctl.fail_due = ctl.fail_ok && ctl.cfg->soak_fail &&
		       ctl.round % ctl.cfg->soak_fail == 0;
}

/* Everything the run counted so far, and the end of it (FAIL). */
static __noreturn void give_up(const char *why);

/* Ask one worker (taking turns: both rings) to load fail_page; every
 * other ring-0 worker asked does it with IF=0 (synchronously). */
static void fail_start(void)
{
	unsigned w = (unsigned)(ctl.fail_touches % ctl.workers);

	for (unsigned i = 0; i < ctl.workers && sched_counts(w).failed; i++)
		w = (w + 1) % ctl.workers;
	sh.fail_sync = !(w & 1) && (ctl.fail_ring0++ & 1);
	ctl.fail_err0 = bk.error_readies;
	ctl.fail_mc0 = mce_count();
	ctl.fail_touches++;
	ctl.fail_due = false;
	ctl.fail_pending = true;
	sh.fail_value = 0;
	sh.fail_req = w;
}

/* The worker did it: exactly one error report must have come, and the
 * load must not have returned data. */
static void fail_check(void)
{
	u64 n;

	if (sh.fail_req != NO_TASK) {
		if (sched_counts((unsigned)sh.fail_req).failed)
			give_up("the worker asked to load fail_page failed");
		return;
	}
	n = bk.error_readies - ctl.fail_err0 + mce_count() - ctl.fail_mc0;
	ctl.fail_reports += n;
	if (n == 1)
		ctl.fail_reported++;
	else if (n == 0)
		ctl.fail_none++;
	else
		ctl.fail_multi++;
	if (sh.fail_value != FIXUP_FAILED)
		ctl.fail_served++;
	if (n != 1 || sh.fail_value != FIXUP_FAILED)
		say("soak: fail_page touch %lu: %lu error reports (want 1), the "
		    "load returned 0x%lx", ctl.fail_touches, n, sh.fail_value);
	ctl.fail_pending = false;
}

/* Re-enable APF in the other mode (#PF only, where interrupt delivery
 * is not used): the faults in flight carry over, a wake-all comes. Every
 * DROP_EVERY-th time APF is disabled first instead: that drops the faults
 * in flight (their "ready" must never come: the books forget the tokens,
 * so one that came would count as duplicated), and the wake-all of the
 * enable wakes their tasks. */
static void switch_mode(void)
{
	bool drop = ctl.switches % DROP_EVERY == DROP_EVERY - 1;

	irq_disable();
	if (drop) {
		pvapf_disable();
		ctl.drops++;
		ctl.dropped += bk.n;
		bk.n = 0;
	}
	if (!apf_on(ctl.int_ok && !ctl.int_now))
		give_up("re-enabling APF raised #GP");
	irq_enable();
	ctl.switches++;
	new_round();
}

static unsigned workers_alive(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ctl.workers; i++)
		n += !sh.w[i].exited && !sched_counts(i).failed;
	return n;
}

/* Give the CPU away: halt (IF=1) while every worker still running is
 * parked - the next "ready" or timer tick ends it, and a "ready" by #PF
 * can only be injected while IF=1, which a yield loop (IF=0 in the
 * handler most of the time) would seldom show - else yield to them. */
static void idle_or_yield(unsigned alive)
{
	irq_disable();
	if (sh.parked >= alive)
		halt_irq_once();
	irq_enable();
	task_sys(SCHED_SYS_YIELD);
}

/* Is some worker that should be running not getting anywhere? Events
 * may flow while one worker's page is evicted again and again before it
 * runs (resident= far below the workers: thrashing); then say so rather
 * than wait for it forever. Checked every STALL_CYCLES. */
static void progress_check(u64 now)
{
	static u64 last_tsc, last_touches[OPTS_SOAK_TASKS_MAX];

	if (now - last_tsc < STALL_CYCLES)
		return;
	for (unsigned i = 0; i < ctl.workers && last_tsc; i++)
		if (sh.w[i].touches == last_touches[i] && !sh.w[i].exited &&
		    !sched_counts(i).failed)
			give_up("a worker made no progress for a long time "
				"(livelock: is resident= below tasks=?)");
	for (unsigned i = 0; i < ctl.workers; i++)
		last_touches[i] = sh.w[i].touches;
	last_tsc = now;
}

static __noreturn void controller_main(void *arg)
{
	u64 last_ev = 0, last_tsc = rdtsc(), t0;
	unsigned alive;

	(void)arg;
	for (;;) {
		u64 ev = events(), now = rdtsc();

		if (ev != last_ev) {
			last_ev = ev;
			last_tsc = now;
		} else if (now - last_tsc > STALL_CYCLES) {
			give_up("no APF event for a long time: the run is stuck");
		}
		progress_check(now);
		if (ev >= ctl.next_progress) {
			progress();
			ctl.next_progress += PROGRESS_EVERY;
		}
		if (ctl.fail_pending)
			fail_check();
		if (ev >= ctl.cfg->soak && !ctl.fail_pending)
			break;
		if (!ctl.fail_pending && bk.wakeall == bk.enables) {
			if (ctl.fail_due)
				fail_start();
			else if (ev >= ctl.next_switch)
				switch_mode();
		}
		idle_or_yield(ctl.workers);
	}
	sh.stop = 1;
	t0 = rdtsc();
	while ((alive = workers_alive())) {
		if (rdtsc() - t0 > STALL_CYCLES)
			give_up("workers still parked long after the stop");
		idle_or_yield(alive);
	}
	task_sys(SCHED_SYS_EXIT);
	__builtin_unreachable();
}

/* --- setting up, draining, the verdict ------------------------------- */

/* Why the soak cannot run here, or NULL. */
static const char *unusable(const struct guest_config *cfg, bool apfvisor)
{
	if (!apfvisor)
		return "not under apfvisor";
	if (!(hv_apfvisor_features() & APFV_FEAT_HYPERCALLS))
		return "apfvisor without APFV_FEAT_HYPERCALLS";
	if (!(hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF)))
		return "KVM_FEATURE_ASYNC_PF not offered";
	if (cfg->apf == APF_MODE_OFF)
		return "apf=off";
	slow_init();
	if (!slow_present())
		return "the pager has no slow pages";
	if (slow_overlaps(0, GS_SMALL_PAGES_END))
		return "the guest's own first 2 MiB are slow";
	return NULL;
}

/* fail_page= as the soak can use it (0: none): a slow page. Its failure
 * comes back as a "ready" with the error (opted in, asynchronous), or as
 * a machine check (synchronous; or, not opted in, at the retry after a
 * plain "ready"), so machine checks must work. */
static u64 fail_page_of(const struct guest_config *cfg)
{
	u64 p = ALIGN_DOWN((u64)cfg->fail_page, PAGE_SIZE);
	const char *why = NULL;

	if (!p)
		return 0;
	if (!slow_is_slow(p))
		why = "is not a slow page";
	else if (!mce_enabled())
		why = "cannot be reported (no machine checks)";
	if (why) {
		report_info("soak: fail_page=0x%lx %s: never touched", p, why);
		return 0;
	}
	slow_exclude(p);
	return p;
}

/* Give each worker its fresh slow pages; false if they ran out. */
static bool pages_take(const struct guest_config *cfg)
{
	unsigned idx = 0;

	for (unsigned i = 0; i < ctl.workers; i++) {
		sh.w[i] = (struct worker){
			.id = i, .first = idx, .n = cfg->pages,
			.seed = slow_seed(),
			.rng = apfv_mix64(i + 1) | 1,
		};
		for (unsigned j = 0; j < cfg->pages; j++, idx++) {
			sh.page[idx] = slow_take();
			sh.gen[idx] = 0;
			if (!sh.page[idx])
				return false;
		}
	}
	return true;
}

static void tasks_prepare(struct sched_task *st)
{
	for (unsigned i = 0; i < ctl.workers; i++)
		st[i] = (struct sched_task){
			.entry = (u64)(uintptr_t)worker_main,
			.arg = (u64)(uintptr_t)&sh.w[i],
			.stack_top = (u64)(uintptr_t)(stacks[i] + STACK_SIZE),
			.user = i & 1, .parks = &sh.w[i].parks,
			.preempts = &sh.w[i].preempts, .away = &sh.w[i].away,
		};
	st[ctl.workers] = (struct sched_task){
		.entry = (u64)(uintptr_t)controller_main,
		.stack_top = (u64)(uintptr_t)(stacks[ctl.workers] + STACK_SIZE),
		.parks = &ctl.ctl_parks,
	};
}

/* IF=1 until no token is outstanding and every enable had its wake-all
 * (or the time is up); true if so. */
static bool drain(void)
{
	u64 t0 = rdtsc();

	irq_enable();
	while ((bk.n || bk.wakeall < bk.enables) && rdtsc() - t0 < STALL_CYCLES)
		cpu_relax();
	irq_disable();
	return !bk.n && bk.wakeall >= bk.enables;
}

/* After the run, with APF off (IF=0: synchronous fetches): every word of
 * every page. Returns the mismatches, noting the first. */
static u64 sweep(void)
{
	struct worker k = { .seed = slow_seed() };
	unsigned n = ctl.workers * ctl.cfg->pages;

	for (unsigned i = 0; i < n; i++) {
		const volatile u64 *p = (const volatile u64 *)(uintptr_t)sh.page[i];

		for (u64 w = 0; w < WORDS; w++)
			check(&k, sh.page[i], w, p[w], sh.gen[i]);
	}
	if (k.bad)
		report_info("soak: final sweep: %lu words wrong, first 0x%lx "
			    "holds 0x%lx, want 0x%lx", k.bad, k.bad_addr,
			    k.bad_got, k.bad_want);
	return k.bad;
}

/* The totals of the run; lost and duplicated as the verdict counts them. */
struct verdict {
	u64 lost, duplicated, bad, errors, parks, wakes, touches, writes;
	u64 full, words, failed_tasks, bogus_int, stale_int, int_in_pf_mode;
};

static struct verdict tally(const struct pvapf_stats *p0)
{
	struct pvapf_stats p1 = pvapf_stats();
	struct verdict v = { 0 };

	v.errors = bk.error_readies + mce_count() - ctl.mc0;
	for (unsigned i = 0; i < ctl.workers; i++) {
		const struct worker *k = &sh.w[i];
		struct sched_counts c = sched_counts(i);

		v.parks += c.parks;
		v.wakes += c.wakes;
		v.touches += k->touches;
		v.writes += k->writes;
		v.full += k->full_checks;
		v.words += k->words;
		v.bad += k->bad;
		v.failed_tasks += c.failed;
		v.lost += c.parked + (c.parks > c.wakes ? c.parks - c.wakes : 0);
		v.duplicated += c.wakes > c.parks ? c.wakes - c.parks : 0;
		if (k->bad)
			report_info("soak: worker %u: %lu words wrong, first 0x%lx "
				    "holds 0x%lx, want 0x%lx", i, k->bad,
				    k->bad_addr, k->bad_got, k->bad_want);
	}
	/* interrupt-mode "ready" with token 0 (the hooks never see one) */
	v.bogus_int = p1.ready_int - p0->ready_int - bk.ready_int;
	v.stale_int = p1.stale_int - p0->stale_int;
	v.int_in_pf_mode = p1.int_in_pf_mode - p0->int_in_pf_mode;
	v.lost += bk.n + bk.overflow + ctl.fail_none +
		  (bk.wakeall < bk.enables ? bk.enables - bk.wakeall : 0);
	v.duplicated += bk.dup_np + bk.unknown_ready + bk.extra_wakeall +
			ctl.fail_multi + v.bogus_int +
			(v.errors > ctl.fail_reports ? v.errors - ctl.fail_reports : 0);
	v.bad += ctl.fail_served;
	return v;
}

static void print_outstanding(void)
{
	for (unsigned i = 0; i < bk.n && i < TOKENS_SHOW; i++)
		report_info("soak: token 0x%x never got its \"ready\"", bk.tok[i]);
	if (bk.first_bad_token)
		report_info("soak: first unexpected token: 0x%x (not_present "
			    "for an outstanding token: %lu, ready for an unknown "
			    "one: %lu)", bk.first_bad_token, bk.dup_np,
			    bk.unknown_ready);
}

static void verdict_print(const struct verdict *v, u64 tsc)
{
	report_info("soak: touches=%lu writes=%lu full_checks=%lu "
		    "words_checked=%lu parks=%lu wakes=%lu fail_touches=%lu "
		    "machine_checks=%lu failed_tasks=%lu drops=%lu dropped=%lu "
		    "stale_int=%lu int_in_pf_mode=%lu tsc=%lu tsc_per_event=%lu",
		    v->touches, v->writes, v->full, v->words, v->parks, v->wakes,
		    ctl.fail_touches, mce_count() - ctl.mc0, v->failed_tasks,
		    ctl.drops, ctl.dropped, v->stale_int, v->int_in_pf_mode, tsc,
		    events() ? tsc / events() : 0);
	report_info("soak events=%lu not_present=%lu ready_pf=%lu ready_int=%lu "
		    "wakeall=%lu switches=%lu errors=%lu lost=%lu duplicated=%lu "
		    "bad_contents=%lu", events(), bk.not_present, bk.ready_pf,
		    bk.ready_int, bk.wakeall, ctl.switches, v->errors, v->lost,
		    v->duplicated, v->bad);
}

static struct pvapf_stats soak_p0;

static __noreturn void give_up(const char *why)
{
	struct verdict v;

	irq_disable();
	report_info("soak: %s (%u of %u workers parked, %u tokens outstanding)",
		    why, sh.parked, ctl.workers, bk.n);
	for (unsigned i = 0; i < ctl.workers; i++) {
		struct sched_counts c = sched_counts(i);

		if (c.parked || c.failed || !sh.w[i].exited)
			report_info("soak: worker %u ring %u: touches=%lu parks=%lu "
				    "wakes=%lu%s%s", i, (i & 1) ? 3 : 0,
				    sh.w[i].touches, c.parks, c.wakes,
				    c.parked ? " parked" : "",
				    c.failed ? " failed" : "");
	}
	print_outstanding();
	v = tally(&soak_p0);
	verdict_print(&v, rdtsc() - ctl.tsc0);
	report(lost_name, false);
	report(contents_name, !v.bad);
	report_abort("soak: %s", why);
}

void soak_run(const struct guest_config *cfg, bool apfvisor)
{
	struct sched_task st[OPTS_SOAK_TASKS_MAX + 1];
	const char *why = unusable(cfg, apfvisor);
	struct verdict v;
	bool drained;
	u64 tsc;

	if (why) {
		report_skip(lost_name, why);
		report_skip(contents_name, why);
		return;
	}
	ctl = (typeof(ctl)){
		.cfg = cfg, .workers = cfg->tasks,
		.bits = KVM_ASYNC_PF_SEND_ALWAYS |
			(cfg->errors ? APFV_ASYNC_PF_SEND_ERROR : 0),
		.int_ok = cfg->apf == APF_MODE_INT,
		.next_progress = PROGRESS_EVERY,
		.mc0 = mce_count(),
	};
	sh.fail_page = fail_page_of(cfg);
	ctl.fail_ok = sh.fail_page != 0;
	if (!pages_take(cfg)) {
		report_info("soak: %u tasks of %u pages: not enough slow pages",
			    cfg->tasks, cfg->pages);
		report(lost_name, false);
		return;
	}
	tasks_prepare(st);
	sh.stop = 0;
	sh.fail_req = NO_TASK;
	bk = (typeof(bk)){ 0 };
	soak_p0 = pvapf_stats();
	report_info("soak: %u events, %u workers (ring 0 and 3) of %u pages, "
		    "re-enable every %u events (%s), fail_page 0x%lx every %u "
		    "rounds, tick %u", cfg->soak, ctl.workers, cfg->pages,
		    cfg->soak_switch, ctl.int_ok ? "int <-> pf" : "pf only",
		    sh.fail_page, ctl.fail_ok ? cfg->soak_fail : 0, cfg->tick);
	pvapf_set_hooks(&hooks);
	tests_user_allow(true);
	ctl.tsc0 = rdtsc();
	if (!apf_on(ctl.int_ok))
		give_up("enabling APF raised #GP");
	irq_enable();
	while (bk.wakeall < bk.enables && rdtsc() - ctl.tsc0 < WAKEALL_CYCLES)
		cpu_relax();
	irq_disable();
	ctl.round = (u64)-1;
	new_round();
	sched_run(st, ctl.workers + 1, &sh.parked, cfg->tick);
	drained = drain();
	tsc = rdtsc() - ctl.tsc0;
	if (!drained)
		print_outstanding();
	pvapf_disable();
	pvapf_set_hooks(NULL);
	v = tally(&soak_p0);
	v.bad += sweep();
	tests_user_allow(false);
	verdict_print(&v, tsc);
	report(lost_name, !v.lost && !v.duplicated && !v.failed_tasks &&
			  events() >= cfg->soak);
	report(contents_name, !v.bad);
}
