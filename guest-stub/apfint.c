/*
 * guest-stub/apfint.c - "page ready" by interrupt (Linux 5.9+, KVM's
 * DELIVERY_AS_INT), tested from the guest against apf/apf.c and
 * vmm/apfhost.c: the vector, the token/ACK handshake that paces "ready"
 * events, what holds the interrupt back (IF=0, a higher-priority ISR, a
 * software-disabled LAPIC), the vector's MSR, and switching between #PF
 * and interrupt delivery by re-enabling.
 *
 * Faults come from ring-0 probe loads with SEND_ALWAYS (apfutil.h). To
 * know that a page's fetch is complete without taking its "ready", a
 * test touches it again with IF=0: that access waits in the hypervisor
 * until the page is in (a second fault on a page in flight).
 *
 * Environment: guest ring 0, IF=0 except inside probes and waits.
 */
#include "apfutil.h"
#include "apic.h"
#include "cpu.h"
#include "report.h"
#include "slow.h"
#include "trap.h"

#define ALWAYS		KVM_ASYNC_PF_SEND_ALWAYS
#define SETTLE_CYCLES	(QUIET_CYCLES / 4)	/* apfvisor polls every 20000 */

/* The interrupt-mode vector of the tests. */
static u8 vec_of(const struct apft *t)
{
	return (u8)t->cfg->apf_vec;
}

/* Wait with IF=0 until page's fetch is done (see the file comment); its
 * "ready" is queued or posted by then. True if it holds its contents. */
static bool fetched(u64 page)
{
	return probe_load((const volatile u64 *)(uintptr_t)page) ==
	       slow_word(page);
}

/* Is token's "ready" logged once, by interrupt on vec, without error? */
static bool ready_by_int(u32 token, u8 vec)
{
	const struct pvapf_event *e = ev_ready_of(token);

	return e && ev_count(READY, token) == 1 && e->via == PVAPF_VIA_INT &&
	       e->vector == vec && !e->failed;
}

/* Is token's "ready" logged once, by #PF? */
static bool ready_by_pf(u32 token)
{
	const struct pvapf_event *e = ev_ready_of(token);

	return e && ev_count(READY, token) == 1 && e->via == PVAPF_VIA_PF &&
	       e->error == 0;
}

/* Leave interrupt mode clean: the handshake back with the handler. */
static void end(void)
{
	pvapf_int_hold(false);
	pvapf_disable();
}

/* "Not present" by #PF, then "ready" by the vector with the token at
 * offset 4; the handler clears the token and ACKs; flags stays 0. */
static void t_int_ready(const struct apft *t)
{
	static const char name[] = "apf int: ready arrives by vector";
	u32 tok = 0;
	u64 p = 0;
	bool async;

	if (!apft_begin(t, name, 1, ALWAYS, vec_of(t)))
		return;
	async = touch_async(&p, &tok);
	if (async)
		halt_for_ready(tok);
	if (!async || !ready_by_int(tok, vec_of(t)) || pvapf_flags() ||
	    pvapf_token() || apic_isr(vec_of(t)))
		report_info("apf int: async=%d events=%u flags=%u token=0x%x "
			    "isr=%d", async, pvapf_log_len(), pvapf_flags(),
			    pvapf_token(), apic_isr(vec_of(t)));
	report(name, async && ready_by_int(tok, vec_of(t)) &&
		     !ev_count_via(READY, ANY_TOKEN, PVAPF_VIA_PF) &&
		     !pvapf_flags() && !pvapf_token() && !apic_isr(vec_of(t)) &&
		     slow_page_ok(p));
	end();
}

/* Two faults, both fetched; the "ready" of the one that completed first
 * (p[0], tok[0] after sorting) taken with the handshake left to the test
 * (token kept, no ACK). True with exactly that one "ready" logged. */
