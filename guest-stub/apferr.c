/*
 * guest-stub/apferr.c - fetches that fail (apfvisor's error extension,
 * vmm/abi.h; vmm/apfhost.c, vmm/mce.c). The run names one always-failing
 * page with fail_page= (the hypervisor's fail_start/fail_end hold it).
 *
 *   opted in (EN bit 4), the fault went asynchronous: "ready" carries
 *     ready_flags = APFV_READY_ERROR; the waiting task fails, no other;
 *   synchronous (IF=0), or not opted in: the access that finds the page
 *     failed gets a machine check (#MC, MC0_ADDR = the address), once per
 *     access attempt;
 *   transient failures (fail_pct) are retried by the hypervisor and never
 *     seen, but as time.
 *
 * The failing page goes back to "absent" once its failure was reported,
 * so every test may use it again. Environment: guest ring 0, IF=0 except
 * inside probes, waits and tasks.
 */
#include "apfutil.h"
#include "apic.h"
#include "cpu.h"
#include "mce.h"
#include "report.h"
#include "slow.h"
#include "trap.h"
#include "work.h"

#define ALWAYS		KVM_ASYNC_PF_SEND_ALWAYS
#define ERRORS		APFV_ASYNC_PF_SEND_ERROR
#define SENTINEL	0x5a5aa5a5u	/* offset 8 left alone without opt-in */
#define TRANSIENT_ASYNC	16
#define TRANSIENT_SYNC	4

/* Skip name unless the error tests can run (and interrupt mode, when
 * int_mode); with fail, also unless fail_page= is usable. */
static bool need_err(const struct apft *t, const char *name, bool int_mode,
		     bool fail, u64 pages)
{
	const char *why = t->why_err;

	if (!why && fail && !t->fail_page)
		why = "no usable fail_page= (a slow page in a failing range)";
	if (!why && int_mode)
		why = t->why_int;
	if (why) {
		report_skip(name, why);
		return false;
	}
	return apft_need(t, name, pages);
}

/* apft_begin() for an error test: interrupt mode where offered. */
static bool begin_err(const struct apft *t, const char *name, u64 bits)
{
	return apft_begin(t, name, 0, bits,
			  t->why_int ? 0 : (u8)t->cfg->apf_vec);
}

static void t_async_int(const struct apft *t)
{
	static const char name[] = "apf error: async, interrupt mode";

	if (need_err(t, name, true, true, 12))
		work_fail_test(t->cfg, true, name, t->fail_page);
}

static void t_async_pf(const struct apft *t)
{
	static const char name[] = "apf error: async, #PF mode";

	if (need_err(t, name, false, true, 12))
		work_fail_test(t->cfg, false, name, t->fail_page);
}

/* Is the last machine check the failed fetch of page, at rip, as
 * apfvisor reports it (bank 0, uncorrected, action required)? */
static bool mce_is_fetch_failure(u64 page, const u8 *rip)
{
	const struct mce_event *e = mce_last();
	u64 st = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_ADDRV |
		 MCI_STATUS_AR;

	return e && e->skipped && e->rip == (u64)(uintptr_t)rip &&
	       (e->mcg_status & (MCG_STATUS_MCIP | MCG_STATUS_EIPV)) ==
	       (MCG_STATUS_MCIP | MCG_STATUS_EIPV) &&
	       (e->status & st) == st && ALIGN_DOWN(e->addr, PAGE_SIZE) == page;
}

/* IF=0: the hypervisor must fetch synchronously, even opted in, and the
 * failure comes back as #MC at the load; the handler clears the bank. */
static void t_sync_mc(const struct apft *t)
{
	static const char name[] = "apf error: sync path gets #MC";
	u64 mc0 = mce_count(), v, mcg, st;
	bool one, what;

	if (!need_err(t, name, false, true, 0) ||
	    !begin_err(t, name, ALWAYS | ERRORS))
		return;
	v = probe_load((const volatile u64 *)(uintptr_t)t->fail_page);
	mcg = rdmsr(MSR_IA32_MCG_STATUS);
	st = rdmsr(MSR_IA32_MC0_STATUS);
	one = mce_count() == mc0 + 1;
	what = one && mce_is_fetch_failure(t->fail_page, probe_insn);
	if (!one || !what || mcg || st || pvapf_log_len())
		report_info("apf error: sync: %lu machine checks, as reported=%d, "
			    "MCG_STATUS=0x%lx MC0_STATUS=0x%lx after, %u APF "
			    "events", mce_count() - mc0, what, mcg, st,
			    pvapf_log_len());
	report(name, one && what && v == PROBE_SKIPPED && !mcg && !st &&
		     !pvapf_log_len());
	pvapf_disable();
}

/* Not opted in: the "ready" carries nothing (offset 8 untouched), the
 * page stays failed, and each retry gets one #MC - never a loop. */
