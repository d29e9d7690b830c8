/*
 * Host tests for handle tables, leases and object references (kernel/obj:
 * handle.c, lease.c, object.c) over the real slab and page allocators.
 *
 * Test objects count their destroys, so every test can check that references
 * balance. The rights tests are exhaustive: every held rights set against
 * every needed set for get, dup, replace and take. The stale-handle tests
 * reuse one slot past its last generation and check that no old value ever
 * reaches a later object. The last test runs revoke against concurrent
 * decodes, dups and table growth on four pthreads, each its own "CPU".
 */
#include "ht.h"
#include <core/pmm.h>
#include <core/slab.h>
#include <obj/handle.h>
#include <obj/lease.h>
#include <obj/object.h>
#include <weft/errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

void host_set_cpu(unsigned);

#define NRIGHTS	  10

static void setup(void)
{
	ht_ram_setup();
}

/* A test object: a timer-typed kobject that counts its destroys. */
struct tobj {
	struct kobject obj;
	int tag;
};

static long tobj_destroyed;

static void tobj_destroy(struct kobject *o)
{
	__atomic_fetch_add(&tobj_destroyed, 1, __ATOMIC_RELAXED);
	kfree(kobject_entry(o, struct tobj, obj));
}

static void tobj_info(const struct kobject *o, struct weft_obj_info *info)
{
	info->protocol = 0x54455354;
	info->version = 3;
	info->features = 0x5a;
	info->type = 999; /* must be overridden by kobject_get_info */
}

static const struct kobject_ops tobj_ops = {
    .type = WEFT_OBJ_TIMER,
    .name = "test",
    .destroy = tobj_destroy,
    .get_info = tobj_info,
};

static struct kobject *tobj_new(int tag)
{
	struct tobj *t = kzalloc(sizeof(*t));

	if (!t)
		abort();
	kobject_init(&t->obj, &tobj_ops);
	t->tag = tag;
	return &t->obj;
}

static int tag_of(struct kobject *o)
{
	return kobject_entry(o, struct tobj, obj)->tag;
}

static __thread uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

HT_TEST(alloc_get_close)
{
	struct handle_table t;
	struct kobject *o, *got = NULL;
	rights_t r = 0;
	handle_t h;
	long d0 = tobj_destroyed;

	setup();
	handle_table_init(&t, 0);
	o = tobj_new(7);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHT_READ | WEFT_RIGHT_WRITE, NULL, &h), 0);
	HT_CHECK(h != WEFT_HANDLE_INVALID);
	HT_CHECK_EQ(kobject_refs(o), 2);
	HT_CHECK_EQ(handle_count(&t), 1);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_TIMER, WEFT_RIGHT_READ, &got, &r), 0);
	HT_CHECK(got == o);
	HT_CHECK_EQ(r, WEFT_RIGHT_READ | WEFT_RIGHT_WRITE);
	HT_CHECK_EQ(kobject_refs(o), 3);
	kobject_put(got);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_ANY, 0, &got, NULL), 0);
	kobject_put(got);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_VMO, 0, &got, NULL), -WEFT_EWRONGTYPE);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_TIMER, WEFT_RIGHT_MAP, &got, NULL), -EACCES);
	kobject_put(o);
	HT_CHECK_EQ(tobj_destroyed, d0);
	HT_CHECK_EQ(handle_close(&t, h), 0);
	HT_CHECK_EQ(tobj_destroyed, d0 + 1);
	HT_CHECK_EQ(handle_close(&t, h), -EBADF);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	HT_CHECK_EQ(handle_count(&t), 0);
	handle_table_destroy(&t);
}

