#!/usr/bin/env python3
"""Benchmark Weft against Linux: same QEMU command line, same initrd, back to back.

    tools/bench.py --weft build/weft.bin --linux ../shared/linux/Image
                   --initrd build/bench/initrd.cpio [--runs 3] [--smp "1 4"]
                   [--mem 512M] [--timeout 120] [--budget 540]
                   [--out build/bench.txt] [--logs DIR] [--filter NAME ...]

For each -smp value, each kernel is booted --runs times, alternating Weft and
Linux so that drift on the host hits both alike. Every boot uses

    qemu-system-riscv64 -machine virt -nographic -bios default -m MEM -smp N
        -kernel K -initrd I -append "console=ttyS0 quiet rdinit=/bench init=/bench"

(Linux runs rdinit=; Weft ignores every word before init=). The guest program,
bench/wbench.c, prints "BENCH_START" first thing, then "BENCH name value
unit" or "BENCH name FAIL why" per figure, then "BENCH_DONE", and powers off.
Three figures come from the host clock: opensbi_banner_ms (QEMU spawned until
OpenSBI's "OpenSBI v" banner line arrives), boot_to_user_ms (until the
BENCH_START line arrives) and their difference, banner_to_user_ms (roughly the
kernel's own share, plus the rest of OpenSBI's start). A boot that panics, hangs past --timeout or exits
early is reported and its missing figures count as absent; a figure absent or
failed in every boot of a kernel shows as "n/a". The table of medians, with
the Weft/Linux ratio (for times below 1 means Weft is faster, for bandwidths,
unit ".../s", above 1) and the targets, goes to stdout and --out; each boot's
console goes to --logs.

Targets (target_list): every figure's Weft median at most 0.5x Linux's, or
for a bandwidth at least 2x (issue 3); fork_exit_wait_us, fork_execve_wait_us
and thread_create_join_us at most 0.25x; and, absolute (issue 2),
boot_to_user_ms <= 150 ms and getppid_ns <= 600 ns. opensbi_banner_ms is the
firmware's and has none. Each target is printed with a check mark when met, a
cross when not, and "?" when a median it needs is n/a; a line per -smp counts
the targets met. Once --budget seconds have passed, the
remaining boots are skipped (and said so). Exit status: 0 when the table was
made, even with n/a entries; 1 when a kernel or initrd file is missing.
"""

import argparse
import os
import re
import select
import shlex
import signal
import statistics
import subprocess
import sys
import time

APPEND = "console=ttyS0 quiet rdinit=/bench init=/bench"
PANIC_RE = re.compile(r"(?i)(\bpanic:|kernel panic)")
BENCH_RE = re.compile(r"^BENCH (\S+) (\S+)(?: (\S+))?")
OPENSBI_RE = re.compile(r"OpenSBI v\d")
POWEROFF_GRACE = 15  # seconds the guest gets to power off after BENCH_DONE
HOST_FIGURES = [("opensbi_banner_ms", "ms"), ("boot_to_user_ms", "ms"),
                ("banner_to_user_ms", "ms")]
# Targets beyond the default ratio (see target_list): (kind, bound), kind one
# of "ratio_le", "ratio_ge" (Weft/Linux), "abs_le" or "abs_ge" (Weft's median),
# or ("ratio_to:<figure>", bound): Weft's median over Linux's median of another
# figure, for a Weft-only figure with a Linux counterpart.
TARGETS = {
    "opensbi_banner_ms": [],
    "boot_to_user_ms": [("ratio_le", 0.5), ("abs_le", 150)],
    "getppid_ns": [("ratio_le", 0.5), ("abs_le", 600)],
    "fork_exit_wait_us": [("ratio_le", 0.25)],
    "fork_execve_wait_us": [("ratio_le", 0.25)],
    "thread_create_join_us": [("ratio_le", 0.25)],
    # Weft only (Linux has no channels): issue 4's bound, at most half of
    # Linux's pipe round trip.
    "chan_rtt_us": [("ratio_to:pipe_rtt_us", 0.5)],
    "chan_msg_ns": [],
    "chan_rtt_wait_us": [("ratio_to:pipe_rtt_us", 0.5)],
    # Weft-only figures (issue 4): Linux has no native calls
    "null_native_ns": [],
    "aq_nop_batch_ns": [],
    "aq_timer_batch_ns": [],
    "aq_nop_gain_x": [("abs_ge", 10)],
    "aq_timer_gain_x": [("abs_ge", 10)],
}
MET, MISSED, UNKNOWN = "\u2713", "\u2717", "?"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weft", required=True, help="Weft's weft.bin")
    ap.add_argument("--linux", required=True, help="Linux's Image")
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--runs", type=int, default=3, help="boots per kernel and -smp value")
    ap.add_argument("--smp", default="1 4", help='-smp values, e.g. "1 4"')
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per boot")
    ap.add_argument("--budget", type=float, default=540,
                    help="seconds after which the remaining boots are skipped")
    ap.add_argument("--append", default=APPEND)
    ap.add_argument("--filter", nargs="*", default=[],
                    help="figures to run (substrings), passed to the guest program")
    ap.add_argument("--out", help="also write the table here")
    ap.add_argument("--logs", help="directory for each boot's console log")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    return ap.parse_args()