static void t_no_optin(const struct apft *t)
{
	static const char name[] = "apf error: without opt-in";
	const struct pvapf_event *e;
	u64 mc0 = mce_count(), mc1, mc2;
	bool async;
	u32 tok = 0;

	if (!need_err(t, name, false, true, 0) || !begin_err(t, name, ALWAYS))
		return;
	pvapf_set_ready_flags(SENTINEL);
	async = touch_async_at(t->fail_page, &tok);
	if (async)
		halt_for_ready(tok);
	e = ev_ready_of(tok);
	probe_load((const volatile u64 *)(uintptr_t)t->fail_page);
	mc1 = mce_count() - mc0;
	probe_load((const volatile u64 *)(uintptr_t)t->fail_page);
	mc2 = mce_count() - mc0;
	spin_quiet(QUIET_CYCLES / 4);
	if (!async || !e || e->failed || e->ready_flags != SENTINEL ||
	    mc1 != 1 || mc2 != 2 || mce_count() - mc0 != 2)
		report_info("apf error: no opt-in: async=%d ready=%d failed=%d "
			    "offset 8=0x%x; machine checks after retry 1: %lu, "
			    "retry 2: %lu, later: %lu", async, e != NULL,
			    e ? e->failed : 0, e ? e->ready_flags : 0, mc1, mc2,
			    mce_count() - mc0);
	report(name, async && e && !e->failed && e->ready_flags == SENTINEL &&
		     ev_count(READY, tok) == 1 && mc1 == 1 && mc2 == 2 &&
		     mce_count() - mc0 == 2 &&
		     mce_is_fetch_failure(t->fail_page, probe_insn) &&
		     ev_count(NP, ANY_TOKEN) == 1);
	pvapf_set_ready_flags(0);
	pvapf_disable();
}

/* Opted in: each access attempt gets one "not present" and one error
 * "ready"; nothing more follows (no #MC, no repeat). */
static void t_once(const struct apft *t)
{
	static const char name[] = "apf error: reported exactly once per access";
	u64 mc0 = mce_count();
	u32 tok[2] = { 0, 0 };
	bool async = true;
	const struct pvapf_event *e;

	if (!need_err(t, name, false, true, 0) ||
	    !begin_err(t, name, ALWAYS | ERRORS))
		return;
	for (unsigned i = 0; i < 2 && async; i++) {
		async = touch_async_at(t->fail_page, &tok[i]);
		if (async)
			halt_for_ready(tok[i]);
		spin_quiet(QUIET_CYCLES / 4);
	}
	for (unsigned i = 0; i < 2 && async; i++) {
		e = ev_ready_of(tok[i]);
		async = e && e->failed && ev_count(READY, tok[i]) == 1 &&
			(e->ready_flags & APFV_READY_ERROR);
	}
	if (!async || pvapf_log_len() != 4 || ev_count_failed() != 2 ||
	    mce_count() != mc0)
		report_info("apf error: once: ok=%d events=%u failed=%u "
			    "machine checks=%lu", async, pvapf_log_len(),
			    ev_count_failed(), mce_count() - mc0);
	report(name, async && pvapf_log_len() == 4 && ev_count_failed() == 2 &&
		     mce_count() == mc0 && !pvapf_ready_flags());
	pvapf_disable();
}

/* The error "ready" waits while the LAPIC is software-disabled, then
 * arrives once. A healthy page touched right after the failing one (same
 * latency, so it completes later) is waited for with IF=0: by then the
 * failure is queued too, and both come once the LAPIC is enabled again. */
static void t_lapic_off(const struct apft *t)
{
	static const char name[] = "apf error: with LAPIC disabled";
	const struct pvapf_event *e, *h;
	bool async, none, got;
	u32 tok = 0, tok2 = 0;
	u64 p2 = 0, mc0 = mce_count();

	if (!need_err(t, name, true, true, 1) ||
	    !begin_err(t, name, ALWAYS | ERRORS))
		return;
	apic_sw_enable(false);	/* first: "not present" is a #PF all the same */
	async = touch_async_at(t->fail_page, &tok) && touch_async(&p2, &tok2);
	async = async && probe_load((const volatile u64 *)(uintptr_t)p2) ==
			 slow_word(p2);
	spin_quiet(QUIET_CYCLES / 4);
	none = !ev_count(READY, ANY_TOKEN);
	apic_sw_enable(true);
	got = spin_for_ready(tok, WAIT_QUEUED_CYCLES) &&
	      spin_for_ready(tok2, WAIT_QUEUED_CYCLES);
	spin_quiet(QUIET_CYCLES / 4);
	e = ev_ready_of(tok);
	h = ev_ready_of(tok2);
	if (!async || !none || !got || !e || !e->failed || !h || h->failed ||
	    ev_count(READY, ANY_TOKEN) != 2)
		report_info("apf error: LAPIC off: async=%d none while off=%d "
			    "after=%d failed=%d healthy failed=%d readies=%u",
			    async, none, got, e ? e->failed : 0,
			    h ? h->failed : 0, ev_count(READY, ANY_TOKEN));
	report(name, async && none && got && e && e->failed &&
		     e->via == PVAPF_VIA_INT && h && !h->failed &&
		     ev_count(READY, tok) == 1 && ev_count(READY, ANY_TOKEN) == 2 &&
		     mce_count() == mc0 && slow_page_ok(p2));
	pvapf_disable();
}

