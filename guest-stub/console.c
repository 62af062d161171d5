/*
 * guest-stub/console.c - COM1 16550 output, polled.
 *
 * Environment: guest (ring 0), interrupts off. Under apfvisor COM1 is an
 * emulation whose THR writes are output and whose LSR reads 0x60; bare,
 * it is QEMU's (or a board's) real 16550.
 */
#include "console.h"
#include "cpu.h"
#include "../lib/fmt.h"
#include "../vmm/abi.h"

#define COM1		APFV_PORT_COM1
#define UART_THR	0	/* transmit holding (DLAB=0) */
#define UART_DLL	0	/* divisor low (DLAB=1) */
#define UART_IER	1	/* interrupt enable (DLAB=0) */
#define UART_DLM	1	/* divisor high (DLAB=1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE	0xc7	/* enable, clear both FIFOs, 14-byte threshold */
#define MCR_DTR_RTS	0x03
#define LSR_THRE	0x20	/* THR empty: room for a byte */
#define LSR_TEMT	0x40	/* transmitter empty: every byte is out */
#define BAUD_DIVISOR	1	/* 115200 = 1.8432 MHz / 16 / 1 */
#define THRE_SPINS	100000	/* give up waiting on a UART that is not there */

void con_init(bool program_baud)
{
	if (!program_baud)
		return;
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, BAUD_DIVISOR & 0xff);
	outb(COM1 + UART_DLM, BAUD_DIVISOR >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

/* Wait until the LSR shows bit, or give up (no UART there). */
static void con_wait(u8 bit)
{
	for (int i = 0; i < THRE_SPINS; i++)
		if (inb(COM1 + UART_LSR) & bit)
			break;
}

/* Send one byte once the transmitter has room. */
static void con_putc(char c)
{
	con_wait(LSR_THRE);
	outb(COM1 + UART_THR, (u8)c);
}

void con_flush(void)
{
	con_wait(LSR_TEMT);
}

void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

void con_vprintf(const char *f, va_list ap)
{
	char buf[256];

	fmt_vsnprintf(buf, sizeof(buf), f, ap);
	con_puts(buf);
}

void con_printf(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	con_vprintf(f, ap);
	va_end(ap);
}
