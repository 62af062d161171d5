/*
 * guest-stub/pvapf.c - asynchronous page faults, guest side (pvapf.h).
 * #PF mode follows what Linux guests before 5.8 did (arch/x86/kernel/
 * kvm.c, do_async_page_fault): read the reason, clear it, then sleep on
 * "not present" or wake on "ready". Interrupt mode follows Linux 5.9+
 * (sysvec_kvm_asyncpf_interrupt): EOI, read the token, wake, write token
 * 0, WRMSR MSR_KVM_ASYNC_PF_ACK = 1.
 *
 * Environment: guest ring 0, in the #PF or APF interrupt handler with
 * IF=0; the MSR helpers from any ring-0 code.
 */
#include "pvapf.h"
#include "apic.h"
#include "cpu.h"
#include "report.h"
#include "sched.h"

/* A load of probe.S: where it is, and where to resume to skip it. */
struct probe {
	const u8 *insn, *done;
};

extern const u8 probe_insn[], probe_done[];		/* probe.S */
extern const u8 probe_irq_insn[], probe_irq_done[];
extern const u8 user_probe_insn[], user_probe_done[];

static const struct probe probes[] = {
	{ probe_insn, probe_done },
	{ probe_irq_insn, probe_irq_done },
	{ user_probe_insn, user_probe_done },
};

/* The KVM area plus apfvisor's ready_flags at offset 8. Not in the slow
 * range: guest .bss sits below 2 MiB (linker.ld). */
static volatile union {
	struct kvm_vcpu_pv_apf_data kvm;
	struct {
		u32 flags, token, ready_flags;
	} f;
} area __aligned(64);
_Static_assert(__builtin_offsetof(struct kvm_vcpu_pv_apf_data, token) ==
	       APF_AREA_TOKEN, "token at offset 4");
_Static_assert(APFV_AREA_READY_FLAGS == 2 * sizeof(u32), "ready_flags at 8");

static struct pvapf_stats stats;
static struct pvapf_event events[PVAPF_LOG_MAX];
static unsigned nevents;
static u64 en;			/* EN as last written successfully */

static void int_ready(struct trap_frame *tf);
static bool hold;		/* tests: leave token and ACK to the test */
static const struct pvapf_hooks *hooks;

/* The "not present" waited out by halting (one at a time: IF=0 in the
 * handler, and nothing in it touches slow memory). */
static volatile struct {
	u32 token;
	bool waiting, woken, failed;
} halt;

u64 pvapf_area_gpa(void)
{
	return (u64)(uintptr_t)&area;
}

u32 pvapf_flags(void)
{
	return area.f.flags;
}

void pvapf_set_flags(u32 flags)
{
	area.f.flags = flags;
}

u32 pvapf_token(void)
{
	return area.f.token;
}

void pvapf_set_token(u32 token)
{
	area.f.token = token;
}

u32 pvapf_ready_flags(void)
{
	return area.f.ready_flags;
}

void pvapf_set_ready_flags(u32 v)
{
	area.f.ready_flags = v;
}

/* Does the current EN ask for error reports? */
static bool errors_on(void)
{
	return (en & KVM_ASYNC_PF_ENABLED) && (en & APFV_ASYNC_PF_SEND_ERROR);
}

static bool en_write(u64 val)
{
	struct fault f;

	if (wrmsr_catch(MSR_KVM_ASYNC_PF_EN, val, &f))
		return false;
	en = val;
	return true;
}

bool pvapf_enable(u64 bits)
{
	return en_write(pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED | bits);
}

bool pvapf_enable_int(u8 vector, u64 bits)
{
	struct fault f;

	irq_set(vector, int_ready);
	if (wrmsr_catch(MSR_KVM_ASYNC_PF_INT, vector, &f))
		return false;
	return en_write(pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED |
			KVM_ASYNC_PF_DELIVERY_AS_INT | bits);
}

/* Off: nothing more is delivered. A "ready" the host had already posted
 * (token written, vector in IRR) is dropped with it: clear the slot, or
 * it would hold every later interrupt-mode "ready"; the interrupt itself
 * is ignored when it comes (int_ready). */
void pvapf_disable(void)
{
	wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
	en = 0;
	area.f.token = 0;
	area.f.ready_flags = 0;
}

void pvapf_init(u8 vector)
{
	irq_set(vector, int_ready);
}

u64 pvapf_en(void)
{
	return en;
}

void pvapf_ack(void)
{
	wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);
}

void pvapf_int_hold(bool h)
{
	hold = h;
}

void pvapf_set_hooks(const struct pvapf_hooks *h)
{
	hooks = h;
}

/* Record one event; returns its log entry, or NULL when the log is full. */
static struct pvapf_event *log_add(u32 reason, u32 token,
				   const struct trap_frame *tf, u8 via)
{
	if (nevents == PVAPF_LOG_MAX)
		return NULL;
	events[nevents] = (struct pvapf_event){
		.reason = reason, .token = token, .error = tf->error,
		.rip = tf->rip, .cs = tf->cs, .via = via, .tsc = rdtsc(),
	};
	return &events[nevents++];
}

bool pvapf_probe_skip(struct trap_frame *tf)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		if (tf->rip != (u64)(uintptr_t)probes[i].insn)
			continue;
		tf->rip = (u64)(uintptr_t)probes[i].done;
		/* ring 0 resumes with IF=0 too, so that no "ready" slips in
		 * before the probe's own CLI */
		if ((tf->cs & 3) == 0)
			tf->rflags &= ~RFLAGS_IF;
		return true;
	}
	return false;
}

