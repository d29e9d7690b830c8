/*
 * Build the ext4 test tree (ext4_tree.h) in the directory given as argv[1];
 * the Makefile then makes images of it with mkfs.ext4 -d. A host tool, not a
 * test: plain libc, exits non-zero on any failure.
 */
#include "ext4_tree.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Write len bytes of name's content at off. */
static void fill(int fd, const char *name, uint64_t off, uint64_t len)
{
	static uint8_t buf[65536];
	uint32_t seed = e4t_seed(name);

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = e4t_byte(seed, off + i);
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			die("pwrite");
		off += n;
		len -= n;
	}
}

static int create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	return fd;
}

static void make_file(const char *path, const char *seedname, uint64_t size)
{
	int fd = create(path);
	fill(fd, seedname, 0, size);
	close(fd);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2 || mkdir(argv[1], 0755) || chdir(argv[1]))
		die("usage: ext4_tree NEWDIR");
	if (mkdir("dir1", 0755) || mkdir("dir1/dir2", 0750) || mkdir("bigdir", 0755) ||
	    mkdir("emptydir", 0700) || mkdir("deep", 0755))
		die("mkdir");
	for (size_t i = 0; i < E4T_NFILES; i++)
		make_file(e4t_files[i].path, e4t_files[i].path, e4t_files[i].size);
	int fd = create("sparse");
	for (size_t i = 0; i < sizeof(e4t_sparse) / sizeof(e4t_sparse[0]); i++)
		fill(fd, "sparse", e4t_sparse[i][0], e4t_sparse[i][1]);
	if (ftruncate(fd, E4T_SPARSE_SIZE))
		die("ftruncate");
	close(fd);
	fd = create("frag");
	for (unsigned i = 0; i < E4T_FRAG_N; i++)
		fill(fd, "frag", (uint64_t)i * E4T_FRAG_STEP, E4T_FRAG_BLOCK);
	close(fd);
	if (symlink(E4T_LSHORT, "lshort") || symlink(E4T_LLONG, "llong") || link("f65537", "hl"))
		die("link");
	for (unsigned i = 0; i < E4T_BIG; i++) {
		char name[32];
		e4t_bigname(name, i);
		snprintf(path, sizeof(path), "bigdir/%s", name);
		make_file(path, name, (i % 7) * 13);
	}
	/* Files with an extended attribute too big for the inode: an xattr block
	 * each (mkfs.ext4 -d copies them); best effort, the host fs may refuse. */
	static char big[600];
	memset(big, 'x', sizeof(big));
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "xattr%d", i);
		make_file(path, path, 100);
		setxattr(path, "user.big", big, sizeof(big), 0);
	}
	strcpy(path, "deep");
	for (int i = 0; i < E4T_DEPTH; i++) {
		strcat(path, "/d");
		if (mkdir(path, 0755))
			die("mkdir deep");
	}
	strcat(path, "/leaf");
	make_file(path, "leaf", 777);
	return 0;
}
