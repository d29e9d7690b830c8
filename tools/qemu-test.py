#!/usr/bin/env python3
r"""Boot a kernel in qemu-system-riscv64 and judge the in-guest test suite.

    tools/qemu-test.py --kernel build/weft.bin --initrd build/initrd.cpio --smp N
                       [--mem 256M] [--timeout S] [--append "..."] [--kargs "..."]
                       [--expect-log REGEX] [--log FILE] [--verbose]
                       [--disk FILE] [--ro-disk FILE] [--virtio-modern]
                       [--input TEXT [--input-after REGEX]]
                       [--send 'REGEX=>TEXT'] [--expect REGEX] ...

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

Interactive mode (any of --input, --send, --expect) types at the guest, a
person's stand-in: QEMU's stdin, the serial console under -nographic, is a
pipe. The steps run in command-line order, each searching only the console
output that came after the previous step's match, prompts without a newline
included ('\r' is dropped from the output first, so "(?m)^word$" matches a
whole line):
  --send 'REGEX=>TEXT'  wait for REGEX, then write TEXT;
  --input TEXT          the same, waiting for --input-after REGEX (default the
                        wsh prompt "weft\$ ");
  --expect REGEX        wait for REGEX.
TEXT takes Python escapes: \r (Enter as a terminal sends it), \n, \t, \xNN
(but \x01 is QEMU's Ctrl-A escape). After the last step the guest must power
off. Each step is one check and so is the power off; a step that never
matches within --timeout fails with the steps after it, and a panic adds one
failure. Pick the first program with --init (e.g. /bin/wsh).

--disk FILE and --ro-disk FILE (repeatable) attach raw images as virtio-blk
disks, in command-line order (the kernel names them vda, vdb, ...); --ro-disk
attaches read-only. QEMU's virtio-mmio is the legacy interface (version 1)
unless --virtio-modern asks for version 2.

The console goes to --log FILE as it arrives (and to stdout with --verbose).
"""

import argparse
import codecs
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
    ap.add_argument("--kargs", default="",
                    help="kernel options, put before init= (e.g. root=/dev/vda)")
    ap.add_argument("--init", default="/bin/runtests",
                    help="init program (put a test filter in --append after it)")
    ap.add_argument("--expect-log", dest="expect_log")
    ap.add_argument("--log")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--verbose", action="store_true", help="echo the console to stdout")
    ap.add_argument("--input", action=StepAction, metavar="TEXT",
                    help="type TEXT once --input-after shows up")
    ap.add_argument("--input-after", default=r"weft\$ ", metavar="REGEX")
    ap.add_argument("--send", action=StepAction, metavar="REGEX=>TEXT",
                    help="type TEXT once REGEX shows up (repeatable, in order)")
    ap.add_argument("--expect", action=StepAction, metavar="REGEX",
                    help="wait for REGEX (repeatable, in order with --send)")
    ap.add_argument("--disk", action=DiskAction, metavar="FILE",
                    help="attach a raw image as a virtio-blk disk (repeatable)")
    ap.add_argument("--ro-disk", action=DiskAction, metavar="FILE",
                    help="the same, read-only")
    ap.add_argument("--virtio-modern", action="store_true",
                    help="virtio-mmio version 2 instead of QEMU's legacy default")
    args = ap.parse_args()
    steps = []
    for kind, value in getattr(args, "steps", None) or []:
        if kind == "send":
            regex, sep, text = value.partition("=>")
            if not sep:
                ap.error(f"--send {value!r}: expected REGEX=>TEXT")
        elif kind == "input":
            regex, text = args.input_after, value
        else:
            regex, text = value, None
        try:
            pattern = re.compile(regex)
            data = None if text is None else codecs.decode(text, "unicode_escape").encode(
                "latin-1")
        except (re.error, UnicodeError) as e:
            ap.error(f"--{kind} {value!r}: {e}")
        steps.append((pattern, data))
    args.steps = steps
    return args