static bool two_faults_first_held(const struct apft *t, u64 *p, u32 *tok)
{
	const struct pvapf_event *e;

	pvapf_int_hold(true);
	if (!touch_async(&p[0], &tok[0]) || !touch_async(&p[1], &tok[1]) ||
	    !fetched(p[0]) || !fetched(p[1]))
		return false;
	spin_for_readies(1, WAIT_QUEUED_CYCLES);
	e = pvapf_log_at(pvapf_log_len() - 1);
	if (e && e->reason == READY && e->token == tok[1]) {
		u64 pp = p[0];
		u32 tt = tok[0];

		p[0] = p[1], tok[0] = tok[1];
		p[1] = pp, tok[1] = tt;
	}
	if (ev_count(READY, ANY_TOKEN) != 1 || !ready_by_int(tok[0], vec_of(t)) ||
	    pvapf_token() != tok[0]) {
		report_info("apf int: first ready: %u events, token 0x%x",
			    pvapf_log_len(), pvapf_token());
		return false;
	}
	return true;
}

/* The host holds the next "ready" until the token is 0 AND ACKed: with
 * the token left, the second page's arrival raises nothing; clearing the
 * token without the ACK still nothing; the ACK lets it come. */
static void t_int_handshake(const struct apft *t)
{
	static const char name[] = "apf int: token/ACK handshake";
	u64 p[2] = { 0, 0 };
	u32 tok[2] = { 0, 0 };
	bool first, kept, cleared, acked;

	if (!apft_begin(t, name, 2, ALWAYS, vec_of(t)))
		return;
	first = two_faults_first_held(t, p, tok);
	spin_quiet(SETTLE_CYCLES);
	kept = first && ev_count(READY, ANY_TOKEN) == 1;
	pvapf_set_token(0);
	spin_quiet(SETTLE_CYCLES);
	cleared = kept && ev_count(READY, ANY_TOKEN) == 1;
	pvapf_int_hold(false);
	pvapf_ack();
	acked = cleared && spin_for_ready(tok[1], WAIT_QUEUED_CYCLES) &&
		ready_by_int(tok[1], vec_of(t));
	if (!acked || pvapf_log_len() != 4)
		report_info("apf int: handshake: first=%d held with token=%d, "
			    "with token 0 but no ACK=%d, after ACK=%d (%u events)",
			    first, kept, cleared, acked, pvapf_log_len());
	report(name, acked && pvapf_log_len() == 4 && slow_page_ok(p[0]) &&
		     slow_page_ok(p[1]));
	end();
}

/* The other half: ACKed, but the token still non-zero: nothing; token 0:
 * the second "ready" comes (apfvisor looks again by itself). */
static void t_int_token_held(const struct apft *t)
{
	static const char name[] = "apf int: second ready held while token != 0";
	u64 p[2] = { 0, 0 };
	u32 tok[2] = { 0, 0 };
	bool first, held, came;

	if (!apft_begin(t, name, 2, ALWAYS, vec_of(t)))
		return;
	first = two_faults_first_held(t, p, tok);
	pvapf_ack();
	spin_quiet(SETTLE_CYCLES);
	held = first && ev_count(READY, ANY_TOKEN) == 1 &&
	       pvapf_token() == tok[0];
	pvapf_int_hold(false);
	pvapf_set_token(0);
	came = held && spin_for_ready(tok[1], WAIT_QUEUED_CYCLES) &&
	       ready_by_int(tok[1], vec_of(t));
	if (!came || pvapf_log_len() != 4)
		report_info("apf int: token held: first=%d held=%d came=%d "
			    "(%u events, token 0x%x)", first, held, came,
			    pvapf_log_len(), pvapf_token());
	report(name, came && pvapf_log_len() == 4 && slow_page_ok(p[1]));
	end();
}

/* A "ready" that becomes due while IF=0 is posted (IRR, token written)
 * but not taken; STI takes it. */
