/*
 * guest-stub/apfutil.c - the APF tests' shared helpers (apfutil.h).
 *
 * Environment: guest ring 0, IF=0 except inside probes and waits.
 */
#include "apfutil.h"
#include "cpu.h"
#include "report.h"
#include "slow.h"
#include "trap.h"

/* --- the event log ------------------------------------------------------ */

unsigned ev_count(u32 reason, u32 token)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pvapf_log_len(); i++) {
		const struct pvapf_event *e = pvapf_log_at(i);

		n += e->reason == reason && (token == ANY_TOKEN || e->token == token);
	}
	return n;
}

unsigned ev_count_via(u32 reason, u32 token, u8 via)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pvapf_log_len(); i++) {
		const struct pvapf_event *e = pvapf_log_at(i);

		n += e->reason == reason && e->via == via &&
		     (token == ANY_TOKEN || e->token == token);
	}
	return n;
}

unsigned ev_count_failed(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pvapf_log_len(); i++)
		n += pvapf_log_at(i)->failed;
	return n;
}

unsigned ev_outstanding(void)
{
	return ev_count(NP, ANY_TOKEN) - (ev_count(READY, ANY_TOKEN) -
					  ev_count(READY, WAKE_ALL));
}

bool ev_is_async_np(unsigned i, const u8 *rip, unsigned cpl)
{
	const struct pvapf_event *e = pvapf_log_at(i);

	return e && e->reason == NP && e->skipped && e->error == 0 &&
	       e->via == PVAPF_VIA_PF &&
	       e->rip == (u64)(uintptr_t)rip && (e->cs & 3) == cpl &&
	       e->token != ANY_TOKEN && e->token != WAKE_ALL;
}

u32 ev_token_at(unsigned i)
{
	const struct pvapf_event *e = pvapf_log_at(i);

	return e ? e->token : ANY_TOKEN;
}

const struct pvapf_event *ev_ready_of(u32 token)
{
	for (unsigned i = 0; i < pvapf_log_len(); i++) {
		const struct pvapf_event *e = pvapf_log_at(i);

		if (e->reason == READY && e->token == token)
			return e;
	}
	return NULL;
}

/* --- waiting with IF=1 ----------------------------------------------- */

bool spin_for_ready(u32 token, u64 cycles)
{
	u64 t0 = rdtsc();

	irq_enable();
	while (!ev_count(READY, token) && rdtsc() - t0 < cycles)
		cpu_relax();
	irq_disable();
	return ev_count(READY, token) != 0;
}

bool spin_for_readies(unsigned n, u64 cycles)
{
	u64 t0 = rdtsc();

	irq_enable();
	while (ev_count(READY, ANY_TOKEN) < n && rdtsc() - t0 < cycles)
		cpu_relax();
	irq_disable();
	return ev_count(READY, ANY_TOKEN) >= n;
}

void spin_quiet(u64 cycles)
{
	spin_for_ready(ANY_TOKEN + 1, cycles);	/* no such token */
}

void spin_cli(u64 cycles)
{
	u64 t0 = rdtsc();

	while (rdtsc() - t0 < cycles)
		cpu_relax();
}

void halt_for_ready(u32 token)
{
	while (!ev_count(READY, token))
		halt_irq_once();
}

/* --- MSRs ------------------------------------------------------------ */

bool wrmsr_gp(u32 msr, u64 val)
{
	struct fault f;

	return wrmsr_catch(msr, val, &f) && f.vector == VEC_GP && f.error == 0;
}

bool rdmsr_gp(u32 msr)
{
	struct fault f;
	u64 v;

	return rdmsr_catch(msr, &v, &f) && f.vector == VEC_GP && f.error == 0;
}

bool apf_still_off(void)
{
	struct fault f;
	u64 v = 1;

	return !rdmsr_catch(MSR_KVM_ASYNC_PF_EN, &v, &f) && v == 0;
}

/* --- starting a test ----------------------------------------------------- */

bool apf_restart(u64 bits, u8 vec)
{
	bool ok;

	pvapf_disable();
	pvapf_log_reset();
	ok = (vec ? pvapf_enable_int(vec, bits) : pvapf_enable(bits)) &&
	     spin_for_ready(WAKE_ALL, WAIT_QUEUED_CYCLES) &&
	     pvapf_log_len() == 1;
	if (!ok)
		report_info("apf: re-enabling gave %u events, not one wake-all",
			    pvapf_log_len());
	pvapf_log_reset();
	return ok;
}

bool apft_need(const struct apft *t, const char *name, u64 pages)
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

bool apft_begin(const struct apft *t, const char *name, u64 pages, u64 bits,
		u8 vec)
{
	if (vec && !t->why && t->why_int) {
		report_skip(name, t->why_int);
		return false;
	}
	if (!apft_need(t, name, pages))
		return false;
	if (apf_restart(bits, vec))
		return true;
	report(name, false);
	pvapf_disable();
	return false;
}

bool apft_need_msr(const struct apft *t, const char *name)
{
	if (t->why_msr)
		report_skip(name, t->why_msr);
	return !t->why_msr;
}

/* A "ready" owed for an earlier fault may arrive in the probe's IF=1
 * window too: look for the one "not present" among the new entries. */
bool touch_async_at(u64 page, u32 *token)
{
	unsigned n = pvapf_log_len(), np = ev_count(NP, ANY_TOKEN);

	probe_load_irq((const volatile u64 *)(uintptr_t)page);
	for (unsigned i = n; i < pvapf_log_len(); i++) {
		if (ev_count(NP, ANY_TOKEN) == np + 1 &&
		    ev_is_async_np(i, probe_irq_insn, 0)) {
			*token = ev_token_at(i);
			return true;
		}
	}
	report_info("apf: touch of 0x%lx: %u events, no skipped not-present",
		    page, pvapf_log_len() - n);
	return false;
}

bool touch_async(u64 *page, u32 *token)
{
	*page = slow_take();
	return *page && touch_async_at(*page, token);
}
