/*
 * vmm/main.c - start-up order: console, descriptor tables, boot
 * information, command line, page allocator, VMX, guest, run.
 *
 * Environment: the boot CPU in 64-bit mode straight from boot/head.S,
 * IF=0, identity-mapped first 4 GiB. Each step that can fail ends the run
 * with one FAIL line saying what is wrong.
 */
#include "console.h"
#include "cpu.h"
#include "cmdline.h"
#include "loader.h"
#include "palloc.h"
#include "vcpu.h"
#include "apfhost.h"
#include "abi.h"
#include "trace.h"
#include "vmm.h"
#include "../boot/multiboot.h"
#include "../lib/env.h"
#include "../lib/string.h"

#define LOW_MEMORY_END	0x100000ULL	/* BIOS data, EBDA, ROMs: never ours */
#define PIC1_DATA	0x21
#define PIC2_DATA	0xa1
#define GUEST_LOWEST	0x100000ULL	/* guests load at or above 1 MiB */
#define HOST_MAPPED_END	(4 * GiB)	/* boot/head.S maps 0..4 GiB */

extern char __image_start[], __image_end[];

static struct boot_info bi;
static struct vmm_config cfg;
static struct vcpu vcpu0;
static struct guest_image guest_img;

void boot_main(u32 magic, u64 info);

static void parse_boot_info(u32 magic, u64 info)
{
	char err[160];
	u64 ram = 0;

	if (mb_parse(magic, info, &bi, err, sizeof(err)))
		vmm_fail("boot: %s", err);
	for (u32 i = 0; i < bi.nregions; i++)
		if (bi.regions[i].type == BOOT_MEM_RAM)
			ram += bi.regions[i].len;
	con_printf("boot: multiboot%u loader '%s'%s, %llu MiB RAM in %u regions, "
		   "%u modules, cmdline '%s'\n", bi.loader, bi.loader_name,
		   bi.efi ? " (UEFI)" : "", (unsigned long long)(ram >> 20),
		   bi.nregions, bi.nmodules, bi.cmdline);
}

static void parse_cmdline(void)
{
	char err[160];

	cmdline_defaults(&cfg);
	if (cmdline_parse(cmdline_skip_image_path(bi.cmdline), &cfg, err,
			  sizeof(err)))
		vmm_fail("vmm: bad command line: %s", err);
	log_level = cfg.log;
}

/* Free memory = the loader's RAM minus the first MiB, this image, the
 * boot modules and the loader's own information structure. */
static void setup_palloc(void)
{
	palloc_reset();
	/* Only what boot/head.S identity-maps (the first 4 GiB) is usable. */
	for (u32 i = 0; i < bi.nregions; i++) {
		const struct boot_region *r = &bi.regions[i];
		u64 end = MIN(r->base + r->len, HOST_MAPPED_END);

		if (r->type == BOOT_MEM_RAM && r->base < end &&
		    palloc_add(r->base, end - r->base))
			vmm_fail("vmm: memory map has too many RAM ranges");
	}
	int bad = palloc_reserve(0, LOW_MEMORY_END) |
		  palloc_reserve(env_virt_to_phys(__image_start),
				 (u64)(__image_end - __image_start)) |
		  palloc_reserve(bi.info_start, bi.info_end - bi.info_start);
	for (u32 i = 0; i < bi.nmodules; i++)
		bad |= palloc_reserve(bi.modules[i].start,
				      bi.modules[i].end - bi.modules[i].start);
	if (bad)
		vmm_fail("vmm: memory map too fragmented to reserve boot data");
	info("vmm: %llu MiB free for the hypervisor and guest\n",
	     (unsigned long long)(palloc_free_pages() >> 8));
}

/* fault=: take a failure path on purpose, to show it ends the run loudly
 * (tests/boot/scenarios, "every failure path"). */
