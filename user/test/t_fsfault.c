/*
 * The restart test of the fs service: t_fsfault DEV DIR [FSTYPE] mounts the
 * file system on DEV (ext4 unless FSTYPE says vfat) at DIR, then for each kind of fault (panic, bad pointer,
 * illegal instruction, a spin the watchdog ends) asks /proc/services to inject
 * it into every 50th fs request and runs 250 file system calls (creates,
 * writes, stats, reads; each one request). Then the same with faults half-way
 * through a request's work, at its first change to a cached block ("change:",
 * every 7th request; a request that changes no block is not faulted), where
 * nothing is synced in between: the buffer cache must undo exactly what the
 * failed request began and keep what the earlier ones did. Checks: the calls
 * that failed with EIO are exactly as many as the faults injected and the
 * restarts counted; no call fails otherwise; a failed create left no file;
 * every file whose create and write succeeded reads back intact (after
 * injection is off).
 * Then AsyncQ writes, each an async fs request (kernel/linux/lx_aq_svc.c),
 * with every 3rd request faulting: exactly those complete with EIO and wrote
 * nothing, the others wrote all. Unmounts at the end; the harness runs
 * e2fsck -fn / fsck.fat -n on the image.
 */
#include "t.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "t_nat.h"

#define OPS   250 /* per kind */
#define FILES 100

struct counters {
	long requests, failed, faults, restarts, injected;
};

