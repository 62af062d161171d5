/*
 * tests/hostile/hostile.h - the hostile guest: what its classes share.
 *
 * The guest throws every input it can at apfvisor, one class at a time
 * (APF MSRs, LAPIC, CPUID, MSRs, I/O ports, VMX and control-register
 * instructions, memory), and checks each answer against the architectural
 * one in docs/abi.md. A class ends with one line:
 *   PASS: hostile <class> (N values)
 *   FAIL: hostile <class>: M of N values wrong
 *   XFAIL: hostile <class> (N values, K known deviations)
 * and the run with SUMMARY and the exit code through port 0xf4.
 *
 * Expected faults use an exception table: an instruction wrapped in
 * HX_TRY() that raises an exception resumes after itself, with the vector
 * in hx_fault (the Linux extable idea; no setjmp).
 *
 * Environment: guest, 64-bit, ring 0, IF=0 unless a test says otherwise.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "../../lib/types.h"
#include "hx_layout.h"

/* --- exceptions and interrupts (trap.c, entry.S) ---------------------- */

#define HX_NONE		(-1)	/* hx_fault.vector: nothing faulted */
#define VEC_UD		6
#define VEC_GP		13
#define VEC_PF		14

/* What entry.S pushes: GPRs, then vector/error, then the CPU's frame. */
struct hx_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

/* The last expected fault: set by the trap handler for an HX_TRY site. */
struct hx_fault {
	int vector;
	u64 error;
};
extern volatile struct hx_fault hx_fault;

/* One instruction that may fault; resumes after it either way. */
#define HX_TRY(insn)							\
	"1: " insn "\n2:\n"						\
	".pushsection .extable, \"a\"\n.balign 8\n.quad 1b, 2b\n"	\
	".popsection\n"

/* Load the IDT. An exception outside HX_TRY that is no APF event ends
 * the run with a FAIL line. */
void hx_trap_init(void);
/* Interrupts taken on vec since boot; on all vectors. */
u64 hx_irq_count(unsigned vec);
u64 hx_irq_total(void);

/* --- reporting (main.c) ------------------------------------------------ */

struct hx_class {
	const char *name;
	u64 values;	/* inputs tried, each with its answer checked */
	u64 bad;	/* answers that were wrong */
	u64 known;	/* wrong, but a deviation docs/abi.md admits */
	u64 shown;
};

void hx_printf(const char *fmt, ...) __printf(1, 2);
/* Count one value; if !ok, count it wrong and show the first few. */
bool hx_check(struct hx_class *c, bool ok, const char *fmt, ...) __printf(3, 4);
/* As hx_check, for a deviation docs/abi.md lists as not done yet. */
bool hx_known(struct hx_class *c, bool ok, const char *fmt, ...) __printf(3, 4);
/* Check that RDMSR msr answers want (and does not fault). */
bool hx_msr_is(struct hx_class *c, u32 msr, u64 want);
/* Note what a class left out (on the console, prefixed "hostile:"). */
void hx_note(struct hx_class *c, const char *fmt, ...) __printf(2, 3);
__noreturn void hx_abort(const char *fmt, ...) __printf(1, 2);

/* The machine as the guest found it (main.c). */
struct hx_machine {
	u64 ram;		/* guest RAM size: mem_upper + 1 MiB */
	u64 image_start, image_end;
	u64 slow_start, slow_end, seed, slow_pct;
	u32 maxphy;		/* CPUID 0x80000008 EAX[7:0] */
};
extern struct hx_machine hx_m;

/* Is name in the guest command line's skip=a,b,... list? Inputs that
 * end the run on a known hypervisor bug can be skipped this way, so the
 * other classes still report. */
bool hx_skip(const char *name);

/* xorshift64*: the "random" leaves, MSRs and values (fixed seed). */
u64 hx_rand(void);
/* Is guest-physical page gfn slow (docs/abi.md, "The slow backing store")? */
bool hx_slow_page(u64 gfn);

/* --- the classes ------------------------------------------------------- */

void hx_class_apf(struct hx_class *c);
void hx_class_lapic(struct hx_class *c);
void hx_class_lapic_edge(struct hx_class *c);
void hx_class_cpuid(struct hx_class *c);
void hx_class_msr(struct hx_class *c);
void hx_class_io(struct hx_class *c);
void hx_class_vmx(struct hx_class *c);
void hx_class_cr(struct hx_class *c);
void hx_class_mem(struct hx_class *c);

/* --- APF, guest side (apf.c): also used by the memory class ------------ */

