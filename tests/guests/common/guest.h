/*
 * tests/guests/common/guest.h - what the small test kernels share: port
 * and CPU helpers, the COM1 console, the kvm-unit-tests result protocol
 * (PASS:/FAIL:/SKIP:, then SUMMARY:, then the exit status through QEMU's
 * isa-debug-exit port 0xf4), and the checks every kernel runs.
 *
 * These kernels are written the way kernels made for QEMU are - they know
 * the PC, QEMU's conventions and KVM's ABI, not apfvisor's insides - so
 * that running them on apfvisor shows it can run kernels written
 * elsewhere. Environment: 32-bit protected mode, ring 0 (unless a
 * function says otherwise), built with -m32 -ffreestanding; no libgcc
 * (so no 64-bit division anywhere).
 */
#ifndef GUESTS_GUEST_H
#define GUESTS_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define BIT(n)		(1u << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define KIB		1024u
#define MIB		(1024u * 1024u)

/* --- ports and CPU ---------------------------------------------------- */
static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

struct cpuid { u32 a, b, c, d; };
static inline struct cpuid cpuid(u32 leaf, u32 sub)
{
	struct cpuid r;

	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "a"(leaf), "c"(sub));
	return r;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

/* n / d for a 64-bit n: two DIVs, as libgcc's __udivdi3 would (these
 * kernels link without libgcc). */
static inline u64 udiv64(u64 n, u32 d)
{
	u32 hi = (u32)(n >> 32), lo = (u32)n, qhi = hi / d, qlo, r = hi % d;

	asm("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	return (u64)qhi << 32 | qlo;
}

/* --- strings (lib/string.c; cmdline_value in cmdline.c) -------------- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
/* The value of word "key=..." in a space-separated command line, copied
 * into buf (NUL-terminated); false when no such word. */
bool cmdline_value(const char *cmdline, const char *key, char *buf, size_t size);

/* --- console and results (console.c) ---------------------------------- */
/* Name printed before informational lines ("mb1-elf32: ..."). */
extern const char *guest_name;
void con_init(void);
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void con_vprintf(const char *fmt, va_list ap);
/* One result line: "PASS: <what>" or "FAIL: <what>"; returns ok. */
bool report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SUMMARY line, then exit status 0 (no failures) or 1 through port 0xf4;
 * halts for good if that port does not end the machine. */
__attribute__((noreturn)) void report_exit(void);
__attribute__((noreturn)) void exit_code(u32 code);

/* --- shared checks (checks.c) ----------------------------------------- */
#define MEM_RAM		1

/* One memory-map entry, from either Multiboot version. */
struct mem_range {
	u64 base, len;
	u32 type;
};

/* What a loader told the kernel, whichever protocol. */
struct boot_facts {
	const char *loader;	/* boot loader name, or NULL */
	const char *cmdline;	/* or NULL */
	bool have_mem;		/* mem_lower/mem_upper given */
	u32 mem_lower, mem_upper;	/* KiB */
	u32 nranges;
	struct mem_range ranges[32];
};

/* mem_lower/mem_upper against the map, the PC holes reserved, RAM
 * entries disjoint, the command line (hello=world when given). */
void check_boot_facts(const struct boot_facts *f);
/* fw_cfg: signature, ID, CPU count 1, RAM size = mem_upper + 1 MiB. */
void check_fwcfg(const struct boot_facts *f);
/* 8259 masking, PM timer, port 0x92; reset=cf9|92 on the command line
 * asks for a reset instead (the run must end there). */
void check_pc_devices(const struct boot_facts *f);
/* Is this apfvisor (its signature at CPUID 0x40000100)? */
bool on_apfvisor(void);

#endif