static int read_counters(struct counters *c)
{
	char buf[2048], name[16], inj[32];
	int fd = open("/proc/services", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	long workers, completed, timeouts, queued;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (sscanf(line, "%15s %ld %ld %ld %ld %ld %ld %ld %ld %ld %31s", name, &workers,
			   &c->requests, &completed, &c->failed, &c->faults, &c->restarts, &timeouts,
			   &c->injected, &queued, inj) == 11 &&
		    !strcmp(name, "fs"))
			return 0;
	return -1;
}

static int inject(const char *spec)
{
	int fd = open("/proc/services", O_WRONLY);
	int r = fd >= 0 && write(fd, spec, strlen(spec)) == (ssize_t)strlen(spec) ? 0 : -1;

	if (fd >= 0)
		close(fd);
	return r;
}

static unsigned char content(int k, int i, int j)
{
	return (unsigned char)(k * 61 + i * 7 + j);
}

#define KINDS 7
static const char *const kinds[KINDS] = {"panic",	 "badptr",	 "illegal",	"spin",
					 "panic-change", "badptr-change", "illegal-change"};
static const char *const specs[KINDS] = {
    "fs:every:50:panic",	  "fs:every:50:badptr",	  "fs:every:50:illegal",
    "fs:every:50:spin",		  "fs:every:7:change:panic", "fs:every:7:change:badptr",
    "fs:every:7:change:illegal"};

/* Per file: created, written (both succeeded). */
static int created[KINDS][FILES], written[KINDS][FILES];

static void run_kind(int k, long *eio)
{
	const char *kind = kinds[k];
	char path[64], buf[512];
	int fds[FILES];

	T_EQ(inject(specs[k]), 0);
	for (int i = 0; i < FILES; i++)
		fds[i] = -1;
	for (int op = 0; op < OPS; op++) {
		int i = op % FILES;
		long r;
		snprintf(path, sizeof(path), "%s-%03d", kind, i);
		if (op < FILES) {
			r = fds[i] = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
			created[k][i] = r >= 0;
		} else if (op < 2 * FILES) {
			if (fds[i] < 0)
				continue; /* not a request: no file */
			for (int j = 0; j < (int)sizeof(buf); j++)
				buf[j] = (char)content(k, i, j);
			r = pwrite(fds[i], buf, sizeof(buf), 0);
			written[k][i] = r == (long)sizeof(buf);
		} else {
			struct stat st;
			r = stat(path, &st);
		}
		if (r < 0 && errno == EIO)
			(*eio)++;
		else if (r < 0 && !(op >= 2 * FILES && !created[k][i] && errno == ENOENT))
			T_CHECK(!"a call failed with something other than EIO"); /* but a stat of
									 * a file whose create failed */
	}
	for (int i = 0; i < FILES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void verify_kind(int k)
{
	const char *kind = kinds[k];
	char path[64];
	unsigned char buf[512];

	for (int i = 0; i < FILES; i++) {
		snprintf(path, sizeof(path), "%s-%03d", kind, i);
		int fd = open(path, O_RDONLY);
		if (!created[k][i]) {
			T_CHECK(fd < 0 && errno == ENOENT); /* the failed create did nothing */
			if (fd >= 0)
				close(fd);
			continue;
		}
		T_CHECK(fd >= 0);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf));
		close(fd);
		if (!written[k][i]) {
			T_EQ(n, 0);
			continue;
		}
		T_EQ(n, sizeof(buf));
		for (int j = 0; j < (int)sizeof(buf); j++)
			if (buf[j] != content(k, i, j)) {
				T_CHECK(!"data written by a successful call reads back intact");
				break;
			}
	}
}

/* 12 AsyncQ writes of 512 bytes to a file of zeros, every 3rd faulting. */
static void aq_faults(void)
{
	enum { N = 12 };
	static unsigned char src[N][512], b[512];
	struct counters before, after;
	long res[N], eio = 0;
	struct tq q;
	struct weft_aq_cqe c = {0};
	int fd = open("aqfile", O_RDWR | O_CREAT | O_TRUNC, 0644);

	T_CHECK(fd >= 0);
	T_EQ(ftruncate(fd, N * 512), 0);
	T_EQ(fsync(fd), 0);
	if (tq_open(&q, 16)) {
		T_CHECK(!"tq_open");
		return;
	}
	for (int i = 0; i < N; i++) {
		struct weft_aq_sqe *s = tq_sqe(&q, WEFT_AQ_OP_FD_WRITE, i);
		memset(src[i], 0x40 + i, sizeof(src[i]));
		s->fd = fd;
		s->addr = (uintptr_t)src[i];
		s->len = sizeof(src[i]);
		s->offset = (uint64_t)i * 512;
		tq_push(&q);
		res[i] = 1;
	}
	T_EQ(read_counters(&before), 0);
	T_EQ(inject("fs:every:3:badptr"), 0);
	T_EQ(tq_submit(&q, N), N);
	for (int i = 0; i < N; i++) {
		T_EQ(tq_next(&q, &c), 1);
		if (c.token < N)
			res[c.token] = c.result;
	}
	T_EQ(inject("fs:off"), 0);
	T_EQ(read_counters(&after), 0);
	for (int i = 0; i < N; i++) {
		T_EQ(pread(fd, b, sizeof(b), i * 512), sizeof(b));
		if (res[i] == -EIO) {
			eio++;
			T_CHECK(b[0] == 0 && !memcmp(b, b + 1, sizeof(b) - 1)); /* nothing written */
		} else {
			T_EQ(res[i], sizeof(b));
			T_CHECK(!memcmp(b, src[i], sizeof(b)));
		}
	}
	out_say("  AsyncQ: %d writes, %ld faulted (EIO), %ld injected\n", N, eio,
		after.injected - before.injected);
	T_EQ(eio, after.injected - before.injected);
	T_CHECK(eio >= 1);
	tq_close(&q);
	close(fd);
	T_EQ(unlink("aqfile"), 0);
}

int main(int argc, char **argv)
{
	struct counters before, after, mid;
	long eio = 0;

	if (argc != 3 && argc != 4) {
		out_say("usage: t_fsfault DEV DIR [FSTYPE]\n");
		return 2;
	}
	mkdir("/mnt", 0755);
	mkdir(argv[2], 0755);
	T_EQ(mount(argv[1], argv[2], argc == 4 ? argv[3] : "ext4", 0, NULL), 0);
	T_EQ(chdir(argv[2]), 0);
	T_EQ(mkdir("fault", 0755), 0);
	T_EQ(chdir("fault"), 0);
	T_EQ(read_counters(&before), 0);
	for (int k = 0; k < KINDS; k++) {
		if (k == 4)
			T_EQ(read_counters(&mid), 0);
		run_kind(k, &eio);
	}
	T_EQ(inject("fs:off"), 0);
	T_EQ(read_counters(&after), 0);
	out_say("  %ld of the faults half-way through a request's changes\n",
		after.injected - mid.injected);
	T_CHECK(after.injected - mid.injected >= 3 * 10);
	long injected = after.injected - before.injected;
	out_say("  %ld fs requests, %ld injected faults, %ld calls failed with EIO, %ld restarts\n",
		after.requests - before.requests, injected, eio, after.restarts - before.restarts);
	T_CHECK(after.requests - before.requests >= KINDS * OPS - KINDS * FILES / 5);
	T_CHECK(injected >= 4 * 4 + 3 * 10);
	T_EQ(eio, injected);
	T_EQ(after.failed - before.failed, injected);
	T_EQ(after.restarts - before.restarts, injected);
	T_EQ(after.faults - before.faults, injected);
	for (int k = 0; k < KINDS; k++)
		verify_kind(k);
	aq_faults();
	T_EQ(chdir("/"), 0);
	T_EQ(umount(argv[2]), 0);
	T_DONE();
}
