/*
 * vmm/apfhost.c - asynchronous page faults, host side (docs/apf.md walks
 * through one fault).
 *
 *   EPT violation on a slow page
 *     -> pager_start(): a fetch with a deadline
 *     -> apf_fault(): may the guest take "page not present" now?
 *          yes: #PF, error code 0, CR2 = token; the guest runs on
 *          no:  hold the vCPU here until the page is in (synchronous)
 *   TSC passes a deadline (preemption-timer exit, or any exit)
 *     -> the page gets its contents and is mapped; apf_page_ready()
 *   before each entry: apf_next_event() -> inject "page ready"
 *
 * Time is the TSC; Bochs advances it one tick per instruction, so every
 * run is exactly repeatable. Environment: VMX root, IF=0.
 */
#include "apfhost.h"
#include "trace.h"
#include "../apic/lapic.h"
#include "console.h"
#include "cpu.h"
#include "palloc.h"
#include "stats.h"
#include "vmm.h"
#include "abi.h"
#include "../lib/string.h"

/* A "ready" event waits on the guest (IF=0, flags not yet cleared): look
 * again after this many TSC cycles even if the guest does not exit. */
#define APF_POLL_CYCLES		20000ULL

static void fill_page(struct vcpu *v, u64 gpa);

/* The shared area through the hypervisor's own view of guest RAM. If it
 * lies in a slow page that was never fetched, give that page its backing
 * contents first, or the first fetch would overwrite what is written now. */
static u8 *area_ptr(struct vcpu *v, u64 gpa)
{
	if (gpa > v->ram_size - sizeof(u32))
		return NULL;
	if (pager_take_fill(&v->pager, gpa >> PAGE_SHIFT))
		fill_page(v, gpa & PAGE_MASK);
	return v->ram + gpa;
}

static bool ram_read_u32(void *ctx, u64 gpa, u32 *val)
{
	u8 *p = area_ptr(ctx, gpa);

	if (p)
		memcpy(val, p, sizeof(u32));
	return p != NULL;
}

static bool ram_write_u32(void *ctx, u64 gpa, u32 val)
{
	u8 *p = area_ptr(ctx, gpa);

	if (p)
		memcpy(p, &val, sizeof(u32));
	return p != NULL;
}

static void pager_config_from(const struct vmm_config *c, u64 ram,
			      struct pager_config *pc)
{
	u64 end = c->slow_end ? MIN(c->slow_end, ram) : ram;

	*pc = (struct pager_config){
		.slow_start = MIN(c->slow_start, end), .slow_end = end,
		.slow_pct = c->slow_pct, .lat_min = c->latency,
		.lat_max = c->latency_max, .max_fetches = c->max_fetches,
		.resident_max = c->resident, .seed = c->seed,
		.fail_start = c->fail_start, .fail_end = c->fail_end,
		.fail_pct = c->fail_pct, .retries = c->retries,
	};
}

void apfhost_init(struct vcpu *v)
{
	static const struct apf_ops ops = { ram_read_u32, ram_write_u32, NULL };
	struct apf_ops o = ops;
	struct pager_config pc;
	u64 bytes, n = 0;
	void *store;

	o.ctx = v;
	apf_init(&v->apf, &o, true, v->ram_size);	/* LAPIC: INT offered */
	v->apf.offer_errors = true;	/* apfvisor's error extension */
	mce_init(&v->mce);
	pager_config_from(v->cfg, v->ram_size, &pc);
	bytes = pager_storage_size(&pc);
	store = bytes ? palloc_contig(ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE,
				      PAGE_SIZE) : NULL;
	if (bytes && !store)
		vmm_fail("apf: no host memory for the pager's page table");
	pager_init(&v->pager, &pc, store);
	for (u64 a = pc.slow_start; a < pc.slow_end; a += PAGE_SIZE)
		if (pager_state(&v->pager, a >> PAGE_SHIFT) == PAGER_ABSENT) {
			if (ept_unmap(&v->ept, a, PAGE_SIZE))
				vmm_fail("apf: out of memory splitting EPT pages");
			n++;
		}
	vmx_invept(ept_eptp(&v->ept));
	info("apf: %llu slow pages in [0x%llx, 0x%llx), latency %llu-%llu cycles, "
	     "%u fetches at once\n", (unsigned long long)n,
	     (unsigned long long)pc.slow_start, (unsigned long long)pc.slow_end,
	     (unsigned long long)pc.lat_min,
	     (unsigned long long)MAX(pc.lat_min, pc.lat_max), pc.max_fetches);
}

/* First arrival: the backing store's contents (vmm/abi.h), one word
 * repeated - a single REP STOSQ, about what copying the page in would cost. */
