/*
 * t_fifo: named pipes. mknodat(S_IFIFO) and mkfifo make a FIFO (stat says so,
 * the umask applies, EEXIST on a second one); mknod's other types (a regular
 * file, EPERM for a directory, EINVAL for a bad type). Opening: a
 * non-blocking reader succeeds at once and reads end of file; a non-blocking
 * writer without readers gets ENXIO; a blocking reader waits (parked) until a
 * writer opens, and a blocking writer until a reader does; O_RDWR never
 * waits; a signal interrupts a waiting open with EINTR and leaves no end
 * counted. Data: both ends through the same pipe code (a 200 KiB blocking
 * write, end of file once the writers close, EPIPE without readers, ESPIPE
 * for lseek), the data goes when the last end closes, and the FIFO works
 * after unlink while open. Works on Weft and on Linux (qemu-user). Runs in
 * /tmp, or in the directory given (a disk file system: user/test/disk/fifo.sh).
 */
#include "t.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define DIR "t_fifo.d" /* in the directory named by argv[1], else /tmp */
#define FIFO DIR "/f"
#define BIG (200 * 1024)

static long xopen(const char *path, int flags)
{
	return t_sys(SYS_openat, AT_FDCWD, (long)path, flags, 0);
}

static void test_make(void)
{
	struct stat st;
	mode_t old = umask(022);

	T_EQ(t_sys(SYS_mknodat, AT_FDCWD, (long)FIFO, S_IFIFO | 0666, 0), 0);
	T_EQ(stat(FIFO, &st), 0);
	T_CHECK(S_ISFIFO(st.st_mode));
	T_EQ(st.st_mode & 0777, 0644);
	T_EQ(st.st_size, 0);
	T_ERR(t_sys(SYS_mknodat, AT_FDCWD, (long)FIFO, S_IFIFO | 0600, 0), EEXIST);
	T_EQ(mkfifo(DIR "/g", 0600), 0);
	T_EQ(lstat(DIR "/g", &st), 0);
	T_CHECK(S_ISFIFO(st.st_mode));
	T_EQ(unlink(DIR "/g"), 0);
	/* mknod's other types */
	T_EQ(t_sys(SYS_mknodat, AT_FDCWD, (long)DIR "/r", S_IFREG | 0600, 0), 0);
	T_EQ(stat(DIR "/r", &st), 0);
	T_CHECK(S_ISREG(st.st_mode));
	T_EQ(t_sys(SYS_mknodat, AT_FDCWD, (long)DIR "/r0", 0600, 0), 0);
	T_EQ(stat(DIR "/r0", &st), 0);
	T_CHECK(S_ISREG(st.st_mode));
	T_ERR(t_sys(SYS_mknodat, AT_FDCWD, (long)DIR "/r", S_IFIFO | 0600, 0), EEXIST);
	T_ERR(t_sys(SYS_mknodat, AT_FDCWD, (long)DIR "/d", S_IFDIR | 0700, 0), EPERM);
	T_ERR(t_sys(SYS_mknodat, AT_FDCWD, (long)DIR "/x", 0170000 | 0600, 0), EINVAL);
	T_ERR(t_sys(SYS_mknodat, AT_FDCWD, (long)DIR "/no/x", S_IFIFO | 0600, 0), ENOENT);
	T_ERR(t_sys(SYS_mknodat, AT_FDCWD, 1, S_IFIFO | 0600, 0), EFAULT);
	unlink(DIR "/r");
	unlink(DIR "/r0");
	umask(old);
}

static void test_nonblocking_opens(void)
{
	char buf[8];
	long r, w;

	T_ERR(xopen(FIFO, O_WRONLY | O_NONBLOCK), ENXIO);
	r = xopen(FIFO, O_RDONLY | O_NONBLOCK);
	T_CHECK(r >= 0);
	T_EQ(t_sys(SYS_read, r, (long)buf, sizeof(buf)), 0); /* no writer: end of file */
	w = xopen(FIFO, O_WRONLY | O_NONBLOCK);
	T_CHECK(w >= 0);
	T_ERR(t_sys(SYS_read, r, (long)buf, sizeof(buf)), EAGAIN);
	T_EQ(t_sys(SYS_write, w, (long)"hi", 2), 2);
	T_EQ(t_sys(SYS_read, r, (long)buf, sizeof(buf)), 2);
	T_CHECK(memcmp(buf, "hi", 2) == 0);
	T_ERR(t_sys(SYS_lseek, r, 0, SEEK_SET), ESPIPE);
	T_ERR(t_sys(SYS_read, w, (long)buf, 1), EBADF);
	close(w);
	T_EQ(t_sys(SYS_read, r, (long)buf, sizeof(buf)), 0);
	close(r);
}

