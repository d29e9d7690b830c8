#!/usr/bin/env bash
# Put QEMU's TCG plugin API header (qemu-plugin.h) for the installed QEMU into
# a version-keyed directory under the cache root given as the only argument,
# and print that directory (add it with -I):
#   tools/prof/qemu-plugin-h.sh ~/.cache/weft  ->  ~/.cache/weft/qemu-plugin-7.2
# Debian ships QEMU with plugin support but not the header, so it comes from
# Debian's qemu source package (deb-src, enabled by tools/deps.sh as for musl):
# only include/qemu/qemu-plugin.h is taken out of the upstream tarball. The
# header's API version must match the QEMU that loads the plugin; the
# directory is keyed by the upstream version that apt-get source gives, and a
# stamp file written last marks a finished fetch.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 CACHE_ROOT" >&2
	exit 2
fi
root=$1
log() { echo "qemu-plugin-h: $*" >&2; }

# The upstream version of the installed QEMU, e.g. "7.2" from
# "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)".
qver=$(qemu-system-riscv64 --version | sed -n 's/.*(Debian [0-9]*:\([0-9.]*\)+.*/\1/p' | head -n1)
[ -n "$qver" ] || { log "cannot tell the Debian QEMU version"; exit 1; }
dir="$root/qemu-plugin-$qver"
if [ -f "$dir/.weft-complete" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$root"
exec 9>"$root/.qemu-plugin-h.lock"
flock 9
if [ -f "$dir/.weft-complete" ]; then
	echo "$dir"
	exit 0
fi
for tool in apt-get tar xz; do
	command -v "$tool" >/dev/null || { log "missing $tool (run tools/deps.sh as root)"; exit 1; }
done
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q 'deb-src' "$src"; then
	log "deb-src is not enabled in $src; run tools/deps.sh as root"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/weft-qemu-src.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "fetching Debian's qemu source package (about 23 MB)"
(cd "$work" && apt-get source --download-only -qq qemu >&2 2>/dev/null) || {
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq
		(cd "$work" && apt-get source --download-only -qq qemu >&2)
	else
		exit 1
	fi
}
orig=$(ls "$work"/qemu_"$qver"*.orig.tar.* 2>/dev/null | head -n1 || true)
[ -n "$orig" ] || { log "Debian's qemu source is not version $qver:" "$(ls "$work")"; exit 1; }
tar -xf "$orig" -C "$work" --wildcards '*/include/qemu/qemu-plugin.h'
hdr=$(find "$work" -path '*/include/qemu/qemu-plugin.h' | head -n1)
[ -n "$hdr" ] || { log "no include/qemu/qemu-plugin.h in $orig"; exit 1; }
grep -q '#define QEMU_PLUGIN_VERSION' "$hdr" || { log "$hdr has no QEMU_PLUGIN_VERSION"; exit 1; }
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
cp "$hdr" "$dir.tmp/qemu-plugin.h"
date -u +%Y-%m-%dT%H:%M:%SZ >"$dir.tmp/.weft-complete"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
log "installed $dir/qemu-plugin.h"
echo "$dir"
