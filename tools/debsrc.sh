# Helpers shared by the scripts that build from Debian's source packages
# (tools/musl.sh, tools/busybox.sh, tools/apps.sh); sourced, not run. The
# caller defines log(). On a fresh Debian 12 machine, run as root, they
# install what is missing; otherwise they say what to run and fail.

# want CMD PKG: note that PKG must be installed unless CMD exists.
debsrc_need=()
want() { command -v "$1" >/dev/null 2>&1 || debsrc_need+=("$2"); }

# Install the packages want() noted (and any given as arguments).
install_wanted() {
	debsrc_need+=("$@")
	[ ${#debsrc_need[@]} -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing ${debsrc_need[*]} (run tools/deps.sh as root)"
		exit 1
	fi
	log "installing ${debsrc_need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${debsrc_need[@]}" >&2
	debsrc_need=()
}

# apt-get source needs deb-src entries; enable them the way tools/deps.sh does.
enable_deb_src() {
	local src=/etc/apt/sources.list.d/debian.sources
	if [ -f "$src" ] && ! grep -q 'deb-src' "$src"; then
		if [ "$(id -u)" != 0 ]; then
			log "deb-src is not enabled in $src; run tools/deps.sh as root"
			exit 1
		fi
		sed -i 's/^Types: deb$/Types: deb deb-src/' "$src"
		apt-get update -qq >&2
	fi
}

# Build musl into the cache root first if it is not there (the caller sets
# here, root, musl and MUSL_VERSION); sets specs to its gcc specs file.
need_musl() {
	if [ ! -f "$musl/.weft-complete" ]; then
		log "musl $MUSL_VERSION is not in $root; building it first"
		bash "$here/musl.sh" "$root" >/dev/null
	fi
	specs="$musl/lib/musl-gcc.specs"
	[ -f "$specs" ] || { log "no $specs"; exit 1; }
}
