/*
 * Host tests for lib/fdt.c. Real device trees dumped by QEMU's virt machine
 * (made by tests/host/lib.mk in build/host/fixtures) must parse to the machine QEMU
 * emulates; small trees built here by a tiny DTB writer cover what QEMU does not
 * emit (reserved memory, disabled harts, 32-bit initrd cells); thousands of
 * corrupted and truncated copies, each in an exact-size heap block so that
 * AddressSanitizer sees any stray read, must give errors and never crash.
 */
#include "ht.h"
#include <lib/fdt.h>
#include <weft/errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- loading fixtures ---- */

/* Fixtures live in fixtures/ beside the test binary (build/host/fixtures). */
static uint8_t *load(const char *name, size_t *len)
{
	char path[512];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	*strrchr(path, '/') = '\0';
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/fixtures/%s", name);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "  cannot open %s\n", path);
		return NULL;
	}
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

/* ---- a minimal DTB writer for hand-made trees ---- */

struct dtw {
	uint8_t st[4096], str[1024];
	uint32_t nst, nstr;
	uint64_t rsv[8][2];
	int nrsv;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void dtw_word(struct dtw *w, uint32_t v)
{
	put32(w->st + w->nst, v);
	w->nst += 4;
}

static void dtw_bytes(struct dtw *w, const void *p, uint32_t n)
{
	memcpy(w->st + w->nst, p, n);
	w->nst += n;
	while (w->nst & 3)
		w->st[w->nst++] = 0;
}

static void dtw_begin(struct dtw *w, const char *name)
{
	dtw_word(w, 1);
	dtw_bytes(w, name, (uint32_t)strlen(name) + 1);
}

static void dtw_end(struct dtw *w)
{
	dtw_word(w, 2);
}

static void dtw_prop(struct dtw *w, const char *name, const void *val, uint32_t len)
{
	uint32_t nameoff = w->nstr;
	memcpy(w->str + w->nstr, name, strlen(name) + 1);
	w->nstr += (uint32_t)strlen(name) + 1;
	dtw_word(w, 3);
	dtw_word(w, len);
	dtw_word(w, nameoff);
	dtw_bytes(w, val, len);
}

static void dtw_str(struct dtw *w, const char *name, const char *s)
{
	dtw_prop(w, name, s, (uint32_t)strlen(s) + 1);
}

/* A property of n cells given as uint32_t values. */
static void dtw_cells(struct dtw *w, const char *name, int n, const uint32_t *cells)
{
	uint8_t buf[64];
	for (int i = 0; i < n; i++)
		put32(buf + 4 * i, cells[i]);
	dtw_prop(w, name, buf, (uint32_t)(4 * n));
}

#define CELLS(w, name, ...)                                                                        \
	dtw_cells(w, name, (int)(sizeof((uint32_t[]){__VA_ARGS__}) / 4), (uint32_t[]){__VA_ARGS__})

/* Lay out header, reservation map, structure and strings; returns a malloc'd blob. */
static uint8_t *dtw_finish(struct dtw *w, size_t *len)
{
	dtw_word(w, 9);
	uint32_t off_rsv = 40, off_st = off_rsv + 16 * (uint32_t)(w->nrsv + 1);
	uint32_t off_str = off_st + w->nst, total = off_str + w->nstr;
	uint8_t *b = calloc(1, total);
	uint32_t hdr[10] = {FDT_MAGIC, total, off_st, off_str, off_rsv, 17, 16, 0, w->nstr, w->nst};
	for (int i = 0; i < 10; i++)
		put32(b + 4 * i, hdr[i]);
	for (int i = 0; i < w->nrsv; i++)
		for (int j = 0; j < 2; j++) {
			put32(b + off_rsv + 16 * i + 8 * j, (uint32_t)(w->rsv[i][j] >> 32));
			put32(b + off_rsv + 16 * i + 8 * j + 4, (uint32_t)w->rsv[i][j]);
		}
	memcpy(b + off_st, w->st, w->nst);
	memcpy(b + off_str, w->str, w->nstr);
	*len = total;
	return b;
}

/* ---- QEMU's trees ---- */

static int find_virtio(const struct fdt_machine *m, uint64_t base)
{
	for (int i = 0; i < m->nvirtio; i++)
		if (m->virtio[i].base == base)
			return i;
	return -1;
}

HT_TEST(qemu_virt_machine)
{
	size_t len;
	uint8_t *blob = load("virt.dtb", &len);
	struct fdt_machine m;
	HT_CHECK(blob != NULL);
	if (!blob)
		return;
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), 0);
	HT_CHECK(m.totalsize > 1000 && m.totalsize <= len);
	HT_CHECK_EQ(m.nharts, 4);
	for (int i = 0; i < 4; i++)
		HT_CHECK_EQ(m.harts[i], i);
	HT_CHECK_EQ(m.nmem, 1);
	HT_CHECK_EQ(m.mem[0].base, 0x80000000ull);
	HT_CHECK_EQ(m.mem[0].size, 256ull << 20);
	HT_CHECK_EQ(m.timebase_hz, 10000000);
	HT_CHECK_EQ(m.uart_base, 0x10000000);
	HT_CHECK_EQ(m.uart_irq, 10);
	HT_CHECK_EQ(m.plic_base, 0x0c000000);
	HT_CHECK(m.plic_size >= 0x200000);
	HT_CHECK(m.plic_ndev >= 53 && m.plic_ndev < 1024);
	HT_CHECK_EQ(m.nvirtio, 8);
	for (int i = 0; i < 8; i++) {
		int k = find_virtio(&m, 0x10001000ull + 0x1000ull * i);
		HT_CHECK(k >= 0);
		if (k >= 0) {
			HT_CHECK_EQ(m.virtio[k].size, 0x1000);
			HT_CHECK_EQ(m.virtio[k].irq, 1 + i);
		}
	}
	HT_CHECK_EQ(m.initrd_start, 0);
	HT_CHECK_EQ(m.initrd_end, 0);
	HT_CHECK_EQ(m.bootargs[0], '\0');
	free(blob);
}

