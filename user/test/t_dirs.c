/*
 * t_dirs: the namespace. mkdir/rmdir/unlink (and their *at forms with
 * directory descriptors), rename and renameat2 (RENAME_NOREPLACE), link and
 * linkat (AT_SYMLINK_FOLLOW), symlink/readlink, getdents64 over a directory
 * with many entries, chdir/fchdir/getcwd (deep trees, mount points, a removed
 * working directory), and faccessat on directories, each with its error
 * paths. Works in a scratch directory under the working directory and removes
 * it at the end. Error checks use raw syscalls, so they see the kernel's -errno.
 */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#define DIR_NAME "t_dirs.tmp"
#define NFILES	 300
#define DEPTH	 40

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* t_sys with every argument cast to long, so pointers can be passed as is. */
#define sc_(nr, a, b, c, d, e, f, ...)                                                             \
	t_sys6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define sc(...) sc_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)

struct t_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

static char *const bad_ptr = (char *)8;

static void touch(const char *name)
{
	int fd = open(name, O_CREAT | O_WRONLY, 0644);

	T_CHECK(fd >= 0);
	close(fd);
}

static uint64_t ino_of(const char *name, int follow)
{
	struct stat st;

	if ((follow ? stat(name, &st) : lstat(name, &st)) != 0)
		return 0;
	return st.st_ino;
}

static void test_mkdir_rmdir(void)
{
	struct stat st;

	T_EQ(sc(SYS_mkdirat, AT_FDCWD, "a", 0777), 0);
	T_EQ(stat("a", &st), 0);
	T_EQ(st.st_mode, S_IFDIR | 0755); /* umask 022 */
	T_EQ(st.st_nlink, 2);
	T_ERR(sc(SYS_mkdirat, AT_FDCWD, "a", 0755), EEXIST);
	T_ERR(sc(SYS_mkdirat, AT_FDCWD, "nodir/b", 0755), ENOENT);
	touch("f");
	T_ERR(sc(SYS_mkdirat, AT_FDCWD, "f/b", 0755), ENOTDIR);
	T_ERR(sc(SYS_mkdirat, AT_FDCWD, "f", 0755), EEXIST);
	T_ERR(sc(SYS_mkdirat, AT_FDCWD, "", 0755), ENOENT);
	T_ERR(sc(SYS_mkdirat, AT_FDCWD, bad_ptr, 0755), EFAULT);
	T_EQ(mkdir("a/sub", 0700), 0);
	T_EQ(stat("a", &st), 0);
	T_EQ(st.st_nlink, 3);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "a", AT_REMOVEDIR), ENOTEMPTY);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "a", 0), EISDIR);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "f", AT_REMOVEDIR), ENOTDIR);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "a/sub/.", AT_REMOVEDIR), EINVAL);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "nofile", 0), ENOENT);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "a", 0x1), EINVAL);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "f/", 0), ENOTDIR);
	T_EQ(sc(SYS_unlinkat, AT_FDCWD, "a/sub/", AT_REMOVEDIR), 0);
	T_EQ(rmdir("a"), 0);
	T_EQ(unlink("f"), 0);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "f", 0), ENOENT);
}

static void test_at_dirfd(void)
{
	int d, fd;

	T_EQ(mkdir("at", 0755), 0);
	d = open("at", O_RDONLY | O_DIRECTORY);
	T_CHECK(d >= 0);
	T_EQ(sc(SYS_mkdirat, d, "sub", 0755), 0);
	fd = openat(d, "sub/file", O_CREAT | O_WRONLY, 0644);
	T_CHECK(fd >= 0);
	T_EQ(sc(SYS_faccessat, AT_FDCWD, "at/sub/file", F_OK), 0);
	T_ERR(sc(SYS_mkdirat, fd, "x", 0755), ENOTDIR);
	T_ERR(sc(SYS_mkdirat, 999, "x", 0755), EBADF);
	close(fd);
	T_EQ(sc(SYS_renameat2, d, "sub/file", AT_FDCWD, "moved", 0), 0);
	T_EQ(sc(SYS_linkat, AT_FDCWD, "moved", d, "linked", 0), 0);
	T_EQ(ino_of("at/linked", 1), ino_of("moved", 1));
	T_EQ(sc(SYS_unlinkat, d, "linked", 0), 0);
	T_EQ(sc(SYS_unlinkat, d, "sub", AT_REMOVEDIR), 0);
	T_EQ(unlink("moved"), 0);
	close(d);
	T_EQ(rmdir("at"), 0);
}

