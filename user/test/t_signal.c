/*
 * t_signal: Linux signal semantics. A handler gets the signal number and the
 * sender's pid; a blocked signal stays pending until unblocked; SA_RESTART
 * restarts an interrupted wait4 while a plain handler makes it fail with EINTR;
 * nanosleep is interrupted; rt_sigsuspend and rt_sigtimedwait wait for signals;
 * SA_ONSTACK runs the handler on the alternate stack; a SIGSEGV handler can
 * recover with siglongjmp; default actions terminate (SIGTERM, SIGKILL) or
 * ignore (SIGCHLD); a SIGCHLD handler runs when a child exits; tgkill reaches
 * one thread; pthread_cancel stops a thread sleeping in nanosleep.
 */
#include "t.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t got_sig, got_pid, handler_on_alt;
static char altstack[16384];

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_pid = si->si_pid;
	char probe;
	handler_on_alt = (&probe >= altstack && &probe < altstack + sizeof(altstack));
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	T_EQ(sigaction(sig, &sa, NULL), 0);
}

static void test_handler_and_mask(void)
{
	sigset_t set, old, pend;
	install(SIGUSR1, on_usr1, 0);
	T_EQ(kill(getpid(), SIGUSR1), 0);
	T_EQ(got_sig, SIGUSR1);
	T_EQ(got_pid, getpid());

	got_sig = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	T_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
	T_EQ(kill(getpid(), SIGUSR1), 0);
	T_EQ(got_sig, 0);
	T_EQ(sigpending(&pend), 0);
	T_CHECK(sigismember(&pend, SIGUSR1));
	T_EQ(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	T_EQ(got_sig, SIGUSR1);
	T_EQ(sigaction(SIGKILL, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL), -1);
	T_EQ(errno, EINVAL);
}

static void on_alrm(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	got_sig = sig;
}

/* A child that signals its parent after a delay, then exits with code. */
static pid_t poke_parent_later(int sig, int ms, int code)
{
	pid_t c = fork();
	if (c == 0) {
		struct timespec ts = { 0, ms * 1000000L };
		nanosleep(&ts, NULL);
		kill(getppid(), sig);
		nanosleep(&ts, NULL);
		_exit(code);
	}
	return c;
}

static void test_restart(void)
{
	int st;
	/* Without SA_RESTART the interrupted wait4 fails with EINTR. */
	install(SIGUSR2, on_alrm, 0);
	pid_t c = poke_parent_later(SIGUSR2, 50, 3);
	got_sig = 0;
	T_EQ(waitpid(c, &st, 0), -1);
	T_EQ(errno, EINTR);
	T_EQ(got_sig, SIGUSR2);
	T_EQ(waitpid(c, &st, 0), c);
	T_EQ(WEXITSTATUS(st), 3);
	/* With SA_RESTART the same wait goes on and reaps the child. */
	install(SIGUSR2, on_alrm, SA_RESTART);
	c = poke_parent_later(SIGUSR2, 50, 4);
	got_sig = 0;
	T_EQ(waitpid(c, &st, 0), c);
	T_EQ(got_sig, SIGUSR2);
	T_EQ(WEXITSTATUS(st), 4);
	/* nanosleep is never restarted: EINTR. */
	c = poke_parent_later(SIGUSR2, 50, 0);
	struct timespec ts = { 5, 0 }, rem;
	T_EQ(nanosleep(&ts, &rem), -1);
	T_EQ(errno, EINTR);
	waitpid(c, &st, 0);
}

static void test_suspend_timedwait(void)
{
	sigset_t set, old, none;
	install(SIGUSR1, on_usr1, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid_t c = poke_parent_later(SIGUSR1, 30, 0);
	got_sig = 0;
	sigemptyset(&none);
	T_EQ(sigsuspend(&none), -1);
	T_EQ(errno, EINTR);
	T_EQ(got_sig, SIGUSR1);
	waitpid(c, NULL, 0);

	/* sigtimedwait takes a blocked signal without running the handler. */
	got_sig = 0;
	c = poke_parent_later(SIGUSR1, 30, 0);
	siginfo_t si;
	struct timespec ts = { 5, 0 };
	T_EQ(sigtimedwait(&set, &si, &ts), SIGUSR1);
	T_EQ(got_sig, 0);
	waitpid(c, NULL, 0);
	ts.tv_sec = 0;
	ts.tv_nsec = 20 * 1000 * 1000;
	T_EQ(sigtimedwait(&set, &si, &ts), -1);
	T_EQ(errno, EAGAIN);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
	T_EQ(sigaltstack(&ss, NULL), 0);
	install(SIGUSR1, on_usr1, SA_ONSTACK);
	handler_on_alt = 0;
	raise(SIGUSR1);
	T_EQ(handler_on_alt, 1);
	ss.ss_flags = SS_DISABLE;
	T_EQ(sigaltstack(&ss, NULL), 0);
}

static sigjmp_buf jb;
static volatile uintptr_t bad_addr = 16;	/* volatile: the compiler cannot see the fault */

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_pid = (sig_atomic_t)(uintptr_t)si->si_addr;
	siglongjmp(jb, 1);
}

static void test_segv_handler(void)
{
	install(SIGSEGV, on_segv, 0);
	got_sig = 0;
	if (!sigsetjmp(jb, 1))
		*(volatile int *)bad_addr = 1;
	T_EQ(got_sig, SIGSEGV);
	T_EQ(got_pid, 16);
	signal(SIGSEGV, SIG_DFL);
}

static void test_defaults(void)
{
	int st;
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			sched_yield();
	}
	T_EQ(kill(c, SIGTERM), 0);
	T_EQ(waitpid(c, &st, 0), c);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);

	c = fork();
	if (c == 0) {
		struct timespec ts = { 30, 0 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	T_EQ(kill(c, SIGKILL), 0);
	T_EQ(waitpid(c, &st, 0), c);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	T_EQ(kill(c, 0), -1);
	T_EQ(errno, ESRCH);
	T_EQ(kill(getpid(), 0), 0);
}

static volatile sig_atomic_t chld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld = si->si_pid;
}

