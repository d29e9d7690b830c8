/*
 * Loading the PT_LOAD segments of an ELF image that lib/elf.h's elf_check
 * accepted into a new address space: the part the Linux exec
 * (kernel/linux/lx_exec.c) and the native spawn (kernel/native/nat_spawn.c)
 * share. Each segment's pages [vaddr, vaddr + memsz) rounded out to pages
 * are mapped with the segment's protection; a page shared with the segment
 * before it (segments in file order, as elf_check keeps them) gets both
 * segments' rights. The file's bytes are copied in through the source's read
 * hook, except where its map hook mapped the file's own pages; the rest of
 * each segment (bss) is anonymous zeros.
 *
 * Called on an address space nobody runs in yet: no locking beyond vm's own.
 * On error the space is left half-built for the caller to drop.
 */
#ifndef CORE_ELF_LOAD_H
#define CORE_ELF_LOAD_H

#include <core/vm.h>
#include <lib/elf.h>

/* Where an image's bytes come from. */
struct elf_source {
	void *ctx;
	/* Read n bytes at file offset off into buf: the count read, or -errno.
	 * Required; a short count is -ENOEXEC for the loader (a truncated file). */
	long (*read)(void *ctx, uint64_t off, void *buf, size_t n);
	/*
	 * Optional: map the pages [start, end) of segment s (at bias + vaddr)
	 * from the source's own pages where it can, with prot, and set *filled
	 * to the first address it did not map so (start if none). The loader
	 * maps [*filled, end) anonymously and copies the file's bytes there.
	 */
	int (*map)(void *ctx, struct vm_space *vm, const struct elf_seg *s, uint64_t bias,
		   uaddr_t start, uaddr_t end, unsigned prot, uaddr_t *filled);
};

/* Refuse (-EACCES) a segment, or a page two segments share, that would be
 * both writable and executable. */
#define ELF_LOAD_NO_WX 1u

/* The VM_R/W/X protection of ELF segment flags (PF_*). */
unsigned elf_seg_prot(uint32_t pf_flags);

/*
 * Map and fill every PT_LOAD of ei at load bias `bias` in vm, reading through
 * src, with buf as a PAGE_SIZE bounce buffer. flags: ELF_LOAD_NO_WX or 0.
 * 0, or -ENOEXEC (file shorter than a segment says), -EACCES (W+X refused),
 * -ENOMEM, or the source's error.
 */
int elf_load_segments(struct vm_space *vm, const struct elf_info *ei, uint64_t bias,
		      const struct elf_source *src, unsigned flags, char *buf);

#endif
