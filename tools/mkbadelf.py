#!/usr/bin/env python3
"""Generate malformed riscv64 ELF executables for Weft's loader tests.

    tools/mkbadelf.py OUTDIR

Every file is built from scratch with struct. Each name starts with what
Weft's execve must answer: enoexec_*, einval_*, enomem_* name the errno; ok_*
files are valid and must run and exit with status 42 (a0=42, a7=94 exit_group,
ecall). OUTDIR/list has one "name EXPECTATION" line per file, which
user/test/t_badelf.c reads (the test cannot rely on getdents).

Weft's rules: broken identification, header, program headers or segment
layout, no PT_LOAD, an entry point outside every executable segment, or a
PT_INTERP give ENOEXEC; overlapping PT_LOAD byte ranges or address wraparound
give EINVAL; a segment (or a PIE's whole span) that does not fit below the
256 GiB user limit gives ENOMEM.

Only the ok_* files can be checked against real Linux under qemu-user (its
ELF loader is QEMU's, not the kernel's); Linux itself accepts some of the
einval_* layouts, so t_badelf checks the exact errno only on Weft.
"""

import os
import struct
import sys

PAGE = 0x1000
USER_TOP = 0x4000000000  # 256 GiB of user space (Sv39 lower half)

ET_EXEC, ET_DYN, ET_REL = 2, 3, 1
EM_RISCV, EM_SPARCV9 = 243, 43
PT_LOAD, PT_INTERP, PT_NOTE, PT_GNU_STACK = 1, 3, 4, 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
EHDR_SIZE, PHDR_SIZE = 64, 56


def addi(rd, rs1, imm):
    return (imm & 0xFFF) << 20 | rs1 << 15 | rd << 7 | 0x13


# li a0, 42; li a7, 94; ecall; j .
CODE = struct.pack("<4I", addi(10, 0, 42), addi(17, 0, 94), 0x00000073, 0x0000006F)


def ehdr(entry, phnum, etype=ET_EXEC, machine=EM_RISCV, ident=None,
         phoff=EHDR_SIZE, phentsize=PHDR_SIZE):
    if ident is None:
        ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff,
                               0, 0, EHDR_SIZE, phentsize, phnum, 64, 0, 0)


def phdr(ptype, flags, offset, vaddr, filesz, memsz, align=PAGE):
    return struct.pack("<IIQQQQQQ", ptype, flags, offset, vaddr, vaddr, filesz,
                       memsz, align)


def image(phdrs, entry, body=CODE, body_off=PAGE, **kw):
    """ELF header, program headers, and body placed at file offset body_off."""
    head = ehdr(entry, len(phdrs), **kw) + b"".join(phdrs)
    assert len(head) <= body_off
    return head + bytes(body_off - len(head)) + body


BASE = 0x10000


def text(vaddr=BASE, offset=0, filesz=PAGE + len(CODE), memsz=None, flags=PF_R | PF_X):
    """The usual single text segment: file page 0 and 1 mapped at vaddr."""
    return phdr(PT_LOAD, flags, offset, vaddr, filesz,
                filesz if memsz is None else memsz)


ENTRY = BASE + PAGE  # where CODE lands in the standard layout


