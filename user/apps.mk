# Lua and sqlite3 for the initrd and the root image.
#
# tools/apps.sh builds Lua 5.4.4 and the sqlite3 3.40.1 shell from Debian's
# source packages, unchanged, as static riscv64 executables against the musl
# in $(CACHE), once, keyed by version there; then it lays out $(APPS_ROOT):
# usr/bin/lua and usr/bin/sqlite3. APPS_INITRD_SPEC names them as DEST=SRC
# pairs for tools/mkinitrd.sh, after busybox's tree (user/busybox.mk) and
# before Weft's own files, together with the scripts and data their tests
# use (user/test/apps -> /test/apps; the tests themselves are
# user/test/sh/75_lua.sh and 76_sqlite.sh, and user/test/disk/apps.sh).
# The initrd and the root image depend on them through the extra
# prerequisites below (user/build.mk is read before this file, so its rules
# cannot name these variables as prerequisites). "make apps" builds the tree
# alone.

.PHONY: apps

LUA_VERSION    := 5.4.4
SQLITE_VERSION := 3.40.1
LUA_DIR        := $(CACHE)/lua-$(LUA_VERSION)-riscv64-musl$(MUSL_VERSION)
SQLITE_DIR     := $(CACHE)/sqlite3-$(SQLITE_VERSION)-riscv64-musl$(MUSL_VERSION)
APPS_ROOT      := $(B)/apps-root

APPS_INITRD_SPEC := usr/bin/lua=$(APPS_ROOT)/usr/bin/lua usr/bin/sqlite3=$(APPS_ROOT)/usr/bin/sqlite3 \
		    test/apps=user/test/apps
APPS_INITRD_DEPS := $(APPS_ROOT)/.stamp $(wildcard user/test/apps/*)

# "+": the programs' own makes share this make's job slots.
$(LUA_DIR)/.weft-complete: | $(MUSL_STAMP)
	+bash tools/apps.sh $(CACHE) lua >/dev/null
$(SQLITE_DIR)/.weft-complete: | $(MUSL_STAMP)
	+bash tools/apps.sh $(CACHE) sqlite3 >/dev/null

# The tree is rebuilt whole (and the builds redone if tools/apps.sh's recipe
# changed).
$(APPS_ROOT)/.stamp: $(LUA_DIR)/.weft-complete $(SQLITE_DIR)/.weft-complete tools/apps.sh user/apps.mk
	+bash tools/apps.sh --root $(APPS_ROOT) $(CACHE) >/dev/null
	@touch $@

$(B)/initrd.cpio $(B)/rootfs.ext4: $(APPS_INITRD_DEPS)

apps: $(APPS_ROOT)/.stamp
