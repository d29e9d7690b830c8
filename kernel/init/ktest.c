/*
 * In-kernel tests of kernel threads (command line `ktest=kthread`, run instead
 * of init). Kernel threads own guarded stacks and switch classically, unlike
 * user threads, so they get their own check:
 *   - yielders: 4 threads that yield to each other many times;
 *   - preemption: a thread that spins without yielding while another counts,
 *     which only advances if the timer preempts the spinner;
 *   - waiting: a thread parked on a wait queue, woken by another;
 * and a checker thread that verifies the counts and that the stacks of the
 * threads that ended were freed, prints the result and powers off.
 */
#include <core/kthread.h>
#include <core/kstack.h>
#include <core/waitq.h>
#include <core/klog.h>
#include "ktest.h"

#define YIELDERS 4
#define YIELDS 200
#define SPIN_NS 200000000ull

static unsigned long yields, counted, woke;
static int spinning, ready;
static struct waitq ktest_wq;

static void yielder(void *arg)
{
	for (int i = 0; i < YIELDS; i++) {
		__atomic_add_fetch(&yields, 1, __ATOMIC_RELAXED);
		sched_yield_kthread();
	}
}

/* Never yields: the counter below can only advance if the timer preempts it. */
static void spinner(void *arg)
{
	uint64_t end = hal_time_ns() + SPIN_NS;

	__atomic_store_n(&spinning, 1, __ATOMIC_RELEASE);
	while (hal_time_ns() < end)
		hal_cpu_relax();
	__atomic_store_n(&spinning, 0, __ATOMIC_RELEASE);
}

static void counter(void *arg)
{
	while (!__atomic_load_n(&spinning, __ATOMIC_ACQUIRE))
		sched_yield_kthread();
	while (__atomic_load_n(&spinning, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED);
}

static void waiter(void *arg)
{
	spin_lock(&ktest_wq.lock);
	while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		waitq_park_locked(&ktest_wq, current(), NULL, 0);
		spin_unlock(&ktest_wq.lock);
		sched_block_kthread();
		spin_lock(&ktest_wq.lock);
	}
	spin_unlock(&ktest_wq.lock);
	__atomic_store_n(&woke, 1, __ATOMIC_RELEASE);
}

static void waker(void *arg)
{
	for (int i = 0; i < 50; i++)
		sched_yield_kthread();	/* let the waiter park first, most likely */
	spin_lock(&ktest_wq.lock);
	__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	spin_unlock(&ktest_wq.lock);
	waitq_wake(&ktest_wq, -1, 0);
}

static void checker(void *arg)
{
	unsigned long base = (unsigned long)arg;
	uint64_t deadline = hal_time_ns() + 20000000000ull;
	bool ok;

	/* Wait until every other test thread has ended and freed its stack. */
	while (kstack_in_use() > base && hal_time_ns() < deadline)
		sched_yield_kthread();
	ok = kstack_in_use() == base && yields == YIELDERS * YIELDS && counted > 0 && woke;
	kprintf("ktest kthread: yields %lu/%u, counted during spin %lu, woken %lu, stacks %lu (%lu "
		"expected): %s\n",
		yields, YIELDERS * YIELDS, counted, woke, kstack_in_use(), base,
		ok ? "PASS" : "FAIL");
	weft_shutdown(!ok);
}

void ktest_kthreads(void)
{
	unsigned long base;

	waitq_init(&ktest_wq, "ktest");
	base = kstack_in_use() + 1;	/* the checker's own stack stays until it ends */
	for (int i = 0; i < YIELDERS; i++)
		kthread_create("yielder", yielder, NULL);
	kthread_create("spinner", spinner, NULL);
	kthread_create("counter", counter, NULL);
	kthread_create("waiter", waiter, NULL);
	kthread_create("waker", waker, NULL);
	if (!kthread_create("checker", checker, (void *)base))
		panic("ktest: out of memory");
}
