/*
 * File workload on a disk file system: t_disk DEV FSTYPE DIR mounts DEV on DIR
 * (created), runs the workload in it, then unmounts (writing everything
 * back); t_disk DIR runs the workload in an existing directory (for Linux,
 * under qemu-user, to check the expectations). The harness checks the image
 * with e2fsck -fn / fsck.fat -n afterwards, and a second boot
 * (t_disk --verify DEV FSTYPE DIR) reads back what the first left behind.
 *
 * Workload: files of many sizes up to 3 MiB written in odd-sized pieces and
 * read back; rename within and across directories and over an existing file;
 * unlink; 1,500 files in one directory, listed, checked and half removed;
 * a tree 24 directories deep built and removed; truncate up and down;
 * sparse files; O_APPEND; hard and symbolic links where the file system has
 * them (FAT32 answers EPERM, as Linux's vfat does); fsync and sync; statfs;
 * files written only through shared mappings (read back in the second boot).
 */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

static int is_fat;

/* Byte i of the test pattern of file `seed`. */
static unsigned char pat(unsigned seed, size_t i)
{
	return (unsigned char)((i * 31 + seed * 7 + (i >> 9)) ^ (seed >> 3));
}

static int write_file(const char *path, unsigned seed, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static unsigned char buf[7919];
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = pat(seed, done + i);
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		done += n;
	}
	return close(fd);
}

/* 0 if path holds exactly size bytes of pattern seed. */
static int check_file(const char *path, unsigned seed, size_t size)
{
	static unsigned char buf[6007];
	int fd = open(path, O_RDONLY);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pat(seed, done + (size_t)i)) {
				close(fd);
				return -2;
			}
		done += (size_t)n;
	}
	close(fd);
	return n == 0 && done == size ? 0 : -3;
}

static void test_sizes(void)
{
	static const size_t sizes[] = {0, 1, 511, 512, 513, 1023, 1024, 4095, 4096, 4097,
				       65536, 100000, 1 << 20, 3 << 20};
	char name[32];

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "size-%zu", sizes[i]);
		T_EQ(write_file(name, i, sizes[i]), 0);
	}
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct stat st;
		snprintf(name, sizeof(name), "size-%zu", sizes[i]);
		T_EQ(check_file(name, i, sizes[i]), 0);
		T_EQ(stat(name, &st), 0);
		T_EQ(st.st_size, sizes[i]);
		T_CHECK(S_ISREG(st.st_mode));
	}
}

static void test_rename_unlink(void)
{
	T_EQ(mkdir("ra", 0755), 0);
	T_EQ(mkdir("rb", 0755), 0);
	T_EQ(write_file("ra/one", 101, 5000), 0);
	T_EQ(write_file("ra/two", 102, 3000), 0);
	T_EQ(rename("ra/one", "ra/uno"), 0);
	T_EQ(access("ra/one", F_OK), -1);
	T_EQ(errno, ENOENT);
	T_EQ(rename("ra/uno", "rb/moved"), 0);
	T_EQ(check_file("rb/moved", 101, 5000), 0);
	T_EQ(rename("ra/two", "rb/moved"), 0); /* over an existing file */
	T_EQ(check_file("rb/moved", 102, 3000), 0);
	T_EQ(mkdir("ra/sub", 0755), 0);
	T_EQ(rename("ra/sub", "rb/sub"), 0); /* a directory: its ".." changes */
	T_EQ(write_file("rb/sub/f", 103, 10), 0);
	T_EQ(check_file("rb/sub/../sub/f", 103, 10), 0);
	T_EQ(unlink("rb/sub/f"), 0);
	T_EQ(rmdir("rb/sub"), 0);
	T_EQ(unlink("rb/moved"), 0);
	T_EQ(unlink("rb/moved"), -1);
	T_EQ(errno, ENOENT);
	T_EQ(rmdir("ra"), 0);
	T_EQ(rmdir("rb"), 0);
}

