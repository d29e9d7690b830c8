/*
 * Host tests for kernel/fs/pipe.c through the VFS entry points the syscall
 * layer uses (vfs_read, vfs_write, vfs_poll, vfs_ioctl, the wait_queue op):
 * the non-blocking paths, end of file, EPIPE, capacity, atomicity of small
 * writes, FIONREAD, poll bits, and the wake-ups that end a park (fake threads
 * parked by hand, counted by pipe_shims.c). Threads acting as CPUs check that
 * concurrent writers never interleave an atomic write and that concurrent
 * readers consume every byte exactly once. "User" buffers are host memory
 * (the host HAL copies them with memcpy; address 0 faults).
 */
#include "ht.h"
#include <core/pmm.h>
#include <core/waitq.h>
#include <fs/pipe.h>
#include <pthread.h>
#include <stdlib.h>
#include <weft/errno.h>

void fs_test_setup(void);
void host_set_cpu(unsigned id); /* host/hal.c */
extern unsigned long pipe_shim_wakes;

struct ends {
	struct file *rd, *wr;
};

static struct ends mk(unsigned flags)
{
	struct ends e = {NULL, NULL};

	fs_test_setup();
	HT_CHECK_EQ(pipe_create(&e.rd, &e.wr, flags), 0);
	return e;
}

static long wr(struct file *f, const void *buf, size_t n)
{
	struct uio u;

	uio_init_user(&u, (uint64_t)(uintptr_t)buf, n, 0);
	return vfs_write(f, &u);
}

static long rd(struct file *f, void *buf, size_t n)
{
	struct uio u;

	uio_init_user(&u, (uint64_t)(uintptr_t)buf, n, 0);
	return vfs_read(f, &u);
}

static int fionread(struct file *f)
{
	int n = -1;

	HT_CHECK_EQ(vfs_ioctl(f, PIPE_FIONREAD, (uint64_t)(uintptr_t)&n), 0);
	return n;
}

/* Fill the pipe with n bytes of value c (n a multiple of 4096 or small). */
static void fill(struct file *w, size_t n, int c)
{
	static char buf[4096];

	memset(buf, c, sizeof(buf));
	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		HT_CHECK_EQ(wr(w, buf, k), k);
		n -= k;
	}
}

/* Park a fake thread on the queue f names, the way lx_park_on_file does;
 * returns false (not parked) when poll already says ready. */
static bool park(struct thread *t, struct file *f, bool for_write)
{
	struct waitq *wq = f->fops->wait_queue(f, for_write);
	unsigned need = for_write ? VFS_POLLOUT : VFS_POLLIN;
	bool parked = false;

	spin_lock(&wq->lock);
	if (!(vfs_poll(f) & (need | VFS_POLLHUP | VFS_POLLERR))) {
		waitq_park_locked(wq, t, sched_cont_restart, 0);
		parked = true;
	}
	spin_unlock(&wq->lock);
	return parked;
}

static bool is_parked(const struct thread *t)
{
	return (t->park & 0xff) == PARK_PARKED;
}

/* Never called: the host test only compares it as a continuation. */
long sched_cont_restart(struct thread *t)
{
	(void)t;
	return 0;
}

HT_TEST(create_flags)
{
	struct file *r, *w;
	struct vfs_stat st;
	struct ends e;

	fs_test_setup();
	HT_CHECK_EQ(pipe_create(&r, &w, VFS_O_CLOEXEC), -EINVAL);
	HT_CHECK_EQ(pipe_create(&r, &w, 1), -EINVAL);
	e = mk(VFS_O_NONBLOCK);
	HT_CHECK(pipe_is_pipe(e.rd) && pipe_is_pipe(e.wr));
	HT_CHECK(e.rd->vn == NULL && e.wr->vn == NULL);
	HT_CHECK_EQ(e.rd->flags, VFS_O_RDONLY | VFS_O_NONBLOCK);
	HT_CHECK_EQ(e.wr->flags, VFS_O_WRONLY | VFS_O_NONBLOCK);
	HT_CHECK_EQ(pipe_stat(e.rd, &st), 0);
	HT_CHECK_EQ(st.mode, VFS_S_IFIFO | 0600);
	HT_CHECK_EQ(st.size, 0);
	uint64_t ino = st.ino;
	HT_CHECK_EQ(pipe_stat(e.wr, &st), 0);
	HT_CHECK_EQ(st.ino, ino);
	file_put(e.rd);
	file_put(e.wr);
	e = mk(0);
	HT_CHECK_EQ(pipe_stat(e.rd, &st), 0);
	HT_CHECK(st.ino != ino);
	file_put(e.wr);
	file_put(e.rd);
}

