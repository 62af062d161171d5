/*
 * vmm/vcpu.c - the vCPU: VMCS set-up (SDM Vol. 3C, "VM-Execution Control
 * Fields", "Guest-State Area", "Host-State Area"), the run loop
 * (enter -> exit -> dispatch -> enter), event injection, and the
 * post-mortem dump.
 *
 * Environment: VMX root, IF=0, one vCPU on the boot CPU.
 */
#include "vcpu.h"
#include "apfhost.h"
#include "trace.h"
#include "../apic/lapic.h"
#include "console.h"
#include "cpu.h"
#include "palloc.h"
#include "stats.h"
#include "vmm.h"
#include "../lib/env.h"
#include "../lib/string.h"
#include "../vmx/exit_reason.h"

#define GUEST_CODE_SEL	0x08
#define GUEST_DATA_SEL	0x10
#define AR_CODE32	(AR_G | AR_DB | AR_P | AR_S | 0xb)	/* 0xc09b */
#define AR_DATA32	(AR_G | AR_DB | AR_P | AR_S | 0x3)	/* 0xc093 */
#define AR_TSS32_BUSY	(AR_P | 0xb)				/* 0x008b */
#define PAT_POWER_ON	0x0007040600070406ULL
#define DR7_INIT	0x400
#define VPID_GUEST	1
#define MISC_TIMER_RATE_MASK	0x1fULL	/* IA32_VMX_MISC[4:0] */
#define TIMER_MAX		0xffffffffULL

extern char vmx_exit_entry[];
static struct vcpu *dump_vcpu;

/* Bits the guest may not change behind our back: those the CPU forces in
 * VMX operation (PE and PG are free under unrestricted guest). */
static u64 cr0_forced(void)
{
	return (vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG)) | ~vmx_caps.cr0_fixed1;
}

/* ... plus the CR4 bits of features CPUID hides (vmm/cr.c refuses them). */
static u64 cr4_forced(void)
{
	return vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1 | CR4_HIDDEN;
}

