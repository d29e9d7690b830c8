/*
 * t_execmap: execve maps a program's segments from the file's pages instead
 * of copying them. Eight children exec busybox (about 1 MiB of text) and
 * sleep: together they take far less free memory than eight copies of its
 * text would (Weft only: on Linux the measure is the host's). The image
 * still behaves as a private one: a program whose data segment a child
 * writes (this test, re-executed with "child") sees its own initial values
 * in every fresh exec, and the file itself is unchanged after it ran.
 */
#include "t.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#define KIDS 8

static int counter = 1234; /* in the data segment */

static long free_bytes(void)
{
	struct sysinfo si;

	return sysinfo(&si) ? -1 : (long)(si.freeram * si.mem_unit);
}

static long file_sum(const char *path)
{
	unsigned char buf[4096];
	long sum = 0, n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (long i = 0; i < n; i++)
			sum = sum * 31 + buf[i];
	close(fd);
	return sum;
}

/* Re-executed: the data segment starts fresh, then gets written. */
static int child(void)
{
	int ok = counter == 1234;

	counter = 99;
	return ok && counter == 99 ? 0 : 1;
}

static void test_private(const char *self)
{
	long before = file_sum(self);

	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = {(char *)self, "child", NULL};
			execv(self, argv);
			_exit(98);
		}
		T_EQ(t_reap(pid), 0);
	}
	T_EQ(counter, 1234);
	T_EQ(file_sum(self), before);
}

static void test_memory(void)
{
	struct stat st;
	pid_t kids[KIDS];
	long before, during;

	if (stat("/bin/busybox", &st) || !t_is_weft()) {
		T_SKIP("the memory measure needs Weft's /bin/busybox");
		return;
	}
	before = free_bytes();
	for (int i = 0; i < KIDS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char *argv[] = {"sleep", "2", NULL};
			execv("/bin/busybox", argv);
			_exit(98);
		}
	}
	sleep(1);
	during = free_bytes();
	/* Copies would take KIDS times the text; mapped, it is shared. */
	T_CHECK(before - during < (long)st.st_size * KIDS / 3);
	for (int i = 0; i < KIDS; i++)
		T_EQ(t_reap(kids[i]), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return child();
	test_private(argv[0]);
	test_memory();
	T_DONE();
}