static void test_sigchld(void)
{
	install(SIGCHLD, on_chld, SA_RESTART);
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	int st;
	T_EQ(waitpid(c, &st, 0), c);
	T_EQ(chld, c);
	signal(SIGCHLD, SIG_DFL);
}

static volatile sig_atomic_t thr_got;
static volatile int thr_tid;

static void on_thr(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	if (gettid() == thr_tid)
		thr_got = sig;
}

static void *sleeper(void *arg)
{
	thr_tid = gettid();
	for (;;) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		if (thr_got)
			break;
	}
	return arg;
}

static void *cancellee(void *arg)
{
	for (;;) {
		struct timespec ts = { 10, 0 };
		nanosleep(&ts, NULL);
	}
	return arg;
}

static void test_threads(void)
{
	pthread_t th;
	install(SIGUSR2, on_thr, 0);
	T_EQ(pthread_create(&th, NULL, sleeper, NULL), 0);
	while (!thr_tid)
		sched_yield();
	T_EQ(pthread_kill(th, SIGUSR2), 0);
	T_EQ(pthread_join(th, NULL), 0);
	T_EQ(thr_got, SIGUSR2);

	void *r;
	T_EQ(pthread_create(&th, NULL, cancellee, NULL), 0);
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	T_EQ(pthread_cancel(th), 0);
	T_EQ(pthread_join(th, &r), 0);
	T_CHECK(r == PTHREAD_CANCELED);
}

int main(void)
{
	test_handler_and_mask();
	test_restart();
	test_suspend_timedwait();
	test_altstack();
	test_segv_handler();
	test_defaults();
	test_sigchld();
	test_threads();
	T_DONE();
}
