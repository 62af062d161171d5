/*
 * lib/string.c - freestanding memory and string routines.
 * Environment: any (no globals, no hardware). GCC may emit calls to
 * memset/memcpy/memmove/memcmp itself, so these names must exist.
 */
#include "string.h"

#ifndef APFV_HOSTED
/* REP STOSB/MOVSB: one instruction for the whole range, which both real
 * CPUs (ERMS) and Bochs (repeat speed-ups) run far faster than a loop -
 * zeroing guest RAM at start-up dominated boot time without it. */
void *memset(void *d, int c, size_t n)
{
	void *p = d;
#ifdef __x86_64__
	size_t q = n / 8;
	u64 v = 0x0101010101010101ULL * (u8)c;

	/* 8 bytes a step: Bochs counts each REP iteration as an instruction,
	 * so this also keeps TSC-measured boot cost honest. (32-bit test
	 * kernels built from this file take the byte loop only.) */
	asm volatile("rep stosq" : "+D"(p), "+c"(q) : "a"(v) : "memory");
	n &= 7;
#endif
	asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *dp = d;

	asm volatile("rep movsb" : "+D"(dp), "+S"(s), "+c"(n) : : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}
#endif

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n < size - 1 ? n : size - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}