static void test_rename(void)
{
	uint64_t ino;

	touch("r1");
	touch("r2");
	ino = ino_of("r1", 1);
	T_EQ(rename("r1", "r2"), 0); /* replaces */
	T_EQ(ino_of("r2", 1), ino);
	T_ERR(sc(SYS_faccessat, AT_FDCWD, "r1", F_OK), ENOENT);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "r1", AT_FDCWD, "r3", 0), ENOENT);
	T_EQ(mkdir("d1", 0755), 0);
	T_EQ(mkdir("d2", 0755), 0);
	touch("d2/inside");
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "d1", AT_FDCWD, "d2", 0), ENOTEMPTY);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "r2", AT_FDCWD, "d1", 0), EISDIR);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "d1", AT_FDCWD, "r2", 0), ENOTDIR);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "d2", AT_FDCWD, "d2/x", 0), EINVAL);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "r2", AT_FDCWD, "r2/", 0), ENOTDIR);
	T_EQ(unlink("d2/inside"), 0);
	ino = ino_of("d1", 1);
	T_EQ(rename("d1", "d2"), 0); /* an empty directory is replaced */
	T_EQ(ino_of("d2", 1), ino);
	/* RENAME_NOREPLACE refuses an existing target and allows a new one. */
	touch("r3");
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "r2", AT_FDCWD, "r3", RENAME_NOREPLACE), EEXIST);
	T_EQ(sc(SYS_renameat2, AT_FDCWD, "r2", AT_FDCWD, "d2/r2", RENAME_NOREPLACE), 0);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "r3", AT_FDCWD, "r4", 0x100), EINVAL);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "r3", AT_FDCWD, "r4", 3), EINVAL);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, bad_ptr, AT_FDCWD, "r4", 0), EFAULT);
	T_ERR(sc(SYS_renameat2, AT_FDCWD, "r3", AT_FDCWD, "", 0), ENOENT);
	T_EQ(rename("r3", "r3"), 0);
	T_EQ(unlink("r3"), 0);
	T_EQ(unlink("d2/r2"), 0);
	T_EQ(rmdir("d2"), 0);
}