HT_TEST(forged_handles_are_ebadf)
{
	struct handle_table t;
	struct kobject *o, *got;
	handle_t h;
	int bad = 0;

	setup();
	handle_table_init(&t, 0);
	o = tobj_new(1);
	HT_CHECK_EQ(handle_get(&t, 0, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHTS_ALL, NULL, &h), 0);
	HT_CHECK_EQ(handle_get(&t, 0, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	HT_CHECK_EQ(handle_get(&t, h & 0xffff, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF); /* gen 0 */
	HT_CHECK_EQ(handle_get(&t, h + 1, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF); /* unused index */
	HT_CHECK_EQ(handle_get(&t, h + 0x10000, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	HT_CHECK_EQ(handle_get(&t, 0xffffffffu, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	/* every value but h itself is refused */
	for (int i = 0; i < 200000; i++) {
		handle_t x = rnd();
		if (x == h)
			continue;
		bad += handle_get(&t, x, WEFT_OBJ_ANY, 0, &got, NULL) != -EBADF;
		bad += handle_close(&t, x) != -EBADF;
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(kobject_refs(o), 2);
	handle_table_destroy(&t);
	HT_CHECK_EQ(kobject_refs(o), 1);
	kobject_put(o);
}

/* Every held rights set against every needed set, for get and take. */
HT_TEST(rights_matrix_get_take)
{
	struct handle_table t;
	struct kobject *o = NULL, *got;
	struct lease *l;
	rights_t r;
	handle_t h;
	long bad = 0;

	setup();
	handle_table_init(&t, 0);
	o = tobj_new(2);
	for (rights_t have = 0; have <= WEFT_RIGHTS_ALL; have++) {
		if (handle_alloc(&t, o, have, NULL, &h))
			abort();
		for (rights_t need = 0; need <= WEFT_RIGHTS_ALL; need++) {
			int want = (need & ~have) ? -EACCES : 0;
			int err = handle_get(&t, h, WEFT_OBJ_TIMER, need, &got, &r);
			bad += err != want;
			if (!err) {
				bad += got != o || r != have;
				kobject_put(got);
			}
		}
		for (rights_t need = 0; need <= WEFT_RIGHTS_ALL; need++) {
			rights_t full = need | WEFT_RIGHT_TRANSFER;
			int want = (full & ~have) ? -EACCES : 0;
			int err = handle_take(&t, h, need, &got, &r, &l);
			bad += err != want;
			if (!err) {
				bad += got != o || r != have || l != NULL;
				if (handle_alloc(&t, got, r, l, &h))
					abort();
				kobject_put(got);
			}
		}
		bad += handle_close(&t, h) != 0;
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(kobject_refs(o), 1);
	handle_table_destroy(&t);
	kobject_put(o);
}

/* Every held rights set against every requested set, for dup and replace. */
HT_TEST(rights_matrix_dup_replace)
{
	struct handle_table t;
	struct kobject *o, *got;
	rights_t r;
	handle_t h, h2;
	long bad = 0;

	setup();
	handle_table_init(&t, 0);
	o = tobj_new(3);
	for (rights_t have = 0; have <= WEFT_RIGHTS_ALL; have++) {
		if (handle_alloc(&t, o, have, NULL, &h))
			abort();
		for (rights_t want = 0; want <= WEFT_RIGHTS_ALL; want++) {
			int exp = !(have & WEFT_RIGHT_DUPLICATE) ? -EACCES
				  : (want & ~have)		 ? -EINVAL
								 : 0;
			int err = handle_dup(&t, h, want, NULL, &h2);
			bad += err != exp;
			if (err)
				continue;
			bad += h2 == h;
			bad += handle_get(&t, h2, WEFT_OBJ_ANY, 0, &got, &r) != 0;
			bad += r != want || got != o;
			kobject_put(got);
			bad += handle_close(&t, h2) != 0;
		}
		for (rights_t want = 0; want <= WEFT_RIGHTS_ALL; want++) {
			int exp = (want & ~have) ? -EINVAL : 0;
			int err = handle_replace(&t, h, want, &h2);
			bad += err != exp;
			if (err) {
				/* a failed replace leaves h as it was */
				bad += handle_get(&t, h, WEFT_OBJ_ANY, have, &got, NULL) != 0;
				kobject_put(got);
				continue;
			}
			bad += handle_get(&t, h, WEFT_OBJ_ANY, 0, &got, NULL) != -EBADF;
			bad += handle_get(&t, h2, WEFT_OBJ_ANY, 0, &got, &r) != 0;
			bad += r != want;
			kobject_put(got);
			/* back to the full set for the next request */
			bad += handle_close(&t, h2) != 0;
			if (handle_alloc(&t, o, have, NULL, &h))
				abort();
		}
		bad += handle_close(&t, h) != 0;
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(handle_count(&t), 0);
	HT_CHECK_EQ(kobject_refs(o), 1);
	handle_table_destroy(&t);
	kobject_put(o);
}

HT_TEST(dup_only_shrinks)
{
	struct handle_table t;
	struct kobject *o, *got;
	rights_t r;
	handle_t h[NRIGHTS + 1], x;

	setup();
	handle_table_init(&t, 0);
	o = tobj_new(4);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHTS_ALL, NULL, &h[0]), 0);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHTS_ALL + 1, NULL, &x), -EINVAL);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHTS_SAME, NULL, &x), -EINVAL);
	/* drop one right per step, keeping DUPLICATE for last */
	rights_t cur = WEFT_RIGHTS_ALL;
	for (int i = 0; i < NRIGHTS; i++) {
		rights_t drop =
		    i == NRIGHTS - 1 ? WEFT_RIGHT_DUPLICATE : 1u << (i >= 5 ? i + 1 : i);
		HT_CHECK_EQ(handle_dup(&t, h[i], cur, NULL, &x), 0); /* same set is fine */
		HT_CHECK_EQ(handle_close(&t, x), 0);
		HT_CHECK_EQ(handle_dup(&t, h[i], cur & ~drop, NULL, &h[i + 1]), 0);
		/* the smaller handle cannot get the right back */
		if (i < NRIGHTS - 1)
			HT_CHECK_EQ(handle_dup(&t, h[i + 1], cur, NULL, &x), -EINVAL);
		cur &= ~drop;
	}
	HT_CHECK_EQ(cur, 0);
	HT_CHECK_EQ(handle_dup(&t, h[NRIGHTS], 0, NULL, &x), -EACCES);
	HT_CHECK_EQ(handle_dup(&t, h[0], WEFT_RIGHTS_SAME, NULL, &x), 0);
	HT_CHECK_EQ(handle_get(&t, x, WEFT_OBJ_ANY, 0, &got, &r), 0);
	HT_CHECK_EQ(r, WEFT_RIGHTS_ALL);
	kobject_put(got);
	HT_CHECK_EQ(handle_dup(&t, h[0], WEFT_RIGHTS_SAME | WEFT_RIGHT_READ, NULL, &x), -EINVAL);
	HT_CHECK_EQ(handle_dup(&t, h[0], 1u << 20, NULL, &x), -EINVAL);
	HT_CHECK_EQ(handle_replace(&t, h[3], WEFT_RIGHTS_SAME, &x), 0);
	HT_CHECK_EQ(handle_get(&t, x, WEFT_OBJ_ANY, 0, &got, &r), 0);
	HT_CHECK_EQ(r, WEFT_RIGHTS_ALL & ~7u);
	kobject_put(got);
	HT_CHECK_EQ(handle_count(&t), NRIGHTS + 2);
	HT_CHECK_EQ(kobject_refs(o), NRIGHTS + 3);
	handle_table_destroy(&t);
	HT_CHECK_EQ(kobject_refs(o), 1);
	kobject_put(o);
}

HT_TEST(take_moves_references)
{
	struct handle_table a, b;
	struct kobject *o, *got;
	struct lease *l, *lo;
	rights_t r;
	handle_t h, h2;

	setup();
	handle_table_init(&a, 0);
	handle_table_init(&b, 0);
	o = tobj_new(5);
	HT_CHECK_EQ(lease_create(&l), 0);
	HT_CHECK_EQ(handle_alloc(&a, o, WEFT_RIGHT_TRANSFER | WEFT_RIGHT_READ, l, &h), 0);
	HT_CHECK_EQ(kobject_refs(&l->obj), 2);
	HT_CHECK_EQ(handle_take(&a, h, WEFT_RIGHT_WRITE, &got, &r, &lo), -EACCES);
	HT_CHECK_EQ(handle_take(&a, h, WEFT_RIGHT_READ, &got, &r, &lo), 0);
	HT_CHECK(got == o && lo == l);
	HT_CHECK_EQ(r, WEFT_RIGHT_TRANSFER | WEFT_RIGHT_READ);
	HT_CHECK_EQ(handle_count(&a), 0);
	HT_CHECK_EQ(handle_get(&a, h, WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	/* the references were moved, not copied */
	HT_CHECK_EQ(kobject_refs(o), 2);
	HT_CHECK_EQ(kobject_refs(&l->obj), 2);
	HT_CHECK_EQ(handle_alloc(&b, got, r, lo, &h2), 0);
	kobject_put(got);
	kobject_put(&lo->obj);
	HT_CHECK_EQ(kobject_refs(o), 2);
	/* the lease travelled: revoking it reaches the receiver's handle */
	lease_revoke(l);
	HT_CHECK_EQ(handle_get(&b, h2, WEFT_OBJ_ANY, 0, &got, NULL), -WEFT_EREVOKED);
	HT_CHECK_EQ(handle_take(&b, h2, 0, &got, &r, &lo), -WEFT_EREVOKED);
	HT_CHECK_EQ(handle_count(&b), 1);
	HT_CHECK_EQ(handle_close(&b, h2), 0);
	HT_CHECK_EQ(kobject_refs(&l->obj), 1);
	kobject_put(&l->obj);
	kobject_put(o);
	handle_table_destroy(&a);
	handle_table_destroy(&b);
}

/* Error order: bad handle, then revoked, then type, then rights. */
HT_TEST(error_precedence)
{
	struct handle_table t;
	struct kobject *o, *got;
	struct lease *l;
	handle_t h;

	setup();
	handle_table_init(&t, 0);
	o = tobj_new(6);
	HT_CHECK_EQ(lease_create(&l), 0);
	HT_CHECK_EQ(handle_alloc(&t, o, 0, l, &h), 0);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_VMO, WEFT_RIGHT_READ, &got, NULL), -WEFT_EWRONGTYPE);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_TIMER, WEFT_RIGHT_READ, &got, NULL), -EACCES);
	lease_revoke(l);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_VMO, WEFT_RIGHT_READ, &got, NULL), -WEFT_EREVOKED);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_TIMER, 0, &got, NULL), -WEFT_EREVOKED);
	HT_CHECK_EQ(handle_dup(&t, h, 0, NULL, &h), -WEFT_EREVOKED);
	HT_CHECK_EQ(handle_close(&t, h), 0);
	HT_CHECK_EQ(handle_get(&t, h, WEFT_OBJ_VMO, WEFT_RIGHT_READ, &got, NULL), -EBADF);
	HT_CHECK(WEFT_EREVOKED != EBADF && WEFT_EWRONGTYPE != EBADF && WEFT_EREVOKED != EACCES);
	kobject_put(&l->obj);
	kobject_put(o);
	handle_table_destroy(&t);
}

