#!/usr/bin/env python3
"""tests/fuzz/mkseeds.py - write the seed corpora under tests/fuzz/corpus/.

Each seed is a small, meaningful input in its target's own format (see the
header comment of tests/fuzz/fuzz_<target>.c): real Multiboot structures
as QEMU and GRUB lay them out, real kernel images, real MMIO instruction
encodings, the APF protocol's own scenarios. The seeds are committed; run
this only to regenerate them after an input format changes:

    python3 tests/fuzz/mkseeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def u8(*v): return bytes(v)
def u16(*v): return struct.pack("<%dH" % len(v), *v)
def u32(*v): return struct.pack("<%dI" % len(v), *v)
def u64(*v): return struct.pack("<%dQ" % len(v), *v)


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pad(b, align):
    return b + bytes(-len(b) % align)


# --- apf: a program of ops (fuzz_apf.c enum op) --------------------------
EN, INT, ACK, OTHER, RDMSR, FAULT, READY, NEXT, CLRF, CLRT, JUNK, PFH, INTH, \
    FAILED = range(14)
G_OK = 0x09        # IF=1, CPL 3
G_OK_K = 0x01      # IF=1, CPL 0
G_IF0 = 0x08       # IF=0, CPL 3
ENABLED, SEND_ALWAYS, AS_INT, SEND_ERROR = 1, 2, 8, 0x10
AREA = 1           # the area at 1 * 64


def en(bits, area=AREA): return u8(EN, bits, area)
def vec(v): return u8(INT, 0, v)
def fault(gfn, gs=G_OK): return u8(FAULT, gfn, gs)
def ready(gfn): return u8(READY, 0x80 | gfn)
def failed(gfn): return u8(FAILED, 0x80 | gfn)
def nxt(gs=G_OK): return u8(NEXT, gs)


def apf_seeds():
    head = lambda cfg: u8(cfg, 63)          # offers, 4 KiB of RAM
    pf = head(0) + en(ENABLED) + nxt() + u8(PFH)           # wake-all
    pf += fault(2) + u8(PFH) + ready(2) + nxt() + u8(PFH)
    pf += fault(3, G_IF0) + fault(4, G_OK_K) + u8(RDMSR, 2)
    write("apf", "pf-mode", pf)
    irq = head(1) + vec(0xec) + en(ENABLED | AS_INT) + nxt() + u8(INTH)
    irq += fault(5) + u8(PFH) + ready(5) + nxt() + nxt() + u8(INTH) + nxt()
    irq += u8(RDMSR, 6)
    write("apf", "int-mode", irq)
    err = head(3) + vec(0x40) + en(ENABLED | AS_INT | SEND_ERROR) + nxt()
    err += u8(INTH) + fault(7) + u8(PFH) + failed(7) + nxt() + u8(INTH)
    err += fault(8) + u8(PFH) + ready(8) + nxt()
    write("apf", "int-mode-errors", err)
    perr = head(2) + en(ENABLED | SEND_ERROR) + nxt() + u8(PFH)
    perr += fault(9) + u8(PFH) + failed(9) + nxt(G_IF0) + nxt() + u8(PFH)
    write("apf", "pf-mode-errors", perr)
    drop = head(1) + en(ENABLED | SEND_ALWAYS) + fault(1, G_OK_K) + u8(PFH)
    drop += fault(2) + u8(PFH) + ready(1) + en(0, 0) + nxt() + ready(2)
    drop += vec(0x50) + en(ENABLED | AS_INT) + nxt() + u8(INTH) + nxt()
    write("apf", "disable-then-int-mode", drop)
    full = head(0) + en(ENABLED) + nxt() + u8(PFH)
    for g in range(70):
        full += fault(g) + u8(PFH)
    full += ready(0) + nxt() + u8(PFH) + fault(100)
    write("apf", "queue-full", full)
    slot = head(0) + en(ENABLED) + fault(1) + fault(2) + nxt() + ready(1)
    slot += nxt() + u8(JUNK, 0) + u32(7) + u8(PFH) + nxt()
    slot += u8(OTHER, 0x05) + u64(1) + u8(ACK, 1) + en(ENABLED, 0xff)
    write("apf", "slot-busy-and-gp", slot)


# --- vlapic: a sequence of ops (fuzz_vlapic.c enum op) ---------------------
MMIO_RD, MMIO_WR, MSR_RD, MSR_WR, BASE, TSCDL, POST, TAKE, ACCEPT, EOI, \
    TICK, TIME = range(12)


def mw(off, val): return u8(MMIO_WR, off >> 4) + u32(val)
def mr(off): return u8(MMIO_RD, off >> 4)
def xw(off, val): return u8(MSR_WR, off >> 4, 0) + u32(val)
def xr(off): return u8(MSR_RD, off >> 4)
def time(d): return u8(TIME, 1) + u32(d)


def vlapic_seeds():
    head = u8(0, 20) + u32(1000)        # id 0, MAXPHYADDR 52, now 1000
    on = mw(0xf0, 0x1ff)                # SVR: enable, spurious 0xff
    write("vlapic", "xapic-post-take-eoi", head + on + u8(POST, 0x30) +
          u8(POST, 0x31) + u8(TAKE) + mr(0x100 + 0x10) + u8(TAKE) +
          mw(0xb0, 0) + u8(EOI) + mr(0xa0))
    write("vlapic", "timer-periodic", head + on + mw(0x3e0, 0xb) +
          mw(0x320, 0x20030) + mw(0x380, 100) + time(250) + mr(0x390) +
          u8(TICK) + u8(TAKE) + mw(0xb0, 0) + mw(0x3e0, 0x3) + time(1000) +
          u8(TICK))
    write("vlapic", "timer-tsc-deadline", head + on + mw(0x320, 0x40041) +
          u8(TSCDL) + u32(50) + time(100) + u8(TICK) + u8(TAKE) +
          mw(0x320, 0x41) + mw(0x380, 10) + time(5) + mr(0x390))
    write("vlapic", "tpr-priority", head + on + mw(0x80, 0x50) +
          u8(POST, 0x40) + u8(POST, 0x60) + u8(TAKE) + u8(TAKE) +
          mw(0x80, 0) + u8(TAKE) + u8(EOI) + u8(EOI) + mr(0xa0))
    write("vlapic", "icr-self-ipi", head + on + mw(0x310, 0) +
          mw(0x300, 0x45) + mw(0x300, 0x40046) + mw(0xe0, 0x0fffffff) +
          mw(0xd0, 0x01000000) + mw(0x310, 0x01000000) + mw(0x300, 0x847) +
          u8(TAKE) + mw(0x370, 0x33) + mw(0x300, 0x5) + mw(0x280, 0) +
          mr(0x280))
    write("vlapic", "x2apic", head + on + u8(BASE, 0x07) + xw(0xf0, 0x1ff) +
          xw(0x3f0, 0x40) + u8(TAKE) + xr(0x20) + xr(0xd0) + xw(0xb0, 0) +
          u8(MSR_WR, 0x30, 1) + u64(0x4041) + u8(TAKE) +
          xr(0x300) + u8(BASE, 0x03))
    write("vlapic", "disable-reset", head + on + u8(POST, 0x50) + u8(TAKE) +
          u8(POST, 0x51) + u8(BASE, 0x01) + mr(0x100) + u8(BASE, 0x03) +
          mw(0xf0, 0xff) + mw(0x350, 0x700) + mr(0x350))


# --- multiboot: header byte, then the loader's memory (v1 pointers are
# offsets into it, fuzz_multiboot.c) -------------------------------------
MB1_MAGIC, MB2_MAGIC = 0x2BADB002, 0x36D76289
ERR200 = 0xc0


def mb1_mmap(ram):
    out = b""
    for base, length, typ in ((0, 0x9fc00, 1), (0x9fc00, 0x400, 2),
                              (0xf0000, 0x10000, 2),
                              (0x100000, ram - 0x100000, 1)):
        out += u32(20) + u64(base, length) + u32(typ)
    return out


def mb1_info(flags, mem=(639, 64512), cmdline=0, mods=(0, 0), mmap=(0, 0),
             name=0):
    """mods = (count, offset), mmap = (offset, length)."""
    return (u32(flags) + u32(*mem) + u32(0xffffffff) + u32(cmdline) +
            u32(*mods) + u32(0, 0, 0, 0) + u32(mmap[1], mmap[0]) +
            u32(0, 0, 0) +
            u32(name) + u32(0) + bytes(16 + 28))


def place(mem, off, data):
    mem = mem + bytes(max(0, off + len(data) - len(mem)))
    return mem[:off] + data + mem[off + len(data):]


def mb2_tag(typ, body):
    return pad(u32(typ, 8 + len(body)) + body, 8)


def mb2(tags):
    body = b"".join(tags) + u32(0, 8)
    return u32(8 + len(body), 0) + body


def multiboot_seeds():
    # QEMU -kernel (v1): memory, command line, memory map, loader name
    mmap = mb1_mmap(64 << 20)
    mem = mb1_info(0x245, cmdline=0x100, mmap=(0x80, len(mmap)), name=0x140)
    mem = place(mem, 0x80, mmap)
    mem = place(mem, 0x100, b"/boot/apfvisor.elf ram=64M log=debug\0")
    mem = place(mem, 0x140, b"qemu\0")
    write("multiboot", "mb1-qemu", u8(ERR200) + mem)
    # GRUB `multiboot` with one module (the guest)
    mem = mb1_info(0x24d, cmdline=0x100, mods=(1, 0x180),
                   mmap=(0x80, len(mmap)), name=0x140)
    mem = place(mem, 0x80, mmap)
    mem = place(mem, 0x100, b"apfvisor ram=32M\0")
    mem = place(mem, 0x140, b"GRUB 2.06\0")
    mem = place(mem, 0x180, u32(0x200000, 0x230000, 0x1a0, 0))
    mem = place(mem, 0x1a0, b"/boot/guest-stub.elf apf=pf\0")
    write("multiboot", "mb1-grub-module", u8(ERR200) + mem)
    write("multiboot", "mb1-meminfo-only",
          u8(ERR200) + mb1_info(0x1, mem=(640, 130048)))
    # GRUB `multiboot2` on BIOS
    ent = b"".join(u64(b, l) + u32(t, 0) for b, l, t in
                   ((0, 0x9fc00, 1), (0x9fc00, 0x400, 2),
                    (0xf0000, 0x10000, 2), (0x100000, 0x7f00000, 1)))
    rsdp = b"RSD PTR " + bytes(1) + b"BOCHS " + u8(0) + u32(0x7fe14d2)
    tags = [mb2_tag(1, b"apfvisor ram=64M\0"), mb2_tag(2, b"GRUB 2.06\0"),
            mb2_tag(4, u32(639, 130048)), mb2_tag(5, u32(0x80, 1, 0xffffffff)),
            mb2_tag(6, u32(24, 0) + ent),
            mb2_tag(3, u32(0x200000, 0x230000) + b"/boot/guest.elf\0"),
            mb2_tag(14, rsdp)]
    write("multiboot", "mb2-grub-bios", u8(ERR200 | 1) + mb2(tags))
    # GRUB `multiboot2` on UEFI: EFI tags, ACPI 2.0 RSDP
    tags = [mb2_tag(1, b"ram=128M apic=soft\0"), mb2_tag(12, u64(0x7f9e018)),
            mb2_tag(17, u32(48, 1) + bytes(48)), mb2_tag(18, b""),
            mb2_tag(6, u32(24, 0) + ent), mb2_tag(15, rsdp + bytes(16))]
    write("multiboot", "mb2-grub-uefi", u8(ERR200 | 1 | 0x4) +
          bytes(8) + mb2(tags))
    write("multiboot", "bad-magic", u8(ERR200 | 2) + u32(0x1BADB002) +
          mb1_info(1))


# --- loader: four header bytes, then the image (fuzz_loader.c) ------------
LOADER_HEAD = u8(63, 0, 0, 3)        # 4 MiB of RAM, lowest 0, err 200


def elf32(entry, segs, extra=b""):
    phoff, n = 52, len(segs)
    data_off = phoff + 32 * n
    ident = b"\x7fELF" + u8(1, 1, 1) + bytes(9)
    eh = ident + u16(2, 3) + u32(1, entry, phoff, 0, 0) + \
        u16(52, 32, n, 40, 0, 0)
    ph, body = b"", b""
    for paddr, data, memsz in segs:
        ph += u32(1, data_off + len(body), paddr, paddr, len(data), memsz,
                  5, 0x1000)
        body += data
    return eh + ph + body + extra


def elf64(entry, segs):
    phoff, n = 64, len(segs)
    data_off = phoff + 56 * n
    ident = b"\x7fELF" + u8(2, 1, 1) + bytes(9)
    eh = ident + u16(2, 62) + u32(1) + u64(entry, phoff, 0) + u32(0) + \
        u16(64, 56, n, 64, 0, 0)
    ph, body = b"", b""
    for paddr, data, memsz in segs:
        ph += u32(1, 5) + u64(data_off + len(body), paddr, paddr, len(data),
                              memsz, 0x1000)
        body += data
    return eh + ph + body


def mb1_header(flags, kludge=()):
    return u32(0x1BADB002, flags, (-(0x1BADB002 + flags)) & 0xffffffff) + \
        u32(*kludge)


def mb2_header(tags):
    body = b"".join(pad(t, 8) for t in tags) + u16(0, 0) + u32(8)
    length = 16 + len(body)
    return u32(0xE85250D6, 0, length,
               (-(0xE85250D6 + length)) & 0xffffffff) + body


CODE = bytes([0xfa, 0xbc, 0x00, 0x20, 0x10, 0x00, 0xe8, 0, 0, 0, 0, 0xf4])


def loader_seeds():
    text = mb1_header(0x3) + CODE + bytes(20)
    write("loader", "elf32-mb1", LOADER_HEAD + elf32(
        0x10000c, [(0x100000, text, len(text)), (0x101000, b"data", 0x2000)]))
    write("loader", "elf64", LOADER_HEAD + elf64(
        0x200000, [(0x200000, CODE, 0x1000), (0x201000, b"\x01" * 8, 0x100)]))
    hdr = mb1_header(0x10003, (0x100000, 0x100000, 0, 0x104000, 0x100020))
    write("loader", "mb1-aout-kludge", LOADER_HEAD + hdr + CODE * 4)
    addr = u16(2, 0) + u32(24) + u32(0x100000, 0x100000, 0, 0x108000)
    entry = u16(3, 0) + u32(12) + u32(0x100040)
    write("loader", "mb2-address-tag", LOADER_HEAD +
          pad(mb2_header([addr, entry]), 64) + CODE * 4)
    req = u16(1, 0) + u32(16) + u32(1, 6)
    hdr2 = bytes(4) + mb2_header([req])    # the header 8-aligned in the file
    img = elf32(0x100000 + len(hdr2), [(0x100000, hdr2 + CODE, 0x1000)])
    write("loader", "elf32-mb2-request", LOADER_HEAD + img)
    write("loader", "small-ram-odd-size", u8(0, 0x33, 0, 7) + elf32(
        0x8000, [(0x8000, CODE, 0x40)]))


# --- cmdline: sizes byte, then the line ------------------------------------
def cmdline_seeds():
    lines = {
        "defaults": b"ram=64M log=info",
        "qemu-path": b"/boot/apfvisor.elf ram=128M slow_start=32M "
                     b"slow_pct=50 latency=200000 seed=7",
        "pager": b"latency=1000 latency_max=5000 max_fetches=4 "
                 b"resident=16 apic=soft slow_end=0x4000000",
        "errors": b"fail_start=48M fail_end=49M fail_pct=10 retries=2 "
                  b"trace=1024",
        "flags": b"ept_large=off guest=1 fault=none log=debug ept_large=1",
        "bad-suffix": b"ram=3G5",
        "unknown": b"ram=64M bogus=1",
        "hex-seed": b"seed=0xdeadbeefcafef00d ram=0x4000000\tlog=quiet\n",
    }
    for name, line in lines.items():
        write("cmdline", name, u8(0xff) + line)


# --- decode: mode byte (0: 16, 1: 32, 2: 64-bit), then the bytes -----------
def decode_seeds():
    insns = {
        "mov-store-disp32": (2, [0x89, 0x83, 0x00, 0x03, 0x00, 0x00]),
        "mov-load-r13": (2, [0x41, 0x8b, 0x45, 0x00]),
        "movabs-load": (2, [0x48, 0xa1, 0x20, 0, 0xe0, 0xfe, 0, 0, 0, 0]),
        "mov-imm32-sib": (2, [0xc7, 0x80, 0xb0, 0, 0, 0, 0, 0, 0, 0]),
        "movq-imm-sext": (2, [0x48, 0xc7, 0x43, 0x08, 0xff, 0xff, 0xff,
                              0xff]),
        "mov-r8w-sib": (2, [0x66, 0x47, 0x89, 0x84, 0x51, 0, 0x10, 0, 0]),
        "movzx-rex": (2, [0x4c, 0x0f, 0xb6, 0x16]),
        "mov-rip-rel": (2, [0x89, 0x05, 0x78, 0x56, 0x34, 0x12]),
        "mov-ah-store": (2, [0x88, 0x20]),
        "seg-fs-load": (2, [0x64, 0x8b, 0x04, 0x25, 0, 0x10, 0, 0]),
        "movzwl-32": (1, [0x0f, 0xb7, 0x73, 0x20]),
        "mov-moffs-32": (1, [0xa1, 0x00, 0x03, 0xe0, 0xfe]),
        "addr16-in-32": (1, [0x67, 0x89, 0x07]),
        "movzx-16": (0, [0x0f, 0xb6, 0x14]),
        "mov-16-disp16": (0, [0x89, 0x06, 0x34, 0x12]),
        "opsize-in-16": (0, [0x66, 0xc7, 0x47, 0x10, 1, 2, 3, 4]),
    }
    for name, (mode, b) in insns.items():
        write("decode", name, u8(mode) + bytes(b) + bytes([0xcc] * 4))


if __name__ == "__main__":
    apf_seeds()
    vlapic_seeds()
    multiboot_seeds()
    loader_seeds()
    cmdline_seeds()
    decode_seeds()
