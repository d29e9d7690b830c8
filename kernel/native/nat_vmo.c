/*
 * Native calls on VMOs: create, read, write, get_size, set_size, clone. Each
 * decodes the handle with the right it needs (READ to read, WRITE to write or
 * resize, INSPECT for the size, READ and DUPLICATE to clone) and calls
 * obj/vmo.c. A new handle that cannot be copied out is closed again.
 */
#include <native/nat.h>
#include <obj/vmo.h>
#include <weft/vmo.h>

/* Decode h as a VMO with rights `need`; *v holds a reference on success. */
static long get_vmo(struct thread *t, unsigned long h, rights_t need, struct vmo **v,
		    rights_t *rights)
{
	struct kobject *o;
	long err = handle_get(&t->proc->handles, (handle_t)h, WEFT_OBJ_VMO, need, &o, rights);

	if (!err)
		*v = vmo_from_obj(o);
	return err;
}

/* A handle to v with `rights` copied out to uout; drops the caller's reference. */
static long give_vmo(struct thread *t, struct vmo *v, rights_t rights, uaddr_t uout)
{
	handle_t h;
	long err = handle_alloc(&t->proc->handles, &v->obj, rights, NULL, &h);

	kobject_put(&v->obj);
	return err ? err : nat_out_handle(t, uout, h);
}

/* vmo_create(size, options, handle_t *out) */
NAT_HANDLER(vmo_create)
{
	rights_t rights = WEFT_VMO_RIGHTS;
	struct vmo *v;
	long err;

	if (a[1] & ~(unsigned long)WEFT_VMO_EXECUTABLE)
		return -EINVAL;
	if (a[1] & WEFT_VMO_EXECUTABLE)
		rights |= WEFT_RIGHT_EXEC;
	if (!uaccess_ok(a[2], sizeof(handle_t)))
		return -EFAULT;
	err = vmo_create(a[0], &v);
	return err ? err : give_vmo(t, v, rights, a[2]);
}

static long rw(struct thread *t, const unsigned long *a, bool write)
{
	struct vmo *v;
	long err = get_vmo(t, a[0], write ? WEFT_RIGHT_WRITE : WEFT_RIGHT_READ, &v, NULL);

	if (err)
		return err;
	if (!uaccess_ok(a[1], a[2]))
		err = -EFAULT;
	else
		err = write ? vmo_write(v, a[3], a[1], a[2]) : vmo_read(v, a[3], a[1], a[2]);
	kobject_put(&v->obj);
	return err;
}

/* vmo_read(h, buf, len, offset) */
NAT_HANDLER(vmo_read)
{
	return rw(t, a, false);
}

/* vmo_write(h, buf, len, offset) */
NAT_HANDLER(vmo_write)
{
	return rw(t, a, true);
}

/* vmo_get_size(h, uint64_t *out) */
NAT_HANDLER(vmo_get_size)
{
	struct vmo *v;
	uint64_t size;
	long err = get_vmo(t, a[0], WEFT_RIGHT_INSPECT, &v, NULL);

	if (err)
		return err;
	size = vmo_size(v);
	kobject_put(&v->obj);
	return copy_to_user(a[1], &size, sizeof(size)) ? -EFAULT : 0;
}

/* vmo_set_size(h, size) */
NAT_HANDLER(vmo_set_size)
{
	struct vmo *v;
	long err = get_vmo(t, a[0], WEFT_RIGHT_WRITE, &v, NULL);

	if (err)
		return err;
	err = vmo_set_size(v, a[1]);
	kobject_put(&v->obj);
	return err;
}

/* vmo_clone(h, offset, size, handle_t *out): the clone's handle has h's
 * rights plus WRITE (it is a private copy). */
NAT_HANDLER(vmo_clone)
{
	struct vmo *v, *c;
	rights_t r;
	long err = get_vmo(t, a[0], WEFT_RIGHT_READ | WEFT_RIGHT_DUPLICATE, &v, &r);

	if (err)
		return err;
	if (!uaccess_ok(a[3], sizeof(handle_t)))
		err = -EFAULT;
	else
		err = vmo_clone(v, a[1], a[2], &c);
	kobject_put(&v->obj);
	return err ? err : give_vmo(t, c, r | WEFT_RIGHT_WRITE, a[3]);
}

/* null(): the cheapest native call, for measuring syscall overhead. */
NAT_HANDLER(null)
{
	(void)t;
	(void)a;
	return 0;
}