u64 vcpu_cr0_real(u64 v)
{
	return (v | (vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_caps.cr0_fixed1;
}

static void setup_controls(struct vcpu *v)
{
	const struct vmx_caps *c = &vmx_caps;
	u32 miss;
	/* EPT and unrestricted guest were checked by vmx_probe(); VPID,
	 * RDTSCP and INVPCID are taken when offered so guests keep them. */
	bool vpid = (c->ept_vpid & VMX_VPID_INVVPID) &&
		    (c->ept_vpid & (VMX_VPID_INVVPID_SINGLE | VMX_VPID_INVVPID_ALL));
	u32 proc2 = vmx_adjust(c->proc2, PROC2_EPT | PROC2_UNRESTRICTED |
			       (vpid ? PROC2_VPID : 0) | PROC2_RDTSCP |
			       PROC2_INVPCID,
			       PROC2_EPT | PROC2_UNRESTRICTED, &miss);

	/* The preemption timer is the clock of slow-page fetches. */
	vmcs_write(PIN_BASED_CONTROLS, vmx_adjust(c->pin,
		   PIN_EXT_INT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER,
		   PIN_PREEMPTION_TIMER, &miss));
	if (miss)
		vmm_fail("vmx: CPU lacks the VMX-preemption timer, the clock of "
			 "slow-page fetches");
	/* Every port and MSR is intercepted unless a bitmap says otherwise;
	 * HLT, MWAIT and MONITOR exit so a guest never idles unseen. */
	vmcs_write(PROC_BASED_CONTROLS, vmx_adjust(c->proc,
		   PROC_HLT_EXITING | PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
		   PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY |
		   PROC_TPR_SHADOW,
		   PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY |
		   PROC_TPR_SHADOW, &miss));
	/* TPR shadow keeps the guest's CR8 off the real TPR. */
	if (miss)
		vmm_fail("vmx: CPU lacks I/O bitmaps, MSR bitmaps or TPR shadow "
			 "(0x%x)", miss);
	vmcs_write(PROC_BASED_CONTROLS2, proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_adjust(c->exit, EXIT_HOST_ADDR64 |
		   EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
		   EXIT_SAVE_PAT | EXIT_LOAD_PAT, 0, &miss));
	vmcs_write(VM_ENTRY_CONTROLS, vmx_adjust(c->entry, ENTRY_LOAD_EFER |
		   ENTRY_LOAD_PAT, 0, &miss) & ~ENTRY_IA32E_GUEST);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO, 0);
	vmcs_write(IO_BITMAP_A, env_virt_to_phys(v->io_bitmap_a));
	vmcs_write(IO_BITMAP_B, env_virt_to_phys(v->io_bitmap_b));
	vmcs_write(MSR_BITMAP, env_virt_to_phys(v->msr_bitmap));
	vmcs_write(EPT_POINTER, ept_eptp(&v->ept));
	if (proc2 & PROC2_VPID)
		vmcs_write(VPID, VPID_GUEST);
	vmcs_write(CR0_GUEST_HOST_MASK, cr0_forced());
	vmcs_write(CR4_GUEST_HOST_MASK, cr4_forced());
}

static void setup_host(void)
{
	struct desc_ptr gdt, idt;
	extern u64 boot_gdt[];
	u64 *tss = &boot_gdt[HOST_SEL_TSS / 8];
	u64 tss_base = ((tss[0] >> 16) & 0xffffff) | ((tss[0] >> 56) << 24) |
		       (tss[1] << 32);

	cpu_sgdt(&gdt);
	cpu_sidt(&idt);
	vmcs_write(HOST_CR0, cpu_read_cr0());
	vmcs_write(HOST_CR3, cpu_read_cr3());
	vmcs_write(HOST_CR4, cpu_read_cr4());
	vmcs_write(HOST_CS_SEL, HOST_SEL_CODE);
	vmcs_write(HOST_SS_SEL, HOST_SEL_DATA);
	vmcs_write(HOST_DS_SEL, HOST_SEL_DATA);
	vmcs_write(HOST_ES_SEL, HOST_SEL_DATA);
	vmcs_write(HOST_FS_SEL, 0);
	vmcs_write(HOST_GS_SEL, 0);
	vmcs_write(HOST_TR_SEL, HOST_SEL_TSS);
	vmcs_write(HOST_FS_BASE, 0);
	vmcs_write(HOST_GS_BASE, 0);
	vmcs_write(HOST_TR_BASE, tss_base);
	vmcs_write(HOST_GDTR_BASE, gdt.base);
	vmcs_write(HOST_IDTR_BASE, idt.base);
	vmcs_write(HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write(HOST_IA32_EFER, cpu_rdmsr(MSR_IA32_EFER));
	vmcs_write(HOST_IA32_PAT, cpu_rdmsr(MSR_IA32_PAT));
	vmcs_write(HOST_RIP, (u64)(uintptr_t)vmx_exit_entry);
}

struct seg_init {
	u32 sel, base, limit, ar, field_sel;
};

/* The machine state a Multiboot loader leaves (Multiboot spec 3.2):
 * 32-bit protected mode, flat 4 GiB segments, paging off, IF=0. */
static void setup_guest_segments(void)
{
	static const u32 data_segs[] = { GUEST_SS_SEL, GUEST_DS_SEL,
		GUEST_ES_SEL, GUEST_FS_SEL, GUEST_GS_SEL };
	/* Each segment's LIMIT, AR and BASE fields sit at fixed distances
	 * from its selector field (SDM Appendix B). */
	for (size_t i = 0; i < ARRAY_SIZE(data_segs); i++) {
		u32 idx = (data_segs[i] - GUEST_ES_SEL) / 2;

		vmcs_write(data_segs[i], GUEST_DATA_SEL);
		vmcs_write(GUEST_ES_LIMIT + 2 * idx, 0xffffffff);
		vmcs_write(GUEST_ES_AR + 2 * idx, AR_DATA32);
		vmcs_write(GUEST_ES_BASE + 2 * idx, 0);
	}
	vmcs_write(GUEST_CS_SEL, GUEST_CODE_SEL);
	vmcs_write(GUEST_CS_LIMIT, 0xffffffff);
	vmcs_write(GUEST_CS_AR, AR_CODE32);
	vmcs_write(GUEST_CS_BASE, 0);
	vmcs_write(GUEST_LDTR_SEL, 0);
	vmcs_write(GUEST_LDTR_AR, AR_UNUSABLE);
	vmcs_write(GUEST_LDTR_LIMIT, 0);
	vmcs_write(GUEST_LDTR_BASE, 0);
	vmcs_write(GUEST_TR_SEL, 0);
	vmcs_write(GUEST_TR_AR, AR_TSS32_BUSY);
	vmcs_write(GUEST_TR_LIMIT, 0xffff);
	vmcs_write(GUEST_TR_BASE, 0);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
}

static void setup_guest(struct vcpu *v, u32 entry, u32 magic, u32 mbi)
{
	u64 cr0 = CR0_PE | BIT(4); /* PE, ET */

	setup_guest_segments();
	vmcs_write(GUEST_CR0, vcpu_cr0_real(cr0));
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_CR4, vmx_caps.cr4_fixed0);
	vmcs_write(CR4_READ_SHADOW, 0);
	vmcs_write(GUEST_DR7, DR7_INIT);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RIP, entry);
	/* fault=vmentry: bit 1 of RFLAGS must be 1; clearing it makes the
	 * entry fail its guest-state checks, proving that path ends loudly. */
	vmcs_write(GUEST_RFLAGS, v->cfg->fault == FAULT_VMENTRY ? 0 : RFLAGS_RSVD1);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, PAT_POWER_ON);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	v->regs.gpr[REG_RAX] = magic;
	v->regs.gpr[REG_RBX] = mbi;
}

