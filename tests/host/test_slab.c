/*
 * Host tests for the slab allocator and kmalloc (kernel/core/slab.c).
 *
 * The slab keeps global state (its caches and their slabs), so pmm is set up
 * once over a 64 MiB host buffer and every test shares it. Objects are filled
 * with a pattern derived from their address and size, and checked before they are
 * freed: an allocator that handed out overlapping objects, or objects smaller
 * than asked, fails the check. Statistics are compared with what the test itself
 * allocated. Misuse must panic (abort() on the host) and runs in a forked child.
 */
#include "ht.h"
#include <core/pmm.h>
#include <core/slab.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void host_set_cpu(unsigned);

static void setup(void)
{
	ht_ram_setup();
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned char pat(const void *obj, size_t i)
{
	return (unsigned char)(((uintptr_t)obj >> 4) * 31 + i * 7);
}

static void fill(void *obj, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)obj)[i] = pat(obj, i);
}

static int intact(const void *obj, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)obj)[i] != pat(obj, i))
			return 0;
	return 1;
}

struct find {
	const char *name;
	struct kmem_stat st;
	int found;
};

static void find_cb(const struct kmem_stat *st, void *arg)
{
	struct find *f = arg;

	if (!strcmp(st->name, f->name)) {
		f->st = *st;
		f->found++;
	}
}

static struct kmem_stat stat_of(const char *name)
{
	struct find f = {name, {0}, 0};

	kmem_stats(find_cb, &f);
	HT_CHECK_EQ(f.found, 1);
	return f.st;
}

HT_TEST(cache_sizes_and_alignment)
{
	static const struct {
		size_t size, align, objsize;
	} cases[] = {
	    {1, 0, 8},	       {7, 1, 8},	  {16, 0, 16},	    {24, 8, 24},
	    {100, 0, 104},     {100, 64, 128},	  {200, 32, 224},   {500, 0, 504},
	    {1000, 128, 1024}, {3000, 0, 3000},	  {5000, 16, 5008}, {4096, 4096, 4096},
	    {20000, 0, 20000}, {65536, 0, 65536},
	};
	static void *objs[300];

	setup();
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char *name = malloc(32);
		snprintf(name, 32, "test-%zu-%zu", cases[k].size, cases[k].align);
		struct kmem_cache *c = kmem_cache_create(name, cases[k].size, cases[k].align);
		size_t align = cases[k].align < 8 ? 8 : cases[k].align;
		int n = cases[k].size > 4096 ? 40 : 300;

		HT_CHECK(c != NULL);
		for (int i = 0; i < n; i++) {
			objs[i] = i % 2 ? kmem_alloc(c) : kmem_zalloc(c);
			HT_CHECK(objs[i] != NULL);
			HT_CHECK_EQ((uintptr_t)objs[i] % align, 0);
			if (i % 2 == 0)
				HT_CHECK_EQ(((unsigned char *)objs[i])[cases[k].size - 1], 0);
			fill(objs[i], cases[k].size);
		}
		struct kmem_stat st = stat_of(name);
		HT_CHECK_EQ(st.objsize, cases[k].objsize);
		HT_CHECK_EQ(st.inuse, n);
		HT_CHECK(st.total >= st.inuse);
		for (int i = 0; i < n; i++) {
			HT_CHECK(intact(objs[i], cases[k].size));
			kmem_free(c, objs[i]);
		}
		HT_CHECK_EQ(stat_of(name).inuse, 0);
	}
}

HT_TEST(bad_cache_args)
{
	setup();
	HT_CHECK(kmem_cache_create("zero", 0, 0) == NULL);
	HT_CHECK(kmem_cache_create("align3", 64, 3) == NULL);
	HT_CHECK(kmem_cache_create("align-huge", 64, PAGE_SIZE * 2) == NULL);
	HT_CHECK(kmem_cache_create("too-big", 1UL << 20, 0) == NULL);
}

