/*
 * tests/hostile/apf.c - the APF MSRs under abuse (class apf-msr), and the
 * guest side of the protocol that both this class and the memory class's
 * prefetch use (docs/abi.md, "Asynchronous page faults"; docs/apf.md).
 *
 * The class: every bit of MSR_KVM_ASYNC_PF_EN 1-5 alone, enabled and not;
 * shared-area addresses misaligned, outside RAM, at its end, in MMIO,
 * very high, in a never-fetched slow page; enable and disable while a
 * fetch is in flight, with the page then read synchronously (its
 * contents must be the backing store's); ACK with nothing pending;
 * MSR_KVM_ASYNC_PF_INT over every vector and high bit; the flags and
 * token slots overwritten at the wrong times and ACK withheld. The
 * hypervisor must give the architectural answer and keep going.
 *
 * Environment: guest, 64-bit, ring 0. IF=0 except inside hx_apf_touch()
 * and the drain windows; the LAPIC in xAPIC mode (interrupt delivery).
 */
#include "hostile.h"

#define AREA_SIZE	64
#define FLAGS		0	/* u32 index of flags in the area */
#define TOKEN		1	/* u32 index of the token */
#define VEC_APF		0xec
#define WAKE_ALL	KVM_APF_WAKE_ALL_TOKEN
#define MIDFLIGHT_ROUNDS 8
#define PREFETCH_DEPTH	32	/* faults kept in flight by the prefetch */
#define DRAIN_CYCLES	4000000ULL	/* Bochs: ~20 latencies */
#define APIC_SVR	0xf0
#define APIC_SVR_ON	0x1ff	/* enabled, spurious vector 0xff */

struct hx_apf hx_apf;
extern const u8 hx_touch_insn[], hx_touch_done[];
static u32 area_buf[AREA_SIZE / 4] __aligned(AREA_SIZE);
static u64 slow_used;	/* slow pages this class has used (from the start) */

/* --- the guest side ---------------------------------------------------- */

static void out_add(u32 token)
{
	if (hx_apf.nout < ARRAY_SIZE(hx_apf.out))
		hx_apf.out[hx_apf.nout++] = token;
}

/* A "ready" for token: wake-all, one given "not present", or a stray.
 * Wake-all wakes every waiter but cancels no token: each still gets its
 * own "ready" (a Linux guest keeps a dummy entry for it). */
static void ready_for(u32 token)
{
	if (token == WAKE_ALL) {
		hx_apf.wake_all++;
		return;
	}
	for (u32 i = 0; i < hx_apf.nout; i++) {
		if (hx_apf.out[i] == token) {
			hx_apf.out[i] = hx_apf.out[--hx_apf.nout];
			hx_apf.ready++;
			return;
		}
	}
	hx_apf.stray_ready++;
}

bool hx_apf_pf(struct hx_frame *f)
{
	volatile u32 *a = hx_apf.area;
	u64 cr2;

	if (!a || f->error != 0)
		return false;
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	if (a[FLAGS] == KVM_PV_REASON_PAGE_NOT_PRESENT) {
		hx_apf.not_present++;
		out_add((u32)cr2);
		if (!hx_apf.keep_flags)
			a[FLAGS] = 0;
		if (f->rip == (u64)(uintptr_t)hx_touch_insn) {
			f->rip = (u64)(uintptr_t)hx_touch_done;
			hx_apf.skipped++;
		}
		return true;
	}
	if (a[FLAGS] == KVM_PV_REASON_PAGE_READY) {
		a[FLAGS] = 0;
		ready_for((u32)cr2);
		return true;
	}
	return false;
}

static bool skip_ack;	/* hostile: take the token, withhold the ACK */

void hx_apf_irq(struct hx_frame *f)
{
	volatile u32 *a = hx_apf.area;

	(void)f;
	if (a) {
		ready_for(a[TOKEN]);
		a[TOKEN] = 0;
		if (!skip_ack)
			hx_wrmsr_ok(MSR_KVM_ASYNC_PF_ACK, 1);
	}
	hx_apic_eoi_if_isr(hx_apf.vec);
}

/* WRMSR MSR_KVM_ASYNC_PF_EN; on success the guest side follows it: a
 * disabling write drops every fault in flight (no "ready" comes). */