def qemu_cmd(args, kernel, smp):
    append = args.append
    if args.filter:
        append += " " + " ".join(args.filter)
    return [args.qemu, "-machine", "virt", "-nographic", "-bios", "default",
            "-m", args.mem, "-smp", str(smp), "-kernel", kernel,
            "-initrd", args.initrd, "-append", append]


def kill_group(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


class Boot:
    """One boot of one kernel: its figures, host-clock times and problems."""

    def __init__(self, label, smp, run):
        self.label, self.smp, self.run = label, smp, run
        self.figures = {}  # name -> (value or None for FAIL, unit or why)
        self.order = []
        self.problem = None
        self.seconds = 0.0

    def note(self, name, value, unit):
        if name not in self.figures:
            self.order.append(name)
        self.figures[name] = (value, unit)


def boot(args, label, kernel, smp, run, log_path):
    """Boot once, reading the console line by line with arrival times."""
    b = Boot(label, smp, run)
    log = open(log_path, "wb") if log_path else None
    t0 = time.monotonic()
    proc = subprocess.Popen(qemu_cmd(args, kernel, smp), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    fd = proc.stdout.fileno()
    deadline = t0 + args.timeout
    partial = b""
    done = eof = False
    done_deadline = deadline
    last_figure = None
    try:
        while not eof:
            left = (deadline if not done else done_deadline) - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            now = time.monotonic()
            if not chunk:
                eof = True
                chunk = b"\n" if partial else b""
            if log:
                log.write(chunk)
            *lines, partial = (partial + chunk).split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").replace("\r", "").strip()
                if "opensbi_banner_ms" not in b.figures and OPENSBI_RE.search(line):
                    b.note("opensbi_banner_ms", (now - t0) * 1000, "ms")
                if PANIC_RE.search(line) and not b.problem:
                    b.problem = f"kernel panic: {line[:100]}"
                if "BENCH_START" in line and "boot_to_user_ms" not in b.figures:
                    b.note("boot_to_user_ms", (now - t0) * 1000, "ms")
                    continue
                if line.startswith("BENCH_DONE"):
                    done = True
                    done_deadline = now + POWEROFF_GRACE
                    continue
                m = BENCH_RE.match(line)
                if not m:
                    continue
                name, value, unit = m.groups()
                last_figure = name
                if value == "FAIL":
                    why = line.split("FAIL", 1)[1].strip() or "failed"
                    b.note(name, None, why)
                else:
                    try:
                        b.note(name, float(value), unit or "")
                    except ValueError:
                        b.note(name, None, f"bad value {value!r}")
            if b.problem and not done:
                # Let the panic message reach the log, then stop.
                deadline = min(deadline, time.monotonic() + 2)
    finally:
        exited = proc.poll() is not None or (eof and _wait(proc, 1))
        kill_group(proc)
        if log:
            log.close()
    b.seconds = time.monotonic() - t0
    if "opensbi_banner_ms" in b.figures and "boot_to_user_ms" in b.figures:
        b.note("banner_to_user_ms", b.figures["boot_to_user_ms"][0] -
               b.figures["opensbi_banner_ms"][0], "ms")
    if not b.problem:
        after = f" (last figure: {last_figure})" if last_figure else ""
        if not done and eof:
            b.problem = f"QEMU exited (status {proc.returncode}) before BENCH_DONE{after}"
        elif not done:
            b.problem = f"hang: no BENCH_DONE within {args.timeout:.0f} s{after}"
        elif not exited:
            b.problem = f"did not power off within {POWEROFF_GRACE} s of BENCH_DONE"
    return b


def _wait(proc, seconds):
    try:
        proc.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def fmt(v):
    if v is None:
        return "n/a"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def target_list(name, unit):
    """The targets of a figure: TARGETS' entry, else the issue 3 default."""
    if name in TARGETS:
        return TARGETS[name]
    return [("ratio_ge", 2.0)] if unit.endswith("/s") else [("ratio_le", 0.5)]


def check_targets(name, unit, weft, linux, linux_of=lambda n: None):
    """Text of the target column, and how many targets were met and checked.
    linux_of(figure) is Linux's median of another figure (ratio_to targets)."""
    words, met = [], 0
    for kind, bound in target_list(name, unit):
        if kind.startswith("ratio_to:"):
            other = linux_of(kind.split(":", 1)[1])
            value = weft / other if weft is not None and other else None
            text = f"\u2264{bound:g}\u00d7 Linux {kind.split(':', 1)[1]}"
            ok = None if value is None else value <= bound
        elif kind in ("abs_le", "abs_ge"):
            op = "\u2264" if kind == "abs_le" else "\u2265"
            value, text = weft, f"{op}{bound:g} {unit}"
            ok = None if value is None else (
                value <= bound if kind == "abs_le" else value >= bound)
        else:
            value = weft / linux if weft is not None and linux else None
            op = "\u2264" if kind == "ratio_le" else "\u2265"
            text = f"{op}{bound:g}\u00d7"
            ok = None if value is None else (
                value <= bound if kind == "ratio_le" else value >= bound)
        met += ok is True
        words.append(f"{text} {UNKNOWN if ok is None else MET if ok else MISSED}")
    return "  ".join(words), met, len(words)


def table(args, boots, kernels, smps):
    """The report: command line, medians and ratios per -smp, problems, raw runs."""
    out = []
    out.append(f"Weft vs Linux, medians of up to {args.runs} boots per kernel "
               f"(Weft/Linux: for times < 1 is Weft faster, for bandwidths > 1)")
    out.append("QEMU: " + " ".join(shlex.quote(w) for w in qemu_cmd(args, "K", "N")))
    for label, path in kernels:
        out.append(f"  K = {path}  ({label})")
    for smp in smps:
        these = [b for b in boots if b.smp == smp]
        names = [n for n, _ in HOST_FIGURES]
        for b in these:
            names += [n for n in b.order if n not in names]
        out.append("")
        out.append(f"-smp {smp}")
        out.append(f"{'figure':<22} {'unit':<5} {'Weft':>10} {'Linux':>10} "
                   f"{'Weft/Linux':>11}  target")
        met_all = checked_all = 0

        def linux_of(fig, these=these):
            vals = [b.figures[fig][0] for b in these if b.label == "Linux" and
                    fig in b.figures and b.figures[fig][0] is not None]
            return statistics.median(vals) if vals else None

        for name in names:
            med, unit = {}, ""
            for label, _ in kernels:
                vals = [b.figures[name][0] for b in these if b.label == label and
                        name in b.figures and b.figures[name][0] is not None]
                med[label] = statistics.median(vals) if vals else None
                for b in these:
                    if name in b.figures and b.figures[name][0] is not None:
                        unit = b.figures[name][1]
            w, lx = med.get("Weft"), med.get("Linux")
            ratio = f"{w / lx:.2f}" if w is not None and lx else "n/a"
            target, met, checked = check_targets(name, unit, w, lx, linux_of)
            met_all += met
            checked_all += checked
            out.append(f"{name:<22} {unit:<5} {fmt(w):>10} {fmt(lx):>10} {ratio:>11}  "
                       f"{target}".rstrip())
        out.append(f"targets met at -smp {smp}: {met_all} of {checked_all}")
    notes = []
    for b in boots:
        if b.problem:
            notes.append(f"{b.label} -smp {b.smp} run {b.run}: {b.problem}")
        for name in b.order:
            value, why = b.figures[name]
            if value is None:
                notes.append(f"{b.label} -smp {b.smp} run {b.run}: {name} FAIL {why}")
    if notes:
        out.append("")
        out.append("Problems:")
        out += ["  " + n for n in notes]
    out.append("")
    out.append("Every boot (figure: values in run order):")
    for smp in smps:
        for label, _ in kernels:
            these = [b for b in boots if b.smp == smp and b.label == label]
            if not these:
                continue
            secs = " ".join(f"{b.seconds:.1f}" for b in these)
            out.append(f"  {label} -smp {smp} (boot wall time s: {secs})")
            names = [n for n, _ in HOST_FIGURES]
            for b in these:
                names += [n for n in b.order if n not in names]
            for name in names:
                if not any(name in b.figures for b in these):
                    continue
                vals = [fmt(b.figures[name][0]) if name in b.figures else "-" for b in these]
                out.append(f"    {name:<22} {' '.join(vals)}")
    return "\n".join(out) + "\n"


def main():
    args = parse_args()
    sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    kernels = [("Weft", args.weft), ("Linux", args.linux)]
    for path in (args.weft, args.linux, args.initrd):
        if not os.path.exists(path):
            print(f"bench: {path} does not exist", file=sys.stderr)
            return 1
    smps = [int(s) for s in args.smp.split()]
    if args.logs:
        os.makedirs(args.logs, exist_ok=True)
    start = time.monotonic()
    boots, skipped = [], 0
    for smp in smps:
        for run in range(1, args.runs + 1):
            for label, path in kernels:
                if time.monotonic() - start > args.budget:
                    skipped += 1
                    continue
                log = (os.path.join(args.logs, f"{label.lower()}-smp{smp}-run{run}.log")
                       if args.logs else None)
                b = boot(args, label, path, smp, run, log)
                got = " ".join(f"{n}={fmt(b.figures[n][0])}" for n in b.order)
                state = f" -- {b.problem}" if b.problem else ""
                print(f"bench: {label} -smp {smp} run {run}: {b.seconds:.1f} s: {got}{state}",
                      flush=True)
                boots.append(b)
    text = table(args, boots, kernels, smps)
    if skipped:
        text += f"\n{skipped} boots skipped: the {args.budget:.0f} s budget ran out\n"
    print()
    print(text, end="")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"bench: table written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