HT_TEST(kmalloc_classes_and_large)
{
	static const size_t sizes[] = {0,    1,	   15,	  16,	 17,	    31,	      32,
				       33,   64,   100,	  128,	 255,	    256,      511,
				       512,  1000, 1024,  1025,	 2047,	    2048,     2049,
				       4096, 4097, 10000, 65536, 1UL << 20, 4UL << 20};
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	void *p[N][4];
	size_t base;

	setup();
	base = kmem_stats(NULL, NULL);
	for (int i = 0; i < N; i++) {
		size_t want = sizes[i] < 16 ? 16 : sizes[i];
		size_t cls = 16;

		while (cls < want)
			cls <<= 1;
		size_t al = cls < PAGE_SIZE ? cls : PAGE_SIZE;
		for (int j = 0; j < 4; j++) {
			p[i][j] = j ? kmalloc(sizes[i]) : kzalloc(sizes[i]);
			HT_CHECK(p[i][j] != NULL);
			HT_CHECK_EQ((uintptr_t)p[i][j] % al, 0);
			if (!j && sizes[i])
				HT_CHECK_EQ(((unsigned char *)p[i][j])[sizes[i] - 1], 0);
			fill(p[i][j], sizes[i]);
		}
		/* Each class (or page block) is charged at its rounded size. */
		base += 4 * cls;
		HT_CHECK_EQ(kmem_stats(NULL, NULL), base);
	}
	HT_CHECK(kmalloc(8UL << 20) == NULL); /* beyond the largest pmm block */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < 4; j++) {
			HT_CHECK(intact(p[i][j], sizes[i]));
			kfree(p[i][j]);
		}
	kfree(NULL);
	HT_CHECK_EQ(stat_of("kmalloc-16").inuse, 0);
	HT_CHECK_EQ(stat_of("kmalloc-2048").inuse, 0);
}

HT_TEST(stats_exact)
{
	setup();
	struct kmem_cache *c = kmem_cache_create("stats-100", 100, 0);
	size_t before = kmem_stats(NULL, NULL);
	void *o[1000];

	for (int i = 0; i < 1000; i++)
		o[i] = kmem_alloc(c);
	HT_CHECK_EQ(kmem_stats(NULL, NULL), before + 1000 * 104);
	struct kmem_stat st = stat_of("stats-100");
	HT_CHECK_EQ(st.inuse, 1000);
	HT_CHECK_EQ(st.total % (PAGE_SIZE / 104), 0); /* whole one-page slabs */
	for (int i = 0; i < 1000; i += 2)
		kmem_free(c, o[i]);
	HT_CHECK_EQ(stat_of("stats-100").inuse, 500);
	for (int i = 1; i < 1000; i += 2)
		kmem_free(c, o[i]);
	st = stat_of("stats-100");
	HT_CHECK_EQ(st.inuse, 0);
	/* Empty slabs go back to pmm: what is left fits in one slab plus magazines. */
	HT_CHECK(st.total <= 3 * (PAGE_SIZE / 104));
	HT_CHECK_EQ(kmem_stats(NULL, NULL), before);
}

/* Empty slabs are returned to pmm, so alloc/free cycles do not leak pages. */
HT_TEST(pages_return_to_pmm)
{
	setup();
	struct kmem_cache *c = kmem_cache_create("cycle-512", 512, 0);
	static void *o[4096];
	unsigned long before = pmm_free_pages();

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 4096; i++)
			o[i] = kmem_alloc(c);
		HT_CHECK(pmm_free_pages() + 500 <= before); /* 8 objects per page */
		for (int i = 0; i < 4096; i++)
			kmem_free(c, o[i]);
		/* Kept: one empty slab and the slabs of objects in the magazine. */
		HT_CHECK(pmm_free_pages() + 3 >= before);
	}
	HT_CHECK(stat_of("cycle-512").total <= 3 * 8);
}

/* Objects move between threads through a shared pool, so many are freed on a
 * different CPU than the one that allocated them. */
struct obj {
	void *p;
	size_t size;
	int cached; /* from storm_cache rather than kmalloc */
};

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct obj pool[256];
static int pool_n;
static struct kmem_cache *storm_cache;

struct worker {
	unsigned cpu;
	unsigned long bad;
};

/* Donate *o to the pool, or once it is full trade it for another thread's object. */
static void pool_swap(struct obj *o, uint64_t r)
{
	pthread_mutex_lock(&pool_mu);
	if (pool_n < 256) {
		pool[pool_n++] = *o;
		o->p = NULL;
	} else {
		struct obj t = pool[r % 256];
		pool[r % 256] = *o;
		*o = t;
	}
	pthread_mutex_unlock(&pool_mu);
}

