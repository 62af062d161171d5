/*
 * tests/unit/test_uart.c - vmm/uart.c: the guest's COM1 16550 (PC16550D
 * register map): output through tx, the DLAB divisor latch, status
 * registers that always say "ready to send", loopback, scratch.
 * Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../vmm/uart.h"

/* Register offsets from the base port (PC16550D table 2). */
enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define LCR_8N1		0x03
#define LCR_DLAB	BIT(7)
#define LSR_THRE	BIT(5)
#define LSR_TEMT	BIT(6)
#define IIR_NO_INT	0x01
#define IIR_FIFO_ON	0xc0
#define FCR_ENABLE	BIT(0)
#define MCR_DTR_RTS	0x03
#define MCR_LOOP	BIT(4)
#define MSR_CTS_DSR_DCD	(BIT(4) | BIT(5) | BIT(7))
#define DIV_115200	1

static char out[64];
static size_t nout;
static struct uart u;

static void tx(char c)
{
	if (nout < sizeof(out))
		out[nout++] = c;
}

static int setup(void **state)
{
	(void)state;
	memset(out, 0, sizeof(out));
	nout = 0;
	u = (struct uart){ .tx = tx };
	return 0;
}

static void send(const char *s)
{
	while (*s)
		uart_write(&u, RBR_THR, (u8)*s++);
}

static void thr_writes_go_to_tx_in_order(void **state)
{
	(void)state;
	send("ok\n");
	assert_int_equal(nout, 3);
	assert_memory_equal(out, "ok\n", 3);
}

static void dlab_selects_the_divisor_latch(void **state)
{
	(void)state;
	uart_write(&u, IER, 0x05);
	uart_write(&u, LCR, LCR_DLAB | LCR_8N1);
	uart_write(&u, RBR_THR, DIV_115200);	/* DLL */
	uart_write(&u, IER, 0x12);		/* DLM */
	assert_int_equal(nout, 0);		/* a divisor is not output */
	assert_int_equal(uart_read(&u, RBR_THR), DIV_115200);
	assert_int_equal(uart_read(&u, IER), 0x12);
	uart_write(&u, LCR, LCR_8N1);
	assert_int_equal(uart_read(&u, IER), 0x05);	/* IER kept */
	assert_int_equal(uart_read(&u, RBR_THR), 0);	/* nothing received */
	assert_int_equal(uart_read(&u, LCR), LCR_8N1);
	send("x");
	assert_int_equal(nout, 1);
}

static void ier_keeps_only_its_four_bits(void **state)
{
	(void)state;
	uart_write(&u, IER, 0xff);
	assert_int_equal(uart_read(&u, IER), 0x0f);
}

static void lsr_always_says_thre_and_temt(void **state)
{
	(void)state;
	assert_int_equal(uart_read(&u, LSR), LSR_THRE | LSR_TEMT);
	send("busy?");
	assert_int_equal(uart_read(&u, LSR), LSR_THRE | LSR_TEMT);
	uart_write(&u, LSR, 0);		/* read-only */
	uart_write(&u, LCR, LCR_DLAB);
	assert_int_equal(uart_read(&u, LSR), LSR_THRE | LSR_TEMT);
}

static void iir_without_fifo_says_no_interrupt(void **state)
{
	(void)state;
	assert_int_equal(uart_read(&u, IIR_FCR), IIR_NO_INT);
}

static void iir_with_fifo_shows_fifo_bits(void **state)
{
	(void)state;
	uart_write(&u, IIR_FCR, FCR_ENABLE | 0x06);	/* enable, clear both */
	assert_int_equal(uart_read(&u, IIR_FCR), IIR_NO_INT | IIR_FIFO_ON);
	uart_write(&u, IIR_FCR, 0);
	assert_int_equal(uart_read(&u, IIR_FCR), IIR_NO_INT);
}

static void loopback_suppresses_output(void **state)
{
	(void)state;
	uart_write(&u, MCR, MCR_LOOP | MCR_DTR_RTS);
	send("probe");
	assert_int_equal(nout, 0);
	assert_int_equal(uart_read(&u, MSR), 0);
	uart_write(&u, MCR, MCR_DTR_RTS);
	send("y");
	assert_int_equal(nout, 1);
	assert_int_equal(out[0], 'y');
}

static void msr_reports_a_connected_modem(void **state)
{
	(void)state;
	assert_int_equal(uart_read(&u, MSR), MSR_CTS_DSR_DCD);
	uart_write(&u, MSR, 0);		/* read-only */
	assert_int_equal(uart_read(&u, MSR), MSR_CTS_DSR_DCD);
}

static void mcr_keeps_only_its_five_bits(void **state)
{
	(void)state;
	uart_write(&u, MCR, 0xff);
	assert_int_equal(uart_read(&u, MCR), 0x1f);
}

static void scr_round_trips(void **state)
{
	(void)state;
	for (u32 v = 0; v <= 0xff; v += 0x55) {
		uart_write(&u, SCR, (u8)v);
		assert_int_equal(uart_read(&u, SCR), v);
	}
	assert_int_equal(nout, 0);
}

static void no_tx_callback_drops_output(void **state)
{
	(void)state;
	u.tx = NULL;
	send("lost");
	assert_int_equal(uart_read(&u, LSR), LSR_THRE | LSR_TEMT);
}

static void register_past_7_reads_all_ones(void **state)
{
	(void)state;
	assert_int_equal(uart_read(&u, UART_NREGS), 0xff);
	uart_write(&u, UART_NREGS, 'z');
	assert_int_equal(nout, 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(thr_writes_go_to_tx_in_order),
		T(dlab_selects_the_divisor_latch),
		T(ier_keeps_only_its_four_bits),
		T(lsr_always_says_thre_and_temt),
		T(iir_without_fifo_says_no_interrupt),
		T(iir_with_fifo_shows_fifo_bits),
		T(loopback_suppresses_output),
		T(msr_reports_a_connected_modem),
		T(mcr_keeps_only_its_five_bits),
		T(scr_round_trips),
		T(no_tx_callback_drops_output),
		T(register_past_7_reads_all_ones),
	};

	return UNIT_RUN("uart", tests);
}
