/*
 * The futex syscall: decode the operation and its timeout, then call the core
 * futex (core/futex.h). WAIT takes a relative timeout; WAIT_BITSET an absolute
 * one on CLOCK_MONOTONIC, or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME.
 * Priority-inheritance and WAKE_OP operations are not provided (-ENOSYS).
 */
#include <linux/lx.h>
#include <core/futex.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

struct lx_timespec {
	int64_t sec, nsec;
};

uint64_t lx_realtime_offset_ns(void);

static int get_deadline(uaddr_t uts, bool absolute, bool realtime, uint64_t *deadline)
{
	struct lx_timespec ts;
	uint64_t ns, now = hal_time_ns();

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	ns = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
	if (!absolute)
		*deadline = now + ns;
	else if (realtime)
		*deadline = ns > lx_realtime_offset_ns() ? ns - lx_realtime_offset_ns() : 1;
	else
		*deadline = ns ? ns : 1;
	return 0;
}

long lx_sys_futex(struct thread *t, const unsigned long *a)
{
	int op = (int)a[1], cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool shared = !(op & FUTEX_PRIVATE_FLAG), realtime = op & FUTEX_CLOCK_REALTIME;
	uint32_t val = (uint32_t)a[2], bitset = (uint32_t)a[5];
	struct futex_key k1, k2;
	uint64_t deadline;
	int err;

	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	err = futex_key(t, a[0], shared, &k1);
	if (err)
		return err;
	switch (cmd) {
	case FUTEX_WAIT:
		bitset = ~0u;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (!bitset)
			return -EINVAL;
		err = get_deadline(a[3], cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
		return err ? err : futex_wait(t, &k1, a[0], val, bitset, deadline);
	case FUTEX_WAKE:
		bitset = ~0u;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (!bitset)
			return -EINVAL;
		return futex_wake(&k1, (int)val, bitset);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		err = futex_key(t, a[4], shared, &k2);
		if (err)
			return err;
		return futex_requeue(t, &k1, &k2, (int)val, (int)a[3], a[0],
				     cmd == FUTEX_CMP_REQUEUE, (uint32_t)a[5]);
	default:
		return -ENOSYS;
	}
}

