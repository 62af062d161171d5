/*
 * vmm/cpu.h - the x86 instructions the hypervisor itself uses, as inline
 * functions, and the architectural register bits it names.
 *
 * Environment: VMX root (or before VMXON), CPL 0, IF=0. Hardware-facing:
 * never included by the pure modules.
 */
#ifndef VMM_CPU_H
#define VMM_CPU_H

#include "../lib/types.h"
#include "cpuid.h"

#define CR0_PE		BIT(0)
#define CR0_NE		BIT(5)
#define CR0_NW		BIT(29)
#define CR0_CD		BIT(30)
#define CR0_PG		BIT(31)
#define CR4_PAE		BIT(5)
#define CR4_MCE		BIT(6)
#define CR4_VMXE	BIT(13)
#define CR4_SMXE	BIT(14)
#define CR4_OSXSAVE	BIT(18)
#define CR4_PKE		BIT(22)
#define CR4_UMIP	BIT(11)
#define CR4_LA57	BIT(12)
#define CR4_KL		BIT(19)
#define CR4_CET		BIT(23)
#define CR4_PKS		BIT(24)
/* CR4 bits for features CPUID hides from the guest (vmm/cpuid.c zeroes
 * leaf 7's ECX/EDX and XSAVE): setting one raises #GP. */
#define CR4_HIDDEN	(CR4_VMXE | CR4_SMXE | CR4_UMIP | CR4_LA57 | \
			 CR4_OSXSAVE | CR4_KL | CR4_PKE | CR4_CET | CR4_PKS)

#define RFLAGS_CF	BIT(0)
#define RFLAGS_RSVD1	BIT(1)
#define RFLAGS_ZF	BIT(6)
#define RFLAGS_TF	BIT(8)
#define RFLAGS_IF	BIT(9)

#define EFER_SCE	BIT(0)
#define EFER_LME	BIT(8)
#define EFER_LMA	BIT(10)
#define EFER_NXE	BIT(11)

#define MSR_IA32_FEATURE_CONTROL	0x3a
#define MSR_IA32_SYSENTER_CS		0x174
#define MSR_IA32_SYSENTER_ESP		0x175
#define MSR_IA32_SYSENTER_EIP		0x176
#define MSR_IA32_PAT			0x277
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_VMX_PINBASED_CTLS	0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_EXIT_CTLS		0x483
#define MSR_IA32_VMX_ENTRY_CTLS		0x484
#define MSR_IA32_VMX_MISC		0x485
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x490
#define MSR_IA32_EFER			0xc0000080
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101

#define CPUID_1_ECX_VMX		BIT(5)
#define CPUID_1_ECX_HYPERVISOR	BIT(31)

static inline void cpu_cpuid(u32 leaf, u32 sub, struct cpuid_regs *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(sub));
}

static inline u64 cpu_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

#define CPU_CR_ACCESSORS(n)						\
static inline u64 cpu_read_cr##n(void)					\
{									\
	u64 v;								\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v));			\
	return v;							\
}									\
static inline void cpu_write_cr##n(u64 v)				\
{									\
	asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");		\
}
CPU_CR_ACCESSORS(0)
CPU_CR_ACCESSORS(2)
CPU_CR_ACCESSORS(3)
CPU_CR_ACCESSORS(4)
#undef CPU_CR_ACCESSORS

static inline u64 cpu_rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 cpu_inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 cpu_read_sel(int which)
{
	u16 v = 0;

	switch (which) {
	case 0: asm volatile("mov %%cs, %0" : "=r"(v)); break;
	case 1: asm volatile("mov %%ss, %0" : "=r"(v)); break;
	case 2: asm volatile("mov %%ds, %0" : "=r"(v)); break;
	case 3: asm volatile("mov %%es, %0" : "=r"(v)); break;
	case 4: asm volatile("mov %%fs, %0" : "=r"(v)); break;
	case 5: asm volatile("mov %%gs, %0" : "=r"(v)); break;
	case 6: asm volatile("str %0" : "=r"(v)); break;
	}
	return v;
}

struct __packed desc_ptr {
	u16 limit;
	u64 base;
};

static inline void cpu_sgdt(struct desc_ptr *d) { asm volatile("sgdt %0" : "=m"(*d)); }
static inline void cpu_sidt(struct desc_ptr *d) { asm volatile("sidt %0" : "=m"(*d)); }

static inline __noreturn void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/* Host descriptor tables: GDT from boot/head.S, TSS and IDT from cpu.c. */
#define HOST_SEL_CODE	0x08
#define HOST_SEL_DATA	0x10
#define HOST_SEL_TSS	0x18

/* MAXPHYADDR (CPUID 0x80000008.EAX[7:0]; 36 when the leaf is absent). */
static inline u8 cpu_maxphyaddr(void)
{
	struct cpuid_regs r;

	cpu_cpuid(0x80000000, 0, &r);
	if (r.eax < 0x80000008)
		return 36;
	cpu_cpuid(0x80000008, 0, &r);
	return (u8)r.eax;
}

/* Install the host TSS and exception IDT; every host exception panics. */
void cpu_init(void);

#endif
