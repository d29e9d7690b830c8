/*
 * process_spawn: start a native process from an ELF image (a file handle
 * from the fs service, or a VMO holding the file's bytes), an args message and a list of handles
 * (contract in uapi/weft/spawn.h).
 *
 * Everything that can fail is done on the new, not yet runnable process
 * first: address space, image, stack, its handle table (the moved handles are
 * installed there from copies, handle_copy_many). Only then do the handles
 * leave the caller's table, all at once (handle_take_many re-checks them); if
 * that fails, or anything before, the new process is torn down and the
 * caller's table is as it was. The first thread is queued last. Besides the
 * moved handles the new table holds one to the process itself (no MANAGE: a
 * process ends itself by exiting) and one to its root VMAR.
 */
#include <native/nat.h>
#include <native/native.h>
#include <obj/process.h>
#include <obj/vmo.h>
#include <obj/vmar.h>
#include <svc/fsobj.h>
#include <lib/elf.h>
#include <core/elf_load.h>
#include <lib/string.h>
#include <core/slab.h>
#include <core/klog.h>
#include <weft/spawn.h>
#include <weft/vmo.h>

#define HDR_MAX 4096
BUILD_ASSERT(HDR_MAX >= PAGE_SIZE); /* elf_load_segments' bounce buffer */
#define PROC_RIGHTS                                                                                \
	(WEFT_RIGHT_WAIT | WEFT_RIGHT_INSPECT | WEFT_RIGHT_MANAGE | WEFT_RIGHT_DUPLICATE |         \
	 WEFT_RIGHT_TRANSFER)

struct spawn {
	struct kobject *image;
	uint32_t nx, args_len;
	handle_t hs[HANDLE_XFER_MAX];
	rights_t rights[HANDLE_XFER_MAX];
	struct handle_xfer x[HANDLE_XFER_MAX];
	handle_t installed[HANDLE_XFER_MAX];
	char hdr[HDR_MAX];
	uint8_t args[WEFT_ARGS_MAX];
};

/* The image is a file (fs service) or a VMO: its size, or -errno. */
static long img_size(struct kobject *img)
{
	struct vmo *v = vmo_from_obj(img);

	return v ? (long)vmo_size(v) : fsobj_size(img);
}

/* Read up to n bytes at off of the image: bytes read, or -errno. */
static long img_read(struct kobject *img, uint64_t off, void *buf, size_t n)
{
	struct vmo *v = vmo_from_obj(img);
	long size = img_size(img);

	if (!v)
		return fsobj_read_kernel(img, off, buf, n);
	if (size < 0 || off >= (uint64_t)size)
		return 0;
	if (n > (uint64_t)size - off)
		n = (uint64_t)size - off;
	int err = vmo_read_kernel(v, off, buf, n);
	return err ? err : (long)n;
}

static long img_src_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	return img_read(ctx, off, buf, n);
}

/* Map and fill the PT_LOADs of an ET_EXEC (core/elf_load.c, copied: images
 * lend no pages); W+X anywhere is refused. */
static int load_image(struct vm_space *vm, struct kobject *img, char *buf, uaddr_t *entry)
{
	const struct elf_source src = {.ctx = img, .read = img_src_read};
	long size = img_size(img), n = img_read(img, 0, buf, HDR_MAX);
	struct elf_info ei;

	if (size < 0 || n < 0)
		return size < 0 ? (int)size : (int)n;
	int err = elf_check(buf, (size_t)n, (uint64_t)size, HAL_USER_TOP - WEFT_STACK_SIZE, &ei);
	if (err)
		return err;
	if (ei.type != ET_EXEC || ei.has_interp)
		return -ENOEXEC;
	err = elf_load_segments(vm, &ei, 0, &src, ELF_LOAD_NO_WX, buf);
	if (!err)
		*entry = ei.entry;
	return err;
}

/* Stack with [startinfo][handles][args] at its top: *si_out gets its address (a0 and sp). */
static int build_stack(struct vm_space *vm, struct spawn *sp, handle_t self, handle_t vmar,
		       uaddr_t *si_out)
{
	uaddr_t base = HAL_USER_TOP - WEFT_STACK_SIZE, top = HAL_USER_TOP;
	int err = vm_map(vm, &base, WEFT_STACK_SIZE, VM_R | VM_W, VM_FIXED | VM_STACK);

	if (err)
		return err;
	uaddr_t args = (top - sp->args_len) & ~15ul;
	uaddr_t hs = (args - sp->nx * sizeof(handle_t)) & ~15ul;
	uaddr_t si = (hs - sizeof(struct weft_startinfo)) & ~15ul;
	struct weft_startinfo info = {
	    .version = 2,
	    .self = self,
	    .vmar = vmar,
	    .nhandles = sp->nx,
	    .args_len = sp->args_len,
	    .handles = hs,
	    .args = args,
	};
	if ((err = vm_write(vm, args, sp->args, sp->args_len)) ||
	    (err = vm_write(vm, hs, sp->installed, sp->nx * sizeof(handle_t))) ||
	    (err = vm_write(vm, si, &info, sizeof(info))))
		return err;
	*si_out = si;
	return 0;
}

