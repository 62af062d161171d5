/*
 * tests/hostile/io.c - IN and OUT on the whole port space (docs/abi.md,
 * "I/O ports"): every port is read as a byte - one with no device after
 * a byte was written to it, and it must read all ones (nothing stored);
 * 16- and 32-bit accesses are sampled; the devices answer as documented.
 *
 * Not written: the debug exit (0xf4, ends the run), the reset ports
 * (0xcf9, 0x92), COM1 and 0xe9 (the console), the PIC pair, fw_cfg (only
 * selected) and the PM timer - every device port; they are only read.
 *
 * Environment: guest, 64-bit, ring 0, IF=0.
 */
#include "hostile.h"

#define NPORTS		0x10000
#define WIDE_STRIDE	97	/* every 97th port: 16- and 32-bit accesses */
#define OUT_PATTERN	0x5a
#define FWCFG_SEL	0x510
#define FWCFG_DATA	0x511
#define PMTMR		0x608
#define PMTMR_MASK	0xffffffu

static const struct { u16 base, n; } devices[] = {
	{ APFV_PORT_COM1, 8 }, { APFV_PORT_DEBUGCON, 1 },
	{ APFV_PORT_DEBUG_EXIT, 1 }, { 0x80, 1 }, { FWCFG_SEL, 2 },
	{ 0x20, 2 }, { 0xa0, 2 }, { PMTMR, 4 }, { 0xcf9, 1 }, { 0x92, 1 },
};

/* Does [port, port + size) touch a device port? */
static bool has_device(u32 port, u32 size)
{
	for (unsigned i = 0; i < ARRAY_SIZE(devices); i++)
		if (port < (u32)devices[i].base + devices[i].n &&
		    devices[i].base < port + size)
			return true;
	return false;
}

/* The byte a device port reads, where docs/abi.md fixes it; -1 where it
 * depends on state (COM1 registers, fw_cfg data, the PM timer). */
static int device_byte(u16 port)
{
	switch (port) {
	case APFV_PORT_DEBUGCON: return 0xe9;
	case APFV_PORT_DEBUG_EXIT: case 0x80: return 0xff;
	case APFV_PORT_COM1 + 5: return 0x60;	/* LSR */
	case APFV_PORT_COM1 + 6: return 0xb0;	/* MSR */
	case 0x21: case 0xa1: return 0xff;	/* IMR, never written */
	case 0x20: case 0xa0: return 0;		/* IRR */
	case 0xcf9: return 0;			/* never written */
	}
	return -1;
}

static void device_port(struct hx_class *c, u16 port)
{
	int want = device_byte(port);
	u8 v = hx_inb(port);

	if (port == 0x92)
		hx_check(c, v & 2, "port 0x92 reads 0x%x: A20 (bit 1) clear", v);
	else
		hx_check(c, want < 0 || v == want, "device port 0x%x reads 0x%x, "
			 "want 0x%x", port, v, want);
}

/* A port with no device: written, then read: 0xff (nothing stored). */
static void empty_port(struct hx_class *c, u16 port)
{
	u8 v;

	hx_outb(port, OUT_PATTERN);
	v = hx_inb(port);
	hx_check(c, v == 0xff, "empty port 0x%x reads 0x%x after writing 0x%x",
		 port, v, OUT_PATTERN);
}

/* 16- and 32-bit reads and writes of ports with no device in reach. */
static void wide_port(struct hx_class *c, u16 port)
{
	u16 w;
	u32 l;

	if (!has_device(port, 2)) {
		hx_outw(port, 0x1234);
		w = hx_inw(port);
		hx_check(c, w == 0xffff, "empty port 0x%x reads word 0x%x", port, w);
	}
	if (!has_device(port, 4) && port <= NPORTS - 4) {
		hx_outl(port, 0x12345678);
		l = hx_inl(port);
		hx_check(c, l == 0xffffffff, "empty port 0x%x reads dword 0x%x",
			 port, l);
	}
}

/* fw_cfg answers the items docs/abi.md lists: signature, ID, RAM size
 * (the Multiboot one), CPU count; any other key reads zeros. */
static u64 fwcfg_item(u16 key, int n)
{
	u64 v = 0;

	hx_outw(FWCFG_SEL, key);
	for (int i = 0; i < n; i++)
		v |= (u64)hx_inb(FWCFG_DATA) << (8 * i);
	return v;
}

static void fwcfg_expect(struct hx_class *c, u16 key, int n, u64 want)
{
	u64 v = fwcfg_item(key, n);

	hx_check(c, v == want, "fw_cfg key 0x%x reads 0x%lx, want 0x%lx", key,
		 v, want);
}

static void fwcfg(struct hx_class *c)
{
	fwcfg_expect(c, 0, 5, 0x554d4551);	/* "QEMU", then 0 past the end */
	fwcfg_expect(c, 1, 5, 1);		/* traditional interface */
	fwcfg_expect(c, 3, 8, hx_m.ram);	/* the Multiboot RAM size */
	fwcfg_expect(c, 5, 3, 1);		/* one CPU */
	for (int i = 0; i < 32; i++)
		fwcfg_expect(c, (u16)(0x20 + hx_rand() % 0x3fe0), 8, 0);
}

/* The PM timer is 24 bits and does not go backwards (but for a wrap). */
static void pm_timer(struct hx_class *c)
{
	u32 a = hx_inl(PMTMR), b = hx_inl(PMTMR);

	hx_check(c, a <= PMTMR_MASK && b <= PMTMR_MASK &&
		 ((b - a) & PMTMR_MASK) < PMTMR_MASK / 2,
		 "PM timer reads 0x%x then 0x%x", a, b);
}

void hx_class_io(struct hx_class *c)
{
	for (u32 p = 0; p < NPORTS; p++) {
		if (has_device(p, 1))
			device_port(c, (u16)p);
		else
			empty_port(c, (u16)p);
	}
	for (u32 p = 0; p < NPORTS; p += WIDE_STRIDE)
		wide_port(c, (u16)p);
	fwcfg(c);
	pm_timer(c);
	hx_note(c, "read only (never written): every device port - 0xf4 debug "
		"exit, 0xcf9 and 0x92 reset, COM1 0x3f8-0x3ff, 0xe9, 0x80, PICs "
		"0x20-0x21/0xa0-0xa1, fw_cfg 0x510-0x511 (selected only), PM "
		"timer 0x608-0x60b");
}
