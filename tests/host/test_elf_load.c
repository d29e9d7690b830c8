/*
 * Host tests for kernel/core/elf_load.c, the segment loop the Linux exec and
 * the native spawn share. The address space is a stand-in: 16 pages from
 * BASE, each mapped or not, with its protection, whether it came from the
 * source's own pages, and its bytes (vm_map, vm_map_pager, vm_protect and
 * vm_write below record into it). The image is a byte array with a pattern,
 * so every loaded byte can be checked against the file or against zero.
 */
#include "ht.h"
#include <core/elf_load.h>
#include <weft/errno.h>
#include <string.h>

#define BASE   0x10000ul
#define NPAGES 16

static struct {
	bool mapped, lent;
	unsigned prot;
	uint8_t data[PAGE_SIZE];
} pg[NPAGES];
static uint8_t file[4 * PAGE_SIZE];
static size_t file_len;
static int protects;

static int page_of(uaddr_t a)
{
	return a >= BASE && a < BASE + NPAGES * PAGE_SIZE ? (int)((a - BASE) / PAGE_SIZE) : -1;
}

static int fake_map(uaddr_t at, size_t len, unsigned prot, bool lent, uint64_t off)
{
	for (uaddr_t a = at; a < at + len; a += PAGE_SIZE) {
		int i = page_of(a);
		if (i < 0)
			return -ENOMEM;
		pg[i].mapped = true;
		pg[i].lent = lent;
		pg[i].prot = prot;
		memset(pg[i].data, 0, PAGE_SIZE);
		if (lent)
			for (size_t k = 0; k < PAGE_SIZE && off + (a - at) + k < file_len; k++)
				pg[i].data[k] = file[off + (a - at) + k];
	}
	return 0;
}

int vm_map(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags)
{
	(void)vm;
	HT_CHECK(flags & VM_FIXED);
	return fake_map(*addr, len, prot, false, 0);
}

int vm_map_pager(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags,
		 const struct vm_pager_ops *pager, void *obj, uint64_t off)
{
	(void)vm, (void)flags, (void)pager, (void)obj;
	return fake_map(*addr, len, prot, true, off);
}

int vm_protect(struct vm_space *vm, uaddr_t addr, size_t len, unsigned prot)
{
	(void)vm;
	protects++;
	for (uaddr_t a = addr; a < addr + len; a += PAGE_SIZE) {
		int i = page_of(a);
		if (i < 0 || !pg[i].mapped)
			return -ENOMEM;
		pg[i].prot = prot;
	}
	return 0;
}

int vm_write(struct vm_space *vm, uaddr_t dst, const void *src, size_t n)
{
	(void)vm;
	for (size_t k = 0; k < n; k++) {
		int i = page_of(dst + k);
		if (i < 0 || !pg[i].mapped)
			return -EFAULT;
		HT_CHECK(!pg[i].lent); /* never written over the file's own pages */
		pg[i].data[(dst + k) % PAGE_SIZE] = ((const uint8_t *)src)[k];
	}
	return 0;
}

static long src_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	(void)ctx;
	if (off >= file_len)
		return 0;
	if (n > file_len - off)
		n = file_len - off;
	memcpy(buf, file + off, n);
	return (long)n;
}

/* Lend whole file pages where the segment's bytes fill them (like lx_exec). */
static int src_map(void *ctx, struct vm_space *vm, const struct elf_seg *s, uint64_t bias,
		   uaddr_t start, uaddr_t end, unsigned prot, uaddr_t *filled)
{
	uaddr_t va = bias + s->vaddr, fend = PAGE_ROUND_DOWN(va + s->filesz), at = start;

	(void)ctx;
	fend = fend > end ? end : fend < start ? start : fend;
	*filled = fend;
	return fend > start ? vm_map_pager(vm, &at, fend - start, prot, VM_FIXED, NULL, NULL,
					   s->offset + start - va)
			    : 0;
}

static void reset(size_t len)
{
	memset(pg, 0, sizeof(pg));
	protects = 0;
	file_len = len;
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7 + 3);
}

static uint8_t byte_at(uaddr_t a)
{
	int i = page_of(a);
	return i < 0 ? 0xee : pg[i].data[a % PAGE_SIZE];
}