/*
 * One slot reused 100,000 times with one handle open at a time: slot 0 runs
 * through generations 1..65535 and retires, then slot 1 takes over. No value
 * repeats, and every old value stays -EBADF while a later object is open.
 */
#define REUSES 100000

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

HT_TEST(stale_handles_never_alias)
{
	static handle_t seen[REUSES];
	struct handle_table t;
	struct kobject *got;
	long bad = 0, checks = 0;

	setup();
	handle_table_init(&t, 0);
	for (int i = 0; i < REUSES; i++) {
		struct kobject *o = tobj_new(i);
		if (handle_alloc(&t, o, WEFT_RIGHT_READ, NULL, &seen[i]))
			abort();
		kobject_put(o);
		uint32_t idx = seen[i] & 0xffff, gen = seen[i] >> 16;
		bad += idx != (i < 65535 ? 0u : 1u);
		bad += gen != (uint32_t)(i < 65535 ? i + 1 : i - 65535 + 1);
		/* every 997th object: all earlier values must miss it */
		if (i % 997 == 0 || i == REUSES - 1 || (i >= 65530 && i <= 65540)) {
			for (int j = 0; j < i; j++, checks++)
				bad +=
				    handle_get(&t, seen[j], WEFT_OBJ_ANY, 0, &got, NULL) != -EBADF;
			bad += handle_get(&t, seen[i], WEFT_OBJ_ANY, 0, &got, NULL) != 0;
			bad += tag_of(got) != i;
			kobject_put(got);
		}
		if (i < REUSES - 1)
			bad += handle_close(&t, seen[i]) != 0;
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK(checks > 5000000);
	qsort(seen, REUSES, sizeof(seen[0]), cmp_u32);
	int dups = 0;
	for (int i = 1; i < REUSES; i++)
		dups += seen[i] == seen[i - 1];
	HT_CHECK_EQ(dups, 0);
	HT_CHECK_EQ(handle_count(&t), 1);
	handle_table_destroy(&t);
}

/* A two-slot table runs out of handle values after 2 * 65535 allocations. */
HT_TEST(generations_run_out_not_wrap)
{
	struct handle_table t;
	struct kobject *o, *got;
	handle_t h, first[2] = {0, 0};
	int bad = 0;

	setup();
	handle_table_init(&t, 2);
	o = tobj_new(9);
	for (uint32_t i = 0; i < 2 * HANDLE_GEN_MAX; i++) {
		if (handle_alloc(&t, o, 0, NULL, &h)) {
			bad++;
			break;
		}
		if (i < 2)
			first[i] = h;
		bad += handle_close(&t, h) != 0;
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(handle_alloc(&t, o, 0, NULL, &h), -EMFILE);
	HT_CHECK_EQ(handle_get(&t, first[0], WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	HT_CHECK_EQ(handle_get(&t, first[1], WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);
	HT_CHECK_EQ(handle_count(&t), 0);
	HT_CHECK_EQ(kobject_refs(o), 1);
	handle_table_destroy(&t);
	kobject_put(o);
}

HT_TEST(table_growth_and_limit)
{
	enum { N = 5000 };
	static handle_t hs[N];
	static struct kobject *os[N];
	struct handle_table t;
	struct kobject *got;
	long d0 = tobj_destroyed;
	int bad = 0;

	setup();
	handle_table_init(&t, 0);
	for (int i = 0; i < N; i++) {
		os[i] = tobj_new(i);
		bad += handle_alloc(&t, os[i], WEFT_RIGHT_READ, NULL, &hs[i]) != 0;
		kobject_put(os[i]);
	}
	HT_CHECK(t.cap >= N && t.cap <= 2 * N);
	for (int i = 0; i < N; i++) {
		bad += handle_get(&t, hs[i], WEFT_OBJ_TIMER, WEFT_RIGHT_READ, &got, NULL) != 0;
		bad += got != os[i];
		kobject_put(got);
	}
	for (int i = 0; i < N; i += 2)
		bad += handle_close(&t, hs[i]) != 0;
	for (int i = 1; i < N; i += 2) {
		bad += handle_get(&t, hs[i], WEFT_OBJ_ANY, 0, &got, NULL) != 0;
		bad += tag_of(got) != i;
		kobject_put(got);
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(handle_count(&t), N / 2);
	handle_table_destroy(&t);
	HT_CHECK_EQ(tobj_destroyed, d0 + N);
	/* the table refuses handles once destroyed */
	struct kobject *o = tobj_new(0);
	HT_CHECK_EQ(handle_alloc(&t, o, 0, NULL, &hs[0]), -EMFILE);
	HT_CHECK_EQ(handle_get(&t, hs[1], WEFT_OBJ_ANY, 0, &got, NULL), -EBADF);

	/* a table limited to 100 slots */
	handle_table_init(&t, 100);
	for (int i = 0; i < 100; i++)
		bad += handle_alloc(&t, o, 0, NULL, &hs[i]) != 0;
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHT_DUPLICATE, NULL, &hs[100]), -EMFILE);
	HT_CHECK_EQ(handle_dup(&t, hs[0], 0, NULL, &hs[100]), -EACCES);
	HT_CHECK_EQ(handle_close(&t, hs[50]), 0);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHT_DUPLICATE, NULL, &hs[50]), 0);
	HT_CHECK_EQ(handle_dup(&t, hs[50], 0, NULL, &hs[100]), -EMFILE);
	HT_CHECK_EQ(handle_replace(&t, hs[50], 0, &hs[100]), -EMFILE);
	HT_CHECK_EQ(handle_count(&t), 100);
	HT_CHECK_EQ(t.cap, 100);
	handle_table_destroy(&t);
	HT_CHECK_EQ(kobject_refs(o), 1);
	kobject_put(o);
}

HT_TEST(revoke_reaches_attached_handles)
{
	struct handle_table t;
	struct kobject *o, *got;
	struct lease *l, *l2;
	handle_t plain, a, b, c, d, e;

	setup();
	handle_table_init(&t, 0);
	o = tobj_new(10);
	HT_CHECK_EQ(lease_create(&l), 0);
	HT_CHECK_EQ(lease_create(&l2), 0);
	HT_CHECK(lease_from_obj(&l->obj) == l && lease_from_obj(o) == NULL);
	HT_CHECK_EQ(l->obj.type, WEFT_OBJ_LEASE);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHTS_ALL, NULL, &plain), 0);
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHTS_ALL, l, &a), 0);
	/* b inherits a's lease; c gets it at dup; d by attach */
	HT_CHECK_EQ(handle_dup(&t, a, WEFT_RIGHTS_SAME, NULL, &b), 0);
	HT_CHECK_EQ(handle_dup(&t, a, WEFT_RIGHTS_SAME, l, &e), 0);
	HT_CHECK_EQ(handle_close(&t, e), 0);
	HT_CHECK_EQ(handle_dup(&t, plain, WEFT_RIGHT_READ | WEFT_RIGHT_DUPLICATE, l, &c), 0);
	HT_CHECK_EQ(handle_dup(&t, plain, WEFT_RIGHT_READ, NULL, &d), 0);
	HT_CHECK_EQ(handle_attach_lease(&t, d, l), 0);
	HT_CHECK_EQ(handle_attach_lease(&t, d, l), 0);
	/* leases do not nest and cannot be swapped */
	HT_CHECK_EQ(handle_attach_lease(&t, d, l2), -EBUSY);
	HT_CHECK_EQ(handle_dup(&t, a, WEFT_RIGHTS_SAME, l2, &e), -EBUSY);
	HT_CHECK_EQ(handle_attach_lease(&t, 12345, l2), -EBADF);
	HT_CHECK_EQ(kobject_refs(&l->obj), 5);
	handle_t att[] = {a, b, c, d};
	for (int i = 0; i < 4; i++) {
		HT_CHECK_EQ(handle_get(&t, att[i], WEFT_OBJ_TIMER, 0, &got, NULL), 0);
		kobject_put(got);
	}
	HT_CHECK(!lease_revoked(l));
	lease_revoke(l);
	lease_revoke(l); /* idempotent */
	HT_CHECK(lease_revoked(l));
	for (int i = 0; i < 4; i++) {
		HT_CHECK_EQ(handle_get(&t, att[i], WEFT_OBJ_TIMER, 0, &got, NULL), -WEFT_EREVOKED);
		HT_CHECK_EQ(handle_get(&t, att[i], WEFT_OBJ_ANY, 0, &got, NULL), -WEFT_EREVOKED);
		HT_CHECK_EQ(handle_dup(&t, att[i], WEFT_RIGHTS_SAME, NULL, &e), -WEFT_EREVOKED);
		HT_CHECK_EQ(handle_replace(&t, att[i], WEFT_RIGHTS_SAME, &e), -WEFT_EREVOKED);
	}
	HT_CHECK_EQ(handle_attach_lease(&t, a, l2), -WEFT_EREVOKED);
	/* the unattached handle is untouched */
	HT_CHECK_EQ(handle_get(&t, plain, WEFT_OBJ_TIMER, WEFT_RIGHT_READ, &got, NULL), 0);
	kobject_put(got);
	/* a handle born on a revoked lease is revoked; a live lease still works */
	HT_CHECK_EQ(handle_alloc(&t, o, WEFT_RIGHTS_ALL, l, &e), 0);
	HT_CHECK_EQ(handle_get(&t, e, WEFT_OBJ_ANY, 0, &got, NULL), -WEFT_EREVOKED);
	HT_CHECK_EQ(handle_close(&t, e), 0);
	HT_CHECK_EQ(handle_dup(&t, plain, WEFT_RIGHTS_SAME, l2, &e), 0);
	HT_CHECK_EQ(handle_get(&t, e, WEFT_OBJ_ANY, 0, &got, NULL), 0);
	kobject_put(got);
	for (int i = 0; i < 4; i++)
		HT_CHECK_EQ(handle_close(&t, att[i]), 0);
	HT_CHECK_EQ(kobject_refs(&l->obj), 1);
	HT_CHECK_EQ(kobject_refs(&l2->obj), 2);
	kobject_put(&l->obj);
	handle_table_destroy(&t);
	HT_CHECK_EQ(kobject_refs(&l2->obj), 1);
	kobject_put(&l2->obj);
	HT_CHECK_EQ(kobject_refs(o), 1);
	kobject_put(o);
}

