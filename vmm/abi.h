/*
 * vmm/abi.h - everything a guest can see of apfvisor besides the KVM ABI
 * (apf/kvm_para.h): its CPUID leaves, hypercalls, and I/O ports.
 *
 * Shared by the hypervisor and guest-stub; contains only constants.
 * docs/abi.md explains each item.
 */
#ifndef VMM_ABI_H
#define VMM_ABI_H

/* --- CPUID ----------------------------------------------------------- */
/* Leaf 0x40000000 shows KVM ("KVMKVMKVM\0\0\0") so KVM guests find APF.
 * apfvisor's own signature sits at the next base Linux scans. */
#define APFV_CPUID_BASE		0x40000100u
#define APFV_CPUID_FEATURES	0x40000101u
#define APFV_SIG_EBX		0x56465041u	/* "APFV" */
#define APFV_SIG_ECX		0x524f5349u	/* "ISOR" */
#define APFV_SIG_EDX		0x00000000u
/* APFV_CPUID_FEATURES.EAX */
#define APFV_FEAT_HYPERCALLS	(1u << 0)	/* the VMCALLs below */
#define APFV_FEAT_APF_ERRORS	(1u << 1)	/* the APF error extension below */

/* --- The APF error extension (docs/apf.md, "When a fetch fails") -----
 * Opt-in: bit 4 of MSR_KVM_ASYNC_PF_EN, reserved upstream (a KVM guest
 * never sets it; KVM and apfvisor without the extension raise #GP). With
 * it set, every "page ready" also writes ready_flags at offset 8 of the
 * shared area: APFV_READY_ERROR when the fetch failed and the page is not
 * there. The guest clears ready_flags with flags/token. */
#define APFV_ASYNC_PF_SEND_ERROR	(1ull << 4)
#define APFV_AREA_READY_FLAGS		8
#define APFV_READY_ERROR		(1u << 0)

/* --- Hypercalls: VMCALL with RAX = number, args in RBX, RCX, RDX. ------
 * Result in RAX; an unknown number returns APFV_HC_ENOSYS (as KVM's
 * -KVM_ENOSYS). CPL > 0 callers get APFV_HC_EPERM. */
#define APFV_HC_ENOSYS		((unsigned long)-1000)
#define APFV_HC_EPERM		((unsigned long)-1)
#define APFV_HC_EINVAL		((unsigned long)-22)
#define APFV_HC_BASE		0x41500000u
/* RAX = RBX + 1: the cheapest round trip into the hypervisor and back. */
#define APFV_HC_PING		(APFV_HC_BASE + 1)
/* RBX = guest-physical page: remove it from EPT, keeping its contents. The
 * next guest access exits (EPT violation); the hypervisor counts it and maps
 * the page back. Returns 0, or APFV_HC_EINVAL outside guest RAM, for a
 * slow page, or when 16 pages are already trapped. */
#define APFV_HC_TRAP_PAGE	(APFV_HC_BASE + 2)
/* Returns the number of EPT violations served for trapped pages so far. */
#define APFV_HC_TRAP_COUNT	(APFV_HC_BASE + 3)

/* Returns 0 with the slow backing store's layout: RBX = first slow
 * guest-physical byte, RCX = end (exclusive; equal to RBX when there are
 * no slow pages), RDX = seed, RSI = percent of pages in the range that are
 * slow (page gfn is slow iff apfv_mix64(gfn ^ seed) % 100 < RSI). */
#define APFV_HC_PAGER_INFO	(APFV_HC_BASE + 4)

/* --- Contents of slow pages ------------------------------------------
 * On its first fetch, every 8-byte word of a slow page at guest-physical
 * address a holds apfv_backing_word(a, seed) - one value per page, so the
 * simulated transfer costs what copying a page would, not 512 hashes -
 * and later fetches (after an eviction) bring back whatever the guest last
 * wrote, as a real backing store would. splitmix64 is the mixing
 * function. */
static inline unsigned long long apfv_mix64(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline unsigned long long apfv_backing_word(unsigned long long gpa,
						   unsigned long long seed)
{
	return apfv_mix64((gpa & ~0xfffULL) ^ (seed << 1));
}

/* --- I/O ports ------------------------------------------------------- */
#define APFV_PORT_COM1		0x3f8	/* emulated 16550 (output, LSR) */
#define APFV_PORT_DEBUGCON	0xe9	/* bytes join the guest console */
#define APFV_PORT_DEBUG_EXIT	0xf4	/* out: end the run; value = exit code
					 * (QEMU isa-debug-exit convention) */

/* --- Guest-physical layout chosen by the loader (docs/abi.md) --------- */
#define APFV_GUEST_MBI_GPA	0x9000u	/* Multiboot v1 info for the guest */
#define APFV_GUEST_MBI_END	0x10000u	/* info, mmap, cmdline end here */

#endif
