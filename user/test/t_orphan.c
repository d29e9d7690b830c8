/*
 * t_orphan: orphaned process groups and the exit of a session leader.
 * A process group becomes orphaned when the last member whose parent is in
 * another group of the same session goes away; if a member is stopped then,
 * every member gets SIGHUP and then SIGCONT. Checked both ways it happens:
 * the parent that linked the group exits, and the linking member itself
 * exits; and not at all when no member is stopped. A session leader that
 * exits sends SIGHUP to its controlling terminal's foreground group, and the
 * terminal leaves the session (tcgetsid then fails with ENOTTY). SIGTSTP
 * does not stop a member of an orphaned group, and its background read of
 * the terminal fails with EIO instead of stopping it with SIGTTIN. Works on
 * Weft (the console) and on Linux (on a pty:
 * script -qc 'qemu-riscv64-static t_orphan').
 */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

static int report = -1; /* write end of the pipe the watched process reports on */

static void say(char c)
{
	if (write(report, &c, 1) != 1)
		_exit(9);
}

static void on_sig(int sig)
{
	say(sig == SIGHUP ? 'H' : sig == SIGCONT ? 'C' : '?');
}

static void catch_hup_cont(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
}

/* Read what the watched processes report until every write end is closed
 * (or 5 s pass); NUL-terminated. */
