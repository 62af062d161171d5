/*
 * tests/hostile/trap.c - the IDT and the one dispatcher: APF events (#PF
 * with the shared area's flags set) to apf.c, expected faults to their
 * exception-table fixup, interrupts counted and EOIed, anything else ends
 * the run loudly (SDM Vol. 3A, "Interrupt and Exception Handling").
 *
 * Environment: guest, 64-bit, ring 0; entered from entry.S with IF=0.
 */
#include "hostile.h"

#define FIRST_IRQ	32
#define GATE_INTR64	0x8e	/* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off_mid;
	u32 off_hi;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");
_Static_assert(sizeof(struct hx_frame) == 22 * 8, "entry.S frame");

struct extable_entry {
	u64 insn, fixup;
};

extern const u8 hx_stubs[];
extern const struct extable_entry __ex_start[], __ex_end[];

volatile struct hx_fault hx_fault;
static struct idt_gate idt[256] __aligned(16);
static u64 irq_counts[256], irq_total;

void hx_trap_init(void)
{
	struct { u16 limit; u64 base; } __packed idtr = {
		sizeof(idt) - 1, (u64)(uintptr_t)idt };

	for (unsigned v = 0; v < 256; v++) {
		u64 h = (u64)(uintptr_t)(hx_stubs + v * HX_STUB_SIZE);

		idt[v] = (struct idt_gate){ .off_lo = h & 0xffff,
			.sel = HX_SEL_CODE64, .type = GATE_INTR64,
			.off_mid = (h >> 16) & 0xffff, .off_hi = h >> 32 };
	}
	asm volatile("lidt %0" : : "m"(idtr));
}

u64 hx_irq_count(unsigned vec)
{
	return vec < 256 ? irq_counts[vec] : 0;
}

u64 hx_irq_total(void)
{
	return irq_total;
}

void hx_irq_window(u64 cycles)
{
	u64 end = hx_rdtsc() + cycles;

	hx_sti();
	while (hx_rdtsc() < end)
		asm volatile("pause" ::: "memory");
	hx_cli();
}

/* The fixup for an HX_TRY instruction at rip, or 0. */
static u64 extable_find(u64 rip)
{
	for (const struct extable_entry *e = __ex_start; e < __ex_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

static __noreturn void unexpected(const struct hx_frame *f)
{
	u64 cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	hx_printf("hostile: rax=0x%lx rbx=0x%lx rcx=0x%lx rdx=0x%lx rsi=0x%lx "
		  "rdi=0x%lx rsp=0x%lx rflags=0x%lx\n", f->rax, f->rbx, f->rcx,
		  f->rdx, f->rsi, f->rdi, f->rsp, f->rflags);
	hx_abort("unexpected exception %lu err=0x%lx rip=0x%lx cr2=0x%lx",
		 f->vector, f->error, f->rip, cr2);
}

/* Every exception and interrupt (entry.S): interrupts are counted and
 * EOIed (APF "ready" by interrupt to apf.c), an APF #PF goes to apf.c, an
 * HX_TRY instruction resumes at its fixup, anything else ends the run. */
void hx_trap(struct hx_frame *f)
{
	u64 fix;

	if (f->vector >= FIRST_IRQ) {
		irq_counts[f->vector]++;
		irq_total++;
		if (hx_apf.int_mode && f->vector == hx_apf.vec)
			hx_apf_irq(f);
		else
			hx_apic_eoi_if_isr((unsigned)f->vector);
		return;
	}
	if (f->vector == VEC_PF && hx_apf_pf(f))
		return;
	fix = extable_find(f->rip);
	if (!fix)
		unexpected(f);
	hx_fault.vector = (int)f->vector;
	hx_fault.error = f->error;
	f->rip = fix;
}
