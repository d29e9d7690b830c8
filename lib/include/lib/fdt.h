/*
 * Reader for flattened device trees (the DTB that OpenSBI hands the kernel).
 *
 * The blob is never trusted: fdt_init checks the header against the caller's
 * maxlen, and every later read checks its offset and length against the
 * structure and strings blocks, so a malformed blob yields -EINVAL and never a
 * read out of bounds. Nothing is copied or allocated; names and property values
 * point into the blob and live as long as it does. Property values are
 * big-endian; fdt_cell_read converts them.
 *
 * A node is named by the offset of its BEGIN_NODE token inside the structure
 * block (a uint32_t); the root is fdt->root. Lookups return 0, -ENOENT when the
 * thing is absent, or -EINVAL when the blob is malformed on the way.
 */
#ifndef LIB_FDT_H
#define LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 32 /* deeper trees are refused as malformed */

#define FDT_MAX_MEM    8
#define FDT_MAX_RESV   16
#define FDT_MAX_HARTS  32
#define FDT_MAX_VIRTIO 16

struct fdt_range {
	uint64_t base, size;
};

/* A checked view of a blob; fill it with fdt_init. */
struct fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	uint32_t off_struct, size_struct;   /* structure block */
	uint32_t off_strings, size_strings; /* strings block */
	uint32_t off_rsvmap;		    /* memory reservation block */
	uint32_t root;			    /* offset of the root node in the structure block */
};

/* One property: name and value point into the blob. */
struct fdt_prop {
	const char *name;
	const void *val;
	uint32_t len;
};

/*
 * Check the header of blob (at most maxlen bytes readable) and fill *fdt.
 * Requires magic, version >= 16 (last compatible <= 17), blocks inside totalsize
 * and totalsize <= maxlen. Returns 0 or -EINVAL.
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t maxlen);

/* Name of node (with its unit address, "" for the root). Returns 0 or -EINVAL. */
int fdt_node_name(const struct fdt *fdt, uint32_t node, const char **name);

/*
 * Property iteration: fdt_prop_begin sets *cursor to the first property slot of
 * node; each fdt_next_prop stores the next property in *p and advances *cursor.
 * Both return 0, or -EINVAL; fdt_next_prop returns -ENOENT after the last one.
 */
int fdt_prop_begin(const struct fdt *fdt, uint32_t node, uint32_t *cursor);
int fdt_next_prop(const struct fdt *fdt, uint32_t *cursor, struct fdt_prop *p);

/* Find the property called name on node. Returns 0, -ENOENT or -EINVAL. */
int fdt_get_prop(const struct fdt *fdt, uint32_t node, const char *name, struct fdt_prop *p);

/* First child of node into *child. Returns 0, -ENOENT (a leaf) or -EINVAL. */
int fdt_first_child(const struct fdt *fdt, uint32_t node, uint32_t *child);

/* Next sibling of node into *next. Returns 0, -ENOENT (the last one) or -EINVAL. */
int fdt_next_sibling(const struct fdt *fdt, uint32_t node, uint32_t *next);

/*
 * Find an absolute path such as "/cpus/cpu@0" or "/chosen". A component without
 * '@' also matches a node whose name has a unit address ("memory" finds
 * "memory@80000000"); the first match in file order wins. Returns 0, -ENOENT or
 * -EINVAL.
 */
int fdt_find_path(const struct fdt *fdt, const char *path, uint32_t *node);

/* fdt_find_path and fdt_get_prop in one call. */
int fdt_get_prop_path(const struct fdt *fdt, const char *path, const char *name,
		      struct fdt_prop *p);

/*
 * The #address-cells and #size-cells that node declares for its children
 * (defaults 2 and 1 when absent). Values above 2 (addresses over 64 bits) and an
 * address-cells of 0 are kept, callers reject them in fdt_cell_read. Returns 0
 * or -EINVAL.
 */
int fdt_child_cells(const struct fdt *fdt, uint32_t node, uint32_t *addr_cells,
		    uint32_t *size_cells);

/*
 * Read a number of ncells big-endian 32-bit cells (0, 1 or 2) from p at byte
 * offset *pos, advancing *pos. ncells 0 reads nothing and yields 0. Returns 0,
 * or -EINVAL if ncells > 2 or the cells do not fit in p->len.
 */
int fdt_cell_read(const struct fdt_prop *p, uint32_t *pos, uint32_t ncells, uint64_t *out);

/* Read a property of exactly 4 bytes (or, for fdt_prop_u64, 4 or 8 bytes). */
int fdt_prop_u32(const struct fdt_prop *p, uint32_t *out);
int fdt_prop_u64(const struct fdt_prop *p, uint64_t *out);

/* True if a string-list property (compatible, ...) contains the string s. */
bool fdt_prop_has_string(const struct fdt_prop *p, const char *s);

/*
 * Entry idx of the memory reservation block into *r (base, size). Returns 0,
 * -ENOENT at the terminating entry, or -EINVAL if the block runs off the blob.
 */
int fdt_rsv_entry(const struct fdt *fdt, uint32_t idx, struct fdt_range *r);

/* What the kernel needs to know about the machine, from fdt_parse_machine. */
struct fdt_machine {
	struct fdt_range mem[FDT_MAX_MEM]; /* /memory* nodes, reg */
	int nmem;
	struct fdt_range resv[FDT_MAX_RESV]; /* memreserve block + /reserved-memory children */
	int nresv;
	uint32_t harts[FDT_MAX_HARTS]; /* /cpus/cpu@*: device_type "cpu", status absent or okay */
	int nharts;
	uint64_t timebase_hz; /* /cpus timebase-frequency */
	uint64_t uart_base;   /* first compatible "ns16550a" */
	uint32_t uart_irq;
	uint64_t plic_base, plic_size; /* "riscv,plic0" or "sifive,plic-1.0.0" */
	uint32_t plic_ndev;	       /* riscv,ndev */
	struct {
		uint64_t base, size;
		uint32_t irq;
	} virtio[FDT_MAX_VIRTIO]; /* compatible "virtio,mmio", in file order */
	int nvirtio;
	uint64_t initrd_start, initrd_end; /* /chosen linux,initrd-start/-end, 0 if absent */
	char bootargs[512];		   /* /chosen bootargs, "" if absent (cut to fit) */
	uint32_t totalsize;
};

/*
 * Parse blob (at most maxlen bytes readable) into *m, which is zeroed first.
 * Entries beyond a table's capacity are dropped. A node whose reg or interrupts
 * has the wrong shape for its parent's cells is skipped. Returns 0, or -EINVAL
 * for a malformed blob (then *m holds whatever was gathered before the error).
 */
int fdt_parse_machine(const void *blob, size_t maxlen, struct fdt_machine *m);

#endif
