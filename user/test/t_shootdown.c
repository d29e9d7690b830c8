/*
 * t_shootdown: unmapping memory reaches every hart. In a child process, one
 * thread keeps reading a page while the main thread unmaps it; the reader must
 * fault (the process dies of SIGSEGV) rather than go on through a translation
 * its hart still caches. Then the same for mprotect(PROT_NONE). Run with
 * several harts to test the shootdown; with one it tests the local flush.
 */
#include "t.h"
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static volatile int *page;
static volatile long *reads;	/* shared with the parent */

static void *reader(void *arg)
{
	(void)arg;
	for (;;) {
		(void)page[0];
		__atomic_add_fetch(reads, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void pause_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

/* Child: start the reader, wait until it runs, pull the page away. */
static void child(int use_mprotect)
{
	pthread_t th;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page[0] = 1;
	pthread_create(&th, NULL, reader, NULL);
	while (__atomic_load_n(reads, __ATOMIC_RELAXED) < 1000)
		;
	if (use_mprotect)
		mprotect((void *)page, 4096, PROT_NONE);
	else
		munmap((void *)page, 4096);
	pause_ms(300);	/* the reader must have faulted by now */
	_exit(0);
}

static void run(int use_mprotect)
{
	int st;
	*reads = 0;
	pid_t c = fork();
	if (c == 0)
		child(use_mprotect);
	T_EQ(waitpid(c, &st, 0), c);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

int main(void)
{
	reads = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	T_CHECK(reads != MAP_FAILED);
	for (int i = 0; i < 3; i++) {
		run(0);
		run(1);
	}
	T_DONE();
}
