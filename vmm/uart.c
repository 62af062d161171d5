/*
 * vmm/uart.c - 16550 register model (National Semiconductor PC16550D
 * data sheet register map). Pure; output goes through u->tx.
 */
#include "uart.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define LCR_DLAB	BIT(7)
#define LSR_THRE	BIT(5)
#define LSR_TEMT	BIT(6)
#define IIR_NO_INT	0x01
#define IIR_FIFO_ON	0xc0
#define FCR_ENABLE	BIT(0)
#define MSR_CTS		BIT(4)
#define MSR_DSR		BIT(5)
#define MSR_DCD		BIT(7)
#define MCR_LOOP	BIT(4)

u8 uart_read(struct uart *u, u32 reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case RBR_THR: return dlab ? u->dll : 0;	/* nothing received */
	case IER: return dlab ? u->dlm : u->ier;
	case IIR_FCR: return IIR_NO_INT | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
	case LCR: return u->lcr;
	case MCR: return u->mcr;
	case LSR: return LSR_THRE | LSR_TEMT;
	case MSR: return (u->mcr & MCR_LOOP) ? 0 : MSR_CTS | MSR_DSR | MSR_DCD;
	case SCR: return u->scr;
	}
	return 0xff;
}

void uart_write(struct uart *u, u32 reg, u8 val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case RBR_THR:
		if (dlab)
			u->dll = val;
		else if (u->tx && !(u->mcr & MCR_LOOP))
			u->tx((char)val);
		break;
	case IER:
		if (dlab)
			u->dlm = val;
		else
			u->ier = val & 0x0f;
		break;
	case IIR_FCR: u->fcr = val; break;
	case LCR: u->lcr = val; break;
	case MCR: u->mcr = val & 0x1f; break;
	case SCR: u->scr = val; break;
	default: break;	/* LSR and MSR are read-only */
	}
}
