/*
 * apic/lapic.h - the vCPU's local APIC, hardware side: connects the pure
 * register model (apic/vlapic.c) to its front doors (x2APIC MSRs, xAPIC
 * MMIO at 0xfee00000), the clock, and interrupt injection - by software
 * (event injection plus interrupt-window exits) or, where the CPU has it,
 * by virtual-interrupt delivery with APIC-register virtualization.
 *
 * Environment: VMX root, IF=0.
 */
#ifndef APIC_LAPIC_H
#define APIC_LAPIC_H

#include "../lib/types.h"

struct vcpu;

/* Allocate the register page, choose the delivery path (cfg apic=), and
 * program the VMCS. */
void lapic_init(struct vcpu *v);
/* IA32_APIC_BASE, IA32_TSC_DEADLINE and x2APIC MSRs: true if msr is one;
 * *gp set when the CPU would raise #GP. */
bool lapic_rdmsr(struct vcpu *v, u32 msr, u64 *val, bool *gp);
bool lapic_wrmsr(struct vcpu *v, u32 msr, u64 val, bool *gp);
/* Is gpa in the xAPIC MMIO page while the guest's APIC decodes it? */
bool lapic_owns_gpa(const struct vcpu *v, u64 gpa);
/* A decoded guest load from / store to the xAPIC page (vmm/mmio.c). */
u32 lapic_mmio_read(struct vcpu *v, u64 gpa);
void lapic_mmio_write(struct vcpu *v, u64 gpa, u32 val);
/* Post a fixed interrupt (APF "page ready"); false while the APIC is
 * disabled, so the caller keeps its event (nothing is lost). */
bool lapic_post(struct vcpu *v, u8 vector);
/* May a fixed interrupt be posted now? */
bool lapic_accepts(const struct vcpu *v);
/* Fire the timer expiries due at now (into IRR). */
void lapic_tick(struct vcpu *v, u64 now);
/* Before an entry: inject the highest pending interrupt the guest can
 * take, or ask for an interrupt window (software path; the CPU delivers
 * on the hardware path). */
void lapic_deliver(struct vcpu *v);
/* TSC time the timer needs attention, or ~0. */
u64 lapic_next_deadline(const struct vcpu *v);
/* HLT: when the timer could next wake the guest (an unmasked expiry),
 * or ~0: a masked timer keeps firing but wakes nothing. */
u64 lapic_wake_deadline(const struct vcpu *v);
/* HLT: is an interrupt ready to be taken once the guest runs? */
bool lapic_wakes(const struct vcpu *v);
/* Virtualized-EOI and APIC-write exits (hardware path). */
void lapic_eoi_exit(struct vcpu *v);
void lapic_apic_write(struct vcpu *v, u32 offset);
/* Is the hardware path (virtual-interrupt delivery) active? */
bool lapic_hw_active(const struct vcpu *v);

#endif