/* Intercept every MSR except those that live in the VMCS guest area or
 * that the hypervisor never uses itself (SYSCALL and SWAPGS state). */
static void setup_msr_bitmap(u8 *bm)
{
	static const u32 passthrough[] = { MSR_IA32_SYSENTER_CS,
		MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_FS_BASE,
		MSR_GS_BASE, 0xc0000102 /* KERNEL_GS_BASE */,
		0xc0000081 /* STAR */, 0xc0000082 /* LSTAR */,
		0xc0000083 /* CSTAR */, 0xc0000084 /* SFMASK */ };

	memset(bm, 0xff, PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough); i++) {
		u32 m = passthrough[i];
		u32 off = (m >= 0xc0000000 ? 1024 : 0) + (m & 0x1fff) / 8;

		bm[off] &= (u8)~(1u << (m & 7));		/* read */
		bm[off + 2048] &= (u8)~(1u << (m & 7));	/* write */
	}
}

static void *page_or_fail(void)
{
	void *p = palloc_page();

	if (!p)
		vmm_fail("vmm: out of host memory while setting up the vCPU");
	return p;
}

static void dump_hook(void)
{
	vcpu_dump(dump_vcpu);
}

/* The protocol and the pager keep their own counters (they are pure). */
static void collect_stats(void)
{
	const struct vcpu *v = dump_vcpu;

	stats[ST_APF_NOT_PRESENT] = v->apf.st.not_present;
	stats[ST_APF_READY_PF] = v->apf.st.ready_pf;
	stats[ST_APF_SYNC] = v->apf.st.sync;
	stats[ST_APF_WAKEALL] = v->apf.st.wakeall;
	stats[ST_PAGER_FETCHES] = v->pager.fetches;
	stats[ST_PAGER_EVICTIONS] = v->pager.evictions;
	stats[ST_APF_READY_INT] = v->apf.st.ready_int;
	stats[ST_APF_ACK] = v->apf.st.ack;
	stats[ST_LAPIC_INJECTED] = v->lapic.st.injected + v->lapic_hw_posted;
	stats[ST_LAPIC_EOI_EXITS] = v->lapic_eoi_exits;
	stats[ST_LAPIC_TIMER_FIRES] = v->lapic.st.timer_fires;
	stats[ST_APF_ERRORS_ASYNC] = v->apf.st.errors_async;
	stats[ST_APF_ERRORS_SYNC] = v->mce.raised;
	stats[ST_PAGER_ERRORS_INJECTED] = v->pager.errors_injected;
	stats[ST_PAGER_RETRIES] = v->pager.retries;
}