static void fill_page(struct vcpu *v, u64 gpa)
{
	void *p = v->ram + gpa;
	u64 n = PAGE_SIZE / sizeof(u64);

	asm volatile("rep stosq" : "+D"(p), "+c"(n)
		     : "a"(apfv_backing_word(gpa, v->cfg->seed)) : "memory");
}

/* A fetch failed. If the guest opted in and a task waits on the page
 * asynchronously, its "ready" carries the error and that is the report.
 * Otherwise the page stays PAGER_FAILED and the next access to it - the
 * synchronous waiter, or the woken task retrying - gets a machine check. */
static void fetch_failed(struct vcpu *v, u64 gfn)
{
	if (apf_page_failed(&v->apf, gfn) && apf_reports_errors(&v->apf))
		pager_failure_reported(&v->pager, gfn);
	debug("apf: fetch of page 0x%llx failed\n", (unsigned long long)gfn);
}

/* Map fetched pages and tell the protocol; evict over the resident cap. */
static void complete_due(struct vcpu *v, u64 now)
{
	enum pager_outcome out;
	bool fill, changed = false;
	u64 gfn;

	while (pager_complete(&v->pager, now, &gfn, &fill, &out)) {
		u64 gpa = gfn << PAGE_SHIFT;

		if (out == PAGER_ERROR) {
			trace(TR_FETCH_FAIL, 0, gfn);
			fetch_failed(v, gfn);
			continue;
		}
		trace(TR_FETCH_DONE, 0, gfn);
		if (fill)
			fill_page(v, gpa);
		if (ept_map(&v->ept, gpa, v->ram_hpa + gpa, PAGE_SIZE, EPT_RWX))
			vmm_fail("apf: out of memory mapping a fetched page");
		apf_page_ready(&v->apf, gfn);
		changed = true;
	}
	while (pager_evict(&v->pager, &gfn)) {
		if (ept_unmap(&v->ept, gfn << PAGE_SHIFT, PAGE_SIZE))
			vmm_fail("apf: out of memory evicting a page");
		changed = true;
	}
	if (changed)
		vmx_invept(ept_eptp(&v->ept));
}

/* Hold the vCPU (the guest runs nothing) until the next deadline. */
static void wait_next_deadline(struct vcpu *v)
{
	u64 d = pager_next_deadline(&v->pager);

	if (d == ~0ULL)
		panic("apf: waiting with no fetch in flight");
	while (cpu_rdtsc() < d)
		asm volatile("pause");
	complete_due(v, cpu_rdtsc());
}

/* Synchronous path: wait until gfn is in, or its fetch failed. */
static enum pager_state wait_for_page(struct vcpu *v, u64 gfn)
{
	enum pager_state s;

	while ((s = pager_state(&v->pager, gfn)) == PAGER_FETCHING)
		wait_next_deadline(v);
	return s;
}

/* Report a failed fetch precisely at the faulting instruction: a machine
 * check (#MC, fault-like, RIP unchanged), as hardware reports consumed
 * poison. A guest that cannot take one (CR4.MCE=0, or one in progress)
 * would shut down on a real CPU: the run ends the same way. */
static void report_sync(struct vcpu *v, u64 gfn)
{
	u64 gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);

	pager_failure_reported(&v->pager, gfn);
	trace(TR_MCE, 0, gpa);
	if (!(vmcs_read(GUEST_CR4) & CR4_MCE) || !mce_record(&v->mce, gpa))
		vmm_fail("apf: fetch of guest-physical 0x%llx failed and the "
			 "guest cannot take a machine check (CR4.MCE=%u, MCIP=%u): "
			 "shutdown, as the CPU would", (unsigned long long)gpa,
			 (u32)!!(vmcs_read(GUEST_CR4) & CR4_MCE),
			 (u32)!!(v->mce.mcg_status & MCG_STATUS_MCIP));
	vcpu_inject_exception(v, EXC_MC, false, 0);
}

static void guest_state(struct apf_guest_state *gs)
{
	u64 intr = vmcs_read(GUEST_INTERRUPTIBILITY);

	*gs = (struct apf_guest_state){
		.if_set = vmcs_read(GUEST_RFLAGS) & RFLAGS_IF,
		.shadow = intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS),
		.injecting = vmcs_read(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID,
		.cpl = vcpu_cpl(),
	};
}

/* #PF with error code 0 and CR2 = token: both APF events look so. */
static void inject_apf_pf(struct vcpu *v, u32 token)
{
	v->regs.cr2 = token;
	vcpu_inject_exception(v, EXC_PF, true, 0);
}

