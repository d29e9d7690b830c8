/*
 * t_lock: advisory file locks. fcntl record locks between processes (F_GETLK
 * reports the holder, F_SETLK fails with EAGAIN on a conflict), ranges that
 * split when a middle part is unlocked or changes type and merge when they
 * touch, release on close of any descriptor of the file and on exit,
 * F_SETLKW waiting (parked) until the holder lets go, interrupted by a signal
 * (EINTR), and EDEADLK for two processes waiting for each other; the errors
 * (EINVAL, EBADF, EFAULT). OFD locks conflict between two opens of one
 * process. flock(2): per open file description, shared by dup, released by
 * the last close, LOCK_NB, waiting, and independent of fcntl locks. Works on
 * Weft and on Linux (qemu-user).
 */
#include "t.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#define PATH "/tmp/t_lock.dat"

static long lk(int fd, int cmd, int type, long start, long len)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = (short)type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	return t_sys(SYS_fcntl, fd, cmd, (long)&fl);
}

/* F_GETLK for type on [start, start+len): the conflicting lock in *out. */
static long getlk(int fd, int type, long start, long len, struct flock *out)
{
	memset(out, 0, sizeof(*out));
	out->l_type = (short)type;
	out->l_whence = SEEK_SET;
	out->l_start = start;
	out->l_len = len;
	return t_sys(SYS_fcntl, fd, F_GETLK, (long)out);
}

/* Is [start, start+len) reported as held by pid with type, from [s, s+l)? */
static int held(int fd, long s, long l, int type, long start, long len, pid_t pid)
{
	struct flock fl;

	if (getlk(fd, F_WRLCK, s, l, &fl))
		return 0;
	return fl.l_type == type && fl.l_start == start && fl.l_len == len && fl.l_pid == pid;
}

static int free_range(int fd, int type, long s, long l)
{
	struct flock fl;

	return getlk(fd, type, s, l, &fl) == 0 && fl.l_type == F_UNLCK;
}

static int xopen(int flags)
{
	return open(PATH, flags);
}

/* Run fn in a child (which opens the file itself); its exit status. */
static int in_child(int (*fn)(int fd, pid_t parent))
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		_exit(fn(xopen(O_RDWR), parent));
	return t_reap(pid);
}

static int child_sees_split(int fd, pid_t parent)
{
	int bad = 0;

	bad |= !held(fd, 0, 10, F_WRLCK, 0, 40, parent);
	bad |= !held(fd, 70, 5, F_WRLCK, 60, 40, parent);
	bad |= !free_range(fd, F_WRLCK, 40, 20);
	bad |= lk(fd, F_SETLK, F_WRLCK, 40, 20) != 0;
	bad |= lk(fd, F_SETLK, F_WRLCK, 39, 2) != -EAGAIN;
	bad |= lk(fd, F_SETLK, F_RDLCK, 99, 1) != -EAGAIN;
	bad |= !free_range(fd, F_RDLCK, 100, 1000);
	return bad;
}

static int child_sees_merge_and_types(int fd, pid_t parent)
{
	int bad = 0;

	bad |= !held(fd, 5, 1, F_RDLCK, 0, 20, parent);	     /* [0,10)+[10,20) merged */
	bad |= !free_range(fd, F_RDLCK, 0, 20);		     /* shared with a reader */
	bad |= !held(fd, 100, 1, F_WRLCK, 100, 10, parent);  /* [100,130) W, [110,120) R */
	bad |= !held(fd, 125, 1, F_WRLCK, 120, 10, parent);
	bad |= !free_range(fd, F_RDLCK, 110, 10);
	bad |= !held(fd, 1000, 1, F_WRLCK, 500, 0, parent); /* to end of file */
	return bad;
}

static int child_sees_nothing(int fd, pid_t parent)
{
	(void)parent;
	return !free_range(fd, F_WRLCK, 0, 0);
}

static void test_ranges(void)
{
	int fd = xopen(O_RDWR), fd2;
	struct flock fl;

	T_CHECK(fd >= 0);
	T_CHECK(free_range(fd, F_WRLCK, 0, 0));
	T_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 100), 0);
	T_EQ(getlk(fd, F_WRLCK, 0, 0, &fl), 0); /* one's own locks never conflict */
	T_EQ(fl.l_type, F_UNLCK);
	T_EQ(lk(fd, F_SETLK, F_UNLCK, 40, 20), 0);
	T_EQ(in_child(child_sees_split), 0);
	T_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	T_EQ(in_child(child_sees_nothing), 0);

	T_EQ(lk(fd, F_SETLK, F_RDLCK, 0, 10), 0);
	T_EQ(lk(fd, F_SETLK, F_RDLCK, 10, 10), 0);
	T_EQ(lk(fd, F_SETLK, F_WRLCK, 100, 30), 0);
	T_EQ(lk(fd, F_SETLK, F_RDLCK, 110, 10), 0);
	T_EQ(lk(fd, F_SETLK, F_WRLCK, 500, 0), 0);
	T_EQ(in_child(child_sees_merge_and_types), 0);

	/* Closing another descriptor of the file drops every lock of ours. */
	fd2 = xopen(O_RDONLY);
	T_CHECK(fd2 >= 0);
	close(fd2);
	T_EQ(in_child(child_sees_nothing), 0);
	close(fd);
}

