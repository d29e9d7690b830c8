/*
 * AsyncQ fd ops on files of a disk file system (included by t_asyncq.c, run
 * by "t_asyncq DEV FSTYPE DIR" in the @disk suite on ext4 and FAT32). Their
 * reads and writes run in the fs service while the submitter goes on
 * (kernel/linux/lx_aq_svc.c). Checked: reads at an offset and at the file
 * position (which moves), writes at an offset and at the position, a linked
 * write-then-read chain, a batch larger than the worker can finish at once,
 * a bad buffer (-EFAULT, no panic), cancel in its three states with the file's
 * bytes proving which one it was (cancelled: nothing written; -EBUSY or
 * -EALREADY: all of it), and queues closed and processes exiting while their
 * requests wait in the service (no leak, the file intact).
 */
#include <sys/wait.h>

#define AQF_BIG (256 * 1024)

static unsigned char aqf_pat(unsigned seed, size_t i)
{
	return (unsigned char)(i * 7 + seed * 13 + (i >> 11));
}

static void aqf_fill(unsigned char *b, size_t n, unsigned seed, size_t base)
{
	for (size_t i = 0; i < n; i++)
		b[i] = aqf_pat(seed, base + i);
}

/* Queue one fd op (not submitted). */
static void aqf_op(struct tq *q, uint8_t op, uint64_t token, int fd, const void *buf,
		   uint64_t len, uint64_t off, uint8_t flags)
{
	struct weft_aq_sqe *s = tq_sqe(q, op, token);

	T_CHECK(s != NULL);
	if (!s)
		return;
	s->fd = fd;
	s->addr = (uintptr_t)buf;
	s->len = len;
	s->offset = off;
	s->flags = flags;
	tq_push(q);
}

/* The next completion, waiting up to 10 s (the disk may be slow). */
static int aqf_next(struct tq *q, struct weft_aq_cqe *c)
{
	if (tq_reap(q, c))
		return 1;
	if (tq_poll(q, 1, n_now() + 10000000000ull) < 1)
		return 0;
	return tq_reap(q, c);
}

/* Does [off, off+n) of fd hold pattern seed (counted from off)? */
static int aqf_holds(int fd, uint64_t off, size_t n, unsigned seed)
{
	static unsigned char b[AQF_BIG];

	if (pread(fd, b, n, (off_t)off) != (ssize_t)n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b[i] != aqf_pat(seed, i))
			return 0;
	return 1;
}

static void aqf_read_write(const char *path)
{
	static unsigned char data[100000], buf[8192];
	struct tq q;
	struct weft_aq_cqe c;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	T_CHECK(fd >= 0);
	aqf_fill(data, sizeof(data), 1, 0);
	T_EQ(write(fd, data, sizeof(data)), sizeof(data));
	T_EQ(tq_open(&q, 8), 0);
	/* a read at an offset, crossing blocks */
	aqf_op(&q, WEFT_AQ_OP_FD_READ, 1, fd, buf, 6000, 70001, 0);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(aqf_next(&q, &c), 1);
	T_EQ(c.token, 1);
	T_EQ(c.result, 6000);
	T_CHECK(!memcmp(buf, data + 70001, 6000));
	/* at the end of the file: what is left, then 0 */
	aqf_op(&q, WEFT_AQ_OP_FD_READ, 2, fd, buf, sizeof(buf), sizeof(data) - 100, 0);
	aqf_op(&q, WEFT_AQ_OP_FD_READ, 3, fd, buf, sizeof(buf), sizeof(data), 0);
	T_EQ(tq_submit(&q, 2), 2);
	for (int i = 0; i < 2; i++) {
		T_EQ(aqf_next(&q, &c), 1);
		T_EQ(c.result, c.token == 2 ? 100 : 0);
	}
	/* at the file position, which moves */
	T_EQ(lseek(fd, 500, SEEK_SET), 500);
	aqf_op(&q, WEFT_AQ_OP_FD_READ, 4, fd, buf, 1000, UINT64_MAX, 0);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(aqf_next(&q, &c), 1);
	T_EQ(c.result, 1000);
	T_CHECK(!memcmp(buf, data + 500, 1000));
	T_EQ(lseek(fd, 0, SEEK_CUR), 1500);
	/* a write at an offset past the end, linked to a read of it */
	aqf_op(&q, WEFT_AQ_OP_FD_WRITE, 5, fd, "0123456789", 10, 200000, WEFT_AQ_F_LINK);
	aqf_op(&q, WEFT_AQ_OP_FD_READ, 6, fd, buf, 4, 200003, 0);
	T_EQ(tq_submit(&q, 2), 2);
	T_EQ(aqf_next(&q, &c), 1);
	T_EQ(c.token, 5);
	T_EQ(c.result, 10);
	T_EQ(aqf_next(&q, &c), 1);
	T_EQ(c.token, 6);
	T_EQ(c.result, 4);
	T_CHECK(!memcmp(buf, "3456", 4));
	T_EQ(lseek(fd, 0, SEEK_END), 200010);
	/* a write at the position (the end now) */
	aqf_op(&q, WEFT_AQ_OP_FD_WRITE, 7, fd, "tail", 4, UINT64_MAX, 0);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(aqf_next(&q, &c), 1);
	T_EQ(c.result, 4);
	T_EQ(lseek(fd, 0, SEEK_CUR), 200014);
	T_EQ(pread(fd, buf, 4, 200010), 4);
	T_CHECK(!memcmp(buf, "tail", 4));
	/* a buffer that is not mapped: -EFAULT, nothing else happens */
	void *hole = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(hole != MAP_FAILED);
	munmap(hole, 8192);
	aqf_op(&q, WEFT_AQ_OP_FD_READ, 8, fd, hole, 4096, 0, 0);
	aqf_op(&q, WEFT_AQ_OP_FD_WRITE, 9, fd, hole, 4096, 0, 0);
	T_EQ(tq_submit(&q, 2), 2);
	for (int i = 0; i < 2; i++) {
		T_EQ(aqf_next(&q, &c), 1);
		T_EQ(c.result, -EFAULT);
	}
	T_CHECK(aqf_holds(fd, 0, 4096, 1));
	/* done but not reaped: too late to cancel */
	aqf_op(&q, WEFT_AQ_OP_FD_READ, 10, fd, buf, 100, 0, 0);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(tq_poll(&q, 1, n_now() + 10000000000ull), 1);
	T_ERR(tq_cancel(&q, 10), EALREADY);
	T_EQ(aqf_next(&q, &c), 1);
	T_EQ(c.result, 100);
	tq_close(&q);
	close(fd);
	T_EQ(unlink(path), 0);
}

