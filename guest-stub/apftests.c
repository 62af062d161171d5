/*
 * guest-stub/apftests.c - KVM's asynchronous page faults, #PF delivery,
 * tested from the guest against the rules of apf/apf.c and
 * shared/reference/kvm-apf-abi.md: the CPUID bit, the MSR checks, and
 * when apfvisor must send "page not present" / "page ready" by #PF and
 * when it must hold the vCPU instead (synchronously, invisibly).
 *
 * Every test faults on fresh slow pages (slow_take()), so each first
 * access starts a fetch. The accesses that may go asynchronous are the
 * probe loads of probe.S: the #PF hook skips a probe on "not present",
 * so one CPU can hold many faults outstanding. Each test starts from APF
 * re-enabled (apf_restart()) and leaves it off.
 *
 * Environment: guest ring 0, IF=0 except inside probes and waits.
 */
#include "apftests.h"
#include "cpu.h"
#include "hv.h"
#include "pvapf.h"
#include "report.h"
#include "slow.h"
#include "tests.h"
#include "work.h"

#define OUTSIDE_RAM_GPA		(1ull << 40)	/* 1 TiB: beyond any test RAM */
#define QUEUE_MAX		64	/* KVM's ASYNC_PF_PER_VCPU */
#define QUEUE_TOUCH_MAX		(2 * QUEUE_MAX)
/* An event already queued: apfvisor looks again every 20000 cycles. */
#define WAIT_QUEUED_CYCLES	2000000
/* How long IF=1 is kept to see that no event comes. */
#define QUIET_CYCLES		1000000
#define TRY_INT_VECTOR		0xec
#define PROBE_SKIPPED		(~0ull)	/* a skipped probe load's value */
#define ANY_TOKEN		0	/* KVM never sends token 0 */
#define NP			KVM_PV_REASON_PAGE_NOT_PRESENT
#define READY			KVM_PV_REASON_PAGE_READY
#define WAKE_ALL		KVM_APF_WAKE_ALL_TOKEN

struct apft {
	const struct guest_config *cfg;
	bool apfvisor;
	const char *why_msr;	/* non-NULL: the MSR tests skip, saying why */
	const char *why;	/* non-NULL: the delivery tests skip */
};

extern u64 probe_load(const volatile u64 *p);		/* probe.S */
extern u64 probe_load_irq(const volatile u64 *p);
extern const u8 probe_irq_insn[], user_touch[], user_probe_insn[];

static u8 touch_stack[PAGE_SIZE] __aligned(PAGE_SIZE)
	__attribute__((section(".bss.user")));

/* --- the event log ------------------------------------------------------ */

/* Log entries of reason for token (ANY_TOKEN: any). */
static unsigned count(u32 reason, u32 token)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pvapf_log_len(); i++) {
		const struct pvapf_event *e = pvapf_log_at(i);

		n += e->reason == reason && (token == ANY_TOKEN || e->token == token);
	}
	return n;
}

/* Faults sent asynchronously whose "ready" has not come yet. */
static unsigned outstanding(void)
{
	return count(NP, ANY_TOKEN) - (count(READY, ANY_TOKEN) -
				       count(READY, WAKE_ALL));
}

/* Is log entry i a skipped "not present" at rip, delivered in ring cpl
 * with error code 0 and a real token? */
static bool is_async_np(unsigned i, const u8 *rip, unsigned cpl)
{
	const struct pvapf_event *e = pvapf_log_at(i);

	return e && e->reason == NP && e->skipped && e->error == 0 &&
	       e->rip == (u64)(uintptr_t)rip && (e->cs & 3) == cpl &&
	       e->token != ANY_TOKEN && e->token != WAKE_ALL;
}

/* Log entry i's token, or ANY_TOKEN when there is none. */
static u32 token_at(unsigned i)
{
	const struct pvapf_event *e = pvapf_log_at(i);

	return e ? e->token : ANY_TOKEN;
}

/* --- waiting with IF=1 ----------------------------------------------- */

/* Keep IF=1 for up to cycles or until token's "ready" is logged; true if
 * it is. For events apfvisor has queued already (it polls for them). */
static bool spin_for_ready(u32 token, u64 cycles)
{
	u64 t0 = rdtsc();

	irq_enable();
	while (!count(READY, token) && rdtsc() - t0 < cycles)
		asm volatile("pause");
	irq_disable();
	return count(READY, token) != 0;
}

/* Keep IF=1 for cycles: anything apfvisor would deliver arrives. */
static void spin_quiet(u64 cycles)
{
	spin_for_ready(ANY_TOKEN + 1, cycles);	/* no such token */
}

