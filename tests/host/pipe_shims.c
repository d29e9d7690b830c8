/*
 * Scheduler stand-ins for host tests that link kernel/core/waitq.c (the pipe
 * test, and the VFS tests since kernel/fs/pipe.c wakes wait queues). No thread
 * ever runs parked on the host: a test parks a zeroed struct thread by hand
 * and checks that the code under test woke it. A park is (generation << 8) |
 * PARK_PARKED as in the kernel, and every successful wake is counted.
 */
#include <core/sched.h>
#include <weft/errno.h>

unsigned long pipe_shim_wakes; /* thread_wake calls that ended a park */

uint64_t thread_park_begin(struct thread *t, thread_cont_t cont)
{
	uint64_t gen = (t->park >> 8) + 1;

	t->cont = cont;
	t->wake_result = 0;
	__atomic_store_n(&t->park, (gen << 8) | PARK_PARKED, __ATOMIC_RELEASE);
	return gen;
}

uint64_t thread_park_gen(const struct thread *t)
{
	return __atomic_load_n(&t->park, __ATOMIC_ACQUIRE) >> 8;
}

bool thread_wake(struct thread *t, uint64_t gen, long result)
{
	uint64_t parked = (gen << 8) | PARK_PARKED;

	if (!__atomic_compare_exchange_n(&t->park, &parked, gen << 8, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return false;
	t->wake_result = result;
	__atomic_add_fetch(&pipe_shim_wakes, 1, __ATOMIC_RELAXED);
	return true;
}

void thread_park_timeout(struct thread *t, uint64_t gen, uint64_t deadline_ns)
{
	(void)t;
	(void)gen;
	(void)deadline_ns;
}

/* Host tests run file-system code directly, where blocking on I/O is fine. */
bool sched_may_block(void)
{
	return true;
}
