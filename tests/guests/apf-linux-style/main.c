/*
 * tests/guests/apf-linux-style/main.c - asynchronous page faults used the
 * way a Linux 5.9+ guest uses them (arch/x86/kernel/kvm.c), on one CPU
 * with one task:
 *
 *  - KVM's signature at CPUID 0x40000000 with KVM_FEATURE_ASYNC_PF and
 *    KVM_FEATURE_ASYNC_PF_INT; otherwise APF is not used at all (Linux
 *    5.9+ needs interrupt delivery);
 *  - the xAPIC at 0xfee00000, programmed by MMIO (MOVs to its page);
 *  - MSR_KVM_ASYNC_PF_INT = 0xf3 (Linux's HYPERVISOR_CALLBACK_VECTOR),
 *    then MSR_KVM_ASYNC_PF_EN = area | ENABLED | DELIVERY_AS_INT - no
 *    SEND_ALWAYS, so "page not present" may only come while in ring 3;
 *  - "page not present": #PF with the area's flags = 1 and CR2 = token.
 *    The handler reads and clears flags first (kvm_read_and_reset_apf_
 *    flags), then - nothing else to run - waits with sti; hlt until the
 *    token's "page ready" came, and returns to retry the access;
 *  - "page ready": vector 0xf3. EOI first (ack_APIC_irq), then the token
 *    at offset 4, wake it, write token = 0, wrmsr MSR_KVM_ASYNC_PF_ACK = 1.
 *    0xffffffff is "wake all" (sent once after the enabling write).
 *
 * The slow pages: apfvisor's APFV_HC_PAGER_INFO says where they are and
 * with which seed; ring 3 reads the first and last 8 bytes of up to 8 of
 * them, spread over the whole slow range (so slow_start=2000M with ram=2G
 * exercises the top of a 2 GiB guest). Checked afterwards: the contents
 * equal apfv_backing_word() (vmm/abi.h), every token seen "not present"
 * was seen "ready" exactly once, no unknown token was, wake-all came
 * once, and a ring-0 access to a slow page (IF=1, CPL 0) was handled
 * synchronously - no #PF at all.
 *
 * Memory: 32-bit paging; the first 4 MiB in 4 KiB pages (page 0 absent,
 * only the ring-3 code and data pages user-accessible), the rest of RAM
 * and the APIC page in 4 MiB pages (those holding test pages are user
 * pages). Environment: ring 0 and ring 3, one CPU.
 */
#include "guest.h"
#include "mb1.h"
#include "../../../vmm/abi.h"

/* KVM's ABI (Linux arch/x86/include/uapi/asm/kvm_para.h) */
#define KVM_CPUID_SIGNATURE		0x40000000u
#define KVM_CPUID_FEATURES		0x40000001u
#define KVM_SIG_EBX			0x4b4d564bu	/* "KVMK" */
#define KVM_FEATURE_ASYNC_PF		4
#define KVM_FEATURE_ASYNC_PF_INT	14
#define MSR_KVM_ASYNC_PF_EN		0x4b564d02u
#define MSR_KVM_ASYNC_PF_INT		0x4b564d06u
#define MSR_KVM_ASYNC_PF_ACK		0x4b564d07u
#define KVM_ASYNC_PF_ENABLED		BIT(0)
#define KVM_ASYNC_PF_DELIVERY_AS_INT	BIT(3)
#define KVM_PV_REASON_PAGE_NOT_PRESENT	1
#define KVM_APF_WAKE_ALL		0xffffffffu
#define HYPERVISOR_CALLBACK_VECTOR	0xf3

/* xAPIC (SDM Vol. 3A, "Local APIC Register Address Map") */
#define MSR_IA32_APIC_BASE	0x1b
#define APIC_BASE_EN		BIT(11)
#define APIC_BASE_EXTD		BIT(10)
#define APIC_BASE_ADDR_MASK	0xfffff000u
#define APIC_PHYS		0xfee00000u
#define APIC_VERSION		0x030
#define APIC_TPR		0x080
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_SVR_ENABLE		BIT(8)
#define SPURIOUS_VECTOR		0xff
#define CPUID1_EDX_PSE		BIT(3)
#define CPUID1_EDX_APIC		BIT(9)