HT_TEST(wrong_end_and_seek)
{
	struct ends e = mk(0);
	char c = 'x';
	uint64_t off;

	HT_CHECK_EQ(wr(e.rd, &c, 1), -EBADF);
	HT_CHECK_EQ(rd(e.wr, &c, 1), -EBADF);
	HT_CHECK_EQ(vfs_lseek(e.rd, 0, VFS_SEEK_SET, &off), -ESPIPE);
	HT_CHECK_EQ(vfs_ioctl(e.rd, 0x5401, 0), -ENOTTY);
	HT_CHECK(e.rd->fops->wait_queue(e.rd, true) == NULL);
	HT_CHECK(e.wr->fops->wait_queue(e.wr, false) == NULL);
	HT_CHECK(e.rd->fops->wait_queue(e.rd, false) != e.wr->fops->wait_queue(e.wr, true));
	file_put(e.rd);
	file_put(e.wr);
}

HT_TEST(basic_fifo)
{
	struct ends e = mk(0);
	char buf[16];

	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), -EAGAIN);
	HT_CHECK_EQ(vfs_poll(e.rd), 0);
	HT_CHECK_EQ(vfs_poll(e.wr), VFS_POLLOUT);
	HT_CHECK_EQ(wr(e.wr, "hello", 5), 5);
	HT_CHECK_EQ(wr(e.wr, "", 0), 0);
	HT_CHECK_EQ(wr(e.wr, " world", 6), 6);
	HT_CHECK_EQ(vfs_poll(e.rd), VFS_POLLIN);
	HT_CHECK_EQ(fionread(e.rd), 11);
	HT_CHECK_EQ(fionread(e.wr), 11);
	HT_CHECK_EQ(rd(e.rd, buf, 3), 3);
	HT_CHECK(memcmp(buf, "hel", 3) == 0);
	HT_CHECK_EQ(rd(e.rd, buf, 0), 0);
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), 8);
	HT_CHECK(memcmp(buf, "lo world", 8) == 0);
	HT_CHECK_EQ(fionread(e.rd), 0);
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), -EAGAIN);
	HT_CHECK_EQ(vfs_ioctl(e.rd, PIPE_FIONREAD, 0), -EFAULT);
	file_put(e.rd);
	file_put(e.wr);
}

HT_TEST(capacity_and_pollout)
{
	struct ends e = mk(0);
	static char big[100000];
	char c = 'z';

	fill(e.wr, PIPE_CAPACITY, 'a');
	HT_CHECK_EQ(fionread(e.rd), PIPE_CAPACITY);
	HT_CHECK_EQ(wr(e.wr, &c, 1), -EAGAIN);
	HT_CHECK_EQ(wr(e.wr, big, sizeof(big)), -EAGAIN);
	HT_CHECK_EQ(vfs_poll(e.wr), 0);
	/* POLLOUT needs room for a whole PIPE_BUF write. */
	HT_CHECK_EQ(rd(e.rd, big, PIPE_BUF - 1), PIPE_BUF - 1);
	HT_CHECK_EQ(vfs_poll(e.wr), 0);
	HT_CHECK_EQ(rd(e.rd, big, 1), 1);
	HT_CHECK_EQ(vfs_poll(e.wr), VFS_POLLOUT);
	HT_CHECK_EQ(rd(e.rd, big, sizeof(big)), PIPE_CAPACITY - PIPE_BUF);
	/* A write larger than the pipe is cut to what fits. */
	memset(big, 'b', sizeof(big));
	HT_CHECK_EQ(wr(e.wr, big, sizeof(big)), PIPE_CAPACITY);
	HT_CHECK_EQ(fionread(e.rd), PIPE_CAPACITY);
	file_put(e.wr);
	file_put(e.rd);
}