static int apf_en(u64 val)
{
	int r = hx_wrmsr(MSR_KVM_ASYNC_PF_EN, val);

	if (r != HX_NONE)
		return r;
	if (!(val & KVM_ASYNC_PF_ENABLED)) {
		hx_apf.nout = 0;
		hx_apf.area = NULL;
		hx_apf.int_mode = false;
		return r;
	}
	hx_apf.area = (volatile u32 *)(uintptr_t)(val & KVM_ASYNC_PF_ADDR_MASK);
	hx_apf.int_mode = val & KVM_ASYNC_PF_DELIVERY_AS_INT;
	return r;
}

/* IF=1 with an exit per loop (so that each entry may deliver an event)
 * until done() or cycles pass; true if done() became true. */
static bool drain(bool (*done)(void), u64 cycles)
{
	u64 end = hx_rdtsc() + cycles;
	bool ok;

	hx_sti();
	while (!(ok = done()) && hx_rdtsc() < end)
		hx_vmcall(APFV_HC_PING, 0, NULL);
	hx_cli();
	return ok;
}

static u64 wake_goal;

static bool nothing_out(void) { return hx_apf.nout == 0; }
static bool never(void) { return false; }
static bool few_out(void) { return hx_apf.nout < PREFETCH_DEPTH / 2; }
static bool woken(void) { return hx_apf.wake_all >= wake_goal; }

/* Let the next "wake all" in; true if it came. */
static bool await_wake(void)
{
	wake_goal = hx_apf.wake_all + 1;
	return drain(woken, DRAIN_CYCLES);
}

/* The i-th slow page from the start of the slow range, or 0. */
static u64 slow_page(u64 i)
{
	for (u64 a = hx_m.slow_start; a < hx_m.slow_end; a += PAGE_SIZE)
		if (hx_slow_page(a >> PAGE_SHIFT) && i-- == 0)
			return a;
	return 0;
}

static u64 next_slow_page(void)
{
	u64 p = slow_page(slow_used++);

	hx_apf.slow_touched_end = MAX(hx_apf.slow_touched_end, p + PAGE_SIZE);
	return p;
}

/* A page's first contents: the backing words, first and last. */
static bool backing_ok(u64 page)
{
	return hx_read64(page) == apfv_backing_word(page, hx_m.seed) &&
	       hx_read64(page + PAGE_SIZE - 8) ==
	       apfv_backing_word(page + PAGE_SIZE - 8, hx_m.seed);
}

u32 hx_apf_prefetch(u64 start, u64 end)
{
	u64 area = (u64)(uintptr_t)area_buf;
	u32 left;

	area_buf[FLAGS] = area_buf[TOKEN] = 0;
	apf_en(area | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS);
	for (u64 a = start; a < end; a += PAGE_SIZE) {
		if (!hx_slow_page(a >> PAGE_SHIFT))
			continue;
		hx_apf_touch((const volatile u64 *)(uintptr_t)a, true);
		if (hx_apf.nout >= PREFETCH_DEPTH)
			drain(few_out, DRAIN_CYCLES);
	}
	drain(nothing_out, DRAIN_CYCLES);
	left = hx_apf.nout;
	apf_en(0);
	return left;
}

/* --- the class ---------------------------------------------------------- */

static u64 area_gpa(void)
{
	return (u64)(uintptr_t)area_buf;
}

static void area_clear(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(area_buf); i++)
		area_buf[i] = 0;
}

/* WRMSR EN = val: raised want? If accepted, reads back, then disable. */
static void en_case(struct hx_class *c, u64 val, int want, const char *what)
{
	int r = apf_en(val);
	u64 back = 0;

	if (r == HX_NONE)
		hx_rdmsr(MSR_KVM_ASYNC_PF_EN, &back);
	hx_check(c, r == want && (r != HX_NONE || back == val),
		 "EN = 0x%lx (%s): raised %d want %d, reads 0x%lx", val, what,
		 r, want, back);
	if (apf_en(0) != HX_NONE)
		hx_abort("cannot disable APF");
}

