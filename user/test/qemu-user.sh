#!/usr/bin/env bash
# Cross-check the in-guest suite against real Linux semantics on the host:
# unpack build/initrd.cpio into a temporary directory and run /bin/runtests
# from it under qemu-riscv64-static (package qemu-user-static), with
# WEFT_TEST_ROOT pointing at the unpacked tree. Tests exec other riscv64
# programs, so the host needs a binfmt_misc entry for riscv64; as root this
# script mounts binfmt_misc and registers Debian's entry when it is missing.
#   user/test/qemu-user.sh [INITRD] [FILTER]
set -euo pipefail

initrd=${1:-build/initrd.cpio}
filter=${2:-}
qemu=$(command -v qemu-riscv64-static) || { echo "install qemu-user-static" >&2; exit 1; }
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/qemu-riscv64" ] && [ "$(id -u)" = 0 ]; then
	[ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt"
	cat /usr/lib/binfmt.d/qemu-riscv64.conf >"$binfmt/register"
fi
[ -e "$binfmt/qemu-riscv64" ] || echo "warning: no riscv64 binfmt entry; tests that exec will fail" >&2

root=$(mktemp -d "${TMPDIR:-/tmp}/weft-qemu-user.XXXXXX")
trap 'rm -rf "$root"' EXIT
initrd=$(realpath "$initrd")
(cd "$root" && cpio --quiet -id <"$initrd")
# qemu-user dumps target cores into the working directory; nobody wants them.
ulimit -c 0
cd "$root"
env -i PATH=/bin HOME=/ WEFT_TEST_ROOT="$root" WEFT_QEMU_USER=1 "$qemu" "$root/bin/runtests" ${filter:+"$filter"}
