/*
 * tests/unit/test_decode.c - vmm/decode.c: decoding the MOV/MOVZX forms
 * kernels use for MMIO (SDM Vol. 2, "Instruction Format", "MOV",
 * "MOVZX"). Every encoding below was produced by GNU as and checked with
 * objdump; the assembly is the comment beside it. Each accepted encoding
 * is also decoded with trailing bytes (a 15-byte fetch) and one byte
 * short (must be rejected). Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../vmm/decode.h"

#define FILL	0xcc	/* bytes after the instruction in a longer fetch */

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
       R8, R9, R10, R11, R12, R13, R14, R15 };

/* The expected result, len aside (it is the number of bytes given). */
#define LOAD(sz, r)	((struct decode_insn){ .op = DEC_LOAD, .size = (sz), \
			  .reg = (r), .dst_size = (sz) })
#define STORE(sz, r)	((struct decode_insn){ .op = DEC_STORE, .size = (sz), \
			  .reg = (r), .dst_size = (sz) })
#define STORE_IMM(sz, v) ((struct decode_insn){ .op = DEC_STORE_IMM, \
			  .size = (sz), .dst_size = (sz), .imm = (v) })
#define MOVZX(sz, dsz, r) ((struct decode_insn){ .op = DEC_LOAD, .size = (sz), \
			  .reg = (r), .zero_ext = true, .dst_size = (dsz) })
#define HIGH8_LOAD(r)	((struct decode_insn){ .op = DEC_LOAD, .size = 1, \
			  .reg = (r), .high8 = true, .dst_size = 1 })
#define HIGH8_STORE(r)	((struct decode_insn){ .op = DEC_STORE, .size = 1, \
			  .reg = (r), .high8 = true, .dst_size = 1 })

#define BYTES(...)	(const u8[]){ __VA_ARGS__ }, \
			sizeof((const u8[]){ __VA_ARGS__ })

static void assert_insn(const struct decode_insn *got,
			const struct decode_insn *want)
{
	assert_int_equal(got->op, want->op);
	assert_int_equal(got->len, want->len);
	assert_int_equal(got->size, want->size);
	assert_int_equal(got->reg, want->reg);
	assert_int_equal(got->high8, want->high8);
	assert_int_equal(got->zero_ext, want->zero_ext);
	assert_int_equal(got->dst_size, want->dst_size);
	assert_int_equal(got->imm, want->imm);
}

/* bytes[0..n) is exactly one instruction that decodes to want. */
static void decodes(int mode, const u8 *bytes, u32 n, struct decode_insn want)
{
	u8 fetch[DECODE_MAX_LEN + 1];
	struct decode_insn got;

	want.len = n;
	assert_int_equal(decode_mmio(bytes, n, mode, &got), 0);
	assert_insn(&got, &want);

	memset(fetch, FILL, sizeof(fetch));
	memcpy(fetch, bytes, n);
	assert_int_equal(decode_mmio(fetch, sizeof(fetch), mode, &got), 0);
	assert_insn(&got, &want);

	assert_int_equal(decode_mmio(bytes, n - 1, mode, &got), -1);
}

static void rejects(int mode, const u8 *bytes, u32 n)
{
	struct decode_insn got;

	assert_int_equal(decode_mmio(bytes, n, mode, &got), -1);
}

/* --- 64-bit mode ------------------------------------------------------ */

static void mov_reg_to_and_from_memory(void **state)
{
	(void)state;
	/* mov %eax,0x300(%rbx) */
	decodes(64, BYTES(0x89, 0x83, 0x00, 0x03, 0x00, 0x00), STORE(4, RAX));
	/* mov 0x0(%rbp),%eax: rbp base needs a disp8 */
	decodes(64, BYTES(0x8b, 0x45, 0x00), LOAD(4, RAX));
	/* mov 0x0(%r13),%eax: so does r13 */
	decodes(64, BYTES(0x41, 0x8b, 0x45, 0x00), LOAD(4, RAX));
}