/* Segments, paging */
#define SEL_KCODE		0x08
#define SEL_KDATA		0x10
#define SEL_TSS			0x28
#define GATE_INTR_DPL0		0x8e
#define GATE_INTR_DPL3		0xee
#define SYSCALL_VECTOR		0x80
#define STUB_SIZE		16
#define PTE_P			BIT(0)
#define PTE_RW			BIT(1)
#define PTE_US			BIT(2)
#define PTE_PWT			BIT(3)
#define PTE_PCD			BIT(4)
#define PDE_PS			BIT(7)
#define PAGE			4096u
#define BIG_SHIFT		22	/* 4 MiB pages */
#define CR0_WP			BIT(16)
#define CR0_PG			BIT(31)
#define CR4_PSE			BIT(4)
#define EXC_PF			14

#define MAX_PAGES		8
#define MAX_TOKENS		64

struct frame {
	u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
	u32 vector, error, eip, cs, eflags, user_esp, user_ss;
};

struct gate {
	u16 off_lo, sel;
	u8 zero, type;
	u16 off_hi;
} __attribute__((packed));

/* The KVM shared area: 64 bytes, 64-byte aligned. */
struct kvm_vcpu_pv_apf_data {
	u32 flags;
	u32 token;
	u8 pad[56];
} __attribute__((aligned(64)));

/* Ring 3's page table, stack and results live on user pages. */
#define USER_DATA __attribute__((section(".user.data")))
static u32 user_pages[MAX_PAGES] USER_DATA;
static u32 user_results[MAX_PAGES][4] USER_DATA;
static u8 user_stack[2048] __attribute__((aligned(16))) USER_DATA;

extern char isr_stubs[], user_main[], __user_start[], __user_end[], __image_end[];
void enter_user(void *eip, void *esp, u32 *table, u32 n, void *results)
	__attribute__((noreturn));
void kmain(u32 magic, u32 info);
void trap(struct frame *f);

static volatile struct kvm_vcpu_pv_apf_data apf_area;
static u64 gdt[6];
static u32 tss[26];
static struct gate idt[256];
static u8 trap_stack[16384] __attribute__((aligned(16)));
static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt0[1024] __attribute__((aligned(4096)));

/* The run: what the pager said, the pages used, the events seen. */
static struct {
	u32 slow_start, slow_end, pct, npages, extra;
	u64 seed;
	u32 ntokens;
	struct { u32 token, ready; } tok[MAX_TOKENS];
	u32 wakeall, unknown, dup, overflow;
} run;

/* --- CPU tables -------------------------------------------------------- */

static void load_tables(void)
{
	struct { u16 limit; u32 base; } __attribute__((packed)) gdtr, idtr;
	u32 t = (u32)tss;

	gdt[1] = 0x00cf9a000000ffffULL;		/* kernel code */
	gdt[2] = 0x00cf92000000ffffULL;		/* kernel data */
	gdt[3] = 0x00cffa000000ffffULL;		/* user code, DPL 3 */
	gdt[4] = 0x00cff2000000ffffULL;		/* user data, DPL 3 */
	gdt[5] = (sizeof(tss) - 1) | (u64)(t & 0xffffff) << 16 |
		 (u64)0x89 << 40 | (u64)(t >> 24) << 56;	/* 32-bit TSS */
	tss[1] = (u32)trap_stack + sizeof(trap_stack);	/* ESP0 */
	tss[2] = SEL_KDATA;				/* SS0 */
	tss[25] = sizeof(tss) << 16;			/* no I/O bitmap */
	for (u32 v = 0; v < 256; v++) {
		u32 h = (u32)isr_stubs + v * STUB_SIZE;

		idt[v] = (struct gate){ (u16)h, SEL_KCODE, 0,
			v == SYSCALL_VECTOR ? GATE_INTR_DPL3 : GATE_INTR_DPL0,
			(u16)(h >> 16) };
	}
	gdtr = (typeof(gdtr)){ sizeof(gdt) - 1, (u32)gdt };
	idtr = (typeof(idtr)){ sizeof(idt) - 1, (u32)idt };
	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\tmovw %w2, %%ds\n\tmovw %w2, %%es\n\tmovw %w2, %%ss\n\t"
		     "movw %w2, %%fs\n\tmovw %w2, %%gs\n\t"
		     "ltr %w3\n\tlidt %4"
		     :: "m"(gdtr), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS),
		        "m"(idtr) : "memory");
}

/* --- paging ------------------------------------------------------------ */

