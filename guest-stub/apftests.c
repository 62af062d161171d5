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
 * re-enabled (apf_restart()) and leaves it off. Then the interrupt-mode
 * tests (apfint.c), the failed-fetch tests (apferr.c) and the workload.
 *
 * Environment: guest ring 0, IF=0 except inside probes and waits.
 */
#include "apftests.h"
#include "apfutil.h"
#include "apic.h"
#include "mce.h"
#include "cpu.h"
#include "hv.h"
#include "pvapf.h"
#include "report.h"
#include "slow.h"
#include "tests.h"
#include "work.h"

#define QUEUE_TOUCH_MAX		(2 * QUEUE_MAX)
#define TRY_INT_VECTOR		0xec

static u8 touch_stack[PAGE_SIZE] __aligned(PAGE_SIZE)
	__attribute__((section(".bss.user")));

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

	if (!apft_need(t, name, 0))
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

/* Bit 5 is reserved everywhere; bit 4 is apfvisor's error opt-in where
 * APFV_FEAT_APF_ERRORS is advertised (t_err_optin), else reserved too. */
static void t_reserved(const struct apft *t)
{
	static const char name[] = "apf msr reserved bits #GP";
	u64 en = pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED;
	bool ext = hv_apfvisor_features() & APFV_FEAT_APF_ERRORS;
	bool b4 = true, b5;

	if (!apft_need_msr(t, name))
		return;
	pvapf_disable();
	b5 = wrmsr_gp(MSR_KVM_ASYNC_PF_EN, en | BIT(5));
	if (!ext)
		b4 = wrmsr_gp(MSR_KVM_ASYNC_PF_EN, en | BIT(4));
	if (!b4 || !b5)
		report_info("apf: EN bit 4 #GP=%d%s, bit 5 #GP=%d", b4,
			    ext ? " (not tried: the error opt-in)" : "", b5);
	report(name, b4 && b5 && apf_still_off());
	pvapf_disable();
}

/* Where the error extension is advertised, EN bit 4 is its opt-in: the
 * write is accepted and reads back, alone and with interrupt delivery. */
static void t_err_optin(const struct apft *t)
{
	static const char name[] = "apf msr error opt-in bit 4 accepted";
	u64 en = pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED |
		 APFV_ASYNC_PF_SEND_ERROR;
	bool pf, in = true;
	u64 v = 0, vi = 0;

	if (!apft_need_msr(t, name))
		return;
	if (!(hv_apfvisor_features() & APFV_FEAT_APF_ERRORS)) {
		report_skip(name, "APFV_FEAT_APF_ERRORS not advertised");
		return;
	}
	pvapf_disable();
	pf = !wrmsr_gp(MSR_KVM_ASYNC_PF_EN, en) && !rdmsr_gp(MSR_KVM_ASYNC_PF_EN);
	if (pf)
		v = rdmsr(MSR_KVM_ASYNC_PF_EN);
	pvapf_disable();
	if (hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF_INT)) {
		in = !wrmsr_gp(MSR_KVM_ASYNC_PF_INT, TRY_INT_VECTOR) &&
		     !wrmsr_gp(MSR_KVM_ASYNC_PF_EN,
			       en | KVM_ASYNC_PF_DELIVERY_AS_INT);
		if (in)
			vi = rdmsr(MSR_KVM_ASYNC_PF_EN);
		in = in && vi == (en | KVM_ASYNC_PF_DELIVERY_AS_INT);
		pvapf_disable();
	}
	if (!pf || v != en || !in)
		report_info("apf: EN with bit 4: accepted=%d read 0x%lx; with "
			    "bit 3 too: ok=%d read 0x%lx", pf, v, in, vi);
	report(name, pf && v == en && in && apf_still_off());
	pvapf_disable();
}

static void t_outside(const struct apft *t)
{
	static const char name[] = "apf msr area outside RAM #GP";
	bool gp;

	if (!apft_need_msr(t, name))
		return;
	pvapf_disable();
	gp = wrmsr_gp(MSR_KVM_ASYNC_PF_EN, OUTSIDE_RAM_GPA | KVM_ASYNC_PF_ENABLED);
	report(name, gp && apf_still_off());
	pvapf_disable();
}

