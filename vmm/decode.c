/*
 * vmm/decode.c - decode the MOV/MOVZX forms that kernels use to touch
 * MMIO, from the bytes at guest RIP (SDM Vol. 2, chapter "Instruction
 * Format": "Instruction Prefixes", "REX Prefixes", "ModR/M and SIB
 * Bytes", Tables "16-Bit/32-Bit Addressing Forms with the ModR/M Byte";
 * instruction pages "MOV" and "MOVZX").
 *
 * Only the length and the register/immediate side are decoded; the
 * memory operand's address is skipped, since the EPT violation gave it.
 * Opcodes are data: one struct dec_opcode per known opcode.
 *
 * Environment: pure (bytes in, struct out). Runs in VMX root with IF=0,
 * and hosted in unit tests.
 */
#include "decode.h"

/* Legacy prefixes (SDM "Instruction Prefixes"). */
#define PFX_OPSIZE	0x66
#define PFX_ADDRSIZE	0x67
#define PFX_LOCK	0xf0
#define PFX_REPNE	0xf2
#define PFX_REP		0xf3
#define PFX_ES		0x26
#define PFX_CS		0x2e
#define PFX_SS		0x36
#define PFX_DS		0x3e
#define PFX_FS		0x64
#define PFX_GS		0x65

/* REX, 64-bit mode only: 0100WRXB. X and B only pick address registers. */
#define REX_HI_MASK	0xf0
#define REX_HI		0x40
#define REX_W		BIT(3)	/* 64-bit operand size */
#define REX_R		BIT(2)	/* ModRM.reg bit 3 */

#define OP_TWO_BYTE	0x0f	/* escape to the two-byte opcode map */

/* ModRM and SIB fields. */
#define MODRM_MOD(b)	((u32)(b) >> 6)
#define MODRM_REG(b)	(((u32)(b) >> 3) & 7)
#define MODRM_RM(b)	((u32)(b) & 7)
#define SIB_BASE(b)	((u32)(b) & 7)
#define MOD_NO_DISP	0
#define MOD_DISP8	1
#define MOD_DISP_FULL	2	/* disp16 or disp32, by address size */
#define MOD_REGISTER	3	/* a register operand: not an MMIO access */
#define RM_SIB		4	/* 32/64-bit: a SIB byte follows */
#define RM_DISP32	5	/* 32/64-bit, mod 00: disp32 (RIP-relative in 64-bit) */
#define SIB_NO_BASE	5	/* mod 00: disp32 in place of the base */
#define RM16_DISP16	6	/* 16-bit, mod 00: disp16 alone */

#define REG_EXT		8	/* REX.R adds 8 to ModRM.reg */
#define REG_HIGH8	4	/* without REX, byte registers 4-7 are AH..BH */
#define IMM_MAX		4	/* MOV r/m, imm takes at most imm32 */

/* What follows the opcode. */
enum dec_form {
	FORM_NONE,	/* unknown opcode */
	FORM_MODRM,	/* ModRM [SIB] [disp]; reg is ModRM.reg */
	FORM_MODRM_IMM,	/* ModRM (reg field /0) [SIB] [disp] imm */
	FORM_MOFFS,	/* an address-size offset; reg is AL/eAX */
};

struct dec_opcode {
	u8 form;	/* enum dec_form */
	u8 op;		/* enum decode_op */
	u8 mem_size;	/* 1 or 2 bytes, or 0: the operand size */
	bool zero_ext;	/* MOVZX */
};

static const struct dec_opcode dec_one_byte[256] = {
	[0x88] = { FORM_MODRM, DEC_STORE, 1, false },		/* mov r/m8, r8 */
	[0x89] = { FORM_MODRM, DEC_STORE, 0, false },		/* mov r/m, r */
	[0x8a] = { FORM_MODRM, DEC_LOAD, 1, false },		/* mov r8, r/m8 */
	[0x8b] = { FORM_MODRM, DEC_LOAD, 0, false },		/* mov r, r/m */
	[0xa0] = { FORM_MOFFS, DEC_LOAD, 1, false },		/* mov al, moffs8 */
	[0xa1] = { FORM_MOFFS, DEC_LOAD, 0, false },		/* mov eax, moffs */
	[0xa2] = { FORM_MOFFS, DEC_STORE, 1, false },		/* mov moffs8, al */
	[0xa3] = { FORM_MOFFS, DEC_STORE, 0, false },		/* mov moffs, eax */
	[0xc6] = { FORM_MODRM_IMM, DEC_STORE_IMM, 1, false },	/* mov r/m8, imm8 */
	[0xc7] = { FORM_MODRM_IMM, DEC_STORE_IMM, 0, false },	/* mov r/m, imm */
};

