/*
 * vmm/decode.h - decode the one instruction that touched an MMIO page, so
 * the hypervisor can emulate it: which way the data goes, how wide it is,
 * which register, and how long the instruction is (SDM Vol. 2, chapter
 * "Instruction Format"; "MOV", "MOVZX").
 *
 * An EPT violation gives the guest-physical address but neither the
 * operands nor the length; the caller fetches the bytes at guest RIP
 * (vmm/gwalk.h) and hands them here. Only the forms kernels use for MMIO
 * are known: MOV r/m<->r (88, 89, 8a, 8b), MOV r/m, imm (c6 /0, c7 /0),
 * MOV AL/eAX<->moffs (a0-a3) and MOVZX (0f b6, 0f b7).
 *
 * Pure module: bytes in, struct out. Host-tested.
 * Environment: VMX root, IF=0, or host unit tests.
 */
#ifndef VMM_DECODE_H
#define VMM_DECODE_H

#include "../lib/types.h"

#define DECODE_MAX_LEN	15	/* longer is #GP (SDM "Instruction Format") */

enum decode_op {
	DEC_LOAD,	/* memory -> reg */
	DEC_STORE,	/* reg -> memory */
	DEC_STORE_IMM,	/* imm -> memory */
};

/*
 * One decoded instruction. The memory operand is not described: the
 * EPT violation already gave its guest-physical address.
 *
 * A LOAD writes dst_size bytes of reg (zero-extended from size when
 * zero_ext); as on the CPU, a 4-byte write to a GPR in 64-bit mode also
 * clears bits 63:32, and 1/2-byte writes keep the rest: that merging is
 * the caller's. For AH/CH/DH/BH (high8), reg is the GPR holding them
 * (rax=0 .. rbx=3) and the byte is bits 15:8.
 */
struct decode_insn {
	enum decode_op op;
	u32 len;	/* total instruction length in bytes */
	u32 size;	/* memory operand size in bytes: 1, 2, 4 or 8 */
	u32 reg;	/* GPR (rax=0 .. r15=15): LOAD destination, STORE source */
	bool high8;	/* legacy AH/CH/DH/BH (8-bit operand, no REX) */
	bool zero_ext;	/* MOVZX: zero-extend the size-byte load to dst_size */
	u32 dst_size;	/* bytes of reg written by a LOAD (= size unless MOVZX) */
	u64 imm;	/* STORE_IMM value (size bytes; sign-extended imm32 for 8) */
};

/*
 * Decode the instruction in bytes[0..n), fetched at RIP, for code of
 * mode_bits 64 (long mode, CS.L=1), 32 (CS.D=1) or 16. Returns 0 with
 * *out filled, or -1 for anything else: an unknown opcode, a register
 * (not memory) operand, LOCK or REP prefixes, fewer than the
 * instruction's bytes, or more than DECODE_MAX_LEN of them. Segment
 * overrides are accepted and ignored.
 */
int decode_mmio(const u8 *bytes, u32 n, int mode_bits,
		struct decode_insn *out);

#endif
