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

static bool ram_read_u32(void *ctx, u64 gpa, u32 *val)
{
	struct vcpu *v = ctx;

	if (gpa > v->ram_size - sizeof(u32))
		return false;
	memcpy(val, v->ram + gpa, sizeof(u32));
	return true;
}

static bool ram_write_u32(void *ctx, u64 gpa, u32 val)
{
	struct vcpu *v = ctx;

	if (gpa > v->ram_size - sizeof(u32))
		return false;
	memcpy(v->ram + gpa, &val, sizeof(u32));
	return true;
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

/* First arrival: the backing store's contents (vmm/abi.h). */
static void fill_page(struct vcpu *v, u64 gpa)
{
	u64 *w = (u64 *)(v->ram + gpa);

	for (u64 i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		w[i] = apfv_backing_word(gpa + i * sizeof(u64), v->cfg->seed);
}

/* Map fetched pages and tell the protocol; evict over the resident cap. */
static void complete_due(struct vcpu *v, u64 now)
{
	bool fill, changed = false;
	u64 gfn;

	while (pager_complete(&v->pager, now, &gfn, &fill)) {
		u64 gpa = gfn << PAGE_SHIFT;

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

/* Synchronous path: wait until gfn is present. */
static void wait_for_page(struct vcpu *v, u64 gfn)
{
	while (pager_state(&v->pager, gfn) != PAGER_PRESENT)
		wait_next_deadline(v);
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
	struct apf_guest_state gs;
	u32 token;

	switch (pager_state(&v->pager, gfn)) {
	case PAGER_NOT_SLOW:
		return false;
	case PAGER_PRESENT:
		panic("apf: EPT violation on present slow page 0x%llx",
		      (unsigned long long)gfn);
	case PAGER_FETCHING:
		/* One fetch per page: a second fault waits for the first. */
		stat_inc(ST_APF_INFLIGHT_HOLD);
		wait_for_page(v, gfn);
		return true;
	case PAGER_ABSENT:
		break;
	}
	while (!pager_start(&v->pager, gfn, cpu_rdtsc()))
		wait_next_deadline(v);	/* max_fetches in flight */
	guest_state(&gs);
	if (apf_fault(&v->apf, gfn, &gs, &token) == APF_SYNC_NONE) {
		inject_apf_pf(v, token);
		return true;
	}
	wait_for_page(v, gfn);
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
	*gp = apf_wrmsr(&v->apf, msr, val) != 0;
	return true;
}
