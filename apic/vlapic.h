/*
 * apic/vlapic.h - the virtual local APIC of one vCPU as a pure register
 * model (SDM Vol. 3A, "Advanced Programmable Interrupt Controller (APIC)").
 *
 * The registers live in a caller-provided 4 KiB page in the xAPIC MMIO
 * layout, the same page the CPU uses as the "virtual-APIC page", so the
 * hypervisor can later hand it to APIC virtualization unchanged. Two front
 * doors reach it: xAPIC MMIO (offset in the page) and the x2APIC MSRs
 * (0x800 + offset / 16). No hardware access: time comes in as `now`.
 *
 * Timer clock: the APIC timer counts at the TSC rate divided by the divide
 * configuration (1..128), so one timer tick is 1 << shift TSC cycles. The
 * guest calibrates the timer against the TSC anyway, and this keeps every
 * deadline in the one unit the hypervisor's clock uses.
 *
 * One vCPU: an IPI reaches this APIC when its destination includes self
 * (shorthand self or all-including-self, physical ID or broadcast, or a
 * logical match of LDR/DFR); other targets are dropped. Only fixed and
 * lowest-priority delivery are modelled; NMI, SMI, INIT, SIPI and ExtINT
 * IPIs are ignored. Every interrupt is edge-triggered (TMR stays 0) and the
 * delivery-status bits always read idle.
 *
 * Environment: VMX root, IF=0, or host tests.
 */
#ifndef APIC_VLAPIC_H
#define APIC_VLAPIC_H

#include "../lib/types.h"

/* --- register offsets in the xAPIC page (SDM "Local APIC Register
 * Address Map") ---------------------------------------------------- */
#define APIC_PAGE_SIZE		4096
#define APIC_ID			0x020
#define APIC_VERSION		0x030
#define APIC_TPR		0x080	/* task priority */
#define APIC_APR		0x090	/* arbitration priority: reads 0 */
#define APIC_PPR		0x0a0	/* processor priority */
#define APIC_EOI		0x0b0
#define APIC_RRD		0x0c0	/* remote read: reads 0 */
#define APIC_LDR		0x0d0	/* logical destination */
#define APIC_DFR		0x0e0	/* destination format (xAPIC only) */
#define APIC_SVR		0x0f0	/* spurious-interrupt vector */
#define APIC_ISR		0x100	/* 8 registers, 0x100-0x170 */
#define APIC_TMR		0x180	/* 8 registers, 0x180-0x1f0 */
#define APIC_IRR		0x200	/* 8 registers, 0x200-0x270 */
#define APIC_ESR		0x280	/* error status */
#define APIC_LVT_CMCI		0x2f0	/* absent: max LVT entry is 5 */
#define APIC_ICR		0x300	/* interrupt command, bits 31:0 */
#define APIC_ICR_HI		0x310	/* interrupt command, bits 63:32 */
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_THERMAL	0x330
#define APIC_LVT_PERF		0x340
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_LVT_ERROR		0x370
#define APIC_TMICT		0x380	/* timer initial count */
#define APIC_TMCCT		0x390	/* timer current count */
#define APIC_TDCR		0x3e0	/* timer divide configuration */
#define APIC_SELF_IPI		0x3f0	/* x2APIC only, write-only */
#define APIC_REG_STRIDE		0x10	/* one 32-bit register per 16 bytes */
#define APIC_REG_END		0x400	/* no register at or above */

/* ID: xAPIC keeps the 8-bit ID in bits 31:24; x2APIC reads all 32 bits. */
#define APIC_ID_SHIFT		24
#define APIC_ID_MASK		GENMASK(31, 24)

/* Version: 0x14 = integrated APIC; bits 23:16 = max LVT entry (5: timer,
 * thermal, perf, LINT0, LINT1, error; no CMCI); bit 24 (EOI-broadcast
 * suppression) clear. */
