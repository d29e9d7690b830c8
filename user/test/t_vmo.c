/*
 * VMOs and VMARs through the native calls: read/write, lazy commit (free
 * pages counted by kstat), resize, copy-on-write clone isolation (through
 * calls and through mappings), mapping, W^X, protect bounded by the VMO
 * handle's rights, and every call refused (-EACCES) for each missing right.
 */
#include <sys/mman.h>
#include "t_nat.h"

#define PG 4096

static void test_rw(void)
{
	uint32_t v;
	char buf[3 * PG], in[3 * PG];
	uint64_t size = 0;

	T_EQ(n_vmo_create(3 * PG - 5, 0, &v), 0);
	T_EQ(n_vmo_get_size(v, &size), 0);
	T_EQ(size, 3 * PG); /* rounded up to pages */
	memset(buf, 0x5a, sizeof(buf));
	T_EQ(n_vmo_read(v, buf, sizeof(buf), 0), 0);
	for (int i = 0; i < 3 * PG; i++)
		if (buf[i]) {
			T_CHECK(!"fresh VMO reads as zeros");
			break;
		}
	for (int i = 0; i < 3 * PG; i++)
		in[i] = (char)(i * 7);
	T_EQ(n_vmo_write(v, in + 100, 2 * PG, 100), 0); /* straddles pages */
	T_EQ(n_vmo_read(v, buf, sizeof(buf), 0), 0);
	T_CHECK(buf[99] == 0 && !memcmp(buf + 100, in + 100, 2 * PG) && buf[2 * PG + 100] == 0);
	T_ERR(n_vmo_read(v, buf, 2, 3 * PG - 1), EINVAL); /* past the end */
	T_ERR(n_vmo_write(v, (void *)8, 16, 0), EFAULT);
	T_ERR(n_vmo_create(1ull << 40, 0, &v), EFBIG);
	T_EQ(n_close(v), 0);
}

static void test_lazy_commit(void)
{
	uint32_t v;
	long free0, free1, free2;
	char c = 1;

	T_EQ(n_vmo_create(64ull << 20, 0, &v), 0); /* 64 MiB costs nothing yet */
	free0 = n_kstat(WEFT_KSTAT_FREE_PAGES);
	T_EQ(n_vmo_read(v, &c, 1, 32ull << 20), 0); /* reading commits nothing */
	T_EQ(c, 0);
	free1 = n_kstat(WEFT_KSTAT_FREE_PAGES);
	T_CHECK(free0 - free1 < 4);
	for (int i = 0; i < 16; i++)
		T_EQ(n_vmo_write(v, &c, 1, (uint64_t)i << 22), 0); /* 16 pages, 4 MiB apart */
	free2 = n_kstat(WEFT_KSTAT_FREE_PAGES);
	T_CHECK(free1 - free2 >= 16 && free1 - free2 < 16 + 24); /* pages plus a few leaves */
	T_EQ(n_close(v), 0);
	T_CHECK(n_kstat(WEFT_KSTAT_FREE_PAGES) >= free0 - 4);
}

static void test_resize(void)
{
	uint32_t v;
	uint64_t size;
	char c = 9, d = 1;

	T_EQ(n_vmo_create(PG, 0, &v), 0);
	T_EQ(n_vmo_set_size(v, 5 * PG), 0);
	T_EQ(n_vmo_write(v, &c, 1, 4 * PG + 7), 0);
	T_EQ(n_vmo_set_size(v, 2 * PG), 0);
	T_EQ(n_vmo_get_size(v, &size), 0);
	T_EQ(size, 2 * PG);
	T_ERR(n_vmo_read(v, &d, 1, 4 * PG + 7), EINVAL);
	T_EQ(n_vmo_set_size(v, 5 * PG), 0); /* grown back: the old byte is gone */
	T_EQ(n_vmo_read(v, &d, 1, 4 * PG + 7), 0);
	T_EQ(d, 0);
	T_EQ(n_close(v), 0);
}

