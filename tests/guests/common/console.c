/*
 * tests/guests/common/console.c - COM1 (a 16550 at 0x3f8) polled on LSR,
 * a small printf, and the result protocol of kvm-unit-tests: PASS:,
 * FAIL:, SKIP: lines, then SUMMARY:, then the exit status written to
 * QEMU's isa-debug-exit port (0xf4; QEMU exits with (code << 1) | 1).
 *
 * Environment: ring 0, interrupts off or on (one CPU, no locking).
 */
#include "guest.h"

#define COM1		0x3f8
#define UART_THR	0
#define UART_IER	1
#define UART_DLL	0
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define FCR_FIFO_ON	0xc7
#define MCR_DTR_RTS	0x03
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define SPIN_MAX	1000000	/* a missing UART must not hang us */
#define PORT_DEBUG_EXIT	0xf4

static struct {
	u32 tests, failures, skipped;
} counts;

void con_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);	/* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_FIFO_ON);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void wait_lsr(u8 bit)
{
	for (u32 i = 0; i < SPIN_MAX && !(inb(COM1 + UART_LSR) & bit); i++)
		;
}

static void con_putc(char c)
{
	if (c == '\n')
		con_putc('\r');
	wait_lsr(LSR_THRE);
	outb(COM1 + UART_THR, (u8)c);
}

static void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

/* Unsigned n in base (10 or 16), at least width digits, zero- or
 * space-padded. 32-bit only for base 10: there is no libgcc. */
static void put_num(u64 n, u32 base, int width, bool zero)
{
	char b[24];
	int i = 0;

	do {
		u32 d = base == 16 ? (u32)(n & 15) : (u32)n % 10;

		b[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		n = base == 16 ? n >> 4 : (u32)n / 10;
	} while (n);
	while (i < width)
		b[i++] = zero ? '0' : ' ';
	while (i)
		con_putc(b[--i]);
}

/* %s %c %d %u %x %p %%, with a width, '0' and the ll modifier (ll: %llx
 * only; decimal is 32-bit). */
void con_vprintf(const char *f, va_list ap)
{
	for (; *f; f++) {
		int width = 0, ll = 0;
		bool zero = false;

		if (*f != '%') {
			con_putc(*f);
			continue;
		}
		if (*++f == '0')
			zero = true, f++;
		while (*f >= '0' && *f <= '9')
			width = width * 10 + *f++ - '0';
		while (*f == 'l')
			ll++, f++;
		switch (*f) {
		case 's': con_puts(va_arg(ap, const char *)); break;
		case 'c': con_putc((char)va_arg(ap, int)); break;
		case 'd': {
			int v = va_arg(ap, int);

			if (v < 0)
				con_putc('-'), v = -v;
			put_num((u32)v, 10, width, zero);
			break;
		}
		case 'u': put_num(va_arg(ap, u32), 10, width, zero); break;
		case 'x': put_num(ll >= 2 ? va_arg(ap, u64) : va_arg(ap, u32),
				  16, width, zero); break;
		case 'p': con_puts("0x"); put_num((u32)va_arg(ap, void *), 16, 8, true); break;
		case '%': con_putc('%'); break;
		default: con_putc('?'); break;
		}
	}
}

void con_printf(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	con_vprintf(f, ap);
	va_end(ap);
}

static void line(const char *prefix, const char *f, va_list ap)
{
	con_puts(prefix);
	con_vprintf(f, ap);
	con_putc('\n');
}

bool report(bool ok, const char *f, ...)
{
	va_list ap;

	counts.tests++;
	counts.failures += !ok;
	va_start(ap, f);
	line(ok ? "PASS: " : "FAIL: ", f, ap);
	va_end(ap);
	return ok;
}

void report_skip(const char *f, ...)
{
	va_list ap;

	counts.tests++;
	counts.skipped++;
	va_start(ap, f);
	line("SKIP: ", f, ap);
	va_end(ap);
}

void report_info(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	con_puts(guest_name);
	line(": ", f, ap);
	va_end(ap);
}

void exit_code(u32 code)
{
	wait_lsr(LSR_TEMT);
	outl(PORT_DEBUG_EXIT, code);
	for (;;)
		asm volatile("cli; hlt");
}

void report_exit(void)
{
	con_printf("SUMMARY: %u tests, %u unexpected failures, %u skipped\n",
		   counts.tests, counts.failures, counts.skipped);
	exit_code(counts.failures ? 1 : 0);
}
