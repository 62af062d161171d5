/*
 * vmm/fwcfg.c - QEMU's fw_cfg device, traditional I/O interface (see
 * vmm/fwcfg.h for the items and the port behaviour). QEMU's
 * docs/specs/fw_cfg.rst is the reference; no SDM section.
 *
 * Pure module. Environment: VMX root, IF=0, or host tests.
 */
#include "fwcfg.h"
#include "../lib/string.h"

#define SIGNATURE	"QEMU"
#define SIGNATURE_LEN	4
#define ALL_ONES(size)	((size) == 4 ? ~0u : (1u << (8 * (size))) - 1)

static void put_le(u8 *b, u64 v, u32 n)
{
	for (u32 i = 0; i < n; i++)
		b[i] = (u8)(v >> (8 * i));
}

/* The bytes of the selected item into b; returns its length (0: none). */
static u32 item(const struct fwcfg *f, u8 b[FWCFG_ITEM_MAX])
{
	switch (f->selector & FWCFG_KEY_MASK) {
	case FWCFG_SIGNATURE:
		memcpy(b, SIGNATURE, SIGNATURE_LEN);
		return SIGNATURE_LEN;
	case FWCFG_ID:
		put_le(b, FWCFG_ID_TRADITIONAL, sizeof(u32));
		return sizeof(u32);
	case FWCFG_RAM_SIZE:
		put_le(b, f->ram_size, sizeof(u64));
		return sizeof(u64);
	case FWCFG_NB_CPUS:
	case FWCFG_MAX_CPUS:
		put_le(b, f->ncpus, sizeof(u16));
		return sizeof(u16);
	case FWCFG_FILE_DIR:
		/* u32 count, big-endian; 0 stays 0 either way */
		put_le(b, 0, sizeof(u32));
		return sizeof(u32);
	}
	return 0;
}

void fwcfg_init(struct fwcfg *f, u64 ram_size, u16 ncpus)
{
	*f = (struct fwcfg){ .ram_size = ram_size, .ncpus = ncpus };
}

void fwcfg_select(struct fwcfg *f, u16 val)
{
	f->selector = val;
	f->offset = 0;
}

u8 fwcfg_read(struct fwcfg *f)
{
	u8 b[FWCFG_ITEM_MAX];
	u32 len = item(f, b);

	/* Architecture-specific and write-channel selectors name nothing. */
	if (f->selector & ~FWCFG_KEY_MASK || f->offset >= len)
		return 0;
	return b[f->offset++];
}

u32 fwcfg_port_read(struct fwcfg *f, u16 port, u32 size)
{
	(void)port;	/* both ports read data bytes */
	return size == 1 ? fwcfg_read(f) : ALL_ONES(size);
}

void fwcfg_port_write(struct fwcfg *f, u16 port, u32 size, u32 val)
{
	(void)port;	/* a 16-bit write selects through either port */
	if (size == sizeof(u16))
		fwcfg_select(f, (u16)val);
}
