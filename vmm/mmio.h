/*
 * vmm/mmio.h - emulation of guest loads and stores that reach guest-
 * physical addresses with no RAM behind them: the xAPIC page, and empty
 * space (reads all ones, writes dropped, as on a PC bus with nothing
 * there). Environment: VMX root, IF=0, handling an EPT violation.
 */
#ifndef VMM_MMIO_H
#define VMM_MMIO_H

#include "vcpu.h"

/* Emulate the instruction at guest RIP that accessed gpa (not RAM):
 * fetch it through the guest's page tables, decode it, perform it on the
 * device that owns gpa, write back the destination register and step
 * RIP. Ends the run with a FAIL line naming the bytes if the instruction
 * is not one apfvisor emulates. */
enum exit_action mmio_emulate(struct vcpu *v, u64 gpa);

#endif
