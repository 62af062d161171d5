/*
 * vmm/console.h - the hypervisor's output: COM1 (16550, 115200 8N1) and
 * the 0xE9 debug port when the platform has one (Bochs, QEMU debugcon).
 * Lines are written whole, so the guest's relayed lines and the
 * hypervisor's own never interleave mid-line.
 *
 * Environment: VMX root, IF=0, single CPU.
 */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include "../lib/types.h"

/* Probe and initialise COM1 and port 0xE9. Safe to call more than once. */
void con_init(void);
/* printf to the console (no level filter). */
void con_printf(const char *fmt, ...) __printf(1, 2);
/* Write a string as is. */
void con_puts(const char *s);
/* Wait until every byte written has left COM1 (before power-off). */
void con_drain(void);
/* printf to port 0xE9 only when the platform has it (Bochs, QEMU
 * debugcon): bulk output such as traces, free of serial timing; else to
 * the console. */
void con_debug_printf(const char *fmt, ...) __printf(1, 2);
/* Relay one byte of guest console output; complete lines are printed. */
void con_guest_putc(char c);
/* Print a partial guest line left in the relay buffer, if any. */
void con_guest_flush(void);

/* Log lines carry their module prefix in fmt, e.g. info("vmx: on"). */
extern u32 log_level;
#define info(...) do { if (log_level >= 1) con_printf(__VA_ARGS__); } while (0)
#define debug(...) do { if (log_level >= 2) con_printf(__VA_ARGS__); } while (0)

#endif
