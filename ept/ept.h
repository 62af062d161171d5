/*
 * ept/ept.h - the EPT table builder (SDM Vol. 3C, "EPT Translation
 * Mechanism") and violation decoding.
 *
 * Pure module: tables come from env_page_alloc(); no VMX instruction here
 * (vmm/vcpu.c loads the EPTP, vmx/vmx.c does INVEPT). Host-tested and fuzzed.
 * Environment: VMX root, IF=0, or host tests.
 */
#ifndef EPT_EPT_H
#define EPT_EPT_H

#include "../lib/types.h"

/* Entry bits (SDM Table "Format of an EPT Page-Table Entry") */
#define EPT_R			BIT(0)
#define EPT_W			BIT(1)
#define EPT_X			BIT(2)
#define EPT_RWX			(EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT		3
#define EPT_MT_WB		(6ULL << EPT_MT_SHIFT)
#define EPT_IGNORE_PAT		BIT(6)
#define EPT_LARGE		BIT(7)	/* PDE: 2 MiB page; PDPTE: 1 GiB */
#define EPT_ADDR_MASK		GENMASK(51, 12)

/* EPTP (SDM "Extended-Page-Table Pointer") */
#define EPTP_MT_WB		6ULL
#define EPTP_WALK_4		(3ULL << 3)

/* Exit qualification of an EPT violation (SDM Table "Exit Qualification
 * for EPT Violations") */
#define EPT_QUAL_READ		BIT(0)
#define EPT_QUAL_WRITE		BIT(1)
#define EPT_QUAL_FETCH		BIT(2)
#define EPT_QUAL_PERM_SHIFT	3	/* bits 5:3: R/W/X of the entry */
#define EPT_QUAL_GLA_VALID	BIT(7)
#define EPT_QUAL_GLA_XLATE	BIT(8)	/* access to the final translation */
#define EPT_QUAL_NMI_UNBLOCK	BIT(12)

struct ept {
	u64 *pml4;
	bool use_2m;	/* CPU supports and config allows 2 MiB pages */
	bool use_1g;
	u64 tables;	/* table pages allocated */
};

struct ept_violation {
	bool read, write, fetch;
	u32 present;		/* EPT_R/W/X the entry granted */
	bool gla_valid;
	bool at_translation;	/* final access, not a guest page walk */
};

/* Start an empty hierarchy. Returns 0, or -1 without memory. */
int ept_init(struct ept *e, bool use_2m, bool use_1g);
/* Free every table page. */
void ept_destroy(struct ept *e);
/* Map [gpa, gpa+len) to [hpa, hpa+len) with perms (EPT_R/W/X), write-back,
 * using the largest pages allowed where both sides are aligned; replaces
 * earlier mappings. All arguments page-aligned. Returns 0 or -1. */
int ept_map(struct ept *e, u64 gpa, u64 hpa, u64 len, u64 perms);
/* Remove [gpa, gpa+len), splitting large pages around it. Returns 0 or -1
 * (out of memory while splitting). */
int ept_unmap(struct ept *e, u64 gpa, u64 len);
/* Translate gpa: returns true and fills *hpa and *perms when mapped. */
bool ept_translate(const struct ept *e, u64 gpa, u64 *hpa, u64 *perms);
/* The EPTP value for this hierarchy (WB, 4-level walk, no A/D). */
u64 ept_eptp(const struct ept *e);
/* Decode an EPT-violation exit qualification. */
struct ept_violation ept_decode(u64 qual);

#endif