/* Halt with IF=1 until token's "ready" is logged. Only while apfvisor
 * owes it: each HLT ends when a fetch completes or a queued event is
 * delivered (with neither, apfvisor ends the run: nothing would wake us). */
static void halt_for_ready(u32 token)
{
	while (!count(READY, token))
		halt_irq_once();
}

/* --- MSRs ------------------------------------------------------------ */

static bool wrmsr_gp(u32 msr, u64 val)
{
	struct fault f;

	return wrmsr_catch(msr, val, &f) && f.vector == VEC_GP && f.error == 0;
}

static bool rdmsr_gp(u32 msr)
{
	struct fault f;
	u64 v;

	return rdmsr_catch(msr, &v, &f) && f.vector == VEC_GP && f.error == 0;
}

/* True if MSR_KVM_ASYNC_PF_EN reads 0: APF stayed off. */
static bool apf_still_off(void)
{
	struct fault f;
	u64 v = 1;

	return !rdmsr_catch(MSR_KVM_ASYNC_PF_EN, &v, &f) && v == 0;
}

/* Start from a known state: APF off, then on with bits, and the wake-all
 * of that enabling write taken; the log is empty. False if that failed. */
static bool apf_restart(u64 bits)
{
	bool ok;

	pvapf_disable();
	pvapf_log_reset();
	ok = pvapf_enable(bits) && spin_for_ready(WAKE_ALL, WAIT_QUEUED_CYCLES) &&
	     pvapf_log_len() == 1;
	if (!ok)
		report_info("apf: re-enabling gave %u events, not one wake-all",
			    pvapf_log_len());
	pvapf_log_reset();
	return ok;
}

/* Report name as skipped if the delivery tests cannot run (or apf=off),
 * or if fewer than pages fresh slow pages are left. */
static bool need(const struct apft *t, const char *name, u64 pages)
{
	const char *why = t->why;

	if (!why && t->cfg->apf == APF_MODE_OFF)
		why = "apf=off";
	if (!why && slow_left() < pages)
		why = "not enough slow pages left";
	if (why)
		report_skip(name, why);
	return !why;
}

/* Start delivery test name with APF re-enabled with bits: false if it
 * was skipped, or failed (reported) because APF could not be enabled. */
static bool begin(const struct apft *t, const char *name, u64 pages, u64 bits)
{
	if (!need(t, name, pages))
		return false;
	if (apf_restart(bits))
		return true;
	report(name, false);
	pvapf_disable();
	return false;
}

/* Report name as skipped if the MSR tests cannot run. */
static bool need_msr(const struct apft *t, const char *name)
{
	if (t->why_msr)
		report_skip(name, t->why_msr);
	return !t->why_msr;
}

/* --- the tests ----------------------------------------------------------- */

static void t_cpuid(const struct apft *t)
{
	static const char name[] = "apf cpuid feature";

	if (!t->apfvisor) {
		report_skip(name, "not under apfvisor");
		return;
	}
	report(name, hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF));
}

/* Enabling with IF=0 delivers nothing; with IF=1 one "ready" for
 * 0xffffffff arrives, error code 0, and flags is cleared after it. */
static void t_wakeall(const struct apft *t)
{
	static const char name[] = "apf enable sends wake-all";
	const struct pvapf_event *e;
	bool on, quiet, got;

	if (!need(t, name, 0))
		return;
	pvapf_disable();
	pvapf_log_reset();
	on = pvapf_enable(0);
	quiet = pvapf_log_len() == 0 && pvapf_flags() == 0;
	got = on && spin_for_ready(WAKE_ALL, WAIT_QUEUED_CYCLES);
	e = pvapf_log_at(0);
	if (!got || !quiet || pvapf_log_len() != 1 || e->error || pvapf_flags())
		report_info("apf: enable=%d quiet=%d events=%u flags=%u", on,
			    quiet, pvapf_log_len(), pvapf_flags());
	report(name, got && quiet && pvapf_log_len() == 1 && !e->error &&
		     e->cs == SEL_KCODE64 && !pvapf_flags());
	pvapf_disable();
}

static void t_reserved(const struct apft *t)
{
	static const char name[] = "apf msr reserved bits #GP";
	u64 en = pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED;
	bool b4, b5;

	if (!need_msr(t, name))
		return;
	pvapf_disable();
	b4 = wrmsr_gp(MSR_KVM_ASYNC_PF_EN, en | BIT(4));
	b5 = wrmsr_gp(MSR_KVM_ASYNC_PF_EN, en | BIT(5));
	if (!b4 || !b5)
		report_info("apf: EN bit 4 #GP=%d, bit 5 #GP=%d", b4, b5);
	report(name, b4 && b5 && apf_still_off());
	pvapf_disable();
}

