/*
 * The execve syscall: copy the path, argv and envp out of the caller (which
 * stays intact if anything is wrong with them), then hand them to lx_execve.
 * Strings are packed into one kernel buffer of LX_ARG_MAX bytes; more is E2BIG.
 */
#include <linux/lx.h>
#include <core/slab.h>

#define LX_ARG_MAX (256 * 1024)
#define LX_ARGV_MAX 4096

struct arg_buf {
	char *strs;
	size_t used;
	char **vec;
	int n;
};

/* Copy a NULL-terminated user vector of strings; appends to ab. */
static int copy_vec(struct arg_buf *ab, uaddr_t uvec, int *count)
{
	*count = 0;
	if (!uvec)
		return 0;
	for (;;) {
		uint64_t up;
		long len;

		if (copy_from_user(&up, uvec + (uaddr_t)*count * 8, 8))
			return -EFAULT;
		if (!up)
			return 0;
		if (ab->n >= LX_ARGV_MAX)
			return -E2BIG;
		len = copy_str_from_user(ab->strs + ab->used, up, LX_ARG_MAX - ab->used);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return (int)len;
		ab->vec[ab->n++] = ab->strs + ab->used;
		ab->used += (size_t)len + 1;
		(*count)++;
	}
}

long lx_sys_execve(struct thread *t, const unsigned long *a)
{
	struct arg_buf ab = { kmalloc(LX_ARG_MAX), 0, kmalloc(LX_ARGV_MAX * sizeof(char *)), 0 };
	char *path = kmalloc(VFS_PATH_MAX);
	int argc = 0, envc = 0;
	long err = -ENOMEM;

	if (!ab.strs || !ab.vec || !path)
		goto out;
	err = copy_str_from_user(path, a[0], VFS_PATH_MAX);
	if (err == 0)
		err = -ENOENT;
	if (err > 0)
		err = copy_vec(&ab, a[1], &argc);
	if (err >= 0)
		err = copy_vec(&ab, a[2], &envc);
	if (err >= 0)
		err = lx_execve(t, path, ab.vec, argc, ab.vec + argc, envc);
out:
	kfree(ab.strs);
	kfree(ab.vec);
	kfree(path);
	return err;
}
