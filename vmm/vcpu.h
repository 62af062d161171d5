/*
 * vmm/vcpu.h - one virtual CPU: its registers, VMCS, EPT, guest RAM, and
 * the state of the exit being handled.
 *
 * Environment: VMX root, IF=0. apfvisor runs one vCPU on the boot CPU.
 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "../vmx/vmx.h"
#include "../ept/ept.h"
#include "cmdline.h"
#include "../apf/apf.h"
#include "../apf/pager.h"
#include "../apic/vlapic.h"
#include "mce.h"

#define VCPU_EXIT_RING 16	/* last exits kept for post-mortem dumps */
#define VCPU_MAX_TRAPS 16	/* pages trapped by APFV_HC_TRAP_PAGE */

struct exit_record {
	u32 reason;
	u64 qual;
	u64 rip;
	u64 gpa;
};

/* What an exit handler asks the run loop to do next. */
enum exit_action {
	EXIT_RESUME,		/* re-enter at the same RIP */
	EXIT_SKIP,		/* advance RIP past the instruction, re-enter */
	EXIT_DONE,		/* the guest ended the run */
};

struct vcpu {
	struct guest_regs regs;		/* first: entry.S takes &vcpu->regs */
	const struct vmm_config *cfg;
	void *vmcs;
	void *msr_bitmap;
	void *io_bitmap_a, *io_bitmap_b;
	struct ept ept;
	u8 *ram;			/* host view of guest RAM */
	u64 ram_hpa, ram_size;
	bool launched;

	/* the exit being handled */
	u32 exit_reason;
	u64 exit_qual;

	/* post-mortem ring of the last exits */
	struct exit_record ring[VCPU_EXIT_RING];
	u32 ring_next;
	u64 nexits;

	/* pages taken out of EPT for APFV_HC_TRAP_PAGE */
	u64 traps[VCPU_MAX_TRAPS];
	u32 ntraps;

	u32 guest_exit_code;

	/* asynchronous page faults (vmm/apfhost.c) */
	struct apf apf;
	struct pager pager;
	u32 timer_shift;		/* preemption timer = TSC >> shift */

	/* local APIC (apic/lapic.c) */
	struct vlapic lapic;
	bool lapic_hw_ok;		/* CPU can virtualize it, apic=auto */
	bool lapic_hw;			/* hardware path in use now */
	u64 lapic_eoi_exits;
	u64 lapic_hw_posted;		/* vectors handed to the CPU via RVI */

	struct mce mce;			/* failed fetches, synchronously */
};

/* Set up VMCS, EPT and bitmaps for a guest whose RAM is already filled;
 * the guest starts at entry in 32-bit protected mode with EAX = magic and
 * EBX = mbi, as a Multiboot (v1 or v2) loader leaves them. */
void vcpu_init(struct vcpu *v, const struct vmm_config *cfg, u8 *ram,
	       u64 ram_size, u32 entry, u32 magic, u32 mbi);
/* Run the guest until it ends the run; never returns. */
__noreturn void vcpu_run(struct vcpu *v);

/* HLT: wait (the guest running nothing) until an interrupt or APF event
 * can wake the guest; true then, false if nothing ever could. */
bool vcpu_halt(struct vcpu *v);
/* The CR0 the CPU runs with for a guest that asked for v: VMX's fixed
 * bits, except PE and PG, which unrestricted guest leaves free. */
u64 vcpu_cr0_real(u64 v);
/* Step past an emulated instruction of len bytes (ends an STI/MOV-SS
 * shadow, as completing it would). */
void vcpu_advance_rip(u64 len);
/* Is the guest in 64-bit mode (IA-32e with CS.L)? */
bool vcpu_long_mode(void);
/* General-purpose register n as the guest's current mode sees it: all 64
 * bits in 64-bit mode, the low 32 otherwise (as KVM reads hypercall and
 * MOV-to-CR operands). */
u64 vcpu_gpr(const struct vcpu *v, u32 n);
/* Guest CPL (SS.DPL). */
u32 vcpu_cpl(void);
/* Queue a hardware exception for the next VM entry. */
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error,
			   u32 error);
/* Dump guest state and the exit ring to the console. */
void vcpu_dump(const struct vcpu *v);

/* Exit dispatch (vmm/exits.c). */
enum exit_action exits_handle(struct vcpu *v);

#endif