static void moffs_size_follows_address_size(void **state)
{
	(void)state;
	/* movabs 0xfee000b0,%eax */
	decodes(64, BYTES(0xa1, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
		LOAD(4, RAX));
	/* movabs 0xfee00020,%rax */
	decodes(64, BYTES(0x48, 0xa1, 0x20, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00,
			  0x00), LOAD(8, RAX));
	/* movabs %al,0xfee00020 */
	decodes(64, BYTES(0xa2, 0x20, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00),
		STORE(1, RAX));
	/* addr32 mov 0xfee00300,%eax (hand-made: a1 with a 4-byte moffs) */
	decodes(64, BYTES(0x67, 0xa1, 0x00, 0x03, 0xe0, 0xfe), LOAD(4, RAX));
}

static void store_immediate(void **state)
{
	(void)state;
	/* movl $0x0,0xb0(%rax) */
	decodes(64, BYTES(0xc7, 0x80, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			  0x00), STORE_IMM(4, 0));
	/* movq $0xffffffffffffffff,0x8(%rbx): imm32 sign-extended */
	decodes(64, BYTES(0x48, 0xc7, 0x43, 0x08, 0xff, 0xff, 0xff, 0xff),
		STORE_IMM(8, ~0ULL));
	/* movw $0x1234,(%rax) */
	decodes(64, BYTES(0x66, 0xc7, 0x00, 0x34, 0x12), STORE_IMM(2, 0x1234));
	/* movb $0x5a,(%rax) */
	decodes(64, BYTES(0xc6, 0x00, 0x5a), STORE_IMM(1, 0x5a));
	/* movq $0x7fffffff,(%rax) with REX.R, which /0 ignores (hand-made) */
	decodes(64, BYTES(0x4c, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f),
		STORE_IMM(8, 0x7fffffff));
}

static void rex_extends_the_register(void **state)
{
	(void)state;
	/* mov (%rdi),%r9d */
	decodes(64, BYTES(0x44, 0x8b, 0x0f), LOAD(4, R9));
	/* mov (%rax,%r12,8),%r15: REX.X and REX.B pick address registers */
	decodes(64, BYTES(0x4e, 0x8b, 0x3c, 0xe0), LOAD(8, R15));
	/* mov %r8w,0x1000(%r9,%r10,2) */
	decodes(64, BYTES(0x66, 0x47, 0x89, 0x84, 0x51, 0x00, 0x10, 0x00, 0x00),
		STORE(2, R8));
}

static void movzx_loads(void **state)
{
	(void)state;
	/* movzbl 0x20(%rax),%eax */
	decodes(64, BYTES(0x0f, 0xb6, 0x40, 0x20), MOVZX(1, 4, RAX));
	/* movzwl 0x20(%rax),%eax */
	decodes(64, BYTES(0x0f, 0xb7, 0x40, 0x20), MOVZX(2, 4, RAX));
	/* movzbq (%rsi),%r10 */
	decodes(64, BYTES(0x4c, 0x0f, 0xb6, 0x16), MOVZX(1, 8, R10));
	/* movzwl 0x20(%ebx),%esi (32-bit code) */
	decodes(32, BYTES(0x0f, 0xb7, 0x73, 0x20), MOVZX(2, 4, RSI));
	/* movzbw (%si),%dx (16-bit code) */
	decodes(16, BYTES(0x0f, 0xb6, 0x14), MOVZX(1, 2, RDX));
}

static void sib_forms(void **state)
{
	(void)state;
	/* mov %ecx,0x300(%rbx,%rdx,4) */
	decodes(64, BYTES(0x89, 0x8c, 0x93, 0x00, 0x03, 0x00, 0x00), STORE(4, RCX));
	/* mov %eax,0x10(%rsp): rsp base needs a SIB */
	decodes(64, BYTES(0x89, 0x44, 0x24, 0x10), STORE(4, RAX));
	/* mov 0x300(,%rdx,4),%ecx: no base, disp32 */
	decodes(64, BYTES(0x8b, 0x0c, 0x95, 0x00, 0x03, 0x00, 0x00), LOAD(4, RCX));
	/* mov 0x1000,%eax: SIB without base or index */
	decodes(64, BYTES(0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), LOAD(4, RAX));
}

static void rip_relative(void **state)
{
	(void)state;
	/* mov %eax,0x12345678(%rip) */
	decodes(64, BYTES(0x89, 0x05, 0x78, 0x56, 0x34, 0x12), STORE(4, RAX));
	/* mov 0x12345678(%rip),%r12 */
	decodes(64, BYTES(0x4c, 0x8b, 0x25, 0x78, 0x56, 0x34, 0x12),
		LOAD(8, R12));
	/* mov 0x10(%eip),%eax */
	decodes(64, BYTES(0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00),
		LOAD(4, RAX));
}

static void prefixes_operand_size_and_segments(void **state)
{
	(void)state;
	/* mov %ax,(%rbx) */
	decodes(64, BYTES(0x66, 0x89, 0x03), STORE(2, RAX));
	/* mov %gs:(%rax),%eax */
	decodes(64, BYTES(0x65, 0x8b, 0x00), LOAD(4, RAX));
	/* ds mov 0x12(%rax),%eax */
	decodes(64, BYTES(0x3e, 0x8b, 0x40, 0x12), LOAD(4, RAX));
	/* es mov %al,(%rcx) */
	decodes(64, BYTES(0x26, 0x88, 0x01), STORE(1, RAX));
	/* data16 mov %rax,(%rbx): REX.W beats 0x66 */
	decodes(64, BYTES(0x66, 0x48, 0x89, 0x03), STORE(8, RAX));
	/* addr32 mov 0x300(%ebx),%eax: 0x67 changes nothing here */
	decodes(64, BYTES(0x67, 0x8b, 0x83, 0x00, 0x03, 0x00, 0x00),
		LOAD(4, RAX));
}

/* A REX followed by a legacy prefix is ignored (objdump agrees). */
static void rex_before_a_legacy_prefix_is_ignored(void **state)
{
	(void)state;
	/* rex.W; mov %ax,(%rbx) */
	decodes(64, BYTES(0x48, 0x66, 0x89, 0x03), STORE(2, RAX));
	/* rex; data16 mov %ah,(%rbx) */
	decodes(64, BYTES(0x40, 0x66, 0x88, 0x23), HIGH8_STORE(RAX));
}

static void byte_registers(void **state)
{
	(void)state;
	/* mov %ah,(%rbx) */
	decodes(64, BYTES(0x88, 0x23), HIGH8_STORE(RAX));
	/* mov 0x4(%rbx),%bh */
	decodes(64, BYTES(0x8a, 0x7b, 0x04), HIGH8_LOAD(RBX));
	/* mov %sil,(%rbx): any REX makes 4-7 SPL..DIL */
	decodes(64, BYTES(0x40, 0x88, 0x33), STORE(1, RSI));
	/* mov 0x4(%r13),%dil */
	decodes(64, BYTES(0x41, 0x8a, 0x7d, 0x04), LOAD(1, RDI));
	/* mov 0x12(%bp,%di),%cl (16-bit code) */
	decodes(16, BYTES(0x8a, 0x4b, 0x12), LOAD(1, RCX));
}

/* --- 32-bit and 16-bit code ------------------------------------------- */

static void absolute_and_sib_in_32bit_code(void **state)
{
	(void)state;
	/* mov %ecx,0xfee00300: ModRM disp32 */
	decodes(32, BYTES(0x89, 0x0d, 0x00, 0x03, 0xe0, 0xfe), STORE(4, RCX));
	/* mov 0xfee000b0,%edx */
	decodes(32, BYTES(0x8b, 0x15, 0xb0, 0x00, 0xe0, 0xfe), LOAD(4, RDX));
	/* mov %eax,0xfee00300: moffs32 */
	decodes(32, BYTES(0xa3, 0x00, 0x03, 0xe0, 0xfe), STORE(4, RAX));
	/* mov 0xfee00300,%eax */
	decodes(32, BYTES(0xa1, 0x00, 0x03, 0xe0, 0xfe), LOAD(4, RAX));
	/* mov %eax,0x300(%ebx,%esi,2) */
	decodes(32, BYTES(0x89, 0x84, 0x73, 0x00, 0x03, 0x00, 0x00), STORE(4, RAX));
	/* mov %eax,(%esp) */
	decodes(32, BYTES(0x89, 0x04, 0x24), STORE(4, RAX));
	/* movl $0x1,0xb0(%eax) */
	decodes(32, BYTES(0xc7, 0x80, 0xb0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
			  0x00), STORE_IMM(4, 1));
	/* mov %ax,%fs:(%edi) */
	decodes(32, BYTES(0x64, 0x66, 0x89, 0x07), STORE(2, RAX));
	/* addr16 mov (%bx,%si),%ax */
	decodes(32, BYTES(0x67, 0x66, 0x8b, 0x00), LOAD(2, RAX));
}

static void addressing_forms_of_16bit_code(void **state)
{
	(void)state;
	/* mov %ax,(%bx,%si) */
	decodes(16, BYTES(0x89, 0x00), STORE(2, RAX));
	/* mov 0x1234,%ax: moffs16 */
	decodes(16, BYTES(0xa1, 0x34, 0x12), LOAD(2, RAX));
	/* mov 0x5678,%al */
	decodes(16, BYTES(0xa0, 0x78, 0x56), LOAD(1, RAX));
	/* mov %eax,0x10(%bp) */
	decodes(16, BYTES(0x66, 0x89, 0x46, 0x10), STORE(4, RAX));
	/* mov 0x0(%bp),%ax: bp alone needs a disp8 */
	decodes(16, BYTES(0x8b, 0x46, 0x00), LOAD(2, RAX));
	/* mov %es:0x300,%bx: mod 00 rm 110 is disp16 */
	decodes(16, BYTES(0x26, 0x8b, 0x1e, 0x00, 0x03), LOAD(2, RBX));
	/* movw $0xbeef,0x300(%bx) */
	decodes(16, BYTES(0xc7, 0x87, 0x00, 0x03, 0xef, 0xbe),
		STORE_IMM(2, 0xbeef));
	/* movl $0x12345678,(%di) */
	decodes(16, BYTES(0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12),
		STORE_IMM(4, 0x12345678));
	/* addr32 mov 0x300(%ebx),%eax */
	decodes(16, BYTES(0x67, 0x66, 0x8b, 0x83, 0x00, 0x03, 0x00, 0x00),
		LOAD(4, RAX));
	/* addr32 mov %eax,0xfee00300(,%esi,4) */
	decodes(16, BYTES(0x67, 0x66, 0x89, 0x04, 0xb5, 0x00, 0x03, 0xe0, 0xfe),
		STORE(4, RAX));
}

/* --- what is refused --------------------------------------------------- */

static void register_operands_are_not_mmio(void **state)
{
	(void)state;
	rejects(64, BYTES(0x89, 0xc3));		/* mov %eax,%ebx */
	rejects(64, BYTES(0x0f, 0xb6, 0xc0));	/* movzbl %al,%eax */
	rejects(16, BYTES(0x8b, 0xd8));		/* mov %ax,%bx */
}

static void lock_and_rep_are_refused(void **state)
{
	(void)state;
	rejects(64, BYTES(0xf0, 0x89, 0x03));		/* lock mov: #UD */
	rejects(64, BYTES(0xf0, 0x83, 0x00, 0x01));	/* lock addl $0x1,(%rax) */
	rejects(64, BYTES(0xf3, 0xa4));			/* rep movsb */
	rejects(64, BYTES(0xf3, 0x89, 0x03));		/* xrelease mov */
	rejects(32, BYTES(0xf2, 0x89, 0x03));
}

static void other_opcodes_are_refused(void **state)
{
	(void)state;
	rejects(64, BYTES(0x01, 0x03));			/* add %eax,(%rbx) */
	rejects(64, BYTES(0xc6, 0x08, 0x5a));		/* c6 /1 */
	rejects(64, BYTES(0xc7, 0x38, 0, 0, 0, 0));	/* c7 /7 */
	rejects(64, BYTES(0x0f, 0x05));			/* syscall */
	rejects(64, BYTES(0xa4));			/* movsb */
	rejects(32, BYTES(0x40, 0x89, 0x03));		/* inc %eax: no REX in 32-bit */
	rejects(64, BYTES(0xc5, 0xf9, 0x6f, 0x00));	/* vmovdqa (%rax),%xmm0 */
}

static void truncated_long_and_bad_modes_are_refused(void **state)
{
	u8 b[DECODE_MAX_LEN + 1];
	struct decode_insn got;

	(void)state;
	rejects(64, BYTES(0x66, 0x66));
	assert_int_equal(decode_mmio(b, 0, 64, &got), -1);
	assert_int_equal(decode_mmio((const u8[]){ 0x89, 0x03 }, 2, 8, &got), -1);

	/* 13 prefixes + mov %eax,(%rbx) = 15 bytes: the longest allowed */
	memset(b, 0x3e, sizeof(b));
	b[13] = 0x89;
	b[14] = 0x03;
	decodes(64, b, DECODE_MAX_LEN, STORE(4, RAX));
	/* one more prefix: 16 bytes, #GP on the CPU */
	b[13] = 0x3e;
	b[14] = 0x89;
	b[15] = 0x03;
	rejects(64, b, sizeof(b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mov_reg_to_and_from_memory),
		cmocka_unit_test(moffs_size_follows_address_size),
		cmocka_unit_test(store_immediate),
		cmocka_unit_test(rex_extends_the_register),
		cmocka_unit_test(movzx_loads),
		cmocka_unit_test(sib_forms),
		cmocka_unit_test(rip_relative),
		cmocka_unit_test(prefixes_operand_size_and_segments),
		cmocka_unit_test(rex_before_a_legacy_prefix_is_ignored),
		cmocka_unit_test(byte_registers),
		cmocka_unit_test(absolute_and_sib_in_32bit_code),
		cmocka_unit_test(addressing_forms_of_16bit_code),
		cmocka_unit_test(register_operands_are_not_mmio),
		cmocka_unit_test(lock_and_rep_are_refused),
		cmocka_unit_test(other_opcodes_are_refused),
		cmocka_unit_test(truncated_long_and_bad_modes_are_refused),
	};

	return UNIT_RUN("decode", tests);
}
