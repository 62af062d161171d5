/*
 * guest-stub/tests.c - the tests: CPUID identity, hypercalls, EPT traps,
 * exceptions handled inside the guest, ring 3, and RAM across many pages
 * (outside apfvisor's slow range); then the APF tests (apftests.c).
 * Each ends in one PASS/FAIL/SKIP line; details of a failure go on
 * "guest-stub:" lines before it.
 *
 * Environment: guest (ring 0), interrupts off, after trap_init().
 */
#include "tests.h"
#include "apftests.h"
#include "cpu.h"
#include "hv.h"
#include "mbi.h"
#include "paging.h"
#include "report.h"
#include "slow.h"
#include "timertests.h"
#include "trap.h"
#include "../vmm/abi.h"

#define NONCANONICAL_VA		0x8000000000000000ull
#define UNDEFINED_MSR		0x12345678u
#define OUTSIDE_RAM_GPA		(1ull << 40)	/* 1 TiB: beyond any test RAM */
#define MEMTEST_START		(4 * MiB)
#define MEMTEST_END		(64 * MiB)
#define MEMTEST_MAX_RANGES	32
#define MEMTEST_SALT		0x5a5aa5a5c3c33c3cull
#define USER_SUM_ARG		10	/* 1 + ... + 10 */
#define USER_SUM_RESULT		55

struct tctx {
	bool apfvisor;		/* apfvisor's CPUID signature is present */
	bool hypercalls;	/* ... and it advertises APFV_FEAT_HYPERCALLS */
};

