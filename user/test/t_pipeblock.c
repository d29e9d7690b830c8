/*
 * t_pipeblock: blocking writes larger than a pipe holds, and the signals of
 * writes into a pipe nobody reads. A blocking write(2) of 256 KiB returns the
 * whole count once a slow reader has taken it all (POSIX: no partial count
 * without a signal); a signal that interrupts it after some bytes went in
 * gives that partial count, even without SA_RESTART; the reader leaving in
 * the middle gives a partial count and SIGPIPE; sendfile(2) into a pipe
 * without readers fails with EPIPE and raises SIGPIPE. Writes of at most
 * PIPE_BUF bytes stay whole next to a large writer. Works on Weft and on
 * Linux (qemu-user).
 */
#include "t.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/wait.h>
#include <time.h>

#define CAP (64 * 1024)
#define BIG (256 * 1024)

static unsigned char big[BIG], got[BIG];

static unsigned char pattern(unsigned long i)
{
	return (unsigned char)(i * 7 + (i >> 11));
}

/* Read exactly n bytes in pieces of step, sleeping a little now and then. */
static long slow_read(int fd, unsigned char *buf, size_t n, size_t step)
{
	size_t done = 0;

	while (done < n) {
		long r = t_sys(SYS_read, fd, (long)(buf + done), (long)(n - done < step ? n - done : step));
		if (r <= 0)
			return r < 0 ? r : (long)done;
		done += (size_t)r;
		if (done % (32 * 1024) < step)
			t_sleep_ms(5);
	}
	return (long)done;
}

/* One write(2) of 256 KiB into a 64 KiB pipe: the whole count, in order. */
static void test_big_write_whole(void)
{
	int fds[2];
	pid_t pid;

	for (unsigned long i = 0; i < BIG; i++)
		big[i] = pattern(i);
	T_EQ(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(t_sys(SYS_write, fds[1], (long)big, BIG) == BIG ? 0 : 1);
	}
	close(fds[1]);
	t_sleep_ms(50);
	T_EQ(slow_read(fds[0], got, BIG, 3000), BIG);
	T_CHECK(memcmp(big, got, BIG) == 0);
	T_EQ(t_sys(SYS_read, fds[0], (long)got, 1), 0);
	close(fds[0]);
	T_EQ(t_reap(pid), 0);
}

/* The same through writev(2) with one large piece. */
static void test_big_writev_whole(void)
{
	struct iovec iov = {big, BIG};
	int fds[2];
	pid_t pid;

	T_EQ(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(t_sys(SYS_writev, fds[1], (long)&iov, 1) == BIG ? 0 : 1);
	}
	close(fds[1]);
	T_EQ(slow_read(fds[0], got, BIG, 8192), BIG);
	T_CHECK(memcmp(big, got, BIG) == 0);
	close(fds[0]);
	T_EQ(t_reap(pid), 0);
}

static volatile sig_atomic_t hits;

static void on_signal(int sig)
{
	(void)sig;
	hits++;
}