static void test_errors(void)
{
	int ro = xopen(O_RDONLY), wo = xopen(O_WRONLY);
	struct flock fl;

	T_ERR(lk(ro, F_SETLK, 7, 0, 1), EINVAL);
	T_ERR(lk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	T_ERR(lk(wo, F_SETLK, F_RDLCK, 0, 1), EBADF);
	T_ERR(lk(ro, F_SETLK, F_RDLCK, -5, 1), EINVAL);
	T_ERR(lk(ro, F_SETLK, F_RDLCK, 3, -5), EINVAL);
	T_EQ(lk(ro, F_SETLK, F_RDLCK, 10, -5), 0); /* [5, 10) */
	T_ERR(lk(-1, F_SETLK, F_RDLCK, 0, 1), EBADF);
	T_ERR(t_sys(SYS_fcntl, ro, F_SETLK, 8), EFAULT);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = 9;
	T_ERR(t_sys(SYS_fcntl, ro, F_SETLK, (long)&fl), EINVAL);
	T_ERR(getlk(ro, F_UNLCK, 0, 1, &fl), EINVAL);
	close(ro);
	close(wo);
}

static int child_locks_and_exits(int fd, pid_t parent)
{
	(void)parent;
	return lk(fd, F_SETLK, F_WRLCK, 0, 1) != 0; /* exit drops it */
}

static int child_holds_a_while(int fd, pid_t parent)
{
	(void)parent;
	if (lk(fd, F_SETLK, F_WRLCK, 0, 10))
		return 1;
	t_sleep_ms(200);
	return 0;
}

static void test_wait(void)
{
	int fd = xopen(O_RDWR);
	pid_t pid;
	long t0;

	T_EQ(in_child(child_locks_and_exits), 0);
	T_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 1), 0);
	T_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);

	pid = fork();
	if (pid == 0)
		_exit(child_holds_a_while(xopen(O_RDWR), 0));
	t_sleep_ms(50);
	t0 = t_now_ms();
	T_ERR(lk(fd, F_SETLK, F_WRLCK, 5, 1), EAGAIN);
	T_EQ(lk(fd, F_SETLKW, F_WRLCK, 5, 1), 0);
	T_CHECK(t_now_ms() - t0 >= 100);
	T_EQ(t_reap(pid), 0);
	T_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 0), 0);
	close(fd);
}

static volatile sig_atomic_t hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

/* A child holds the lock until told (a byte on a pipe); fds[1] tells it. */
static pid_t holder(int *fds, long start)
{
	pid_t pid;
	char c;

	T_EQ(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		int fd = xopen(O_RDWR);
		close(fds[1]);
		if (lk(fd, F_SETLK, F_WRLCK, start, 1))
			_exit(1);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 2);
	}
	close(fds[0]);
	t_sleep_ms(50);
	return pid;
}

static void test_interrupted(void)
{
	struct sigaction sa;
	int fd = xopen(O_RDWR), fds[2];
	pid_t me = getpid(), h = holder(fds, 0), k;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	k = fork();
	if (k == 0) {
		t_sleep_ms(150);
		kill(me, SIGUSR1);
		_exit(0);
	}
	T_ERR(lk(fd, F_SETLKW, F_RDLCK, 0, 1), EINTR);
	T_EQ(hits, 1);
	T_EQ(write(fds[1], "x", 1), 1);
	T_EQ(t_reap(h), 0);
	T_EQ(t_reap(k), 0);
	close(fds[1]);
	close(fd);
	signal(SIGUSR1, SIG_DFL);
}