static void test_links(void)
{
	char buf[64];
	struct stat st;

	touch("tgt");
	T_EQ(link("tgt", "hard"), 0);
	T_EQ(stat("tgt", &st), 0);
	T_EQ(st.st_nlink, 2);
	T_EQ(ino_of("hard", 1), st.st_ino);
	T_ERR(sc(SYS_linkat, AT_FDCWD, "tgt", AT_FDCWD, "hard", 0), EEXIST);
	T_ERR(sc(SYS_linkat, AT_FDCWD, "nofile", AT_FDCWD, "x", 0), ENOENT);
	T_ERR(sc(SYS_linkat, AT_FDCWD, ".", AT_FDCWD, "x", 0), EPERM);
	T_ERR(sc(SYS_linkat, AT_FDCWD, "tgt", AT_FDCWD, "x", 0x1), EINVAL);
	/* Symbolic links: readlink gives the text, without a NUL. */
	T_EQ(symlink("tgt", "soft"), 0);
	memset(buf, 'z', sizeof(buf));
	T_EQ(sc(SYS_readlinkat, AT_FDCWD, "soft", buf, sizeof(buf)), 3);
	T_CHECK(!memcmp(buf, "tgtz", 4));
	T_EQ(sc(SYS_readlinkat, AT_FDCWD, "soft", buf, 2), 2); /* truncated */
	T_ERR(sc(SYS_readlinkat, AT_FDCWD, "soft", buf, 0), EINVAL);
	T_ERR(sc(SYS_readlinkat, AT_FDCWD, "tgt", buf, sizeof(buf)), EINVAL);
	T_ERR(sc(SYS_readlinkat, AT_FDCWD, "nofile", buf, sizeof(buf)), ENOENT);
	T_ERR(sc(SYS_readlinkat, AT_FDCWD, "soft", bad_ptr, 10), EFAULT);
	T_ERR(sc(SYS_symlinkat, "", AT_FDCWD, "empty"), ENOENT);
	T_ERR(sc(SYS_symlinkat, "x", AT_FDCWD, "tgt"), EEXIST);
	T_ERR(sc(SYS_symlinkat, bad_ptr, AT_FDCWD, "y"), EFAULT);
	/* linkat links the symlink itself, or its target with AT_SYMLINK_FOLLOW. */
	T_EQ(sc(SYS_linkat, AT_FDCWD, "soft", AT_FDCWD, "soft2", 0), 0);
	T_EQ(lstat("soft2", &st), 0);
	T_CHECK(S_ISLNK(st.st_mode));
	T_EQ(sc(SYS_linkat, AT_FDCWD, "soft", AT_FDCWD, "hard2", AT_SYMLINK_FOLLOW), 0);
	T_EQ(lstat("hard2", &st), 0);
	T_CHECK(S_ISREG(st.st_mode));
	T_EQ(st.st_nlink, 3);
	/* Dangling links and loops. */
	T_EQ(symlink("missing", "dangle"), 0);
	T_ERR(sc(SYS_faccessat, AT_FDCWD, "dangle", F_OK), ENOENT);
	T_EQ(lstat("dangle", &st), 0);
	T_EQ(symlink("loop2", "loop1"), 0);
	T_EQ(symlink("loop1", "loop2"), 0);
	T_ERR(sc(SYS_openat, AT_FDCWD, "loop1", O_RDONLY), ELOOP);
	T_EQ(unlink("tgt"), 0);
	T_EQ(stat("hard", &st), 0);
	T_EQ(st.st_nlink, 2);
	static const char *const names[] = {"hard",   "soft",  "soft2", "hard2",
					    "dangle", "loop1", "loop2"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		T_EQ(unlink(names[i]), 0);
}

/* Count getdents64 entries of dir with a small buffer; check "." and "..". */
static int count_entries(const char *dir, int *dots, int *regs)
{
	char buf[512];
	int fd = open(dir, O_RDONLY | O_DIRECTORY), n = 0;
	long got;

	*dots = *regs = 0;
	if (fd < 0)
		return -1;
	while ((got = sc(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct t_dirent64 *d = (struct t_dirent64 *)(buf + off);
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				(*dots)++;
			else if (d->d_type == DT_REG)
				(*regs)++;
			n++;
			off += d->d_reclen;
		}
	}
	T_EQ(got, 0);
	close(fd);
	return n;
}

static void test_many(void)
{
	char name[64];
	int dots, regs, fd;

	T_EQ(mkdir("many", 0755), 0);
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "many/file-with-a-longish-name-%04d", i);
		touch(name);
	}
	T_EQ(mkdir("many/subdir", 0755), 0);
	T_EQ(count_entries("many", &dots, &regs), NFILES + 3);
	T_EQ(dots, 2);
	T_EQ(regs, NFILES);
	T_ERR(sc(SYS_unlinkat, AT_FDCWD, "many", AT_REMOVEDIR), ENOTEMPTY);
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "many/file-with-a-longish-name-%04d", i);
		T_EQ(unlink(name), 0);
	}
	T_EQ(rmdir("many/subdir"), 0);
	T_EQ(count_entries("many", &dots, &regs), 2);
	fd = open("many", O_RDONLY | O_DIRECTORY);
	T_ERR(sc(SYS_getdents64, fd, name, 8), EINVAL); /* no room for one record */
	T_ERR(sc(SYS_getdents64, 999, name, sizeof(name)), EBADF);
	T_EQ(rmdir("many"), 0);
	close(fd);
}