static void t_int_if0(const struct apft *t)
{
	static const char name[] = "apf int: delayed under IF=0";
	bool async, none, pending, written, got;
	u32 tok = 0;
	u64 p = 0;

	if (!apft_begin(t, name, 1, ALWAYS, vec_of(t)))
		return;
	async = touch_async(&p, &tok) && fetched(p);
	spin_cli(SETTLE_CYCLES);
	none = !ev_count(READY, ANY_TOKEN);
	pending = apic_irr(vec_of(t));
	written = pvapf_token() == tok;
	got = spin_for_ready(tok, WAIT_QUEUED_CYCLES) && ready_by_int(tok, vec_of(t));
	if (!async || !none || !pending || !written || !got)
		report_info("apf int: IF=0: async=%d none=%d in IRR=%d token "
			    "written=%d taken after STI=%d", async, none, pending,
			    written, got);
	report(name, async && none && pending && written && got);
	end();
}

/* What the higher-priority handler saw. */
static volatile struct {
	u32 token;
	u8 vec;
	bool ran, before, pending, in_service, after;
} high;

/* VEC_TEST_HIGH's handler: with its vector in service (PPR class 0xf),
 * IF=1 for a while must not let the APF vector (class 0xe) in; its EOI
 * must. */
static void high_handler(struct trap_frame *tf)
{
	(void)tf;
	high.ran = true;
	high.in_service = apic_isr(VEC_TEST_HIGH);
	irq_enable();
	spin_cli(SETTLE_CYCLES);	/* IF=1 here: spinning, not blocking */
	irq_disable();
	high.before = ev_count(READY, high.token) != 0;
	high.pending = apic_irr(high.vec);
	apic_eoi();
	high.after = spin_for_ready(high.token, WAIT_QUEUED_CYCLES);
}

static void t_int_isr(const struct apft *t)
{
	static const char name[] = "apf int: delayed under higher-priority ISR";
	bool async, pending, ok;
	u32 tok = 0;
	u64 p = 0;

	if (vec_of(t) >= VEC_TEST_HIGH) {
		report_skip(name, "apf_vec is not below the test's 0xfd");
		return;
	}
	if (!apft_begin(t, name, 1, ALWAYS, vec_of(t)))
		return;
	high.ran = high.before = high.pending = high.in_service = false;
	high.after = false;
	high.vec = vec_of(t);
	irq_set(VEC_TEST_HIGH, high_handler);
	async = touch_async(&p, &tok) && fetched(p);
	high.token = tok;
	pending = apic_irr(vec_of(t));
	apic_self_ipi(VEC_TEST_HIGH);
	spin_quiet(SETTLE_CYCLES);	/* 0xfd first, then the ready inside */
	ok = async && pending && high.ran && high.in_service && !high.before &&
	     high.pending && high.after && ready_by_int(tok, vec_of(t));
	if (!ok)
		report_info("apf int: ISR: async=%d pending=%d ran=%d in service=%d "
			    "ready before EOI=%d (still in IRR=%d) after=%d",
			    async, pending, high.ran, high.in_service, high.before,
			    high.pending, high.after);
	report(name, ok);
	irq_set(VEC_TEST_HIGH, NULL);
	end();
}

/* A "ready" posted while the task priority blocks its class waits in
 * IRR; lowering the priority lets it in. Twice: TPR through the APIC
 * (x2APIC MSR or MMIO), then CR8 (which the hypervisor's TPR shadow
 * keeps in the same register, exiting only below its threshold). */
static void t_int_tpr(const struct apft *t)
{
	static const char name[] = "apf int: delayed under TPR";
	u32 tpr = ((u32)vec_of(t) & 0xf0) | 0xf, tok[2] = { 0, 0 };
	bool async[2], none[2], got[2];
	u64 p;

	if (!apft_begin(t, name, 2, ALWAYS, vec_of(t)))
		return;
	for (unsigned i = 0; i < 2; i++) {
		async[i] = touch_async(&p, &tok[i]) && fetched(p);
		if (i == 0)
			apic_set_tpr(tpr);
		else
			write_cr8(tpr >> 4);
		spin_quiet(SETTLE_CYCLES);
		none[i] = !ev_count(READY, tok[i]) && apic_irr(vec_of(t));
		if (i == 0)
			apic_set_tpr(0);
		else
			write_cr8(0);
		got[i] = spin_for_ready(tok[i], WAIT_QUEUED_CYCLES) &&
			 ready_by_int(tok[i], vec_of(t));
	}
	if (!async[0] || !none[0] || !got[0] || !async[1] || !none[1] || !got[1])
		report_info("apf int: TPR 0x%x: async=%d held=%d after=%d; CR8 "
			    "0x%x: async=%d held=%d after=%d", tpr, async[0],
			    none[0], got[0], tpr >> 4, async[1], none[1], got[1]);
	report(name, async[0] && none[0] && got[0] && async[1] && none[1] &&
		     got[1]);
	end();
}