static void t_outside(const struct apft *t)
{
	static const char name[] = "apf msr area outside RAM #GP";
	bool gp;

	if (!need_msr(t, name))
		return;
	pvapf_disable();
	gp = wrmsr_gp(MSR_KVM_ASYNC_PF_EN, OUTSIDE_RAM_GPA | KVM_ASYNC_PF_ENABLED);
	report(name, gp && apf_still_off());
	pvapf_disable();
}

/* Without KVM_FEATURE_ASYNC_PF_INT neither MSR exists, and EN bit 3
 * (interrupt delivery) is refused. */
static void t_int_ack(const struct apft *t)
{
	static const char name[] = "apf msr INT and ACK #GP when not offered";
	u64 en = pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED |
		 KVM_ASYNC_PF_DELIVERY_AS_INT;
	bool wi, wa, ri, ra, e3;

	if (!need_msr(t, name))
		return;
	if (hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF_INT)) {
		report_skip(name, "ASYNC_PF_INT is offered");
		return;
	}
	pvapf_disable();
	wi = wrmsr_gp(MSR_KVM_ASYNC_PF_INT, TRY_INT_VECTOR);
	wa = wrmsr_gp(MSR_KVM_ASYNC_PF_ACK, 1);
	ri = rdmsr_gp(MSR_KVM_ASYNC_PF_INT);
	ra = rdmsr_gp(MSR_KVM_ASYNC_PF_ACK);
	e3 = wrmsr_gp(MSR_KVM_ASYNC_PF_EN, en);
	if (!(wi && wa && ri && ra && e3))
		report_info("apf: #GP on wrmsr INT=%d ACK=%d, rdmsr INT=%d ACK=%d, "
			    "EN bit 3=%d", wi, wa, ri, ra, e3);
	report(name, wi && wa && ri && ra && e3 && apf_still_off());
	pvapf_disable();
}

static void do_user_touch(void *p)
{
	user_enter((u64)(uintptr_t)user_touch,
		   (u64)(uintptr_t)(touch_stack + PAGE_SIZE), (u64)(uintptr_t)p,
		   RFLAGS_FIXED | RFLAGS_IF);
}

/* Ring 3 touches a fresh page with IF=1: "not present" (CPL 3, error 0,
 * CR2 = token) at the load, then "ready" for that token, and the page
 * holds its first-fetch contents. */
static void t_cpl3(const struct apft *t)
{
	static const char name[] = "apf not-present at CPL3";
	struct fault f = { 0 };
	bool back, async;
	u64 p;

	if (!begin(t, name, 1, 0))
		return;
	p = slow_take();
	tests_user_allow(true);
	back = fault_catch(do_user_touch, (void *)(uintptr_t)p, &f);
	tests_user_allow(false);
	async = is_async_np(0, user_probe_insn, RPL_USER);
	if (async)
		halt_for_ready(token_at(0));
	if (!async || !back || f.vector != VEC_SYSCALL || f.rax != PROBE_SKIPPED)
		report_info("apf: cpl3 touch: events=%u back=%d vector=%lu rax=0x%lx",
			    pvapf_log_len(), back, f.vector, f.rax);
	report(name, async && back && f.vector == VEC_SYSCALL &&
		     f.rax == PROBE_SKIPPED && count(NP, ANY_TOKEN) == 1 &&
		     count(READY, token_at(0)) == 1 && slow_page_ok(p));
	pvapf_disable();
}

/* A ring-0 touch of a fresh page (IF=1, or IF=0 when irq is false) that
 * must be synchronous: no "not present", the right value at once. (A
 * "ready" owed for an earlier fault may arrive at it.) */
static bool touch_is_sync(bool irq)
{
	unsigned np = count(NP, ANY_TOKEN);
	u64 p = slow_take();
	u64 v = irq ? probe_load_irq((const volatile u64 *)(uintptr_t)p)
		    : probe_load((const volatile u64 *)(uintptr_t)p);
	bool sync = count(NP, ANY_TOKEN) == np && v == slow_word(p);

	if (!sync)
		report_info("apf: touch of 0x%lx: %u not-present, read 0x%lx "
			    "want 0x%lx", p, count(NP, ANY_TOKEN) - np, v,
			    slow_word(p));
	return sync && slow_page_ok(p);
}

/* touch_is_sync() with nothing owed, so no event may come at all. */
static bool touch_is_silent(bool irq)
{
	bool sync = touch_is_sync(irq);

	if (pvapf_log_len())
		report_info("apf: %u events during a synchronous touch",
			    pvapf_log_len());
	return sync && !pvapf_log_len();
}