/* Without KVM_FEATURE_ASYNC_PF_INT neither MSR exists, and EN bit 3
 * (interrupt delivery) is refused. */
static void int_ack_absent(void)
{
	static const char name[] = "apf msr INT and ACK #GP when not offered";
	u64 en = pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED |
		 KVM_ASYNC_PF_DELIVERY_AS_INT;
	bool wi, wa, ri, ra, e3;

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

/* With KVM_FEATURE_ASYNC_PF_INT: INT takes a vector 32-255 and reads it
 * back, a vector below 32 or bits 63:8 are #GP (and change nothing); ACK
 * takes 1, reads 0, and #GPs on other bits; EN bit 3 is accepted. */
static void int_ack_offered(void)
{
	static const char name[] = "apf msr INT and ACK when offered";
	u64 en = pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED |
		 KVM_ASYNC_PF_DELIVERY_AS_INT;
	bool wi, lo, hi, wa, a2, e3;
	u64 vi = 0, va = 1, ve = 0;

	pvapf_disable();
	wi = !wrmsr_gp(MSR_KVM_ASYNC_PF_INT, TRY_INT_VECTOR);
	lo = wrmsr_gp(MSR_KVM_ASYNC_PF_INT, 0) &&
	     wrmsr_gp(MSR_KVM_ASYNC_PF_INT, 31);
	hi = wrmsr_gp(MSR_KVM_ASYNC_PF_INT, 0x100 | TRY_INT_VECTOR) &&
	     wrmsr_gp(MSR_KVM_ASYNC_PF_INT, BIT(63) | TRY_INT_VECTOR);
	if (!rdmsr_gp(MSR_KVM_ASYNC_PF_INT))
		vi = rdmsr(MSR_KVM_ASYNC_PF_INT);
	wa = !wrmsr_gp(MSR_KVM_ASYNC_PF_ACK, 1);
	a2 = wrmsr_gp(MSR_KVM_ASYNC_PF_ACK, 2);
	if (!rdmsr_gp(MSR_KVM_ASYNC_PF_ACK))
		va = rdmsr(MSR_KVM_ASYNC_PF_ACK);
	e3 = !wrmsr_gp(MSR_KVM_ASYNC_PF_EN, en);
	if (e3)
		ve = rdmsr(MSR_KVM_ASYNC_PF_EN);
	pvapf_disable();
	if (!(wi && lo && hi && vi == TRY_INT_VECTOR && wa && a2 && !va && e3 &&
	      ve == en))
		report_info("apf: INT ok=%d <32 #GP=%d 63:8 #GP=%d reads 0x%lx; "
			    "ACK ok=%d bit1 #GP=%d reads 0x%lx; EN bit 3 ok=%d "
			    "reads 0x%lx", wi, lo, hi, vi, wa, a2, va, e3, ve);
	report(name, wi && lo && hi && vi == TRY_INT_VECTOR && wa && a2 &&
		     !va && e3 && ve == en && apf_still_off());
}

static void t_int_ack(const struct apft *t)
{
	bool offered = hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF_INT);

	if (!apft_need_msr(t, offered ? "apf msr INT and ACK when offered"
				      : "apf msr INT and ACK #GP when not offered"))
		return;
	if (offered)
		int_ack_offered();
	else
		int_ack_absent();
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

	if (!apft_begin(t, name, 1, 0, 0))
		return;
	p = slow_take();
	tests_user_allow(true);
	back = fault_catch(do_user_touch, (void *)(uintptr_t)p, &f);
	tests_user_allow(false);
	async = ev_is_async_np(0, user_probe_insn, RPL_USER);
	if (async)
		halt_for_ready(ev_token_at(0));
	if (!async || !back || f.vector != VEC_SYSCALL || f.rax != PROBE_SKIPPED)
		report_info("apf: cpl3 touch: events=%u back=%d vector=%lu rax=0x%lx",
			    pvapf_log_len(), back, f.vector, f.rax);
	report(name, async && back && f.vector == VEC_SYSCALL &&
		     f.rax == PROBE_SKIPPED && ev_count(NP, ANY_TOKEN) == 1 &&
		     ev_count(READY, ev_token_at(0)) == 1 && slow_page_ok(p));
	pvapf_disable();
}