/* Software-disable the LAPIC while "ready" events come due: none is
 * taken and none lost; re-enabled, each arrives once. */
static void t_int_lapic_off(const struct apft *t)
{
	static const char name[] = "apf int: LAPIC disabled then enabled";
	enum { N = 3 };
	u64 p[N] = { 0 };
	u32 tok[N] = { 0 };
	bool async = true, none, got, each = true;

	if (!apft_begin(t, name, N, ALWAYS, vec_of(t)))
		return;
	apic_sw_enable(false);	/* first: "not present" is a #PF all the same */
	for (unsigned i = 0; i < N; i++)
		async &= touch_async(&p[i], &tok[i]);
	for (unsigned i = 0; i < N && async; i++)
		async &= fetched(p[i]);
	spin_quiet(SETTLE_CYCLES);
	none = !ev_count(READY, ANY_TOKEN) && !apic_irr(vec_of(t));
	apic_sw_enable(true);
	got = spin_for_readies(N, WAIT_QUEUED_CYCLES);
	spin_quiet(SETTLE_CYCLES);
	for (unsigned i = 0; i < N; i++)
		each &= ready_by_int(tok[i], vec_of(t));
	if (!async || !none || !got || !each)
		report_info("apf int: LAPIC off: async=%d none while off=%d "
			    "all after=%d each once=%d (%u events)", async, none,
			    got, each, pvapf_log_len());
	report(name, async && none && got && each &&
		     pvapf_log_len() == 2 * N);
	end();
}

/* Rewriting INT and re-enabling moves "ready" to the new vector: the
 * enabling write's wake-all and later events come there. */
static void t_int_vector(const struct apft *t)
{
	static const char name[] = "apf int: changing the vector";
	u8 v1 = vec_of(t), v2 = v1 == VEC_APF_ALT ? VEC_APF_ALT + 1 : VEC_APF_ALT;
	const struct pvapf_event *w;
	bool a1, a2, on;
	u32 t1 = 0, t2 = 0;
	u64 p;

	if (!apft_begin(t, name, 2, ALWAYS, v1))
		return;
	a1 = touch_async(&p, &t1);
	if (a1)
		halt_for_ready(t1);
	on = pvapf_enable_int(v2, ALWAYS) &&
	     spin_for_ready(WAKE_ALL, WAIT_QUEUED_CYCLES);
	w = ev_ready_of(WAKE_ALL);
	a2 = touch_async(&p, &t2);
	if (a2)
		halt_for_ready(t2);
	if (!a1 || !a2 || !on || !ready_by_int(t1, v1) || !ready_by_int(t2, v2) ||
	    !w || w->vector != v2)
		report_info("apf int: vector 0x%x then 0x%x: async=%d/%d "
			    "re-enabled=%d wake-all on 0x%x (%u events)", v1, v2,
			    a1, a2, on, w ? w->vector : 0, pvapf_log_len());
	report(name, a1 && a2 && on && ready_by_int(t1, v1) &&
		     ready_by_int(t2, v2) && w && w->via == PVAPF_VIA_INT &&
		     w->vector == v2 && pvapf_log_len() == 5 &&
		     irq_stray() == 0);
	end();
}

/* INT refuses vectors 0-31 and bits 63:8, keeping its value: "ready"
 * still comes on the vector written before. */
