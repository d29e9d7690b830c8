#!/usr/bin/env python3
"""Turn a weftprof output file (tools/prof/weftprof.c) into a readable profile.

    tools/prof/report.py PROF [--kernel ELF] [--ksyms FILE] [--user ELF ...]
                         [--fig NAME [--wbench bench/wbench.c]] [--iters N]
                         [--top 25] [--insns FUNC] [--label TEXT]

PROF holds, per executed guest instruction, its address, encoding and how
often it ran (inside the profile windows when the guest marked any: one per
repetition of a figure), and optionally host-time samples and MMIO counts.
Addresses are symbolized with riscv64-linux-gnu-nm against --kernel (an ELF
with symbols, e.g. build/weft.elf), --ksyms (a /proc/kallsyms listing, for a
kernel that ships no ELF) and each --user ELF (e.g. build/bench/wbench).
Where nothing names an address, it is grouped by domain: user (lower half),
kernel (upper half) or sbi (0x80000000-0x801fffff, OpenSBI in M-mode).

--fig NAME finds the figure in wbench.c's table and takes its operations per
repetition, so that every count is also given per iteration (windows x n);
--iters N sets that divisor directly. The "expensive" events are decoded from
the instruction encodings: CSR reads and writes (per CSR), ecall, sret, mret,
sfence.vma, wfi, fences, atomics, loads and stores, indirect jumps (jalr,
ret); "block" counts executed translation blocks (instructions that began
one). Under QEMU 7.2's TCG these cost far more than an ALU instruction: every
CSR access (a read too), ecall and sret ends its block and returns to QEMU's
main loop; an indirect jump looks its target block up in a hash table; a
satp write or sfence.vma or a change of sstatus.SUM flushes the whole soft
TLB, whose refills then cost a page walk each. With time=on the
samples column is host time (the vCPU thread's CPU time, or with the
plugin's wall=on wall-clock time), attributed to the translation block
running.
--insns FUNC lists FUNC's instructions with their counts and disassembly.
"""

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys

NM = os.environ.get("NM", "riscv64-linux-gnu-nm")
OBJDUMP = os.environ.get("OBJDUMP", "riscv64-linux-gnu-objdump")
SBI_LO, SBI_HI = 0x80000000, 0x80200000

CSR_NAMES = {
    0x001: "fflags", 0x002: "frm", 0x003: "fcsr",
    0x100: "sstatus", 0x104: "sie", 0x105: "stvec", 0x106: "scounteren",
    0x140: "sscratch", 0x141: "sepc", 0x142: "scause", 0x143: "stval",
    0x144: "sip", 0x14d: "stimecmp", 0x180: "satp",
    0x300: "mstatus", 0x302: "medeleg", 0x303: "mideleg", 0x304: "mie",
    0x305: "mtvec", 0x340: "mscratch", 0x341: "mepc", 0x342: "mcause",
    0x343: "mtval", 0x344: "mip", 0xc00: "cycle", 0xc01: "time",
    0xc02: "instret", 0xf14: "mhartid",
}
# Events worth a column, in display order.
EVENTS = ["block", "jalr", "load", "store", "amo", "csr_r", "csr_w", "ecall",
          "sret", "mret", "sfence", "wfi", "fence", "fence.i"]


def classify(raw, size):
    """(event or None, csr number or None) of one instruction."""
    if size == 2:
        op, f3 = raw & 3, (raw >> 13) & 7
        if op == 2 and (raw >> 12) & 0xF in (8, 9) and not (raw >> 2) & 31 and (raw >> 7) & 31:
            return "jalr", None  # c.jr / c.jalr (c.ret among them)
        if op in (0, 2) and f3 in (1, 2, 3) and not (op == 2 and f3 == 0):
            return "load", None
        if op in (0, 2) and f3 in (5, 6, 7):
            return "store", None
        return None, None
    opc = raw & 0x7F
    if opc in (0x03, 0x07):
        return "load", None
    if opc in (0x23, 0x27):
        return "store", None
    if opc == 0x2F:
        return "amo", None
    if opc == 0x67:
        return "jalr", None
    if opc == 0x0F:
        return ("fence.i" if (raw >> 12) & 7 == 1 else "fence"), None
    if opc != 0x73:
        return None, None
    f3 = (raw >> 12) & 7
    if f3 == 0:
        if raw == 0x00000073:
            return "ecall", None
        if raw == 0x10200073:
            return "sret", None
        if raw == 0x30200073:
            return "mret", None
        if raw == 0x10500073:
            return "wfi", None
        if raw >> 25 == 0x09:
            return "sfence", None
        return None, None
    if f3 == 4:
        return None, None
    csr, rs1 = raw >> 20, (raw >> 15) & 31
    writes = (f3 & 3) == 1 or rs1 != 0  # csrrw(i) always; csrrs/c(i) with rs1/uimm != 0
    return ("csr_w" if writes else "csr_r"), csr