/* Bits 1-5 alone, with ENABLED set and clear. */
static void en_bits(struct hx_class *c)
{
	bool has_int = hx_cpuid(0x40000001, 0).a & BIT(KVM_FEATURE_ASYNC_PF_INT);
	bool has_err = hx_cpuid(APFV_CPUID_FEATURES, 0).a & APFV_FEAT_APF_ERRORS;

	for (int b = 1; b <= 5; b++) {
		bool ok = b == 1 || (b == 3 && has_int) || (b == 4 && has_err);

		hx_wrmsr_ok(MSR_KVM_ASYNC_PF_INT, VEC_APF);
		en_case(c, area_gpa() | KVM_ASYNC_PF_ENABLED | BIT(b),
			ok ? HX_NONE : VEC_GP, "a flag bit, enabled");
		en_case(c, area_gpa() | BIT(b), ok ? HX_NONE : VEC_GP,
			"a flag bit, disabled");
	}
}

/* Area addresses: only a 64-byte area wholly in RAM is taken. */
static void en_areas(struct hx_class *c)
{
	const u64 en = KVM_ASYNC_PF_ENABLED;
	const u64 ram = hx_m.ram;
	const u64 bad[] = { ram, ram + 64, ram + PAGE_SIZE, 0x80000000,
		0xfec00000, 0xfee00000, 0xfee00040, 0xfffff000, 0xffffffc0,
		1ULL << 32, 1ULL << 40, 1ULL << 51, 1ULL << 52, 1ULL << 62,
		~63ULL, ram - 32, ram - 16 };	/* the last two: bit 5, straddling */

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		en_case(c, bad[i] | en, VEC_GP, "outside RAM or straddling its end");
	en_case(c, (area_gpa() + 0x20) | en, VEC_GP, "misaligned by 32");
	en_case(c, (area_gpa() + 0x30) | en, VEC_GP, "misaligned by 48");
	/* +16 is bit 4, apfvisor's error opt-in: the area is the aligned one */
	en_case(c, (area_gpa() + 0x10) | en, HX_NONE, "bit 4 as misalignment");
	en_case(c, 0 | en, HX_NONE, "area at guest-physical 0");
	en_case(c, (ram - 64) | en, HX_NONE, "the last 64 bytes of RAM");
	/* ram - 48 would straddle the end, but its bit 4 is the opt-in: the
	 * area is ram - 64, wholly in RAM */
	en_case(c, (ram - 48) | en, HX_NONE, "the last 48 bytes of RAM");
	/* disabled: the address is not checked (KVM stores it) */
	en_case(c, 0xfee00000, HX_NONE, "MMIO address, disabled");
	en_case(c, ~63ULL, HX_NONE, "all address bits, disabled");
}

/* ACK with nothing pending: 0 and 1 taken, reads 0, other bits #GP. */
static void ack_msr(struct hx_class *c)
{
	for (int b = 0; b < 64; b++) {
		int r = hx_wrmsr(MSR_KVM_ASYNC_PF_ACK, BIT(b));

		hx_check(c, r == (b == 0 ? HX_NONE : VEC_GP), "ACK = bit %d: "
			 "raised %d", b, r);
	}
	hx_check(c, hx_wrmsr(MSR_KVM_ASYNC_PF_ACK, 0) == HX_NONE, "ACK = 0 refused");
	hx_msr_is(c, MSR_KVM_ASYNC_PF_ACK, 0);
}

/* INT: vectors 0-31 and any of bits 63:8 raise #GP; 32-255 read back. */
static void int_msr(struct hx_class *c)
{
	u64 v;

	for (u64 vec = 0; vec < 256; vec++) {
		int r = hx_wrmsr(MSR_KVM_ASYNC_PF_INT, vec);
		bool ok = vec < 32 ? r == VEC_GP :
			  r == HX_NONE && hx_rdmsr(MSR_KVM_ASYNC_PF_INT, &v) ==
			  HX_NONE && v == vec;

		hx_check(c, ok, "INT = %lu: raised %d", vec, r);
	}
	for (int b = 8; b < 64; b++)
		hx_check(c, hx_wrmsr(MSR_KVM_ASYNC_PF_INT, VEC_APF | BIT(b)) == VEC_GP,
			 "INT = 0x%lx: raised %d", (u64)(VEC_APF | BIT(b)), hx_fault.vector);
	hx_msr_is(c, MSR_KVM_ASYNC_PF_INT, 255);	/* refused writes change nothing */
	hx_wrmsr_ok(MSR_KVM_ASYNC_PF_INT, VEC_APF);
}

/* Touch page p with IF=1: "not present" (the load abandoned) or not. */
static bool touch_async(u64 p)
{
	u64 before = hx_apf.not_present;

	hx_apf_touch((const volatile u64 *)(uintptr_t)p, true);
	return hx_apf.not_present == before + 1;
}

