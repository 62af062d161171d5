/*
 * guest-stub/trap.c - IDT set-up and the C side of exception handling:
 * APF events and scheduler calls to their modules, recovery for armed
 * expected faults, a loud end for all others
 * (SDM Vol. 3A, "Interrupt and Exception Handling").
 *
 * Environment: guest (ring 0), interrupts off; entered from entry.S.
 */
#include <stddef.h>
#include "trap.h"
#include "cpu.h"
#include "console.h"
#include "report.h"
#include "pvapf.h"
#include "sched.h"
#include "apic.h"
#include "mce.h"

#define FIRST_IRQ	32	/* vectors below are exceptions */
#define STRAY_SHOW	8	/* stray interrupts noted on the console */
#define GATE_INTR64	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define GATE_DPL(d)	((d) << 5)

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off_mid;
	u32 off_hi;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

/* Saved by fault_expect() (entry.S), which uses the FJ_* offsets. */
struct fault_jmp {
	u64 rbx, rbp, r12, r13, r14, r15;
	u64 rsp, rip, rflags;
	struct fault *out;
	u64 armed;
};
_Static_assert(offsetof(struct fault_jmp, rbx) == FJ_RBX, "FJ_RBX");
_Static_assert(offsetof(struct fault_jmp, rbp) == FJ_RBP, "FJ_RBP");
_Static_assert(offsetof(struct fault_jmp, r12) == FJ_R12, "FJ_R12");
_Static_assert(offsetof(struct fault_jmp, r15) == FJ_R15, "FJ_R15");
_Static_assert(offsetof(struct fault_jmp, rsp) == FJ_RSP, "FJ_RSP");
_Static_assert(offsetof(struct fault_jmp, rip) == FJ_RIP, "FJ_RIP");
_Static_assert(offsetof(struct fault_jmp, rflags) == FJ_RFLAGS, "FJ_RFLAGS");
_Static_assert(offsetof(struct fault_jmp, out) == FJ_OUT, "FJ_OUT");
_Static_assert(offsetof(struct fault_jmp, armed) == FJ_ARMED, "FJ_ARMED");

struct fault_jmp fault_jmp;		/* written by entry.S */
extern const u8 trap_stubs[];		/* entry.S: TRAP_STUB_SIZE apart */

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static irq_handler irq_handlers[IDT_VECTORS];
static u64 irq_counts[IDT_VECTORS], irq_strays;
static unsigned depth;

/* Point vector vec at handler through a 64-bit interrupt gate (IF cleared
 * on entry) callable from privilege level dpl. */
static void idt_set(unsigned vec, u64 handler, unsigned dpl)
{
	idt[vec] = (struct idt_gate){
		.off_lo = handler & 0xffff,
		.sel = SEL_KCODE64,
		.type = GATE_INTR64 | GATE_DPL(dpl),
		.off_mid = (handler >> 16) & 0xffff,
		.off_hi = handler >> 32,
	};
}

void trap_init(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	for (unsigned v = 0; v < IDT_VECTORS; v++)
		idt_set(v, (u64)(uintptr_t)(trap_stubs + v * TRAP_STUB_SIZE),
			v == VEC_SYSCALL ? RPL_USER : 0);
	lidt(&idtr);
	boot_tss64.rsp[0] = (u64)(uintptr_t)trap_stack_top;
	ltr(SEL_TSS64);
}

void irq_set(unsigned vec, irq_handler fn)
{
	if (vec >= FIRST_IRQ && vec < IDT_VECTORS && vec != VEC_SYSCALL)
		irq_handlers[vec] = fn;
}

u64 irq_count(unsigned vec)
{
	return vec < IDT_VECTORS ? irq_counts[vec] : 0;
}

u64 irq_stray(void)
{
	return irq_strays;
}

unsigned trap_depth(void)
{
	return depth;
}