def block_end(raw, size):
    """What a block ending with this instruction leaves by, for the time view."""
    ev, csr = classify(raw, size)
    if csr is not None:
        return f"{CSR_NAMES.get(csr, hex(csr))} {'write' if ev == 'csr_w' else 'read'}"
    if ev in ("ecall", "sret", "mret", "sfence", "wfi", "fence.i"):
        return ev
    if ev == "jalr":
        return "indirect jump (hash lookup)"
    if ev in ("load", "store", "amo"):
        return "memory access (faulted, or block cut)"
    opc = raw & 0x7F if size == 4 else None
    if opc in (0x63, 0x6F) or (size == 2 and raw & 3 == 1 and (raw >> 13) & 7 in (1, 5, 6, 7)):
        return "branch or jump (chained)"
    return "other (block cut at a limit)"


def domain(addr):
    if addr >= 1 << 63:
        return "kernel"
    if SBI_LO <= addr < SBI_HI:
        return "sbi"
    return "user"


class Symbols:
    """Address -> function name, from ELF files and kallsyms listings."""

    def __init__(self):
        self.addrs, self.names = [], []
        self.ranges = []  # (lo, hi) of each source, so gaps are not misnamed

    def _add(self, pairs):
        pairs = sorted(p for p in pairs if domain(p[0]) != "sbi")
        for d in ("user", "kernel"):
            mine = [a for a, _ in pairs if domain(a) == d]
            if mine:
                self.ranges.append((mine[0], mine[-1] + 0x10000))
        for a, n in pairs:
            self.addrs.append(a)
            self.names.append(n)
        order = sorted(range(len(self.addrs)), key=lambda i: self.addrs[i])
        self.addrs = [self.addrs[i] for i in order]
        self.names = [self.names[i] for i in order]

    def add_elf(self, path):
        out = subprocess.run([NM, "-n", "--defined-only", path], capture_output=True,
                             text=True, check=True).stdout
        pairs = []
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "tTwW" and not f[2].startswith(".L"):
                pairs.append((int(f[0], 16), f[2]))
        self._add(pairs)

    def add_kallsyms(self, path):
        pairs = []
        with open(path, errors="replace") as fh:
            for line in fh:
                f = line.split()
                if len(f) >= 3 and f[1] in "tTwW" and re.fullmatch(r"[0-9a-f]+", f[0]):
                    a = int(f[0], 16)
                    if a:
                        pairs.append((a, f[2]))
        self._add(pairs)

    def name(self, addr):
        if not any(lo <= addr < hi for lo, hi in self.ranges):
            return None
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else None


def read_prof(path):
    meta, recs = {}, []
    with open(path) as fh:
        for line in fh:
            f = line.split()
            if not f or f[0].startswith("#"):
                continue
            if f[0] == "i":
                addr, raw, size = int(f[1], 16), int(f[2], 16), int(f[3])
                count, count_w, io, io_w, smp, smp_w = map(int, f[4:10])
                tb = int(f[10]) if len(f) > 10 else 0
                last = (int(f[11], 16), int(f[12])) if len(f) > 12 else (0, 0)
                recs.append((addr, raw, size, count, count_w, io, io_w, smp, smp_w, tb, last))
            else:
                meta[f[0]] = [int(x) for x in f[1:]]
    return meta, recs