static void test_many(void)
{
	enum { N = 1500 };
	char name[64];
	unsigned seen = 0;

	T_EQ(mkdir("many", 0755), 0);
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "many/file-with-a-longer-name-%05u", i);
		if (write_file(name, i, i % 700) != 0) {
			T_CHECK(!"create in a big directory");
			break;
		}
	}
	DIR *d = opendir("many");
	struct dirent *e;
	T_CHECK(d != NULL);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "file-with-a-longer-name-", 24))
			seen++;
	if (d)
		closedir(d);
	T_EQ(seen, N);
	for (unsigned i = 0; i < N; i += 97) {
		snprintf(name, sizeof(name), "many/file-with-a-longer-name-%05u", i);
		T_EQ(check_file(name, i, i % 700), 0);
	}
	for (unsigned i = 0; i < N; i += 2) {
		snprintf(name, sizeof(name), "many/file-with-a-longer-name-%05u", i);
		T_EQ(unlink(name), 0);
	}
	snprintf(name, sizeof(name), "many/file-with-a-longer-name-%05u", 1001);
	T_EQ(check_file(name, 1001, 1001 % 700), 0);
}

static void test_deep(void)
{
	char path[512] = "deep";
	size_t len = 4;

	for (int i = 0; i < 24; i++) {
		T_EQ(mkdir(path, 0755), 0);
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/d%02d", i);
	}
	T_EQ(mkdir(path, 0755), 0);
	snprintf(path + len, sizeof(path) - len, "/leaf");
	T_EQ(write_file(path, 77, 12345), 0);
	T_EQ(check_file(path, 77, 12345), 0);
	T_EQ(unlink(path), 0);
	path[len] = 0;
	for (int i = 24; i >= 0; i--) {
		T_EQ(rmdir(path), 0);
		char *slash = strrchr(path, '/');
		if (slash)
			*slash = 0;
	}
	T_EQ(access("deep", F_OK), -1);
}