static void collect(int fd, char *buf, size_t max)
{
	size_t n = 0;
	long t0 = t_now_ms();

	while (n + 1 < max && t_now_ms() - t0 < 5000) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t r = read(fd, buf + n, max - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
}

/* The watched process: report signals, stop if asked, then report 'E' once
 * running again (after the handlers ran) and exit. Not asked to stop, it
 * waits for go (its group is orphaned by then) and sends itself SIGTSTP,
 * which must not stop a member of an orphaned group. */
static void watched(int stop, int go_fd)
{
	char c;

	catch_hup_cont();
	if (stop) {
		raise(SIGSTOP);
	} else {
		if (read(go_fd, &c, 1) < 0)
			_exit(3);
		raise(SIGTSTP);
	}
	say('E');
	_exit(0);
}

/* Case 1: the parent that linked the group to the session exits while the
 * group's only member is stopped (or, with stop 0, running). */
static void parent_exits(int stop, char *out, size_t max)
{
	int p[2], go[2], st;
	pid_t m;

	T_EQ(pipe(p), 0);
	T_EQ(pipe(go), 0);
	m = fork();
	if (m == 0) {
		pid_t c = fork();
		if (c == 0) {
			setpgid(0, 0);
			report = p[1];
			close(p[0]);
			close(go[1]);
			watched(stop, go[0]);
		}
		setpgid(c, c);
		if (stop && (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st)))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	close(go[0]);
	T_EQ(t_reap(m), 0);
	if (!stop) {
		t_sleep_ms(200); /* time for a wrong SIGHUP to arrive */
		T_EQ(write(go[1], "g", 1), 1);
	}
	collect(p[0], out, max);
	close(p[0]);
	close(go[1]);
}

/* Case 2: the group's linking member exits; the other member (its child,
 * now init's) is stopped. */
static void member_exits(char *out, size_t max)
{
	int p[2], st;
	pid_t m;

	T_EQ(pipe(p), 0);
	m = fork();
	if (m == 0) {
		pid_t c = fork();
		if (c == 0) {
			setpgid(0, 0);
			pid_t d = fork();
			if (d == 0) {
				report = p[1];
				close(p[0]);
				watched(1, -1);
			}
			close(p[1]);
			if (waitpid(d, &st, WUNTRACED) != d || !WIFSTOPPED(st))
				_exit(1);
			_exit(0); /* the group's link to the session goes */
		}
		close(p[1]);
		setpgid(c, c);
		_exit(t_reap(c));
	}
	close(p[1]);
	T_EQ(t_reap(m), 0);
	collect(p[0], out, max);
	close(p[0]);
}

static int has(const char *s, char c)
{
	return strchr(s, c) != NULL;
}

static void test_orphans(void)
{
	char out[32];

	parent_exits(1, out, sizeof(out));
	T_CHECK(has(out, 'H') && has(out, 'C') && has(out, 'E'));
	T_EQ(strlen(out), 3);
	parent_exits(0, out, sizeof(out));
	T_CHECK(strcmp(out, "E") == 0); /* nobody stopped: no hangup; TSTP ignored */
	member_exits(out, sizeof(out));
	T_CHECK(has(out, 'H') && has(out, 'C') && has(out, 'E'));
}

/* A session leader with the terminal exits: its foreground group (another
 * group of the session) gets SIGHUP, and the terminal has no session then. */
static void test_session_leader(const char *name)
{
	char out[32];
	int p[2];
	pid_t l;

	T_EQ(pipe(p), 0);
	l = fork();
	if (l == 0) {
		int tty, ready[2];
		char c;
		T_CHECK(setsid() > 0);
		tty = open(name, O_RDWR);
		if (tty < 0 || ioctl(tty, TIOCSCTTY, 1) != 0 || pipe(ready) != 0)
			_exit(1);
		pid_t f = fork();
		if (f == 0) {
			sigset_t hup, none;
			sigemptyset(&none);
			sigemptyset(&hup);
			sigaddset(&hup, SIGHUP);
			setpgid(0, 0);
			report = p[1];
			catch_hup_cont();
			sigprocmask(SIG_BLOCK, &hup, NULL); /* none lost before the wait */
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			sigsuspend(&none);
			/* The terminal left the session with its leader. */
			say(tcgetsid(tty) < 0 && errno == ENOTTY ? 'N' : 'S');
			_exit(0);
		}
		setpgid(f, f);
		if (read(ready[0], &c, 1) != 1 || tcsetpgrp(tty, f) != 0)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	T_EQ(t_reap(l), 0);
	collect(p[0], out, sizeof(out));
	close(p[0]);
	T_CHECK(strcmp(out, "HN") == 0);
}

/* In a session with the terminal, a background group that is orphaned
 * (its members' parent is gone) reads the terminal: EIO, not SIGTTIN. */
static int orphan_reader(const char *name)
{
	int tty, go[2], done[2];
	char c = 0;
	pid_t m;

	if (setsid() < 0 || (tty = open(name, O_RDWR)) < 0 || ioctl(tty, TIOCSCTTY, 1) != 0 ||
	    pipe(go) != 0 || pipe(done) != 0)
		return 1;
	m = fork();
	if (m == 0) {
		pid_t c = fork();
		if (c == 0) {
			char b;
			setpgid(0, 0);
			if (read(go[0], &b, 1) != 1)
				_exit(1);
			errno = 0;
			b = read(tty, &b, 1) < 0 && errno == EIO ? 'I' : 'X';
			_exit(write(done[1], &b, 1) == 1 ? 0 : 1);
		}
		setpgid(c, c);
		_exit(0);
	}
	if (t_reap(m) != 0 || write(go[1], "g", 1) != 1)
		return 2;
	close(done[1]);
	for (long t0 = t_now_ms(); t_now_ms() - t0 < 5000;) {
		struct pollfd p = {done[0], POLLIN, 0};
		if (poll(&p, 1, 100) > 0)
			break;
	}
	if (read(done[0], &c, 1) != 1 || c != 'I')
		return 3;
	signal(SIGHUP, SIG_IGN);
	return 0;
}

static void test_orphan_tty(const char *name)
{
	pid_t l = fork();

	if (l == 0)
		_exit(orphan_reader(name));
	T_EQ(t_reap(l), 0);
}

int main(void)
{
	const char *path = isatty(0) && ttyname(0) ? ttyname(0) : "/dev/console";
	char name[128];

	strncpy(name, path, sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	test_orphans();
	test_session_leader(name);
	test_orphan_tty(name);
	T_DONE();
}
