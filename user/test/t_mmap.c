/*
 * t_mmap: file mappings and mremap. A private mapping reads the file and keeps
 * its writes to itself; a shared mapping writes the file (read(2) sees it, and
 * so does a forked child through its own copy of the mapping), and sees
 * write(2) and truncate at once; what it stored stays in the file after
 * munmap, close and exit; mremap grows in
 * place or moves with the contents kept and shrinks; access checks and bad
 * arguments fail like Linux; touching past the end of the file kills with a
 * signal.
 */
#include "t.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PATH "t_mmap.data"

static int make_file(size_t size)
{
	int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_CHECK(fd >= 0);
	for (size_t i = 0; i < size; i++) {
		char c = (char)('a' + i % 26);
		T_EQ(write(fd, &c, 1), 1);
	}
	return fd;
}

static void test_private(void)
{
	int fd = make_file(10000);
	char buf[8];
	char *p = mmap(NULL, 10000, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	T_CHECK(p != MAP_FAILED);
	T_EQ(p[0], 'a');
	T_EQ(p[9999], (char)('a' + 9999 % 26));
	p[0] = 'X';
	T_EQ(pread(fd, buf, 1, 0), 1);
	T_EQ(buf[0], 'a');	/* the file is untouched */
	char *q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	T_CHECK(q != MAP_FAILED);
	T_EQ(q[0], (char)('a' + 4096 % 26));	/* offset mapping */
	munmap(q, 4096);
	munmap(p, 10000);
	close(fd);
}

static void test_shared(void)
{
	int fd = make_file(8192), st;
	char buf[4];
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T_CHECK(p != MAP_FAILED);
	p[1] = 'Y';
	T_EQ(pread(fd, buf, 2, 0), 2);
	T_EQ(buf[1], 'Y');	/* written through to the file */
	T_EQ(pwrite(fd, "Z", 1, 4097), 1);
	T_EQ(p[4097], 'Z');	/* and the file's writes show in the mapping */
	pid_t c = fork();
	if (c == 0) {
		p[5000] = 'C';
		_exit(0);
	}
	T_EQ(waitpid(c, &st, 0), c);
	T_EQ(p[5000], 'C');	/* a child's shared write reaches the parent */
	T_EQ(msync(p, 8192, MS_SYNC), 0);
	munmap(p, 8192);
	close(fd);
}

/*
 * A shared mapping and read(2)/write(2) of the same file agree at every step,
 * whichever side wrote last, and what was stored through the mapping reaches
 * the file: after munmap, after the storing process exits without unmapping,
 * and when the kernel itself stores (read(2) into the mapping).
 */
static void test_coherence(void)
{
	int fd = make_file(3 * 4096), src[2], st;
	char buf[8] = "";
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T_CHECK(p != MAP_FAILED);
	T_EQ(p[4100], (char)('a' + 4100 % 26)); /* the page is mapped now */
	T_EQ(pwrite(fd, "WXYZ", 4, 4099), 4);
	T_CHECK(memcmp(p + 4099, "WXYZ", 4) == 0); /* a write shows in a live mapping */
	memcpy(p + 8190, "mapped", 6);		   /* across a page boundary */
	T_EQ(pread(fd, buf, 6, 8190), 6);
	T_CHECK(memcmp(buf, "mapped", 6) == 0);
	memcpy(p + 10, "abc", 3);
	T_EQ(pwrite(fd, "Q", 1, 11), 1); /* a write after a store to the same page */
	T_EQ(pread(fd, buf, 3, 10), 3);
	T_CHECK(memcmp(buf, "aQc", 3) == 0);
	T_CHECK(memcmp(p + 10, "aQc", 3) == 0);

	/* The kernel stores into the mapping: read(2) from a pipe. */
	T_EQ(pipe(src), 0);
	T_EQ(write(src[1], "piped", 5), 5);
	T_EQ(read(src[0], p + 5000, 5), 5);
	close(src[0]);
	close(src[1]);
	T_EQ(pread(fd, buf, 5, 5000), 5);
	T_CHECK(memcmp(buf, "piped", 5) == 0);

	/* A child stores and exits without unmapping. */
	pid_t c = fork();
	if (c == 0) {
		memcpy(p + 12000, "child", 5);
		_exit(0);
	}
	T_EQ(waitpid(c, &st, 0), c);
	T_EQ(pread(fd, buf, 5, 12000), 5);
	T_CHECK(memcmp(buf, "child", 5) == 0);

	/* Stores, then munmap and close: a new descriptor reads them. */
	memcpy(p + 300, "unmapped", 8);
	T_EQ(munmap(p, 3 * 4096), 0);
	close(fd);
	fd = open(PATH, O_RDONLY);
	T_CHECK(fd >= 0);
	T_EQ(pread(fd, buf, 8, 300), 8);
	T_CHECK(memcmp(buf, "unmapped", 8) == 0);
	T_EQ(pread(fd, buf, 6, 8190), 6);
	T_CHECK(memcmp(buf, "mapped", 6) == 0);
	close(fd);

	/* truncate: the tail of the last page reads as zeros in the mapping
	 * once the file grows again. */
	fd = open(PATH, O_RDWR);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T_CHECK(p != MAP_FAILED);
	T_EQ(p[200], (char)('a' + 200 % 26));
	T_EQ(ftruncate(fd, 100), 0);
	T_EQ(ftruncate(fd, 4096), 0);
	T_EQ(p[99], (char)('a' + 99 % 26));
	T_EQ(p[200], 0);
	T_EQ(pread(fd, buf, 1, 200), 1);
	T_EQ(buf[0], 0);
	p[200] = 'T';
	T_EQ(msync(p, 4096, MS_SYNC), 0);
	T_EQ(pread(fd, buf, 1, 200), 1);
	T_EQ(buf[0], 'T');
	munmap(p, 4096);
	close(fd);
}

static void test_errors(void)
{
	int fd = make_file(100);
	int ro = open(PATH, O_RDONLY), pfd[2];
	T_CHECK(ro >= 0);
	T_CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED);
	T_EQ(errno, EACCES);
	T_CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0) != MAP_FAILED);
	T_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED);
	T_EQ(errno, EBADF);
	T_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED);
	T_EQ(errno, EINVAL);
	T_EQ(pipe(pfd), 0);
	T_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, pfd[0], 0) == MAP_FAILED);
	T_EQ(errno, ENODEV);
	close(pfd[0]);
	close(pfd[1]);

	/* Past the end of the file: a fatal signal in a child. */
	char *p = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	T_CHECK(p != MAP_FAILED);
	pid_t c = fork();
	if (c == 0) {
		volatile char x = p[2 * 4096];
		(void)x;
		_exit(0);
	}
	int st;
	T_EQ(waitpid(c, &st, 0), c);
	T_CHECK(WIFSIGNALED(st) && (WTERMSIG(st) == SIGBUS || WTERMSIG(st) == SIGSEGV));
	close(ro);
	close(fd);
}

static void test_mremap(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(p != MAP_FAILED);
	strcpy(p, "kept across mremap");
	/* Block the space after it so that growing must move. */
	char *blocker = mmap(p + 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	T_CHECK(blocker == p + 4096);
	T_CHECK(mremap(p, 4096, 8192, 0) == MAP_FAILED);
	T_EQ(errno, ENOMEM);
	char *q = mremap(p, 4096, 64 * 4096, MREMAP_MAYMOVE);
	T_CHECK(q != MAP_FAILED && q != p);
	T_EQ(strcmp(q, "kept across mremap"), 0);
	q[64 * 4096 - 1] = 1;
	char *r = mremap(q, 64 * 4096, 4096, 0);
	T_CHECK(r == q);
	T_EQ(strcmp(r, "kept across mremap"), 0);
	T_CHECK(mremap((void *)0x10000000, 4096, 8192, MREMAP_MAYMOVE) == MAP_FAILED);
	T_EQ(errno, EFAULT);
	munmap(r, 4096);
	munmap(blocker, 4096);
}

int main(void)
{
	test_private();
	test_shared();
	test_coherence();
	test_errors();
	test_mremap();
	unlink(PATH);
	T_DONE();
}
