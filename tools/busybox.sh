#!/usr/bin/env bash
# Build busybox statically for riscv64 against the musl that tools/musl.sh
# builds, from Debian's source package, and install it into a version-keyed
# directory under the cache root:
#   tools/busybox.sh ~/.cache/weft
#     -> ~/.cache/weft/busybox-1.35.0-riscv64-musl1.2.3/{busybox,busybox.links,config}
# busybox.links is the build tree's list of applets with their install paths
# (/bin/ls, /usr/bin/awk, ...); config is the .config the binary was built with.
# The configuration is busybox's defconfig with CONFIG_STATIC=y and CONFIG_TC
# off (tc does not build against these kernel headers). musl is built first
# with tools/musl.sh if the cache does not have it. The build runs in a
# temporary directory and installs into DIR.tmp, renamed to DIR when complete;
# a stamp written last records the recipe, so a finished install is reused and
# a changed recipe rebuilds. A lock keeps two builds from racing. Missing host
# tools are installed with apt-get when run as root. Prints DIR on stdout.
#
# With --root TREE [--etc SRC], it then also lays out a root file system tree
# for the initrd in TREE: bin/busybox, a relative symlink for every applet at
# the path busybox.links gives it (except /linuxrc, the old initrd protocol's
# init), and SRC's files under TREE/etc. TREE is replaced as a whole (built
# beside it, then renamed).
set -euo pipefail

BB_VERSION=1.35.0
MUSL_VERSION=1.2.3
CROSS=${CROSS:-riscv64-linux-gnu-}
# What the install depends on besides the versions; a change here rebuilds.
CONFIG_EDITS="CONFIG_STATIC=y CONFIG_TC=n"
RECIPE="busybox $BB_VERSION musl $MUSL_VERSION $CONFIG_EDITS"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	echo "usage: $0 [--root TREE [--etc SRC]] CACHE_ROOT" >&2
	exit 2
}

tree=
etc=
while [ $# -gt 0 ]; do
	case $1 in
	--root) tree=${2:?}; shift 2 ;;
	--etc) etc=${2:?}; shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
root=$1
dest="$root/busybox-$BB_VERSION-riscv64-musl$MUSL_VERSION"
stamp="$dest/.weft-complete"
musl="$root/musl-$MUSL_VERSION-riscv64"

log() { echo "busybox: $*" >&2; }

installed() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$RECIPE" ]; }

# Lay out TREE from the installed binary and its links list.
layout() {
	local t=$1 new="$1.tmp" path rel dir rest n=0
	rm -rf "$new"
	mkdir -p "$new/bin"
	cp "$dest/busybox" "$new/bin/busybox"
	chmod 755 "$new/bin/busybox"
	while read -r path; do
		[ -n "$path" ] || continue
		case $path in
		/*) ;;
		*) log "odd entry '$path' in busybox.links"; exit 1 ;;
		esac
		path=${path#/}
		[ "$path" != bin/busybox ] || continue
		case $path in
		*/*) dir=${path%/*} ;;
		# /linuxrc: init for the old initrd protocol, which Weft does
		# not use; the tree keeps to bin, sbin and usr.
		*) continue ;;
		esac
		# One "../" per directory level below the root, then bin/busybox.
		if [ "$dir" = bin ]; then
			rel=busybox
		else
			rel=bin/busybox
			rest=$dir
			while :; do
				rel=../$rel
				case $rest in
				*/*) rest=${rest#*/} ;;
				*) break ;;
				esac
			done
		fi
		[ -d "$new/$dir" ] || mkdir -p "$new/$dir"
		ln -s "$rel" "$new/$path"
		n=$((n + 1))
	done <"$dest/busybox.links"
	if [ -n "$etc" ]; then
		[ -d "$etc" ] || { log "--etc $etc is not a directory"; exit 1; }
		mkdir -p "$new/etc"
		cp -R "$etc/." "$new/etc/"
	fi
	rm -rf "$t"
	mv "$new" "$t"
	log "laid out $t ($n applet links)"
}

