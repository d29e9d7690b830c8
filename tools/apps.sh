#!/usr/bin/env bash
# Build Lua and the sqlite3 shell statically for riscv64 against the musl that
# tools/musl.sh builds, from Debian's source packages, unchanged (configure and
# make flags only), and install each into a version-keyed directory under the
# cache root:
#   tools/apps.sh ~/.cache/weft [lua] [sqlite3]
#     -> ~/.cache/weft/lua-5.4.4-riscv64-musl1.2.3/lua
#     -> ~/.cache/weft/sqlite3-3.40.1-riscv64-musl1.2.3/sqlite3
# (both when no name is given).
#
# Lua (source package lua5.4): Debian's patches turn the build into a libtool
# one that also builds a C++ library; Weft needs neither, so the script writes
# the one generated header Debian's configure step writes
# (lua5.4-deb-multiarch.h) and compiles the package's own object lists
# (CORE_O, LIB_O, LUA_O from src/Makefile) with upstream's linux-noreadline
# flags, through a small makefile of its own kept outside the source tree.
# sqlite3 (source package sqlite3): its configure for a cross build without
# the Tcl extension, readline or extension loading, then "make sqlite3";
# building the amalgamation needs a host tclsh (package tcl) and host gcc for
# lemon and the other generators, run at build time (CROSS_BUILDING=yes is
# what Debian's rules pass to select the host lemon).
#
# Each build runs in a temporary directory and installs into DIR.tmp, renamed
# to DIR when complete; a stamp written last records the recipe, so a
# finished install is reused and a changed recipe rebuilds. A lock per
# program keeps two builds from racing. Missing host tools are installed with
# apt-get when run as root. Prints each DIR on stdout.
#
# With --root TREE, it then also lays out TREE/usr/bin/lua and
# TREE/usr/bin/sqlite3 for the initrd and the root image. TREE is replaced as
# a whole (built beside it, then renamed).
set -euo pipefail

LUA_VERSION=5.4.4
SQLITE_VERSION=3.40.1
MUSL_VERSION=1.2.3
CROSS=${CROSS:-riscv64-linux-gnu-}
# What each install depends on besides the versions; a change here rebuilds.
LUA_CFLAGS="-O2 -Wall -Wextra -fno-pie -DLUA_COMPAT_5_3 -DLUA_USE_LINUX"
LUA_LDFLAGS="-static -no-pie"
SQLITE_CONFIG="--disable-shared --enable-static --disable-tcl --disable-readline --disable-load-extension"
SQLITE_CFLAGS="-O2 -fno-pie"
LUA_RECIPE="lua $LUA_VERSION musl $MUSL_VERSION $LUA_CFLAGS $LUA_LDFLAGS"
SQLITE_RECIPE="sqlite3 $SQLITE_VERSION musl $MUSL_VERSION $SQLITE_CONFIG $SQLITE_CFLAGS"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	echo "usage: $0 [--root TREE] CACHE_ROOT [lua] [sqlite3]" >&2
	exit 2
}

tree=
while [ $# -gt 0 ]; do
	case $1 in
	--root) tree=${2:?}; shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
root=$1
shift
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(lua sqlite3)
for a in "${apps[@]}"; do
	case $a in
	lua | sqlite3) ;;
	*) usage ;;
	esac
done
musl="$root/musl-$MUSL_VERSION-riscv64"
lua_dest="$root/lua-$LUA_VERSION-riscv64-musl$MUSL_VERSION"
sqlite_dest="$root/sqlite3-$SQLITE_VERSION-riscv64-musl$MUSL_VERSION"

log() { echo "apps: $*" >&2; }
. "$here/debsrc.sh"

# installed DIR RECIPE: DIR holds a finished install of RECIPE.
installed() { [ -f "$1/.weft-complete" ] && [ "$(cat "$1/.weft-complete")" = "$2" ]; }

# A fresh Debian 12 machine: install the host tools the builds need.
host_tools() {
	want "${CROSS}gcc" "gcc-${CROSS%-}"
	want gcc gcc
	want make make
	want xz xz-utils
	want patch patch
	want dpkg-source dpkg-dev
	want tclsh tcl
	# Host gcc builds sqlite's generators; it needs the C library headers.
	[ -f /usr/include/stdio.h ] || debsrc_need+=(libc6-dev)
	install_wanted
	need_musl
	enable_deb_src
}

# fetch PKG VERSION: download and unpack Debian's source package PKG, which
# must be upstream VERSION, into $work/src.
fetch() {
	local pkg=$1 version=$2 dsc
	log "fetching Debian source package $pkg"
	(cd "$work" && apt-get source --download-only -qq "$pkg" >&2) || {
		# A fresh machine may have deb-src configured but no source index yet.
		[ "$(id -u)" = 0 ] || exit 1
		apt-get update -qq >&2
		(cd "$work" && apt-get source --download-only -qq "$pkg" >&2)
	}
	dsc=$(ls "$work"/"$pkg"_"$version"-*.dsc 2>/dev/null | head -n1 || true)
	if [ -z "$dsc" ]; then
		log "Debian's $pkg source is not version $version:" "$(ls "$work")"
		exit 1
	fi
	(cd "$work" && dpkg-source -x --no-check "$(basename "$dsc")" src >&2)
}