/* An interrupt: its handler, or a stray (EOIed: it is in service). */
static void irq_dispatch(struct trap_frame *tf)
{
	unsigned vec = (unsigned)tf->vector;

	irq_counts[vec]++;
	if (irq_handlers[vec]) {
		irq_handlers[vec](tf);
		return;
	}
	if (irq_strays++ < STRAY_SHOW)
		report_info("stray interrupt, vector 0x%x at rip=0x%lx", vec,
			    tf->rip);
	apic_eoi();
}

void fault_disarm(void)
{
	fault_jmp.armed = 0;
}

bool fault_catch(void (*fn)(void *), void *arg, struct fault *f)
{
	if (fault_expect(f))
		return true;
	fn(arg);
	fault_disarm();
	return false;
}

bool wrmsr_catch(u32 msr, u64 val, struct fault *f)
{
	if (fault_expect(f))
		return true;
	wrmsr(msr, val);
	fault_disarm();
	return false;
}

bool rdmsr_catch(u32 msr, u64 *val, struct fault *f)
{
	if (fault_expect(f))
		return true;
	*val = rdmsr(msr);
	fault_disarm();
	return false;
}

/* Rewrite tf so that IRETQ returns from fault_expect() with true, in ring 0
 * with the registers and stack its caller had. */
static void fault_resume_frame(struct trap_frame *tf)
{
	tf->rbx = fault_jmp.rbx;
	tf->rbp = fault_jmp.rbp;
	tf->r12 = fault_jmp.r12;
	tf->r13 = fault_jmp.r13;
	tf->r14 = fault_jmp.r14;
	tf->r15 = fault_jmp.r15;
	tf->rax = 1;
	tf->rip = fault_jmp.rip;
	tf->cs = SEL_KCODE64;
	tf->rflags = fault_jmp.rflags;
	tf->rsp = fault_jmp.rsp;
	tf->ss = SEL_KDATA;
}

/* If a recovery point is armed, record the exception in tf and resume
 * there; returns false when the exception is not an expected one. NMI, #DF
 * and #MC are never expected: they mean the machine itself is in trouble. */
static bool fault_recover(struct trap_frame *tf)
{
	if (!fault_jmp.armed || tf->vector == VEC_NMI ||
	    tf->vector == VEC_DF || tf->vector == VEC_MC)
		return false;
	*fault_jmp.out = (struct fault){
		.vector = tf->vector,
		.error = tf->error,
		.cr2 = read_cr2(),
		.rip = tf->rip,
		.cs = tf->cs,
		.rax = tf->rax,
	};
	fault_jmp.armed = 0;
	fault_resume_frame(tf);
	return true;
}

/* An exception nobody expected: dump the frame and end the run (status 1). */
static __noreturn void trap_unexpected(const struct trap_frame *tf)
{
	static bool dying;

	if (dying)		/* faulted while reporting one: just stop */
		report_end(1);
	dying = true;
	report_info("cs=0x%lx rflags=0x%lx rsp=0x%lx ss=0x%lx",
		    tf->cs, tf->rflags, tf->rsp, tf->ss);
	report_info("rax=0x%lx rbx=0x%lx rcx=0x%lx rdx=0x%lx rsi=0x%lx rdi=0x%lx",
		    tf->rax, tf->rbx, tf->rcx, tf->rdx, tf->rsi, tf->rdi);
	report_abort("unexpected exception %lu err=0x%lx rip=0x%lx cr2=0x%lx",
		     tf->vector, tf->error, tf->rip, read_cr2());
}

void trap_dispatch(struct trap_frame *tf)
{
	depth++;
	if (tf->vector >= FIRST_IRQ && tf->vector != VEC_SYSCALL)
		irq_dispatch(tf);
	else if (tf->vector == VEC_PF && pvapf_handle(tf))
		;
	else if (tf->vector == VEC_MC && mce_handle(tf))
		;
	else if (tf->vector == VEC_SYSCALL && sched_syscall(tf))
		;
	else if (!fault_recover(tf))
		trap_unexpected(tf);
	depth--;
}