void vcpu_init(struct vcpu *v, const struct vmm_config *cfg, u8 *ram,
	       u64 ram_size, u32 entry, u32 magic, u32 mbi)
{
	v->cfg = cfg;
	v->ram = ram;
	v->ram_hpa = env_virt_to_phys(ram);
	v->ram_size = ram_size;
	v->vmcs = page_or_fail();
	v->msr_bitmap = page_or_fail();
	v->io_bitmap_a = page_or_fail();
	v->io_bitmap_b = page_or_fail();
	memset(v->io_bitmap_a, 0xff, PAGE_SIZE);
	memset(v->io_bitmap_b, 0xff, PAGE_SIZE);
	setup_msr_bitmap(v->msr_bitmap);
	if (ept_init(&v->ept, cfg->ept_large && (vmx_caps.ept_vpid & VMX_EPT_2M),
		     cfg->ept_large && (vmx_caps.ept_vpid & VMX_EPT_1G)) ||
	    ept_map(&v->ept, 0, v->ram_hpa, ram_size, EPT_RWX))
		vmm_fail("vmm: out of host memory for EPT tables");
	if (vmcs_load(v->vmcs))
		vmm_fail("vmx: VMCLEAR/VMPTRLD of the VMCS failed");
	dump_vcpu = v;
	vmm_dump_hook = dump_hook;
	stats_collect_hook = collect_stats;
	setup_controls(v);
	setup_host();
	setup_guest(v, entry, magic, mbi);
	v->timer_shift = (u32)(vmx_caps.misc & MISC_TIMER_RATE_MASK);
	lapic_init(v);
	apfhost_init(v);
	info("vmx: VMCS ready: pin 0x%llx proc 0x%llx proc2 0x%llx exit 0x%llx "
	     "entry 0x%llx\n", (unsigned long long)vmcs_read(PIN_BASED_CONTROLS),
	     (unsigned long long)vmcs_read(PROC_BASED_CONTROLS),
	     (unsigned long long)vmcs_read(PROC_BASED_CONTROLS2),
	     (unsigned long long)vmcs_read(VM_EXIT_CONTROLS),
	     (unsigned long long)vmcs_read(VM_ENTRY_CONTROLS));
}

u32 vcpu_cpl(void)
{
	return (u32)(vmcs_read(GUEST_SS_AR) & AR_DPL_MASK) >> AR_DPL_SHIFT;
}

/* Exceptions that push an error code (SDM "Exception and Interrupt
 * Reference"); in real mode none do. */
static bool exc_has_error(u8 vector)
{
	return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) ||
	       vector == EXC_AC;
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	u32 info = vector | INTR_TYPE_HW_EXC | INTR_INFO_VALID;

	(void)v;
	if (has_error && exc_has_error(vector) &&
	    (vmcs_read(GUEST_CR0) & CR0_PE)) {
		info |= INTR_INFO_ERROR_CODE;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write(VM_ENTRY_INTR_INFO, info);
	stat_inc(ST_INJECT_EXCEPTIONS);
}

/* An exit that interrupted the delivery of an event: deliver it again
 * (SDM "Information for VM Exits During Event Delivery"). */
static void reinject_vectoring(void)
{
	u32 idt = (u32)vmcs_read(IDT_VECTORING_INFO);

	if (!(idt & INTR_INFO_VALID))
		return;
	vmcs_write(VM_ENTRY_INTR_INFO, idt & ~INTR_INFO_NMI_UNBLOCK);
	if (idt & INTR_INFO_ERROR_CODE)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
			   vmcs_read(IDT_VECTORING_ERROR_CODE));
	vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vmcs_read(VM_EXIT_INSTRUCTION_LEN));
	stat_inc(ST_INJECT_REINJECT);
}