HT_TEST(qemu_virt_initrd_bootargs)
{
	size_t len;
	uint8_t *blob = load("virt-initrd.dtb", &len);
	struct fdt_machine m;
	HT_CHECK(blob != NULL);
	if (!blob)
		return;
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), 0);
	HT_CHECK(strcmp(m.bootargs, "init=/bin/x a b") == 0);
	HT_CHECK(m.initrd_start >= 0x80000000ull && m.initrd_start < 0x90000000ull);
	HT_CHECK_EQ(m.initrd_end - m.initrd_start, 6); /* "hello\n" */
	HT_CHECK_EQ(m.nharts, 4);
	free(blob);
}

HT_TEST(low_level_lookups)
{
	size_t len;
	uint8_t *blob = load("virt.dtb", &len);
	struct fdt f;
	struct fdt_prop p;
	uint32_t node, child, ac, sc, v32;
	const char *name;
	HT_CHECK(blob != NULL);
	if (!blob)
		return;
	HT_CHECK_EQ(fdt_init(&f, blob, len), 0);
	HT_CHECK_EQ(fdt_node_name(&f, f.root, &name), 0);
	HT_CHECK(strcmp(name, "") == 0);
	HT_CHECK_EQ(fdt_child_cells(&f, f.root, &ac, &sc), 0);
	HT_CHECK_EQ(ac, 2);
	HT_CHECK_EQ(sc, 2);

	/* "memory" finds "memory@80000000"; reg decodes with the root's cells */
	HT_CHECK_EQ(fdt_find_path(&f, "/memory", &node), 0);
	HT_CHECK_EQ(fdt_node_name(&f, node, &name), 0);
	HT_CHECK(strcmp(name, "memory@80000000") == 0);
	HT_CHECK_EQ(fdt_get_prop(&f, node, "reg", &p), 0);
	uint32_t pos = 0;
	uint64_t base = 0, size = 0;
	HT_CHECK_EQ(fdt_cell_read(&p, &pos, ac, &base), 0);
	HT_CHECK_EQ(fdt_cell_read(&p, &pos, sc, &size), 0);
	HT_CHECK_EQ(base, 0x80000000ull);
	HT_CHECK_EQ(size, 0x10000000ull);
	HT_CHECK_EQ(fdt_cell_read(&p, &pos, 1, &base), -EINVAL); /* past the end */
	HT_CHECK_EQ(fdt_cell_read(&p, &pos, 3, &base), -EINVAL);

	HT_CHECK_EQ(fdt_get_prop_path(&f, "/cpus/cpu@2", "reg", &p), 0);
	HT_CHECK_EQ(fdt_prop_u32(&p, &v32), 0);
	HT_CHECK_EQ(v32, 2);
	HT_CHECK_EQ(fdt_get_prop_path(&f, "/cpus/cpu@2", "device_type", &p), 0);
	HT_CHECK(fdt_prop_has_string(&p, "cpu"));
	HT_CHECK(!fdt_prop_has_string(&p, "cp"));
	HT_CHECK_EQ(fdt_get_prop_path(&f, "/soc/serial@10000000", "compatible", &p), 0);
	HT_CHECK(fdt_prop_has_string(&p, "ns16550a"));
	HT_CHECK_EQ(fdt_find_path(&f, "/cpus/cpu@9", &node), -ENOENT);
	HT_CHECK_EQ(fdt_find_path(&f, "/nosuch", &node), -ENOENT);
	HT_CHECK_EQ(fdt_get_prop_path(&f, "/chosen", "nosuch", &p), -ENOENT);
	HT_CHECK_EQ(fdt_find_path(&f, "/", &node), 0);
	HT_CHECK_EQ(node, f.root);

	/* /cpus: four cpu@N children (plus cpu-map), iterated by sibling links */
	int ncpu = 0;
	HT_CHECK_EQ(fdt_find_path(&f, "/cpus", &node), 0);
	for (int err = fdt_first_child(&f, node, &child); err == 0;
	     err = fdt_next_sibling(&f, child, &child)) {
		HT_CHECK_EQ(fdt_node_name(&f, child, &name), 0);
		ncpu += strncmp(name, "cpu@", 4) == 0;
	}
	HT_CHECK_EQ(ncpu, 4);

	/* property iteration on /cpus sees timebase-frequency and the cells */
	int nprops = 0, seen_tb = 0;
	uint32_t cur;
	HT_CHECK_EQ(fdt_prop_begin(&f, node, &cur), 0);
	while (fdt_next_prop(&f, &cur, &p) == 0) {
		nprops++;
		seen_tb += strcmp(p.name, "timebase-frequency") == 0;
	}
	HT_CHECK(nprops >= 3);
	HT_CHECK_EQ(seen_tb, 1);
	free(blob);
}