HT_TEST(get_info_and_ids)
{
	struct weft_obj_info info;
	struct kobject *o = tobj_new(11), *o2 = tobj_new(12);
	struct lease *l;

	HT_CHECK_EQ(sizeof(info), 32);
	kobject_get_info(o, WEFT_RIGHT_READ | WEFT_RIGHT_INSPECT, &info);
	HT_CHECK_EQ(info.type, WEFT_OBJ_TIMER);
	HT_CHECK_EQ(info.protocol, 0x54455354);
	HT_CHECK_EQ(info.version, 3);
	HT_CHECK_EQ(info.features, 0x5a);
	HT_CHECK_EQ(info.rights, WEFT_RIGHT_READ | WEFT_RIGHT_INSPECT);
	HT_CHECK_EQ(info.id, o->id);
	HT_CHECK_EQ(info.reserved, 0);
	HT_CHECK(o->id != o2->id && o->id != 0);
	HT_CHECK_EQ(lease_create(&l), 0);
	kobject_get_info(&l->obj, 0, &info);
	HT_CHECK_EQ(info.type, WEFT_OBJ_LEASE);
	HT_CHECK_EQ(info.protocol, 0);
	HT_CHECK_EQ(info.id, l->obj.id);
	kobject_put(&l->obj);
	kobject_put(o);
	kobject_put(o2);
}

