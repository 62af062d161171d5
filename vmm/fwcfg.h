/*
 * vmm/fwcfg.h - QEMU's firmware configuration device (fw_cfg), the
 * traditional I/O-port interface only, as a pure model: what kernels
 * written for QEMU read to learn the CPU count and the RAM size.
 *
 * The interface (QEMU docs/specs/fw_cfg.rst, "Selector (Control)
 * Register", "Data Register", "Selector Register Behavior"): a 16-bit write
 * of an item's key to the selector port selects it and rewinds its data
 * offset to 0; each byte read from the data port returns the next byte of
 * the item; a read past the item's end, or of a key that has no item,
 * returns 0. Data-port writes are ignored (as QEMU does since 2.4). Keys
 * are bits 13:0 of the selector; bit 14 (write channel) and bit 15
 * (architecture-specific items such as QEMU's e820 table) select nothing
 * here. There is no DMA interface (FW_CFG_ID bit 1 clear).
 *
 * Items (integers little-endian, as QEMU's fw_cfg_add_i16/i32/i64 store
 * them; the file directory's count is big-endian):
 *   0x0000 FW_CFG_SIGNATURE  "QEMU"
 *   0x0001 FW_CFG_ID         u32 0x1: the traditional interface, no DMA
 *   0x0003 FW_CFG_RAM_SIZE   u64 guest RAM in bytes
 *   0x0005 FW_CFG_NB_CPUS    u16 1
 *   0x000f FW_CFG_MAX_CPUS   u16 1
 *   0x0019 FW_CFG_FILE_DIR   u32 count 0: no files
 *
 * Pure module: no hardware access; host-tested (tests/unit/test_fwcfg.c).
 * Environment: VMX root, IF=0, or host tests.
 */
#ifndef VMM_FWCFG_H
#define VMM_FWCFG_H

#include "../lib/types.h"

/* x86 I/O ports (QEMU hw/i386: FW_CFG_IO_BASE) */
#define FWCFG_PORT_SEL		0x510	/* 16-bit write: select an item */
#define FWCFG_PORT_DATA		0x511	/* 8-bit read: the next data byte */
#define FWCFG_NPORTS		2

/* Item keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h) */
#define FWCFG_SIGNATURE		0x0000
#define FWCFG_ID		0x0001
#define FWCFG_RAM_SIZE		0x0003
#define FWCFG_NB_CPUS		0x0005
#define FWCFG_MAX_CPUS		0x000f
#define FWCFG_FILE_DIR		0x0019
#define FWCFG_KEY_MASK		0x3fff	/* bits 15:14: write channel, arch */

/* FW_CFG_ID feature bits */
#define FWCFG_ID_TRADITIONAL	BIT(0)
#define FWCFG_ID_DMA		BIT(1)

#define FWCFG_ITEM_MAX		8	/* largest item, in bytes */

struct fwcfg {
	u64 ram_size;
	u16 ncpus;
	u16 selector;		/* as last written */
	u32 offset;		/* next byte of the selected item */
};

/* Power-on state: item 0 (the signature) selected. */
void fwcfg_init(struct fwcfg *f, u64 ram_size, u16 ncpus);
/* A write of val to the selector: select item val, rewind to its start. */
void fwcfg_select(struct fwcfg *f, u16 val);
/* A read of the data port: the next byte of the item, 0 past its end. */
u8 fwcfg_read(struct fwcfg *f);

/* The I/O-port front door. Accesses as QEMU's x86 fw_cfg takes them: a
 * 16-bit write to either port selects; a byte read of either port reads
 * data; byte writes (data) are ignored; any other read returns all ones
 * (in the width asked). port is the first port of the access. */
u32 fwcfg_port_read(struct fwcfg *f, u16 port, u32 size);
void fwcfg_port_write(struct fwcfg *f, u16 port, u32 size, u32 val);

#endif