static void t_cpl0_none(const struct apft *t)
{
	static const char name[] = "apf none at CPL0 without SEND_ALWAYS";

	if (!begin(t, name, 1, 0))
		return;
	report(name, touch_is_silent(true));
	pvapf_disable();
}

/* With SEND_ALWAYS a ring-0 touch with IF=1 goes asynchronous. */
static void t_cpl0_always(const struct apft *t)
{
	static const char name[] = "apf delivered at CPL0 with SEND_ALWAYS";
	bool async;
	u64 p, v;

	if (!begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS))
		return;
	p = slow_take();
	v = probe_load_irq((const volatile u64 *)(uintptr_t)p);
	async = is_async_np(0, probe_irq_insn, 0);
	if (async)
		halt_for_ready(token_at(0));
	else
		report_info("apf: cpl0 touch: %u events, read 0x%lx",
			    pvapf_log_len(), v);
	report(name, async && v == PROBE_SKIPPED && count(NP, ANY_TOKEN) == 1 &&
		     count(READY, token_at(0)) == 1 && slow_page_ok(p));
	pvapf_disable();
}

static void t_if0(const struct apft *t)
{
	static const char name[] = "apf sync with IF=0";

	if (!begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS))
		return;
	report(name, touch_is_silent(false));
	pvapf_disable();
}

/* flags != 0 means the guest has not taken the last event: apfvisor may
 * not overwrite it, so an access that could go asynchronous is held. */
static void t_busy(const struct apft *t)
{
	static const char name[] = "apf host waits while flags not cleared";
	bool sync;
	u32 flags;

	if (!begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS))
		return;
	pvapf_set_flags(KVM_PV_REASON_PAGE_NOT_PRESENT);
	sync = touch_is_silent(true);
	flags = pvapf_flags();
	pvapf_set_flags(0);
	if (flags != KVM_PV_REASON_PAGE_NOT_PRESENT)
		report_info("apf: flags read %u after the touch, want 1", flags);
	report(name, sync && flags == KVM_PV_REASON_PAGE_NOT_PRESENT);
	pvapf_disable();
}

/* Touch fresh pages asynchronously until QUEUE_MAX faults are
 * outstanding; false if one went synchronous before that. */
static bool queue_fill(u64 *pages, unsigned *n)
{
	while (outstanding() < QUEUE_MAX && *n < QUEUE_TOUCH_MAX) {
		unsigned np = count(NP, ANY_TOKEN);

		pages[*n] = slow_take();
		probe_load_irq((const volatile u64 *)(uintptr_t)pages[(*n)++]);
		if (count(NP, ANY_TOKEN) != np + 1) {
			report_info("apf: touch %u went synchronous with %u "
				    "outstanding", *n, outstanding());
			return false;
		}
	}
	return outstanding() == QUEUE_MAX;
}

/* True if every "not present" token is distinct and got exactly one
 * "ready". */
static bool tokens_each_ready_once(void)
{
	for (unsigned i = 0; i < pvapf_log_len(); i++) {
		const struct pvapf_event *e = pvapf_log_at(i);

		if (e->reason == NP &&
		    (count(NP, e->token) != 1 || count(READY, e->token) != 1)) {
			report_info("apf: token 0x%x: %u not-present, %u ready",
				    e->token, count(NP, e->token),
				    count(READY, e->token));
			return false;
		}
	}
	return true;
}

static bool pages_ok(const u64 *pages, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!slow_page_ok(pages[i]))
			return false;
	return true;
}

/* With QUEUE_MAX faults outstanding the next one is synchronous; then
 * every outstanding fault gets its "ready". */
static void t_queue(const struct apft *t)
{
	static const char name[] = "apf queue full falls back to sync";
	u64 pages[QUEUE_TOUCH_MAX];
	unsigned n = 0, np;
	bool full, sync;

	if (!begin(t, name, QUEUE_TOUCH_MAX + 1, KVM_ASYNC_PF_SEND_ALWAYS))
		return;
	full = queue_fill(pages, &n);
	np = count(NP, ANY_TOKEN);
	sync = full && touch_is_sync(true);
	while (outstanding())
		halt_irq_once();
	if (!full || !sync)
		report_info("apf: queue: %u touched, %u async, full=%d sync=%d",
			    n, np, full, sync);
	report(name, full && sync && tokens_each_ready_once() &&
		     pages_ok(pages, n));
	pvapf_disable();
}