/*
 * Revoke against concurrent use. Each round, the revoker (CPU 4) revokes a
 * fresh lease at a random moment and then publishes the round number; two
 * readers (CPUs 1, 2) decode and dup the attached handles without pause and
 * check that once they have seen the publication every use fails with
 * -WEFT_EREVOKED, while an unattached handle always works. A churner (CPU 3)
 * allocates and closes handles so the array grows and moves under them.
 */
#define ROUNDS 300
#define NATT   8

struct race {
	struct handle_table t;
	struct kobject *obj;
	struct lease *lease;
	handle_t att[NATT];
	handle_t plain;
	pthread_barrier_t start, end;
	int done;	 /* round whose revoke has returned */
	long violations; /* atomic */
	long revoked_seen, live_seen;
};

/* A fresh table each round, so the churner makes its array grow and move. */
static void race_round_setup(struct race *r)
{
	handle_table_init(&r->t, 0);
	if (handle_alloc(&r->t, r->obj, WEFT_RIGHT_READ, NULL, &r->plain))
		abort();
	if (lease_create(&r->lease))
		abort();
	for (int i = 0; i < NATT; i++) {
		int err = i % 2
			      ? handle_dup(&r->t, r->att[i - 1], WEFT_RIGHTS_SAME, NULL, &r->att[i])
			      : handle_alloc(&r->t, r->obj, WEFT_RIGHTS_ALL, r->lease, &r->att[i]);
		if (err)
			abort();
	}
}

