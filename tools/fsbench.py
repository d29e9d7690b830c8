#!/usr/bin/env python3
"""The file-system benchmark: Weft hybrid, Weft monolithic and Linux on ext4.

    tools/fsbench.py --weft build/weft.bin --weft-mono build-monolithic/weft.bin
                     --linux ../shared/linux/Image --initrd build/bench/fs-initrd.cpio
                     [--runs 3] [--smp 1] [--image-mb 256] [--out FILE] [--logs DIR]

Each boot gets a fresh ext4 image made by the host's mkfs.ext4 (default
features) as a virtio-blk disk, and runs bench/fsbench.c as the first program
(rdinit=/bench for Linux, init=/bench for Weft), under the same QEMU command
line as tools/bench.py plus the disk. The three kernels alternate, so host
drift hits them alike. Figures and medians as in tools/bench.py (its boot
reader is reused). Targets (issue 5): create_delete_us at most 0.5x Linux;
the sequential bandwidths at least Linux's; and on every figure the hybrid
kernel within 10 % of the monolithic one (the cost of isolation).
"""

import argparse
import importlib.util
import os
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench", os.path.join(HERE, "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

KERNELS = ("hybrid", "monolithic", "Linux")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weft", required=True)
    ap.add_argument("--weft-mono", required=True)
    ap.add_argument("--linux", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smp", default="1")
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--image-mb", type=int, default=256)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--out")
    ap.add_argument("--logs")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    args = ap.parse_args()
    args.append, args.filter = bench.APPEND, []
    args.image = os.path.join(args.logs or "/tmp", "fsbench.ext4")
    return args


def with_disk(orig):
    def qemu_cmd(args, kernel, smp):
        return orig(args, kernel, smp) + [
            "-drive", f"file={args.image},if=none,format=raw,id=vd0",
            "-device", "virtio-blk-device,drive=vd0"]
    return qemu_cmd


def fresh_image(args):
    if os.path.exists(args.image):
        os.unlink(args.image)
    subprocess.run(["mkfs.ext4", "-q", "-F", args.image, f"{args.image_mb}M"], check=True)


def median(boots, label, name):
    vals = [b.figures[name][0] for b in boots if b.label == label and name in b.figures and
            b.figures[name][0] is not None]
    return statistics.median(vals) if vals else None


def targets(name, unit, h, m, lx):
    """Words for the target column and (met, checked)."""
    words, met, checked = [], 0, 0
    bw = unit.endswith("/s")

    def check(text, ok):
        nonlocal met, checked
        checked += 1
        met += ok is True
        words.append(f"{text} {bench.UNKNOWN if ok is None else bench.MET if ok else bench.MISSED}")

    if name == "create_delete_us":
        check("\u22640.5\u00d7 Linux", None if h is None or not lx else h / lx <= 0.5)
    if name.startswith("seq_"):
        check("\u2265 Linux", None if h is None or not lx else h >= lx)
    ok = None if h is None or not m else (h >= m / 1.1 if bw else h <= m * 1.1)
    check("hybrid within 10% of monolithic", ok)
    return "  ".join(words), met, checked


def table(args, boots, smps):
    out = ["Weft hybrid, Weft monolithic and Linux on a fresh ext4 image (mkfs.ext4 "
           f"-q -F img {args.image_mb}M) per boot, medians of up to {args.runs} boots",
           "QEMU: " + " ".join(shlex.quote(w) for w in bench.qemu_cmd(args, "K", "N"))]
    for label, path in zip(KERNELS, (args.weft, args.weft_mono, args.linux)):
        out.append(f"  K = {path}  ({label})")
    for smp in smps:
        these = [b for b in boots if b.smp == smp]
        names = []
        for b in these:
            names += [n for n in b.order if n not in names and not n.endswith("_ms")]
        out += ["", f"-smp {smp}",
                f"{'figure':<18} {'unit':<6} {'hybrid':>8} {'mono':>8} {'Linux':>8} "
                f"{'hyb/Linux':>9} {'hyb/mono':>8}  target"]
        met_all = checked_all = 0
        for name in names:
            unit = next((b.figures[name][1] for b in these if name in b.figures and
                         b.figures[name][0] is not None), "")
            h, m, lx = (median(these, k, name) for k in KERNELS)
            text, met, checked = targets(name, unit, h, m, lx)
            met_all += met
            checked_all += checked
            out.append(f"{name:<18} {unit:<6} {bench.fmt(h):>8} {bench.fmt(m):>8} "
                       f"{bench.fmt(lx):>8} {(f'{h / lx:.2f}' if h and lx else 'n/a'):>9} "
                       f"{(f'{h / m:.2f}' if h and m else 'n/a'):>8}  {text}")
        out.append(f"targets met at -smp {smp}: {met_all} of {checked_all}")
    problems = [f"  {b.label} -smp {b.smp} run {b.run}: {b.problem}" for b in boots if b.problem]
    if problems:
        out += ["", "problems:"] + problems
    return "\n".join(out) + "\n"


def main():
    args = parse_args()
    sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    for path in (args.weft, args.weft_mono, args.linux, args.initrd):
        if not os.path.exists(path):
            print(f"fsbench: {path} does not exist", file=sys.stderr)
            return 1
    if args.logs:
        os.makedirs(args.logs, exist_ok=True)
    bench.qemu_cmd = with_disk(bench.qemu_cmd)
    smps = [int(s) for s in args.smp.split()]
    boots = []
    for smp in smps:
        for run in range(1, args.runs + 1):
            for label, path in zip(KERNELS, (args.weft, args.weft_mono, args.linux)):
                fresh_image(args)
                log = (os.path.join(args.logs, f"fs-{label.lower()}-smp{smp}-run{run}.log")
                       if args.logs else None)
                b = bench.boot(args, label, path, smp, run, log)
                got = " ".join(f"{n}={bench.fmt(b.figures[n][0])}" for n in b.order)
                state = f" -- {b.problem}" if b.problem else ""
                print(f"fsbench: {label} -smp {smp} run {run}: {b.seconds:.1f} s: {got}{state}",
                      flush=True)
                boots.append(b)
    text = table(args, boots, smps)
    print()
    print(text, end="")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"fsbench: table written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