/* touch_is_sync() would not do: the "ready" of the first fault may
 * arrive at the second touch. */
static void t_inflight(const struct apft *t)
{
	static const char name[] = "apf second fault on in-flight page holds";
	bool async;
	u64 p, v;

	if (!begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS))
		return;
	p = slow_take();
	probe_load_irq((const volatile u64 *)(uintptr_t)p);
	async = is_async_np(0, probe_irq_insn, 0);
	v = probe_load_irq((const volatile u64 *)(uintptr_t)p);
	if (async)
		halt_for_ready(token_at(0));
	if (!async || v != slow_word(p) || count(NP, ANY_TOKEN) != 1)
		report_info("apf: in-flight: async=%d read 0x%lx want 0x%lx, "
			    "%u not-present", async, v, slow_word(p),
			    count(NP, ANY_TOKEN));
	report(name, async && v == slow_word(p) && count(NP, ANY_TOKEN) == 1 &&
		     count(READY, token_at(0)) == 1 && slow_page_ok(p));
	pvapf_disable();
}

/* Disabling drops the outstanding fault: its "ready" never comes, not
 * even after APF is enabled again (which sends only the wake-all). */
static void t_disable(const struct apft *t)
{
	static const char name[] = "apf disable drops outstanding events";
	bool async, quiet, on;
	u32 token;
	u64 p, v;

	if (!begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS))
		return;
	p = slow_take();
	probe_load_irq((const volatile u64 *)(uintptr_t)p);
	async = is_async_np(0, probe_irq_insn, 0);
	token = token_at(0);
	pvapf_disable();
	v = probe_load_irq((const volatile u64 *)(uintptr_t)p);
	spin_quiet(QUIET_CYCLES);
	quiet = pvapf_log_len() == 1;
	on = pvapf_enable(KVM_ASYNC_PF_SEND_ALWAYS) &&
	     spin_for_ready(WAKE_ALL, WAIT_QUEUED_CYCLES);
	spin_quiet(QUIET_CYCLES);
	if (!async || !quiet || !on || pvapf_log_len() != 2)
		report_info("apf: disable: async=%d quiet=%d enabled=%d events=%u "
			    "ready(0x%x)=%u", async, quiet, on, pvapf_log_len(),
			    token, count(READY, token));
	report(name, async && quiet && on && v == slow_word(p) &&
		     pvapf_log_len() == 2 && count(READY, WAKE_ALL) == 1 &&
		     !count(READY, token));
	pvapf_disable();
}

/* --- entry ------------------------------------------------------------- */

/* Why the MSR tests cannot run here, or NULL. */
static const char *msr_unusable(bool apfvisor)
{
	if (!apfvisor)
		return "not under apfvisor";
	if (!(hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF)))
		return "KVM_FEATURE_ASYNC_PF not offered";
	return NULL;
}

/* Why the delivery tests and the workload cannot run here, or NULL. */
static const char *apf_unusable(bool apfvisor, bool hypercalls)
{
	const char *why = msr_unusable(apfvisor);

	if (why)
		return why;
	if (!hypercalls)
		return "apfvisor without APFV_FEAT_HYPERCALLS";
	if (!slow_present())
		return "the pager has no slow pages";
	/* image, stacks, page tables and the APF area: all below 2 MiB */
	if (slow_overlaps(0, GS_SMALL_PAGES_END))
		return "the guest's own first 2 MiB are slow";
	return NULL;
}

static void (*const apftests[])(const struct apft *) = {
	t_cpuid,
	t_wakeall,
	t_reserved,
	t_outside,
	t_int_ack,
	t_cpl3,
	t_cpl0_none,
	t_cpl0_always,
	t_if0,
	t_busy,
	t_queue,
	t_inflight,
	t_disable,
};

void apftests_run(const struct guest_config *cfg, bool apfvisor,
		  bool hypercalls)
{
	const struct apft t = {
		.cfg = cfg,
		.apfvisor = apfvisor,
		.why_msr = msr_unusable(apfvisor),
		.why = apf_unusable(apfvisor, hypercalls),
	};
	struct pvapf_stats st;

	for (size_t i = 0; i < ARRAY_SIZE(apftests); i++)
		apftests[i](&t);
	pvapf_log_reset();
	work_test(cfg, !t.why, t.why);
	if (t.why)
		return;
	st = pvapf_stats();
	/* to set beside apfvisor's STATS apf.not_present, apf.ready_pf */
	report_info("apf events seen: not_present=%lu ready=%lu wakeall=%lu "
		    "probes_skipped=%lu halted=%lu", st.not_present, st.ready,
		    st.wakeall, st.skipped, st.halted);
}