/*
 * Cancel in every state. One round: 16 writes of 256 KiB to distinct places
 * of a file of zeros; once the first has completed (not reaped), each is
 * cancelled, the last first. The first is done (-EALREADY: the worker takes
 * them in order); the last ones have likely not started (0), and the worker
 * is likely in the middle of one (-EBUSY). Whatever each answer was, the
 * file's bytes must agree with it: cancelled -> completion -ECANCELED and
 * nothing written; -EBUSY or -EALREADY -> all of it written. Rounds go on
 * (at most 8) until every state was seen.
 */
static void aqf_cancel_round(const char *path, int seen[3])
{
	enum { N = 16 };
	static unsigned char src[N][AQF_BIG], b[AQF_BIG];
	long cres[N], res[N];
	int bad = 0;
	struct tq q;
	struct weft_aq_cqe c;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	T_CHECK(fd >= 0);
	T_EQ(ftruncate(fd, (off_t)N * AQF_BIG), 0);
	T_EQ(tq_open(&q, N), 0);
	for (int i = 0; i < N; i++) {
		aqf_fill(src[i], AQF_BIG, 100 + i, 0);
		aqf_op(&q, WEFT_AQ_OP_FD_WRITE, 100 + i, fd, src[i], AQF_BIG,
		       (uint64_t)i * AQF_BIG, 0);
		res[i] = LONG_MIN;
	}
	T_EQ(tq_submit(&q, N), N);
	T_CHECK(tq_poll(&q, 1, n_now() + 10000000000ull) >= 1);
	for (int i = N - 1; i >= 0; i--)
		cres[i] = tq_cancel(&q, 100 + i);
	for (int i = 0; i < N; i++) {
		T_EQ(aqf_next(&q, &c), 1);
		if (c.token >= 100 && c.token < 100 + N)
			res[c.token - 100] = c.result;
	}
	for (int i = 0; i < N; i++) {
		int zero = 1, was = bad;
		T_EQ(pread(fd, b, AQF_BIG, (off_t)i * AQF_BIG), AQF_BIG);
		for (size_t k = 0; k < AQF_BIG && zero; k++)
			zero = !b[k];
		if (cres[i] == 0)
			bad += res[i] != -ECANCELED || !zero;
		else if (cres[i] == -EBUSY || cres[i] == -EALREADY)
			bad += res[i] != AQF_BIG || !aqf_holds(fd, (uint64_t)i * AQF_BIG, AQF_BIG, 100 + i);
		else
			bad++;
		seen[0] += cres[i] == 0;
		seen[1] += cres[i] == -EBUSY;
		seen[2] += cres[i] == -EALREADY;
		if (bad != was)
			out_say("  cancel %d: %ld, result %ld, zero %d\n", i, cres[i], res[i], zero);
	}
	T_EQ(bad, 0);
	T_EQ(cres[0], -EALREADY);
	tq_close(&q);
	close(fd);
	T_EQ(unlink(path), 0);
}

