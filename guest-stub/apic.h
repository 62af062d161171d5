/*
 * guest-stub/apic.h - the guest's local-APIC driver (SDM Vol. 3A,
 * "Advanced Programmable Interrupt Controller (APIC)"): x2APIC mode
 * through MSRs 0x800-0x8ff by default, or xAPIC mode through MMIO at the
 * IA32_APIC_BASE address (apic=x), with plain 32-bit MOV loads and stores
 * as apfvisor's MMIO emulation decodes them. SVR (software enable,
 * spurious vector 0xff), EOI, TPR, self-IPIs, IRR/ISR reads and the
 * timer in its three modes.
 *
 * Environment: guest ring 0, IF=0 (or inside an interrupt handler).
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include "../lib/types.h"

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16. */
#define APIC_REG_ID		0x020
#define APIC_REG_VERSION	0x030
#define APIC_REG_TPR		0x080
#define APIC_REG_PPR		0x0a0
#define APIC_REG_EOI		0x0b0
#define APIC_REG_SVR		0x0f0
#define APIC_REG_ISR		0x100
#define APIC_REG_IRR		0x200
#define APIC_REG_ESR		0x280
#define APIC_REG_ICR		0x300
#define APIC_REG_ICR_HI		0x310
#define APIC_REG_LVT_TIMER	0x320
#define APIC_REG_LVT_THERMAL	0x330
#define APIC_REG_LVT_PERF	0x340
#define APIC_REG_LVT_LINT0	0x350
#define APIC_REG_LVT_LINT1	0x360
#define APIC_REG_LVT_ERROR	0x370
#define APIC_REG_TMICT		0x380
#define APIC_REG_TMCCT		0x390
#define APIC_REG_TDCR		0x3e0

#define APIC_SVR_ENABLE		BIT(8)
#define APIC_LVT_MASKED		BIT(16)
#define APIC_TIMER_ONESHOT	(0u << 17)
#define APIC_TIMER_PERIODIC	(1u << 17)
#define APIC_TIMER_TSC_DEADLINE	(2u << 17)
#define APIC_TDCR_DIV1		0xb

enum apic_mode {
	APIC_MODE_NONE = 0,	/* not used (absent, or apic=off) */
	APIC_MODE_XAPIC,	/* MMIO */
	APIC_MODE_X2APIC,	/* MSRs */
};

/* Bring the LAPIC up in x2APIC mode when want_x2 and CPUID offers it,
 * else in xAPIC mode (MMIO mapped uncached): globally enabled, SVR =
 * enable | 0xff, TPR 0, every LVT masked. mask_pic: also mask the 8259
 * PICs (bare machines, where firmware may have left them live). Returns
 * the mode used (APIC_MODE_NONE without a LAPIC). */
enum apic_mode apic_init(bool want_x2, bool mask_pic);
enum apic_mode apic_mode(void);
const char *apic_mode_name(void);
/* CPUID.1:ECX.TSC_DEADLINE: the timer has TSC-deadline mode. */
bool apic_has_tsc_deadline(void);

u32 apic_read(u32 off);
void apic_write(u32 off, u32 val);
void apic_eoi(void);
void apic_set_tpr(u32 tpr);
/* SVR bit 8: the software enable (off: fixed interrupts are not
 * accepted, and every LVT entry becomes masked). */
void apic_sw_enable(bool on);
/* A fixed interrupt to this CPU (x2APIC SELF IPI MSR; xAPIC ICR with
 * the "self" shorthand). */
void apic_self_ipi(u8 vector);
/* Is vector set in IRR / ISR? */
bool apic_irr(u8 vector);
bool apic_isr(u8 vector);

/* The timer at divide 1: count TSC-rate ticks (under apfvisor; another
 * APIC counts at its own bus rate). A count of 0 stops it. */
void apic_timer_periodic(u8 vector, u32 count);
void apic_timer_oneshot(u8 vector, u32 count);
/* TSC-deadline mode armed for tsc (0: disarmed). */
void apic_timer_tsc_deadline(u8 vector, u64 tsc);
/* Stop the timer and mask its LVT entry. */
void apic_timer_stop(void);

#endif
