/*
 * t_clonefs: what clone's CLONE_FS shares. A child made by clone(CLONE_FS)
 * shares the working directory and the umask with its parent: its chdir and
 * umask show in the parent, and the parent's in it, even after the parent's
 * cwd was changed again; a fork (no CLONE_FS) gets copies that change alone;
 * a thread (pthread_create passes CLONE_FS) shares them with the whole
 * process. Checked against Linux with qemu-user, which cannot clone a
 * process with CLONE_FS (those checks are skipped there).
 */
#include "t.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>

#define DIR_A "/tmp/t_clonefs.a"
#define DIR_B "/tmp/t_clonefs.b"

static int cwd_is(const char *want)
{
	char buf[256];

	return getcwd(buf, sizeof(buf)) && strcmp(buf, want) == 0;
}

/* fork-style clone (no new stack) with extra flags; child runs fn. */
static int clone_run(unsigned long flags, int (*fn)(void))
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		syscall(SYS_exit_group, fn());
	return pid < 0 ? -1 : t_reap((pid_t)pid);
}

static int child_moves(void)
{
	if (chdir(DIR_B) != 0)
		return 2;
	umask(077);
	return 0;
}

/* Shares with the parent: its chdir must be seen by a later getcwd of ours
 * after the parent changes it while we wait on a pipe. */
static int pipefd[2], backfd[2];
static int child_watches(void)
{
	char c;

	if (chdir(DIR_B) != 0 || write(backfd[1], "x", 1) != 1)
		return 2;
	if (read(pipefd[0], &c, 1) != 1)
		return 3;
	return cwd_is(DIR_A) && umask(0) == 027 ? 0 : 4;
}

static void test_process(void)
{
	char c;
	pid_t pid;

	T_EQ(chdir(DIR_A), 0);
	umask(022);
	T_EQ(clone_run(0, child_moves), 0); /* plain fork: copies */
	T_CHECK(cwd_is(DIR_A));
	T_EQ(umask(022), 022);
	if (t_qemu_user()) {
		/* qemu-user refuses CLONE_FS without CLONE_VM (EINVAL). */
		T_SKIP("clone(CLONE_FS) of a process under qemu-user");
		return;
	}
	T_EQ(clone_run(CLONE_FS, child_moves), 0); /* shared */
	T_CHECK(cwd_is(DIR_B));
	T_EQ(umask(022), 077);

	/* The other way round, while both live. */
	T_EQ(pipe(pipefd), 0);
	T_EQ(pipe(backfd), 0);
	pid = (pid_t)syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		syscall(SYS_exit_group, child_watches());
	T_CHECK(pid > 0);
	if (pid <= 0)
		return;
	T_EQ(read(backfd[0], &c, 1), 1);
	T_CHECK(cwd_is(DIR_B));
	T_EQ(chdir(DIR_A), 0);
	umask(027);
	T_EQ(write(pipefd[1], "y", 1), 1);
	T_EQ(t_reap(pid), 0);
	umask(022);
	close(pipefd[0]);
	close(pipefd[1]);
	close(backfd[0]);
	close(backfd[1]);
}

static void *thread_moves(void *arg)
{
	(void)arg;
	if (chdir(DIR_B) != 0)
		return (void *)1;
	umask(0);
	return NULL;
}

static void test_thread(void)
{
	pthread_t th;
	void *r = (void *)1;

	T_EQ(chdir(DIR_A), 0);
	T_EQ(pthread_create(&th, NULL, thread_moves, NULL), 0);
	T_EQ(pthread_join(th, &r), 0);
	T_CHECK(r == NULL);
	T_CHECK(cwd_is(DIR_B));
	T_EQ(umask(022), 0);
}

int main(void)
{
	mkdir(DIR_A, 0755);
	mkdir(DIR_B, 0755);
	test_process();
	test_thread();
	T_EQ(chdir("/"), 0);
	T_EQ(rmdir(DIR_A), 0);
	T_EQ(rmdir(DIR_B), 0);
	T_DONE();
}