/* ---- hand-made trees ---- */

static uint8_t *build_custom(size_t *len)
{
	static struct dtw w;
	memset(&w, 0, sizeof(w));
	w.rsv[0][0] = 0x80000000;
	w.rsv[0][1] = 0x200000;
	w.nrsv = 1;
	dtw_begin(&w, "");
	CELLS(&w, "#address-cells", 2);
	CELLS(&w, "#size-cells", 2);
	dtw_begin(&w, "chosen");
	CELLS(&w, "linux,initrd-start", 0x84000000);
	CELLS(&w, "linux,initrd-end", 0x84001000);
	dtw_str(&w, "bootargs", "console=ttyS0");
	dtw_end(&w);
	dtw_begin(&w, "memory@80000000");
	dtw_str(&w, "device_type", "memory");
	CELLS(&w, "reg", 0, 0x80000000, 0, 0x4000000, 1, 0, 0, 0x4000000);
	dtw_end(&w);
	dtw_begin(&w, "reserved-memory");
	CELLS(&w, "#address-cells", 1);
	CELLS(&w, "#size-cells", 1);
	dtw_begin(&w, "mmode_resv0@80000000");
	CELLS(&w, "reg", 0x80000000, 0x40000);
	dtw_end(&w);
	dtw_begin(&w, "dynamic");
	CELLS(&w, "size", 0x1000); /* no reg: nothing to record */
	dtw_end(&w);
	dtw_end(&w);
	dtw_begin(&w, "cpus");
	CELLS(&w, "#address-cells", 1);
	CELLS(&w, "#size-cells", 0);
	CELLS(&w, "timebase-frequency", 0, 24000000); /* a 64-bit value */
	static const char *status[] = {NULL, "okay", "disabled", "ok"};
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "cpu@%d", 7 + i);
		dtw_begin(&w, name);
		dtw_str(&w, "device_type", "cpu");
		CELLS(&w, "reg", (uint32_t)(7 + i));
		if (status[i])
			dtw_str(&w, "status", status[i]);
		dtw_end(&w);
	}
	dtw_begin(&w, "cpu-map");
	dtw_end(&w);
	dtw_end(&w);
	dtw_begin(&w, "soc");
	CELLS(&w, "#address-cells", 1);
	CELLS(&w, "#size-cells", 1);
	dtw_begin(&w, "uart@3000");
	dtw_prop(&w, "compatible", "snps,dw\0ns16550a", 17);
	CELLS(&w, "reg", 0x3000, 0x100);
	CELLS(&w, "interrupts", 33, 4);
	dtw_end(&w);
	dtw_begin(&w, "uart@4000"); /* only the first UART counts */
	dtw_str(&w, "compatible", "ns16550a");
	CELLS(&w, "reg", 0x4000, 0x100);
	dtw_end(&w);
	dtw_begin(&w, "plic@c000000");
	dtw_str(&w, "compatible", "sifive,plic-1.0.0");
	CELLS(&w, "reg", 0xc000000, 0x4000000);
	CELLS(&w, "riscv,ndev", 127);
	dtw_end(&w);
	dtw_begin(&w, "virtio@9000");
	dtw_str(&w, "compatible", "virtio,mmio");
	CELLS(&w, "reg", 0x9000); /* too short for 1+1 cells: skipped */
	dtw_end(&w);
	dtw_end(&w);
	dtw_end(&w);
	return dtw_finish(&w, len);
}