/* A blocking open by `side` waits until the child opens the other side. */
static void test_blocking_open(int side)
{
	int other = side == O_RDONLY ? O_WRONLY : O_RDONLY;
	char buf[8] = "";
	long fd, t0;
	pid_t pid = fork();

	if (pid == 0) {
		long c;
		t_sleep_ms(150);
		c = xopen(FIFO, other);
		if (c < 0)
			_exit(2);
		if (other == O_WRONLY)
			_exit(t_sys(SYS_write, c, (long)"abc", 3) == 3 ? 0 : 3);
		_exit(t_sys(SYS_read, c, (long)buf, 3) == 3 && !memcmp(buf, "xyz", 3) ? 0 : 4);
	}
	t0 = t_now_ms();
	fd = xopen(FIFO, side);
	T_CHECK(fd >= 0);
	T_CHECK(t_now_ms() - t0 >= 100);
	if (side == O_RDONLY) {
		T_EQ(t_sys(SYS_read, fd, (long)buf, 3), 3);
		T_CHECK(memcmp(buf, "abc", 3) == 0);
	} else {
		T_EQ(t_sys(SYS_write, fd, (long)"xyz", 3), 3);
	}
	T_EQ(t_reap(pid), 0);
	if (side == O_RDONLY)
		T_EQ(t_sys(SYS_read, fd, (long)buf, 3), 0);
	else
		T_ERR(t_sys(SYS_write, fd, (long)"x", 1), EPIPE);
	close(fd);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A signal ends a waiting open with EINTR; the end it was is not counted. */
static void test_open_interrupted(void)
{
	struct sigaction sa;
	pid_t pid, me = getpid();
	long t0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGUSR1, &sa, NULL);
	alarms = 0;
	pid = fork();
	if (pid == 0) {
		t_sleep_ms(200);
		kill(me, SIGUSR1);
		_exit(0);
	}
	t0 = t_now_ms();
	T_ERR(xopen(FIFO, O_RDONLY), EINTR);
	T_CHECK(t_now_ms() - t0 >= 150);
	T_EQ(alarms, 1);
	T_ERR(xopen(FIFO, O_WRONLY | O_NONBLOCK), ENXIO);
	T_EQ(t_reap(pid), 0);
	signal(SIGUSR1, SIG_DFL);
}

/* O_RDWR is both ends: no waiting; the data goes with the last close. */
static void test_rdwr(void)
{
	char buf[8];
	int n = -1;
	long fd = xopen(FIFO, O_RDWR), w;

	T_CHECK(fd >= 0);
	w = xopen(FIFO, O_WRONLY); /* a reader exists: no waiting */
	T_CHECK(w >= 0);
	T_EQ(t_sys(SYS_write, w, (long)"12345", 5), 5);
	T_EQ(t_sys(SYS_write, fd, (long)"6", 1), 1);
	T_EQ(ioctl(fd, FIONREAD, &n), 0);
	T_EQ(n, 6);
	T_EQ(t_sys(SYS_read, fd, (long)buf, 2), 2);
	close(w);
	close(fd);
	fd = xopen(FIFO, O_RDWR);
	T_EQ(ioctl(fd, FIONREAD, &n), 0);
	T_EQ(n, 0);
	close(fd);
}

/* A large transfer between processes, with the FIFO unlinked meanwhile. */
static void test_transfer(void)
{
	static unsigned char out[BIG], in[BIG];
	size_t got = 0;
	pid_t pid;
	long fd;

	for (size_t i = 0; i < BIG; i++)
		out[i] = (unsigned char)(i * 13 + (i >> 8));
	pid = fork();
	if (pid == 0) {
		long w = xopen(FIFO, O_WRONLY);
		if (w < 0)
			_exit(2);
		_exit(t_sys(SYS_write, w, (long)out, BIG) == BIG ? 0 : 3);
	}
	fd = xopen(FIFO, O_RDONLY);
	T_CHECK(fd >= 0);
	T_EQ(unlink(FIFO), 0);
	while (got < BIG) {
		long r = t_sys(SYS_read, fd, (long)(in + got), 5000);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	T_EQ(got, BIG);
	T_CHECK(memcmp(in, out, BIG) == 0);
	T_EQ(t_sys(SYS_read, fd, (long)in, 1), 0);
	close(fd);
	T_EQ(t_reap(pid), 0);
}

int main(int argc, char **argv)
{
	if (chdir(argc > 1 ? argv[1] : "/tmp")) {
		T_CHECK(!"chdir");
		T_DONE();
	}
	signal(SIGPIPE, SIG_IGN);
	mkdir(DIR, 0700);
	unlink(FIFO);
	test_make();
	test_nonblocking_opens();
	test_blocking_open(O_RDONLY);
	test_blocking_open(O_WRONLY);
	test_open_interrupted();
	test_rdwr();
	test_transfer();
	rmdir(DIR);
	T_DONE();
}