/* Nothing to switch to: halt with interrupts on until token's "page
 * ready" (a nested #PF or interrupt) arrives, as Linux does where it
 * cannot schedule. A failed fetch cannot be retried here: the same
 * access would fail again, and there is no task to fail. */
static void halt_until_ready(const struct trap_frame *tf, u32 token)
{
	stats.halted++;
	halt.token = token;
	halt.woken = false;
	halt.failed = false;
	halt.waiting = true;
	while (!halt.woken)
		halt_irq_once();
	halt.waiting = false;
	if (halt.failed)
		report_abort("pvapf: the page ring-0 code at rip=0x%lx waited "
			     "for (token 0x%x) could not be fetched", tf->rip,
			     token);
}

static void not_present(struct trap_frame *tf, u32 token,
			struct pvapf_event *ev)
{
	stats.not_present++;
	if (hooks && hooks->not_present)
		hooks->not_present(token);
	if (pvapf_probe_skip(tf)) {
		stats.skipped++;
		if (ev)
			ev->skipped = true;
		return;
	}
	if (!sched_park(tf, token))
		halt_until_ready(tf, token);
}

/* A "ready" of either delivery (via); failed: ready_flags reported an
 * error. */
static void page_ready(struct trap_frame *tf, u32 token, bool failed, u8 via)
{
	if (hooks && hooks->ready)
		hooks->ready(token, failed, via);
	stats.ready++;
	if (token == KVM_APF_WAKE_ALL_TOKEN)
		stats.wakeall++;
	if (failed)
		stats.errors++;
	if (halt.waiting &&
	    (token == halt.token || token == KVM_APF_WAKE_ALL_TOKEN)) {
		halt.woken = true;
		halt.failed = failed && token == halt.token;
	}
	sched_wake(tf, token, failed);
}

/* ready_flags as found, and whether it reports an error; cleared when
 * opted in (it is the host's field then; else it is padding, left be). */
static u32 take_ready_flags(bool *failed)
{
	u32 rf = area.f.ready_flags;

	*failed = errors_on() && (rf & APFV_READY_ERROR);
	if (errors_on() && !hold)
		area.f.ready_flags = 0;
	return rf;
}

bool pvapf_handle(struct trap_frame *tf)
{
	u32 reason = area.f.flags, token, rf = 0;
	struct pvapf_event *ev;
	bool failed = false;

	if (!reason)
		return false;
	token = (u32)read_cr2();
	if (reason == KVM_PV_REASON_PAGE_READY)
		rf = take_ready_flags(&failed);	/* before flags: see int_ready */
	area.f.flags = 0;	/* first: any #PF from here on is a normal one */
	ev = log_add(reason, token, tf, PVAPF_VIA_PF);
	if (reason == KVM_PV_REASON_PAGE_NOT_PRESENT) {
		not_present(tf, token, ev);
	} else if (reason == KVM_PV_REASON_PAGE_READY) {
		if (ev) {
			ev->ready_flags = rf;
			ev->failed = failed;
		}
		page_ready(tf, token, failed, PVAPF_VIA_PF);
	} else {
		report_abort("pvapf: #PF with unknown APF reason %u, cr2=0x%x "
			     "rip=0x%lx", reason, token, tf->rip);
	}
	return true;
}

/*
 * "Page ready" by interrupt. ready_flags is read and cleared before the
 * token: once token is 0 (and ACKed) the host may write the next event's
 * ready_flags, which clearing it late would lose.
 *
 * One posted in interrupt mode may be taken after the guest re-enabled
 * APF in #PF mode (switching modes is re-enabling, which keeps the faults
 * in flight): its token is a real "ready" and is taken as one. Only with
 * APF off (pvapf_disable() cleared the token) is it stale.
 */
static void int_ready(struct trap_frame *tf)
{
	u32 token = area.f.token, rf;
	struct pvapf_event *ev;
	bool failed;

	apic_eoi();
	if (!token) {
		/* Nothing to take (a vector posted before APF went off whose
		 * token a disable cleared). Leave the slot alone: the host may
		 * have written a new token (a wake-all) since it was read, and
		 * clearing or ACKing now would lose it (found by the spin
		 * model, docs/reliability.md, M1). */
		stats.stale_int++;
		return;
	}
	if (!(en & KVM_ASYNC_PF_ENABLED)) {
		/* posted before APF went off: let it go */
		stats.stale_int++;
		area.f.token = 0;
		pvapf_ack();
		return;
	}
	rf = take_ready_flags(&failed);
	stats.ready_int++;
	if (!(en & KVM_ASYNC_PF_DELIVERY_AS_INT))
		stats.int_in_pf_mode++;
	ev = log_add(KVM_PV_REASON_PAGE_READY, token, tf, PVAPF_VIA_INT);
	if (ev) {
		ev->vector = (u8)tf->vector;
		ev->ready_flags = rf;
		ev->failed = failed;
	}
	if (!hold) {
		area.f.token = 0;
		pvapf_ack();
	}
	if (token)
		page_ready(tf, token, failed, PVAPF_VIA_INT);
}

void pvapf_log_reset(void)
{
	nevents = 0;
}

unsigned pvapf_log_len(void)
{
	return nevents;
}

const struct pvapf_event *pvapf_log_at(unsigned i)
{
	return i < nevents ? &events[i] : NULL;
}

struct pvapf_stats pvapf_stats(void)
{
	return stats;
}