static void catch_signal(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/*
 * A child that makes one write(2) of BIG bytes into a new pipe (*fds: we keep
 * the read end) after setup(arg), and reports its result on a second pipe
 * (*rep: we keep the read end). It exits with 0, or 1 if hits != want_hits.
 */
static pid_t big_writer(int *fds, int *rep, void (*setup)(int), int arg, int want_hits)
{
	pid_t pid;
	long r;

	T_EQ(pipe(fds), 0);
	T_EQ(pipe(rep), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		close(rep[0]);
		hits = 0;
		setup(arg);
		r = t_sys(SYS_write, fds[1], (long)big, BIG);
		t_sys(SYS_write, rep[1], (long)&r, sizeof(r));
		_exit(hits == want_hits ? 0 : 1);
	}
	close(fds[1]);
	close(rep[1]);
	return pid;
}

static void catch_usr1(int flags)
{
	catch_signal(SIGUSR1, flags);
}

static void sigpipe_action(int ignore)
{
	signal(SIGPIPE, ignore ? SIG_IGN : SIG_DFL);
}

/* A signal after the pipe filled: the write returns what went in (64 KiB),
 * with or without SA_RESTART. */
static void test_signal_partial(int flags)
{
	int fds[2], p2[2];
	pid_t pid = big_writer(fds, p2, catch_usr1, flags, 1);
	long r = 0;

	t_sleep_ms(150);
	kill(pid, SIGUSR1);
	T_EQ(t_sys(SYS_read, p2[0], (long)&r, sizeof(r)), sizeof(r));
	T_EQ(r, CAP);
	T_EQ(slow_read(fds[0], got, CAP, 8192), CAP);
	T_CHECK(memcmp(big, got, CAP) == 0);
	T_EQ(t_sys(SYS_read, fds[0], (long)got, 1), 0);
	close(fds[0]);
	close(p2[0]);
	T_EQ(t_reap(pid), 0);
}

/* The reader goes away in the middle: a partial count (SIGPIPE ignored),
 * or death by SIGPIPE (default action). */
static void test_reader_leaves(void)
{
	int fds[2], p2[2], st = -1;
	long r = 0;

	for (int ignore = 1; ignore >= 0; ignore--) {
		pid_t pid = big_writer(fds, p2, sigpipe_action, ignore, 0);
		T_EQ(slow_read(fds[0], got, CAP + 100, 4096), CAP + 100);
		close(fds[0]);
		r = -1;
		if (ignore) {
			T_EQ(t_sys(SYS_read, p2[0], (long)&r, sizeof(r)), sizeof(r));
			T_CHECK(r >= CAP + 100 && r < BIG);
			T_EQ(t_reap(pid), 0);
		} else {
			T_EQ(t_sys(SYS_read, p2[0], (long)&r, sizeof(r)), 0);
			T_EQ(waitpid(pid, &st, 0), pid);
			T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
		}
		close(p2[0]);
	}
}

/* Writes of PIPE_BUF bytes from two children stay whole next to a large one. */
static void test_atomic_next_to_big(void)
{
	static unsigned char all[BIG + 64 * 4096];
	size_t total = sizeof(all), at = 0;
	int fds[2];
	pid_t kids[3];

	T_EQ(pipe(fds), 0);
	for (int k = 0; k < 3; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			static unsigned char piece[4096];
			close(fds[0]);
			if (k == 0) {
				memset(big, 'a', BIG);
				_exit(t_sys(SYS_write, fds[1], (long)big, BIG) == BIG ? 0 : 1);
			}
			memset(piece, 'A' + k, sizeof(piece));
			for (int i = 0; i < 32; i++)
				if (t_sys(SYS_write, fds[1], (long)piece, sizeof(piece)) != sizeof(piece))
					_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	T_EQ(slow_read(fds[0], all, total, 1000), (long)total);
	close(fds[0]);
	for (int k = 0; k < 3; k++)
		T_EQ(t_reap(kids[k]), 0);
	/* Every 'B' or 'C' byte belongs to a run of exactly 4096 such bytes. */
	while (at < total) {
		unsigned char c = all[at];
		size_t run = 0;
		if (c != 'B' && c != 'C') {
			at++;
			continue;
		}
		while (at + run < total && all[at + run] == c)
			run++;
		T_CHECK(run % 4096 == 0);
		at += run;
	}
}

/* sendfile(2) into a pipe whose reader is gone: EPIPE and SIGPIPE. */
static void test_sendfile_epipe(void)
{
	const char *path = "/tmp/t_pipeblock.dat";
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600), fds[2];
	off_t off = 0;

	T_CHECK(fd >= 0);
	T_EQ(write(fd, "hello", 5), 5);
	T_EQ(pipe(fds), 0);
	close(fds[0]);
	hits = 0;
	catch_signal(SIGPIPE, 0);
	T_ERR(t_sys(SYS_sendfile, fds[1], fd, (long)&off, 5), EPIPE);
	T_EQ(hits, 1);
	/* and plain write(2), for comparison */
	T_ERR(t_sys(SYS_write, fds[1], (long)"x", 1), EPIPE);
	T_EQ(hits, 2);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
	close(fd);
	unlink(path);
}

int main(void)
{
	test_big_write_whole();
	test_big_writev_whole();
	test_signal_partial(0);
	test_signal_partial(SA_RESTART);
	test_reader_leaves();
	test_atomic_next_to_big();
	test_sendfile_epipe();
	T_DONE();
}