static void release(struct obj *o, unsigned long *bad)
{
	*bad += !intact(o->p, o->size);
	if (o->cached)
		kmem_free(storm_cache, o->p);
	else
		kfree(o->p);
	o->p = NULL;
}

static void *storm_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t s = 0x9e3779b97f4a7c15ull * (w->cpu + 1);
	struct obj live[64] = {0};

	host_set_cpu(w->cpu);
	for (int op = 0; op < 60000; op++) {
		struct obj *o = &live[rnd(&s) % 64];

		if (o->p) {
			if (rnd(&s) % 4 == 0)
				pool_swap(o, rnd(&s));
			if (o->p)
				release(o, &w->bad);
			continue;
		}
		o->cached = rnd(&s) % 8 == 0;
		o->size = o->cached ? 72 : 1 + rnd(&s) % (rnd(&s) % 16 ? 600 : 9000);
		o->p = o->cached ? kmem_alloc(storm_cache) : kmalloc(o->size);
		if (!o->p) {
			w->bad++;
			continue;
		}
		fill(o->p, o->size);
	}
	for (int k = 0; k < 64; k++)
		if (live[k].p)
			release(&live[k], &w->bad);
	return NULL;
}

HT_TEST(threaded_storm)
{
	pthread_t t[4];
	struct worker w[4];

	setup();
	storm_cache = kmem_cache_create("storm-72", 72, 8);
	size_t before = kmem_stats(NULL, NULL);
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){i, 0};
		pthread_create(&t[i], NULL, storm_thread, &w[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		HT_CHECK_EQ(w[i].bad, 0);
	}
	unsigned long bad = 0;
	while (pool_n)
		release(&pool[--pool_n], &bad);
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(stat_of("storm-72").inuse, 0);
	HT_CHECK_EQ(kmem_stats(NULL, NULL), before);
}

/* Run fn in a child; true if it died by abort() (a panic on the host). */
static int panics(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		fn();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void free_ok(void)
{
	struct kmem_cache *a = kmem_cache_create("ok", 64, 0);
	kmem_free(a, kmem_alloc(a));
	kfree(kmalloc(100));
	kfree(kmalloc(10000));
}

static void free_wrong_cache(void)
{
	struct kmem_cache *a = kmem_cache_create("a", 64, 0);
	struct kmem_cache *b = kmem_cache_create("b", 64, 0);
	kmem_free(b, kmem_alloc(a));
}

static void free_inside_object(void)
{
	struct kmem_cache *a = kmem_cache_create("a", 64, 0);
	kmem_free(a, (char *)kmem_alloc(a) + 8);
}

static void kfree_inside_object(void)
{
	kfree((char *)kmalloc(100) + 16);
}

static void kfree_inside_large(void)
{
	kfree((char *)kmalloc(20000) + PAGE_SIZE);
}

static void kfree_pmm_page(void)
{
	kfree((void *)(uintptr_t)pmm_alloc(0));
}

static void kfree_stack(void)
{
	int x;
	kfree(&x);
}

static void pmm_free_slab_page(void)
{
	void *o = kmalloc(64);
	pmm_free((paddr_t)(uintptr_t)o & PAGE_MASK, 0);
}

static void free_twice_until_empty(void)
{
	struct kmem_cache *a = kmem_cache_create("big", 3000, 0);
	void *o = kmem_alloc(a);
	/* More frees than allocations must reach the slab with nothing in use. */
	for (int i = 0; i < 64; i++)
		kmem_free(a, o);
}

HT_TEST(misuse_panics)
{
	setup();
	HT_CHECK(!panics(free_ok));
	HT_CHECK(panics(free_wrong_cache));
	HT_CHECK(panics(free_inside_object));
	HT_CHECK(panics(kfree_inside_object));
	HT_CHECK(panics(kfree_inside_large));
	HT_CHECK(panics(kfree_pmm_page));
	HT_CHECK(panics(kfree_stack));
	HT_CHECK(panics(pmm_free_slab_page));
	HT_CHECK(panics(free_twice_until_empty));
}

HT_MAIN(HT_CASE(cache_sizes_and_alignment), HT_CASE(bad_cache_args),
	HT_CASE(kmalloc_classes_and_large), HT_CASE(stats_exact), HT_CASE(pages_return_to_pmm),
	HT_CASE(threaded_storm), HT_CASE(misuse_panics))
