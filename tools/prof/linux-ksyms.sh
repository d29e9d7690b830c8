#!/usr/bin/env bash
# Get the function symbols of a Linux Image that comes without its vmlinux
# (../shared/linux/Image), for tools/prof/report.py --ksyms: boot it once
# under QEMU with a busybox initrd whose /init copies /proc/kallsyms (as
# root, so with real addresses; riscv 6.1 has no KASLR, so they hold for
# every boot of the same Image) onto a scratch virtio disk, then read the
# disk back. Only text symbols are kept.
#   tools/prof/linux-ksyms.sh IMAGE BUSYBOX OUT
# BUSYBOX is the static riscv64 busybox that tools/busybox.sh builds. Takes
# about 10 s; OUT is written only when complete.
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 IMAGE BUSYBOX OUT" >&2
	exit 2
fi
image=$1
busybox=$2
out=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/weft-ksyms.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/root/bin" "$work/root/dev" "$work/root/proc"
cp "$busybox" "$work/root/bin/busybox"
cat >"$work/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox cat /proc/kallsyms >/dev/vda
/bin/busybox sync
/bin/busybox poweroff -f
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$work/initrd.cpio"
truncate -s 32M "$work/disk.img"
timeout 120 qemu-system-riscv64 -machine virt -nographic -bios default -m 512M -smp 1 \
	-kernel "$image" -initrd "$work/initrd.cpio" -append "console=ttyS0 quiet rdinit=/init" \
	-drive file="$work/disk.img",if=none,format=raw,id=d -device virtio-blk-device,drive=d \
	>"$work/console.log" 2>&1 </dev/null || true
tr -d '\000' <"$work/disk.img" | awk '$2 ~ /^[tTwW]$/' >"$work/ksyms"
if [ "$(wc -l <"$work/ksyms")" -lt 1000 ]; then
	echo "linux-ksyms: too few symbols read back; console:" >&2
	tail -n 20 "$work/console.log" >&2
	exit 1
fi
mkdir -p "$(dirname "$out")"
mv "$work/ksyms" "$out"
echo "linux-ksyms: $(wc -l <"$out") text symbols in $out" >&2