def cases():
    """Yield (name, expectation, bytes)."""
    good = image([text()], ENTRY)
    yield "ok_exit42", "EXIT42", good
    yield "ok_pie_exit42", "EXIT42", image([text(vaddr=0)], PAGE, etype=ET_DYN)
    # Text and a zero-filled data segment: bss handling on the good path.
    yield "ok_bss_exit42", "EXIT42", image(
        [text(), phdr(PT_LOAD, PF_R | PF_W, 0, BASE + 0x10000, 0x100, 0x5000)], ENTRY)

    # Identification and header.
    yield "enoexec_bad_magic", "ENOEXEC", b"\x7fELG" + good[4:]
    yield "enoexec_bad_class", "ENOEXEC", good[:4] + b"\x01" + good[5:]
    yield "enoexec_bad_data", "ENOEXEC", good[:5] + b"\x02" + good[6:]
    yield "enoexec_bad_machine", "ENOEXEC", image([text()], ENTRY, machine=EM_SPARCV9)
    yield "enoexec_bad_type", "ENOEXEC", image([text()], ENTRY, etype=ET_REL)
    yield "enoexec_bad_phentsize", "ENOEXEC", image([text()], ENTRY, phentsize=32)
    yield "enoexec_truncated_header", "ENOEXEC", good[:40]
    yield "enoexec_empty", "ENOEXEC", b""
    # Program headers that are not in the file.
    yield "enoexec_phdrs_outside_file", "ENOEXEC", image([text()], ENTRY, phoff=0x100000)
    yield "enoexec_phdrs_cut_off", "ENOEXEC", good[:EHDR_SIZE + PHDR_SIZE // 2]
    yield "enoexec_phdrs_huge_count", "ENOEXEC", ehdr(ENTRY, 0xFFFF) + good[EHDR_SIZE:]

    # Segment layout.
    yield "enoexec_segment_beyond_eof", "ENOEXEC", image(
        [text(filesz=0x100000)], ENTRY)
    yield "enoexec_filesz_gt_memsz", "ENOEXEC", image(
        [text(memsz=PAGE)], ENTRY)
    yield "enoexec_misaligned_offset", "ENOEXEC", image(
        [text(vaddr=BASE + 0x10, filesz=PAGE + len(CODE))], ENTRY + 0x10)
    yield "enoexec_no_load", "ENOEXEC", image(
        [phdr(PT_NOTE, PF_R, 0, 0, 0, 0), phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16)],
        ENTRY)
    yield "enoexec_zero_phnum", "ENOEXEC", image([], ENTRY)
    yield "enoexec_entry_outside", "ENOEXEC", image([text()], 0x900000)
    yield "enoexec_entry_not_exec", "ENOEXEC", image(
        [text(flags=PF_R | PF_W)], ENTRY)
    interp = b"/lib/ld-linux-riscv64-lp64d.so.1\0"
    yield "enoexec_interp", "ENOEXEC", image(
        [phdr(PT_INTERP, PF_R, PAGE + 0x100, BASE + PAGE + 0x100, len(interp), len(interp), 1),
         text(filesz=PAGE + 0x100 + len(interp))],
        ENTRY, body=CODE + bytes(0x100 - len(CODE)) + interp)

    # Overlap and wraparound.
    yield "einval_overlap", "EINVAL", image(
        [text(), phdr(PT_LOAD, PF_R | PF_W, 0, BASE + PAGE, 0x10, 0x2000)], ENTRY)
    yield "einval_overlap_contained", "EINVAL", image(
        [text(memsz=0x4000), phdr(PT_LOAD, PF_R, 0, BASE + 0x2000, 0x10, 0x10)], ENTRY)
    top = (1 << 64) - PAGE
    yield "einval_wraparound", "EINVAL", image(
        [text(), phdr(PT_LOAD, PF_R | PF_W, 0, top, 0x10, 0x3000)], ENTRY)

    # Beyond the user address space.
    yield "enomem_beyond_user", "ENOMEM", image(
        [text(), phdr(PT_LOAD, PF_R | PF_W, 0, USER_TOP - PAGE, 0x10, 0x3000)], ENTRY)
    yield "enomem_high_vaddr", "ENOMEM", image(
        [text(vaddr=0x8000000000)], 0x8000000000 + PAGE)
    yield "enomem_huge_bss", "ENOMEM", image(
        [text(), phdr(PT_LOAD, PF_R | PF_W, 0, BASE + 0x10000, 0x10, 0x5000000000)], ENTRY)
    yield "enomem_pie_span", "ENOMEM", image(
        [text(vaddr=0), phdr(PT_LOAD, PF_R | PF_W, 0, USER_TOP, 0x10, 0x1000)],
        PAGE, etype=ET_DYN)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mkbadelf.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        os.unlink(os.path.join(out, old))
    lines = []
    for name, expect, data in cases():
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o755)
        lines.append(f"{name} {expect}\n")
    with open(os.path.join(out, "list"), "w") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
