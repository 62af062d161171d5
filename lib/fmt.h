/*
 * lib/fmt.h - a small printf: %d %i %u %x %X %p %s %c %%, with the l/ll/z
 * length modifiers, a field width, '-' and '0' flags, and precision for %s.
 * Environment: any; no globals, so it is safe in the hypervisor (IF=0),
 * the guest, and host unit tests.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include "types.h"

/* Format into buf (always NUL-terminated when size > 0); returns the length
 * the full output would have had, like C99 vsnprintf. */
int fmt_vsnprintf(char *buf, size_t size, const char *f, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *f, ...) __printf(3, 4);

#endif