HT_TEST(small_writes_atomic)
{
	struct ends e = mk(0);
	static char buf[PIPE_CAPACITY];

	fill(e.wr, PIPE_CAPACITY - 4096, 'a');
	fill(e.wr, 3996, 'a');
	HT_CHECK_EQ(fionread(e.rd), PIPE_CAPACITY - 100);
	/* 200 <= PIPE_BUF bytes do not fit in 100: nothing is written. */
	HT_CHECK_EQ(wr(e.wr, buf, 200), -EAGAIN);
	HT_CHECK_EQ(wr(e.wr, buf, PIPE_BUF), -EAGAIN);
	HT_CHECK_EQ(fionread(e.rd), PIPE_CAPACITY - 100);
	/* A larger write takes what fits. */
	HT_CHECK_EQ(wr(e.wr, buf, PIPE_BUF + 1), 100);
	HT_CHECK_EQ(fionread(e.rd), PIPE_CAPACITY);
	/* A faulting small write commits nothing. */
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), PIPE_CAPACITY);
	HT_CHECK_EQ(wr(e.wr, NULL, 10), -EFAULT);
	HT_CHECK_EQ(fionread(e.rd), 0);
	file_put(e.wr);
	file_put(e.rd);
}

HT_TEST(read_fault_consumes_nothing)
{
	struct ends e = mk(0);
	char buf[8];

	HT_CHECK_EQ(wr(e.wr, "abcdef", 6), 6);
	HT_CHECK_EQ(rd(e.rd, NULL, 4), -EFAULT);
	HT_CHECK_EQ(fionread(e.rd), 6);
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), 6);
	HT_CHECK(memcmp(buf, "abcdef", 6) == 0);
	file_put(e.wr);
	file_put(e.rd);
}

HT_TEST(eof)
{
	struct ends e = mk(0);
	char buf[8];

	HT_CHECK_EQ(wr(e.wr, "tail", 4), 4);
	file_put(e.wr);
	HT_CHECK_EQ(vfs_poll(e.rd), VFS_POLLIN | VFS_POLLHUP);
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), 4);
	HT_CHECK_EQ(vfs_poll(e.rd), VFS_POLLHUP);
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), 0);
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), 0);
	file_put(e.rd);
}

HT_TEST(epipe)
{
	struct ends e = mk(0);
	char c = 'x';

	file_put(e.rd);
	HT_CHECK_EQ(vfs_poll(e.wr), VFS_POLLOUT | VFS_POLLERR);
	HT_CHECK_EQ(wr(e.wr, &c, 1), -EPIPE);
	HT_CHECK_EQ(wr(e.wr, &c, 0), 0);
	file_put(e.wr);

	/* Full pipe, reader leaves: the writer gets EPIPE, not EAGAIN. */
	e = mk(0);
	fill(e.wr, PIPE_CAPACITY, 'q');
	file_put(e.rd);
	HT_CHECK_EQ(wr(e.wr, &c, 1), -EPIPE);
	file_put(e.wr);
}

HT_TEST(wakes_reader_on_write_and_close)
{
	struct thread *t = calloc(1, sizeof(*t));
	struct ends e = mk(0);
	unsigned long w0 = pipe_shim_wakes;
	char buf[4];

	HT_CHECK(park(t, e.rd, false));
	HT_CHECK(is_parked(t));
	HT_CHECK_EQ(wr(e.wr, "x", 1), 1);
	HT_CHECK(!is_parked(t));
	HT_CHECK_EQ(pipe_shim_wakes, w0 + 1);
	HT_CHECK(!park(t, e.rd, false)); /* data there: no park */
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), 1);
	HT_CHECK(park(t, e.rd, false));
	file_put(e.wr);
	HT_CHECK(!is_parked(t));
	HT_CHECK_EQ(pipe_shim_wakes, w0 + 2);
	HT_CHECK(!park(t, e.rd, false)); /* end of file: no park */
	file_put(e.rd);
	free(t);
}