/* We hold byte 0 and want byte 1; the child holds byte 1 and waits for 0. */
static void test_deadlock(void)
{
	int fd = xopen(O_RDWR), go[2];
	pid_t pid;
	char c;

	T_EQ(lk(fd, F_SETLK, F_WRLCK, 0, 1), 0);
	T_EQ(pipe(go), 0);
	pid = fork();
	if (pid == 0) {
		int cfd = xopen(O_RDWR);
		close(go[0]);
		if (lk(cfd, F_SETLK, F_WRLCK, 1, 1))
			_exit(1);
		t_sys(SYS_write, go[1], (long)"r", 1);
		_exit(lk(cfd, F_SETLKW, F_WRLCK, 0, 1) == 0 ? 0 : 2);
	}
	close(go[1]);
	T_EQ(read(go[0], &c, 1), 1);
	t_sleep_ms(100); /* let the child park in F_SETLKW */
	T_ERR(lk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
	T_EQ(lk(fd, F_SETLK, F_UNLCK, 0, 1), 0); /* the child gets byte 0 */
	T_EQ(t_reap(pid), 0);
	close(go[0]);
	close(fd);
}

static void test_ofd(void)
{
	int a = xopen(O_RDWR), b = xopen(O_RDWR);
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_len = 10;
	T_EQ(t_sys(SYS_fcntl, a, F_OFD_SETLK, (long)&fl), 0);
	T_ERR(t_sys(SYS_fcntl, b, F_OFD_SETLK, (long)&fl), EAGAIN);
	fl.l_pid = 0;
	T_EQ(t_sys(SYS_fcntl, b, F_OFD_GETLK, (long)&fl), 0);
	T_EQ(fl.l_type, F_WRLCK);
	T_EQ(fl.l_pid, -1);
	T_ERR(lk(b, F_SETLK, F_WRLCK, 0, 1), EAGAIN); /* POSIX and OFD see each other */
	fl.l_pid = 5;
	T_ERR(t_sys(SYS_fcntl, b, F_OFD_SETLK, (long)&fl), EINVAL);
	close(a); /* its last reference: the OFD lock goes */
	fl.l_type = F_WRLCK;
	fl.l_pid = 0;
	T_EQ(t_sys(SYS_fcntl, b, F_OFD_SETLK, (long)&fl), 0);
	close(b);
}

static int child_flock_ex(int fd, pid_t parent)
{
	(void)parent;
	return t_sys(SYS_flock, fd, LOCK_EX | LOCK_NB) == -EWOULDBLOCK ? 0 : 1;
}

static void test_flock(void)
{
	int a = xopen(O_RDWR), b = xopen(O_RDWR), d;
	pid_t pid;
	long t0;

	T_EQ(t_sys(SYS_flock, a, LOCK_EX), 0);
	T_ERR(t_sys(SYS_flock, b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	T_ERR(t_sys(SYS_flock, b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	T_EQ(in_child(child_flock_ex), 0);
	T_EQ(lk(b, F_SETLK, F_WRLCK, 0, 0), 0); /* fcntl locks are separate */
	T_EQ(lk(b, F_SETLK, F_UNLCK, 0, 0), 0);
	d = dup(a);
	close(a); /* d still holds the description: still locked */
	T_ERR(t_sys(SYS_flock, b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	T_EQ(t_sys(SYS_flock, d, LOCK_SH), 0); /* downgrade */
	T_EQ(t_sys(SYS_flock, b, LOCK_SH | LOCK_NB), 0);
	T_EQ(t_sys(SYS_flock, b, LOCK_UN), 0);
	close(d);
	T_EQ(t_sys(SYS_flock, b, LOCK_EX | LOCK_NB), 0);
	T_ERR(t_sys(SYS_flock, b, 0), EINVAL);
	T_ERR(t_sys(SYS_flock, 99, LOCK_SH), EBADF);

	pid = fork(); /* the child inherits b's description: the lock is shared */
	if (pid == 0)
		_exit(t_sys(SYS_flock, b, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	T_EQ(t_reap(pid), 0);
	pid = fork();
	if (pid == 0) {
		int c = xopen(O_RDONLY);
		close(b); /* else our copy keeps the locked description alive */
		_exit(t_sys(SYS_flock, c, LOCK_SH) == 0 ? 0 : 1); /* waits for the parent */
	}
	t_sleep_ms(150);
	t0 = t_now_ms();
	close(b);
	T_EQ(t_reap(pid), 0);
	T_CHECK(t_now_ms() - t0 < 2000);
}

int main(void)
{
	int fd = open(PATH, O_CREAT | O_TRUNC | O_RDWR, 0600);

	T_CHECK(fd >= 0);
	T_EQ(write(fd, "0123456789", 10), 10);
	close(fd);
	test_ranges();
	test_errors();
	test_wait();
	test_interrupted();
	test_deadlock();
	test_ofd();
	test_flock();
	unlink(PATH);
	T_DONE();
}
