#!/usr/bin/env bash
# Pack Weft's initrd: a newc cpio archive made by the real cpio(1), or, with
# --ext4, the same tree as an ext4 root file system image made by the real
# mkfs.ext4 (default features; twice the tree's size, at least 64 MiB).
#
#   tools/mkinitrd.sh [--extra DIR] [--truncate PATH] [--ext4] OUT DEST=SRC...
#
# Each DEST=SRC copies the file or directory SRC to /DEST inside the archive.
# The empty mount points /dev, /proc, /sys and /tmp are always present. With
# --extra DIR, DIR's contents are copied on top afterwards (so a user's own
# static binaries can replace or add anything). Owners are root, entries are
# sorted, so the same inputs give the same archive apart from timestamps.
# --truncate PATH writes a deliberately malformed archive instead: it is cut
# off half-way through the data of PATH's entry (no trailer follows), which a
# kernel must reject as malformed without crashing.
set -euo pipefail

usage() {
	echo "usage: $0 [--extra DIR] [--truncate PATH] OUT DEST=SRC..." >&2
	exit 2
}

extra=
truncate_at=
ext4=
while [ $# -gt 0 ]; do
	case $1 in
	--extra) extra=${2:?}; shift 2 ;;
	--ext4) ext4=1; shift ;;
	--truncate) truncate_at=${2:?}; shift 2 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
out=$1
shift

command -v cpio >/dev/null || { echo "mkinitrd: cpio is missing (run tools/deps.sh)" >&2; exit 1; }
if [ -n "$extra" ] && [ ! -d "$extra" ]; then
	echo "mkinitrd: EXTRA=$extra is not a directory" >&2
	exit 1
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/weft-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp"

for spec in "$@"; do
	dest=${spec%%=*}
	src=${spec#*=}
	[ "$dest" != "$spec" ] && [ -n "$dest" ] || { echo "mkinitrd: bad spec '$spec'" >&2; exit 2; }
	[ -e "$src" ] || { echo "mkinitrd: $src does not exist" >&2; exit 1; }
	mkdir -p "$stage/$(dirname "$dest")"
	if [ -d "$src" ]; then
		mkdir -p "$stage/$dest"
		cp -R "$src/." "$stage/$dest/"
	else
		cp "$src" "$stage/$dest"
	fi
done
[ -z "$extra" ] || cp -R "$extra/." "$stage/"

mkdir -p "$(dirname "$out")"
if [ -n "$ext4" ]; then
	kib=$(du -sk "$stage" | cut -f1)
	size=$(( kib * 2 > 65536 ? kib * 2 : 65536 ))
	rm -f "$out.tmp"
	mkfs.ext4 -q -F -d "$stage" -E root_owner=0:0 -L weft-root "$out.tmp" "${size}k"
	mv "$out.tmp" "$out"
	exit 0
fi
(cd "$stage" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) >"$out.tmp"

if [ -n "$truncate_at" ]; then
	# Find the entry's name in the archive: its data starts just after the
	# name (padded to 4 bytes); cut half-way into it.
	[ -f "$stage/$truncate_at" ] || { echo "mkinitrd: $truncate_at not in archive" >&2; exit 1; }
	size=$(stat -c %s "$stage/$truncate_at")
	[ "$size" -ge 16 ] || { echo "mkinitrd: $truncate_at too small to cut" >&2; exit 1; }
	name_off=$(grep -obUaF "$truncate_at" "$out.tmp" | head -n1 | cut -d: -f1)
	[ -n "$name_off" ] || { echo "mkinitrd: cannot find $truncate_at in archive" >&2; exit 1; }
	data_off=$(( (name_off + ${#truncate_at} + 1 + 3) / 4 * 4 ))
	head -c $((data_off + size / 2)) "$out.tmp" >"$out.cut"
	mv "$out.cut" "$out.tmp"
fi
mv "$out.tmp" "$out"