static void t_int_bad(const struct apft *t)
{
	static const char name[] = "apf int: bad INT values #GP";
	static const u64 bad[] = { 0, 1, 31, 0x100, BIT(8) | 0xec,
				   BIT(63) | 0xec, ~0ull };
	bool gp = true, async;
	u32 tok = 0;
	u64 v = 0, p;

	if (!apft_begin(t, name, 1, ALWAYS, vec_of(t)))
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!wrmsr_gp(MSR_KVM_ASYNC_PF_INT, bad[i])) {
			report_info("apf int: INT=0x%lx did not #GP", bad[i]);
			gp = false;
		}
	}
	if (!rdmsr_gp(MSR_KVM_ASYNC_PF_INT))
		v = rdmsr(MSR_KVM_ASYNC_PF_INT);
	async = touch_async(&p, &tok);
	if (async)
		halt_for_ready(tok);
	if (v != vec_of(t))
		report_info("apf int: INT reads 0x%lx after the bad writes", v);
	report(name, gp && v == vec_of(t) && async &&
		     ready_by_int(tok, vec_of(t)));
	end();
}

/* Wait (IF=1) until n wake-alls are logged. */
static bool wakealls(unsigned n)
{
	u64 t0 = rdtsc();

	while (ev_count(READY, WAKE_ALL) < n &&
	       rdtsc() - t0 < WAIT_QUEUED_CYCLES)
		spin_quiet(SETTLE_CYCLES / 10);
	return ev_count(READY, WAKE_ALL) == n;
}

/* One fault in the current mode; true if its "ready" came by via. */
static bool fault_in_mode(u8 via, u8 vec)
{
	u32 tok = 0;
	u64 p;

	if (!touch_async(&p, &tok))
		return false;
	halt_for_ready(tok);
	return (via == PVAPF_VIA_PF ? ready_by_pf(tok) : ready_by_int(tok, vec)) &&
	       slow_page_ok(p);
}

/* #PF mode, then interrupt mode, then #PF mode again, each by an
 * enabling write without disabling in between: every enabling write's
 * wake-all and every "ready" comes in the form of the mode it came in. */
static void t_switch(const struct apft *t)
{
	static const char name[] = "apf: switch between #PF and interrupt mode "
				   "by re-enabling";
	const struct pvapf_event *w[3] = { 0 };
	bool ok[3], forms = true;
	unsigned n;

	if (!apft_need(t, name, 3))
		return;
	if (t->why_int) {
		report_skip(name, t->why_int);
		return;
	}
	pvapf_disable();
	pvapf_log_reset();
	ok[0] = pvapf_enable(ALWAYS) && wakealls(1) &&
		fault_in_mode(PVAPF_VIA_PF, 0);
	ok[1] = pvapf_enable_int(vec_of(t), ALWAYS) && wakealls(2) &&
		fault_in_mode(PVAPF_VIA_INT, vec_of(t));
	ok[2] = pvapf_enable(ALWAYS) && wakealls(3) &&
		fault_in_mode(PVAPF_VIA_PF, 0);
	for (unsigned i = 0, k = 0; i < pvapf_log_len() && k < 3; i++) {
		const struct pvapf_event *e = pvapf_log_at(i);

		if (e->reason == READY && e->token == WAKE_ALL)
			w[k++] = e;
	}
	forms = w[0] && w[0]->via == PVAPF_VIA_PF && w[1] &&
		w[1]->via == PVAPF_VIA_INT && w[1]->vector == vec_of(t) &&
		w[2] && w[2]->via == PVAPF_VIA_PF;
	n = pvapf_log_len();
	if (!ok[0] || !ok[1] || !ok[2] || !forms)
		report_info("apf: switch: pf=%d int=%d pf=%d wake-all forms=%d "
			    "(%u events)", ok[0], ok[1], ok[2], forms, n);
	report(name, ok[0] && ok[1] && ok[2] && forms && n == 9 &&
		     !pvapf_flags() && !pvapf_token());
	end();
}

void apfint_run(const struct apft *t)
{
	static void (*const tests[])(const struct apft *) = {
		t_int_ready,
		t_int_handshake,
		t_int_token_held,
		t_int_if0,
		t_int_isr,
		t_int_tpr,
		t_int_lapic_off,
		t_int_vector,
		t_int_bad,
		t_switch,
	};

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		tests[i](t);
}
