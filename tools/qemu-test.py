#!/usr/bin/env python3
"""Boot a kernel in qemu-system-riscv64 and judge the in-guest test suite.

    tools/qemu-test.py --kernel build/weft.bin --initrd build/initrd.cpio --smp N
                       [--mem 256M] [--timeout S] [--append "..."]
                       [--expect-log REGEX] [--log FILE] [--verbose]

Suite mode (the default) boots with init=/bin/runtests, reads the serial
console with a hard timeout, and collects the runner's "[RUN] name",
"[PASS] name", "[FAIL] name (...)" and final "weft-tests: N passed, N failed"
lines. It fails when the kernel panics ("panic:" or "kernel panic"), when the
final line never comes (a hang, reported with the last test started), when
the guest does not power off after it, or when QEMU exits abnormally; each of
those counts as one extra failure. The last line printed is always
"N passed, N failed", and the exit status is non-zero on any failure.

--expect-log REGEX boots and passes if the console matches REGEX before the
timeout and no panic follows within a short grace period (used to boot a
malformed initrd: the kernel must say so and carry on).

The console goes to --log FILE as it arrives (and to stdout with --verbose).
"""

import argparse
import os
import re
import select
import signal
import subprocess
import sys
import time

PANIC_RE = re.compile(r"(?i)(\bpanic:|kernel panic)")
RESULT_RE = re.compile(r"\[(PASS|FAIL|RUN)\] (\S.*?)\s*$")
FINAL_RE = re.compile(r"weft-tests: (\d+) passed, (\d+) failed")
POWEROFF_GRACE = 30  # seconds the guest gets to power off after the final line
EXPECT_GRACE = 3  # seconds to watch for a panic after --expect-log matched


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--append", default="")
    ap.add_argument("--init", default="/bin/runtests",
                    help="init program (put a test filter in --append after it)")
    ap.add_argument("--expect-log", dest="expect_log")
    ap.add_argument("--log")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--verbose", action="store_true", help="echo the console to stdout")
    return ap.parse_args()


class Console:
    """Reads QEMU's stdout with deadlines, splitting it into lines."""

    def __init__(self, proc, log, verbose):
        self.proc = proc
        self.log = log
        self.verbose = verbose
        self.partial = b""
        self.text = []
        self.eof = False

    def lines(self, deadline):
        """Yield complete lines until EOF or the deadline (then return)."""
        fd = self.proc.stdout.fileno()
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                self.eof = True
                if self.partial:
                    yield self._line(self.partial)
                    self.partial = b""
                return
            if self.log:
                self.log.write(chunk)
                self.log.flush()
            if self.verbose:
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            data = self.partial + chunk
            *complete, self.partial = data.split(b"\n")
            for raw in complete:
                yield self._line(raw)

    def _line(self, raw):
        line = raw.decode("utf-8", "replace").replace("\r", "")
        self.text.append(line)
        return line


def start_qemu(args, append):
    cmd = [args.qemu, "-machine", "virt", "-nographic", "-bios", "default",
           "-m", args.mem, "-smp", str(args.smp), "-no-reboot",
           "-kernel", args.kernel, "-initrd", args.initrd, "-append", append]
    # Own process group, so a timeout kills QEMU and nothing else.
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop_qemu(proc, wait=0.0):
    """Give QEMU `wait` seconds to exit by itself, then kill it.

    Returns its exit status if it exited by itself, else None."""
    try:
        return proc.wait(timeout=wait) if wait > 0 else (proc.poll())
    except subprocess.TimeoutExpired:
        pass
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    return None


def run_suite(args, proc, con):
    passed, failed, problems = [], [], []
    last_run = None
    final = None
    deadline = time.monotonic() + args.timeout
    for line in con.lines(deadline):
        if PANIC_RE.search(line):
            problems.append(f"kernel panic: {line.strip()}")
            break
        m = RESULT_RE.search(line)
        if m:
            kind, name = m.groups()
            if kind == "RUN":
                last_run = name
            elif kind == "PASS":
                passed.append(name)
                print(f"[PASS] {name}", flush=True)
            else:
                failed.append(name)
                print(f"[FAIL] {name}", flush=True)
            continue
        m = FINAL_RE.search(line)
        if m:
            final = (int(m.group(1)), int(m.group(2)))
            break
    if problems:
        # Let the panic message and backtrace reach the log.
        for _ in con.lines(time.monotonic() + 2):
            pass
        stop_qemu(proc)
    elif final is None:
        stop_qemu(proc)
        if con.eof:
            problems.append(f"QEMU exited (status {proc.returncode}) before the suite "
                            f"finished; last test started: {last_run or 'none'}")
        else:
            problems.append(f"hang: no result after {args.timeout:.0f} s; "
                            f"last test started: {last_run or 'none'}")
    else:
        # The runner powers off: QEMU should now exit with status 0.
        for line in con.lines(time.monotonic() + POWEROFF_GRACE):
            if PANIC_RE.search(line):
                problems.append(f"kernel panic after the suite: {line.strip()}")
        status = stop_qemu(proc, wait=1 if con.eof else 0.1)
        if status is None:
            problems.append(f"guest did not power off within {POWEROFF_GRACE} s")
        elif status != 0:
            problems.append(f"QEMU exited with status {status}")
        if final != (len(passed), len(failed)):
            print(f"note: runner counted {final[0]} passed, {final[1]} failed; "
                  f"console showed {len(passed)} and {len(failed)}", flush=True)
            passed = [None] * final[0]
            failed = failed + [None] * max(0, final[1] - len(failed))
    for p in problems:
        print(f"[FAIL] {p}", flush=True)
    return len(passed), len(failed) + len(problems)


def run_expect(args, proc, con):
    want = re.compile(args.expect_log)
    deadline = time.monotonic() + args.timeout
    matched = None
    problem = None
    for line in con.lines(deadline):
        if PANIC_RE.search(line):
            problem = f"kernel panic: {line.strip()}"
            break
        if want.search(line) or want.search("\n".join(con.text[-20:])):
            matched = line.strip()
            break
    if matched and not problem:
        for line in con.lines(time.monotonic() + EXPECT_GRACE):
            if PANIC_RE.search(line):
                problem = f"kernel panic after the expected message: {line.strip()}"
                break
    exited = con.eof
    stop_qemu(proc, wait=0.5 if exited else 0)
    if not matched and not problem:
        problem = (f"QEMU exited (status {proc.returncode}) without printing /{args.expect_log}/"
                   if exited else f"no /{args.expect_log}/ within {args.timeout:.0f} s")
    elif exited and proc.returncode not in (0, None) and not problem:
        problem = f"QEMU exited with status {proc.returncode}"
    if problem:
        print(f"[FAIL] expect-log: {problem}", flush=True)
        return 0, 1
    print(f"[PASS] expect-log: {matched}", flush=True)
    return 1, 0


def main():
    args = parse_args()
    for path in (args.kernel, args.initrd):
        if not os.path.exists(path):
            print(f"qemu-test: {path} does not exist")
            print("0 passed, 1 failed")
            return 1
    append = f"init={args.init} {args.append}".strip()
    log = open(args.log, "wb") if args.log else None
    proc = start_qemu(args, append)
    con = Console(proc, log, args.verbose)
    try:
        if args.expect_log:
            passed, failed = run_expect(args, proc, con)
        else:
            passed, failed = run_suite(args, proc, con)
    finally:
        stop_qemu(proc)
        if log:
            log.close()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
