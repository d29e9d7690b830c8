/*
 * Host tests for the buddy page allocator (kernel/core/pmm.c).
 *
 * "RAM" is a 32 MiB host buffer aligned to the largest block size, so physical
 * addresses (== host pointers here) have the same alignment properties as on the
 * machine. The free list given to pmm_init has holes and unaligned edges; each
 * test starts from a fresh pmm_init over the same layout, whose page counts are
 * worked out by hand below. Misuse (double free...) must panic, which the host HAL
 * turns into abort(): those cases run in a forked child.
 */
#include "ht.h"
#include <core/pmm.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

void host_set_cpu(unsigned);

#define RAM_PAGES 8192UL
#define MAX_BLOCK (PAGE_SIZE << PMM_MAX_ORDER)
#define P(n)	  ((paddr_t)(n)*PAGE_SIZE)
/* Layout in pages: the page array (64 pages) lands at the start of range A. */
#define ARRAY_PAGES 64UL
#define TOTAL_PAGES ((700 - 4 - ARRAY_PAGES) + (4999 - 1030) + (RAM_PAGES - 5001))
#define MAX_BLOCKS  5 /* order-10 blocks at pages 2048, 3072, 5120, 6144, 7168 */

static paddr_t ram;

static void fresh_pmm(void)
{
	if (!ram) {
		void *p;
		if (posix_memalign(&p, MAX_BLOCK, RAM_PAGES * PAGE_SIZE))
			abort();
		ram = (paddr_t)(uintptr_t)p;
	}
	const struct pmm_range free[] = {
	    {ram + P(3) + 100, ram + P(700)},	       /* A: rounds up to page 4 */
	    {ram + P(1030), ram + P(5000) - 7},	       /* B: rounds down to 4999 */
	    {ram + P(5001), ram + P(RAM_PAGES + 500)}, /* C: clipped at end of RAM */
	};
	pmm_init(ram, ram + P(RAM_PAGES), free, 3);
}

/* Is page index i (relative to ram) one the allocator may hand out? */
static int page_usable(unsigned long i)
{
	return (i >= 4 + ARRAY_PAGES && i < 700) || (i >= 1030 && i < 4999) ||
	       (i >= 5001 && i < RAM_PAGES);
}

static int block_ok(paddr_t pa, unsigned order)
{
	if (!pa || pa % (PAGE_SIZE << order))
		return 0;
	for (unsigned long i = 0; i < (1UL << order); i++)
		if (!page_usable((pa - ram) / PAGE_SIZE + i))
			return 0;
	return 1;
}

/* Allocate every max-order block, count them, free them again. */
static int count_max_blocks(void)
{
	paddr_t b[64];
	int n = 0;

	while (n < 64 && (b[n] = pmm_alloc(PMM_MAX_ORDER)))
		n++;
	for (int i = 0; i < n; i++)
		pmm_free(b[i], PMM_MAX_ORDER);
	return n;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

HT_TEST(init_counts)
{
	fresh_pmm();
	HT_CHECK_EQ(pmm_total_pages(), TOTAL_PAGES);
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES);
	HT_CHECK(pmm_page(ram - 1) == NULL);
	HT_CHECK(pmm_page(ram + P(RAM_PAGES)) == NULL);
	HT_CHECK(pmm_page(ram + P(RAM_PAGES) - 1) != NULL);
	HT_CHECK_EQ(pmm_page_pa(pmm_page(ram + P(5) + 7)), ram + P(5));
	HT_CHECK_EQ(pmm_refcount(ram + P(1)), 0);
	HT_CHECK_EQ(count_max_blocks(), MAX_BLOCKS);
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES);
}

HT_TEST(every_order)
{
	fresh_pmm();
	for (unsigned order = 0; order <= PMM_MAX_ORDER; order++) {
		unsigned long before = pmm_free_pages();
		paddr_t pa = pmm_alloc(order);

		HT_CHECK(block_ok(pa, order));
		HT_CHECK_EQ(pmm_refcount(pa), 1);
		HT_CHECK_EQ(pmm_free_pages(), before - (1UL << order));
		memset((void *)(uintptr_t)pa, 0xa5, PAGE_SIZE << order);
		pmm_free(pa, order);
		HT_CHECK_EQ(pmm_free_pages(), before);
		pa = pmm_alloc_zeroed(order);
		HT_CHECK(block_ok(pa, order));
		for (unsigned long i = 0; i < (PAGE_SIZE << order); i += 512)
			HT_CHECK_EQ(((unsigned char *)(uintptr_t)pa)[i], 0);
		pmm_free(pa, order);
	}
	HT_CHECK_EQ(pmm_alloc(PMM_MAX_ORDER + 1), 0);
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES);
}

