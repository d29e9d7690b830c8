/*
 * Path resolution: components, ".", "..", slashes, trailing slashes, length
 * limits, symlinks (relative, absolute, loops, the 40-link limit), mounts and
 * the parent lookup used by create/unlink/rename.
 */
#include "ht.h"
#include <fs/vfs.h>
#include <weft/errno.h>
#include <stdlib.h>

void fs_test_setup(void);

static struct vnode *R(void)
{
	fs_test_setup();
	return vfs_root();
}

static void mkfile(const char *path, const char *data)
{
	struct file *f;
	struct uio u;

	HT_CHECK_EQ(vfs_open(R(), R(), path, VFS_O_CREAT | VFS_O_WRONLY, 0644, &f), 0);
	uio_init_kernel(&u, (void *)data, strlen(data), 0);
	HT_CHECK_EQ(vfs_write(f, &u), (long)strlen(data));
	file_put(f);
}

/* Resolve with flags from cwd; the vnode (or NULL) and the error. */
static int look(struct vnode *cwd, const char *path, unsigned flags, struct vnode **out)
{
	struct vnode *vn = NULL;
	int err = vfs_lookup(R(), cwd, path, flags, &vn);

	if (out)
		*out = err ? NULL : vn;
	else if (!err)
		vnode_put(vn);
	return err;
}

/* The ino path resolves to (following the last symlink), or 0. */
static uint64_t ino_of(const char *path)
{
	struct vnode *vn;
	uint64_t ino;

	if (look(R(), path, VFS_LOOKUP_FOLLOW, &vn))
		return 0;
	ino = vn->ino;
	vnode_put(vn);
	return ino;
}

static void build_tree(void)
{
	static int built;

	if (built)
		return;
	built = 1;
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/a", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/a/b", 0755), 0);
	mkfile("/a/b/f", "data");
	HT_CHECK_EQ(vfs_symlink(R(), R(), "/a/b", "/abs"), 0);
	HT_CHECK_EQ(vfs_symlink(R(), R(), "b/f", "/a/rel"), 0);
	HT_CHECK_EQ(vfs_symlink(R(), R(), "../..", "/a/b/up"), 0);
	HT_CHECK_EQ(vfs_symlink(R(), R(), "/nowhere", "/dangling"), 0);
}

HT_TEST(test_plain_walks)
{
	struct vnode *a, *vn;
	uint64_t f;

	build_tree();
	f = ino_of("/a/b/f");
	HT_CHECK(f != 0);
	HT_CHECK_EQ(ino_of("//a///b//f"), f);
	HT_CHECK_EQ(ino_of("/a/./b/../b/./f"), f);
	HT_CHECK_EQ(ino_of("a/b/f"), f);
	HT_CHECK_EQ(ino_of("/../../.././a/b/f"), f); /* ".." at the root stays there */
	HT_CHECK_EQ(ino_of("/"), R()->ino);
	HT_CHECK_EQ(ino_of("/.."), R()->ino);
	HT_CHECK_EQ(look(R(), "/a", 0, &a), 0);
	HT_CHECK_EQ(look(a, "b/f", 0, &vn), 0);
	HT_CHECK(vn && vn->ino == f);
	vnode_put(vn);
	HT_CHECK_EQ(look(a, "..", 0, &vn), 0);
	HT_CHECK(vn == R());
	vnode_put(vn);
	vnode_put(a);
	HT_CHECK_EQ(look(R(), "/a/b/", 0, NULL), 0);
	HT_CHECK_EQ(look(R(), "/a/b/f/", 0, NULL), -ENOTDIR);
	HT_CHECK_EQ(look(R(), "/a/b/f/.", 0, NULL), -ENOTDIR);
	HT_CHECK_EQ(look(R(), "/a/b/f/x", 0, NULL), -ENOTDIR);
	HT_CHECK_EQ(look(R(), "/a/b/f", VFS_LOOKUP_DIRECTORY, NULL), -ENOTDIR);
	HT_CHECK_EQ(look(R(), "/a/nope", 0, NULL), -ENOENT);
	HT_CHECK_EQ(look(R(), "/nope/b", 0, NULL), -ENOENT);
	HT_CHECK_EQ(look(R(), "", 0, NULL), -ENOENT);
}