def figure_n(wbench, fig):
    """(name, n) of the first figure in wbench.c's table whose name has fig."""
    text = open(wbench).read()
    found = [(m.group(1), int(m.group(2))) for m in
             re.finditer(r'\{"(\w+)",\s*"[^"]*",\s*\w+,\s*(\d+),\s*\d+\}', text)
             if fig in m.group(1)]
    if len(found) > 1:
        print(f"note: {fig!r} matches {', '.join(n for n, _ in found)}: the windows hold all"
              f" of them, and per-iteration counts use {found[0][0]}'s n")
    return found[0] if found else (None, None)


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "   - "


def per(v, iters):
    v = v / iters
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 1 else f"{v:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("prof")
    ap.add_argument("--kernel", action="append", default=[], help="kernel ELF with symbols")
    ap.add_argument("--ksyms", action="append", default=[], help="/proc/kallsyms listing")
    ap.add_argument("--user", action="append", default=[], help="user ELF with symbols")
    ap.add_argument("--fig", help="figure name (substring), for per-iteration counts")
    ap.add_argument("--wbench", default="bench/wbench.c")
    ap.add_argument("--iters", type=float, help="iterations in all windows together")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--insns", action="append", default=[], help="list this function's instructions")
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    meta, recs = read_prof(args.prof)
    syms = Symbols()
    for p in args.kernel + args.user:
        if os.path.exists(p):
            syms.add_elf(p)
        else:
            print(f"report: {p} does not exist; not symbolized", file=sys.stderr)
    for p in args.ksyms:
        syms.add_kallsyms(p)

    windows = meta.get("windows", [0])[0]
    # In-window columns when the guest marked windows, else whole-run ones.
    ci, ii, si = (4, 6, 8) if windows else (3, 5, 7)
    iters, unit = 1.0, "run"
    if args.iters:
        iters, unit = args.iters, "iteration"
    elif args.fig:
        name, n = figure_n(args.wbench, args.fig)
        if name is None:
            print(f"report: no figure matching {args.fig!r} in {args.wbench}", file=sys.stderr)
        elif windows:
            iters, unit = windows * max(n, 1), "iteration"
            print(f"figure {name}: {windows} repetitions x {n} operations")
    if not windows:
        print("no profile windows were marked: counts are of the whole run")

    funcs = collections.defaultdict(lambda: collections.Counter())
    dom_tot = collections.Counter()
    ev_tot = collections.Counter()
    csr_tot = collections.Counter()
    csr_where = collections.defaultdict(collections.Counter)
    by_addr = {}
    ends = collections.Counter()
    total = samples = 0
    for r in recs:
        addr, raw, size = r[0], r[1], r[2]
        cnt, io, smp = r[ci], r[ii], r[si]
        if not cnt and not smp:
            continue
        d = domain(addr)
        fn = (syms.name(addr) if d != "sbi" else None) or f"[{d}]"
        key = (fn, d)
        ev, csr = classify(raw, size)
        c = funcs[key]
        c["insns"] += cnt
        c["samples"] += smp
        c["io"] += io
        if ev:
            c[ev] += cnt
            ev_tot[ev] += cnt
        if r[9]:
            c["block"] += cnt
            ev_tot["block"] += cnt
            if smp and r[10][1]:
                ends[block_end(*r[10])] += smp
        if csr is not None:
            cname = CSR_NAMES.get(csr, f"csr{csr:#x}")
            csr_tot[(cname, ev)] += cnt
            csr_where[(cname, ev)][fn] += cnt
        ev_tot["io"] += io
        dom_tot[d] += cnt
        dom_tot[d + "_samples"] += smp
        total += cnt
        samples += smp
        by_addr[addr] = (raw, size, cnt, smp)
    idle = meta.get("idle_samples", [0, 0])[1 if windows else 0]
    unknown = meta.get("unknown_samples", [0, 0])[1 if windows else 0]
    marker = meta.get("marker_samples", [0, 0])[1 if windows else 0]
    all_samples = samples + idle + unknown  # the marker snapshots are left out

    title = f"weftprof: {args.prof}" + (f" ({args.label})" if args.label else "")
    print(title)
    print(f"instructions: {total} in all, {per(total, iters)} per {unit}")
    for d in ("user", "kernel", "sbi"):
        if dom_tot[d] or dom_tot[d + "_samples"]:
            t = (f"  time {pct(dom_tot[d + '_samples'], all_samples)}"
                 if all_samples else "")
            print(f"  {d:<7} {per(dom_tot[d], iters):>10} per {unit}  {pct(dom_tot[d], total)}{t}")
    if all_samples:
        clock = "wall-clock" if meta.get("wall", [1])[0] else "vCPU thread CPU"
        print(f"  idle (wfi) time {pct(idle, all_samples)}, unattributed {pct(unknown, all_samples)}"
              f" of {all_samples} samples, one per {meta.get('interval_us', [0])[0]} us of"
              f" {clock} time"
              f" ({marker} more in the profiler's window snapshots, left out)")
    print(f"events per {unit}: " + ", ".join(
        f"{e} {per(ev_tot[e], iters)}" for e in EVENTS + ["io"] if ev_tot[e]))
    if csr_tot:
        print(f"CSR accesses per {unit} (where):")
        for (cname, ev), n in csr_tot.most_common(12):
            where = ", ".join(f"{f} {per(k, iters)}" for f, k in csr_where[(cname, ev)].most_common(3))
            kind = "write" if ev == "csr_w" else "read"
            print(f"  {cname:<10} {kind:<5} {per(n, iters):>8}   {where}")

    cols = ["block", "jalr", "load", "store", "csr_r", "csr_w", "ecall", "sret", "sfence", "amo",
            "io"]
    hdr = (f"\n{'function':<34} {'dom':<6} {'insns/' + unit[:4]:>11} {'%':>6} "
           + " ".join(f"{c:>7}" for c in cols) + ("  time%" if all_samples else ""))
    print(f"\nTop {args.top} functions by instructions (events per {unit}):", end="")
    print(hdr)
    ranked = sorted(funcs.items(), key=lambda kv: -kv[1]["insns"])
    for (fn, d), c in ranked[:args.top]:
        line = (f"{fn[:34]:<34} {d:<6} {per(c['insns'], iters):>11} {pct(c['insns'], total):>6} "
                + " ".join(f"{per(c[e], iters) if c[e] else '':>7}" for e in cols))
        if all_samples:
            line += f" {pct(c['samples'], all_samples):>6}"
        print(line)
    if all_samples:
        print(f"\nTop {args.top} functions by host time (samples):")
        for (fn, d), c in sorted(funcs.items(), key=lambda kv: -kv[1]["samples"])[:args.top]:
            if not c["samples"]:
                break
            print(f"  {fn[:40]:<40} {d:<6} {pct(c['samples'], all_samples)}  "
                  f"insns {per(c['insns'], iters)}/{unit[:4]}")
    if ends:
        print("\nHost time by the instruction that ends the block it was spent in"
              " (the block's run and its exit: after a CSR access, ecall or sret"
              " QEMU goes back to its main loop, after an indirect jump it looks"
              " the target up, a chained branch costs nothing more):")
        for what, n in ends.most_common(14):
            print(f"  {what:<40} {pct(n, all_samples)}")
    for fn in args.insns:
        list_insns(fn, syms, by_addr, iters, args.kernel)


def list_insns(fn, syms, by_addr, iters, elfs):
    """Print fn's executed instructions with counts, and objdump's text."""
    dis = {}
    for elf in elfs:
        out = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", f"--disassemble={fn}", elf],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*([0-9a-f]+):\s+(.*)", line)
            if m:
                dis[int(m.group(1), 16)] = m.group(2)
    print(f"\n{fn}: executed instructions (count per iteration, samples)")
    for addr in sorted(a for a in by_addr if syms.name(a) == fn):
        raw, size, cnt, smp = by_addr[addr]
        print(f"  {addr:x} {per(cnt, iters):>8} {smp:>6}  {dis.get(addr, f'{raw:0{size * 2}x}')}")


if __name__ == "__main__":
    sys.exit(main())
