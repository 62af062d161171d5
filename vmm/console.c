/*
 * vmm/console.c - COM1 and port 0xE9 output.
 *
 * Environment: VMX root, IF=0, single CPU. The UART is polled with a
 * bounded wait so a missing or stuck UART can never hang the hypervisor.
 */
#include "console.h"
#include "cpu.h"
#include "../lib/fmt.h"
#include "../lib/string.h"

#define COM1		0x3f8
#define UART_THR	0
#define UART_IER	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_SCR	7
#define UART_LSR_THRE	BIT(5)
#define UART_LSR_TEMT	BIT(6)
#define UART_LCR_DLAB	BIT(7)
#define UART_LCR_8N1	0x03
#define UART_DIV_115200	1
#define UART_SPIN_MAX	100000
#define E9_PORT		0xe9

u32 log_level = 1;
static bool have_com1, have_e9, probed;
static char guest_line[256];
static size_t guest_len;

static bool com1_probe(void)
{
	cpu_outb(COM1 + UART_SCR, 0x5a);
	if (cpu_inb(COM1 + UART_SCR) != 0x5a)
		return false;
	cpu_outb(COM1 + UART_IER, 0);
	cpu_outb(COM1 + UART_LCR, UART_LCR_DLAB);
	cpu_outb(COM1 + 0, UART_DIV_115200);
	cpu_outb(COM1 + 1, 0);
	cpu_outb(COM1 + UART_LCR, UART_LCR_8N1);
	cpu_outb(COM1 + UART_FCR, 0x07);	/* FIFO on, cleared */
	cpu_outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
	return true;
}

void con_init(void)
{
	if (probed)
		return;
	probed = true;
	have_com1 = com1_probe();
	have_e9 = cpu_inb(E9_PORT) == E9_PORT;
}

static void com1_putc(char c)
{
	int spin = UART_SPIN_MAX;

	while (!(cpu_inb(COM1 + UART_LSR) & UART_LSR_THRE) && --spin)
		;
	cpu_outb(COM1 + UART_THR, (u8)c);
}

static void putc_raw(char c)
{
	if (have_com1)
		com1_putc(c);
	if (have_e9)
		cpu_outb(E9_PORT, (u8)c);
}

/* Wait until COM1 has shifted out its last byte (LSR.TEMT): Bochs drops
 * what is still in the UART when the machine powers off. */
void con_drain(void)
{
	int spin = UART_SPIN_MAX;

	if (!have_com1)
		return;
	while (!(cpu_inb(COM1 + UART_LSR) & UART_LSR_TEMT) && --spin)
		;
}

void con_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc_raw('\r');
		putc_raw(*s);
	}
}

static void e9_puts(const char *s)
{
	for (; *s; s++)
		cpu_outb(E9_PORT, (u8)*s);
}

/* Format one line (at most CON_LINE_MAX bytes) and hand it to out. */
#define CON_LINE_MAX 512
static void con_vprintf(void (*out)(const char *), const char *fmt, va_list ap)
{
	char buf[CON_LINE_MAX];

	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	out(buf);
}

void con_debug_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(have_e9 ? e9_puts : con_puts, fmt, ap);
	va_end(ap);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(con_puts, fmt, ap);
	va_end(ap);
}

void con_guest_flush(void)
{
	if (!guest_len)
		return;
	guest_line[guest_len] = '\0';
	con_puts(guest_line);
	con_puts("\n");
	guest_len = 0;
}

void con_guest_putc(char c)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		if (!guest_len)
			con_puts("\n");
		con_guest_flush();
		return;
	}
	guest_line[guest_len++] = c;
	if (guest_len == sizeof(guest_line) - 1)
		con_guest_flush();
}