/* Text R+X [BASE, BASE+0x1800), data R+W from BASE+0x1800 (on text's last
 * page) with 0x900 file bytes and bss up to BASE+0x4800. */
static struct elf_info two_segments(void)
{
	struct elf_info ei = {.type = ET_EXEC, .nseg = 2};

	ei.seg[0] = (struct elf_seg){BASE, 0x1800, 0, 0x1800, PF_R | PF_X};
	ei.seg[1] = (struct elf_seg){BASE + 0x1800, 0x3000, 0x1800, 0x900, PF_R | PF_W};
	return ei;
}

static void check_image(void)
{
	for (uaddr_t a = BASE; a < BASE + 0x2100; a++)
		if (byte_at(a) != file[a - BASE]) {
			HT_CHECK_EQ(byte_at(a), file[a - BASE]);
			return;
		}
	for (uaddr_t a = BASE + 0x2100; a < BASE + 0x5000; a++)
		if (byte_at(a) != 0) {
			HT_CHECK_EQ(byte_at(a), 0);
			return;
		}
}

HT_TEST(copied_segments_share_a_page)
{
	char buf[PAGE_SIZE];
	struct elf_info ei = two_segments();
	const struct elf_source src = {.read = src_read};

	reset(sizeof(file));
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0, &src, 0, buf), 0);
	HT_CHECK_EQ(pg[0].prot, VM_R | VM_X);
	HT_CHECK_EQ(pg[1].prot, VM_R | VM_W | VM_X); /* both segments' rights */
	for (int i = 2; i < 5; i++)
		HT_CHECK(pg[i].mapped && pg[i].prot == (VM_R | VM_W));
	HT_CHECK(!pg[5].mapped);
	HT_CHECK_EQ(protects, 1);
	check_image();
}

HT_TEST(no_wx_refuses_a_shared_page_and_a_wx_segment)
{
	char buf[PAGE_SIZE];
	struct elf_info ei = two_segments();
	const struct elf_source src = {.read = src_read};

	reset(sizeof(file));
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0, &src, ELF_LOAD_NO_WX, buf), -EACCES);
	HT_CHECK_EQ(protects, 0);
	ei.seg[1].vaddr = BASE + 0x2000; /* its own pages: fine */
	ei.seg[1].offset = 0x2000;
	reset(sizeof(file));
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0, &src, ELF_LOAD_NO_WX, buf), 0);
	HT_CHECK_EQ(pg[1].prot, VM_R | VM_X);
	ei.seg[1].flags = PF_R | PF_W | PF_X;
	reset(sizeof(file));
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0, &src, ELF_LOAD_NO_WX, buf), -EACCES);
	reset(sizeof(file));
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0, &src, 0, buf), 0); /* Linux allows it */
}

HT_TEST(lent_pages_are_not_copied_over)
{
	char buf[PAGE_SIZE];
	struct elf_info ei = two_segments();
	const struct elf_source src = {.read = src_read, .map = src_map};

	reset(sizeof(file));
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0, &src, 0, buf), 0);
	HT_CHECK(pg[0].lent);  /* text's first page is the file's */
	HT_CHECK(!pg[1].lent); /* shared and partly bss: copied */
	HT_CHECK(!pg[2].lent);
	check_image();
}

HT_TEST(bias_and_truncated_file)
{
	char buf[PAGE_SIZE];
	struct elf_info ei = two_segments();
	const struct elf_source src = {.read = src_read};

	ei.seg[0].vaddr -= 0x4000;
	ei.seg[1].vaddr -= 0x4000;
	reset(sizeof(file));
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0x4000, &src, 0, buf), 0);
	check_image();
	reset(0x2000); /* the data segment's bytes run past the end */
	HT_CHECK_EQ(elf_load_segments(NULL, &ei, 0x4000, &src, 0, buf), -ENOEXEC);
}

HT_MAIN(HT_CASE(copied_segments_share_a_page), HT_CASE(no_wx_refuses_a_shared_page_and_a_wx_segment),
	HT_CASE(lent_pages_are_not_copied_over), HT_CASE(bias_and_truncated_file))
