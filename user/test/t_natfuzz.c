/*
 * A random fuzzer of the native syscalls: at least 100,000 calls with random
 * numbers in the native range, random handles (live ones of every kind,
 * closed ones, forged values) and random pointers (valid buffers, NULL,
 * unmapped, kernel addresses, the end of user space). It runs in a child
 * process; the parent kills it if it has not finished within the time limit
 * (that would be a hang) and checks that the kernel is still sound after.
 * The calls' errors are expected; only a panic, a hang or a crash of the
 * child fails the test. Calls that would end or block the child for good
 * (process_exit, waits without a deadline) are given safe arguments.
 */
#include "t.h"
#include <signal.h>
#include <sys/wait.h>
#include <weft/sys.h>

#define NCALLS 100000
#define POOL   64

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static handle_t pool[POOL];
static uint8_t buf[3 * 4096];

static long rnd_ptr(void)
{
	static const unsigned long odd[] = {0, 8, 0x1000, 0x3ffffffff8ul, 0x4000000000ul,
					    0xffffffc000000000ul, 0xffffffff80200000ul,
					    0xfffffffffffffff0ul};
	switch (rnd() % 4) {
	case 0:
	case 1:
		return (long)(buf + rnd() % 4096);
	case 2:
		return (long)odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
	default:
		return (long)rnd();
	}
}

static long rnd_handle(void)
{
	switch (rnd() % 4) {
	case 0:
	case 1:
	case 2:
		return pool[rnd() % POOL];
	default:
		return (long)(uint32_t)rnd();
	}
}

static long rnd_arg(void)
{
	switch (rnd() % 5) {
	case 0:
		return rnd_handle();
	case 1:
		return rnd_ptr();
	case 2:
		return (long)(rnd() % 70000);
	case 3:
		return (long)(rnd() % 8);
	default:
		return (long)rnd();
	}
}

/* Keep the pool full of live handles of every kind the child can make. */
static void refill(int i)
{
	handle_t c[2];

	switch (rnd() % 5) {
	case 0:
		if (weft_channel_create(c) == 0) {
			pool[i] = c[0];
			pool[(i + 1) % POOL] = c[1];
		}
		break;
	case 1:
		weft_lease_create(&pool[i]);
		break;
	case 2:
		weft_name_resolve(0, "fs", WEFT_RIGHTS_SAME, &pool[i]);
		break;
	case 3:
		weft_name_resolve(0, "namesvc", WEFT_RIGHT_READ, &pool[i]);
		break;
	default:
		weft_process_self(&pool[i]);
		break;
	}
}

static void fuzz(void)
{
	long calls = 0;

	for (int i = 0; i < POOL; i++)
		refill(i);
	while (calls < NCALLS) {
		long nr = WEFT_SYS_BASE + (long)(rnd() % WEFT_NR_MAX), a[6];
		for (int k = 0; k < 6; k++)
			a[k] = rnd_arg();
		if (nr == WEFT_SYS_process_exit)
			continue; /* would end the fuzzer */
		if (nr == WEFT_SYS_object_wait_one || nr == WEFT_SYS_asyncq_poll)
			a[2] = (long)(rnd() % 2 ? 0 : 1); /* deadlines in the past only */
		if (nr == WEFT_SYS_channel_call)
			a[5] = (long)(rnd() % 2 ? 0 : 1);
		if (nr == WEFT_SYS_process_spawn && rnd() % 8)
			continue; /* rarely: a spawned spinner would be killed with us */
		weft_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		calls++;
		if (calls % 97 == 0)
			refill((int)(rnd() % POOL));
	}
	out_say("  fuzz: %ld native calls done\n", calls);
	_exit(0);
}

int main(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		fuzz();
	T_CHECK(pid > 0);
	for (int waited = 0; waited < 120; waited++) { /* 60 s */
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(500000);
		if (waited == 119) {
			out_say("  fuzz: child hung, killing it\n");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			T_CHECK(0);
		}
	}
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the kernel still works */
	handle_t c[2];
	char b[4];
	uint32_t sizes[2];
	T_EQ(weft_channel_create(c), 0);
	T_EQ(weft_channel_write(c[0], "ok", 3, NULL, 0), 0);
	T_EQ(weft_channel_read(c[1], b, sizeof(b), NULL, 0, sizes), 3);
	T_CHECK(!strcmp(b, "ok"));
	T_DONE();
}