HT_TEST(wakes_writer_on_read_and_close)
{
	struct thread *t = calloc(1, sizeof(*t));
	struct ends e = mk(0);
	unsigned long w0 = pipe_shim_wakes;
	static char buf[PIPE_BUF];

	fill(e.wr, PIPE_CAPACITY, 'w');
	HT_CHECK(park(t, e.wr, true));
	HT_CHECK_EQ(rd(e.rd, buf, 10), 10);
	HT_CHECK(!is_parked(t)); /* woken; its retry finds too little room and parks again */
	HT_CHECK_EQ(pipe_shim_wakes, w0 + 1);
	HT_CHECK(park(t, e.wr, true));
	HT_CHECK_EQ(rd(e.rd, buf, sizeof(buf)), sizeof(buf));
	HT_CHECK(!is_parked(t));
	HT_CHECK(!park(t, e.wr, true)); /* PIPE_BUF free: no park */
	fill(e.wr, PIPE_BUF, 'w');
	HT_CHECK(park(t, e.wr, true));
	file_put(e.rd);
	HT_CHECK(!is_parked(t));
	HT_CHECK_EQ(pipe_shim_wakes, w0 + 3);
	file_put(e.wr);
	free(t);
}

/* A long stream of odd-sized writes and reads wraps the ring many times; the
 * bytes come out in order and the pages go back when the pipe empties. */
HT_TEST(stream_wraps_and_trims)
{
	static unsigned char wbuf[9000], rbuf[7000];
	unsigned long free0;
	uint64_t sent = 0, got = 0;
	unsigned seed = 1;
	struct ends e;

	e = mk(0);
	free0 = pmm_free_pages();
	while (got < (8u << 20)) {
		size_t n = (seed = seed * 1103515245 + 12345) % sizeof(wbuf) + 1;
		for (size_t i = 0; i < n; i++)
			wbuf[i] = (unsigned char)((sent + i) * 7 + ((sent + i) >> 11));
		long w = wr(e.wr, wbuf, n);
		HT_CHECK(w > 0 || w == -EAGAIN);
		if (w > 0)
			sent += (uint64_t)w;
		size_t m = (seed = seed * 1103515245 + 12345) % sizeof(rbuf) + 1;
		long r = rd(e.rd, rbuf, m);
		HT_CHECK(r > 0);
		for (long i = 0; i < r; i++)
			if (rbuf[i] != (unsigned char)((got + i) * 7 + ((got + i) >> 11))) {
				HT_CHECK(!"stream byte mismatch");
				break;
			}
		if (r > 0)
			got += (uint64_t)r;
	}
	while (got < sent) {
		long r = rd(e.rd, rbuf, sizeof(rbuf));
		HT_CHECK(r > 0);
		if (r <= 0)
			break;
		got += (uint64_t)r;
	}
	HT_CHECK_EQ(rd(e.rd, rbuf, 1), -EAGAIN);
	HT_CHECK(free0 - pmm_free_pages() <= 1); /* an empty pipe keeps one page */
	file_put(e.rd);
	file_put(e.wr);
	HT_CHECK(pmm_free_pages() >= free0);
}

/* ---- concurrency: host threads as CPUs, retrying instead of parking ---- */

#define RECS 400

struct cc {
	struct ends e;
	unsigned cpu;
	int id;
	unsigned long hist[256]; /* readers: bytes seen per value */
	unsigned long bad;	 /* reader: records that were interleaved */
	unsigned long total;	 /* bytes to read (shared budget for readers) */
};

static unsigned long cc_budget; /* atomic: bytes left for the readers */