/* A ring-0 touch of a fresh page (IF=1, or IF=0 when irq is false) that
 * must be synchronous: no "not present", the right value at once. (A
 * "ready" owed for an earlier fault may arrive at it.) */
static bool touch_is_sync(bool irq)
{
	unsigned np = ev_count(NP, ANY_TOKEN);
	u64 p = slow_take();
	u64 v = irq ? probe_load_irq((const volatile u64 *)(uintptr_t)p)
		    : probe_load((const volatile u64 *)(uintptr_t)p);
	bool sync = ev_count(NP, ANY_TOKEN) == np && v == slow_word(p);

	if (!sync)
		report_info("apf: touch of 0x%lx: %u not-present, read 0x%lx "
			    "want 0x%lx", p, ev_count(NP, ANY_TOKEN) - np, v,
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

	if (!apft_begin(t, name, 1, 0, 0))
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

	if (!apft_begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS, 0))
		return;
	p = slow_take();
	v = probe_load_irq((const volatile u64 *)(uintptr_t)p);
	async = ev_is_async_np(0, probe_irq_insn, 0);
	if (async)
		halt_for_ready(ev_token_at(0));
	else
		report_info("apf: cpl0 touch: %u events, read 0x%lx",
			    pvapf_log_len(), v);
	report(name, async && v == PROBE_SKIPPED && ev_count(NP, ANY_TOKEN) == 1 &&
		     ev_count(READY, ev_token_at(0)) == 1 && slow_page_ok(p));
	pvapf_disable();
}

static void t_if0(const struct apft *t)
{
	static const char name[] = "apf sync with IF=0";

	if (!apft_begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS, 0))
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

	if (!apft_begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS, 0))
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
	while (ev_outstanding() < QUEUE_MAX && *n < QUEUE_TOUCH_MAX) {
		unsigned np = ev_count(NP, ANY_TOKEN);

		pages[*n] = slow_take();
		probe_load_irq((const volatile u64 *)(uintptr_t)pages[(*n)++]);
		if (ev_count(NP, ANY_TOKEN) != np + 1) {
			report_info("apf: touch %u went synchronous with %u "
				    "outstanding", *n, ev_outstanding());
			return false;
		}
	}
	return ev_outstanding() == QUEUE_MAX;
}

/* True if every "not present" token is distinct and got exactly one
 * "ready". */
