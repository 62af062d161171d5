/*
 * vmm/pcdev.c - the 8259 PIC pair, the ACPI PM timer, the reset control
 * register and port 0x92 as pure models (vmm/pcdev.h says what each does
 * and does not). References: Intel 8259A data sheet ("Initialization
 * Command Words", "Operation Command Words"); ACPI spec, "Power Management
 * Timer"; Intel PIIX4 / ICH data sheets, "Reset Control Register" and
 * "Port 92h". No SDM section.
 *
 * Pure module. Environment: VMX root, IF=0, or host tests.
 */
#include "pcdev.h"

/* 8259A command words (data sheet, "Programming the 8259A") */
#define ICW1_INIT		BIT(4)	/* command port: ICW1 when set */
#define ICW1_IC4		BIT(0)	/* ICW4 follows */
#define ICW1_SNGL		BIT(1)	/* single: no ICW3 */
#define ICW2_VECTOR_MASK	0xf8
#define OCW3_SELECT		BIT(3)	/* command port, ICW1_INIT clear: OCW3 */
#define OCW3_RIS		BIT(0)	/* with RR: read ISR (else IRR) */
#define OCW3_RR			BIT(1)
#define OCW3_POLL		BIT(2)
#define PIC_MASK_ALL		0xff
#define PIC_NO_INTERRUPT	0	/* IRR, ISR, poll word: nothing, ever */

enum { ICW_DONE, ICW_2, ICW_3, ICW_4 };

#define RCR_KEPT		(RCR_SYS_RST | RCR_FULL_RST)
#define UNOWNED_BYTE		0xff

static void pic_reset(struct pic8259 *p)
{
	*p = (struct pic8259){ .imr = PIC_MASK_ALL };
}

void pcdev_init(struct pcdev *d, u64 tsc_hz, u64 now)
{
	pic_reset(&d->pic[0]);
	pic_reset(&d->pic[1]);
	d->tsc_hz = tsc_hz ? tsc_hz : PCDEV_TSC_HZ_DEFAULT;
	d->tsc_base = now;
	d->rcr = 0;
	d->port92 = PORT92_A20;
}

bool pcdev_owns(u16 port)
{
	return (port >= PCDEV_PIC1 && port < PCDEV_PIC1 + PCDEV_PIC_NPORTS) ||
	       (port >= PCDEV_PIC2 && port < PCDEV_PIC2 + PCDEV_PIC_NPORTS) ||
	       (port >= PCDEV_PMTMR && port < PCDEV_PMTMR + PCDEV_PMTMR_NPORTS) ||
	       port == PCDEV_RCR || port == PCDEV_PORT92;
}

/* --- 8259A ----------------------------------------------------------- */

/* The PIC owning port and whether port is its data (A0=1) port. */
static struct pic8259 *pic_of(struct pcdev *d, u16 port, bool *data)
{
	*data = port & 1;
	if ((port & ~1) == PCDEV_PIC1)
		return &d->pic[0];
	if ((port & ~1) == PCDEV_PIC2)
		return &d->pic[1];
	return NULL;
}

/* ICW1 starts initialization: the data sheet clears the IMR and sets
 * the command port to read IRR. */
static void pic_icw1(struct pic8259 *p, u8 val)
{
	*p = (struct pic8259){
		.init_step = ICW_2,
		.need_icw3 = !(val & ICW1_SNGL),
		.need_icw4 = val & ICW1_IC4,
	};
}

static void pic_command(struct pic8259 *p, u8 val)
{
	if (val & ICW1_INIT) {
		pic_icw1(p, val);
	} else if (val & OCW3_SELECT) {
		if (val & OCW3_RR)
			p->read_isr = val & OCW3_RIS;
		p->poll = val & OCW3_POLL;
	}
	/* OCW2 (EOI, rotation): no interrupt is ever in service. */
}

