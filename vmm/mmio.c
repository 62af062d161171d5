/*
 * vmm/mmio.c - instruction emulation for MMIO (see vmm/mmio.h).
 *
 * An EPT violation reports the guest-physical address but not the
 * instruction or its length, so: translate RIP through the guest's page
 * tables (vmm/gwalk.c), fetch up to 15 bytes, decode the MOV forms kernels
 * use for device registers (vmm/decode.c), and carry the access out.
 * Environment: VMX root, IF=0.
 */
#include "mmio.h"
#include "console.h"
#include "cpu.h"
#include "decode.h"
#include "gwalk.h"
#include "stats.h"
#include "vmm.h"
#include "../apic/lapic.h"
#include "../lib/string.h"

#define ALL_ONES	~0ULL

static bool ram_read_u64(void *ctx, u64 gpa, u64 *val)
{
	const struct vcpu *v = ctx;

	if (gpa > v->ram_size - sizeof(u64))
		return false;
	memcpy(val, v->ram + gpa, sizeof(u64));
	return true;
}

static int guest_mode_bits(void)
{
	u64 ar = vmcs_read(GUEST_CS_AR);

	if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (ar & AR_L))
		return 64;
	return (ar & AR_DB) ? 32 : 16;
}

/* Fetch the instruction bytes at CS:RIP; *n gets how many were read (a
 * fetch stops early at a page the guest has not mapped). */
static bool fetch(struct vcpu *v, u8 *buf, u32 *n)
{
	struct gwalk_ops ops = { ram_read_u64, v };
	struct gwalk_mode m = { vmcs_read(GUEST_CR0), vmcs_read(GUEST_CR3),
				vmcs_read(GUEST_CR4), vmcs_read(GUEST_IA32_EFER) };
	u64 la = vmcs_read(GUEST_CS_BASE) + vmcs_read(GUEST_RIP);
	u32 acc = GWALK_FETCH | (vcpu_cpl() == 3 ? GWALK_USER : 0), err;
	u32 first = (u32)(PAGE_SIZE - (la & ~PAGE_MASK));

	*n = DECODE_MAX_LEN;
	if (gwalk_read(&ops, &m, la, buf, *n, acc, &err) == GWALK_OK)
		return true;
	*n = MIN(first, (u32)DECODE_MAX_LEN);
	return gwalk_read(&ops, &m, la, buf, *n, acc, &err) == GWALK_OK;
}

/* Write a load's result into its destination register, as MOV/MOVZX do:
 * 32-bit destinations zero-extend, 8/16-bit ones keep the other bits. */
static void load_result(struct vcpu *v, const struct decode_insn *in, u64 val)
{
	u64 *reg = &v->regs.gpr[in->reg];
	u32 shift = in->high8 ? 8 : 0;
	u64 mask;

	if (in->size < 8)
		val &= (1ULL << (8 * in->size)) - 1;	/* what was read */
	if (in->dst_size == 8 || in->dst_size == 4) {
		*reg = val;
		return;
	}
	mask = ((1ULL << (8 * in->dst_size)) - 1) << shift;
	*reg = (*reg & ~mask) | ((val << shift) & mask);
}

static u64 store_value(const struct vcpu *v, const struct decode_insn *in)
{
	u64 val = in->op == DEC_STORE_IMM ? in->imm :
		  v->regs.gpr[in->reg] >> (in->high8 ? 8 : 0);

	return in->size < 8 ? val & ((1ULL << (8 * in->size)) - 1) : val;
}

static __noreturn void cannot_emulate(u64 gpa, const u8 *b, u32 n)
{
	vmm_fail("mmio: cannot emulate the instruction at rip 0x%llx that "
		 "accessed guest-physical 0x%llx (bytes %02x %02x %02x %02x "
		 "%02x %02x, %u fetched)", (unsigned long long)vmcs_read(GUEST_RIP),
		 (unsigned long long)gpa, b[0], b[1], b[2], b[3], b[4], b[5], n);
}

enum exit_action mmio_emulate(struct vcpu *v, u64 gpa)
{
	u8 bytes[DECODE_MAX_LEN] = { 0 };
	struct decode_insn in;
	bool apic = lapic_owns_gpa(v, gpa);
	u32 n;

	if (!fetch(v, bytes, &n) || decode_mmio(bytes, n, guest_mode_bits(), &in))
		cannot_emulate(gpa, bytes, n);
	if (!apic)
		stat_inc(ST_MMIO_UNBACKED);
	if (in.op == DEC_LOAD)
		load_result(v, &in, apic ? lapic_mmio_read(v, gpa) : ALL_ONES);
	else if (apic)
		lapic_mmio_write(v, gpa, (u32)store_value(v, &in));
	vcpu_advance_rip(in.len);	/* no exit length for EPT violations */
	return EXIT_RESUME;
}
