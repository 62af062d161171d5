/*
 * guest-stub/pvapf.c - asynchronous page faults, guest side, #PF delivery
 * (pvapf.h). Follows what Linux guests before 5.8 did
 * (arch/x86/kernel/kvm.c, do_async_page_fault): read the reason, clear
 * it, then sleep on "not present" or wake on "ready".
 *
 * Environment: guest ring 0, in the #PF handler with IF=0 (pvapf_handle);
 * the MSR helpers from any ring-0 code.
 */
#include "pvapf.h"
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

/* Not in the slow range: guest .bss sits below 2 MiB (linker.ld). */
static volatile struct kvm_vcpu_pv_apf_data area __aligned(64);

static struct pvapf_stats stats;
static struct pvapf_event events[PVAPF_LOG_MAX];
static unsigned nevents;

/* The "not present" waited out by halting (one at a time: IF=0 in the
 * handler, and nothing in it touches slow memory). */
static volatile struct {
	u32 token;
	bool waiting, woken;
} halt;

u64 pvapf_area_gpa(void)
{
	return (u64)(uintptr_t)&area;
}

u32 pvapf_flags(void)
{
	return area.flags;
}

void pvapf_set_flags(u32 flags)
{
	area.flags = flags;
}

bool pvapf_enable(u64 bits)
{
	struct fault f;

	return !wrmsr_catch(MSR_KVM_ASYNC_PF_EN,
			    pvapf_area_gpa() | KVM_ASYNC_PF_ENABLED | bits, &f);
}

void pvapf_disable(void)
{
	wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
}

/* Record one event; returns its log entry, or NULL when the log is full. */
static struct pvapf_event *log_add(u32 reason, u32 token,
				   const struct trap_frame *tf)
{
	if (nevents == PVAPF_LOG_MAX)
		return NULL;
	events[nevents] = (struct pvapf_event){ reason, token, tf->error,
						tf->rip, tf->cs, false };
	return &events[nevents++];
}

/* At a probe load, resume after it; ring 0 resumes with IF=0 too, so
 * that no "ready" slips in before the probe's own CLI. */
static bool probe_skip(struct trap_frame *tf)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		if (tf->rip != (u64)(uintptr_t)probes[i].insn)
			continue;
		tf->rip = (u64)(uintptr_t)probes[i].done;
		if ((tf->cs & 3) == 0)
			tf->rflags &= ~RFLAGS_IF;
		return true;
	}
	return false;
}

/* Nothing to switch to: halt with interrupts on until token's "page
 * ready" (a nested #PF) arrives, as Linux does where it cannot schedule. */
static void halt_until_ready(u32 token)
{
	stats.halted++;
	halt.token = token;
	halt.woken = false;
	halt.waiting = true;
	while (!halt.woken)
		halt_irq_once();
	halt.waiting = false;
}

static void not_present(struct trap_frame *tf, u32 token,
			struct pvapf_event *ev)
{
	stats.not_present++;
	if (probe_skip(tf)) {
		stats.skipped++;
		if (ev)
			ev->skipped = true;
		return;
	}
	if (!sched_park(tf, token))
		halt_until_ready(token);
}

static void page_ready(struct trap_frame *tf, u32 token)
{
	stats.ready++;
	if (token == KVM_APF_WAKE_ALL_TOKEN)
		stats.wakeall++;
	if (halt.waiting &&
	    (token == halt.token || token == KVM_APF_WAKE_ALL_TOKEN))
		halt.woken = true;
	sched_wake(tf, token);
}

bool pvapf_handle(struct trap_frame *tf)
{
	u32 reason = area.flags, token;
	struct pvapf_event *ev;

	if (!reason)
		return false;
	token = (u32)read_cr2();
	area.flags = 0;		/* first: any #PF from here on is a normal one */
	ev = log_add(reason, token, tf);
	if (reason == KVM_PV_REASON_PAGE_NOT_PRESENT)
		not_present(tf, token, ev);
	else if (reason == KVM_PV_REASON_PAGE_READY)
		page_ready(tf, token);
	else
		report_abort("pvapf: #PF with unknown APF reason %u, cr2=0x%x "
			     "rip=0x%lx", reason, token, tf->rip);
	return true;
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
