/*
 * CPU-time accounting: how long each thread ran, and how much of it in user
 * mode.
 *
 * The total is exact: a thread is charged from the moment a CPU picks it
 * (cputime_switch_in) until it leaves (cputime_switch_out), and at each timer
 * tick in between. The user/system split is sampled, as on Linux without
 * virtual CPU accounting: the time run since the last tick (or since the
 * thread last came to a CPU) is *pending* until a tick finds the thread on a
 * CPU, and then goes to user or system time by where the tick found it. Reading
 * the clock on every trap instead cost a third of a null syscall under QEMU
 * (each read of the time CSR leaves the translated code), so a syscall or a
 * fault pays nothing here.
 *
 * User threads run syscalls with interrupts off, so a tick that falls due in a
 * syscall is taken at the first user instruction after it. The trap code tells
 * them apart: a tick taken exactly at the pc a syscall or fault just returned
 * to, with no trap in between, is counted as system time (cpu->tick_user).
 * Pending time that no tick resolved (a thread that ran less than a tick
 * between blocks) is split like the thread's resolved time when it is read or
 * when the thread exits, and counted as user time if the thread has none yet
 * (Linux scales its split the same way). As on Linux, what is reported never
 * goes down (cputime_monotonic), though a tick may resolve into system time
 * what an earlier read had guessed was user time. Kernel threads are system time, all
 * of it resolved at once: the service watchdogs budget it.
 *
 * Writers are the CPU running the thread (ticks, switches, the thread's own
 * exit), with interrupts off; readers on any CPU use the sequence count.
 * A process's time is its dead threads' (added by cputime_exit under the
 * process lock) plus its live threads' (proc_cputime, obj/proc.c).
 */
#include <core/sched.h>
#include <hal/cpu.h>

static void write_begin(struct thread *t)
{
	__atomic_store_n(&t->acct_seq, t->acct_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void write_end(struct thread *t)
{
	__atomic_store_n(&t->acct_seq, t->acct_seq + 1, __ATOMIC_RELEASE);
}

static void add(uint64_t *field, uint64_t d)
{
	__atomic_store_n(field, *field + d, __ATOMIC_RELAXED);
}

/* Time since acct_since, which only the CPU running t moves. */
static uint64_t stretch(struct thread *t, uint64_t now)
{
	uint64_t d = now > t->acct_since ? now - t->acct_since : 0;

	t->acct_since = now;
	return d;
}

void cputime_switch_in(struct thread *t, uint64_t now)
{
	t->acct_since = now;
}

void cputime_switch_out(struct thread *t)
{
	uint64_t d = stretch(t, hal_time_ns());

	write_begin(t);
	add(t->kind == THREAD_KERNEL ? &t->cputime.sys_ns : &t->acct_pending, d);
	write_end(t);
}

void cputime_tick(struct thread *t, uint64_t now, bool user)
{
	uint64_t d = stretch(t, now);

	if (t->dead)
		return;
	write_begin(t);
	d += t->acct_pending;
	t->acct_pending = 0;
	add(user && t->kind != THREAD_KERNEL ? &t->cputime.user_ns : &t->cputime.sys_ns, d);
	write_end(t);
}

struct cputime cputime_split(struct cputime c, uint64_t pending)
{
	uint64_t r = c.user_ns + c.sys_ns, u = c.user_ns, user = pending;

	if (r) {
		/* pending * u / r without overflow (no 128-bit division here):
		 * the ratio keeps 31 bits, and (pending % r) * u stays below 2^62. */
		while (r >= 1ull << 31) {
			r >>= 1;
			u >>= 1;
		}
		user = r ? pending / r * u + pending % r * u / r : pending;
	}

	c.user_ns += user;
	c.sys_ns += pending - user;
	return c;
}

struct cputime cputime_monotonic(struct cputime *prev, struct cputime c)
{
	uint64_t total = c.user_ns + c.sys_ns;

	if (total < prev->user_ns + prev->sys_ns)
		return *prev;
	if (c.sys_ns < prev->sys_ns) {
		c.sys_ns = prev->sys_ns;
		c.user_ns = total - c.sys_ns;
	} else if (c.user_ns < prev->user_ns) {
		c.user_ns = prev->user_ns;
		c.sys_ns = total - c.user_ns;
	}
	*prev = c;
	return c;
}

void cputime_exit(struct thread *t, struct cputime *sum)
{
	uint64_t d = stretch(t, hal_time_ns());
	struct cputime c;

	write_begin(t);
	c = cputime_split(t->cputime, t->acct_pending + d);
	t->cputime = c;
	t->acct_pending = 0;
	write_end(t);
	sum->user_ns += c.user_ns;
	sum->sys_ns += c.sys_ns;
}

struct cputime thread_cputime(const struct thread *t)
{
	struct cputime c;
	uint64_t pending, since, seq;
	bool running;

	do {
		seq = __atomic_load_n(&t->acct_seq, __ATOMIC_ACQUIRE);
		c.user_ns = __atomic_load_n(&t->cputime.user_ns, __ATOMIC_RELAXED);
		c.sys_ns = __atomic_load_n(&t->cputime.sys_ns, __ATOMIC_RELAXED);
		pending = __atomic_load_n(&t->acct_pending, __ATOMIC_RELAXED);
		since = __atomic_load_n(&t->acct_since, __ATOMIC_RELAXED);
		running = !t->dead && __atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) &&
			  __atomic_load_n(&cpus[t->cpu].cur, __ATOMIC_ACQUIRE) == t;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&t->acct_seq, __ATOMIC_RELAXED));

	/* The stretch it is running now, if it is (an estimate across CPUs). */
	if (running) {
		uint64_t now = hal_time_ns();
		if (now > since)
			pending += now - since;
	}
	if (t->kind == THREAD_KERNEL) {
		c.sys_ns += pending;
		return c;
	}
	return cputime_split(c, pending);
}

uint64_t thread_cpu_ns(const struct thread *t)
{
	struct cputime c = thread_cputime(t);

	return c.user_ns + c.sys_ns;
}

void cputime_add(struct cputime *sum, const struct cputime *d)
{
	if (d->user_ns)
		__atomic_add_fetch(&sum->user_ns, d->user_ns, __ATOMIC_RELAXED);
	if (d->sys_ns)
		__atomic_add_fetch(&sum->sys_ns, d->sys_ns, __ATOMIC_RELAXED);
}
