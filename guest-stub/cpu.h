/*
 * guest-stub/cpu.h - the instructions the guest needs, as inline functions,
 * and the boot-time objects head.S defines (GDT, TSS, page tables).
 *
 * Environment: guest (ring 0). The only header with inline assembly; the
 * tests reach the hardware through these wrappers.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "../lib/types.h"
#include "layout.h"

/* SDM Vol. 3A, "Task Management in 64-bit Mode". */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == TSS64_SIZE, "64-bit TSS layout");

/* From head.S. */
extern u32 boot_mb_magic, boot_mb_info, boot_taskswitched;
extern u64 boot_gdt[GDT_ENTRIES];
extern struct tss64 boot_tss64;
extern u64 boot_pml4[512], boot_pdpt[512], boot_pd[512], boot_pt0[512];
extern u8 boot_stack_top[], trap_stack_top[];

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/* RFLAGS (SDM Vol. 1, "EFLAGS Register"). */
#define RFLAGS_FIXED		BIT(1)	/* reads as 1 */
#define RFLAGS_IF		BIT(9)

/* CR4 (SDM Vol. 3A, "Control Registers"). */
#define CR4_MCE			BIT(6)	/* machine-check enable */

/* CPUID.1 bits the guest looks at (SDM Vol. 2A, CPUID). */
#define CPUID_1_EDX_MCE		BIT(7)
#define CPUID_1_EDX_APIC	BIT(9)
#define CPUID_1_EDX_MCA		BIT(14)
#define CPUID_1_ECX_X2APIC	BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)

/* For code that ring 3 runs from .usertext: it may call nothing outside. */
#define __always_inline		inline __attribute__((always_inline))

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

/* The TSC; ring 3 may read it too (CR4.TSD stays 0). */
static __always_inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

/* Enable interrupts, halt, disable them again. STI's shadow covers the
 * HLT, so nothing is delivered between the two: a caller that checked its
 * wake-up condition with IF=0 cannot miss the event that ends the HLT. */
static inline void halt_irq_once(void)
{
	asm volatile("sti; hlt; cli" : : : "memory");
}

static inline u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* CR8: the task-priority class (TPR bits 7:4) in 64-bit mode. */
static inline void write_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static inline u64 read_rflags(void)
{
	u64 v;

	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static __always_inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline void invlpg(const volatile void *va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* The descriptor-table register image that LGDT/LIDT read in 64-bit mode. */
struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static inline void lidt(const struct desc_ptr *p)
{
	asm volatile("lidt %0" : : "m"(*p));
}

static inline void ltr(u16 sel)
{
	asm volatile("ltr %0" : : "rm"(sel));
}

/* VMXON with the region at physical address pa (a test: expects #UD). */
static inline void vmxon(u64 pa)
{
	asm volatile("vmxon %0" : : "m"(pa) : "memory", "cc");
}

static inline void int3(void)
{
	asm volatile("int3");
}

/* Stop this CPU for good: interrupts off, HLT in a loop. */
static inline __noreturn void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/*
 * One apfvisor hypercall (vmm/abi.h): VMCALL with RAX = nr and arguments
 * in RBX, RCX, RDX; returns RAX. The hypervisor may write RBX-RDX.
 */
static inline u64 vmcall(u64 nr, u64 a1, u64 a2, u64 a3)
{
	asm volatile("vmcall"
		     : "+a"(nr), "+b"(a1), "+c"(a2), "+d"(a3)
		     : : "memory");
	return nr;
}

/* The registers of a VMCALL whose results come back in RBX-RSI too. */
struct vmcall_regs {
	u64 rax, rbx, rcx, rdx, rsi;
};

/* VMCALL with r's registers in, and all five of them back out. */
static inline void vmcall_regs(struct vmcall_regs *r)
{
	asm volatile("vmcall"
		     : "+a"(r->rax), "+b"(r->rbx), "+c"(r->rcx), "+d"(r->rdx),
		       "+S"(r->rsi)
		     : : "memory");
}

/* Read one byte through a volatile pointer, so the access really happens. */
static inline u8 read_once_u8(const volatile void *p)
{
	return *(const volatile u8 *)p;
}

#endif