static void aqf_cancel(const char *path)
{
	int seen[3] = {0, 0, 0}, round = 0;

	while (round < 8 && (!seen[0] || !seen[1] || !seen[2]) && !t_failures)
		aqf_cancel_round(path, seen), round++;
	out_say("  %s: in %d round(s), %d cancelled, %d running (EBUSY), %d done\n", path, round,
		seen[0], seen[1], seen[2]);
	T_CHECK(seen[0] && seen[1] && seen[2]);
}

/* Submit N writes of the file and leave them to the service. */
static void aqf_flood(int fd, const unsigned char *src, int n)
{
	struct tq q;

	if (tq_open(&q, 16))
		_exit(3);
	for (int i = 0; i < n; i++)
		aqf_op(&q, WEFT_AQ_OP_FD_WRITE, i, fd, src, 8192, (uint64_t)i * 8192, 0);
	if (tq_submit(&q, (uint32_t)n) != n)
		_exit(4);
}

/* One round: a queue closed and a process exiting, each with 16 writes of
 * the file still waiting in the service. */
static void aqf_orphan_round(int fd, const unsigned char *src)
{
	struct tq q;
	int st = 0;

	T_EQ(tq_open(&q, 16), 0);
	for (int i = 0; i < 16; i++)
		aqf_op(&q, WEFT_AQ_OP_FD_WRITE, i, fd, src, 8192, (uint64_t)i * 8192, 0);
	T_EQ(tq_submit(&q, 16), 16);
	tq_close(&q); /* the queue goes with its ops in the service */
	pid_t p = fork();
	if (p == 0) {
		aqf_flood(fd, src, 16);
		_exit(0); /* exit with them queued */
	}
	T_EQ(waitpid(p, &st, 0), p);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Slab bytes once the service has drained what the rounds left (it does not
 * tell when: wait until the count has not moved for 5 samples in a row; a
 * count that rises is work still in progress, as in the monolithic build's
 * single async runner on a loaded host). */
static long aqf_settled_slab(int fd)
{
	long last = n_kstat(WEFT_KSTAT_SLAB_BYTES), now;
	int still = 0;

	for (int tries = 0; tries < 200 && still < 5; tries++) {
		T_EQ(fsync(fd), 0);
		usleep(20000);
		now = n_kstat(WEFT_KSTAT_SLAB_BYTES);
		still = now == last ? still + 1 : 0;
		last = now;
	}
	return last;
}

/* /proc/slabinfo into buf (for a report when the slab grew). */
static void aqf_slabinfo(char *buf, size_t cap)
{
	int fd = open("/proc/slabinfo", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, cap - 1) : -1;

	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
}

/* Queues closed, and processes gone, while their requests wait: nothing
 * leaks (10 rounds after 2 that warm the file system's caches up), nothing
 * breaks, and every byte of the file is a zero or what was written there. */
static void aqf_orphans(const char *path)
{
	static unsigned char src[8192], b[8192];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	long slab0, grew;
	struct stat st;

	T_CHECK(fd >= 0);
	aqf_fill(src, sizeof(src), 7, 0);
	for (int round = 0; round < 2; round++)
		aqf_orphan_round(fd, src);
	/* A write whose process exits under it stops short, and the short one
	 * goes through the buffer cache: cache every block of the file now (a
	 * byte written in each 512), so that such writes grow no cache later. */
	for (off_t off = 0; off < 16 * 8192; off += 512)
		T_EQ(pwrite(fd, src + off % 8192, 1, off), 1);
	static char info0[4096], info1[4096];
	slab0 = aqf_settled_slab(fd);
	aqf_slabinfo(info0, sizeof(info0));
	for (int round = 0; round < 10; round++)
		aqf_orphan_round(fd, src);
	grew = aqf_settled_slab(fd) - slab0;
	aqf_slabinfo(info1, sizeof(info1));
	out_say("  %s: slab %+ld bytes after 10 rounds\n", path, grew);
	T_CHECK(grew < 64 * 1024);
	if (grew >= 64 * 1024) {
		out_say("slabinfo before:\n");
		T_CHECK(write(1, info0, strlen(info0)) >= 0);
		out_say("slabinfo after:\n");
		T_CHECK(write(1, info1, strlen(info1)) >= 0);
	}
	T_EQ(fstat(fd, &st), 0);
	for (off_t off = 0; off + 8192 <= st.st_size; off += 8192) {
		int odd = 0;
		T_EQ(pread(fd, b, 8192, off), 8192);
		for (int k = 0; k < 8192; k++) /* a write may stop short if its process is gone */
			odd += b[k] && b[k] != src[k];
		T_EQ(odd, 0);
	}
	close(fd);
	T_EQ(unlink(path), 0);
}

/* The file tests in dir (a disk file system's directory). */
static void test_disk_file_ops(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/aq_rw", dir);
	aqf_read_write(path);
	snprintf(path, sizeof(path), "%s/aq_cancel", dir);
	aqf_cancel(path);
	snprintf(path, sizeof(path), "%s/aq_orphans", dir);
	aqf_orphans(path);
}
