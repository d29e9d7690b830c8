/*
 * File-system service objects (model in svc/fsobj.h). Each directory and file
 * object holds a vnode reference; a file object also holds an open struct
 * file whose access mode follows the rights it was looked up with. The
 * service object holds no vnode: fs_root gives the VFS root of the moment it
 * is called, because the service is bound at boot, before a root= disk file
 * system replaces the initrd's tmpfs as "/" (vfs_mount_root). Nothing here holds a lock
 * across a VFS call; the VFS copies user memory without its locks held.
 */
#include <svc/fsobj.h>
#include <fs/vfs.h>
#include <core/slab.h>
#include <weft/errno.h>

struct fsobj {
	struct kobject obj;
	struct vnode *vn;  /* reference, fixed (NULL for the service object) */
	struct file *file; /* FILE objects: an open file, fixed */
};

static void fsobj_destroy(struct kobject *o)
{
	struct fsobj *f = kobject_entry(o, struct fsobj, obj);

	if (f->file)
		file_put(f->file);
	vnode_put(f->vn);
	kfree(f);
}

static void fsobj_info(const struct kobject *o, struct weft_obj_info *info)
{
	(void)o;
	info->protocol = WEFT_PROTO_FS;
	info->version = WEFT_PROTO_FS_VERSION;
}

#define FSOBJ_OPS(ty, nm)                                                                          \
	{                                                                                          \
		.type = ty, .name = nm, .destroy = fsobj_destroy, .get_info = fsobj_info,          \
	}
static const struct kobject_ops svc_ops = FSOBJ_OPS(WEFT_OBJ_FSSVC, "fs-service");
static const struct kobject_ops dir_ops = FSOBJ_OPS(WEFT_OBJ_DIR, "fs-dir");
static const struct kobject_ops file_ops = FSOBJ_OPS(WEFT_OBJ_FILE, "fs-file");

static struct fsobj *of(struct kobject *o)
{
	return kobject_entry(o, struct fsobj, obj);
}

/* A new object of ops over vn (takes its own vnode reference; vn may be NULL). */
static int fsobj_new(const struct kobject_ops *ops, struct vnode *vn, struct fsobj **out)
{
	struct fsobj *f = kzalloc(sizeof(*f));

	if (!f)
		return -ENOMEM;
	kobject_init(&f->obj, ops);
	f->vn = vn ? vnode_get(vn) : NULL;
	*out = f;
	return 0;
}

int fsobj_service(struct kobject **out)
{
	struct fsobj *f;
	int err = fsobj_new(&svc_ops, NULL, &f);

	if (!err)
		*out = &f->obj;
	return err;
}

int fsobj_root(struct kobject *svc, struct kobject **out)
{
	struct fsobj *f;
	int err;

	if (svc->ops != &svc_ops)
		return -WEFT_EWRONGTYPE;
	err = fsobj_new(&dir_ops, vfs_root(), &f);
	if (!err)
		*out = &f->obj;
	return err;
}

static int open_file(struct vnode *vn, rights_t rights, struct fsobj **out)
{
	bool r = rights & WEFT_RIGHT_READ, w = rights & WEFT_RIGHT_WRITE;
	unsigned mode = r && w ? VFS_O_RDWR : w ? VFS_O_WRONLY : VFS_O_RDONLY;
	struct fsobj *f;
	int err = fsobj_new(&file_ops, vn, &f);

	if (err)
		return err;
	err = file_alloc(vn, mode, &f->file);
	if (err) {
		f->file = NULL;
		kobject_put(&f->obj);
		return err;
	}
	*out = f;
	return 0;
}

int fsobj_lookup(struct kobject *dir, const char *path, rights_t rights, struct kobject **out)
{
	struct vnode *vn, *root;
	struct fsobj *f = NULL;
	int err;

	if (dir->ops != &dir_ops)
		return -WEFT_EWRONGTYPE;
	if (!path[0])
		return -ENOENT;
	root = of(dir)->vn;
	/* the directory is the root: nothing resolves outside it */
	err = vfs_lookup(root, root, path, VFS_LOOKUP_FOLLOW, &vn);
	if (err)
		return err;
	if (vn->type == VDIR)
		err = fsobj_new(&dir_ops, vn, &f);
	else if (vn->type == VREG)
		err = open_file(vn, rights, &f);
	else
		err = -ENOTSUP;
	vnode_put(vn);
	if (!err)
		*out = &f->obj;
	return err;
}

static long rw(struct kobject *file, uint64_t off, uaddr_t ubuf, size_t len, bool write)
{
	struct uio uio;

	if (file->ops != &file_ops)
		return -WEFT_EWRONGTYPE;
	if (!uaccess_ok(ubuf, len))
		return -EFAULT;
	if (off > INT64_MAX || len > INT64_MAX - off)
		return -EINVAL;
	uio_init_user(&uio, ubuf, len, off);
	return write ? vfs_pwrite(of(file)->file, &uio) : vfs_pread(of(file)->file, &uio);
}

long fsobj_read(struct kobject *file, uint64_t off, uaddr_t ubuf, size_t len)
{
	return rw(file, off, ubuf, len, false);
}

long fsobj_write(struct kobject *file, uint64_t off, uaddr_t ubuf, size_t len)
{
	return rw(file, off, ubuf, len, true);
}

long fsobj_read_kernel(struct kobject *file, uint64_t off, void *buf, size_t len)
{
	if (file->ops != &file_ops)
		return -WEFT_EWRONGTYPE;
	return vfs_read_kernel(of(file)->vn, off, buf, len);
}

long fsobj_size(struct kobject *file)
{
	if (file->ops != &file_ops)
		return -WEFT_EWRONGTYPE;
	return (long)of(file)->vn->size;
}