void vcpu_advance_rip(u64 len)
{
	u64 intr = vmcs_read(GUEST_INTERRUPTIBILITY);

	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + len);
	/* Completing the instruction ends an STI or MOV-SS shadow. */
	if (intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY,
			   intr & ~(u64)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

bool vcpu_long_mode(void)
{
	return (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read(GUEST_CS_AR) & AR_L);
}

u64 vcpu_gpr(const struct vcpu *v, u32 n)
{
	u64 val = n == REG_RSP ? vmcs_read(GUEST_RSP) : v->regs.gpr[n];

	return vcpu_long_mode() ? val : (u32)val;
}

static __noreturn void entry_failed(int rc)
{
	u32 err = (u32)vmcs_read(VM_INSTRUCTION_ERROR);

	if (rc == 1)
		vmm_fail("vmx: VM entry failed: VMfailInvalid (no current VMCS)");
	vmm_fail("vmx: VM entry failed: VM-instruction error %u (%s)", err,
		 vmx_insn_error_name(err));
}

/* The one clock: the VMX-preemption timer, armed for the earliest of the
 * next fetch completion and the guest's APIC timer. */
static void arm_clock(struct vcpu *v, u64 now)
{
	u64 d = MIN(apfhost_next_deadline(v, now), lapic_next_deadline(v));
	u64 ticks = TIMER_MAX;

	if (d != ~0ULL)
		ticks = MIN(d > now ? (d - now) >> v->timer_shift : 0, TIMER_MAX);
	vmcs_write(GUEST_PREEMPTION_TIMER, ticks);
}

/* Everything due before the guest runs again: fetches that completed,
 * then events by priority (an APF "ready" #PF, then LAPIC interrupts). */
static void before_entry(struct vcpu *v)
{
	u64 now = cpu_rdtsc();

	apfhost_complete(v, now);
	apfhost_deliver(v);
	lapic_tick(v, now);
	lapic_deliver(v);
	arm_clock(v, now);
}

bool vcpu_halt(struct vcpu *v)
{
	if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF))
		return false;	/* only an NMI could wake it, and none comes */
	trace(TR_HALT, 0, 0);
	for (;;) {
		u64 now = cpu_rdtsc(), d;

		apfhost_complete(v, now);
		lapic_tick(v, now);	/* expiries into IRR; injected on entry */
		if (lapic_wakes(v) || apfhost_wakes(v)) {
			trace(TR_WAKE, 0, 0);
			return true;
		}
		/* only events that can wake the guest count: a masked timer
		 * would keep this loop going for ever */
		d = MIN(apfhost_next_deadline(v, now), lapic_wake_deadline(v));
		if (d == ~0ULL)
			return false;
		while (cpu_rdtsc() < d)
			asm volatile("pause");
	}
}

static void record_exit(struct vcpu *v)
{
	struct exit_record *r = &v->ring[v->ring_next++ % VCPU_EXIT_RING];

	v->exit_reason = (u32)vmcs_read(VM_EXIT_REASON);
	v->exit_qual = vmcs_read(EXIT_QUALIFICATION);
	*r = (struct exit_record){ v->exit_reason, v->exit_qual,
		vmcs_read(GUEST_RIP), vmcs_read(GUEST_PHYSICAL_ADDRESS) };
	v->nexits++;
}

__noreturn void vcpu_run(struct vcpu *v)
{
	extern u64 boot_tsc_start;

	/* Boot cost: loader handover to the guest's first instruction. */
	stats[ST_BOOT_CYCLES] = cpu_rdtsc() - boot_tsc_start;
	info("vmm: entering guest at 0x%llx, %llu cycles after the loader's "
	     "handover\n", (unsigned long long)vmcs_read(GUEST_RIP),
	     (unsigned long long)stats[ST_BOOT_CYCLES]);
	for (;;) {
		int rc;

		before_entry(v);
		trace(TR_ENTRY, 0, 0);
		rc = vmx_enter(&v->regs, v->launched);

		if (rc)
			entry_failed(rc);
		v->launched = true;
		record_exit(v);
		if (v->exit_reason & EXIT_REASON_ENTRY_FAIL) {
			u32 basic = v->exit_reason & EXIT_REASON_BASIC_MASK;

			vmm_fail("vmx: VM entry failed: %s (exit reason %u), "
				 "qualification 0x%llx", exit_reason_name(basic),
				 basic, (unsigned long long)v->exit_qual);
		}
		stats_count_exit(v->exit_reason & EXIT_REASON_BASIC_MASK);
		trace(TR_EXIT, v->exit_reason & EXIT_REASON_BASIC_MASK,
		      v->ring[(v->ring_next - 1) % VCPU_EXIT_RING].rip);
		reinject_vectoring();
		switch (exits_handle(v)) {
		case EXIT_SKIP:
			vcpu_advance_rip(vmcs_read(VM_EXIT_INSTRUCTION_LEN));
			break;
		case EXIT_RESUME:
			break;
		case EXIT_DONE:
			vmm_end_run(v->guest_exit_code);
		}
	}
}