static bool user_big_page(u32 chunk)
{
	for (u32 i = 0; i < run.npages; i++)
		if (user_pages[i] >> BIG_SHIFT == chunk)
			return true;
	return false;
}

/* Identity-map RAM and the APIC page; see the file header. */
static void paging_on(u32 ram_top)
{
	u32 cr;

	for (u32 i = 1; i < 1024; i++) {
		u32 a = i * PAGE;
		bool user = a >= (u32)__user_start && a < (u32)__user_end;

		pt0[i] = a | PTE_P | PTE_RW | (user ? PTE_US : 0);
	}
	pd[0] = (u32)pt0 | PTE_P | PTE_RW | PTE_US;
	for (u32 c = 1; c < 1024 && ((u64)c << BIG_SHIFT) < ram_top; c++)
		pd[c] = c << BIG_SHIFT | PTE_P | PTE_RW | PDE_PS |
			(user_big_page(c) ? PTE_US : 0);
	pd[APIC_PHYS >> BIG_SHIFT] = (APIC_PHYS & ~((1u << BIG_SHIFT) - 1)) |
				     PTE_P | PTE_RW | PDE_PS | PTE_PCD | PTE_PWT;
	asm volatile("mov %%cr4, %0" : "=r"(cr));
	asm volatile("mov %0, %%cr4" :: "r"(cr | CR4_PSE));
	asm volatile("mov %0, %%cr3" :: "r"(pd));
	asm volatile("mov %%cr0, %0" : "=r"(cr));
	asm volatile("mov %0, %%cr0" :: "r"(cr | CR0_PG | CR0_WP) : "memory");
}

/* --- local APIC, by MMIO ------------------------------------------------ */

static u32 apic_read(u32 reg)
{
	return *(volatile u32 *)(APIC_PHYS + reg);
}

static void apic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(APIC_PHYS + reg) = v;
}

static bool lapic_on(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	u32 ver;

	if (!report((base & APIC_BASE_EN) && !(base & APIC_BASE_EXTD) &&
		    (base & APIC_BASE_ADDR_MASK) == APIC_PHYS,
		    "IA32_APIC_BASE 0x%llx: xAPIC enabled at 0xfee00000", base))
		return false;
	ver = apic_read(APIC_VERSION);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
	return report((ver & 0xff) >= 0x10 && apic_read(APIC_SVR) ==
		      (APIC_SVR_ENABLE | SPURIOUS_VECTOR), "xAPIC by MMIO: version "
		      "0x%x, software-enabled through SVR", ver);
}

/* --- APF events ---------------------------------------------------------- */

static int find_token(u32 token)
{
	for (u32 i = 0; i < run.ntokens; i++)
		if (run.tok[i].token == token)
			return (int)i;
	return -1;
}

/* What Linux's kvm_async_pf_task_wait_schedule() comes to with nothing
 * else to run: the idle loop's sti; hlt until the token is woken. */
static void wait_ready(u32 i)
{
	for (;;) {
		asm volatile("cli" ::: "memory");
		if (run.tok[i].ready)
			return;
		asm volatile("sti; hlt" ::: "memory");
	}
}

static u32 read_cr2(void)
{
	u32 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static void page_fault(struct frame *f)
{
	u32 cr2 = read_cr2(), reason = apf_area.flags;

	if (reason)	/* kvm_read_and_reset_apf_flags() */
		apf_area.flags = 0;
	if (reason != KVM_PV_REASON_PAGE_NOT_PRESENT) {
		report(false, "unexpected #PF at eip 0x%x: address 0x%x, error 0x%x, "
		       "APF flags %u", f->eip, cr2, f->error, reason);
		report_exit();
	}
	if ((f->cs & 3) != 3) {		/* Linux panics here */
		report(false, "host injected an async #PF in kernel mode (token "
		       "0x%x at eip 0x%x)", cr2, f->eip);
		report_exit();
	}
	if (find_token(cr2) >= 0 || run.ntokens == MAX_TOKENS) {
		run.overflow++;
		report(false, "token 0x%x reused while outstanding, or too many",
		       cr2);
		report_exit();
	}
	run.tok[run.ntokens] = (typeof(run.tok[0])){ cr2, 0 };
	wait_ready(run.ntokens++);
}

/* HYPERVISOR_CALLBACK_VECTOR: sysvec_kvm_asyncpf_interrupt(). */
static void page_ready(void)
{
	u32 token = apf_area.token;
	int i;

	apic_write(APIC_EOI, 0);
	if (token == KVM_APF_WAKE_ALL) {
		run.wakeall++;
	} else if ((i = find_token(token)) < 0) {
		run.unknown++;
	} else if (run.tok[i].ready++) {
		run.dup++;
	}
	apf_area.token = 0;
	wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);
}