static void test_truncate_sparse_append(void)
{
	struct stat st;
	char buf[4096];
	int fd;

	T_EQ(write_file("trunc", 5, 50000), 0);
	T_EQ(truncate("trunc", 7000), 0);
	T_EQ(check_file("trunc", 5, 7000), 0);
	T_EQ(truncate("trunc", 200000), 0);
	fd = open("trunc", O_RDONLY);
	T_EQ(pread(fd, buf, 100, 150000), 100);
	T_CHECK(buf[0] == 0 && buf[99] == 0);
	close(fd);
	T_EQ(truncate("trunc", 0), 0);
	T_EQ(stat("trunc", &st), 0);
	T_EQ(st.st_size, 0);

	fd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_EQ(pwrite(fd, "end", 3, 5 << 20), 3);
	T_EQ(pread(fd, buf, sizeof(buf), 1 << 20), sizeof(buf));
	int zero = 1;
	for (size_t i = 0; i < sizeof(buf); i++)
		zero &= buf[i] == 0;
	T_CHECK(zero);
	T_EQ(fstat(fd, &st), 0);
	T_EQ(st.st_size, (5 << 20) + 3);
	if (!is_fat)
		T_CHECK(st.st_blocks * 512 < (1 << 20)); /* a hole, not zeros on disk */
	close(fd);

	fd = open("append", O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
	for (int i = 0; i < 100; i++)
		T_EQ(write(fd, "0123456789", 10), 10);
	T_EQ(lseek(fd, 0, SEEK_CUR), 1000);
	close(fd);
	T_EQ(stat("append", &st), 0);
	T_EQ(st.st_size, 1000);
}

static void test_links(void)
{
	char buf[64];
	struct stat st;

	T_EQ(write_file("target", 9, 100), 0);
	if (is_fat) {
		T_EQ(link("target", "hard"), -1);
		T_EQ(errno, EPERM);
		T_EQ(symlink("target", "soft"), -1);
		T_EQ(errno, EPERM);
		return;
	}
	T_EQ(link("target", "hard"), 0);
	T_EQ(stat("target", &st), 0);
	T_EQ(st.st_nlink, 2);
	T_EQ(symlink("target", "soft"), 0);
	T_EQ(readlink("soft", buf, sizeof(buf)), 6);
	T_EQ(check_file("soft", 9, 100), 0);
	static char longtarget[300];
	memset(longtarget, 'x', 200); /* a slow symlink: stored in a block */
	T_EQ(symlink(longtarget, "longlink"), 0);
	T_EQ(readlink("longlink", buf, sizeof(buf)), sizeof(buf));
	T_EQ(unlink("hard"), 0);
	T_EQ(stat("target", &st), 0);
	T_EQ(st.st_nlink, 1);
}

static void test_sync_statfs(int mounted)
{
	struct statfs sf;
	int fd = open("size-1024", O_RDWR);

	T_EQ(fsync(fd), 0);
	close(fd);
	sync();
	T_EQ(statfs(".", &sf), 0);
	T_CHECK(sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks);
	if (mounted)
		T_CHECK(sf.f_type == (is_fat ? 0x4d44 : 0xEF53));
}

#define MAPPED_SIZE (3 * 4096 + 100)

/* A file whose data is only ever stored through a MAP_SHARED mapping, by
 * this process (then munmap) or by a child that exits without unmapping;
 * nothing calls msync or fsync: unmount must write it back. */
static void leave_mapped(const char *path, unsigned seed, int by_child)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	unsigned char *p;

	T_CHECK(fd >= 0);
	T_EQ(ftruncate(fd, MAPPED_SIZE), 0);
	p = mmap(NULL, MAPPED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T_CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	pid_t pid = by_child ? fork() : 0;
	if (pid > 0) { /* the child's mapping is the only one left */
		T_EQ(munmap(p, MAPPED_SIZE), 0);
		close(fd);
		T_EQ(t_reap(pid), 0);
		return;
	}
	for (size_t i = 0; i < MAPPED_SIZE; i++)
		p[i] = pat(seed, i);
	if (by_child)
		_exit(0);
	T_EQ(munmap(p, MAPPED_SIZE), 0);
	close(fd);
}

/* What the first boot leaves behind for a second boot to read back. */
static void leave_behind(void)
{
	T_EQ(mkdir("kept", 0755), 0);
	T_EQ(write_file("kept/big", 4242, 2 << 20), 0);
	T_EQ(write_file("kept/small", 4343, 333), 0);
	leave_mapped("kept/mapped", 4444, 0);
	leave_mapped("kept/mapped-child", 4545, 1);
}

static void verify_left(void)
{
	T_EQ(check_file("kept/big", 4242, 2 << 20), 0);
	T_EQ(check_file("kept/small", 4343, 333), 0);
	T_EQ(check_file("kept/mapped", 4444, MAPPED_SIZE), 0);
	T_EQ(check_file("kept/mapped-child", 4545, MAPPED_SIZE), 0);
	T_EQ(check_file("size-1048576", 12, 1 << 20), 0);
}

int main(int argc, char **argv)
{
	int verify = argc > 1 && !strcmp(argv[1], "--verify");
	char **a = argv + 1 + verify;
	int n = argc - 1 - verify;
	const char *dir = n == 3 ? a[2] : n == 1 ? a[0] : NULL;

	if (!dir) {
		out_say("usage: t_disk [--verify] DEV FSTYPE DIR | t_disk DIR\n");
		return 2;
	}
	if (n == 3) {
		is_fat = !strcmp(a[1], "vfat");
		mkdir("/mnt", 0755);
		mkdir(dir, 0755);
		if (mount(a[0], dir, a[1], 0, NULL)) {
			T_CHECK(!"mount");
			out_say("  mount %s on %s (%s): errno %d\n", a[0], dir, a[1], errno);
			T_DONE();
		}
	}
	T_EQ(chdir(dir), 0);
	if (verify) {
		verify_left();
	} else {
		test_sizes();
		test_rename_unlink();
		test_many();
		test_deep();
		test_truncate_sparse_append();
		test_links();
		test_sync_statfs(n == 3);
		leave_behind();
	}
	T_EQ(chdir("/"), 0);
	if (n == 3)
		T_EQ(umount(dir), 0);
	T_DONE();
}