class StepAction(argparse.Action):
    """Collects --input, --send and --expect into one list, in command-line order."""

    def __call__(self, parser, namespace, values, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        steps.append((option_string.lstrip("-"), values))
        namespace.steps = steps


class DiskAction(argparse.Action):
    """Collects --disk and --ro-disk into one list, in command-line order."""

    def __call__(self, parser, namespace, values, option_string=None):
        disks = getattr(namespace, "disks", None) or []
        disks.append((values, option_string == "--ro-disk"))
        namespace.disks = disks


def disk_args(args):
    """QEMU options for the disks: each a drive plus a virtio-blk-device."""
    out = []
    for i, (path, ro) in enumerate(getattr(args, "disks", None) or []):
        drive = f"file={path},if=none,format=raw,id=vd{i}" + (",readonly=on" if ro else "")
        out += ["-drive", drive, "-device", f"virtio-blk-device,drive=vd{i}"]
    if args.virtio_modern:
        out += ["-global", "virtio-mmio.force-legacy=false"]
    return out


class Console:
    """Reads QEMU's stdout with deadlines, splitting it into lines."""

    def __init__(self, proc, log, verbose, interactive=False):
        self.proc = proc
        self.log = log
        self.verbose = verbose
        self.partial = b""
        self.text = []
        self.eof = False
        # Interactive mode only: all output so far without '\r', how far
        # the steps have matched, and the first panic line seen.
        self.interactive = interactive
        self.stream = ""
        self.cursor = 0
        self.panic = None
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def _read(self, deadline):
        """Wait for output: the bytes read, b"" at EOF, or None at the deadline."""
        fd = self.proc.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                break
        chunk = os.read(fd, 65536)
        if not chunk:
            self.eof = True
            return chunk
        if self.log:
            self.log.write(chunk)
            self.log.flush()
        if self.verbose:
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        if not self.interactive:
            return chunk
        start = self.stream.rfind("\n") + 1
        self.stream += self.decoder.decode(chunk).replace("\r", "")
        if self.panic is None:
            m = PANIC_RE.search(self.stream, start)
            if m:
                end = self.stream.find("\n", m.start())
                self.panic = self.stream[self.stream.rfind("\n", 0, m.start()) + 1:
                                         end if end >= 0 else None].strip()
        return chunk

    def wait_for(self, pattern, deadline):
        """Search the output after the cursor for pattern, reading until the
        deadline, EOF or a panic; on a match, move the cursor past it."""
        while True:
            m = pattern.search(self.stream, self.cursor)
            if m:
                self.cursor = m.end()
                return m
            if self.eof or self.panic or not self._read(deadline):
                return None

    def lines(self, deadline):
        """Yield complete lines until EOF or the deadline (then return)."""
        while not self.eof:
            chunk = self._read(deadline)
            if chunk is None:
                return
            if not chunk:
                if self.partial:
                    yield self._line(self.partial)
                    self.partial = b""
                return
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
           "-kernel", args.kernel, "-initrd", args.initrd, "-append", append] + disk_args(args)
    # Own process group, so a timeout kills QEMU and nothing else.
    # In interactive mode stdin is a pipe: the keyboard of the serial console.
    stdin = subprocess.PIPE if args.steps else subprocess.DEVNULL
    return subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE,
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


def show(data):
    """TEXT as typed, escaped again and cut short for the report."""
    text = data.decode("latin-1").encode("unicode_escape").decode("ascii")
    return text if len(text) <= 60 else text[:57] + "..."


def run_steps(args, proc, con):
    passed = failed = 0
    deadline = time.monotonic() + args.timeout
    stuck = None  # why the steps stopped early
    for pattern, data in args.steps:
        what = f"/{pattern.pattern}/" + (f" then type '{show(data)}'" if data else "")
        if stuck:
            failed += 1
            print(f"[FAIL] {what}: not reached", flush=True)
            continue
        if not con.wait_for(pattern, deadline):
            stuck = ("kernel panic" if con.panic else "QEMU exited" if con.eof else
                     f"not seen within {args.timeout:.0f} s")
        elif data:
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
            except OSError as e:
                stuck = f"cannot type at QEMU: {e}"
        if not stuck:
            passed += 1
            print(f"[PASS] {what}", flush=True)
            continue
        failed += 1
        print(f"[FAIL] {what}: {stuck}", flush=True)
        tail = con.stream[con.cursor:].rstrip("\n").split("\n")[-5:]
        print("  console since the last match:\n" + "\n".join(f"  | {t}" for t in tail),
              flush=True)
    # After the last step the guest should power off by itself.
    off = "not reached" if stuck else None
    if not stuck:
        while not con.eof and not con.panic and con._read(time.monotonic() + POWEROFF_GRACE):
            pass
    if con.panic:
        # Let the panic message and backtrace reach the log.
        while con._read(time.monotonic() + 2):
            pass
    status = stop_qemu(proc, wait=1 if con.eof else 0.1)
    if off:
        pass
    elif con.panic:
        off = "kernel panic"
    elif status is None:
        off = f"guest did not power off within {POWEROFF_GRACE} s"
    elif status != 0:
        off = f"QEMU exited with status {status}"
    if off:
        failed += 1
        print(f"[FAIL] guest powered off: {off}", flush=True)
    else:
        passed += 1
        print("[PASS] guest powered off", flush=True)
    if con.panic:
        failed += 1
        print(f"[FAIL] kernel panic: {con.panic}", flush=True)
    return passed, failed


def main():
    args = parse_args()
    for path in (args.kernel, args.initrd):
        if not os.path.exists(path):
            print(f"qemu-test: {path} does not exist")
            print("0 passed, 1 failed")
            return 1
    append = f"{args.kargs} init={args.init} {args.append}".strip()
    log = open(args.log, "wb") if args.log else None
    proc = start_qemu(args, append)
    con = Console(proc, log, args.verbose, interactive=bool(args.steps))
    try:
        if args.steps:
            passed, failed = run_steps(args, proc, con)
        elif args.expect_log:
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
