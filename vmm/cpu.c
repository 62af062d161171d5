/*
 * vmm/cpu.c - the host's own descriptor tables: a 64-bit TSS (VMX needs a
 * non-null host TR) and an IDT whose every exception ends the run loudly.
 *
 * Environment: CPL 0, IF=0, run once at boot before VMXON.
 */
#include "cpu.h"
#include "vmm.h"
#include "console.h"

#define IDT_VECTORS	32
#define GATE_INTR64	0x8e00	/* P=1, DPL=0, type 14 */
#define TSS_AVAIL64	0x89	/* P=1, type 9 */

struct __packed tss64 {
	u32 rsvd0;
	u64 rsp[3];
	u64 rsvd1;
	u64 ist[7];
	u64 rsvd2;
	u16 rsvd3;
	u16 iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS layout");

struct __packed idt_gate {
	u16 off_lo, sel, flags, off_mid;
	u32 off_hi, rsvd;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

/* The frame isr.S builds: saved scratch registers, then vector, error code
 * and the CPU's interrupt frame. */
struct exc_frame {
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

extern u64 boot_gdt[];
extern const u64 isr_table[IDT_VECTORS];
static struct tss64 host_tss __aligned(16);
static struct idt_gate host_idt[IDT_VECTORS] __aligned(16);

static void install_tss(void)
{
	u64 base = (u64)(uintptr_t)&host_tss;
	u64 limit = sizeof(host_tss) - 1;

	host_tss.iomap_base = sizeof(host_tss);
	boot_gdt[HOST_SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
		(u64)TSS_AVAIL64 << 40 | ((limit >> 16) & 0xf) << 48 |
		((base >> 24) & 0xff) << 56;
	boot_gdt[HOST_SEL_TSS / 8 + 1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(HOST_SEL_TSS));
}

static void install_idt(void)
{
	struct desc_ptr d = { sizeof(host_idt) - 1, (u64)(uintptr_t)host_idt };

	for (int i = 0; i < IDT_VECTORS; i++) {
		u64 off = isr_table[i];

		host_idt[i] = (struct idt_gate){
			.off_lo = (u16)off, .sel = HOST_SEL_CODE,
			.flags = GATE_INTR64, .off_mid = (u16)(off >> 16),
			.off_hi = (u32)(off >> 32),
		};
	}
	asm volatile("lidt %0" : : "m"(d));
}

void cpu_init(void)
{
	install_tss();
	install_idt();
}

static const struct exc_frame *host_frame;
static void (*guest_dump)(void);

/* The failure dump for a host exception: the hypervisor's registers, then
 * whatever the vCPU adds (guest state, last exits). */
static void host_dump(void)
{
	const struct exc_frame *f = host_frame;

	con_printf("dump: host rax 0x%llx rcx 0x%llx rdx 0x%llx rsi 0x%llx rdi 0x%llx\n"
		   "dump: host r8 0x%llx r9 0x%llx r10 0x%llx r11 0x%llx cs 0x%llx ss 0x%llx\n",
		   (unsigned long long)f->rax, (unsigned long long)f->rcx,
		   (unsigned long long)f->rdx, (unsigned long long)f->rsi,
		   (unsigned long long)f->rdi, (unsigned long long)f->r8,
		   (unsigned long long)f->r9, (unsigned long long)f->r10,
		   (unsigned long long)f->r11, (unsigned long long)f->cs,
		   (unsigned long long)f->ss);
	if (guest_dump)
		guest_dump();
}

/* Called from isr.S: the hypervisor itself faulted. */
void cpu_exception(const struct exc_frame *f);
void cpu_exception(const struct exc_frame *f)
{
	host_frame = f;
	guest_dump = vmm_dump_hook;
	vmm_dump_hook = host_dump;
	panic("host exception %llu error 0x%llx at rip 0x%llx (cr2 0x%llx, "
	      "rsp 0x%llx, rflags 0x%llx)", (unsigned long long)f->vector,
	      (unsigned long long)f->error, (unsigned long long)f->rip,
	      (unsigned long long)cpu_read_cr2(), (unsigned long long)f->rsp,
	      (unsigned long long)f->rflags);
}