/* Data port: ICW2-ICW4 while initializing, then OCW1 (the IMR). */
static void pic_data(struct pic8259 *p, u8 val)
{
	switch (p->init_step) {
	case ICW_2:
		p->vector_base = val & ICW2_VECTOR_MASK;
		p->init_step = p->need_icw3 ? ICW_3 : p->need_icw4 ? ICW_4 : ICW_DONE;
		break;
	case ICW_3:	/* cascade wiring: nothing to model */
		p->init_step = p->need_icw4 ? ICW_4 : ICW_DONE;
		break;
	case ICW_4:	/* 8086 mode, auto-EOI, buffering: nothing to model */
		p->init_step = ICW_DONE;
		break;
	default:
		p->imr = val;
	}
}

static u8 pic_read(struct pic8259 *p, bool data)
{
	if (data)
		return p->imr;
	p->poll = false;
	return PIC_NO_INTERRUPT;	/* IRR, ISR or the poll word */
}

/* --- PM timer -------------------------------------------------------- */

/* ticks = delta * 3579545 / hz without overflowing 64 bits: whole
 * seconds first, then the remainder (below hz, so (hz-1) * 3579545 fits
 * for any TSC under 5 THz). */
u32 pcdev_pmtimer(const struct pcdev *d, u64 now)
{
	u64 delta = now - d->tsc_base, hz = d->tsc_hz;
	u64 ticks = delta / hz * PCDEV_PMTMR_HZ +
		    delta % hz * PCDEV_PMTMR_HZ / hz;

	return (u32)ticks & PCDEV_PMTMR_MASK;
}

u64 pcdev_tsc_hz(u32 max_leaf, const struct cpuid_regs *l15,
		 const struct cpuid_regs *l16)
{
	if (max_leaf >= 0x15 && l15->eax && l15->ebx && l15->ecx)
		return (u64)l15->ecx * l15->ebx / l15->eax;
	if (max_leaf >= 0x16 && (l16->eax & 0xffff))
		return (u64)(l16->eax & 0xffff) * 1000000;
	return 0;
}

/* --- byte access --------------------------------------------------------- */

static u8 read_byte(struct pcdev *d, u16 port, u64 now)
{
	bool data;
	struct pic8259 *p = pic_of(d, port, &data);

	if (p)
		return pic_read(p, data);
	if (port >= PCDEV_PMTMR && port < PCDEV_PMTMR + PCDEV_PMTMR_NPORTS)
		return (u8)(pcdev_pmtimer(d, now) >> (8 * (port - PCDEV_PMTMR)));
	if (port == PCDEV_RCR)
		return d->rcr;
	if (port == PCDEV_PORT92)
		return d->port92 | PORT92_A20;
	return UNOWNED_BYTE;
}

static enum pcdev_action write_byte(struct pcdev *d, u16 port, u8 val)
{
	bool data;
	struct pic8259 *p = pic_of(d, port, &data);
	u8 old;

	if (p) {
		if (data)
			pic_data(p, val);
		else
			pic_command(p, val);
	} else if (port == PCDEV_RCR) {
		d->rcr = val & RCR_KEPT;
		if (val & RCR_RST_CPU)
			return PCDEV_RESET;
	} else if (port == PCDEV_PORT92) {
		old = d->port92;
		d->port92 = val | PORT92_A20;
		if ((val & PORT92_RESET) && !(old & PORT92_RESET))
			return PCDEV_RESET;
	}
	return PCDEV_OK;	/* the PM timer is read-only */
}

u32 pcdev_read(struct pcdev *d, u16 port, u32 size, u64 now)
{
	u32 val = 0;

	for (u32 i = 0; i < size; i++)
		val |= (u32)read_byte(d, (u16)(port + i), now) << (8 * i);
	return val;
}

enum pcdev_action pcdev_write(struct pcdev *d, u16 port, u32 size, u32 val)
{
	enum pcdev_action a = PCDEV_OK;

	for (u32 i = 0; i < size; i++)
		if (write_byte(d, (u16)(port + i), (u8)(val >> (8 * i))) == PCDEV_RESET)
			a = PCDEV_RESET;
	return a;
}