static void dump_exit_ring(const struct vcpu *v)
{
	u64 n = MIN(v->nexits, (u64)VCPU_EXIT_RING);

	con_printf("dump: last %llu of %llu exits, oldest first:\n",
		   (unsigned long long)n, (unsigned long long)v->nexits);
	for (u64 i = v->nexits - n; i < v->nexits; i++) {
		const struct exit_record *r = &v->ring[i % VCPU_EXIT_RING];
		u32 basic = r->reason & EXIT_REASON_BASIC_MASK;

		con_printf("dump:   #%llu %-24s qual 0x%llx rip 0x%llx gpa 0x%llx\n",
			   (unsigned long long)i, exit_reason_name(basic),
			   (unsigned long long)r->qual, (unsigned long long)r->rip,
			   (unsigned long long)r->gpa);
	}
}

void vcpu_dump(const struct vcpu *v)
{
	static const char *const names[16] = { "rax", "rcx", "rdx", "rbx",
		"rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
		"r13", "r14", "r15" };
	u32 basic = v->exit_reason & EXIT_REASON_BASIC_MASK;

	con_printf("dump: exit %s (0x%x) qual 0x%llx gpa 0x%llx gla 0x%llx\n",
		   exit_reason_name(basic), v->exit_reason,
		   (unsigned long long)v->exit_qual,
		   (unsigned long long)vmcs_read(GUEST_PHYSICAL_ADDRESS),
		   (unsigned long long)vmcs_read(GUEST_LINEAR_ADDRESS));
	con_printf("dump: rip 0x%llx rsp 0x%llx rflags 0x%llx cpl %u cs 0x%llx/0x%llx "
		   "ss 0x%llx/0x%llx\n", (unsigned long long)vmcs_read(GUEST_RIP),
		   (unsigned long long)vmcs_read(GUEST_RSP),
		   (unsigned long long)vmcs_read(GUEST_RFLAGS), vcpu_cpl(),
		   (unsigned long long)vmcs_read(GUEST_CS_SEL),
		   (unsigned long long)vmcs_read(GUEST_CS_AR),
		   (unsigned long long)vmcs_read(GUEST_SS_SEL),
		   (unsigned long long)vmcs_read(GUEST_SS_AR));
	con_printf("dump: cr0 0x%llx (reads 0x%llx) cr3 0x%llx cr4 0x%llx (reads 0x%llx) "
		   "cr2 0x%llx efer 0x%llx\n", (unsigned long long)vmcs_read(GUEST_CR0),
		   (unsigned long long)vmcs_read(CR0_READ_SHADOW),
		   (unsigned long long)vmcs_read(GUEST_CR3),
		   (unsigned long long)vmcs_read(GUEST_CR4),
		   (unsigned long long)vmcs_read(CR4_READ_SHADOW),
		   (unsigned long long)v->regs.cr2,
		   (unsigned long long)vmcs_read(GUEST_IA32_EFER));
	con_printf("dump: interruptibility 0x%llx activity %llu idt-vectoring 0x%llx "
		   "entry-intr 0x%llx\n",
		   (unsigned long long)vmcs_read(GUEST_INTERRUPTIBILITY),
		   (unsigned long long)vmcs_read(GUEST_ACTIVITY_STATE),
		   (unsigned long long)vmcs_read(IDT_VECTORING_INFO),
		   (unsigned long long)vmcs_read(VM_ENTRY_INTR_INFO));
	for (int i = 0; i < 16; i += 4)
		con_printf("dump: %-3s 0x%016llx %-3s 0x%016llx %-3s 0x%016llx %-3s 0x%016llx\n",
			   names[i], (unsigned long long)v->regs.gpr[i],
			   names[i + 1], (unsigned long long)v->regs.gpr[i + 1],
			   names[i + 2], (unsigned long long)v->regs.gpr[i + 2],
			   names[i + 3], (unsigned long long)v->regs.gpr[i + 3]);
	dump_exit_ring(v);
}