HT_TEST(test_name_lengths)
{
	char name[300], *path = malloc(VFS_PATH_MAX + 8);

	build_tree();
	memset(name, 'n', sizeof(name));
	name[0] = '/';
	name[256] = 0; /* "/" + 255 chars */
	mkfile(name, "x");
	HT_CHECK_EQ(look(R(), name, 0, NULL), 0);
	name[256] = 'n';
	name[257] = 0; /* 256 chars */
	HT_CHECK_EQ(look(R(), name, 0, NULL), -ENAMETOOLONG);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), name, 0755), -ENAMETOOLONG);

	/* 4095 bytes resolve; 4096 do not. */
	strcpy(path, "/a");
	while (strlen(path) < VFS_PATH_MAX - 1 - 2)
		strcat(path, "/.");
	while (strlen(path) < VFS_PATH_MAX - 1)
		strcat(path, "/");
	HT_CHECK_EQ(strlen(path), VFS_PATH_MAX - 1);
	HT_CHECK_EQ(look(R(), path, 0, NULL), 0);
	strcat(path, "/");
	HT_CHECK_EQ(look(R(), path, 0, NULL), -ENAMETOOLONG);
	free(path);
}

HT_TEST(test_symlinks)
{
	struct vnode *vn;
	uint64_t f = ino_of("/a/b/f"), b = ino_of("/a/b");

	build_tree();
	HT_CHECK_EQ(ino_of("/abs/f"), f);	 /* absolute, in the middle */
	HT_CHECK_EQ(ino_of("/a/rel"), f);	 /* relative to its directory */
	HT_CHECK_EQ(ino_of("/abs/up/a/b/f"), f); /* "../.." inside a target */
	HT_CHECK_EQ(ino_of("/abs"), b);
	HT_CHECK_EQ(ino_of("/abs/"), b);
	/* Without FOLLOW the last symlink itself is the result... */
	HT_CHECK_EQ(look(R(), "/abs", 0, &vn), 0);
	HT_CHECK(vn && vn->type == VLNK);
	vnode_put(vn);
	/* ...but a trailing slash follows it. */
	HT_CHECK_EQ(look(R(), "/abs/", 0, &vn), 0);
	HT_CHECK(vn && vn->type == VDIR);
	vnode_put(vn);
	HT_CHECK_EQ(look(R(), "/a/rel/", 0, NULL), -ENOTDIR);
	HT_CHECK_EQ(look(R(), "/dangling", VFS_LOOKUP_FOLLOW, NULL), -ENOENT);
	HT_CHECK_EQ(look(R(), "/dangling", 0, NULL), 0);

	char buf[64];
	struct uio u;
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	HT_CHECK_EQ(vfs_readlink(R(), R(), "/a/rel", &u), 3);
	HT_CHECK(!memcmp(buf, "b/f", 3));
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	HT_CHECK_EQ(vfs_readlink(R(), R(), "/a/b/f", &u), -EINVAL);
}

HT_TEST(test_symlink_loops)
{
	char name[32], target[32];

	fs_test_setup();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/loops", 0755), 0);
	HT_CHECK_EQ(vfs_symlink(R(), R(), "/loops/l2", "/loops/l1"), 0);
	HT_CHECK_EQ(vfs_symlink(R(), R(), "l1", "/loops/l2"), 0);
	HT_CHECK_EQ(vfs_symlink(R(), R(), "self", "/loops/self"), 0);
	HT_CHECK_EQ(look(R(), "/loops/l1", VFS_LOOKUP_FOLLOW, NULL), -ELOOP);
	HT_CHECK_EQ(look(R(), "/loops/l2/x", 0, NULL), -ELOOP);
	HT_CHECK_EQ(look(R(), "/loops/self", VFS_LOOKUP_FOLLOW, NULL), -ELOOP);
	HT_CHECK_EQ(look(R(), "/loops/self", 0, NULL), 0);

	/* c1 -> c2 -> ... -> c40 -> /loops: exactly 40 links resolve. */
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/loops/c%d", i);
		if (i == 41)
			snprintf(target, sizeof(target), "/loops");
		else
			snprintf(target, sizeof(target), "c%d", i + 1);
		HT_CHECK_EQ(vfs_symlink(R(), R(), target, name), 0);
	}
	HT_CHECK_EQ(ino_of("/loops/c2"), ino_of("/loops")); /* 40 links */
	HT_CHECK_EQ(look(R(), "/loops/c2/", 0, NULL), 0);
	HT_CHECK_EQ(look(R(), "/loops/c1", VFS_LOOKUP_FOLLOW, NULL), -ELOOP); /* 41 */
	HT_CHECK_EQ(look(R(), "/loops/c1/c40", 0, NULL), -ELOOP);
}

