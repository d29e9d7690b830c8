/*
 * Flattened device tree reader.
 *
 * A DTB is a header, a memory reservation block (pairs of big-endian u64 ending
 * with 0,0), a structure block of 32-bit-aligned tokens (BEGIN_NODE name,
 * PROP len nameoff value, END_NODE, NOP, END) and a strings block holding the
 * property names. Every access goes through read_token, which decodes one token
 * at a structure-block offset and proves that the token, its name and its value
 * lie inside the blocks fdt_init checked against the caller's maxlen. All
 * arithmetic on offsets is done in 64 bits, so no sum can wrap.
 *
 * fdt_parse_machine walks the whole tree once, iteratively, with a stack of
 * frames for the open nodes; each frame remembers what its node is (root, /cpus,
 * /reserved-memory...) and the cells it declares for its children, which is
 * what a child's reg is decoded with.
 */
#include <lib/fdt.h>
#include <lib/string.h>
#include <weft/errno.h>

#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE   2u
#define TOK_PROP       3u
#define TOK_NOP	       4u
#define TOK_END	       9u

#define HDR_SIZE 40u

struct token {
	uint32_t type;
	uint32_t next;	  /* offset of the token after this one */
	const char *name; /* node name or property name */
	const void *val;  /* property value */
	uint32_t len;	  /* property length */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The 32-bit word at structure offset off, if it lies inside the block. */
static int struct_word(const struct fdt *f, uint64_t off, uint32_t *v)
{
	if (off + 4 > f->size_struct)
		return -EINVAL;
	*v = be32(f->blob + f->off_struct + off);
	return 0;
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* A NUL-terminated string that starts at block offset off, within size bytes. */
static int block_string(const uint8_t *block, uint64_t size, uint64_t off, const char **s,
			uint64_t *len)
{
	if (off >= size)
		return -EINVAL;
	const char *p = (const char *)block + off;
	size_t n = strnlen(p, (size_t)(size - off));
	if (n == size - off)
		return -EINVAL;
	*s = p;
	*len = n;
	return 0;
}

static int read_prop_token(const struct fdt *f, uint32_t off, struct token *t)
{
	uint32_t len, nameoff;
	uint64_t namelen;

	if (struct_word(f, (uint64_t)off + 4, &len) || struct_word(f, (uint64_t)off + 8, &nameoff))
		return -EINVAL;
	if ((uint64_t)off + 12 + len > f->size_struct)
		return -EINVAL;
	if (block_string(f->blob + f->off_strings, f->size_strings, nameoff, &t->name, &namelen))
		return -EINVAL;
	t->val = f->blob + f->off_struct + off + 12;
	t->len = len;
	t->next = (uint32_t)align4((uint64_t)off + 12 + len);
	return 0;
}

/* Decode the token at structure offset off into *t. Returns 0 or -EINVAL. */
static int read_token(const struct fdt *f, uint32_t off, struct token *t)
{
	uint64_t namelen;

	if ((off & 3) || struct_word(f, off, &t->type))
		return -EINVAL;
	switch (t->type) {
	case TOK_BEGIN_NODE:
		if (block_string(f->blob + f->off_struct, f->size_struct, (uint64_t)off + 4,
				 &t->name, &namelen))
			return -EINVAL;
		t->next = (uint32_t)align4((uint64_t)off + 4 + namelen + 1);
		return 0;
	case TOK_PROP:
		return read_prop_token(f, off, t);
	case TOK_END_NODE:
	case TOK_NOP:
	case TOK_END:
		t->next = off + 4;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Skip NOPs from off; the first other token goes to *t (at offset *at). */
static int skip_nops(const struct fdt *f, uint32_t off, uint32_t *at, struct token *t)
{
	for (;;) {
		if (read_token(f, off, t))
			return -EINVAL;
		if (t->type != TOK_NOP)
			break;
		off = t->next;
	}
	*at = off;
	return 0;
}

static int check_header(const uint8_t *b, size_t maxlen, struct fdt *f)
{
	if (!b || maxlen < HDR_SIZE || be32(b) != FDT_MAGIC)
		return -EINVAL;
	f->totalsize = be32(b + 4);
	f->off_struct = be32(b + 8);
	f->off_strings = be32(b + 12);
	f->off_rsvmap = be32(b + 16);
	f->size_strings = be32(b + 32);
	f->size_struct = be32(b + 36);
	if (be32(b + 20) < 17 || be32(b + 24) > 17)
		return -EINVAL;
	if (f->totalsize < HDR_SIZE || f->totalsize > maxlen)
		return -EINVAL;
	if ((uint64_t)f->off_struct + f->size_struct > f->totalsize ||
	    (uint64_t)f->off_strings + f->size_strings > f->totalsize || f->off_rsvmap < HDR_SIZE ||
	    f->off_rsvmap >= f->totalsize)
		return -EINVAL;
	return 0;
}

int fdt_init(struct fdt *fdt, const void *blob, size_t maxlen)
{
	struct token t;

	fdt->blob = blob;
	if (check_header(blob, maxlen, fdt))
		return -EINVAL;
	if (skip_nops(fdt, 0, &fdt->root, &t) || t.type != TOK_BEGIN_NODE)
		return -EINVAL;
	return 0;
}

int fdt_node_name(const struct fdt *fdt, uint32_t node, const char **name)
{
	struct token t;

	if (read_token(fdt, node, &t) || t.type != TOK_BEGIN_NODE)
		return -EINVAL;
	*name = t.name;
	return 0;
}

int fdt_prop_begin(const struct fdt *fdt, uint32_t node, uint32_t *cursor)
{
	struct token t;

	if (read_token(fdt, node, &t) || t.type != TOK_BEGIN_NODE)
		return -EINVAL;
	*cursor = t.next;
	return 0;
}

int fdt_next_prop(const struct fdt *fdt, uint32_t *cursor, struct fdt_prop *p)
{
	struct token t;
	uint32_t at;

	if (skip_nops(fdt, *cursor, &at, &t))
		return -EINVAL;
	if (t.type == TOK_END)
		return -EINVAL; /* a node must be closed before the end */
	if (t.type != TOK_PROP)
		return -ENOENT;
	p->name = t.name;
	p->val = t.val;
	p->len = t.len;
	*cursor = t.next;
	return 0;
}

int fdt_get_prop(const struct fdt *fdt, uint32_t node, const char *name, struct fdt_prop *p)
{
	uint32_t cur;
	int err;

	if (fdt_prop_begin(fdt, node, &cur))
		return -EINVAL;
	while ((err = fdt_next_prop(fdt, &cur, p)) == 0)
		if (strcmp(p->name, name) == 0)
			return 0;
	return err;
}

int fdt_first_child(const struct fdt *fdt, uint32_t node, uint32_t *child)
{
	struct fdt_prop p;
	struct token t;
	uint32_t cur;
	int err;

	if (fdt_prop_begin(fdt, node, &cur))
		return -EINVAL;
	while ((err = fdt_next_prop(fdt, &cur, &p)) == 0)
		;
	if (err != -ENOENT || skip_nops(fdt, cur, child, &t))
		return -EINVAL;
	return t.type == TOK_BEGIN_NODE ? 0 : -ENOENT;
}

/* Offset just after the END_NODE that closes node. */
static int subtree_end(const struct fdt *fdt, uint32_t node, uint32_t *after)
{
	struct token t;
	uint32_t off = node;
	int depth = 0;

	do {
		if (read_token(fdt, off, &t) || t.type == TOK_END)
			return -EINVAL;
		if (t.type == TOK_BEGIN_NODE && ++depth > FDT_MAX_DEPTH)
			return -EINVAL;
		if (t.type == TOK_END_NODE)
			depth--;
		off = t.next;
	} while (depth > 0);
	*after = off;
	return 0;
}

int fdt_next_sibling(const struct fdt *fdt, uint32_t node, uint32_t *next)
{
	struct token t;
	uint32_t off;

	if (read_token(fdt, node, &t) || t.type != TOK_BEGIN_NODE)
		return -EINVAL;
	if (subtree_end(fdt, node, &off) || skip_nops(fdt, off, next, &t))
		return -EINVAL;
	return t.type == TOK_BEGIN_NODE ? 0 : -ENOENT;
}

/* Does node name match path component comp (len bytes)? */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	if (strncmp(name, comp, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	return name[len] == '@' && !memchr(comp, '@', len);
}

/* The child of node named by comp (len bytes). */
static int find_child(const struct fdt *fdt, uint32_t node, const char *comp, size_t len,
		      uint32_t *child)
{
	const char *name;
	int err = fdt_first_child(fdt, node, child);

	while (err == 0) {
		if (fdt_node_name(fdt, *child, &name))
			return -EINVAL;
		if (name_matches(name, comp, len))
			return 0;
		err = fdt_next_sibling(fdt, *child, child);
	}
	return err;
}

int fdt_find_path(const struct fdt *fdt, const char *path, uint32_t *node)
{
	uint32_t cur = fdt->root;

	if (*path != '/')
		return -ENOENT;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);
		int err = find_child(fdt, cur, path, len, &cur);
		if (err)
			return err;
		path += len;
	}
	*node = cur;
	return 0;
}

int fdt_get_prop_path(const struct fdt *fdt, const char *path, const char *name, struct fdt_prop *p)
{
	uint32_t node;
	int err = fdt_find_path(fdt, path, &node);

	return err ? err : fdt_get_prop(fdt, node, name, p);
}

int fdt_prop_u32(const struct fdt_prop *p, uint32_t *out)
{
	if (p->len != 4)
		return -EINVAL;
	*out = be32(p->val);
	return 0;
}

int fdt_prop_u64(const struct fdt_prop *p, uint64_t *out)
{
	if (p->len == 4)
		*out = be32(p->val);
	else if (p->len == 8)
		*out = be64(p->val);
	else
		return -EINVAL;
	return 0;
}

int fdt_child_cells(const struct fdt *fdt, uint32_t node, uint32_t *addr_cells,
		    uint32_t *size_cells)
{
	struct fdt_prop p;
	int err;

	*addr_cells = 2;
	*size_cells = 1;
	err = fdt_get_prop(fdt, node, "#address-cells", &p);
	if (err == 0 && fdt_prop_u32(&p, addr_cells))
		return -EINVAL;
	if (err == -EINVAL)
		return err;
	err = fdt_get_prop(fdt, node, "#size-cells", &p);
	if (err == 0 && fdt_prop_u32(&p, size_cells))
		return -EINVAL;
	return err == -EINVAL ? err : 0;
}

int fdt_cell_read(const struct fdt_prop *p, uint32_t *pos, uint32_t ncells, uint64_t *out)
{
	const uint8_t *v = p->val;
	uint64_t r = 0;

	if (ncells > 2 || (uint64_t)*pos + 4ull * ncells > p->len)
		return -EINVAL;
	for (uint32_t i = 0; i < ncells; i++, *pos += 4)
		r = r << 32 | be32(v + *pos);
	*out = r;
	return 0;
}

bool fdt_prop_has_string(const struct fdt_prop *p, const char *s)
{
	const char *v = p->val;
	size_t want = strlen(s);

	for (size_t i = 0; i < p->len;) {
		size_t n = strnlen(v + i, p->len - i);
		if (n == p->len - i)
			return false; /* unterminated tail */
		if (n == want && memcmp(v + i, s, n) == 0)
			return true;
		i += n + 1;
	}
	return false;
}

int fdt_rsv_entry(const struct fdt *fdt, uint32_t idx, struct fdt_range *r)
{
	uint64_t off = fdt->off_rsvmap + 16ull * idx;

	if (off + 16 > fdt->totalsize)
		return -EINVAL;
	r->base = be64(fdt->blob + off);
	r->size = be64(fdt->blob + off + 8);
	return (r->base || r->size) ? 0 : -ENOENT;
}

/* ---- fdt_parse_machine ---- */

enum node_kind { NK_OTHER, NK_ROOT, NK_CPUS, NK_RESMEM };

struct frame {
	uint32_t node;
	enum node_kind kind;
	uint32_t ac, sc; /* cells this node declares for its children */
};

/* reg entry idx of node, decoded with the parent's cells. */
static int reg_entry(const struct fdt *f, uint32_t node, const struct frame *parent, uint32_t idx,
		     struct fdt_range *r)
{
	struct fdt_prop p;
	uint64_t stride = 4ull * (parent->ac + parent->sc);
	uint32_t pos;

	if (fdt_get_prop(f, node, "reg", &p))
		return -ENOENT;
	if (parent->ac == 0 || parent->ac > 2 || parent->sc > 2 || stride * idx >= p.len)
		return -ENOENT;
	pos = (uint32_t)(stride * idx);
	if (fdt_cell_read(&p, &pos, parent->ac, &r->base) ||
	    fdt_cell_read(&p, &pos, parent->sc, &r->size))
		return -ENOENT;
	return 0;
}

/* Append every reg entry of node to a range table of capacity cap. */
static void add_regs(const struct fdt *f, uint32_t node, const struct frame *parent,
		     struct fdt_range *tab, int *n, int cap)
{
	struct fdt_range r;

	for (uint32_t i = 0; *n < cap && reg_entry(f, node, parent, i, &r) == 0; i++)
		tab[(*n)++] = r;
}

static bool prop_is(const struct fdt *f, uint32_t node, const char *name, const char *val)
{
	struct fdt_prop p;

	return fdt_get_prop(f, node, name, &p) == 0 && fdt_prop_has_string(&p, val);
}

/* First cell of interrupts, or 0. */
static uint32_t first_irq(const struct fdt *f, uint32_t node)
{
	struct fdt_prop p;
	uint64_t v = 0;
	uint32_t pos = 0;

	if (fdt_get_prop(f, node, "interrupts", &p) == 0)
		fdt_cell_read(&p, &pos, 1, &v);
	return (uint32_t)v;
}

static void visit_cpu(const struct fdt *f, struct fdt_machine *m, uint32_t node,
		      const struct frame *parent)
{
	struct fdt_prop p;
	struct fdt_range r;
	bool ok = fdt_get_prop(f, node, "status", &p) != 0 || prop_is(f, node, "status", "okay") ||
		  prop_is(f, node, "status", "ok");

	if (!ok || !prop_is(f, node, "device_type", "cpu") || m->nharts >= FDT_MAX_HARTS)
		return;
	/* A cpu's reg is its hart id: address cells only, no size. */
	struct frame cells = {parent->node, parent->kind, parent->ac, 0};
	if (reg_entry(f, node, &cells, 0, &r) == 0)
		m->harts[m->nharts++] = (uint32_t)r.base;
}

static void visit_chosen(const struct fdt *f, struct fdt_machine *m, uint32_t node)
{
	struct fdt_prop p;

	if (fdt_get_prop(f, node, "bootargs", &p) == 0) {
		size_t n = strnlen(p.val, p.len);
		if (n > sizeof(m->bootargs) - 1)
			n = sizeof(m->bootargs) - 1;
		memcpy(m->bootargs, p.val, n);
		m->bootargs[n] = '\0';
	}
	if (fdt_get_prop(f, node, "linux,initrd-start", &p) == 0)
		fdt_prop_u64(&p, &m->initrd_start);
	if (fdt_get_prop(f, node, "linux,initrd-end", &p) == 0)
		fdt_prop_u64(&p, &m->initrd_end);
}

/* Devices are found by compatible, wherever they sit. */
static void visit_device(const struct fdt *f, struct fdt_machine *m, uint32_t node,
			 const struct frame *parent)
{
	struct fdt_prop p;
	struct fdt_range r;

	if (fdt_get_prop(f, node, "compatible", &p) || reg_entry(f, node, parent, 0, &r))
		return;
	if (fdt_prop_has_string(&p, "ns16550a") && !m->uart_base) {
		m->uart_base = r.base;
		m->uart_irq = first_irq(f, node);
	} else if ((fdt_prop_has_string(&p, "riscv,plic0") ||
		    fdt_prop_has_string(&p, "sifive,plic-1.0.0")) &&
		   !m->plic_base) {
		struct fdt_prop nd;
		m->plic_base = r.base;
		m->plic_size = r.size;
		if (fdt_get_prop(f, node, "riscv,ndev", &nd) == 0)
			fdt_prop_u32(&nd, &m->plic_ndev);
	} else if (fdt_prop_has_string(&p, "virtio,mmio") && m->nvirtio < FDT_MAX_VIRTIO) {
		m->virtio[m->nvirtio].base = r.base;
		m->virtio[m->nvirtio].size = r.size;
		m->virtio[m->nvirtio].irq = first_irq(f, node);
		m->nvirtio++;
	}
}

static bool is_memory_name(const char *name)
{
	return strcmp(name, "memory") == 0 || strncmp(name, "memory@", 7) == 0;
}

/* Classify node (a child of parent, NULL for the root) and take what it offers. */
static int visit_node(const struct fdt *f, struct fdt_machine *m, uint32_t node,
		      const struct frame *parent, struct frame *self)
{
	struct fdt_prop p;
	const char *name;

	self->node = node;
	self->kind = parent ? NK_OTHER : NK_ROOT;
	if (fdt_node_name(f, node, &name) || fdt_child_cells(f, node, &self->ac, &self->sc))
		return -EINVAL;
	if (!parent)
		return 0;
	if (parent->kind == NK_ROOT) {
		if (strcmp(name, "cpus") == 0) {
			self->kind = NK_CPUS;
			if (fdt_get_prop(f, node, "timebase-frequency", &p) == 0)
				fdt_prop_u64(&p, &m->timebase_hz);
		} else if (strcmp(name, "chosen") == 0) {
			visit_chosen(f, m, node);
		} else if (strcmp(name, "reserved-memory") == 0) {
			self->kind = NK_RESMEM;
		} else if (is_memory_name(name)) {
			add_regs(f, node, parent, m->mem, &m->nmem, FDT_MAX_MEM);
		}
	} else if (parent->kind == NK_CPUS) {
		visit_cpu(f, m, node, parent);
	} else if (parent->kind == NK_RESMEM) {
		add_regs(f, node, parent, m->resv, &m->nresv, FDT_MAX_RESV);
	}
	visit_device(f, m, node, parent);
	return 0;
}

static int walk_tree(const struct fdt *f, struct fdt_machine *m)
{
	struct frame stack[FDT_MAX_DEPTH];
	struct token t;
	uint32_t off = f->root;
	int depth = 0;

	for (;;) {
		if (read_token(f, off, &t) || t.type == TOK_END)
			return -EINVAL;
		if (t.type == TOK_BEGIN_NODE) {
			if (depth == FDT_MAX_DEPTH)
				return -EINVAL;
			if (visit_node(f, m, off, depth ? &stack[depth - 1] : NULL, &stack[depth]))
				return -EINVAL;
			depth++;
		} else if (t.type == TOK_END_NODE) {
			if (--depth == 0)
				return 0;
		}
		off = t.next;
	}
}

static int read_rsvmap(const struct fdt *f, struct fdt_machine *m)
{
	struct fdt_range r;
	int err;

	for (uint32_t i = 0; (err = fdt_rsv_entry(f, i, &r)) == 0; i++)
		if (m->nresv < FDT_MAX_RESV)
			m->resv[m->nresv++] = r;
	return err == -ENOENT ? 0 : err;
}

int fdt_parse_machine(const void *blob, size_t maxlen, struct fdt_machine *m)
{
	struct fdt f;

	memset(m, 0, sizeof(*m));
	if (fdt_init(&f, blob, maxlen))
		return -EINVAL;
	m->totalsize = f.totalsize;
	if (read_rsvmap(&f, m))
		return -EINVAL;
	return walk_tree(&f, m);
}