static void inject_fault(void)
{
	switch (cfg.fault) {
	case FAULT_PANIC:
		panic("forced by fault=panic");
	case FAULT_HOSTEXC:
		asm volatile("ud2");	/* vmm/cpu.c's handler takes it */
		break;
	case FAULT_VMWRITE:
		/* no current VMCS yet: load a scratch one, then write nonsense */
		if (vmcs_load(palloc_page()) == 0)
			vmcs_write(0xffffffffu, 0);
		break;
	case FAULT_OOM:
		while (palloc_page())
			;
		break;
	}
}

static void start_vmx(void)
{
	char why[200];

	if (vmx_probe(why, sizeof(why)) || vmx_on(why, sizeof(why)))
		vmm_fail("%s", why);
	info("vmx: on (VMCS revision 0x%llx, EPT caps 0x%llx)\n",
	     (unsigned long long)(vmx_caps.basic & VMX_BASIC_REVISION_MASK),
	     (unsigned long long)vmx_caps.ept_vpid);
	inject_fault();
}

/* Load the guest module into freshly allocated guest RAM; *magic and *mbi
 * are what its Multiboot protocol (v1 or v2) wants in EAX and EBX. */
static void load_guest(u32 *entry, u32 *magic, u32 *mbi, u8 **ram)
{
	const struct boot_module *m;
	struct guest_image *gi = &guest_img;
	char err[160];

	if (cfg.guest_module >= bi.nmodules)
		vmm_fail("vmm: no guest: boot module %u is missing (give a "
			 "Multiboot kernel as a module, e.g. GRUB `module2 "
			 "/boot/guest.elf`)", cfg.guest_module);
	m = &bi.modules[cfg.guest_module];
	*ram = palloc_contig(cfg.ram_size / PAGE_SIZE, SZ_2M);
	if (!*ram)
		vmm_fail("vmm: guest RAM of %llu MiB does not fit in free host "
			 "memory (%llu MiB)", (unsigned long long)(cfg.ram_size >> 20),
			 (unsigned long long)(palloc_free_pages() >> 8));
	if (loader_parse(env_phys_to_virt(m->start), m->end - m->start,
			 GUEST_LOWEST, cfg.ram_size, gi, err, sizeof(err)))
		vmm_fail("vmm: guest module %u: %s", cfg.guest_module, err);
	loader_copy(gi, env_phys_to_virt(m->start), *ram, cfg.ram_size);
	*mbi = loader_build_info(gi, *ram, cfg.ram_size, m->cmdline, magic);
	*entry = (u32)gi->entry;
	info("vmm: guest '%s': Multiboot%s, %u segments, entry 0x%x, %llu MiB "
	     "RAM\n", m->cmdline, gi->proto == BOOT_PROTO_MB2 ? "2" : "",
	     gi->nsegs, *entry, (unsigned long long)(cfg.ram_size >> 20));
}

/* What the loader wrote into guest RAM must survive the pager: a slow
 * page holding the kernel or its boot information keeps those contents
 * instead of the backing store's pattern. */
static void keep_loaded_pages(void)
{
	for (u32 i = 0; i < guest_img.nsegs; i++)
		apfhost_keep(&vcpu0, guest_img.segs[i].gpa, guest_img.segs[i].memsz);
	apfhost_keep(&vcpu0, APFV_GUEST_MBI_GPA,
		     APFV_GUEST_MBI_END - APFV_GUEST_MBI_GPA);
}

void boot_main(u32 magic, u64 info)
{
	u32 entry, guest_magic, mbi;
	u8 *ram;

	con_init();
	vmm_image_seal();
	cpu_init();
	/* The host runs with IF=0 and takes no device interrupts. */
	cpu_outb(PIC1_DATA, 0xff);
	cpu_outb(PIC2_DATA, 0xff);
	con_puts("apfvisor: asynchronous-page-fault hypervisor starting\n");
	parse_boot_info(magic, info);
	parse_cmdline();
	setup_palloc();
	start_vmx();
	load_guest(&entry, &guest_magic, &mbi, &ram);
	if (cfg.trace)
		trace_start(cfg.trace);
	vcpu_init(&vcpu0, &cfg, ram, cfg.ram_size, entry, guest_magic, mbi);
	keep_loaded_pages();
	vcpu_run(&vcpu0);
}