HT_TEST(exhaustion_and_coalescing)
{
	static paddr_t pages[RAM_PAGES];
	static unsigned char seen[RAM_PAGES];
	unsigned long n = 0, dup = 0;

	fresh_pmm();
	memset(seen, 0, sizeof(seen));
	while ((pages[n] = pmm_alloc(0)) != 0) {
		unsigned long i = (pages[n] - ram) / PAGE_SIZE;

		if (!block_ok(pages[n], 0) || seen[i]++)
			dup++;
		n++;
	}
	HT_CHECK_EQ(n, TOTAL_PAGES);
	HT_CHECK_EQ(dup, 0);
	HT_CHECK_EQ(pmm_free_pages(), 0);
	HT_CHECK_EQ(pmm_alloc(0), 0);
	HT_CHECK_EQ(pmm_alloc(3), 0);
	/* Free in a scrambled order so merges happen out of address order. */
	for (unsigned long i = 0; i < n; i += 2)
		pmm_free(pages[i], 0);
	for (unsigned long i = n; i-- > 0;)
		if (i % 2)
			pmm_free(pages[i], 0);
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES);
	HT_CHECK_EQ(count_max_blocks(), MAX_BLOCKS);
}

HT_TEST(refcounts)
{
	fresh_pmm();
	paddr_t pa = pmm_alloc(0);
	unsigned long after_alloc = pmm_free_pages();

	HT_CHECK_EQ(pmm_refcount(pa), 1);
	pmm_ref(pa);
	pmm_ref(pa);
	HT_CHECK_EQ(pmm_refcount(pa), 3);
	pmm_unref(pa);
	pmm_unref(pa);
	HT_CHECK_EQ(pmm_refcount(pa), 1);
	HT_CHECK_EQ(pmm_free_pages(), after_alloc);
	pmm_unref(pa);
	HT_CHECK_EQ(pmm_refcount(pa), 0);
	HT_CHECK_EQ(pmm_free_pages(), after_alloc + 1);

	/* The last unref of a larger block frees the whole block. */
	pa = pmm_alloc(2);
	pmm_ref(pa);
	pmm_unref(pa);
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES - 4);
	pmm_unref(pa);
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES);
	HT_CHECK_EQ(count_max_blocks(), MAX_BLOCKS);
}

struct blk {
	paddr_t pa;
	unsigned order;
};

static void stamp(struct blk *b, uint64_t tag)
{
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		uint64_t *w = (uint64_t *)(uintptr_t)(b->pa + P(i));
		w[0] = b->pa + P(i) + tag;
		w[PAGE_SIZE / 8 - 1] = ~(b->pa + P(i) + tag);
	}
}

static int stamp_ok(struct blk *b, uint64_t tag)
{
	for (unsigned long i = 0; i < (1UL << b->order); i++) {
		uint64_t *w = (uint64_t *)(uintptr_t)(b->pa + P(i));
		if (w[0] != b->pa + P(i) + tag || w[PAGE_SIZE / 8 - 1] != ~(b->pa + P(i) + tag))
			return 0;
	}
	return 1;
}

static unsigned char shadow[RAM_PAGES]; /* 1 = page handed out; atomic in threads */

/* Mark (or clear) the pages of b in the shadow map; count pages already in that state. */
static unsigned long shadow_mark(struct blk *b, unsigned char v)
{
	unsigned long bad = 0, first = (b->pa - ram) / PAGE_SIZE;

	for (unsigned long i = 0; i < (1UL << b->order); i++)
		if (__atomic_exchange_n(&shadow[first + i], v, __ATOMIC_RELAXED) == v)
			bad++;
	return bad;
}