/* Pages of their own, so that unmapping or trapping them hits nothing else. */
static u8 pf_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 ept_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 user_stack[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 vmxon_region[PAGE_SIZE] __aligned(PAGE_SIZE);
extern const u8 user_sum[], __user_start[], __user_end[];	/* entry.S */
extern u8 __userbss_start[], __userbss_end[];			/* linker.ld */

/* --- bodies run under fault_catch() ------------------------------------ */

static void do_read(void *p)
{
	read_once_u8(p);
}

static void do_write(void *p)
{
	*(volatile u8 *)p = 0x5a;
}

static void do_wrmsr(void *msr)
{
	wrmsr((u32)(uintptr_t)msr, 0);
}

static void do_vmxon(void *region)
{
	vmxon((u64)(uintptr_t)region);
}

static void do_user_sum(void *arg)
{
	user_enter((u64)(uintptr_t)user_sum,
		   (u64)(uintptr_t)(user_stack + PAGE_SIZE), (u64)(uintptr_t)arg,
		   RFLAGS_FIXED);
}

/* --- CPUID --------------------------------------------------------------- */

static void test_cpuid(const struct tctx *t)
{
	bool bit = hv_bit();
	bool kvm = hv_kvm_signature();

	if (bit || t->apfvisor)
		report("cpuid hypervisor bit", bit);
	else
		report_skip("cpuid hypervisor bit", "no hypervisor");
	if (kvm || t->apfvisor)
		report("cpuid kvm signature", kvm);
	else
		report_skip("cpuid kvm signature", "not under apfvisor");
	if (t->apfvisor)
		report("cpuid apfvisor signature", true);
	else
		report_skip("cpuid apfvisor signature", "not under apfvisor");
}

/* Report name as skipped unless apfvisor with hypercalls is present. */
static bool need_hypercalls(const struct tctx *t, const char *name)
{
	if (!t->apfvisor)
		report_skip(name, "not under apfvisor");
	else if (!t->hypercalls)
		report_skip(name, "apfvisor without APFV_FEAT_HYPERCALLS");
	return t->apfvisor && t->hypercalls;
}

/* --- hypercalls ------------------------------------------------------------ */

/* No hypercall returns this: hc() says so when the VMCALL faulted. */
#define HC_FAULTED	(APFV_HC_ENOSYS - 1)

/* Hypercall nr(a1): its result, or HC_FAULTED (hv_call() noted why). */
static u64 hc(u64 nr, u64 a1)
{
	u64 ret;

	return hv_call(nr, a1, &ret) ? ret : HC_FAULTED;
}

static void test_vmcall(const struct tctx *t)
{
	static const char name[] = "vmcall round trip";
	u64 ping, wrap, unknown;

	if (!need_hypercalls(t, name))
		return;
	ping = hc(APFV_HC_PING, 41);
	wrap = hc(APFV_HC_PING, ~0ull);
	unknown = hc(APFV_HC_BASE + 0xfff, 0);
	if (ping != 42 || wrap != 0 || unknown != APFV_HC_ENOSYS)
		report_info("vmcall: ping(41)=0x%lx ping(~0)=0x%lx unknown=0x%lx",
			    ping, wrap, unknown);
	report(name, ping == 42 && wrap == 0 && unknown == APFV_HC_ENOSYS);
}

/* --- EPT trap ----------------------------------------------------------- */

/* Fill ept_page with a pattern that ept_page_intact() checks. */
static void ept_page_fill(void)
{
	for (unsigned i = 0; i < PAGE_SIZE; i++)
		ept_page[i] = (u8)(i * 7 + 3);
}

/* True if ept_page still holds its pattern (reading every byte). */
static bool ept_page_intact(void)
{
	const volatile u8 *p = ept_page;

	for (unsigned i = 0; i < PAGE_SIZE; i++)
		if (p[i] != (u8)(i * 7 + 3))
			return false;
	return true;
}

static void test_ept_trap(const struct tctx *t)
{
	static const char name[] = "ept trap";
	u64 set, c0, c1, c2, einval;
	bool intact;

	if (!need_hypercalls(t, name))
		return;
	ept_page_fill();
	set = hc(APFV_HC_TRAP_PAGE, (u64)(uintptr_t)ept_page);
	c0 = hc(APFV_HC_TRAP_COUNT, 0);
	read_once_u8(ept_page);			/* exits: counted, mapped back */
	c1 = hc(APFV_HC_TRAP_COUNT, 0);
	intact = ept_page_intact();		/* mapped again: no exit */
	c2 = hc(APFV_HC_TRAP_COUNT, 0);
	einval = hc(APFV_HC_TRAP_PAGE, OUTSIDE_RAM_GPA);
	if (set || c1 != c0 + 1 || c2 != c1 || !intact || einval != APFV_HC_EINVAL)
		report_info("ept trap: trap=0x%lx counts %lu/%lu/%lu intact=%d "
			    "outside-ram=0x%lx", set, c0, c1, c2, intact, einval);
	report(name, !set && c1 == c0 + 1 && c2 == c1 && intact &&
		     einval == APFV_HC_EINVAL);
}

/* --- exceptions handled in the guest ------------------------------------ */

/* Run body on p expecting #PF with error code err at p; true if so. */
static bool pf_expect(void (*body)(void *), void *p, u64 err)
{
	struct fault f;

	if (!fault_catch(body, p, &f)) {
		report_info("#PF: access to %p did not fault", p);
		return false;
	}
	if (f.vector != VEC_PF || f.cr2 != (u64)(uintptr_t)p || f.error != err) {
		report_info("#PF: vector %lu cr2=0x%lx err=0x%lx, want 14 %p 0x%lx",
			    f.vector, f.cr2, f.error, p, err);
		return false;
	}
	return true;
}

static void test_pf(const struct tctx *t)
{
	bool ok;

	(void)t;
	pf_page[0] = 0xa5;
	pt_update(pf_page, PAGE_SIZE, 0, PTE_P);
	ok = pf_expect(do_read, pf_page, 0);
	ok &= pf_expect(do_write, pf_page + 8, PF_ERR_W);
	pt_update(pf_page, PAGE_SIZE, PTE_P, 0);
	ok &= read_once_u8(pf_page) == 0xa5;
	report("#PF handled in guest", ok);
}

/* Run body(arg); true if it raised #GP(0). */
static bool gp_raised(void (*body)(void *), void *arg)
{
	struct fault f;

	return fault_catch(body, arg, &f) && f.vector == VEC_GP && f.error == 0;
}

static void test_gp(const struct tctx *t)
{
	(void)t;
	report("#GP handled in guest",
	       gp_raised(do_read, (void *)(uintptr_t)NONCANONICAL_VA));
}

/* Hardware and apfvisor raise #GP for an MSR that does not exist; QEMU's
 * TCG drops the write silently, so another hypervisor only earns a SKIP. */
static void test_wrmsr_gp(const struct tctx *t)
{
	static const char name[] = "wrmsr undefined MSR #GP";
	bool gp = gp_raised(do_wrmsr, (void *)(uintptr_t)UNDEFINED_MSR);

	if (gp || t->apfvisor || !hv_bit())
		report(name, gp);
	else
		report_skip(name, "no #GP under a hypervisor other than apfvisor");
}

/* --- ring 3 ---------------------------------------------------------------- */

/* Let ring 3 use (set) or stop it using (clear) the user code and stack. */
static void user_pages_allow(bool allow)
{
	u64 set = allow ? PTE_U : 0, clear = allow ? 0 : PTE_U;

	pt_update(__user_start, (size_t)(__user_end - __user_start), set, clear);
	pt_update(user_stack, sizeof(user_stack), set, clear);
}

void tests_user_allow(bool allow)
{
	u64 set = allow ? PTE_U : 0, clear = allow ? 0 : PTE_U;

	user_pages_allow(allow);
	pt_update(__userbss_start, (size_t)(__userbss_end - __userbss_start),
		  set, clear);
	slow_user_allow(allow);
}

static void test_ring3(const struct tctx *t)
{
	struct fault f;
	bool back, ok;

	(void)t;
	user_pages_allow(true);
	back = fault_catch(do_user_sum, (void *)USER_SUM_ARG, &f);
	user_pages_allow(false);
	ok = back && f.vector == VEC_SYSCALL && (f.cs & 3) == RPL_USER &&
	     f.rax == USER_SUM_RESULT;
	if (!ok)
		report_info("ring 3: vector %lu cs=0x%lx rax=%lu rip=0x%lx",
			    f.vector, f.cs, f.rax, f.rip);
	report("ring 3 entry and return", ok);
}

/* --- RAM ------------------------------------------------------------------- */

/* The value memtest keeps at address a: differs per word and per page. */
static u64 memtest_value(u64 a)
{
	return a ^ MEMTEST_SALT;
}

/* Return the page-aligned part of r inside [MEMTEST_START, MEMTEST_END). */
static struct mem_range memtest_clip(struct mem_range r)
{
	struct mem_range c = {
		ALIGN_UP(MAX(r.base, MEMTEST_START), PAGE_SIZE),
		ALIGN_DOWN(MIN(r.end, MEMTEST_END), PAGE_SIZE),
	};

	if (c.end < c.base)
		c.end = c.base;
	return c;
}

/* Write (verify=false) or check (verify=true) the page at a; returns
 * false on the first word that does not hold its value. */
static bool memtest_page(u64 a, bool verify)
{
	volatile u64 *p = (volatile u64 *)(uintptr_t)a;

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++, a += 8) {
		if (!verify)
			p[i] = memtest_value(a);
		else if (p[i] != memtest_value(a)) {
			report_info("memory: 0x%lx holds 0x%lx", a, p[i]);
			return false;
		}
	}
	return true;
}

