/*
 * t_pthread: POSIX threads on top of clone(CLONE_THREAD) and futex. Threads get
 * their arguments and return values; a producer/consumer pipeline on counting
 * semaphores and a mutex moves every item exactly once; a condition variable
 * hands a flag over; a barrier releases all parties together, every round; an
 * rwlock admits readers together and writers alone; pthread_exit from a thread
 * and join of an exited thread work. With an argument N (the "many" mode), N
 * threads block in a futex wait at once; on Weft the test reads the kernel's
 * counters to report the kernel memory each blocked thread costs.
 */
#include "t.h"
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <linux/futex.h>

#define NT 8
#define ITEMS 2000

static void *square(void *arg)
{
	long v = (long)arg;
	return (void *)(v * v);
}

static void test_args(void)
{
	pthread_t th[NT];
	for (long i = 0; i < NT; i++)
		T_EQ(pthread_create(&th[i], NULL, square, (void *)i), 0);
	for (long i = 0; i < NT; i++) {
		void *r;
		T_EQ(pthread_join(th[i], &r), 0);
		T_EQ((long)r, i * i);
	}
}

static sem_t slots, items;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static int queue[16], qhead, qtail;
static long consumed_sum;

static void *producer(void *arg)
{
	for (int i = 1; i <= ITEMS; i++) {
		sem_wait(&slots);
		pthread_mutex_lock(&qlock);
		queue[qtail++ % 16] = i;
		pthread_mutex_unlock(&qlock);
		sem_post(&items);
	}
	return arg;
}

static void *consumer(void *arg)
{
	for (int i = 0; i < ITEMS / 2; i++) {
		sem_wait(&items);
		pthread_mutex_lock(&qlock);
		consumed_sum += queue[qhead++ % 16];
		pthread_mutex_unlock(&qlock);
		sem_post(&slots);
	}
	return arg;
}

static void test_prodcons(void)
{
	pthread_t p, c1, c2;
	T_EQ(sem_init(&slots, 0, 16), 0);
	T_EQ(sem_init(&items, 0, 0), 0);
	T_EQ(pthread_create(&p, NULL, producer, NULL), 0);
	T_EQ(pthread_create(&c1, NULL, consumer, NULL), 0);
	T_EQ(pthread_create(&c2, NULL, consumer, NULL), 0);
	pthread_join(p, NULL);
	pthread_join(c1, NULL);
	pthread_join(c2, NULL);
	T_EQ(consumed_sum, (long)ITEMS * (ITEMS + 1) / 2);
}

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, woken;

static void *cv_waiter(void *arg)
{
	pthread_mutex_lock(&cv_lock);
	while (!ready)
		pthread_cond_wait(&cv, &cv_lock);
	woken++;
	pthread_mutex_unlock(&cv_lock);
	return arg;
}

static void test_condvar(void)
{
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		T_EQ(pthread_create(&th[i], NULL, cv_waiter, NULL), 0);
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&cv_lock);
	T_EQ(woken, 0);
	ready = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&cv_lock);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	T_EQ(woken, 4);
}

static pthread_barrier_t bar;
static int arrived[NT];

static void *bar_party(void *arg)
{
	long id = (long)arg;
	for (int round = 0; round < 20; round++) {
		__atomic_add_fetch(&arrived[round % NT], 1, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&bar);
		/* After the barrier every party has arrived for this round. */
		if (__atomic_load_n(&arrived[round % NT], __ATOMIC_SEQ_CST) < 4 * (round / NT + 1))
			return (void *)1;
		pthread_barrier_wait(&bar);
	}
	return (void *)(id * 0);
}

static void test_barrier(void)
{
	pthread_t th[4];
	T_EQ(pthread_barrier_init(&bar, NULL, 4), 0);
	for (long i = 0; i < 4; i++)
		T_EQ(pthread_create(&th[i], NULL, bar_party, (void *)i), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		T_EQ((long)r, 0);
	}
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int readers_in, max_readers, writer_in, rw_error;

static void *rw_reader(void *arg)
{
	for (int i = 0; i < 200; i++) {
		pthread_rwlock_rdlock(&rw);
		int n = __atomic_add_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
		if (n > __atomic_load_n(&max_readers, __ATOMIC_SEQ_CST))
			__atomic_store_n(&max_readers, n, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&writer_in, __ATOMIC_SEQ_CST))
			rw_error = 1;
		sched_yield();
		__atomic_sub_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
		pthread_rwlock_unlock(&rw);
	}
	return arg;
}

static void *rw_writer(void *arg)
{
	for (int i = 0; i < 100; i++) {
		pthread_rwlock_wrlock(&rw);
		writer_in = 1;
		if (__atomic_load_n(&readers_in, __ATOMIC_SEQ_CST))
			rw_error = 1;
		writer_in = 0;
		pthread_rwlock_unlock(&rw);
	}
	return arg;
}

static void test_rwlock(void)
{
	pthread_t th[5];
	for (int i = 0; i < 4; i++)
		T_EQ(pthread_create(&th[i], NULL, rw_reader, NULL), 0);
	T_EQ(pthread_create(&th[4], NULL, rw_writer, NULL), 0);
	for (int i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	T_EQ(rw_error, 0);
	T_CHECK(max_readers >= 1);
}

static void *exiter(void *arg)
{
	pthread_exit((void *)((long)arg + 1));
	return NULL;
}

static void test_exit_join(void)
{
	pthread_t th;
	void *r;
	T_EQ(pthread_create(&th, NULL, exiter, (void *)41), 0);
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);	/* join after the thread is long gone */
	T_EQ(pthread_join(th, &r), 0);
	T_EQ((long)r, 42);
	T_CHECK(syscall(SYS_gettid) == getpid());
}

static int gate;

static void *blocker(void *arg)
{
	while (!__atomic_load_n(&gate, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return arg;
}

/* N threads blocked in futex wait at once; report kernel memory per thread. */
static void test_many(int n)
{
	pthread_attr_t at;
	pthread_t *th = calloc((size_t)n, sizeof(*th));
	long slab0 = t_kstat(2), free0 = t_kstat(1), created = 0;
	T_CHECK(th != NULL);
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 16384);
	for (int i = 0; i < n; i++)
		if (pthread_create(&th[i], &at, blocker, NULL) == 0)
			created++;
	T_EQ(created, n);
	struct timespec ts = { 1, 0 };
	nanosleep(&ts, NULL);
	if (t_is_weft()) {
		long parked = t_kstat(3), stacks = t_kstat(0);
		long slab = t_kstat(2) - slab0, pages = free0 - t_kstat(1);
		out_say("  %d threads: %ld parked, %ld kernel stacks, slab +%ld bytes (%ld per thread),"
		       " %ld pages in all (user stacks, page tables)\n",
		       n, parked, stacks, slab, slab / n, pages);

		T_CHECK(parked >= n);
		T_CHECK(stacks <= 16);
	}
	__atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &gate, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
	for (int i = 0; i < created; i++)
		T_EQ(pthread_join(th[i], NULL), 0);
	free(th);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		test_many(atoi(argv[1]));
		T_DONE();
	}
	test_args();
	test_prodcons();
	test_condvar();
	test_barrier();
	test_rwlock();
	test_exit_join();
	T_DONE();
}
