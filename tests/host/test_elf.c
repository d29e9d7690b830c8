/*
 * Host tests for lib/elf.c. Real riscv64 executables built by tests/host/lib.mk
 * must pass, with the segments readelf reports for them (saved beside each as
 * NAME.loads); a dynamic PIE must be refused for its interpreter; hand-made
 * headers hit every error class of elf_check; and corrupted copies of a real
 * header must never crash and, when accepted, must obey the contract.
 */
#include "ht.h"
#include <lib/elf.h>
#include <weft/errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define USER_LIMIT 0x4000000000ull /* Sv39: 256 GiB of user space */

/* Path of a fixture: fixtures/ beside the test binary. */
static void fixture_path(char *path, size_t size, const char *name)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	path[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	snprintf(path + strlen(path), size - strlen(path), "/fixtures/%s", name);
}

static uint8_t *load(const char *name, size_t *len)
{
	char path[512];
	fixture_path(path, sizeof(path), name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	uint8_t *buf = malloc(*len ? *len : 1);
	if (fread(buf, 1, *len, fp) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* readelf's loads: "entry E" then "offset vaddr filesz memsz flags" lines. */
struct ref {
	uint64_t entry;
	struct elf_seg seg[ELF_MAX_SEGS];
	int nseg;
};

static int read_ref(const char *name, struct ref *r)
{
	char path[512], fl[8];
	unsigned long long off, va, fs, ms;
	fixture_path(path, sizeof(path), name);
	FILE *fp = fopen(path, "r");
	if (!fp || fscanf(fp, "entry %llx\n", &off) != 1) {
		if (fp)
			fclose(fp);
		return -1;
	}
	r->entry = off;
	r->nseg = 0;
	while (r->nseg < ELF_MAX_SEGS &&
	       fscanf(fp, "%llx %llx %llx %llx %7s\n", &off, &va, &fs, &ms, fl) == 5) {
		struct elf_seg *s = &r->seg[r->nseg++];
		s->offset = off;
		s->vaddr = va;
		s->filesz = fs;
		s->memsz = ms;
		s->flags = (strchr(fl, 'R') ? PF_R : 0) | (strchr(fl, 'W') ? PF_W : 0) |
			   (strchr(fl, 'E') ? PF_X : 0);
	}
	fclose(fp);
	return 0;
}

static void check_real(const char *name, uint16_t type)
{
	char refname[64];
	size_t len;
	struct ref ref;
	struct elf_info info;
	uint8_t *f = load(name, &len);
	snprintf(refname, sizeof(refname), "%s.loads", name);
	HT_CHECK(f != NULL);
	HT_CHECK_EQ(read_ref(refname, &ref), 0);
	if (!f)
		return;
	/* the loader hands over only the first page */
	HT_CHECK_EQ(elf_check(f, len < 4096 ? len : 4096, len, USER_LIMIT, &info), 0);
	HT_CHECK_EQ(info.type, type);
	HT_CHECK_EQ(info.entry, ref.entry);
	HT_CHECK_EQ(info.nseg, ref.nseg);
	HT_CHECK(!info.has_interp);
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < info.nseg && i < ref.nseg; i++) {
		HT_CHECK_EQ(info.seg[i].vaddr, ref.seg[i].vaddr);
		HT_CHECK_EQ(info.seg[i].memsz, ref.seg[i].memsz);
		HT_CHECK_EQ(info.seg[i].offset, ref.seg[i].offset);
		HT_CHECK_EQ(info.seg[i].filesz, ref.seg[i].filesz);
		HT_CHECK_EQ(info.seg[i].flags, ref.seg[i].flags);
		if (ref.seg[i].vaddr / 4096 * 4096 < lo)
			lo = ref.seg[i].vaddr / 4096 * 4096;
		if ((ref.seg[i].vaddr + ref.seg[i].memsz + 4095) / 4096 * 4096 > hi)
			hi = (ref.seg[i].vaddr + ref.seg[i].memsz + 4095) / 4096 * 4096;
	}
	HT_CHECK_EQ(info.lo, lo);
	HT_CHECK_EQ(info.hi, hi);
	/* the first load maps the file from offset 0, headers included */
	HT_CHECK_EQ(info.phdr_vaddr, info.seg[0].vaddr + info.phoff);
	HT_CHECK_EQ(info.phentsize, sizeof(struct elf64_phdr));
	/* too little address space */
	HT_CHECK_EQ(elf_check(f, 4096, len, hi - lo - 1, &info), -ENOMEM);
	/* a file shorter than its segments */
	HT_CHECK_EQ(elf_check(f, 4096, ref.seg[ref.nseg - 1].offset + 1, USER_LIMIT, &info),
		    -ENOEXEC);
	free(f);
}

HT_TEST(real_static_exec)
{
	check_real("elf-exec", ET_EXEC);
}

HT_TEST(real_static_pie)
{
	check_real("elf-pie", ET_DYN);
}

HT_TEST(real_dynamic_refused)
{
	size_t len;
	struct elf_info info;
	uint8_t *f = load("elf-interp", &len);
	HT_CHECK(f != NULL);
	if (!f)
		return;
	HT_CHECK_EQ(elf_check(f, len, len, USER_LIMIT, &info), -ENOEXEC);
	free(f);
}

/* ---- hand-made headers ---- */

struct img {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[70];
};

static struct img im;
#define FILE_SIZE 0x100000ull

/* A valid ET_EXEC: text at 0x10000 (entry inside), data sharing text's last page. */
static void base_image(void)
{
	memset(&im, 0, sizeof(im));
	memcpy(im.eh.e_ident, ELF_MAGIC, 4);
	im.eh.e_ident[EI_CLASS] = ELFCLASS64;
	im.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im.eh.e_ident[EI_VERSION] = EV_CURRENT;
	im.eh.e_type = ET_EXEC;
	im.eh.e_machine = EM_RISCV;
	im.eh.e_version = EV_CURRENT;
	im.eh.e_entry = 0x10100;
	im.eh.e_phoff = offsetof(struct img, ph);
	im.eh.e_ehsize = sizeof(im.eh);
	im.eh.e_phentsize = sizeof(struct elf64_phdr);
	im.eh.e_phnum = 3;
	im.ph[0] = (struct elf64_phdr){.p_type = PT_LOAD,
				       .p_flags = PF_R | PF_X,
				       .p_offset = 0,
				       .p_vaddr = 0x10000,
				       .p_filesz = 0x1234,
				       .p_memsz = 0x1234};
	/* same page as the text's end, next bytes: legal */
	im.ph[1] = (struct elf64_phdr){.p_type = PT_LOAD,
				       .p_flags = PF_R | PF_W,
				       .p_offset = 0x1234,
				       .p_vaddr = 0x11234,
				       .p_filesz = 0x100,
				       .p_memsz = 0x3000};
	im.ph[2] = (struct elf64_phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W};
}

static int check_im(void)
{
	struct elf_info info;
	return elf_check(&im, sizeof(im), FILE_SIZE, USER_LIMIT, &info);
}

HT_TEST(hand_made_valid)
{
	struct elf_info info;
	base_image();
	HT_CHECK_EQ(elf_check(&im, sizeof(im), FILE_SIZE, USER_LIMIT, &info), 0);
	HT_CHECK_EQ(info.nseg, 2);
	HT_CHECK_EQ(info.lo, 0x10000);
	HT_CHECK_EQ(info.hi, 0x15000);
	HT_CHECK_EQ(info.phdr_vaddr, 0x10000 + offsetof(struct img, ph));
	HT_CHECK_EQ(info.seg[1].flags, PF_R | PF_W);
	/* PT_PHDR wins over the covering load */
	im.ph[2] = (struct elf64_phdr){.p_type = PT_PHDR, .p_vaddr = 0x10040, .p_offset = 0x40};
	HT_CHECK_EQ(elf_check(&im, sizeof(im), FILE_SIZE, USER_LIMIT, &info), 0);
	HT_CHECK_EQ(info.phdr_vaddr, 0x10040);
	/* data in the next page, mapping the same file page again: legal */
	base_image();
	im.ph[1].p_vaddr = 0x12234;
	HT_CHECK_EQ(check_im(), 0);
	/* ET_DYN high in the address space: only the span counts */
	base_image();
	im.eh.e_type = ET_DYN;
	HT_CHECK_EQ(elf_check(&im, sizeof(im), FILE_SIZE, 0x10000, &info), 0);
	HT_CHECK_EQ(info.hi - info.lo, 0x5000);
	/* a buffer longer than the file is cut to the file */
	base_image();
	HT_CHECK_EQ(elf_check(&im, sizeof(im), sizeof(im), USER_LIMIT, &info), -ENOEXEC);
}

HT_TEST(header_errors_enoexec)
{
	struct elf_info info;
	int bad = 0;
#define EXPECT_NOEXEC(...)                                                                         \
	do {                                                                                       \
		base_image();                                                                      \
		__VA_ARGS__;                                                                       \
		int r_ = check_im();                                                               \
		if (r_ != -ENOEXEC) {                                                              \
			fprintf(stderr, "  %s: got %d\n", #__VA_ARGS__, r_);                       \
			bad++;                                                                     \
		}                                                                                  \
	} while (0)
	EXPECT_NOEXEC(im.eh.e_ident[1] = 'e');
	EXPECT_NOEXEC(im.eh.e_ident[EI_CLASS] = 1);
	EXPECT_NOEXEC(im.eh.e_ident[EI_DATA] = 2);
	EXPECT_NOEXEC(im.eh.e_ident[EI_VERSION] = 0);
	EXPECT_NOEXEC(im.eh.e_version = 2);
	EXPECT_NOEXEC(im.eh.e_machine = 62);
	EXPECT_NOEXEC(im.eh.e_type = 1);
	EXPECT_NOEXEC(im.eh.e_type = 4);
	EXPECT_NOEXEC(im.eh.e_phentsize = 32);
	EXPECT_NOEXEC(im.eh.e_phnum = 0);
	EXPECT_NOEXEC(im.eh.e_phnum = 65);
	EXPECT_NOEXEC(im.eh.e_phoff = sizeof(im) - 100);
	EXPECT_NOEXEC(im.eh.e_phoff = UINT64_MAX - 8);
	EXPECT_NOEXEC(im.ph[1].p_offset = FILE_SIZE - 0x10; im.ph[1].p_vaddr = 0x20000 + 0xff0);
	EXPECT_NOEXEC(im.ph[1].p_offset = UINT64_MAX - 0xdcb; im.ph[1].p_vaddr = 0x20235);
	EXPECT_NOEXEC(im.ph[1].p_filesz = 0x3001);
	EXPECT_NOEXEC(im.ph[1].p_vaddr = 0x12000);
	EXPECT_NOEXEC(im.ph[0].p_type = PT_NOTE; im.ph[1].p_type = PT_NOTE);
	EXPECT_NOEXEC(im.eh.e_entry = 0x9000);
	EXPECT_NOEXEC(im.eh.e_entry = 0x11300); /* in data, not executable */
	EXPECT_NOEXEC(im.eh.e_entry = 0x11234); /* one past the text */
	EXPECT_NOEXEC(im.ph[2] = (struct elf64_phdr){.p_type = PT_INTERP, .p_offset = 0x200});
	/* 17 loads, one page each */
	base_image();
	im.eh.e_phnum = ELF_MAX_SEGS + 1;
	for (int i = 0; i < ELF_MAX_SEGS + 1; i++)
		im.ph[i] = (struct elf64_phdr){.p_type = PT_LOAD,
					       .p_flags = PF_R | PF_X,
					       .p_vaddr = 0x10000 + 0x1000ull * i,
					       .p_memsz = 0x1000};
	HT_CHECK_EQ(check_im(), -ENOEXEC);
	im.eh.e_phnum = ELF_MAX_SEGS; /* exactly 16 is fine */
	HT_CHECK_EQ(check_im(), 0);
	/* a buffer too short for the header */
	base_image();
	HT_CHECK_EQ(elf_check(&im, 63, FILE_SIZE, USER_LIMIT, &info), -ENOEXEC);
	HT_CHECK_EQ(bad, 0);
}

HT_TEST(geometry_errors_einval)
{
	base_image();
	im.ph[1].p_vaddr = 0x11233; /* one byte into the text */
	im.ph[1].p_offset = 0x1233;
	HT_CHECK_EQ(check_im(), -EINVAL);
	base_image();
	im.ph[0].p_vaddr = 0x0;
	im.ph[1].p_vaddr = 0x1000; /* inside the text, different page offset class */
	im.ph[1].p_offset = 0x0;
	im.eh.e_entry = 0x100;
	HT_CHECK_EQ(check_im(), -EINVAL);
	base_image();
	im.ph[1].p_vaddr = UINT64_MAX - 0xdcb; /* page offset 0x234, end wraps */
	HT_CHECK_EQ(check_im(), -EINVAL);
	base_image();
	im.ph[1].p_vaddr = UINT64_MAX - 0x2dcb; /* ends inside the last page: hi wraps */
	im.ph[1].p_memsz = 0x2000;
	HT_CHECK_EQ(check_im(), -EINVAL);
	/* a structural error is reported before an overlap */
	base_image();
	im.ph[1].p_vaddr = 0x11233;
	im.ph[1].p_offset = 0x1233;
	im.eh.e_machine = 0;
	HT_CHECK_EQ(check_im(), -ENOEXEC);
}

HT_TEST(fit_errors_enomem)
{
	struct elf_info info;
	base_image();
	HT_CHECK_EQ(elf_check(&im, sizeof(im), FILE_SIZE, 0x14000, &info), -ENOMEM); /* data */
	HT_CHECK_EQ(elf_check(&im, sizeof(im), FILE_SIZE, 0x14234, &info), -ENOMEM); /* hi */
	HT_CHECK_EQ(elf_check(&im, sizeof(im), FILE_SIZE, 0x15000, &info), 0);
	base_image();
	im.ph[1].p_vaddr = USER_LIMIT + 0x234;
	HT_CHECK_EQ(check_im(), -ENOMEM);
	im.eh.e_type = ET_DYN; /* the span is just under the limit: fine for ET_DYN */
	HT_CHECK_EQ(check_im(), 0);
	im.ph[1].p_vaddr = USER_LIMIT + 0x10234; /* now the span itself is too large */
	HT_CHECK_EQ(check_im(), -ENOMEM);
	base_image();
	im.eh.e_type = ET_DYN;
	HT_CHECK_EQ(elf_check(&im, sizeof(im), FILE_SIZE, 0x4fff, &info), -ENOMEM);
}

/* ---- fuzzing ---- */

static int contract_broken(const struct elf_info *in, uint64_t file_size)
{
	int bad = 0, exec_entry = 0;
	bad += in->nseg < 1 || in->nseg > ELF_MAX_SEGS || in->lo > in->hi || in->has_interp;
	for (int i = 0; i < in->nseg; i++) {
		const struct elf_seg *s = &in->seg[i];
		bad += s->offset + s->filesz > file_size || s->filesz > s->memsz;
		bad += s->vaddr < in->lo || s->vaddr + s->memsz > in->hi;
		exec_entry +=
		    (s->flags & PF_X) && in->entry >= s->vaddr && in->entry < s->vaddr + s->memsz;
		for (int j = 0; j < i; j++) {
			const struct elf_seg *t = &in->seg[j];
			bad += s->memsz && t->memsz && s->vaddr < t->vaddr + t->memsz &&
			       t->vaddr < s->vaddr + s->memsz;
		}
	}
	return bad + (exec_entry == 0);
}

HT_TEST(fuzz_corrupted_headers)
{
	size_t len;
	uint8_t *orig = load("elf-exec", &len);
	HT_CHECK(orig != NULL);
	if (!orig)
		return;
	srand(99);
	int accepted = 0, broken = 0;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = iter % 5 == 0 ? (size_t)rand() % 600 : 64 + 56 * 12;
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, orig, n);
		for (int k = 0, flips = 1 + rand() % 4; k < flips && n; k++) {
			size_t at = (size_t)rand() % (n < 64 + 56 * 12 ? n : 64 + 56 * 12);
			b[at] = (uint8_t)(rand() % 4 == 0 ? 0xff : rand() % 4 == 0 ? 0 : rand());
		}
		uint64_t fsize = iter % 7 == 0 ? (uint64_t)rand() : len;
		struct elf_info info;
		if (elf_check(b, n, fsize, USER_LIMIT, &info) == 0) {
			accepted++;
			broken += contract_broken(&info, fsize) != 0;
		}
		free(b);
	}
	HT_CHECK(accepted > 0);
	HT_CHECK_EQ(broken, 0);
	free(orig);
}

HT_MAIN(HT_CASE(real_static_exec), HT_CASE(real_static_pie), HT_CASE(real_dynamic_refused),
	HT_CASE(hand_made_valid), HT_CASE(header_errors_enoexec), HT_CASE(geometry_errors_einval),
	HT_CASE(fit_errors_enomem), HT_CASE(fuzz_corrupted_headers))
