/*
 * guest-stub/trap.h - the IDT, the exception dispatcher and "expected
 * faults": a test arms a recovery point with fault_expect(); an exception
 * inside the armed region is recorded instead of ending the run, and
 * execution resumes at the recovery point.
 *
 * Environment: guest (ring 0), interrupts off.
 *
 *	struct fault f;
 *
 *	if (!fault_expect(&f)) {
 *		... code that should fault ...
 *		fault_disarm();		// reached only if nothing faulted
 *	}
 *	// here f.vector etc. describe the fault, if one happened
 *
 * Like setjmp(): locals changed between arming and the fault must be
 * volatile to be trusted afterwards.
 */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include "../lib/types.h"

#define VEC_NMI		2
#define VEC_UD		6
#define VEC_DF		8
#define VEC_GP		13
#define VEC_PF		14
#define VEC_MC		18
#define VEC_SYSCALL	0x80	/* DPL-3 gate: ring 3 returns to ring 0 */

/* #PF error code bits (SDM Vol. 3A, "Interrupt 14—Page-Fault Exception"). */
#define PF_ERR_P	BIT(0)	/* protection violation (0: not present) */
#define PF_ERR_W	BIT(1)	/* write access */
#define PF_ERR_U	BIT(2)	/* user-mode access */

/* What the entry stubs push: GPRs (entry.S order), then the CPU's frame. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;		/* error is 0 for vectors without one */
	u64 rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

/* What an armed fault_expect() records about the exception that ended it. */
struct fault {
	u64 vector;
	u64 error;
	u64 cr2;	/* CR2 at the time of the exception (meaningful for #PF) */
	u64 rip;	/* where it happened */
	u64 cs;		/* its CS: the RPL gives the CPL it came from */
	u64 rax;	/* RAX then (a ring-3 result passed back via int $0x80) */
};

/* Load the IDT (every vector: exceptions, interrupts, and 0x80 callable
 * from ring 3) and the 64-bit TSS. Call once. */
void trap_init(void);

/* An interrupt handler (vectors 32-255 but 0x80): runs with IF=0 on the
 * interrupted context's stack (ring 0) or the TSS one (ring 3); it sends
 * its own EOI. It may rewrite *tf (a task switch). */
typedef void (*irq_handler)(struct trap_frame *tf);

/* Route vector vec to fn (NULL: none). An interrupt on a vector without
 * a handler is counted as stray, noted on the console and EOIed. */
void irq_set(unsigned vec, irq_handler fn);
/* Interrupts taken on vec since boot, and stray ones in all. */
u64 irq_count(unsigned vec);
u64 irq_stray(void);

/* How many trap_dispatch() calls are active: 1 inside a handler entered
 * straight from a task, the idle loop or main code; more when a handler
 * enabled interrupts and was interrupted. Only depth 1 may switch tasks. */
unsigned trap_depth(void);

/*
 * Arm the recovery point and return false. If an exception then arrives
 * before fault_disarm(), *f is filled, the recovery point is disarmed, and
 * fault_expect() returns true a second time, in ring 0 on the caller's stack.
 * Implemented in entry.S.
 */
bool fault_expect(struct fault *f) __attribute__((returns_twice));

/* Disarm after the armed region completed without an exception. */
void fault_disarm(void);

/* Run fn(arg) with faults expected: returns true if it raised an
 * exception (described in *f), false if it completed. */
bool fault_catch(void (*fn)(void *), void *arg, struct fault *f);

/* WRMSR msr = val / RDMSR msr into *val with faults expected: true if it
 * raised an exception (described in *f), false if it completed. */
bool wrmsr_catch(u32 msr, u64 val, struct fault *f);
bool rdmsr_catch(u32 msr, u64 *val, struct fault *f);

/* Called by entry.S for every exception and interrupt with the saved
 * frame. Interrupts go to their irq_set() handler, an APF event (#PF) to
 * pvapf_handle(), #MC to mce_handle(), int $0x80 to the scheduler while it
 * runs tasks, the rest to an armed fault_expect() or the loud end. */
void trap_dispatch(struct trap_frame *tf);

/* Ring 3 (entry.S): enter user code at rip with stack rsp, RDI = arg and
 * RFLAGS = rflags; only an armed fault_expect() brings control back. */
__noreturn void user_enter(u64 rip, u64 rsp, u64 arg, u64 rflags);

#endif
