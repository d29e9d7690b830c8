/*
 * fsbench: the file-system figures of "make bench" (issue 5), run as the first
 * user program on Weft (init=/bench) and on Linux (rdinit=/bench) with a fresh
 * ext4 image made by the host's mkfs.ext4 as /dev/vda. It mounts the disk on
 * /mnt and prints, like wbench, "BENCH_START", then "BENCH name value unit" or
 * "BENCH name FAIL why" per figure, "BENCH_DONE", and powers off:
 *
 *   seq_write_MiBps  64 MiB written in 128 KiB pieces to a new file, with the
 *                    fsync, per second of the whole;
 *   seq_read_MiBps   the same file read back in 128 KiB pieces after an
 *                    unmount and mount (so from the disk, not the cache);
 *   rand_read_4k_us  2,000 preads of 4 KiB at random block-aligned offsets
 *                    of it, each, after another unmount and mount;
 *   create_delete_us 1,000 times: create a file, write 4 KiB, close, unlink;
 *                    each.
 * Times come from CLOCK_MONOTONIC in the guest. "fsbench NAME" also marks
 * the timed part of the figure NAME as a profile window for make fsprof
 * (tools/prof/weftprof.c: slti hints, no-ops otherwise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MNT	   "/mnt"
#define BIG	   MNT "/big"
#define FILE_MIB   64
#define CHUNK	   (128 << 10)
#define RAND_READS 2000
#define SMALL_N	   1000

static char chunk[CHUNK];
static const char *prof_fig = "";

static void prof_open(const char *fig)
{
	if (!strcmp(fig, prof_fig))
		__asm__ volatile("slti zero, zero, 0x571" ::: "memory");
}

static void prof_close(const char *fig)
{
	if (!strcmp(fig, prof_fig))
		__asm__ volatile("slti zero, zero, 0x572" ::: "memory");
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(1, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int remount(void)
{
	if (umount(MNT))
		return -1;
	return mount("/dev/vda", MNT, "ext4", 0, NULL);
}

static void seq_write(void)
{
	prof_open("seq_write_MiBps");
	double t0 = now_s();
	int fd = open(BIG, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		say("BENCH seq_write_MiBps FAIL open errno %d\n", errno);
		return;
	}
	for (int i = 0; i < FILE_MIB * (1 << 20) / CHUNK; i++) {
		memset(chunk, i, 64);
		if (write(fd, chunk, CHUNK) != CHUNK) {
			say("BENCH seq_write_MiBps FAIL write errno %d\n", errno);
			close(fd);
			return;
		}
	}
	if (fsync(fd) || close(fd)) {
		say("BENCH seq_write_MiBps FAIL fsync errno %d\n", errno);
		return;
	}
	double t = now_s() - t0;
	prof_close("seq_write_MiBps");
	say("BENCH seq_write_MiBps %.1f MiB/s\n", FILE_MIB / t);
}

static void seq_read(void)
{
	long total = 0;
	ssize_t n;

	if (remount()) {
		say("BENCH seq_read_MiBps FAIL remount errno %d\n", errno);
		return;
	}
	prof_open("seq_read_MiBps");
	double t0 = now_s();
	int fd = open(BIG, O_RDONLY);
	while (fd >= 0 && (n = read(fd, chunk, CHUNK)) > 0)
		total += n;
	double t = now_s() - t0;
	prof_close("seq_read_MiBps");
	if (fd < 0 || total != (long)FILE_MIB << 20) {
		say("BENCH seq_read_MiBps FAIL read %ld bytes errno %d\n", total, errno);
	} else {
		say("BENCH seq_read_MiBps %.1f MiB/s\n", FILE_MIB / t);
	}
	if (fd >= 0)
		close(fd);
}

static void rand_read(void)
{
	uint64_t x = 88172645463325252ull;
	char buf[4096];

	if (remount()) {
		say("BENCH rand_read_4k_us FAIL remount errno %d\n", errno);
		return;
	}
	int fd = open(BIG, O_RDONLY);
	if (fd < 0) {
		say("BENCH rand_read_4k_us FAIL open errno %d\n", errno);
		return;
	}
	prof_open("rand_read_4k_us");
	double t0 = now_s();
	for (int i = 0; i < RAND_READS; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		off_t off = (off_t)(x % ((FILE_MIB << 20) / 4096)) * 4096;
		if (pread(fd, buf, sizeof(buf), off) != (ssize_t)sizeof(buf)) {
			say("BENCH rand_read_4k_us FAIL pread errno %d\n", errno);
			close(fd);
			return;
		}
	}
	double t = now_s() - t0;
	prof_close("rand_read_4k_us");
	say("BENCH rand_read_4k_us %.1f us\n", t * 1e6 / RAND_READS);
	close(fd);
}

static void create_delete(void)
{
	char name[64];
	prof_open("create_delete_us");
	double t0 = now_s();

	for (int i = 0; i < SMALL_N; i++) {
		snprintf(name, sizeof(name), MNT "/small-%d", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, chunk, 4096) != 4096 || close(fd) || unlink(name)) {
			say("BENCH create_delete_us FAIL file %d errno %d\n", i, errno);
			return;
		}
	}
	double t = now_s() - t0;
	prof_close("create_delete_us");
	say("BENCH create_delete_us %.1f us\n", t * 1e6 / SMALL_N);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		prof_fig = argv[1];
	/* Linux starts /bench from an initramfs with an empty /dev. */
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	say("BENCH_START\n");
	mkdir(MNT, 0755);
	if (mount("/dev/vda", MNT, "ext4", 0, NULL)) {
		say("BENCH seq_write_MiBps FAIL mount errno %d\n", errno);
	} else {
		seq_write();
		seq_read();
		rand_read();
		create_delete();
		umount(MNT);
	}
	say("BENCH_DONE\n");
	sync();
	syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL);
	return 0;
}