static void race_round_teardown(struct race *r)
{
	for (int i = 0; i < NATT; i++)
		if (handle_close(&r->t, r->att[i]))
			abort();
	if (handle_count(&r->t) != 1)
		abort();
	handle_table_destroy(&r->t);
	kobject_put(&r->lease->obj);
}

static void *race_reader(void *arg)
{
	struct race *r = arg;
	static int next_cpu = 1;
	host_set_cpu(__atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED));
	long bad = 0, rev = 0, live = 0;

	for (int round = 1; round <= ROUNDS; round++) {
		pthread_barrier_wait(&r->start);
		for (int tail = 0; tail < 50;) {
			int seen = __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) == round;
			struct kobject *got;
			handle_t h = r->att[rnd() % NATT], x;
			int err = handle_get(&r->t, h, WEFT_OBJ_TIMER, WEFT_RIGHT_READ, &got, NULL);
			if (!err)
				kobject_put(got);
			bad += err != -WEFT_EREVOKED && (seen || err);
			rev += err == -WEFT_EREVOKED;
			live += err == 0;
			err = handle_dup(&r->t, h, WEFT_RIGHT_READ, NULL, &x);
			bad += err != -WEFT_EREVOKED && (seen || err);
			if (!err)
				bad += handle_close(&r->t, x) != 0;
			if (handle_get(&r->t, r->plain, WEFT_OBJ_TIMER, 0, &got, NULL) == 0)
				kobject_put(got);
			else
				bad++;
			tail += seen;
		}
		pthread_barrier_wait(&r->end);
	}
	__atomic_fetch_add(&r->violations, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->revoked_seen, rev, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->live_seen, live, __ATOMIC_RELAXED);
	return NULL;
}