static void finish(void) __attribute__((noreturn));

void trap(struct frame *f)
{
	switch (f->vector) {
	case EXC_PF:
		page_fault(f);
		return;
	case HYPERVISOR_CALLBACK_VECTOR:
		page_ready();
		return;
	case SPURIOUS_VECTOR:
		return;
	case SYSCALL_VECTOR:
		if ((f->cs & 3) == 3)
			finish();	/* ring 3 is done: carry on here */
		break;
	}
	report(false, "unexpected vector %u, error 0x%x, at %x:%x (eflags 0x%x)",
	       f->vector, f->error, f->cs, f->eip, f->eflags);
	report_exit();
}

/* --- the slow pages ------------------------------------------------------- */

/* APFV_HC_PAGER_INFO (vmm/abi.h): the slow range, seed and percentage. */
static bool pager_info(void)
{
	u32 a = APFV_HC_PAGER_INFO, b, c, d, s;

	asm volatile("vmcall" : "+a"(a), "=b"(b), "=c"(c), "=d"(d), "=S"(s)
		     :: "memory");
	run.slow_start = b;
	run.slow_end = c;
	run.seed = d;
	run.pct = s;
	report_info("slow pages in [0x%x, 0x%x), %u%% of them, seed %u",
		    b, c, s, d);
	return a == 0 && c > b;
}

static bool is_slow(u32 gfn)
{
	u64 h = apfv_mix64(gfn ^ run.seed);

	return run.pct >= 100 || h - udiv64(h, 100) * 100 < run.pct;
}

static bool in_list(u32 pa)
{
	for (u32 i = 0; i < run.npages; i++)
		if (user_pages[i] == pa)
			return true;
	return false;
}

/* The first slow page at or after page number gfn (below end), or 0. */
static u32 slow_page_from(u32 gfn, u32 end_gfn)
{
	for (; gfn < end_gfn; gfn++)
		if (is_slow(gfn) && !in_list(gfn * PAGE))
			return gfn * PAGE;
	return 0;
}

/* Up to MAX_PAGES slow pages spread over the range, its last page among
 * them; then one more for the ring-0 check. */
static bool pick_pages(void)
{
	u32 first = run.slow_start / PAGE, end = run.slow_end / PAGE;
	u32 span = end - first - 1;

	for (u32 i = 0; i < MAX_PAGES; i++) {
		u32 target = first + (span / (MAX_PAGES - 1)) * i;
		u32 pa = slow_page_from(i == MAX_PAGES - 1 ? end - 1 : target, end);

		if (pa)
			user_pages[run.npages++] = pa;
	}
	run.extra = slow_page_from(first, end);
	for (u32 i = 0; i < run.npages; i++)
		report_info("test page %u at 0x%x", i, user_pages[i]);
	return run.npages && run.extra;
}

/* --- after ring 3 -------------------------------------------------------- */

static bool word_ok(u32 pa, const u32 *got)
{
	u64 want = apfv_backing_word(pa, run.seed);

	return got[0] == (u32)want && got[1] == (u32)(want >> 32);
}

static void check_contents(void)
{
	u32 bad = 0;

	for (u32 i = 0; i < run.npages; i++) {
		u32 pa = user_pages[i];

		if (!word_ok(pa, &user_results[i][0]) ||
		    !word_ok(pa + PAGE - 8, &user_results[i][2])) {
			bad++;
			report_info("page 0x%x: read 0x%x%08x, want 0x%llx", pa,
				    user_results[i][1], user_results[i][0],
				    apfv_backing_word(pa, run.seed));
		}
	}
	report(!bad, "ring 3 read the backing store's words from all %u slow "
	       "pages (%u wrong)", run.npages, bad);
}