static const struct dec_opcode dec_two_byte[256] = {
	[0xb6] = { FORM_MODRM, DEC_LOAD, 1, true },		/* movzx r, r/m8 */
	[0xb7] = { FORM_MODRM, DEC_LOAD, 2, true },		/* movzx r, r/m16 */
};

/* The decoder's cursor and what the prefixes said. */
struct dec {
	const u8 *b;
	u32 n;		/* bytes usable: at most DECODE_MAX_LEN */
	u32 pos;
	int mode;	/* 16, 32 or 64 */
	bool opsize;	/* 0x66 seen */
	bool addrsize;	/* 0x67 seen */
	u8 rex;		/* the REX right before the opcode, or 0 */
};

/* Consume count bytes as a little-endian value; false if too few. */
static bool take(struct dec *d, u32 count, u64 *val)
{
	if (count > d->n - d->pos)
		return false;
	*val = 0;
	for (u32 i = 0; i < count; i++)
		*val |= (u64)d->b[d->pos + i] << (8 * i);
	d->pos += count;
	return true;
}

static bool take_u8(struct dec *d, u8 *val)
{
	u64 v;

	if (!take(d, 1, &v))
		return false;
	*val = (u8)v;
	return true;
}

static bool is_segment_prefix(u8 b)
{
	return b == PFX_ES || b == PFX_CS || b == PFX_SS || b == PFX_DS ||
	       b == PFX_FS || b == PFX_GS;
}

static bool is_rex(const struct dec *d, u8 b)
{
	return d->mode == 64 && (b & REX_HI_MASK) == REX_HI;
}

/* Consume the prefixes; false for LOCK/REP (not valid or not emulated
 * on MOV) or running out of bytes. A REX counts only right before the
 * opcode: a legacy prefix after it cancels it (SDM "REX Prefixes"). */
static bool take_prefixes(struct dec *d)
{
	for (; d->pos < d->n; d->pos++) {
		u8 b = d->b[d->pos];

		if (b == PFX_LOCK || b == PFX_REPNE || b == PFX_REP)
			return false;
		if (is_rex(d, b)) {
			d->rex = b;
			continue;
		}
		if (b == PFX_OPSIZE)
			d->opsize = true;
		else if (b == PFX_ADDRSIZE)
			d->addrsize = true;
		else if (!is_segment_prefix(b))
			return true;
		d->rex = 0;
	}
	return false;
}

/* Operand size in bytes: REX.W beats 0x66, which toggles the default. */
static u32 operand_size(const struct dec *d)
{
	if (d->rex & REX_W)
		return 8;
	if (d->mode == 16)
		return d->opsize ? 4 : 2;
	return d->opsize ? 2 : 4;
}

/* Address size in bytes: 0x67 toggles 64->32, 32->16, 16->32. */
static u32 address_size(const struct dec *d)
{
	if (d->mode == 64)
		return d->addrsize ? 4 : 8;
	if (d->mode == 32)
		return d->addrsize ? 2 : 4;
	return d->addrsize ? 4 : 2;
}

static const struct dec_opcode *take_opcode(struct dec *d)
{
	const struct dec_opcode *oc;
	u8 b;

	if (!take_u8(d, &b))
		return NULL;
	oc = &dec_one_byte[b];
	if (b == OP_TWO_BYTE) {
		if (!take_u8(d, &b))
			return NULL;
		oc = &dec_two_byte[b];
	}
	return oc->form == FORM_NONE ? NULL : oc;
}