static bool tokens_each_ready_once(void)
{
	for (unsigned i = 0; i < pvapf_log_len(); i++) {
		const struct pvapf_event *e = pvapf_log_at(i);

		if (e->reason == NP &&
		    (ev_count(NP, e->token) != 1 || ev_count(READY, e->token) != 1)) {
			report_info("apf: token 0x%x: %u not-present, %u ready",
				    e->token, ev_count(NP, e->token),
				    ev_count(READY, e->token));
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

	if (!apft_begin(t, name, QUEUE_TOUCH_MAX + 1, KVM_ASYNC_PF_SEND_ALWAYS, 0))
		return;
	full = queue_fill(pages, &n);
	np = ev_count(NP, ANY_TOKEN);
	sync = full && touch_is_sync(true);
	while (ev_outstanding())
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

	if (!apft_begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS, 0))
		return;
	p = slow_take();
	probe_load_irq((const volatile u64 *)(uintptr_t)p);
	async = ev_is_async_np(0, probe_irq_insn, 0);
	v = probe_load_irq((const volatile u64 *)(uintptr_t)p);
	if (async)
		halt_for_ready(ev_token_at(0));
	if (!async || v != slow_word(p) || ev_count(NP, ANY_TOKEN) != 1)
		report_info("apf: in-flight: async=%d read 0x%lx want 0x%lx, "
			    "%u not-present", async, v, slow_word(p),
			    ev_count(NP, ANY_TOKEN));
	report(name, async && v == slow_word(p) && ev_count(NP, ANY_TOKEN) == 1 &&
		     ev_count(READY, ev_token_at(0)) == 1 && slow_page_ok(p));
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

	if (!apft_begin(t, name, 1, KVM_ASYNC_PF_SEND_ALWAYS, 0))
		return;
	p = slow_take();
	probe_load_irq((const volatile u64 *)(uintptr_t)p);
	async = ev_is_async_np(0, probe_irq_insn, 0);
	token = ev_token_at(0);
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
			    token, ev_count(READY, token));
	report(name, async && quiet && on && v == slow_word(p) &&
		     pvapf_log_len() == 2 && ev_count(READY, WAKE_ALL) == 1 &&
		     !ev_count(READY, token));
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
	t_err_optin,
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

/* Why the interrupt-mode tests cannot run, or NULL. */
static const char *int_unusable(const struct guest_config *cfg, const char *why)
{
	if (why)
		return why;
	if (!(hv_kvm_features() & BIT(KVM_FEATURE_ASYNC_PF_INT)))
		return "KVM_FEATURE_ASYNC_PF_INT not offered";
	if (apic_mode() == APIC_MODE_NONE)
		return "no LAPIC in use (apic=off)";
	if (cfg->apf == APF_MODE_OFF)
		return "apf=off";
	return NULL;
}

/* Why the error tests cannot run, or NULL. */
static const char *err_unusable(const struct guest_config *cfg, const char *why)
{
	if (why)
		return why;
	if (!(hv_apfvisor_features() & APFV_FEAT_APF_ERRORS))
		return "APFV_FEAT_APF_ERRORS not advertised";
	if (!mce_enabled())
		return "no machine-check support (CPUID MCE/MCA, MCG_CAP banks)";
	if (cfg->apf == APF_MODE_OFF)
		return "apf=off";
	return NULL;
}

/* fail_page= as the error tests may use it: a slow page, never handed
 * out as a fresh one; 0 when absent or unusable (noted). */
static u64 fail_page_of(const struct guest_config *cfg, const char *why_err)
{
	u64 p = ALIGN_DOWN((u64)cfg->fail_page, PAGE_SIZE);

	if (!p || why_err)
		return 0;
	if (!slow_is_slow(p)) {
		report_info("fail_page=0x%lx is not a slow page: the tests that "
			    "need it skip", p);
		return 0;
	}
	slow_exclude(p);
	return p;
}

void apftests_run(const struct guest_config *cfg, bool apfvisor,
		  bool hypercalls)
{
	const char *why = apf_unusable(apfvisor, hypercalls);
	const char *why_err = err_unusable(cfg, why);
	const struct apft t = {
		.cfg = cfg,
		.apfvisor = apfvisor,
		.why_msr = msr_unusable(apfvisor),
		.why = why,
		.why_int = int_unusable(cfg, why),
		.why_err = why_err,
		.fail_page = fail_page_of(cfg, why_err),
	};
	struct pvapf_stats st;

	for (size_t i = 0; i < ARRAY_SIZE(apftests); i++)
		apftests[i](&t);
	apfint_run(&t);
	apferr_run(&t);
	pvapf_log_reset();
	work_test(cfg, !t.why, t.why);
	if (t.why)
		return;
	st = pvapf_stats();
	/* to set beside apfvisor's STATS apf.not_present, apf.ready_pf,
	 * apf.ready_int and apf.errors_async */
	report_info("apf events seen: not_present=%lu ready=%lu ready_int=%lu "
		    "wakeall=%lu errors=%lu probes_skipped=%lu halted=%lu "
		    "stale_int=%lu machine_checks=%lu stray_irqs=%lu",
		    st.not_present, st.ready, st.ready_int, st.wakeall,
		    st.errors, st.skipped, st.halted, st.stale_int, mce_count(),
		    irq_stray());
}
