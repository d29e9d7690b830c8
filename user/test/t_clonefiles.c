/*
 * t_clonefiles: processes sharing one descriptor table (clone with
 * CLONE_FILES but not CLONE_VM): a descriptor the child opens is open in the
 * parent, one it closes is closed in the parent; without CLONE_FILES neither
 * shows. execve in the sharing child unshares the table first, so its
 * close-on-exec leaves the parent's descriptor open. And the working
 * directory under threads: one thread changes directory back and forth while
 * others resolve relative paths and call getcwd, which must always see one of
 * the two directories whole. Works on Weft and on Linux; qemu-user refuses
 * CLONE_FILES without CLONE_VM, so check it built for the host instead
 * (gcc -pthread -Iuser/test -Iuser/lib user/test/t_clonefiles.c).
 */
#include "t.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define DIR_A "/tmp/t_cf_a"
#define DIR_B "/tmp/t_cf_b"

/* clone(flags | SIGCHLD) with no new stack: a fork that may share more. */
static long xclone(long flags)
{
	return syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

static void test_shared_table(void)
{
	int keep = open("/dev/null", O_RDONLY), gone = open("/dev/null", O_RDONLY);
	long pid = xclone(CLONE_FILES);
	int fd;

	if (pid == 0) {
		fd = open("/dev/zero", O_RDONLY);
		close(gone);
		_exit(fd);
	}
	T_CHECK(pid > 0);
	fd = t_reap((pid_t)pid);
	T_CHECK(fd > 2);
	T_CHECK(fcntl(fd, F_GETFD) >= 0); /* opened by the child, open here */
	T_ERR(t_sys(SYS_fcntl, gone, F_GETFD, 0), EBADF);
	T_CHECK(fcntl(keep, F_GETFD) >= 0);
	close(fd);

	pid = xclone(0); /* a plain fork: a copy */
	if (pid == 0) {
		fd = open("/dev/zero", O_RDONLY);
		close(keep);
		_exit(fd);
	}
	fd = t_reap((pid_t)pid);
	T_CHECK(fd > 2);
	T_ERR(t_sys(SYS_fcntl, fd, F_GETFD, 0), EBADF);
	T_CHECK(fcntl(keep, F_GETFD) >= 0);
	close(keep);
}

static void test_exec_unshares(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	long pid = xclone(CLONE_FILES);

	if (pid == 0) {
		char *argv[] = {"true", NULL};
		execv("/bin/true", argv);
		_exit(99);
	}
	T_EQ(t_reap((pid_t)pid), 0);
	T_CHECK(fcntl(fd, F_GETFD) >= 0); /* the child's exec closed only its copy */
	close(fd);
}

static volatile int stop;

static void *chdir_loop(void *arg)
{
	long n = 0;

	(void)arg;
	while (!stop) {
		if (chdir((n++ & 1) ? DIR_A : DIR_B))
			return (void *)1;
	}
	return NULL;
}

static void *cwd_user(void *arg)
{
	char buf[64];

	(void)arg;
	for (int i = 0; i < 3000; i++) {
		int fd = open("marker", O_RDONLY);
		if (fd < 0)
			return (void *)1;
		close(fd);
		if (!getcwd(buf, sizeof(buf)) || (strcmp(buf, DIR_A) && strcmp(buf, DIR_B)))
			return (void *)2;
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static void test_cwd_threads(void)
{
	pthread_t ch, users[2];
	void *r;

	mkdir(DIR_A, 0700);
	mkdir(DIR_B, 0700);
	close(open(DIR_A "/marker", O_CREAT | O_WRONLY, 0600));
	close(open(DIR_B "/marker", O_CREAT | O_WRONLY, 0600));
	T_EQ(chdir(DIR_A), 0);
	T_EQ(pthread_create(&ch, NULL, chdir_loop, NULL), 0);
	for (int i = 0; i < 2; i++)
		T_EQ(pthread_create(&users[i], NULL, cwd_user, NULL), 0);
	for (int i = 0; i < 2; i++) {
		T_EQ(pthread_join(users[i], &r), 0);
		T_EQ((long)r, 0);
	}
	stop = 1;
	T_EQ(pthread_join(ch, &r), 0);
	T_EQ((long)r, 0);
	T_EQ(chdir("/"), 0);
	unlink(DIR_A "/marker");
	unlink(DIR_B "/marker");
	rmdir(DIR_A);
	rmdir(DIR_B);
}

int main(void)
{
	test_shared_table();
	test_exec_unshares();
	test_cwd_threads();
	T_DONE();
}