/* Copy the transfer list and the args in, decode the image. */
static long spawn_decode(struct thread *t, const unsigned long *a, struct spawn *sp)
{
	struct weft_handle_xfer x;

	if (a[2] > WEFT_ARGS_MAX || a[4] > HANDLE_XFER_MAX)
		return -EINVAL;
	sp->args_len = (uint32_t)a[2];
	sp->nx = (uint32_t)a[4];
	if (copy_from_user(sp->args, a[1], a[2]))
		return -EFAULT;
	for (uint32_t i = 0; i < sp->nx; i++) {
		if (copy_from_user(&x, a[3] + i * sizeof(x), sizeof(x)))
			return -EFAULT;
		sp->hs[i] = x.handle;
		sp->rights[i] = x.rights;
	}
	/* two types are images: check the type before the rights, as every decode */
	rights_t have;
	long err =
	    handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_ANY, 0, &sp->image, &have);
	if (err)
		return err;
	if (sp->image->type != WEFT_OBJ_FILE && sp->image->type != WEFT_OBJ_VMO)
		err = -WEFT_EWRONGTYPE;
	else if ((have & (WEFT_RIGHT_READ | WEFT_RIGHT_EXEC)) !=
		 (WEFT_RIGHT_READ | WEFT_RIGHT_EXEC))
		err = -EACCES;
	if (err) {
		kobject_put(sp->image);
		sp->image = NULL;
	}
	return err;
}

/* A handle in np's table to its root VMAR. */
static int give_vmar(struct proc *np, handle_t *out)
{
	struct vmar *r;
	int err = vmar_create(np->vm, &r);

	if (err)
		return err;
	err = handle_alloc(&np->handles, &r->obj, WEFT_VMAR_RIGHTS, NULL, out);
	kobject_put(&r->obj);
	return err;
}

/* Build the process around its first thread nt; 0 or an error (caller cleans up). */
static long spawn_build(struct thread *t, struct spawn *sp, struct proc *np, struct thread *nt,
			struct procobj *po)
{
	uaddr_t entry = 0, si = 0;
	handle_t self, vmar;
	long err = load_image(np->vm, sp->image, sp->hdr, &entry);

	if (!err)
		err = handle_alloc(&np->handles, &po->obj, PROC_RIGHTS & ~WEFT_RIGHT_MANAGE, NULL,
				   &self); /* a process ends itself by exiting */
	if (!err)
		err = give_vmar(np, &vmar);
	if (!err)
		err = handle_copy_many(&t->proc->handles, sp->hs, sp->rights, sp->nx, sp->x);
	if (err)
		return err;
	err = handle_install_many(&np->handles, sp->x, sp->nx, sp->installed);
	handle_xfer_put(sp->x, sp->nx);
	if (!err)
		err = build_stack(np->vm, sp, self, vmar, &si);
	if (err)
		return err;
	hal_tf_init_user(&nt->tf, entry, si & ~15ul);
	hal_tf_set_ret(&nt->tf, (long)si); /* a0 */
	return 0;
}

/* Tear down a process that never ran. */
static void spawn_abort(struct proc *np, struct thread *nt)
{
	if (nt) {
		proc_thread_gone(np, nt);
		nt->dead = true;
		nt->release(nt);
	}
	proc_exit(np, 9);
	proc_free(np);
}

/* process_spawn(image (file or VMO), const void *args, args_len,
 *               const struct weft_handle_xfer *handles, nhandles, handle_t *out) */
NAT_HANDLER(process_spawn)
{
	struct spawn *sp = kzalloc(sizeof(*sp));
	struct procobj *po = NULL;
	struct thread *nt = NULL;
	struct proc *np = NULL;
	handle_t ph = 0, zero = 0;
	long err = -ENOMEM;

	if (!sp)
		return -ENOMEM;
	if (copy_to_user(a[5], &zero, sizeof(zero))) {
		err = -EFAULT;
		goto out;
	}
	err = spawn_decode(t, a, sp);
	if (err)
		goto out;
	err = -ENOMEM;
	np = proc_create(NULL, "native");
	if (!np || !(np->vm = vm_create()) || !(nt = proc_new_thread(np)))
		goto out;
	nt->vm = np->vm;
	err = procobj_get(np, &po);
	if (!err)
		err = spawn_build(t, sp, np, nt, po);
	if (!err)
		err = handle_alloc(&t->proc->handles, &po->obj, PROC_RIGHTS, NULL, &ph);
	if (!err) {
		/* the commit point: the handles leave the caller together */
		err = handle_take_many(&t->proc->handles, sp->hs, sp->rights, sp->nx, NULL, sp->x);
		if (err)
			handle_close(&t->proc->handles, ph);
	}
	if (err)
		goto out;
	handle_xfer_put(sp->x, sp->nx); /* the new table holds its own */
	np = NULL;
	if (copy_to_user(a[5], &ph, sizeof(ph)))
		err = -EFAULT; /* it runs anyway: its handles are gone from here */
	sched_add_new(nt);
out:
	if (np)
		spawn_abort(np, nt);
	if (po)
		kobject_put(&po->obj);
	kobject_put(sp->image);
	kfree(sp);
	return err;
}