#define APIC_VERSION_ID		0x14
#define APIC_VERSION_MAXLVT_SHIFT 16
#define APIC_MAX_LVT		5
#define APIC_VERSION_VALUE	((APIC_MAX_LVT << APIC_VERSION_MAXLVT_SHIFT) | \
				 APIC_VERSION_ID)

/* TPR / PPR: bits 7:4 priority class, 3:0 sub-class. */
#define APIC_PRIO_MASK		0xff
#define APIC_PRIO_CLASS(p)	((p) >> 4)

/* DFR: bits 31:28 the model, bits 27:0 read as 1s. */
#define APIC_DFR_MODEL_MASK	GENMASK(31, 28)
#define APIC_DFR_RSVD_ONES	GENMASK(27, 0)
#define APIC_DFR_FLAT		0xfU
#define APIC_DFR_CLUSTER	0x0U
#define APIC_DFR_RESET		0xffffffffU

/* SVR */
#define APIC_SVR_VECTOR_MASK	0xff
#define APIC_SVR_ENABLE		BIT(8)	/* APIC software enable */
#define APIC_SVR_FOCUS_DISABLE	BIT(9)
#define APIC_SVR_RESET		0xff	/* software-disabled, vector 0xff */

/* ESR bits (SDM "Error Handling") */
#define APIC_ESR_SEND_CS	BIT(0)
#define APIC_ESR_RECV_CS	BIT(1)
#define APIC_ESR_SEND_ACCEPT	BIT(2)
#define APIC_ESR_RECV_ACCEPT	BIT(3)
#define APIC_ESR_REDIR_IPI	BIT(4)
#define APIC_ESR_SEND_ILLEGAL	BIT(5)	/* sent an illegal vector */
#define APIC_ESR_RECV_ILLEGAL	BIT(6)	/* received an illegal vector */
#define APIC_ESR_ILLEGAL_REG	BIT(7)	/* reserved register address */

/* Bits shared by the LVT entries and the ICR */
#define APIC_VECTOR_MASK	0xff
#define APIC_FIRST_VECTOR	16	/* 0-15 are illegal vectors */
#define APIC_DM_SHIFT		8	/* delivery mode, bits 10:8 */
#define APIC_DM_MASK		GENMASK(10, 8)
#define APIC_DM_FIXED		0
#define APIC_DM_LOWEST		1
#define APIC_DM_SMI		2
#define APIC_DM_NMI		4
#define APIC_DM_INIT		5
#define APIC_DM_STARTUP		6
#define APIC_DM_EXTINT		7
#define APIC_DELIVERY_STATUS	BIT(12)	/* read-only; always 0 (idle) here */
#define APIC_LEVEL_TRIGGER	BIT(15)

/* LVT entries */
#define APIC_LVT_POLARITY	BIT(13)	/* LINT0/1 */
#define APIC_LVT_REMOTE_IRR	BIT(14)	/* LINT0/1, read-only */
#define APIC_LVT_MASKED		BIT(16)
#define APIC_LVT_RESET		APIC_LVT_MASKED
#define APIC_TIMER_MODE_SHIFT	17	/* LVT timer bits 18:17 */
#define APIC_TIMER_MODE_MASK	GENMASK(18, 17)
#define APIC_TIMER_ONESHOT	0
#define APIC_TIMER_PERIODIC	1
#define APIC_TIMER_TSC_DEADLINE	2	/* 3 is reserved: the timer stays off */

/* ICR (bits 63:32 at APIC_ICR_HI) */
#define APIC_ICR_LOGICAL	BIT(11)	/* destination mode */
#define APIC_ICR_ASSERT		BIT(14)	/* level */
#define APIC_ICR_SHORTHAND_SHIFT 18
#define APIC_ICR_SHORTHAND_MASK	GENMASK(19, 18)
#define APIC_DEST_FIELD		0	/* no shorthand: destination field */
#define APIC_DEST_SELF		1
#define APIC_DEST_ALL		2	/* all including self */
#define APIC_DEST_OTHERS	3	/* all excluding self */
#define APIC_ICR_DEST_SHIFT	24	/* xAPIC: ICR_HI bits 31:24 */
#define APIC_XAPIC_BROADCAST	0xffU
#define APIC_X2APIC_BROADCAST	0xffffffffU

