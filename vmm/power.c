/*
 * vmm/power.c - ending the run on the machine we are on: the guest's
 * result reaches the outside as QEMU's exit status (isa-debug-exit),
 * Bochs ends by ACPI S5, and elsewhere the CPU halts after the STATS line.
 *
 * Environment: VMX root or before, IF=0.
 */
#include "vmm.h"
#include "console.h"
#include "cpu.h"

#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511
#define QEMU_DEBUG_EXIT	0xf4
#define QEMU_PM1A_CNT	0x604	/* PIIX4 and ICH9 PM base 0x600 */
#define BOCHS_PM1A_CNT	0xb004
#define BOCHS_SHUTDOWN	0x8900
#define ACPI_SLP_S5	0x2000	/* SLP_EN with SLP_TYP 0 on both boards */
#define E9_PORT		0xe9

/* QEMU answers fw_cfg signature "QEMU" at selector 0. */
static bool on_qemu(void)
{
	char sig[4];

	cpu_outw(FW_CFG_SEL, 0);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)cpu_inb(FW_CFG_DATA);
	return sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
}

/* Bochs' port_e9_hack reads back 0xE9; QEMU was ruled out first. */
static bool on_bochs(void)
{
	return cpu_inb(E9_PORT) == E9_PORT;
}

__noreturn void power_off(int code)
{
	con_drain();
	if (on_qemu()) {
		cpu_outl(QEMU_DEBUG_EXIT, (u32)code);
		cpu_outw(QEMU_PM1A_CNT, ACPI_SLP_S5);
	} else if (on_bochs()) {
		cpu_outw(BOCHS_PM1A_CNT, ACPI_SLP_S5);
		for (const char *s = "Shutdown"; *s; s++)
			cpu_outb(BOCHS_SHUTDOWN, (u8)*s);
	}
	/* Elsewhere the STATS line stays the last word: just stop. */
	cpu_halt_forever();
}