# check_static FILE: a riscv64 executable with no program interpreter.
check_static() {
	local h
	h=$(LC_ALL=C "${CROSS}readelf" -lh "$1" 2>/dev/null) || { log "$1 is not ELF"; exit 1; }
	grep -q 'Machine: *RISC-V' <<<"$h" || { log "$1 is not RISC-V"; exit 1; }
	! grep -q INTERP <<<"$h" || { log "$1 is not static"; exit 1; }
}

build_lua() {
	cd "$work/src"
	# What Debian's rules write at configure time (luaconf.h includes it;
	# it only names a directory on the C module search path).
	printf '%s\n' '#ifndef _LUA_DEB_MULTIARCH_' '#define _LUA_DEB_MULTIARCH_' \
		'#define DEB_HOST_MULTIARCH "riscv64-linux-gnu"' '#endif' \
		>src/lua5.4-deb-multiarch.h
	# The interpreter is lua.o linked with the library's objects; take the
	# lists from the package's Makefile.
	echo 'weft-print: ; @echo $(CORE_O) $(LIB_O) $(LUA_O)' >"$work/print.mk"
	local objs
	objs=$(make -s --no-print-directory -C src -f Makefile -f "$work/print.mk" weft-print)
	[ -n "$objs" ] || { log "no object list in lua's src/Makefile"; return 1; }
	printf 'OBJS := %s\nlua: $(OBJS)\n\t$(CC) $(LDFLAGS) -o $@ $(OBJS) -lm\n%s\n\t%s\n' \
		"$objs" '%.o: %.c' '$(CC) $(CFLAGS) -c -o $@ $<' >"$work/lua.mk"
	make -r $jobs -C src -f "$work/lua.mk" lua \
		CC="${CROSS}gcc -std=gnu99 -specs $specs" CFLAGS="$LUA_CFLAGS" LDFLAGS="$LUA_LDFLAGS"
}

build_sqlite3() {
	cd "$work/src"
	# libtool drops -static from a link of a libtool library; musl has no
	# shared C library, so the result is static all the same (checked).
	./configure --build="$(gcc -dumpmachine)" --host="${CROSS%-}" \
		CC="${CROSS}gcc -specs $specs -static -no-pie" CFLAGS="$SQLITE_CFLAGS" \
		$SQLITE_CONFIG &&
		make $jobs CROSS_BUILDING=yes sqlite3
}

# build NAME PKG VERSION DEST RECIPE: fetch, build with build_NAME, install
# DEST/NAME, all under NAME's lock.
build() {
	local name=$1 pkg=$2 version=$3 dest=$4 recipe=$5 out start
	installed "$dest" "$recipe" && return 0
	mkdir -p "$root"
	exec 9>"$root/.$name.lock"
	flock 9
	if installed "$dest" "$recipe"; then
		exec 9>&-
		return 0
	fi
	host_tools
	work=$(mktemp -d "${TMPDIR:-/tmp}/weft-$name.XXXXXX")
	trap 'rm -rf "$work" "$dest.tmp"' EXIT
	fetch "$pkg" "$version"
	log "building $name in $work/src (log: build.log there)"
	start=$(date +%s)
	case $name in
	lua) out=src/lua ;;
	sqlite3) out=sqlite3 ;;
	esac
	if ! ("build_$name") >"$work/build.log" 2>&1; then
		tail -n 40 "$work/build.log" >&2
		log "$name build failed"
		exit 1
	fi
	check_static "$work/src/$out"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	cp "$work/src/$out" "$dest.tmp/$name"
	echo "$recipe" >"$dest.tmp/.weft-complete"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
	log "installed $dest in $(($(date +%s) - start)) s ($(stat -c %s "$dest/$name") bytes)"
	rm -rf "$work"
	trap - EXIT
	exec 9>&-
}

# Under a parent make (the apps.mk rules are marked "+"), share its job
# slots; on its own, use the two cores the project allows.
case " ${MAKEFLAGS:-} " in
*jobserver*) jobs= ;;
*) jobs=-j2 ;;
esac
# The parent's command-line variables (B=, V=, EXTRA=, ...) ride along in
# MAKEFLAGS after " -- "; they mean something else to these makefiles.
if [ -n "${MAKEFLAGS:-}" ]; then
	export MAKEFLAGS="${MAKEFLAGS%%-- *}"
fi

for a in "${apps[@]}"; do
	case $a in
	lua) build lua lua5.4 "$LUA_VERSION" "$lua_dest" "$LUA_RECIPE"
		echo "$lua_dest" ;;
	sqlite3) build sqlite3 sqlite3 "$SQLITE_VERSION" "$sqlite_dest" "$SQLITE_RECIPE"
		echo "$sqlite_dest" ;;
	esac
done

# Lay out TREE/usr/bin from the installed binaries.
if [ -n "$tree" ]; then
	installed "$lua_dest" "$LUA_RECIPE" && installed "$sqlite_dest" "$SQLITE_RECIPE" ||
		{ log "--root needs both lua and sqlite3 built"; exit 1; }
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp/usr/bin"
	cp "$lua_dest/lua" "$sqlite_dest/sqlite3" "$tree.tmp/usr/bin/"
	chmod 755 "$tree.tmp/usr/bin/lua" "$tree.tmp/usr/bin/sqlite3"
	rm -rf "$tree"
	mv "$tree.tmp" "$tree"
	log "laid out $tree"
fi
