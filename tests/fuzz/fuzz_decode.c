/*
 * tests/fuzz/fuzz_decode.c - libFuzzer target for vmm/decode.c, the MMIO
 * instruction decoder.
 *
 * Input: one byte for the mode (% 4: 16, 32, 64-bit code, or a bad mode
 * number), then the bytes fetched at guest RIP (any count, also more than
 * an instruction may have).
 *
 * Invariants on success (SDM Vol. 2 "Instruction Format"):
 *  - 1 <= len <= n and len <= 15;
 *  - exactly len bytes matter: the first len bytes alone decode the same,
 *    and len - 1 bytes do not decode;
 *  - size is 1, 2, 4 or 8, dst_size too and >= size; 8 only in 64-bit
 *    code; reg < 16 (< 8 outside 64-bit code); AH..BH only as a 1-byte
 *    operand of register 0..3; MOVZX only loads 1 or 2 bytes; an
 *    immediate fits its operand size (sign-extended imm32 for 8 bytes).
 * A bad mode always fails.
 *
 * Environment: host fuzzing (clang, libFuzzer, ASan+UBSan).
 */
#include "fuzz.h"
#include "../../vmm/decode.h"

static const int modes[] = { 16, 32, 64, 0 };

static bool size_ok(u32 s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check_insn(const struct decode_insn *d, u32 n, int mode)
{
	FUZZ_CHECK(d->len >= 1 && d->len <= n && d->len <= DECODE_MAX_LEN);
	FUZZ_CHECK(size_ok(d->size) && size_ok(d->dst_size));
	FUZZ_CHECK(d->dst_size >= d->size);
	FUZZ_CHECK(d->op == DEC_LOAD || d->op == DEC_STORE ||
		   d->op == DEC_STORE_IMM);
	FUZZ_CHECK(d->reg < (mode == 64 ? 16u : 8u));
	if (mode != 64)
		FUZZ_CHECK(d->size != 8 && d->dst_size != 8);
	if (d->high8)
		FUZZ_CHECK(d->size == 1 && d->reg < 4);
	if (d->zero_ext)
		FUZZ_CHECK(d->op == DEC_LOAD && d->size <= 2 &&
			   d->dst_size > 1);
	else
		FUZZ_CHECK(d->dst_size == d->size);
	if (d->op == DEC_STORE_IMM && d->size < 8)
		FUZZ_CHECK(d->imm >> (8 * d->size) == 0);
	if (d->op == DEC_STORE_IMM && d->size == 8)
		FUZZ_CHECK((u64)(s64)(s32)(u32)d->imm == d->imm);
}

static bool same(const struct decode_insn *a, const struct decode_insn *b)
{
	return a->op == b->op && a->len == b->len && a->size == b->size &&
	       a->reg == b->reg && a->high8 == b->high8 &&
	       a->zero_ext == b->zero_ext && a->dst_size == b->dst_size &&
	       a->imm == b->imm;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct decode_insn d, again;
	const u8 *bytes;
	u32 n;
	int mode;

	if (!size)
		return 0;
	mode = modes[data[0] % 4];
	bytes = data + 1;
	n = (u32)MIN(size - 1, (size_t)UINT32_MAX);
	memset(&d, 0x5a, sizeof(d));
	if (decode_mmio(bytes, n, mode, &d) < 0)
		return 0;
	FUZZ_CHECK(mode != 0);	/* a bad mode never decodes */
	check_insn(&d, n, mode);
	/* the instruction is exactly its len bytes */
	FUZZ_CHECK(decode_mmio(bytes, d.len, mode, &again) == 0);
	FUZZ_CHECK(same(&d, &again));
	FUZZ_CHECK(decode_mmio(bytes, d.len - 1, mode, &again) < 0);
	return 0;
}
