/*
 * vmm/pcdev.h - the small PC devices that kernels written for QEMU's "pc"
 * machine touch at start-up, as pure models: the 8259 PIC pair, the ACPI
 * PM timer, the reset control register and System Control Port A.
 *
 *  0x20-0x21, 0xa0-0xa1  8259A master and slave (Intel 8259A data sheet).
 *        ICW1-ICW4 and OCW1-OCW3 are accepted and remembered; the data
 *        port reads the IMR (0xff, every line masked, until the guest
 *        writes one); the command port reads IRR or ISR as OCW3 selects,
 *        and a poll (OCW3 P) reads "no interrupt": all of them 0, because
 *        no device of apfvisor's raises a legacy interrupt. Nothing is
 *        ever delivered through the PIC; interrupts come through the
 *        local APIC (apic/).
 *  0x608-0x60b  ACPI PM timer (ACPI spec, "PM Timer"), at the port QEMU's
 *        PIIX4 power-management block puts it (PM base 0x600 + 8): a
 *        24-bit counter at 3.579545 MHz, read-only, derived from the TSC
 *        (ticks = elapsed TSC cycles * 3579545 / tsc_hz); bits 31:24 read
 *        0 (FADT TMR_VAL_EXT clear). It counts from 0 at pcdev_init.
 *  0xcf9  reset control register (PIIX/ICH RCR): reads the last write's
 *        bits 1 and 3; a write with bit 2 (RST_CPU) set - 0x06, 0x0e - is a
 *        reset request.
 *  0x92   System Control Port A (PS/2 "fast A20"): bit 1 (A20) always
 *        reads 1, since apfvisor's guests never have A20 masked; the
 *        other bits read as written; setting bit 0 (it was 0) is a reset
 *        request.
 * A reset request returns PCDEV_RESET; what it means is the caller's
 * (apfvisor has no way to restart a guest: it ends the run).
 * Accesses wider than a byte are split into byte accesses, low port
 * first, as the ISA bus does; a byte of a port no device here owns reads
 * 0xff. The PM timer's bytes are those of its 32-bit value.
 *
 * Pure module: time comes in as the TSC `now`; host-tested
 * (tests/unit/test_pcdev.c). Environment: VMX root, IF=0, or host tests.
 */
#ifndef VMM_PCDEV_H
#define VMM_PCDEV_H

#include "../lib/types.h"
#include "cpuid.h"

#define PCDEV_PIC1		0x20	/* master: command 0x20, data 0x21 */
#define PCDEV_PIC2		0xa0	/* slave: command 0xa0, data 0xa1 */
#define PCDEV_PIC_NPORTS	2
#define PCDEV_PMTMR		0x608
#define PCDEV_PMTMR_NPORTS	4
#define PCDEV_RCR		0xcf9
#define PCDEV_PORT92		0x92

#define PCDEV_PMTMR_HZ		3579545ULL
#define PCDEV_PMTMR_MASK	0xffffffu	/* 24 bits */
/* Used when CPUID tells no TSC frequency (leaves 0x15 and 0x16). */
#define PCDEV_TSC_HZ_DEFAULT	1000000000ULL

/* RCR (0xcf9) bits */
#define RCR_SYS_RST		BIT(1)	/* hard reset when RST_CPU is set */
#define RCR_RST_CPU		BIT(2)	/* 0 -> 1: reset */
#define RCR_FULL_RST		BIT(3)
/* System Control Port A (0x92) bits */
#define PORT92_RESET		BIT(0)	/* 0 -> 1: fast reset */
#define PORT92_A20		BIT(1)

enum pcdev_action {
	PCDEV_OK,
	PCDEV_RESET,		/* the guest asked for a reset */
};

struct pic8259 {
	u8 imr;
	u8 vector_base;		/* ICW2 */
	u8 init_step;		/* 0: initialized; else the ICW expected next */
	bool need_icw3;		/* ICW1 SNGL clear: cascaded */
	bool need_icw4;		/* ICW1 IC4 */
	bool read_isr;		/* OCW3 RIS: the command port reads ISR */
	bool poll;		/* OCW3 P: the next command-port read polls */
};

struct pcdev {
	struct pic8259 pic[2];	/* master, slave */
	u64 tsc_hz, tsc_base;	/* PM timer: TSC rate, TSC at count 0 */
	u8 rcr;
	u8 port92;
};

/* Power-on state: both PICs with every line masked, the PM timer at 0
 * now, RCR 0, port 0x92 with A20 on. tsc_hz 0 means the default. */
void pcdev_init(struct pcdev *d, u64 tsc_hz, u64 now);

/* Does a device here own port? */
bool pcdev_owns(u16 port);

/* Guest IN of size bytes (1, 2 or 4) starting at port. */
u32 pcdev_read(struct pcdev *d, u16 port, u32 size, u64 now);
/* Guest OUT of val, size bytes starting at port. */
enum pcdev_action pcdev_write(struct pcdev *d, u16 port, u32 size, u32 val);

/* The PM timer's count at TSC time now (24 bits). */
u32 pcdev_pmtimer(const struct pcdev *d, u64 now);

/* The TSC rate from CPUID: leaf 0x15 (crystal Hz * EBX / EAX) when it
 * gives all three, else leaf 0x16 (EAX = base MHz), else 0 (unknown).
 * max_leaf is CPUID.0.EAX; l15 and l16 are those leaves as read. */
u64 pcdev_tsc_hz(u32 max_leaf, const struct cpuid_regs *l15,
		 const struct cpuid_regs *l16);

#endif