HT_TEST(test_mounts)
{
	struct vnode *mroot, *vn, *d;
	uint64_t mnt_dir_ino;

	build_tree();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/mnt", 0755), 0);
	mnt_dir_ino = ino_of("/mnt");
	mkfile("/mnt/hidden", "under");
	HT_CHECK_EQ(vfs_mount("tmpfs", "/mnt", "t1", NULL), 0);
	HT_CHECK_EQ(vfs_mount("nosuchfs", "/a", "x", NULL), -ENODEV);
	HT_CHECK_EQ(vfs_mount("tmpfs", "/a/b/f", "x", NULL), -ENOTDIR);
	HT_CHECK_EQ(look(R(), "/mnt", 0, &mroot), 0);
	HT_CHECK(mroot->mnt != R()->mnt && mroot == mroot->mnt->root);
	HT_CHECK(mroot->ino != mnt_dir_ino);
	HT_CHECK_EQ(look(R(), "/mnt/hidden", 0, NULL), -ENOENT);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/mnt/d", 0755), 0);
	mkfile("/mnt/d/x", "over");
	/* ".." from inside the mount and from its root leave it. */
	HT_CHECK_EQ(ino_of("/mnt/d/../../a/b/f"), ino_of("/a/b/f"));
	HT_CHECK_EQ(ino_of("/mnt/.."), R()->ino);
	HT_CHECK_EQ(look(mroot, "d/..", 0, &vn), 0);
	HT_CHECK(vn == mroot);
	vnode_put(vn);
	/* With the mount as the process root, ".." stays inside it. */
	HT_CHECK_EQ(vfs_lookup(mroot, mroot, "/../../d/x", 0, &vn), 0);
	HT_CHECK(vn->mnt == mroot->mnt);
	vnode_put(vn);
	HT_CHECK_EQ(look(R(), "/mnt/d", 0, &d), 0);
	HT_CHECK_EQ(vfs_lookup(mroot, d, "../../../d/x", 0, &vn), 0);
	vnode_put(vn);
	vnode_put(d);
	/* Symlinks in the root fs into the mount, absolute ones from the mount. */
	HT_CHECK_EQ(vfs_symlink(R(), R(), "/mnt/d", "/to-mnt"), 0);
	HT_CHECK_EQ(ino_of("/to-mnt/x"), ino_of("/mnt/d/x"));
	HT_CHECK_EQ(vfs_symlink(R(), R(), "/a/b/f", "/mnt/back"), 0);
	HT_CHECK_EQ(ino_of("/mnt/back"), ino_of("/a/b/f"));
	/* Mount points and cross-mount operations. */
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/mnt"), -EBUSY);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/mnt/d/x", "/a/x"), -EXDEV);
	HT_CHECK_EQ(vfs_link(R(), R(), "/mnt/d/x", "/a/x"), -EXDEV);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/mnt", "/mnt2"), -EBUSY);
	/* A second mount stacks on top; ".." still reaches the real parent. */
	HT_CHECK_EQ(vfs_mount("tmpfs", "/mnt", "t2", NULL), 0);
	HT_CHECK_EQ(look(R(), "/mnt/d", 0, NULL), -ENOENT);
	HT_CHECK_EQ(ino_of("/mnt/../a/b/f"), ino_of("/a/b/f"));
	vnode_put(mroot);
}

HT_TEST(test_lookup_parent)
{
	struct vfs_parent p;

	build_tree();
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "/a/b/newname", &p), 0);
	HT_CHECK(!strcmp(p.name, "newname") && !p.trailing_slash);
	HT_CHECK_EQ(p.dir->ino, ino_of("/a/b"));
	vfs_parent_put(&p);
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "/abs/n", &p), 0); /* through a symlink */
	HT_CHECK_EQ(p.dir->ino, ino_of("/a/b"));
	vfs_parent_put(&p);
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "a//b//", &p), 0);
	HT_CHECK(!strcmp(p.name, "b") && p.trailing_slash);
	HT_CHECK_EQ(p.dir->ino, ino_of("/a"));
	vfs_parent_put(&p);
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "/abs", &p), 0); /* last one not followed */
	HT_CHECK(!strcmp(p.name, "abs") && p.dir == R());
	vfs_parent_put(&p);
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "/", &p), 0);
	HT_CHECK(!strcmp(p.name, "") && p.dir == R());
	vfs_parent_put(&p);
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "/a/..", &p), 0);
	HT_CHECK(!strcmp(p.name, ".."));
	vfs_parent_put(&p);
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "/a/zz/x", &p), -ENOENT);
	HT_CHECK_EQ(vfs_lookup_parent(R(), R(), "/a/b/f/x", &p), -ENOTDIR);
}

HT_MAIN(HT_CASE(test_plain_walks), HT_CASE(test_name_lengths), HT_CASE(test_symlinks),
	HT_CASE(test_symlink_loops), HT_CASE(test_mounts), HT_CASE(test_lookup_parent))
