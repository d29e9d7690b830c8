#!/usr/bin/env bash
# Compare two kernels on one bench figure on a busy host: boot A and B in turn
# ROUNDS times each (same QEMU command line as tools/bench.py, the figure
# named after init=/bench so only it runs) and print, per kernel, the figure's
# min and median and the QEMU process's CPU time (perf stat task-clock) min and
# median, then B/A. CPU time counts only what QEMU itself ran, so it moves far
# less with the host's load than the guest's clock does (an A/A run agrees
# within about 1%); it includes the boot (about 65 ms at -smp 1).
#   tools/prof/ab.sh ROUNDS FIGURE KERNEL_A KERNEL_B [INITRD] [SMP]
# e.g. tools/prof/ab.sh 8 getppid_ns /tmp/old-weft.bin build/weft.bin
set -euo pipefail

if [ $# -lt 4 ]; then
	echo "usage: $0 ROUNDS FIGURE KERNEL_A KERNEL_B [INITRD] [SMP]" >&2
	exit 2
fi
rounds=$1 fig=$2 a=$3 b=$4
initrd=${5:-build/bench/initrd.cpio}
smp=${6:-1}
command -v perf >/dev/null || { echo "ab: needs perf (linux-perf)" >&2; exit 1; }

one() { # kernel -> "figure cpu_ms" (figure "nan" when missing)
	local out fig_v cpu
	out=$(perf stat -e task-clock -x, -- timeout 120 qemu-system-riscv64 -machine virt \
		-nographic -bios default -m 512M -smp "$smp" -kernel "$1" -initrd "$initrd" \
		-append "console=ttyS0 quiet rdinit=/bench init=/bench $fig" </dev/null 2>&1 || true)
	fig_v=$(echo "$out" | awk -v f="$fig" '$1 == "BENCH" && $2 == f && $3 != "FAIL" { print $3 }')
	cpu=$(echo "$out" | awk -F, '$3 == "task-clock" { print $1 }')
	echo "${fig_v:-nan} ${cpu:-nan}"
}

for _ in $(seq "$rounds"); do
	echo "A $(one "$a")"
	echo "B $(one "$b")"
done | python3 -c '
import math, statistics, sys
vals = {"A": ([], []), "B": ([], [])}
for line in sys.stdin:
    k, f, c = line.split()
    for lst, v in zip(vals[k], (f, c)):
        if v != "nan" and not math.isnan(float(v)):
            lst.append(float(v))
def show(xs):
    return f"min {min(xs):.0f} median {statistics.median(xs):.0f}" if xs else "n/a"
for k in "AB":
    f, c = vals[k]
    print(f"{k}: figure {show(f)} ({len(f)} boots) | QEMU CPU ms {show(c)}")
(fa, ca), (fb, cb) = vals["A"], vals["B"]
if fa and fb and ca and cb:
    print("B/A: figure median %.3f min %.3f | CPU median %.3f min %.3f" % (
        statistics.median(fb) / statistics.median(fa), min(fb) / min(fa),
        statistics.median(cb) / statistics.median(ca), min(cb) / min(ca)))
'