static unsigned random_order(uint64_t *s, unsigned max)
{
	uint64_t r = rnd(s) % 16;
	return r < 10 ? 0 : (unsigned)(r % (max + 1));
}

/* One storm worker: random allocs/frees, every block checked against the shadow map. */
static unsigned long storm(uint64_t seed, unsigned max_order, int ops)
{
	struct blk live[128];
	int nlive = 0;
	unsigned long bad = 0;
	const uint64_t tag = seed;

	for (int op = 0; op < ops; op++) {
		if (nlive < 128 && (nlive == 0 || rnd(&seed) % 3)) {
			struct blk b = {0, random_order(&seed, max_order)};

			b.pa = pmm_alloc(b.order);
			if (!b.pa)
				continue;
			bad += !block_ok(b.pa, b.order) + shadow_mark(&b, 1);
			stamp(&b, tag);
			live[nlive++] = b;
			continue;
		}
		int k = (int)(rnd(&seed) % (uint64_t)nlive);
		struct blk b = live[k];
		live[k] = live[--nlive];
		bad += !stamp_ok(&b, tag) + shadow_mark(&b, 0);
		pmm_free(b.pa, b.order);
	}
	while (nlive) {
		struct blk b = live[--nlive];
		bad += !stamp_ok(&b, tag) + shadow_mark(&b, 0);
		pmm_free(b.pa, b.order);
	}
	return bad;
}

HT_TEST(random_storm)
{
	fresh_pmm();
	memset(shadow, 0, sizeof(shadow));
	HT_CHECK_EQ(storm(0x1234567, PMM_MAX_ORDER, 40000), 0);
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES);
	HT_CHECK_EQ(count_max_blocks(), MAX_BLOCKS);
}

struct worker {
	unsigned cpu;
	unsigned long bad;
};

static void *storm_thread(void *arg)
{
	struct worker *w = arg;

	host_set_cpu(w->cpu);
	w->bad = storm(0x9e3779b97f4a7c15ull * (w->cpu + 1), 3, 50000);
	return NULL;
}

HT_TEST(threaded_storm)
{
	pthread_t t[4];
	struct worker w[4];

	fresh_pmm();
	memset(shadow, 0, sizeof(shadow));
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){i, 0};
		pthread_create(&t[i], NULL, storm_thread, &w[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		HT_CHECK_EQ(w[i].bad, 0);
	}
	HT_CHECK_EQ(pmm_free_pages(), TOTAL_PAGES);
	HT_CHECK_EQ(count_max_blocks(), MAX_BLOCKS);
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

static void double_free_page(void)
{
	paddr_t pa = pmm_alloc(0);
	pmm_free(pa, 0);
	pmm_free(pa, 0);
}

static void double_free_block(void)
{
	paddr_t pa = pmm_alloc(3);
	pmm_free(pa, 3);
	pmm_free(pa, 3);
}

static void free_wrong_order(void)
{
	pmm_free(pmm_alloc(2), 1);
}

static void free_tail_page(void)
{
	pmm_free(pmm_alloc(2) + PAGE_SIZE, 0);
}

static void free_never_allocated(void)
{
	pmm_free(ram + P(2048), 0);
}

static void free_hole(void)
{
	pmm_free(ram + P(800), 0);
}

static void free_shared(void)
{
	paddr_t pa = pmm_alloc(0);
	pmm_ref(pa);
	pmm_free(pa, 0);
}

static void free_ok(void)
{
	pmm_free(pmm_alloc(2), 2);
}

HT_TEST(misuse_panics)
{
	fresh_pmm();
	HT_CHECK(!panics(free_ok));
	HT_CHECK(panics(double_free_page));
	HT_CHECK(panics(double_free_block));
	HT_CHECK(panics(free_wrong_order));
	HT_CHECK(panics(free_tail_page));
	HT_CHECK(panics(free_never_allocated));
	HT_CHECK(panics(free_hole));
	HT_CHECK(panics(free_shared));
}

HT_MAIN(HT_CASE(init_counts), HT_CASE(every_order), HT_CASE(exhaustion_and_coalescing),
	HT_CASE(refcounts), HT_CASE(random_storm), HT_CASE(threaded_storm), HT_CASE(misuse_panics))