/*
 * Enable, fault a slow page asynchronously, disable while its fetch is in
 * flight, read it synchronously (IF=0: the vCPU waits; contents are the
 * backing store's), re-enable twice, and no "ready" for the dropped
 * token. Odd rounds use interrupt delivery. Each enabling write queues a
 * "wake all" unless one is queued: #PF mode cannot deliver the first
 * while IF=0, so two writes give one; interrupt mode hands the first to
 * the LAPIC at once, so they give two.
 */
static void midflight(struct hx_class *c)
{
	for (int i = 0; i < MIDFLIGHT_ROUNDS; i++) {
		u64 p = next_slow_page(), en = area_gpa() | KVM_ASYNC_PF_ENABLED |
			KVM_ASYNC_PF_SEND_ALWAYS | (i & 1 ? KVM_ASYNC_PF_DELIVERY_AS_INT : 0);
		u64 wake0, ready0 = hx_apf.ready, stray0 = hx_apf.stray_ready;
		u64 wakes = i & 1 ? 2 : 1;

		area_clear();
		hx_check(c, apf_en(en) == HX_NONE, "EN = 0x%lx refused", en);
		hx_check(c, await_wake(), "round %d: no wake-all after enabling", i);
		hx_check(c, touch_async(p), "round %d: page 0x%lx not async", i, p);
		hx_check(c, apf_en(0) == HX_NONE, "disable mid-flight refused");
		hx_check(c, backing_ok(p), "round %d: page 0x%lx contents wrong "
			 "after a synchronous read", i, p);
		area_clear();
		wake0 = hx_apf.wake_all;
		hx_check(c, apf_en(en) == HX_NONE && apf_en(en) == HX_NONE,
			 "re-enable refused");
		drain(never, DRAIN_CYCLES / 8);
		hx_check(c, hx_apf.wake_all == wake0 + wakes, "round %d: %lu "
			 "wake-alls after two enables, want %lu", i,
			 hx_apf.wake_all - wake0, wakes);
		hx_check(c, hx_apf.ready == ready0 && hx_apf.stray_ready == stray0,
			 "round %d: a \"ready\" for a dropped fault", i);
		apf_en(0);
	}
}

/* The area in a slow page never fetched (interrupt mode): looking at the
 * token slot gives the page its backing contents first, so the slot is
 * busy (not 0) and nothing is delivered; the guest's read sees exactly
 * the backing words; once the guest clears the slot, the wake-all comes. */
static void area_in_slow_page(struct hx_class *c)
{
	u64 p = next_slow_page(), a = p + 0x40;
	volatile u32 *t = (volatile u32 *)(uintptr_t)(a + 4);
	u64 irqs = hx_irq_count(VEC_APF);
	bool words = true;

	hx_check(c, hx_wrmsr(MSR_KVM_ASYNC_PF_EN, a | KVM_ASYNC_PF_ENABLED |
		 KVM_ASYNC_PF_DELIVERY_AS_INT) == HX_NONE, "slow-page area refused");
	hx_vmcall(APFV_HC_PING, 0, NULL);	/* an entry: the slot is looked at */
	for (u64 o = 0; o < PAGE_SIZE; o += 8)
		words &= hx_read64(p + o) == apfv_backing_word(p + o, hx_m.seed);
	hx_check(c, words, "slow-page area: the page is not the backing store's");
	hx_apf.area = (volatile u32 *)(uintptr_t)a;
	hx_apf.int_mode = true;
	drain(never, DRAIN_CYCLES / 16);
	hx_check(c, hx_irq_count(VEC_APF) == irqs, "slow-page area: an interrupt "
		 "over a busy token slot");
	*t = 0;
	hx_check(c, await_wake(), "slow-page area: slot cleared, no wake-all");
	apf_en(0);
}

/* Flags garbage before enabling: no "not present" can be sent (the slot
 * is busy), so the fault is synchronous; clearing it lets the wake-all in. */