finish() {
	[ -z "$tree" ] || layout "$tree"
	echo "$dest"
	exit 0
}

installed && finish

mkdir -p "$root"
# Two makes racing on the same cache wait for each other instead of clobbering.
exec 9>"$root/.busybox.lock"
flock 9
installed && finish

# A fresh Debian 12 machine: install the host tools the build needs.
. "$here/debsrc.sh"
want "${CROSS}gcc" "gcc-${CROSS%-}"
want gcc gcc
want make make
want bzip2 bzip2
want xz xz-utils
want patch patch
want dpkg-source dpkg-dev
# Host gcc builds kconfig; Debian's gcc only recommends the C library headers.
[ -f /usr/include/stdio.h ] || debsrc_need+=(libc6-dev)
install_wanted

need_musl

enable_deb_src

work=$(mktemp -d "${TMPDIR:-/tmp}/weft-busybox.XXXXXX")
trap 'rm -rf "$work" "$dest.tmp"' EXIT

log "fetching Debian source package"
(cd "$work" && apt-get source --download-only -qq busybox >&2) || {
	# A fresh machine may have deb-src configured but no source index yet.
	[ "$(id -u)" = 0 ] || exit 1
	apt-get update -qq >&2
	(cd "$work" && apt-get source --download-only -qq busybox >&2)
}
dsc=$(ls "$work"/busybox_"$BB_VERSION"-*.dsc 2>/dev/null | head -n1 || true)
if [ -z "$dsc" ]; then
	log "Debian's busybox source is not version $BB_VERSION:" "$(ls "$work")"
	exit 1
fi
(cd "$work" && dpkg-source -x --no-check "$(basename "$dsc")" src >&2)

# Under a parent make (the busybox.mk rule is marked "+"), share its job
# slots; on its own, use the two cores the project allows.
case " ${MAKEFLAGS:-} " in
*jobserver*) jobs= ;;
*) jobs=-j2 ;;
esac
# The parent's command-line variables (B=, V=, EXTRA=, ...) ride along in
# MAKEFLAGS after " -- "; they mean something else to busybox's Kbuild.
if [ -n "${MAKEFLAGS:-}" ]; then
	export MAKEFLAGS="${MAKEFLAGS%%-- *}"
fi

# Apply CONFIG_EDITS to .config: NAME=y sets, NAME=n unsets.
edit_config() {
	local e name val
	for e in $CONFIG_EDITS; do
		name=${e%%=*}
		val=${e#*=}
		sed -i -e "/^$name=/d" -e "/^# $name is not set/d" .config
		if [ "$val" = n ]; then
			echo "# $name is not set" >>.config
		else
			echo "$name=$val" >>.config
		fi
	done
}

bbmake() {
	make CROSS_COMPILE="$CROSS" CC="${CROSS}gcc -specs $specs" "$@"
}

log "building in $work/src (log: build.log there)"
start=$(date +%s)
if ! (
	# (set -e does not apply inside an "if" condition: chain with &&.)
	cd "$work/src" &&
		bbmake defconfig &&
		edit_config &&
		# Settle options that depend on the edited ones; new questions
		# (there should be none) take their defaults.
		{ yes '' || true; } | bbmake oldconfig &&
		grep -qx 'CONFIG_STATIC=y' .config &&
		grep -qx '# CONFIG_TC is not set' .config &&
		bbmake $jobs &&
		bbmake busybox.links
) >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" >&2
	log "build failed"
	exit 1
fi

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
cp "$work/src/busybox" "$dest.tmp/busybox"
cp "$work/src/busybox.links" "$dest.tmp/busybox.links"
cp "$work/src/.config" "$dest.tmp/config"
[ -s "$dest.tmp/busybox.links" ] || { log "empty busybox.links"; exit 1; }
echo "$RECIPE" >"$dest.tmp/.weft-complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
log "installed $dest in $(($(date +%s) - start)) s ($(stat -c %s "$dest/busybox") bytes)"
finish