static void test_clone(void)
{
	uint32_t p, c, vmar;
	char a[PG], b[PG], x;
	long addr;

	memset(a, 'P', PG);
	T_EQ(n_vmo_create(4 * PG, 0, &p), 0);
	T_EQ(n_vmo_write(p, a, PG, 0), 0);
	T_EQ(n_vmo_write(p, a, PG, 2 * PG), 0);
	T_EQ(n_vmo_clone(p, 0, 6 * PG, &c), 0);
	/* parent and clone write the same shared page: each sees only its own */
	T_EQ(n_vmo_write(p, "parent", 6, 0), 0);
	T_EQ(n_vmo_write(c, "clone", 5, 2 * PG), 0);
	T_EQ(n_vmo_read(c, b, PG, 0), 0);
	T_CHECK(!memcmp(b, a, PG));
	T_EQ(n_vmo_read(p, b, 6, 0), 0);
	T_CHECK(!memcmp(b, "parent", 6));
	T_EQ(n_vmo_read(p, b, PG, 2 * PG), 0);
	T_CHECK(!memcmp(b, a, PG));
	T_EQ(n_vmo_read(c, b, 5, 2 * PG), 0);
	T_CHECK(!memcmp(b, "clone", 5));
	T_EQ(n_vmo_read(c, &x, 1, 5 * PG), 0); /* past the parent's end: zeros */
	T_EQ(x, 0);
	/* a page written later in the parent does not show in the clone */
	T_EQ(n_vmo_write(p, "late", 4, PG), 0);
	T_EQ(n_vmo_read(c, &x, 1, PG), 0);
	T_EQ(x, 0);

	/* the parent mapped and written through memory, then cloned: isolated too */
	T_EQ(n_vmar_root(&vmar), 0);
	addr = n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_WRITE, 0, p, 0, 4 * PG);
	T_CHECK(addr > 0);
	if (addr > 0) {
		char *m = (char *)addr;
		uint32_t c2;

		T_CHECK(!memcmp(m, "parent", 6));
		m[3 * PG] = 'M';
		T_EQ(n_vmo_clone(p, 0, 4 * PG, &c2), 0);
		m[3 * PG] = 'N'; /* after the clone: the clone keeps 'M' */
		m[0] = 'Q';
		T_EQ(n_vmo_read(c2, &x, 1, 3 * PG), 0);
		T_EQ(x, 'M');
		T_EQ(n_vmo_read(c2, &x, 1, 0), 0);
		T_EQ(x, 'p');
		T_EQ(n_vmo_write(c2, "Z", 1, 3 * PG), 0);
		T_EQ(m[3 * PG], 'N');
		T_ERR(n_vmo_set_size(p, PG), EBUSY); /* mapped: may not shrink */
		T_EQ(n_vmar_unmap(vmar, (uintptr_t)addr, 4 * PG), 0);
		T_EQ(n_vmo_set_size(p, PG), 0);
		T_EQ(n_close(c2), 0);
	}
	T_EQ(n_close(vmar), 0);
	T_EQ(n_close(p), 0);
	T_EQ(n_vmo_read(c, b, 5, 2 * PG), 0); /* the clone outlives its parent */
	T_CHECK(!memcmp(b, "clone", 5));
	T_EQ(n_close(c), 0);
}

static void test_map(void)
{
	uint32_t v, vx, vmar, ro;
	long addr, a2;

	T_EQ(n_vmo_create(2 * PG, 0, &v), 0);
	T_EQ(n_vmar_root(&vmar), 0);
	addr = n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_WRITE, 0, v, 0, 2 * PG);
	T_CHECK(addr > 0);
	if (addr <= 0)
		return;
	strcpy((char *)addr + PG, "through memory");
	char buf[32] = {0};
	T_EQ(n_vmo_read(v, buf, 15, PG), 0);
	T_CHECK(!strcmp(buf, "through memory"));
	T_EQ(n_vmo_write(v, "via call", 9, 0), 0);
	T_CHECK(!strcmp((char *)addr, "via call"));
	/* a second mapping of the same VMO sees the same bytes */
	a2 = n_vmar_map(vmar, WEFT_VM_READ, 0, v, PG, PG);
	T_CHECK(a2 > 0 && !strcmp((char *)a2, "through memory"));
	/* W^X: never writable and executable at once */
	T_EQ(n_vmo_create(PG, WEFT_VMO_EXECUTABLE, &vx), 0);
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_WRITE | WEFT_VM_EXEC, 0, vx, 0, PG), EPERM);
	T_ERR(n_vmar_protect(vmar, (uintptr_t)addr, PG, 7), EPERM);
	long ax = n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_EXEC, 0, vx, 0, PG);
	T_CHECK(ax > 0);
	T_ERR(n_vmar_protect(vmar, (uintptr_t)ax, PG, 7), EPERM);
	/* without EXEC on the VMO handle: no executable mapping, not even later */
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_EXEC, 0, v, 0, PG), EACCES);
	T_ERR(n_vmar_protect(vmar, (uintptr_t)addr, PG, WEFT_VM_READ | WEFT_VM_EXEC), EACCES);
	/* a read-only VMO handle maps read-only, and protect cannot add write */
	ro = n_restrict(v, WEFT_RIGHT_READ | WEFT_RIGHT_MAP);
	T_CHECK(ro != 0);
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_WRITE, 0, ro, 0, PG), EACCES);
	long ar = n_vmar_map(vmar, WEFT_VM_READ, 0, ro, 0, PG);
	T_CHECK(ar > 0);
	T_ERR(n_vmar_protect(vmar, (uintptr_t)ar, PG, WEFT_VM_READ | WEFT_VM_WRITE), EACCES);
	T_EQ(n_vmar_protect(vmar, (uintptr_t)addr, PG, WEFT_VM_READ), 0);
	/* a specific address: exactly there, or -EEXIST when taken */
	long sp = n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_SPECIFIC, 0x2000000000, v, 0, PG);
	T_EQ(sp, 0x2000000000);
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_SPECIFIC, 0x2000000000, v, 0, PG), EEXIST);
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ, 0, v, PG, 2 * PG), EINVAL); /* past the end */
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ, 0, v, 1, PG), EINVAL);
	n_vmar_unmap(vmar, (uintptr_t)sp, PG);
	n_vmar_unmap(vmar, (uintptr_t)ar, PG);
	n_vmar_unmap(vmar, (uintptr_t)ax, PG);
	n_vmar_unmap(vmar, (uintptr_t)a2, PG);
	T_EQ(n_vmar_unmap(vmar, (uintptr_t)addr, 2 * PG), 0);
	n_close(ro);
	n_close(vx);
	n_close(vmar);
	n_close(v);
}

