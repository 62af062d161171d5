/*
 * vmm/uart.h - a 16550 UART model for the guest's COM1: polled output
 * only. Transmit is always ready (LSR.THRE|TEMT), nothing is ever
 * received, no interrupt is raised. Pure module: host-tested.
 */
#ifndef VMM_UART_H
#define VMM_UART_H

#include "../lib/types.h"

#define UART_NREGS 8

struct uart {
	u8 ier, lcr, mcr, scr, fcr, dll, dlm;
	void (*tx)(char c);	/* where transmitted bytes go */
};

/* Guest read of register reg (0..7, offset from the base port). */
u8 uart_read(struct uart *u, u32 reg);
/* Guest write of val to register reg. */
void uart_write(struct uart *u, u32 reg, u8 val);

#endif