/* Divide configuration: bits 0, 1, 3 encode divide by 2..128 or 1. */
#define APIC_TDCR_MASK		0xb

/* --- MSRs ----------------------------------------------------------- */
#define MSR_IA32_APIC_BASE	0x1b
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define X2APIC_MSR_FIRST	0x800
#define X2APIC_MSR_LAST		0x8ff
#define X2APIC_MSR(off)		(X2APIC_MSR_FIRST + ((off) >> 4))
#define X2APIC_MSR_ICR		X2APIC_MSR(APIC_ICR)	/* 64-bit */
#define X2APIC_MSR_SELF_IPI	X2APIC_MSR(APIC_SELF_IPI)

/* IA32_APIC_BASE (SDM "Local APIC Status and Location") */
#define APIC_BASE_BSP		BIT(8)
#define APIC_BASE_EXTD		BIT(10)	/* x2APIC mode */
#define APIC_BASE_EN		BIT(11)	/* global enable */
#define APIC_BASE_ADDR_SHIFT	12
#define APIC_DEFAULT_PHYS_BASE	0xfee00000ULL
/* The architectural maximum; lower vlapic.phys_bits to the guest's
 * MAXPHYADDR to make higher base-address bits reserved too. */
#define APIC_PHYS_BITS_MAX	52

_Static_assert(APIC_REG_END <= APIC_PAGE_SIZE, "registers fit the page");
_Static_assert(X2APIC_MSR_ICR == 0x830, "x2APIC ICR is MSR 0x830");
_Static_assert(X2APIC_MSR_SELF_IPI == 0x83f, "SELF IPI is MSR 0x83f");
_Static_assert(X2APIC_MSR(APIC_REG_END - APIC_REG_STRIDE) ==
	       X2APIC_MSR_FIRST + 0x3f, "offsets map into 0x800-0x83f");
_Static_assert(APIC_LVT_ERROR == APIC_LVT_TIMER + APIC_MAX_LVT * 0x10,
	       "LVT entries 0..max: timer..error");
_Static_assert(APIC_VERSION_VALUE == 0x50014, "version register");

struct vlapic_stats {
	u64 injected;		/* vlapic_accept(): IRR -> ISR */
	u64 eoi;		/* EOIs that cleared an ISR bit */
	u64 timer_fires;	/* expiries, masked ones included */
	u64 esr_errors;		/* error events latched for ESR */
};

struct vlapic {
	u8 *page;		/* 4 KiB register page, xAPIC layout */
	u32 id;			/* initial APIC ID = x2APIC ID */
	bool x2apic;		/* x2APIC mode (IA32_APIC_BASE.EXTD) */
	u64 apic_base;		/* IA32_APIC_BASE value */
	u64 timer_deadline;	/* TSC when the timer fires next, 0 = not armed */
	u64 timer_period;	/* one-shot/periodic: TSC cycles per count */
	u64 tsc_deadline;	/* IA32_TSC_DEADLINE (0 outside that mode) */
	u64 timer_start;	/* TSC when the running count was last loaded */
	u32 esr_pending;	/* errors since the last ESR write */
	u8 phys_bits;		/* MAXPHYADDR for IA32_APIC_BASE checks */
	u64 min_period;		/* shortest periodic-timer period, TSC cycles
				 * (0 after vlapic_init: exact) */
	struct vlapic_stats st;
};

/* Power-on state on page (zeroed here): xAPIC enabled at 0xfee00000, BSP,
 * SVR 0xff (software-disabled), every LVT masked, version 0x50014. */
void vlapic_init(struct vlapic *l, void *page, u32 id);