bool apfhost_ept_violation(struct vcpu *v, u64 gfn)
{
	enum apf_sync_reason reason;
	struct apf_guest_state gs;
	u32 token;

	switch (pager_state(&v->pager, gfn)) {
	case PAGER_NOT_SLOW:
		return false;
	case PAGER_PRESENT:
		panic("apf: EPT violation on present slow page 0x%llx",
		      (unsigned long long)gfn);
	case PAGER_FAILED:
		report_sync(v, gfn);
		return true;
	case PAGER_FETCHING:
		/* One fetch per page: a second fault waits for the first. */
		stat_inc(ST_APF_INFLIGHT_HOLD);
		trace(TR_SYNC_HOLD, 0, gfn);
		if (wait_for_page(v, gfn) == PAGER_FAILED)
			report_sync(v, gfn);
		trace(TR_SYNC_RELEASE, 0, gfn);
		return true;
	case PAGER_ABSENT:
		break;
	}
	trace(TR_FAULT, 0, gfn);
	while (!pager_start(&v->pager, gfn, cpu_rdtsc()))
		wait_next_deadline(v);	/* max_fetches in flight */
	trace(TR_FETCH_START, 0, gfn);
	guest_state(&gs);
	reason = apf_fault(&v->apf, gfn, &gs, &token);
	if (reason == APF_SYNC_NONE) {
		trace(TR_NOT_PRESENT, token, gfn);
		inject_apf_pf(v, token);
		return true;
	}
	trace(TR_SYNC_HOLD, reason, gfn);
	if (wait_for_page(v, gfn) == PAGER_FAILED)
		report_sync(v, gfn);
	trace(TR_SYNC_RELEASE, 0, gfn);
	return true;
}

void apfhost_complete(struct vcpu *v, u64 now)
{
	if (pager_next_deadline(&v->pager) <= now)
		complete_due(v, now);
}

/* Interrupt mode posts through the LAPIC, which may not take it yet (the
 * APIC disabled): then the event stays queued (apf_next_event() is not
 * asked), and is looked at again on every entry. */
void apfhost_deliver(struct vcpu *v)
{
	struct apf_guest_state gs;
	struct apf_event ev;

	guest_state(&gs);
	if (gs.injecting || !v->apf.rcount)
		return;
	if ((v->apf.en & KVM_ASYNC_PF_DELIVERY_AS_INT) && !lapic_accepts(v))
		return;
	if (!apf_next_event(&v->apf, &gs, &ev))
		return;
	trace(TR_READY, ev.token, (ev.kind == APF_EV_READY_PF ? 1 : 2) |
	      (ev.error ? 4 : 0));
	if (ev.kind == APF_EV_READY_PF)
		inject_apf_pf(v, ev.token);
	else if (!lapic_post(v, ev.vector))
		panic("apf: LAPIC refused a vector it had accepted");
}

u64 apfhost_next_deadline(const struct vcpu *v, u64 now)
{
	u64 d = pager_next_deadline(&v->pager);

	if (v->apf.rcount)
		d = MIN(d, now + APF_POLL_CYCLES);
	return d;
}

/* HLT with a "ready" event queued: resuming lets the next entry deliver
 * it. If the guest keeps halting without taking it (it never clears the
 * slot), nothing else can wake it: report that rather than spin. */
#define IDLE_NO_PROGRESS_MAX 1000

bool apfhost_wakes(struct vcpu *v)
{
	static u64 last_delivered, stalls;
	u64 delivered = v->apf.st.ready_pf + v->apf.st.ready_int;

	if (!v->apf.rcount)
		return false;
	stalls = delivered == last_delivered ? stalls + 1 : 0;
	last_delivered = delivered;
	if (stalls >= IDLE_NO_PROGRESS_MAX)
		vmm_fail("apf: guest keeps halting while a \"page ready\" event "
			 "waits for it (shared slot not cleared, or its LAPIC "
			 "disabled)");
	return true;
}

bool apfhost_fetching(const struct vcpu *v)
{
	return v->pager.nfetch != 0;
}

void apfhost_keep(struct vcpu *v, u64 gpa, u64 len)
{
	for (u64 a = gpa & PAGE_MASK; a < gpa + len; a += PAGE_SIZE)
		pager_take_fill(&v->pager, a >> PAGE_SHIFT);
}

bool apfhost_rdmsr(struct vcpu *v, u32 msr, u64 *val, bool *gp)
{
	if (!apf_msr_known(msr))
		return false;
	*gp = apf_rdmsr(&v->apf, msr, val) != 0;
	return true;
}

bool apfhost_wrmsr(struct vcpu *v, u32 msr, u64 val, bool *gp)
{
	if (!apf_msr_known(msr))
		return false;
	if (msr == MSR_KVM_ASYNC_PF_ACK)
		trace(TR_ACK, 0, val);
	*gp = apf_wrmsr(&v->apf, msr, val) != 0;
	return true;
}
