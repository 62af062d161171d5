/*
 * guest-stub/console.h - the guest's console: COM1, polled, output only.
 * Environment: guest (ring 0), interrupts off; single CPU, no locking.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include "../lib/types.h"

/* Set up COM1. program_baud=false leaves the line settings alone (apfvisor's
 * COM1 only implements THR and LSR, vmm/abi.h). */
void con_init(bool program_baud);
/* Write the NUL-terminated string s. */
void con_puts(const char *s);
/* printf to the console; one line at most 256 bytes long is written at once. */
void con_printf(const char *f, ...) __printf(1, 2);
void con_vprintf(const char *f, va_list ap);
/* Wait until every byte written has left the UART (before the machine
 * stops, so that the last line is not cut short). */
void con_flush(void);

#endif
