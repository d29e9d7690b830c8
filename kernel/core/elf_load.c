/*
 * Loading an ELF image's segments into an address space (contract in
 * core/elf_load.h): the segment loop both personalities' loaders share.
 * Segments come in file order (elf_check keeps them so); where one starts on
 * the page the previous one ended on, that page is protected for both and
 * only the rest of the segment is mapped anew.
 */
#include <core/elf_load.h>
#include <weft/errno.h>

#define WX (VM_W | VM_X)

unsigned elf_seg_prot(uint32_t f)
{
	return ((f & PF_R) ? VM_R : 0) | ((f & PF_W) ? VM_W : 0) | ((f & PF_X) ? VM_X : 0);
}

/* Copy the segment's file bytes that fall at user addresses [lo, hi). */
static int copy_range(struct vm_space *vm, const struct elf_source *src, const struct elf_seg *s,
		      uint64_t bias, uaddr_t lo, uaddr_t hi, char *buf)
{
	uaddr_t va = bias + s->vaddr;
	uint64_t done = lo > va ? lo - va : 0, last = s->filesz;

	if (hi < va + last)
		last = hi > va ? hi - va : 0;
	while (done < last) {
		size_t n = last - done > PAGE_SIZE ? PAGE_SIZE : last - done;
		long got = src->read(src->ctx, s->offset + done, buf, n);

		if (got != (long)n)
			return got < 0 ? (int)got : -ENOEXEC;
		int err = vm_write(vm, va + done, buf, n);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

/* Map [start, end): the source's own pages first if it lends them, then
 * anonymous pages; *filled is where the source's pages stop. */
static int map_range(struct vm_space *vm, const struct elf_source *src, const struct elf_seg *s,
		     uint64_t bias, uaddr_t start, uaddr_t end, unsigned prot, uaddr_t *filled)
{
	uaddr_t at;
	int err;

	*filled = start;
	if (src->map && (err = src->map(src->ctx, vm, s, bias, start, end, prot, filled)))
		return err;
	if (end > *filled) {
		at = *filled;
		return vm_map(vm, &at, end - *filled, prot, VM_FIXED);
	}
	return 0;
}

int elf_load_segments(struct vm_space *vm, const struct elf_info *ei, uint64_t bias,
		      const struct elf_source *src, unsigned flags, char *buf)
{
	bool no_wx = flags & ELF_LOAD_NO_WX;
	uaddr_t prev_end = 0;
	unsigned prev_prot = 0;

	for (int i = 0; i < ei->nseg; i++) {
		const struct elf_seg *s = &ei->seg[i];
		uaddr_t start = PAGE_ROUND_DOWN(bias + s->vaddr);
		uaddr_t end = PAGE_ROUND_UP(bias + s->vaddr + s->memsz), filled;
		unsigned prot = elf_seg_prot(s->flags);
		int err;

		if (no_wx && (prot & WX) == WX)
			return -EACCES;
		if (start < prev_end) {
			if (no_wx && ((prot | prev_prot) & WX) == WX)
				return -EACCES; /* a page shared by code and data */
			err = vm_protect(vm, start, PAGE_SIZE, prot | prev_prot);
			if (err)
				return err;
			start = prev_end;
		}
		filled = start;
		if (end > start && (err = map_range(vm, src, s, bias, start, end, prot, &filled)))
			return err;
		/* the file's bytes, except where the source's own pages are mapped */
		err = copy_range(vm, src, s, bias, 0, start, buf);
		if (!err)
			err = copy_range(vm, src, s, bias, filled, (uaddr_t)-1, buf);
		if (err)
			return err;
		if (end > prev_end) {
			prev_end = end;
			prev_prot = prot;
		}
	}
	return 0;
}
