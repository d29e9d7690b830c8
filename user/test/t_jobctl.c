/*
 * t_jobctl: stop and continue. SIGSTOP stops a busy child (wait4 with
 * WUNTRACED reports it once, WIFSTOPPED); while stopped it makes no progress;
 * SIGCONT resumes it (WCONTINUED reports it) and it progresses again; SIGTSTP
 * with a handler runs the handler instead of stopping; SIGKILL ends a stopped
 * child.
 */
#include "t.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static void pause_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static volatile sig_atomic_t got_tstp;

static void on_tstp(int sig)
{
	got_tstp = sig;
}

int main(void)
{
	volatile long *count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				    -1, 0);
	int st;

	T_CHECK(count != MAP_FAILED);
	pid_t c = fork();
	if (c == 0)
		for (;;)
			(*count)++;
	pause_ms(50);
	T_EQ(kill(c, SIGSTOP), 0);
	T_EQ(waitpid(c, &st, WUNTRACED), c);
	T_CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	T_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);	/* reported once */
	long a = *count;
	pause_ms(100);
	T_EQ(*count, a);	/* no progress while stopped */
	T_EQ(kill(c, SIGCONT), 0);
	T_EQ(waitpid(c, &st, WCONTINUED), c);
	T_CHECK(WIFCONTINUED(st));
	pause_ms(100);
	T_CHECK(*count > a);	/* running again */

	T_EQ(kill(c, SIGSTOP), 0);
	T_EQ(waitpid(c, &st, WUNTRACED), c);
	T_EQ(kill(c, SIGKILL), 0);	/* a stopped process still dies */
	T_EQ(waitpid(c, &st, 0), c);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	signal(SIGTSTP, on_tstp);
	raise(SIGTSTP);
	T_EQ(got_tstp, SIGTSTP);
	T_DONE();
}
