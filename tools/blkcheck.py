#!/usr/bin/env python3
"""Disk images for the virtio-blk kernel test (kernel/init/ktest_blk.c).

    tools/blkcheck.py make SCRATCH RO      write both images with the host pattern
    tools/blkcheck.py check SCRATCH RO [--bench]
                                           after `ktest=blk` (or blkbench) ran on
                                           them: every region holds exactly what
                                           the kernel test must have left there

SCRATCH is 80 MiB: the host pattern (tag 'S') in its first 16 MiB, zeros after
(written out, not sparse).
RO is 1 MiB of the host pattern (tag 'R'); the test attaches it read-only.
After the test, SCRATCH must hold: the host pattern in [0, 2048) (only read)
and in [18432, 32768) (never touched); in writer i's region [2048 + 2048 i,
+2048) the pattern of writer i, last pass (NPASS - 1); in the bench region
[32768, 163840) the pattern of the 8-thread run with --bench, zeros without.
RO must be unchanged. Layout and patterns match ktest_blk.c.

Prints one line per region checked and "N passed, N failed"; exits 1 on any
failure.
"""

import struct
import sys

SECTOR = 512
HOSTRD_LEN = 2048
NWRITERS = 8
WR_START = 2048
WR_LEN = 2048
PATTERN_END = 32768
BENCH_START = 32768
BENCH_LEN = 131072
SCRATCH_SECTORS = BENCH_START + BENCH_LEN
RO_SECTORS = 2048
NPASS = 3
BENCH_THREADS = 8

TAG_SCRATCH = ord("S")
TAG_RO = ord("R")
MAGIC_HOST = 0x57454654484F5354
MAGIC_WRITER = 0x5745465457520000
MAGIC_BENCH = 0x5745465442454E00
MIX_A = 0x9E3779B97F4A7C15
MIX_B = 0xBF58476D1CE4E5B9
MIX_C = 0x94D049BB133111EB
BENCH_FILL = 0x5A5A5A5A5A5A5A5A
M64 = (1 << 64) - 1
PACK64 = struct.Struct("<64Q")


def words(sector, w0, salt):
    base = (sector * MIX_A + salt) & M64
    return PACK64.pack(w0, sector, *[(base + i * MIX_B) & M64 for i in range(2, 64)])


def host_sector(sector, tag):
    return words(sector, MAGIC_HOST ^ tag, tag)


def writer_sector(sector, writer, gen):
    return words(sector, MAGIC_WRITER | writer << 8 | gen, ((writer << 32 | gen) * MIX_C) & M64)


def bench_sector(sector, run):
    return struct.pack("<QQ", MAGIC_BENCH | run, sector) + struct.pack("<Q", BENCH_FILL) * 62


def make(scratch, ro):
    with open(scratch, "wb") as f:
        f.write(b"".join(host_sector(s, TAG_SCRATCH) for s in range(PATTERN_END)))
        # Zeros written out, not a sparse tail: the bench then measures the
        # driver and QEMU, not the host file system allocating blocks.
        zeros = bytes(1 << 20)
        for _ in range((SCRATCH_SECTORS - PATTERN_END) * SECTOR // len(zeros)):
            f.write(zeros)
    with open(ro, "wb") as f:
        f.write(b"".join(host_sector(s, TAG_RO) for s in range(RO_SECTORS)))


def check_range(data, name, start, count, gen_fn, results):
    """Compare sectors [start, start+count) of data with gen_fn(sector)."""
    bad = []
    for s in range(start, start + count):
        if data[s * SECTOR:(s + 1) * SECTOR] != gen_fn(s):
            bad.append(s)
    ok = not bad
    what = f"{name}: sectors {start}..{start + count - 1}"
    if ok:
        print(f"[PASS] {what}")
    else:
        got = struct.unpack_from("<QQ", data, bad[0] * SECTOR)
        print(f"[FAIL] {what}: {len(bad)} wrong, first {bad[0]} "
              f"(starts {got[0]:016x} {got[1]:016x})")
    results.append(ok)


def check(scratch, ro, bench):
    results = []
    data = open(scratch, "rb").read()
    if len(data) != SCRATCH_SECTORS * SECTOR:
        print(f"[FAIL] {scratch}: size {len(data)}, expected {SCRATCH_SECTORS * SECTOR}")
        results.append(False)
    else:
        check_range(data, "host region (read only)", 0, HOSTRD_LEN,
                    lambda s: host_sector(s, TAG_SCRATCH), results)
        for w in range(NWRITERS):
            check_range(data, f"writer {w}", WR_START + w * WR_LEN, WR_LEN,
                        lambda s, w=w: writer_sector(s, w, NPASS - 1), results)
        guard = WR_START + NWRITERS * WR_LEN
        check_range(data, "guard (untouched)", guard, PATTERN_END - guard,
                    lambda s: host_sector(s, TAG_SCRATCH), results)
        zero = bytes(SECTOR)
        check_range(data, "bench region" + ("" if bench else " (unwritten)"), BENCH_START,
                    BENCH_LEN, (lambda s: bench_sector(s, BENCH_THREADS)) if bench
                    else (lambda s: zero), results)
    rodata = open(ro, "rb").read()
    if len(rodata) != RO_SECTORS * SECTOR:
        print(f"[FAIL] {ro}: size {len(rodata)}, expected {RO_SECTORS * SECTOR}")
        results.append(False)
    else:
        check_range(rodata, "read-only disk (unchanged)", 0, RO_SECTORS,
                    lambda s: host_sector(s, TAG_RO), results)
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if all(results) else 1


def main(argv):
    if len(argv) >= 3 and argv[0] == "make":
        make(argv[1], argv[2])
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        return check(argv[1], argv[2], "--bench" in argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