/* Write, or verify, every free RAM page of the test window outside the
 * slow range; returns the number of pages done, or -1 on a mismatch. */
static long memtest_pass(const struct mem_range *r, unsigned n, bool verify)
{
	long pages = 0;

	for (unsigned i = 0; i < n; i++) {
		struct mem_range c = memtest_clip(r[i]);

		for (u64 a = c.base; a < c.end; a += PAGE_SIZE) {
			/* slow pages: a fetch each, and the APF tests' */
			if (mbi_overlaps_boot_data(a, a + PAGE_SIZE) ||
			    slow_overlaps(a, a + PAGE_SIZE))
				continue;
			if (!memtest_page(a, verify))
				return -1;
			pages++;
		}
	}
	return pages;
}

static void test_memory(const struct tctx *t)
{
	static const char name[] = "memory across pages";
	struct mem_range r[MEMTEST_MAX_RANGES];
	unsigned n = mbi_ram(r, ARRAY_SIZE(r));
	long written, checked;

	(void)t;
	written = memtest_pass(r, n, false);
	if (written == 0) {
		report_skip(name, "no RAM above 4 MiB");
		return;
	}
	checked = memtest_pass(r, n, true);
	report_info("memory: %ld pages written, %ld checked, in [0x%llx, 0x%llx)%s",
		    written, checked, MEMTEST_START, MEMTEST_END,
		    slow_present() ? " outside the slow range" : "");
	report(name, checked == written);
}

/* --- entry points ------------------------------------------------------ */

static void (*const tests[])(const struct tctx *) = {
	test_cpuid,
	test_vmcall,
	test_ept_trap,
	test_pf,
	test_gp,
	test_wrmsr_gp,
	test_ring3,
	test_memory,
};

void tests_run(bool apfvisor, const struct guest_config *cfg)
{
	struct tctx t = {
		.apfvisor = apfvisor,
		.hypercalls = apfvisor &&
			      (hv_apfvisor_features() & APFV_FEAT_HYPERCALLS),
	};

	if (t.hypercalls)
		slow_init();
	for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
		tests[i](&t);
	timertests_run(cfg, apfvisor);
	apftests_run(cfg, t.apfvisor, t.hypercalls);
}

void tests_vmx_ud(void)
{
	struct fault f;
	bool faulted = fault_catch(do_vmxon, vmxon_region, &f);

	if (!faulted || f.vector != VEC_UD)
		report_info("vmxon: %s vector %lu", faulted ? "raised" : "no fault,",
			    faulted ? f.vector : 0);
	report("vmx instruction #UD", faulted && f.vector == VEC_UD);
}
