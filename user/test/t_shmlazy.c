/*
 * t_shmlazy: shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) is committed
 * on first touch, not at mmap: mapping 96 MiB takes far less free memory
 * than that, and touching 32 pages takes about 32 pages. Pages first touched
 * after a fork are still shared: a child's write to an untouched page shows
 * in the parent and the parent's in a later child, and a grandchild shares
 * them too. Unmapping gives the memory back. Works on Weft and on Linux
 * (qemu-user).
 */
#include "t.h"

#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#define MIB (1024L * 1024)
#define LEN (96 * MIB)

static long free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return -1;
	return (long)(si.freeram * si.mem_unit);
}

int main(void)
{
	long before = free_bytes(), after_map, after_touch;
	volatile char *m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	T_CHECK(m != MAP_FAILED);
	after_map = free_bytes();
	T_CHECK(before - after_map < 16 * MIB); /* nothing committed yet */
	for (int i = 0; i < 32; i++)
		T_EQ(m[i * 3 * MIB], 0); /* zero-filled */
	for (int i = 0; i < 32; i++)
		m[i * 3 * MIB + 1] = (char)i;
	after_touch = free_bytes();
	T_CHECK(after_map - after_touch < 16 * MIB);

	/* Pages nobody touched before the fork are shared all the same. */
	pid = fork();
	if (pid == 0) {
		m[50 * MIB] = 'c';
		m[3 * MIB + 1] = 'x';
		_exit(m[LEN - 1] == 0 ? 0 : 1);
	}
	T_EQ(t_reap(pid), 0);
	T_EQ(m[50 * MIB], 'c');
	T_EQ(m[3 * MIB + 1], 'x');
	m[70 * MIB] = 'p';
	pid = fork();
	if (pid == 0) {
		pid_t g = fork(); /* a grandchild shares them as well */
		if (g == 0) {
			m[80 * MIB] = 'g';
			_exit(m[70 * MIB] == 'p' ? 0 : 1);
		}
		_exit(t_reap(g) == 0 && m[80 * MIB] == 'g' && m[50 * MIB] == 'c' ? 0 : 1);
	}
	T_EQ(t_reap(pid), 0);
	T_EQ(m[80 * MIB], 'g');
	T_EQ(munmap((void *)m, LEN), 0);
	T_CHECK(free_bytes() - after_touch > -8 * MIB);
	T_DONE();
}