static void *race_churner(void *arg)
{
	struct race *r = arg;
	handle_t hs[64];
	long bad = 0;

	host_set_cpu(3);
	for (int round = 1; round <= ROUNDS; round++) {
		pthread_barrier_wait(&r->start);
		int n = (int)(rnd() % 64) + 1;
		for (int i = 0; i < n; i++)
			bad += handle_alloc(&r->t, r->obj, WEFT_RIGHT_READ, NULL, &hs[i]) != 0;
		for (int i = 0; i < n; i++)
			bad += handle_close(&r->t, hs[i]) != 0;
		pthread_barrier_wait(&r->end);
	}
	__atomic_fetch_add(&r->violations, bad, __ATOMIC_RELAXED);
	return NULL;
}

static void *race_revoker(void *arg)
{
	struct race *r = arg;

	host_set_cpu(4);
	for (int round = 1; round <= ROUNDS; round++) {
		pthread_barrier_wait(&r->start);
		for (volatile uint32_t spin = rnd() % 20000; spin; spin--)
			;
		lease_revoke(r->lease);
		__atomic_store_n(&r->done, round, __ATOMIC_RELEASE);
		pthread_barrier_wait(&r->end);
	}
	return NULL;
}

HT_TEST(concurrent_revoke)
{
	static struct race r;
	pthread_t th[4];

	setup();
	r.obj = tobj_new(13);
	pthread_barrier_init(&r.start, NULL, 5);
	pthread_barrier_init(&r.end, NULL, 5);
	pthread_create(&th[0], NULL, race_reader, &r);
	pthread_create(&th[1], NULL, race_reader, &r);
	pthread_create(&th[2], NULL, race_churner, &r);
	pthread_create(&th[3], NULL, race_revoker, &r);
	for (int round = 1; round <= ROUNDS; round++) {
		race_round_setup(&r);
		pthread_barrier_wait(&r.start);
		pthread_barrier_wait(&r.end);
		race_round_teardown(&r);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	HT_CHECK_EQ(r.violations, 0);
	HT_CHECK(r.revoked_seen > 0);
	HT_CHECK(r.live_seen > 0);
	printf("  revoke race: %d rounds, %ld decodes live, %ld revoked\n", ROUNDS, r.live_seen,
	       r.revoked_seen);
	HT_CHECK_EQ(kobject_refs(r.obj), 1);
	kobject_put(r.obj);
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.end);
}

HT_MAIN(HT_CASE(alloc_get_close), HT_CASE(forged_handles_are_ebadf),
	HT_CASE(rights_matrix_get_take), HT_CASE(rights_matrix_dup_replace),
	HT_CASE(dup_only_shrinks), HT_CASE(take_moves_references), HT_CASE(error_precedence),
	HT_CASE(stale_handles_never_alias), HT_CASE(generations_run_out_not_wrap),
	HT_CASE(table_growth_and_limit), HT_CASE(revoke_reaches_attached_handles),
	HT_CASE(get_info_and_ids), HT_CASE(concurrent_revoke))