/* Displacement bytes of a 16-bit memory operand (no SIB exists). */
static u32 disp_len16(u8 modrm)
{
	if (MODRM_MOD(modrm) == MOD_DISP8)
		return 1;
	if (MODRM_MOD(modrm) == MOD_DISP_FULL || MODRM_RM(modrm) == RM16_DISP16)
		return 2;
	return 0;
}

/* Displacement bytes of a 32/64-bit memory operand, consuming its SIB. */
static bool disp_len32(struct dec *d, u8 modrm, u32 *len)
{
	bool no_base = MODRM_RM(modrm) == RM_DISP32;
	u8 sib;

	if (MODRM_RM(modrm) == RM_SIB) {
		if (!take_u8(d, &sib))
			return false;
		no_base = SIB_BASE(sib) == SIB_NO_BASE;
	}
	if (MODRM_MOD(modrm) == MOD_DISP8)
		*len = 1;
	else if (MODRM_MOD(modrm) == MOD_DISP_FULL || no_base)
		*len = 4;
	else
		*len = 0;
	return true;
}

/* Consume ModRM, SIB and displacement of a memory operand; *modrm is the
 * ModRM byte. False for a register operand or too few bytes. */
static bool take_modrm(struct dec *d, u8 *modrm)
{
	u32 disp;
	u64 skipped;

	if (!take_u8(d, modrm) || MODRM_MOD(*modrm) == MOD_REGISTER)
		return false;
	if (address_size(d) == sizeof(u16))
		disp = disp_len16(*modrm);
	else if (!disp_len32(d, *modrm, &disp))
		return false;
	return take(d, disp, &skipped);
}

/* The register side: ModRM.reg extended by REX.R; without any REX a
 * byte register 4-7 is AH/CH/DH/BH, bits 15:8 of registers 0-3. */
static void set_reg(const struct dec *d, u8 modrm, bool byte_reg,
		    struct decode_insn *out)
{
	u32 reg = MODRM_REG(modrm) | ((d->rex & REX_R) ? REG_EXT : 0);

	if (byte_reg && !d->rex && reg >= REG_HIGH8) {
		out->high8 = true;
		reg -= REG_HIGH8;
	}
	out->reg = reg;
}

/* The immediate of MOV r/m, imm: imm8/16/32, sign-extended for 8 bytes. */
static bool take_imm(struct dec *d, struct decode_insn *out)
{
	u64 v;

	if (!take(d, MIN(out->size, (u32)IMM_MAX), &v))
		return false;
	if (out->size == sizeof(u64))
		v = (u64)(s64)(s32)(u32)v;
	out->imm = v;
	return true;
}

/* The bytes after the opcode, by its form. */
static bool take_operands(struct dec *d, const struct dec_opcode *oc,
			  struct decode_insn *out)
{
	u8 modrm;
	u64 moffs;

	if (oc->form == FORM_MOFFS)
		return take(d, address_size(d), &moffs);	/* reg: rAX = 0 */
	if (!take_modrm(d, &modrm))
		return false;
	if (oc->form == FORM_MODRM_IMM)	/* only /0 is MOV; REX.R is ignored */
		return MODRM_REG(modrm) == 0 && take_imm(d, out);
	set_reg(d, modrm, out->size == 1 && !oc->zero_ext, out);
	return true;
}

static bool mode_known(int mode_bits)
{
	return mode_bits == 16 || mode_bits == 32 || mode_bits == 64;
}

int decode_mmio(const u8 *bytes, u32 n, int mode_bits,
		struct decode_insn *out)
{
	struct dec d = { .b = bytes, .n = MIN(n, (u32)DECODE_MAX_LEN),
			 .mode = mode_bits };
	struct decode_insn insn = { 0 };
	const struct dec_opcode *oc;

	if (!mode_known(mode_bits) || !take_prefixes(&d))
		return -1;
	oc = take_opcode(&d);
	if (!oc)
		return -1;
	insn.op = oc->op;
	insn.size = oc->mem_size ? oc->mem_size : operand_size(&d);
	insn.zero_ext = oc->zero_ext;
	insn.dst_size = oc->zero_ext ? operand_size(&d) : insn.size;
	if (!take_operands(&d, oc, &insn))
		return -1;
	insn.len = d.pos;
	*out = insn;
	return 0;
}
