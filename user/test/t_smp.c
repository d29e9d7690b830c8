/*
 * t_smp: all harts run user code at the same time. One CPU-bound child per
 * CPU shares a MAP_SHARED page; each bumps an arrival counter and spins until
 * all have arrived (a 20 s deadline guards against a hang), then records the
 * CPU it is on (getcpu) and keeps spinning ~50 ms so nobody can migrate onto
 * a CPU another has left. The parent checks everyone arrived and that the
 * recorded CPUs are all different. With one CPU it passes trivially.
 */
#include "t.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#define MAXCPU 64

struct shared {
	int arrived;
	int cpu[MAXCPU];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int ncpus(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static void child(struct shared *sh, int slot, int n)
{
	long long deadline = now_ms() + 20000;
	unsigned cpu = 0;

	__atomic_add_fetch(&sh->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&sh->arrived, __ATOMIC_ACQUIRE) < n)
		if (now_ms() > deadline)
			_exit(2);
	if (syscall(SYS_getcpu, &cpu, NULL, NULL) != 0)
		_exit(3);
	__atomic_store_n(&sh->cpu[slot], (int)cpu, __ATOMIC_RELEASE);
	for (long long end = now_ms() + 50; now_ms() < end;)
		;
	_exit(0);
}

/* One round: fork n spinners, reap them; return how many CPUs were distinct. */
static int round_distinct(struct shared *sh, int n)
{
	pid_t pids[MAXCPU];
	int distinct = 0;

	sh->arrived = 0;
	for (int i = 0; i < n; i++)
		sh->cpu[i] = -1;
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			child(sh, i, n);
		T_CHECK(pids[i] > 0);
	}
	for (int i = 0; i < n; i++) {
		int st = 0;
		T_EQ(wait4(pids[i], &st, 0, NULL), pids[i]);
		T_CHECK(WIFEXITED(st));
		T_EQ(WEXITSTATUS(st), 0);
	}
	T_EQ(sh->arrived, n);
	for (int i = 0; i < n; i++) {
		int dup = sh->cpu[i] < 0;
		for (int j = 0; j < i; j++)
			dup |= sh->cpu[i] == sh->cpu[j];
		distinct += !dup;
	}
	return distinct;
}

int main(void)
{
	struct shared *sh =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int n = ncpus(), distinct = 0;

	T_CHECK(sh != MAP_FAILED);
	T_CHECK(n >= 1);
	if (sh == MAP_FAILED || n < 1)
		T_DONE();
	if (n > MAXCPU)
		n = MAXCPU;
	/*
	 * A busy host (qemu-user) may briefly stack two spinners on one CPU, so
	 * allow a few rounds; an idle Weft guest should need only one.
	 */
	for (int round = 1; round <= 5 && distinct < n; round++) {
		distinct = round_distinct(sh, n);
		out_say("  round %d: %d CPUs, %d distinct\n", round, n, distinct);
	}
	T_EQ(distinct, n);
	T_DONE();
}
