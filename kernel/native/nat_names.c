/*
 * Native calls of the name service (obj/namesvc.h) and of the file-system
 * service objects (svc/fsobj.h), and the boot-time bindings.
 *
 * Who may bind and resolve: whoever holds a handle to the name service with
 * WEFT_RIGHT_WRITE (bind, unbind) or READ (resolve). A binding belongs to the
 * process that made it: only it may unbind it, and its exit removes it. Linux processes have ambient
 * authority anyway (they may open any file), so for them the handle 0 means
 * "the name service with every right"; a native process must hold a real
 * handle, so one spawned without it can resolve nothing. Binding needs a
 * handle with DUPLICATE (the service hands out copies), and the binding keeps
 * its rights; a resolve may ask for those rights or fewer (WEFT_RIGHTS_SAME:
 * all of them). The kernel binds "namesvc" (the service itself) and "fs" (the
 * file-system service over the whole VFS tree) at boot.
 *
 * Rights shrink along fs lookups: fs_root and dir_lookup yield at most the
 * rights of the handle they were called on.
 */
#include <native/nat.h>
#include <native/native.h>
#include <obj/namesvc.h>
#include <svc/fsobj.h>
#include <fs/vfs.h> /* VFS_PATH_MAX only */
#include <core/klog.h>
#include <core/slab.h>

#define NS_RIGHTS                                                                                  \
	(WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_DUPLICATE | WEFT_RIGHT_TRANSFER |         \
	 WEFT_RIGHT_INSPECT)
#define FS_RIGHTS                                                                                  \
	(WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_EXEC | WEFT_RIGHT_DUPLICATE |             \
	 WEFT_RIGHT_TRANSFER | WEFT_RIGHT_INSPECT)

void native_init(void)
{
	struct kobject *fs;

	if (namesvc_bind("namesvc", namesvc_obj(), NS_RIGHTS, 0) || fsobj_service(&fs))
		panic("native: cannot set up the name service");
	if (namesvc_bind("fs", fs, FS_RIGHTS, 0))
		panic("native: cannot bind fs");
	kobject_put(fs);
}

/* Rights for a new handle: `want` (or WEFT_RIGHTS_SAME) within `have`. */
static long shrink(rights_t have, unsigned long want, rights_t *out)
{
	if (want == WEFT_RIGHTS_SAME) {
		*out = have;
		return 0;
	}
	if (want & ~(unsigned long)have)
		return want & ~(unsigned long)WEFT_RIGHTS_ALL ? -EINVAL : -EACCES;
	*out = (rights_t)want;
	return 0;
}

/* Decode the name-service handle (0: ambient, Linux processes only). */
static long ns_check(struct thread *t, handle_t h, rights_t need)
{
	struct kobject *o;
	long err;

	if (h == WEFT_HANDLE_INVALID)
		return native_proc(t->proc) ? -EBADF : 0;
	err = handle_get(&t->proc->handles, h, WEFT_OBJ_NAMESERVICE, need, &o, NULL);
	if (!err)
		kobject_put(o);
	return err;
}

/* Copy a name or path in: its length, or -errno. */
static long str_in(char *buf, uaddr_t u, size_t size)
{
	long n = copy_str_from_user(buf, u, size);

	return n == 0 ? -EINVAL : n;
}

/* name_bind(ns, const char *name, h): h needs DUPLICATE. */
NAT_HANDLER(name_bind)
{
	char name[NAMESVC_NAME_MAX + 1];
	struct kobject *o;
	rights_t r;
	long err = ns_check(t, (handle_t)a[0], WEFT_RIGHT_WRITE);

	if (!err)
		err = str_in(name, a[1], sizeof(name));
	if (err < 0)
		return err;
	err = handle_get(&t->proc->handles, (handle_t)a[2], WEFT_OBJ_ANY, WEFT_RIGHT_DUPLICATE, &o,
			 &r);
	if (err)
		return err;
	err = namesvc_bind(name, o, r, t->proc->pid);
	kobject_put(o);
	return err;
}

/* name_unbind(ns, const char *name): only the process that bound the name
 * (-EPERM for anyone else, and for the kernel's own names); WRITE on ns. */
NAT_HANDLER(name_unbind)
{
	char name[NAMESVC_NAME_MAX + 1];
	long err = ns_check(t, (handle_t)a[0], WEFT_RIGHT_WRITE);

	if (!err)
		err = str_in(name, a[1], sizeof(name));
	if (err < 0)
		return err;
	return namesvc_unbind(name, t->proc->pid);
}

/* Give the caller a handle to o with rights; o's reference is consumed. */
static long give(struct thread *t, struct kobject *o, rights_t r, uaddr_t uout)
{
	handle_t h;
	long err = handle_alloc(&t->proc->handles, o, r, NULL, &h);

	kobject_put(o);
	return err ? err : nat_out_handle(t, uout, h);
}

/* name_resolve(ns, const char *name, rights, handle_t *out) */
NAT_HANDLER(name_resolve)
{
	char name[NAMESVC_NAME_MAX + 1];
	struct kobject *o;
	rights_t have, r;
	long err = ns_check(t, (handle_t)a[0], WEFT_RIGHT_READ);

	if (!err)
		err = str_in(name, a[1], sizeof(name));
	if (err < 0)
		return err;
	err = namesvc_resolve(name, &o, &have);
	if (err)
		return err;
	err = shrink(have, a[2], &r);
	if (err) {
		kobject_put(o);
		return err;
	}
	return give(t, o, r, a[3]);
}

/* fs_root(fs, rights, handle_t *out): needs READ on the service. */
NAT_HANDLER(fs_root)
{
	struct kobject *svc, *dir;
	rights_t have, r;
	long err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_FSSVC, WEFT_RIGHT_READ,
			      &svc, &have);

	if (err)
		return err;
	err = shrink(have, a[1], &r);
	if (!err)
		err = fsobj_root(svc, &dir);
	kobject_put(svc);
	return err ? err : give(t, dir, r, a[2]);
}

/* dir_lookup(dir, const char *path, rights, handle_t *out): needs READ. */
NAT_HANDLER(dir_lookup)
{
	struct kobject *dir, *res = NULL;
	rights_t have, r;
	char *path;
	long err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_DIR, WEFT_RIGHT_READ,
			      &dir, &have);

	if (err)
		return err;
	err = shrink(have, a[2], &r);
	path = err ? NULL : kmalloc(VFS_PATH_MAX);
	if (!err && !path)
		err = -ENOMEM;
	if (!err)
		err = str_in(path, a[1], VFS_PATH_MAX);
	if (err >= 0)
		err = fsobj_lookup(dir, path, r, &res);
	kfree(path);
	kobject_put(dir);
	return err ? err : give(t, res, r, a[3]);
}

static long file_rw(struct thread *t, const unsigned long *a, bool write)
{
	struct kobject *f;
	long err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_FILE,
			      write ? WEFT_RIGHT_WRITE : WEFT_RIGHT_READ, &f, NULL);

	if (err)
		return err;
	err = write ? fsobj_write(f, a[1], a[2], a[3]) : fsobj_read(f, a[1], a[2], a[3]);
	kobject_put(f);
	return err;
}

/* file_read(file, offset, void *buf, len): bytes read (0 at the end); READ. */
NAT_HANDLER(file_read)
{
	return file_rw(t, a, false);
}

/* file_write(file, offset, const void *buf, len): bytes written; WRITE. */
NAT_HANDLER(file_write)
{
	return file_rw(t, a, true);
}
