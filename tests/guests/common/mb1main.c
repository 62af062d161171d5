/*
 * tests/guests/common/mb1main.c - the main of the two Multiboot v1 test
 * kernels (mb1-elf32, mb1-kludge), which differ only in their header and
 * where they are linked: the magic, .bss zeroed, the information against
 * the memory map, the command line, fw_cfg and the PC devices.
 *
 * Environment: ring 0, interrupts off, paging off.
 */
#include "guest.h"
#include "mb1.h"

#define MB1_MAGIC	0x2badb002u

void kmain(u32 magic, u32 info);

/* Loaders zero .bss (the ELF memsz past filesz, the kludge's bss_end). */
static u8 bss_probe[16384];

void kmain(u32 magic, u32 info)
{
	struct boot_facts f;
	u32 nonzero = 0;

	con_init();
	report_info("a Multiboot v1 kernel running at %p", (void *)kmain);
	if (!report(magic == MB1_MAGIC, "Multiboot v1 magic in EAX (0x%x)", magic))
		report_exit();
	for (u32 i = 0; i < sizeof(bss_probe); i++)
		nonzero += bss_probe[i] != 0;
	report(!nonzero, "the loader zeroed .bss (%u bytes non-zero)", nonzero);
	mb1_facts(info, &f);
	check_boot_facts(&f);
	check_fwcfg(&f);
	check_pc_devices(&f);
	report_exit();
}