/* The shared area the guest believes enabled (NULL: none) and its mode. */
struct hx_apf {
	volatile u32 *area;
	bool int_mode;
	bool keep_flags;	/* hostile: leave "not present" uncleared */
	u32 vec;
	u64 not_present, ready, wake_all, stray_ready, skipped;
	u32 out[128];		/* tokens given "not present", no "ready" yet */
	u32 nout;
	u64 slow_touched_end;	/* the apf-msr class touched slow pages below */
};
extern struct hx_apf hx_apf;
/* #PF hook: true if f was an APF event (handled), false for a real #PF. */
bool hx_apf_pf(struct hx_frame *f);
/* Interrupt-mode "page ready" hook for vector hx_apf.vec. */
void hx_apf_irq(struct hx_frame *f);
/* Touch every slow page in [start, end) asynchronously, 32 at once in
 * flight, then wait for all: the fast way to bring the range in. Returns
 * how many "not present" got no "ready" in time. */
u32 hx_apf_prefetch(u64 start, u64 end);
u64 hx_apf_touch(const volatile u64 *p, bool irq);	/* entry.S */

/* --- the LAPIC, for EOI from the interrupt handler (lapic.c) ----------- */
enum hx_apic_mode { HX_APIC_OFF, HX_APIC_XAPIC, HX_APIC_X2APIC };
extern enum hx_apic_mode hx_apic_mode;
/* EOI vec if it is in service (a spurious vector never is). */
void hx_apic_eoi_if_isr(unsigned vec);
/* A LAPIC register by its xAPIC offset, through MMIO or the x2APIC MSR
 * as the mode is; nothing while the APIC is off. */
u32 hx_apic_read(u32 off);
void hx_apic_write(u32 off, u32 val);

/* --- instructions ------------------------------------------------------ */

struct hx_cpuid { u32 a, b, c, d; };

static inline struct hx_cpuid hx_cpuid(u32 leaf, u32 sub)
{
	struct hx_cpuid r;

	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "a"(leaf), "c"(sub));
	return r;
}

/* RDMSR/WRMSR: the vector they raised, or HX_NONE. */
static inline int hx_rdmsr(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;

	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = (u64)hi << 32 | lo;
	return hx_fault.vector;
}

static inline int hx_wrmsr(u32 msr, u64 val)
{
	hx_fault.vector = HX_NONE;
	asm volatile(HX_TRY("wrmsr") : : "c"(msr), "a"((u32)val),
		     "d"((u32)(val >> 32)) : "memory");
	return hx_fault.vector;
}

/* RDMSR/WRMSR that must not fault (the run ends if they do). */
static inline u64 hx_rdmsr_ok(u32 msr)
{
	u64 v;

	if (hx_rdmsr(msr, &v) != HX_NONE)
		hx_abort("rdmsr 0x%x raised #%d", msr, hx_fault.vector);
	return v;
}

static inline void hx_wrmsr_ok(u32 msr, u64 val)
{
	if (hx_wrmsr(msr, val) != HX_NONE)
		hx_abort("wrmsr 0x%x = 0x%lx raised #%d", msr, val, hx_fault.vector);
}

static inline u8 hx_inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 hx_inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 hx_inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void hx_outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void hx_outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void hx_outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u64 hx_rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

/* VMCALL: RAX = nr, RBX = arg; returns RAX; out[0..3] = RBX, RCX, RDX, RSI. */
static inline u64 hx_vmcall(u64 nr, u64 arg, u64 out[4])
{
	u64 b = arg, c = 0, d = 0, s = 0;

	asm volatile("vmcall" : "+a"(nr), "+b"(b), "+c"(c), "+d"(d), "+S"(s)
		     : : "memory");
	if (out) {
		out[0] = b;
		out[1] = c;
		out[2] = d;
		out[3] = s;
	}
	return nr;
}

/* Loads and stores that are one plain MOV, as apfvisor's MMIO emulation
 * requires (docs/abi.md, "Memory"). */
static inline u64 hx_read64(u64 gpa)
{
	u64 v;

	asm volatile("movq (%1), %0" : "=r"(v) : "r"(gpa) : "memory");
	return v;
}

static inline void hx_write64(u64 gpa, u64 v)
{
	asm volatile("movq %0, (%1)" : : "r"(v), "r"(gpa) : "memory");
}

static inline u32 hx_read32(u64 gpa)
{
	u32 v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(gpa) : "memory");
	return v;
}

static inline void hx_write32(u64 gpa, u32 v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(gpa) : "memory");
}

static inline void hx_sti(void) { asm volatile("sti" ::: "memory"); }
static inline void hx_cli(void) { asm volatile("cli" ::: "memory"); }

/* Let pending interrupts in for about `cycles` TSC cycles, then IF=0. */
void hx_irq_window(u64 cycles);

/* --- paging (main.c) --------------------------------------------------- */

/* Map the GiB holding gpa (at or above 4 GiB) with 2 MiB pages; false if
 * out of page directories or above what one PML4 entry covers. */
bool hx_map_high(u64 gpa);

/* --- apfvisor ABI constants (shared with the hypervisor) --------------- */
#include "../../vmm/abi.h"
#include "../../apf/kvm_para.h"

#endif