/* Fetch attempts that fail transiently (fail_pct=) are retried by the
 * hypervisor: the guest sees right contents, no error, no #MC. */
static void t_transient(const struct apft *t)
{
	static const char name[] = "apf error: transient errors recover";
	u64 pages[TRANSIENT_ASYNC], mc0 = mce_count();
	bool async = true, sync = true, ok = true;
	u32 tok;

	if (!need_err(t, name, false, false, TRANSIENT_ASYNC + TRANSIENT_SYNC) ||
	    !begin_err(t, name, ALWAYS | ERRORS))
		return;
	for (unsigned i = 0; i < TRANSIENT_ASYNC && async; i++)
		async = touch_async(&pages[i], &tok);
	while (async && ev_outstanding())
		halt_irq_once();
	for (unsigned i = 0; i < TRANSIENT_SYNC; i++) {
		u64 p = slow_take();

		sync &= probe_load((const volatile u64 *)(uintptr_t)p) ==
			slow_word(p) && slow_page_ok(p);
	}
	for (unsigned i = 0; i < TRANSIENT_ASYNC && async; i++)
		ok &= slow_page_ok(pages[i]);
	if (!async || !sync || !ok || ev_count_failed() || mce_count() != mc0)
		report_info("apf error: transient: async=%d sync ok=%d async "
			    "contents ok=%d error readies=%u machine checks=%lu",
			    async, sync, ok, ev_count_failed(), mce_count() - mc0);
	report(name, async && sync && ok && !ev_count_failed() &&
		     mce_count() == mc0);
	pvapf_disable();
}

/*
 * An error "ready" posted in interrupt mode (token and ready_flags
 * written, vector pending) while IF=0, then APF re-enabled in #PF mode
 * before the guest took it, then STI: the interrupt must still carry its
 * error. The host must not write ready_flags for a later event (a #PF-mode
 * "ready") while the posted one's token is unread. On the software LAPIC
 * path (no virtual-interrupt delivery) apfvisor used to inject the
 * #PF-mode "ready" first and overwrite ready_flags (found by the soak;
 * fixed in apf/apf.c write_ready_flags()).
 */
static void t_switch_keeps_error(const struct apft *t)
{
	static const char name[] = "apf error: kept across a switch to #PF mode";
	const struct pvapf_event *e;
	bool async, got;
	u32 tf = 0, t2 = 0, tok, rf;
	u64 p2 = 0;

	if (!need_err(t, name, true, true, 1) ||
	    !begin_err(t, name, ALWAYS | ERRORS))
		return;
	/* the failing fetch first; waiting (IF=0) for the second page's
	 * fetch lets both complete, and the failure is posted at once */
	async = touch_async_at(t->fail_page, &tf) && touch_async(&p2, &t2) &&
		probe_load((const volatile u64 *)(uintptr_t)p2) == slow_word(p2);
	spin_cli(QUIET_CYCLES / 4);
	tok = pvapf_token();
	rf = pvapf_ready_flags();
	if (!async || tok != tf || rf != APFV_READY_ERROR) {
		report_info("apf error: switch: async=%d slot token=0x%x (want "
			    "0x%x) ready_flags=0x%x", async, tok, tf, rf);
		report(name, false);
		pvapf_disable();
		return;
	}
	pvapf_enable(ALWAYS | ERRORS);		/* #PF mode, IF=0 */
	got = spin_for_ready(tf, WAIT_QUEUED_CYCLES) &&
	      spin_for_ready(t2, WAIT_QUEUED_CYCLES);
	e = ev_ready_of(tf);
	if (!got || !e || !e->failed)
		report_info("apf error: switch: the error ready for 0x%x (posted "
			    "with ready_flags 0x%x) was taken with ready_flags "
			    "0x%x; events in order: %u", tf, rf,
			    e ? e->ready_flags : 0, pvapf_log_len());
	for (unsigned i = 0; (!got || !e || !e->failed) &&
			     i < pvapf_log_len(); i++) {
		const struct pvapf_event *x = pvapf_log_at(i);

		report_info("apf error: switch: event %u: %s token 0x%x by %s "
			    "ready_flags 0x%x", i, x->reason == NP ? "not present"
			    : "ready", x->token, x->via == PVAPF_VIA_INT ?
			    "interrupt" : "#PF", x->ready_flags);
	}
	report(name, got && e && e->failed && e->via == PVAPF_VIA_INT &&
		     ev_count(READY, tf) == 1);
	pvapf_disable();
}

void apferr_run(const struct apft *t)
{
	static void (*const tests[])(const struct apft *) = {
		t_async_int,
		t_async_pf,
		t_sync_mc,
		t_no_optin,
		t_once,
		t_lapic_off,
		t_transient,
		t_switch_keeps_error,
	};

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		tests[i](t);
}