static void check_tokens(void)
{
	u32 once = 0;

	for (u32 i = 0; i < run.ntokens; i++)
		once += run.tok[i].ready == 1;
	report(run.ntokens == run.npages, "each of the %u slow pages raised "
	       "\"page not present\" in ring 3 (%u tokens)", run.npages, run.ntokens);
	report(once == run.ntokens && !run.dup && !run.unknown, "every token seen "
	       "not present was seen ready exactly once (%u of %u; %u twice, %u "
	       "unknown)", once, run.ntokens, run.dup, run.unknown);
	report(run.wakeall == 1, "one \"wake all\" after the enabling write "
	       "(%u)", run.wakeall);
}

/* CPL 0 with IF=1, no SEND_ALWAYS: the host must hold the vCPU, not send
 * "page not present" (that would end the run in page_fault()). */
static void check_ring0_sync(void)
{
	u32 before = run.ntokens, got[2];

	asm volatile("sti" ::: "memory");
	got[0] = *(volatile u32 *)run.extra;
	got[1] = *(volatile u32 *)(run.extra + 4);
	asm volatile("cli" ::: "memory");
	report(run.ntokens == before && word_ok(run.extra, got), "ring-0 access "
	       "to slow page 0x%x with IF=1 is synchronous (no #PF) and reads the "
	       "backing store", run.extra);
}

static void finish(void)
{
	check_contents();
	check_tokens();
	check_ring0_sync();
	wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
	report(rdmsr(MSR_KVM_ASYNC_PF_EN) == 0, "APF disabled again");
	report_exit();
}

/* --- start --------------------------------------------------------------- */

/* KVM's signature and APF with interrupt delivery, as Linux 5.9+ wants. */
static bool kvm_apf_int(void)
{
	struct cpuid sig = cpuid(KVM_CPUID_SIGNATURE, 0);
	u32 feat;

	if (sig.b != KVM_SIG_EBX || sig.a < KVM_CPUID_FEATURES) {
		report_skip("asynchronous page faults (no KVM signature at "
			    "CPUID 0x40000000)");
		return false;
	}
	feat = cpuid(KVM_CPUID_FEATURES, 0).a;
	return report((feat & BIT(KVM_FEATURE_ASYNC_PF)) &&
		      (feat & BIT(KVM_FEATURE_ASYNC_PF_INT)), "KVM offers "
		      "ASYNC_PF and ASYNC_PF_INT (features 0x%x)", feat);
}

static bool apf_enable(void)
{
	u64 en = (u32)&apf_area | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_DELIVERY_AS_INT;

	wrmsr(MSR_KVM_ASYNC_PF_INT, HYPERVISOR_CALLBACK_VECTOR);
	wrmsr(MSR_KVM_ASYNC_PF_EN, en);
	return report(rdmsr(MSR_KVM_ASYNC_PF_EN) == en &&
		      rdmsr(MSR_KVM_ASYNC_PF_INT) == HYPERVISOR_CALLBACK_VECTOR,
		      "APF enabled: area 0x%x, interrupt delivery on vector 0x%x",
		      (u32)&apf_area, HYPERVISOR_CALLBACK_VECTOR);
}

static bool setup(u32 ram_top)
{
	u32 edx = cpuid(1, 0).d;

	if (!kvm_apf_int())
		return false;
	if (!on_apfvisor()) {
		report_skip("slow pages (not apfvisor: nothing says which pages "
			    "the host keeps away)");
		return false;
	}
	if (!report(pager_info() && run.slow_end <= ram_top &&
		    run.slow_start >= (u32)__image_end, "apfvisor has slow pages "
		    "above this kernel, inside RAM") || !pick_pages())
		return false;
	if (!report((edx & CPUID1_EDX_PSE) && (edx & CPUID1_EDX_APIC),
		    "CPU has PSE and a local APIC"))
		return false;
	paging_on(ram_top);
	return lapic_on() && apf_enable();
}

void kmain(u32 magic, u32 info)
{
	struct boot_facts f;
	u64 top;

	con_init();
	if (!report(magic == 0x2badb002, "Multiboot v1 magic in EAX (0x%x)", magic))
		report_exit();
	mb1_facts(info, &f);
	top = MIB + (u64)f.mem_upper * KIB;
	if (!report(f.have_mem, "loader gives mem_upper: RAM ends at 0x%llx", top))
		report_exit();
	load_tables();
	if (!setup(top > APIC_PHYS ? APIC_PHYS : (u32)top))
		report_exit();
	report_info("entering ring 3 to read %u slow pages", run.npages);
	enter_user(user_main, user_stack + sizeof(user_stack), user_pages,
		   run.npages, user_results);
}
