/*
 * ELF64 definitions for the loader, and elf_check, which validates an
 * executable's headers before anything is mapped.
 *
 * Only what Weft loads is accepted: little-endian ELF64 for RISC-V, ET_EXEC or
 * ET_DYN (static PIE), no interpreter. elf_check reads only the caller's buffer
 * (the first bytes of the file) and reports the PT_LOAD segments in a fixed
 * table, so the loader maps from a checked description and never re-reads the
 * headers. Addresses are as in the file: for ET_DYN they are offsets from the
 * load bias the loader picks.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAGIC   "\177ELF"
#define EI_CLASS    4
#define EI_DATA	    5
#define EI_VERSION  6
#define EI_NIDENT   16
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1

#define ET_EXEC	 2
#define ET_DYN	 3
#define EM_RISCV 243

#define PT_NULL		0
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_PHDR		6
#define PT_TLS		7
#define PT_GNU_EH_FRAME 0x6474e550
#define PT_GNU_STACK	0x6474e551
#define PT_GNU_RELRO	0x6474e552

#define PF_X 1
#define PF_W 2
#define PF_R 4

#define ELF_PAGE      4096ull
#define ELF_MAX_PHNUM 64
#define ELF_MAX_SEGS  16

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

/* One PT_LOAD segment. */
struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags; /* PF_* */
};

/* What elf_check found. */
struct elf_info {
	uint16_t type;	/* ET_EXEC or ET_DYN */
	uint64_t entry; /* as in the file (ET_DYN: relative to the load bias) */
	uint64_t phoff;
	uint16_t phnum, phentsize;
	struct elf_seg seg[ELF_MAX_SEGS]; /* PT_LOAD only, in file order */
	int nseg;
	uint64_t lo, hi;     /* page-rounded span of all PT_LOAD: lo down, hi up */
	uint64_t phdr_vaddr; /* phdrs in memory (PT_PHDR, else the load covering them), or 0 */
	bool has_interp;
};

/*
 * Validate an ELF executable. buf holds the first buflen bytes of a file of
 * file_size bytes (the headers must lie in buf); user_limit is the top of user
 * space (exclusive). Fills *out and returns 0, or:
 *   -ENOEXEC  bad magic/class/data/version/machine/type, phentsize, phnum 0 or
 *             > 64, phdrs outside buf, offset+filesz beyond file_size, filesz >
 *             memsz, vaddr % 4096 != offset % 4096, no PT_LOAD, more than
 *             ELF_MAX_SEGS loads, entry not inside an executable PT_LOAD, or a
 *             PT_INTERP (only static binaries are supported);
 *   -EINVAL   two PT_LOAD ranges [vaddr, vaddr+memsz) overlap, or an address wraps;
 *   -ENOMEM   a segment or the whole span does not fit below user_limit (for
 *             ET_DYN only the span's size hi-lo has to fit).
 * Checks run in that order of classes: a file with both a bad header and an
 * overlap gets -ENOEXEC. *out is meaningful only on success.
 */
int elf_check(const void *buf, size_t buflen, uint64_t file_size, uint64_t user_limit,
	      struct elf_info *out);

#endif
