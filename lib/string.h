/*
 * lib/string.h - the few C string and memory routines a freestanding kernel
 * needs. Environment: any. In host unit tests the libc versions are used
 * instead (this header then only includes <string.h>).
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "types.h"

#ifdef APFV_HOSTED
#include <string.h>
#else
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copy at most size-1 bytes of src into dst and NUL-terminate; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);

#endif