/* xAPIC MMIO: offset within the 4 KiB page, 4-byte accesses at 16-byte
 * aligned offsets. Returns 0, or -1 for an access the APIC does not take:
 * reserved offsets (also latch ESR "illegal register address"), writes to
 * read-only and reads of write-only registers, unaligned offsets, and any
 * access while the APIC is disabled or in x2APIC mode (MMIO is off then).
 * A read that returns -1 gives 0; a write that returns -1 changes nothing. */
int vlapic_mmio_read(struct vlapic *l, u32 offset, u32 *val, u64 now);
int vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val, u64 now);

/* Is msr in the x2APIC range 0x800-0x8ff? (All of it is this module's:
 * the unimplemented ones raise #GP.) */
bool vlapic_is_x2apic_msr(u32 msr);
/* x2APIC RDMSR/WRMSR: 0, or -1 when the CPU raises #GP: not in x2APIC
 * mode, reserved MSR, reading a write-only or writing a read-only one,
 * reserved bits set, EOI or ESR written with a non-zero value. */
int vlapic_rdmsr(struct vlapic *l, u32 msr, u64 *val, u64 now);
int vlapic_wrmsr(struct vlapic *l, u32 msr, u64 val, u64 now);

/* WRMSR IA32_APIC_BASE: 0, or -1 (#GP) for reserved bits, the invalid
 * state EN=0/EXTD=1, x2APIC -> xAPIC and disabled -> x2APIC. Clearing EN
 * resets the APIC to its power-on registers. */
int vlapic_set_apic_base(struct vlapic *l, u64 val);
/* WRMSR IA32_TSC_DEADLINE: arms (0 disarms) in TSC-deadline mode, ignored
 * in other modes; a deadline already passed fires now. Always 0: the MSR
 * has no reserved bits. RDMSR returns l->tsc_deadline (0 in other modes
 * and once the deadline fired). */
int vlapic_set_tsc_deadline(struct vlapic *l, u64 val, u64 now);

/* Is the APIC enabled both globally (IA32_APIC_BASE.EN) and by software
 * (SVR bit 8)? Only then are fixed interrupts accepted and delivered; a
 * source of interrupts (APF "page ready") should hold its event until
 * then, as KVM does. */
bool vlapic_enabled(const struct vlapic *l);

/* Post a fixed, edge-triggered interrupt (APF "page ready", timer, IPI)
 * into IRR. Vectors 0-15 are refused with ESR "receive illegal vector".
 * A software-disabled APIC answers only INIT, NMI, SMI and SIPI (SDM
 * "Local APIC State After It Has Been Software Disabled"), so a fixed
 * interrupt posted then is discarded; what IRR already held stays held. */
void vlapic_post(struct vlapic *l, u8 vector);
/* The vector to inject now, or -1: the highest IRR vector whose priority
 * class is above PPR's, while vlapic_enabled(). */
int vlapic_pending(const struct vlapic *l);
/* The CPU took vector: IRR -> ISR, PPR updated, st.injected++. Ignored
 * when vector is not in IRR. */
void vlapic_accept(struct vlapic *l, u8 vector);
/* EOI: clear the highest ISR bit, update PPR. Returns that vector, or -1
 * when ISR is empty (not counted in st.eoi). */
int vlapic_eoi(struct vlapic *l);

/* Would a timer expiry post an interrupt now (APIC enabled, LVT timer
 * unmasked)? A masked timer keeps counting but can wake nothing. */
bool vlapic_timer_posts(const struct vlapic *l);
/* The TSC time at which vlapic_tick() has work, or 0 for none. */
u64 vlapic_next_timer(const struct vlapic *l);
/* Fire every expiry due by now: one-shot stops, periodic re-arms (several
 * missed periods count as several fires, one IRR post), TSC-deadline
 * disarms and clears IA32_TSC_DEADLINE. Posts the LVT timer vector unless
 * masked; the count runs on while masked. */
void vlapic_tick(struct vlapic *l, u64 now);

#endif