HT_TEST(custom_tree)
{
	size_t len;
	uint8_t *blob = build_custom(&len);
	struct fdt_machine m;
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), 0);
	HT_CHECK_EQ(m.nresv, 2);
	HT_CHECK_EQ(m.resv[0].base, 0x80000000);
	HT_CHECK_EQ(m.resv[0].size, 0x200000);
	HT_CHECK_EQ(m.resv[1].base, 0x80000000);
	HT_CHECK_EQ(m.resv[1].size, 0x40000);
	HT_CHECK_EQ(m.nmem, 2);
	HT_CHECK_EQ(m.mem[1].base, 0x100000000ull);
	HT_CHECK_EQ(m.mem[1].size, 0x4000000);
	HT_CHECK_EQ(m.nharts, 3); /* cpu@9 is disabled */
	HT_CHECK_EQ(m.harts[0], 7);
	HT_CHECK_EQ(m.harts[1], 8);
	HT_CHECK_EQ(m.harts[2], 10);
	HT_CHECK_EQ(m.timebase_hz, 24000000);
	HT_CHECK_EQ(m.uart_base, 0x3000);
	HT_CHECK_EQ(m.uart_irq, 33);
	HT_CHECK_EQ(m.plic_base, 0xc000000);
	HT_CHECK_EQ(m.plic_size, 0x4000000);
	HT_CHECK_EQ(m.plic_ndev, 127);
	HT_CHECK_EQ(m.nvirtio, 0);
	HT_CHECK_EQ(m.initrd_start, 0x84000000);
	HT_CHECK_EQ(m.initrd_end, 0x84001000);
	HT_CHECK(strcmp(m.bootargs, "console=ttyS0") == 0);
	free(blob);
}

HT_TEST(long_bootargs_cut)
{
	static struct dtw w;
	char args[700];
	size_t len;
	struct fdt_machine m;
	memset(&w, 0, sizeof(w));
	memset(args, 'a', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	dtw_begin(&w, "");
	dtw_begin(&w, "chosen");
	dtw_str(&w, "bootargs", args);
	dtw_prop(&w, "linux,initrd-start", "abc", 3); /* odd size: ignored */
	dtw_end(&w);
	dtw_end(&w);
	uint8_t *blob = dtw_finish(&w, &len);
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), 0);
	HT_CHECK_EQ(strlen(m.bootargs), sizeof(m.bootargs) - 1);
	HT_CHECK_EQ(m.initrd_start, 0);
	free(blob);
}

/* ---- malformed blobs ---- */

HT_TEST(bad_headers)
{
	size_t len;
	uint8_t *blob = build_custom(&len);
	struct fdt_machine m;
	struct fdt f;
	HT_CHECK_EQ(fdt_parse_machine(blob, len - 1, &m), -EINVAL); /* maxlen < totalsize */
	HT_CHECK_EQ(fdt_parse_machine(blob, 20, &m), -EINVAL);
	HT_CHECK_EQ(fdt_parse_machine(NULL, 0, &m), -EINVAL);
	blob[0] ^= 1;
	HT_CHECK_EQ(fdt_init(&f, blob, len), -EINVAL);
	blob[0] ^= 1;
	put32(blob + 20, 16); /* version 16 has no size_dt_struct */
	HT_CHECK_EQ(fdt_init(&f, blob, len), -EINVAL);
	put32(blob + 20, 17);
	put32(blob + 36, 0xfffffff0); /* structure block beyond totalsize */
	HT_CHECK_EQ(fdt_init(&f, blob, len), -EINVAL);
	free(blob);
}

