/*
 * tests/fuzz/fuzz.h - what every fuzz target shares: a cursor over the
 * fuzzer's bytes (read past the end gives zeros, so every input is a
 * complete program) and FUZZ_CHECK, which names the broken invariant on
 * stderr and stops with __builtin_trap() so libFuzzer saves the input.
 *
 * Environment: host fuzzing only (clang -fsanitize=fuzzer,address,undefined,
 * -DAPFV_HOSTED); the modules under test are the hypervisor's own .c files.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/types.h"

/* Stop at a broken invariant; libFuzzer reports the trap as a crash. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: invariant broken at %s:%d: %s\n", \
				__FILE__, __LINE__, #cond);		\
			__builtin_trap();				\
		}							\
	} while (0)

/* FUZZ_TRACE=1 in the environment: targets narrate each step on stderr,
 * to read a saved crash input (./fuzz_apf crash-...). */
static inline bool fuzz_tracing(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("FUZZ_TRACE") != NULL;
	return on;
}

#define FUZZ_TRACE(...)							\
	do {								\
		if (fuzz_tracing())					\
			fprintf(stderr, __VA_ARGS__);			\
	} while (0)

/* FUZZ_STRICT=1 in the environment: also check the invariants of
 * findings reported but not yet fixed (tests/fuzz/crashes/README.md), so
 * their reproducers fail until the module is fixed. Off by default, so
 * `make fuzz-smoke` stays green for everyone else meanwhile. */
static inline bool fuzz_strict(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("FUZZ_STRICT") != NULL;
	return on;
}

/* The fuzzer's bytes, consumed front to back. */
struct fz {
	const u8 *p;
	size_t n, pos;
};

static inline void fz_init(struct fz *f, const u8 *p, size_t n)
{
	*f = (struct fz){ p, n, 0 };
}

static inline bool fz_more(const struct fz *f)
{
	return f->pos < f->n;
}

static inline u8 fz_u8(struct fz *f)
{
	return f->pos < f->n ? f->p[f->pos++] : 0;
}

/* count little-endian bytes (at most 8) as one value. */
static inline u64 fz_bytes(struct fz *f, unsigned count)
{
	u64 v = 0;

	for (unsigned i = 0; i < count; i++)
		v |= (u64)fz_u8(f) << (8 * i);
	return v;
}

static inline u32 fz_u32(struct fz *f) { return (u32)fz_bytes(f, 4); }
static inline u64 fz_u64(struct fz *f) { return fz_bytes(f, 8); }

#endif