static void test_cwd(const char *top)
{
	char buf[4096], want[4096];
	size_t len;
	int fd;

	/* The raw call returns the length including the NUL. */
	len = strlen(top) + 1;
	T_EQ(sc(SYS_getcwd, buf, sizeof(buf)), (long)len);
	T_CHECK(!strcmp(buf, top));
	T_ERR(sc(SYS_getcwd, buf, len - 1), ERANGE);
	T_ERR(sc(SYS_getcwd, buf, 0), ERANGE);
	T_ERR(sc(SYS_getcwd, bad_ptr, sizeof(buf)), EFAULT);
	/* A deep tree, entered one level at a time. */
	snprintf(want, sizeof(want), "%s", top);
	for (int i = 0; i < DEPTH; i++) {
		char comp[16];
		snprintf(comp, sizeof(comp), "lvl%02d", i);
		T_EQ(mkdir(comp, 0755), 0);
		T_EQ(chdir(comp), 0);
		strncat(want, "/", sizeof(want) - strlen(want) - 1);
		strncat(want, comp, sizeof(want) - strlen(want) - 1);
	}
	T_CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, want));
	T_EQ(chdir("../.."), 0);
	T_CHECK(getcwd(buf, sizeof(buf)) && strlen(buf) == strlen(want) - 12);
	T_EQ(chdir(top), 0);
	/* fchdir, and errors. */
	fd = open("lvl00/lvl01", O_RDONLY | O_DIRECTORY);
	T_EQ(fchdir(fd), 0);
	close(fd);
	T_CHECK(getcwd(buf, sizeof(buf)) && strstr(buf, "/lvl00/lvl01") != NULL);
	T_EQ(chdir(top), 0);
	touch("plain");
	fd = open("plain", O_RDONLY);
	T_ERR(sc(SYS_fchdir, fd), ENOTDIR);
	close(fd);
	T_ERR(sc(SYS_fchdir, 999), EBADF);
	T_ERR(sc(SYS_chdir, "plain"), ENOTDIR);
	T_ERR(sc(SYS_chdir, "nodir"), ENOENT);
	T_ERR(sc(SYS_chdir, ""), ENOENT);
	T_ERR(sc(SYS_chdir, bad_ptr), EFAULT);
	T_EQ(unlink("plain"), 0);
	/* A mount point: the name is the one it is mounted on. */
	T_EQ(chdir("/dev"), 0);
	T_CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/dev"));
	T_EQ(chdir("/"), 0);
	T_CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));
	T_EQ(chdir(top), 0);
	/* A removed working directory has no path. */
	T_EQ(mkdir("gone", 0755), 0);
	T_EQ(chdir("gone"), 0);
	T_EQ(rmdir("../gone"), 0);
	T_ERR(sc(SYS_getcwd, buf, sizeof(buf)), ENOENT);
	T_ERR(sc(SYS_openat, AT_FDCWD, "new", O_CREAT | O_RDWR, 0644), ENOENT);
	T_EQ(chdir(top), 0);
}

/* rmdir of each level, bottom up, by relative path from top. */
static void remove_tree(void)
{
	char path[512] = "";

	for (int i = 0; i < DEPTH; i++)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "%slvl%02d",
			 i ? "/" : "", i);
	for (int i = DEPTH - 1; i >= 0; i--) {
		T_EQ(rmdir(path), 0);
		char *slash = strrchr(path, '/');
		if (slash)
			*slash = 0;
	}
	T_ERR(sc(SYS_faccessat, AT_FDCWD, "lvl00", F_OK), ENOENT);
}

static void test_access_dirs(void)
{
	T_EQ(mkdir("ax", 0), 0);
	T_EQ(sc(SYS_faccessat, AT_FDCWD, "ax", R_OK | W_OK | X_OK), 0); /* root */
	T_ERR(sc(SYS_faccessat, AT_FDCWD, "ax/none", F_OK), ENOENT);
	T_ERR(sc(SYS_faccessat, 999, "ax", F_OK), EBADF);
	T_EQ(sc(SYS_faccessat, 999, "/", F_OK), 0); /* absolute: dirfd ignored */
	T_EQ(rmdir("ax"), 0);
}

int main(void)
{
	char top[4096];

	umask(022);
	rmdir(DIR_NAME);
	T_EQ(mkdir(DIR_NAME, 0755), 0);
	T_EQ(chdir(DIR_NAME), 0);
	T_CHECK(getcwd(top, sizeof(top)) != NULL);
	test_mkdir_rmdir();
	test_at_dirfd();
	test_rename();
	test_links();
	test_many();
	test_cwd(top);
	remove_tree();
	test_access_dirs();
	T_EQ(chdir(".."), 0);
	T_EQ(rmdir(DIR_NAME), 0);
	T_DONE();
}
