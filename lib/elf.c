/*
 * ELF64 executable validation (contract in lib/include/lib/elf.h).
 *
 * elf_check works in three passes, one per error class, so the error a file
 * gets does not depend on the order of its program headers: first the format
 * (header fields, each phdr's own sanity, the entry point), then the geometry
 * (wrap-around, overlaps between loads), then the fit below user_limit. Headers
 * are copied out of the buffer with memcpy, so buf needs no alignment; fields
 * are read as little-endian, which both the kernel (rv64) and the host are.
 */
#include <lib/elf.h>
#include <lib/string.h>
#include <weft/errno.h>

static uint64_t page_down(uint64_t v)
{
	return v & ~(ELF_PAGE - 1);
}

static int check_ehdr(const struct elf64_ehdr *eh, size_t buflen)
{
	if (memcmp(eh->e_ident, ELF_MAGIC, 4) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT || eh->e_machine != EM_RISCV)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	/* phnum * 56 is small, so only phoff itself can be huge */
	uint64_t phbytes = (uint64_t)eh->e_phnum * eh->e_phentsize;
	if (eh->e_phoff > buflen || phbytes > buflen - eh->e_phoff)
		return -ENOEXEC;
	return 0;
}

/* The per-segment format checks for a PT_LOAD. */
static int check_load(const struct elf64_phdr *ph, uint64_t file_size)
{
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return -ENOEXEC;
	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (ph->p_vaddr % ELF_PAGE != ph->p_offset % ELF_PAGE)
		return -ENOEXEC;
	return 0;
}

static void add_seg(struct elf_info *out, const struct elf64_phdr *ph)
{
	struct elf_seg *s = &out->seg[out->nseg++];

	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->flags = ph->p_flags & (PF_R | PF_W | PF_X);
}

/* Pass 1: read every phdr, record the loads, reject format errors. */
static int scan_phdrs(const uint8_t *buf, uint64_t file_size, struct elf_info *out)
{
	bool have_phdr = false;

	for (uint16_t i = 0; i < out->phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, buf + out->phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			out->has_interp = true;
		if (ph.p_type == PT_PHDR && !have_phdr) {
			out->phdr_vaddr = ph.p_vaddr;
			have_phdr = true;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_load(&ph, file_size))
			return -ENOEXEC;
		if (out->nseg == ELF_MAX_SEGS)
			return -ENOEXEC;
		add_seg(out, &ph);
	}
	if (out->has_interp || out->nseg == 0)
		return -ENOEXEC;
	return 0;
}

static bool entry_ok(const struct elf_info *out)
{
	for (int i = 0; i < out->nseg; i++) {
		const struct elf_seg *s = &out->seg[i];
		if ((s->flags & PF_X) && out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* Without PT_PHDR, the phdrs are mapped if a load's file bytes cover them. */
static void find_phdr_vaddr(struct elf_info *out)
{
	uint64_t bytes = (uint64_t)out->phnum * out->phentsize;

	if (out->phdr_vaddr)
		return;
	for (int i = 0; i < out->nseg; i++) {
		const struct elf_seg *s = &out->seg[i];
		if (out->phoff >= s->offset && out->phoff - s->offset + bytes <= s->filesz) {
			out->phdr_vaddr = s->vaddr + (out->phoff - s->offset);
			return;
		}
	}
}

/* Pass 2: no wrap-around, no two loads sharing a byte; computes lo and hi. */
static int check_geometry(struct elf_info *out)
{
	out->lo = UINT64_MAX;
	out->hi = 0;
	for (int i = 0; i < out->nseg; i++) {
		const struct elf_seg *s = &out->seg[i];
		uint64_t end = s->vaddr + s->memsz;
		if (end < s->vaddr || end > UINT64_MAX - (ELF_PAGE - 1))
			return -EINVAL;
		for (int j = 0; j < i; j++) {
			const struct elf_seg *t = &out->seg[j];
			if (s->memsz && t->memsz && s->vaddr < t->vaddr + t->memsz &&
			    t->vaddr < end)
				return -EINVAL;
		}
		if (page_down(s->vaddr) < out->lo)
			out->lo = page_down(s->vaddr);
		if (page_down(end + ELF_PAGE - 1) > out->hi)
			out->hi = page_down(end + ELF_PAGE - 1);
	}
	return 0;
}

/* Pass 3: everything must fit below user_limit (ET_DYN: only the span's size). */
static int check_fit(const struct elf_info *out, uint64_t user_limit)
{
	if (out->type == ET_DYN)
		return out->hi - out->lo > user_limit ? -ENOMEM : 0;
	for (int i = 0; i < out->nseg; i++)
		if (out->seg[i].vaddr + out->seg[i].memsz > user_limit)
			return -ENOMEM;
	return out->hi > user_limit ? -ENOMEM : 0;
}

int elf_check(const void *buf, size_t buflen, uint64_t file_size, uint64_t user_limit,
	      struct elf_info *out)
{
	struct elf64_ehdr eh;
	int err;

	memset(out, 0, sizeof(*out));
	if (buflen > file_size)
		buflen = (size_t)file_size; /* bytes past the end of the file are not the file */
	if (!buf || buflen < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, buf, sizeof(eh));
	if ((err = check_ehdr(&eh, buflen)))
		return err;
	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phoff = eh.e_phoff;
	out->phnum = eh.e_phnum;
	out->phentsize = eh.e_phentsize;
	if ((err = scan_phdrs(buf, file_size, out)))
		return err;
	if (!entry_ok(out))
		return -ENOEXEC;
	find_phdr_vaddr(out);
	if ((err = check_geometry(out)))
		return err;
	return check_fit(out, user_limit);
}