/* Each call, with a handle missing exactly the right it needs: -EACCES. */
static void test_rights(void)
{
	uint32_t v, vmar, h, out;
	uint64_t size;
	char c = 0;
	const uint32_t all = WEFT_VMO_RIGHTS;

	T_EQ(n_vmo_create(PG, 0, &v), 0);
	T_EQ(n_vmar_root(&vmar), 0);
	h = n_restrict(v, all & ~WEFT_RIGHT_READ);
	T_ERR(n_vmo_read(h, &c, 1, 0), EACCES);
	T_ERR(n_vmo_clone(h, 0, PG, &out), EACCES);
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ, 0, h, 0, PG), EACCES);
	n_close(h);
	h = n_restrict(v, all & ~WEFT_RIGHT_WRITE);
	T_ERR(n_vmo_write(h, &c, 1, 0), EACCES);
	T_ERR(n_vmo_set_size(h, 2 * PG), EACCES);
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ | WEFT_VM_WRITE, 0, h, 0, PG), EACCES);
	n_close(h);
	h = n_restrict(v, all & ~WEFT_RIGHT_INSPECT);
	T_ERR(n_vmo_get_size(h, &size), EACCES);
	n_close(h);
	h = n_restrict(v, all & ~WEFT_RIGHT_DUPLICATE);
	T_ERR(n_vmo_clone(h, 0, PG, &out), EACCES);
	n_close(h);
	h = n_restrict(v, all & ~WEFT_RIGHT_MAP);
	T_ERR(n_vmar_map(vmar, WEFT_VM_READ, 0, h, 0, PG), EACCES);
	n_close(h);
	/* the VMAR handle: MAP for every change, and the rights of the protection */
	h = n_restrict(vmar, WEFT_VMAR_RIGHTS & ~WEFT_RIGHT_MAP);
	T_ERR(n_vmar_map(h, WEFT_VM_READ, 0, v, 0, PG), EACCES);
	T_ERR(n_vmar_unmap(h, 0x1000000, PG), EACCES);
	T_ERR(n_vmar_protect(h, 0x1000000, PG, WEFT_VM_READ), EACCES);
	n_close(h);
	h = n_restrict(vmar, WEFT_VMAR_RIGHTS & ~WEFT_RIGHT_WRITE);
	T_ERR(n_vmar_map(h, WEFT_VM_READ | WEFT_VM_WRITE, 0, v, 0, PG), EACCES);
	n_close(h);
	h = n_restrict(vmar, WEFT_VMAR_RIGHTS & ~WEFT_RIGHT_READ);
	T_ERR(n_vmar_map(h, WEFT_VM_READ, 0, v, 0, PG), EACCES);
	n_close(h);
	/* wrong types */
	T_ERR(n_vmo_read(vmar, &c, 1, 0), EPROTOTYPE);
	T_ERR(n_vmar_map(v, WEFT_VM_READ, 0, v, 0, PG), EPROTOTYPE);
	T_ERR(n_vmo_read(0x7777, &c, 1, 0), EBADF);
	n_close(vmar);
	n_close(v);
}

int main(void)
{
	if (!t_is_weft()) {
		T_SKIP("native calls are Weft's");
		T_DONE();
	}
	test_rw();
	test_lazy_commit();
	test_resize();
	test_clone();
	test_map();
	test_rights();
	T_DONE();
}
