# Busybox for the initrd.
#
# tools/busybox.sh builds busybox (Debian's 1.35.0 source, defconfig with
# CONFIG_STATIC=y and CONFIG_TC off) once against the musl in $(CACHE) and
# keeps it there keyed by version; then it lays out $(BB_ROOT): bin/busybox,
# a relative symlink to it for every applet where busybox.links puts it
# (bin/sh -> busybox, usr/bin/awk -> ../../bin/busybox, ...) and the files of
# user/etc under etc/ (inittab, profile, and the comment-less data files
# passwd, group and hostname). BUSYBOX_INITRD_SPEC names that tree as DEST=SRC
# pairs for tools/mkinitrd.sh, one per top-level directory, so that the
# tree's own .stamp stays out of the archive; mkinitrd.sh copies directories
# with cp -R, which keeps symlinks, and cpio stores them as symlinks.
# "make busybox" builds the tree alone. The initrd does not include it until
# user/build.mk names $(BUSYBOX_INITRD_SPEC) and $(BUSYBOX_INITRD_DEPS).

.PHONY: busybox

BUSYBOX_VERSION := 1.35.0
BUSYBOX_DIR     := $(CACHE)/busybox-$(BUSYBOX_VERSION)-riscv64-musl$(MUSL_VERSION)
BUSYBOX_STAMP   := $(BUSYBOX_DIR)/.weft-complete
BB_ROOT         := $(B)/busybox-root
BB_TOPDIRS      := bin sbin usr etc

BUSYBOX_INITRD_SPEC := $(foreach d,$(BB_TOPDIRS),$(d)=$(BB_ROOT)/$(d))
BUSYBOX_INITRD_DEPS := $(BB_ROOT)/.stamp

# "+": busybox's own make shares this make's job slots.
$(BUSYBOX_STAMP): | $(MUSL_STAMP)
	+bash tools/busybox.sh $(CACHE) >/dev/null

# The tree is rebuilt whole; a top-level entry the spec does not name would
# silently miss the initrd, so that is an error.
$(BB_ROOT)/.stamp: $(BUSYBOX_STAMP) tools/busybox.sh user/busybox.mk user/etc $(wildcard user/etc/*)
	+bash tools/busybox.sh --root $(BB_ROOT) --etc user/etc $(CACHE) >/dev/null
	@extra=$$(cd $(BB_ROOT) && ls -A | grep -vxF $(foreach d,$(BB_TOPDIRS),-e $(d)) || true); \
	 [ -z "$$extra" ] || { echo "busybox.mk: $(BB_ROOT) has $$extra, not in BB_TOPDIRS" >&2; exit 1; }
	@touch $@

busybox: $(BB_ROOT)/.stamp