static void *cc_writer(void *arg)
{
	struct cc *c = arg;
	static __thread char rec[PIPE_BUF];

	host_set_cpu(c->cpu);
	for (int i = 0; i < RECS; i++) {
		size_t n = i % 2 ? PIPE_BUF : 1 + (size_t)(i * 37) % PIPE_BUF;
		memset(rec, c->id, n);
		for (size_t off = 0; off < n;) {
			long w = wr(c->e.wr, rec + off, n - off);
			if (w == -EAGAIN)
				continue;
			if (w <= 0 || (size_t)w != n)
				c->bad++; /* a record of at most PIPE_BUF bytes went in pieces */
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	return NULL;
}

/* One reader: every record must arrive whole. Records of writer k are runs of
 * byte k of known lengths, so a run-length split of the stream must match. */
static void *cc_run_reader(void *arg)
{
	struct cc *c = arg;
	static char buf[3000];
	int cur = -1;
	size_t run = 0, want[2] = {0, 0}, idx[2] = {0, 0};
	unsigned long left = c->total;

	host_set_cpu(c->cpu);
	while (left) {
		long r = rd(c->e.rd, buf, sizeof(buf));
		if (r == -EAGAIN)
			continue;
		if (r <= 0) {
			c->bad++;
			break;
		}
		left -= (unsigned long)r;
		for (long i = 0; i < r; i++) {
			int v = buf[i] - 1;
			if (v < 0 || v > 1) {
				c->bad++;
				continue;
			}
			if (cur != v || run == want[v]) {
				if (cur >= 0 && run != want[cur])
					c->bad++; /* a record cut short by the other writer */
				cur = v;
				run = 0;
				want[v] = idx[v] % 2 ? PIPE_BUF : 1 + (idx[v] * 37) % PIPE_BUF;
				idx[v]++;
			}
			run++;
		}
	}
	return NULL;
}

static void *cc_hist_reader(void *arg)
{
	struct cc *c = arg;
	unsigned char buf[777];

	host_set_cpu(c->cpu);
	while (__atomic_load_n(&cc_budget, __ATOMIC_ACQUIRE)) {
		long r = rd(c->e.rd, buf, (size_t)(c->cpu * 97 % sizeof(buf)) + 1);
		if (r == -EAGAIN)
			continue;
		if (r <= 0) {
			c->bad++;
			break;
		}
		__atomic_sub_fetch(&cc_budget, (unsigned long)r, __ATOMIC_ACQ_REL);
		for (long i = 0; i < r; i++)
			c->hist[buf[i]]++;
	}
	return NULL;
}

static unsigned long cc_bytes_per_writer(void)
{
	unsigned long n = 0;

	for (int i = 0; i < RECS; i++)
		n += i % 2 ? PIPE_BUF : 1 + (size_t)(i * 37) % PIPE_BUF;
	return n;
}

HT_TEST(concurrent_writers_atomic)
{
	struct cc c[3];
	pthread_t th[3];

	memset(c, 0, sizeof(c));

	c[0].e = mk(0);
	c[1].e = c[2].e = c[0].e;
	c[0].total = 2 * cc_bytes_per_writer();
	for (int i = 0; i < 3; i++) {
		c[i].cpu = (unsigned)i + 1;
		c[i].id = i; /* writers write bytes 1 and 2 */
	}
	pthread_create(&th[0], NULL, cc_run_reader, &c[0]);
	pthread_create(&th[1], NULL, cc_writer, &c[1]);
	pthread_create(&th[2], NULL, cc_writer, &c[2]);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	HT_CHECK_EQ(c[0].bad + c[1].bad + c[2].bad, 0);
	HT_CHECK_EQ(fionread(c[0].e.rd), 0);
	file_put(c[0].e.rd);
	file_put(c[0].e.wr);
}

HT_TEST(concurrent_readers_exactly_once)
{
	unsigned long per = cc_bytes_per_writer();
	struct cc c[4];
	pthread_t th[4];

	memset(c, 0, sizeof(c));

	c[0].e = mk(0);
	for (int i = 0; i < 4; i++) {
		c[i].e = c[0].e;
		c[i].cpu = (unsigned)i + 1;
		c[i].id = i - 1; /* c[2], c[3] write bytes 1 and 2 */
	}
	cc_budget = 2 * per;
	pthread_create(&th[0], NULL, cc_hist_reader, &c[0]);
	pthread_create(&th[1], NULL, cc_hist_reader, &c[1]);
	pthread_create(&th[2], NULL, cc_writer, &c[2]);
	pthread_create(&th[3], NULL, cc_writer, &c[3]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	HT_CHECK_EQ(c[0].bad + c[1].bad + c[2].bad + c[3].bad, 0);
	HT_CHECK_EQ(c[0].hist[1] + c[1].hist[1], per);
	HT_CHECK_EQ(c[0].hist[2] + c[1].hist[2], per);
	HT_CHECK_EQ(cc_budget, 0);
	file_put(c[0].e.rd);
	file_put(c[0].e.wr);
}

HT_MAIN(HT_CASE(create_flags), HT_CASE(wrong_end_and_seek), HT_CASE(basic_fifo),
	HT_CASE(capacity_and_pollout), HT_CASE(small_writes_atomic),
	HT_CASE(read_fault_consumes_nothing), HT_CASE(eof), HT_CASE(epipe),
	HT_CASE(wakes_reader_on_write_and_close), HT_CASE(wakes_writer_on_read_and_close),
	HT_CASE(stream_wraps_and_trims), HT_CASE(concurrent_writers_atomic),
	HT_CASE(concurrent_readers_exactly_once))
