#!/usr/bin/env bash
# Install what Weft's build and tests need on a Debian 12 machine (run as root).
# Idempotent: does nothing when every tool is already present.
set -euo pipefail

need_pkgs=()
want() { command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2"); }
want qemu-system-riscv64 qemu-system-misc
want riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu
want gdb-multiarch gdb-multiarch
want mkfs.ext4 e2fsprogs
want mkfs.fat dosfstools
want mcopy mtools
want cpio cpio
want dpkg-source dpkg-dev
want python3 python3
want gcc gcc
want make make
want bzip2 bzip2
want xz xz-utils
# sqlite3's build generates its amalgamation with Tcl scripts (tools/apps.sh).
want tclsh tcl
# gcc only recommends the C library headers; the host unit tests need them.
[ -f /usr/include/stdio.h ] || need_pkgs+=(libc6-dev)
[ -f /usr/riscv64-linux-gnu/lib/libc.a ] || need_pkgs+=(libc6-dev-riscv64-cross)
[ -f /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin ] || need_pkgs+=(opensbi qemu-system-misc)
# Host unit tests use AddressSanitizer/UBSan from gcc's runtime libraries.
ls /usr/lib/gcc/x86_64-linux-gnu/*/libasan.so >/dev/null 2>&1 || need_pkgs+=(libasan8)

if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing ${need_pkgs[*]}; run this script as root" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Debian source packages (musl, busybox, lua5.4, sqlite3) need deb-src entries.
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q 'deb-src' "$src" && [ "$(id -u)" = 0 ]; then
	sed -i 's/^Types: deb$/Types: deb deb-src/' "$src"
	apt-get update -qq
fi
exit 0