static void flags_garbage(struct hx_class *c)
{
	u64 p = next_slow_page(), np = hx_apf.not_present, w = hx_apf.wake_all;
	u64 v;

	area_clear();
	area_buf[FLAGS] = 0xdeadbeef;
	apf_en(area_gpa() | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS);
	hx_apf.keep_flags = true;	/* 0xdeadbeef is no APF reason anyway */
	v = hx_apf_touch((const volatile u64 *)(uintptr_t)p, true);
	hx_check(c, hx_apf.not_present == np && v == apfv_backing_word(p, hx_m.seed),
		 "garbage flags: fault not synchronous, or contents wrong");
	drain(never, DRAIN_CYCLES / 16);
	hx_check(c, hx_apf.wake_all == w, "garbage flags: an event delivered");
	area_buf[FLAGS] = 0;
	hx_apf.keep_flags = false;
	hx_check(c, await_wake(), "garbage flags cleared: no wake-all");
	apf_en(0);
}

/* "Not present" left uncleared: the next fault is synchronous, its
 * "ready" waits; clearing flags releases it. */
static void flags_kept(struct hx_class *c)
{
	u64 p1 = next_slow_page(), p2 = next_slow_page(), r0;

	area_clear();
	apf_en(area_gpa() | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS);
	hx_check(c, await_wake(), "kept flags: no wake-all");
	hx_apf.keep_flags = true;
	hx_check(c, touch_async(p1), "kept flags: first fault not async");
	r0 = hx_apf.ready;
	hx_check(c, !touch_async(p2) && backing_ok(p2), "kept flags: second "
		 "fault not synchronous, or contents wrong");
	drain(never, DRAIN_CYCLES / 4);
	hx_check(c, hx_apf.ready == r0, "kept flags: a \"ready\" over them");
	hx_apf.keep_flags = false;
	area_buf[FLAGS] = 0;
	hx_check(c, drain(nothing_out, DRAIN_CYCLES), "kept flags cleared: the "
		 "\"ready\" never came");
	hx_check(c, backing_ok(p1), "kept flags: page 0x%lx contents wrong", p1);
	apf_en(0);
}

/* Interrupt mode, token slot garbage, then ACK withheld: each blocks the
 * next "ready" until the guest repairs it. */
static void token_abuse(struct hx_class *c)
{
	u64 en = area_gpa() | KVM_ASYNC_PF_ENABLED | KVM_ASYNC_PF_SEND_ALWAYS |
		 KVM_ASYNC_PF_DELIVERY_AS_INT, w = hx_apf.wake_all;
	u64 p1 = next_slow_page(), p2 = next_slow_page();

	area_clear();
	area_buf[TOKEN] = 0x12345678;
	apf_en(en);
	drain(never, DRAIN_CYCLES / 16);
	hx_check(c, hx_apf.wake_all == w, "garbage token: an interrupt came");
	area_buf[TOKEN] = 0;
	hx_check(c, await_wake(), "garbage token cleared: no wake-all");
	skip_ack = true;
	hx_check(c, touch_async(p1) && drain(nothing_out, DRAIN_CYCLES),
		 "no-ACK: first fault's \"ready\" missing");
	hx_check(c, touch_async(p2), "no-ACK: second fault not async");
	drain(never, DRAIN_CYCLES / 2);
	hx_check(c, hx_apf.nout == 1, "no-ACK: a \"ready\" without the ACK");
	skip_ack = false;
	hx_wrmsr_ok(MSR_KVM_ASYNC_PF_ACK, 1);
	hx_check(c, drain(nothing_out, DRAIN_CYCLES), "ACK given: \"ready\" missing");
	apf_en(0);
}

void hx_class_apf(struct hx_class *c)
{
	en_bits(c);
	en_areas(c);
	ack_msr(c);
	int_msr(c);
	if (hx_m.slow_end - hx_m.slow_start < 64 * PAGE_SIZE) {
		hx_note(c, "fewer than 64 slow pages: in-flight tests skipped");
		return;
	}
	hx_apic_write(APIC_SVR, APIC_SVR_ON);	/* interrupt delivery needs it */
	hx_wrmsr_ok(MSR_KVM_ASYNC_PF_INT, VEC_APF);
	hx_apf.vec = VEC_APF;
	midflight(c);
	area_in_slow_page(c);
	flags_garbage(c);
	flags_kept(c);
	token_abuse(c);
	hx_check(c, hx_apf.stray_ready == 0, "%lu \"ready\" events for tokens "
		 "never given", hx_apf.stray_ready);
	hx_note(c, "%lu not-present, %lu ready, %lu wake-all events; %lu slow "
		"pages used", hx_apf.not_present, hx_apf.ready, hx_apf.wake_all,
		slow_used);
}