HT_TEST(bad_structure)
{
	static struct dtw w;
	size_t len;
	struct fdt_machine m;
	uint8_t *blob;

	/* a node never closed */
	memset(&w, 0, sizeof(w));
	dtw_begin(&w, "");
	dtw_begin(&w, "a");
	dtw_end(&w);
	blob = dtw_finish(&w, &len);
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), -EINVAL);
	free(blob);

	/* property with a length running past the block */
	memset(&w, 0, sizeof(w));
	dtw_begin(&w, "");
	dtw_prop(&w, "x", "abcd", 4);
	dtw_end(&w);
	blob = dtw_finish(&w, &len);
	/* root BEGIN_NODE "" takes 8 bytes; the property's len follows its token */
	uint32_t off_struct = (uint32_t)blob[8] << 24 | blob[9] << 16 | blob[10] << 8 | blob[11];
	put32(blob + off_struct + 12, 0x7ffffff0);
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), -EINVAL);
	free(blob);

	/* nesting deeper than FDT_MAX_DEPTH */
	memset(&w, 0, sizeof(w));
	for (int i = 0; i < FDT_MAX_DEPTH + 2; i++)
		dtw_begin(&w, "n");
	for (int i = 0; i < FDT_MAX_DEPTH + 2; i++)
		dtw_end(&w);
	blob = dtw_finish(&w, &len);
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), -EINVAL);
	free(blob);

	/* an unknown token */
	memset(&w, 0, sizeof(w));
	dtw_begin(&w, "");
	dtw_word(&w, 7);
	dtw_end(&w);
	blob = dtw_finish(&w, &len);
	HT_CHECK_EQ(fdt_parse_machine(blob, len, &m), -EINVAL);
	free(blob);
}

/* Exercise the whole API on a blob that may be garbage. */
static void poke(const uint8_t *blob, size_t len)
{
	struct fdt_machine m;
	struct fdt f;
	struct fdt_prop p;
	uint32_t node, child, cur;

	(void)fdt_parse_machine(blob, len, &m);
	if (fdt_init(&f, blob, len))
		return;
	(void)fdt_get_prop_path(&f, "/cpus/cpu@0", "reg", &p);
	(void)fdt_get_prop_path(&f, "/chosen", "bootargs", &p);
	if (fdt_find_path(&f, "/soc", &node) == 0) {
		int n = 0;
		for (int e = fdt_first_child(&f, node, &child); e == 0 && n < 100;
		     e = fdt_next_sibling(&f, child, &child), n++)
			if (fdt_prop_begin(&f, child, &cur) == 0)
				while (fdt_next_prop(&f, &cur, &p) == 0)
					(void)fdt_prop_has_string(&p, "virtio,mmio");
	}
}

HT_TEST(fuzz_corrupted_qemu_tree)
{
	size_t len;
	uint8_t *orig = load("virt-initrd.dtb", &len);
	HT_CHECK(orig != NULL);
	if (!orig)
		return;
	uint32_t total = (uint32_t)orig[4] << 24 | orig[5] << 16 | orig[6] << 8 | orig[7];
	HT_CHECK(total <= len);
	srand(12345);
	int parsed_ok = 0;
	for (int iter = 0; iter < 6000; iter++) {
		size_t n = total;
		if (iter % 4 == 1)
			n = (size_t)rand() % (total + 1); /* truncated copy */
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, orig, n);
		int flips = 1 + rand() % 8;
		for (int k = 0; k < flips && n; k++) {
			size_t at =
			    iter % 3 == 0 ? (size_t)rand() % (n < 40 ? n : 40) : (size_t)rand() % n;
			b[at] = (uint8_t)(rand() % 3 == 0 ? 0xff : rand());
		}
		struct fdt_machine m;
		parsed_ok += fdt_parse_machine(b, n, &m) == 0;
		poke(b, n);
		free(b);
	}
	HT_CHECK(parsed_ok > 0); /* some corruptions land in harmless places */
	free(orig);
}

HT_TEST(fuzz_random_garbage)
{
	srand(777);
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = 200 + (size_t)rand() % 400;
		uint8_t *b = malloc(n);
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)(rand() % 4 == 0 ? rand() % 4 : rand());
		/* a plausible header so the walk itself gets exercised */
		uint32_t hdr[10] = {
		    FDT_MAGIC, (uint32_t)n, 40 + (uint32_t)(rand() % 64), 0, 40, 17, 16, 0, 0, 0};
		hdr[3] = hdr[2] + (uint32_t)(rand() % (int)(n - hdr[2] + 1));
		hdr[8] = (uint32_t)n - hdr[3];
		hdr[9] = hdr[3] - hdr[2];
		for (int i = 0; i < 10; i++)
			put32(b + 4 * i, hdr[i]);
		put32(b + hdr[2], 1); /* BEGIN_NODE first */
		poke(b, n);
		free(b);
	}
	HT_CHECK(1);
}

HT_MAIN(HT_CASE(qemu_virt_machine), HT_CASE(qemu_virt_initrd_bootargs), HT_CASE(low_level_lookups),
	HT_CASE(custom_tree), HT_CASE(long_bootargs_cut), HT_CASE(bad_headers),
	HT_CASE(bad_structure), HT_CASE(fuzz_corrupted_qemu_tree), HT_CASE(fuzz_random_garbage))
