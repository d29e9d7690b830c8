/*
 * The name service (in the kernel for now, bitos stage 4): one registry of
 * names bound to objects, itself an object (WEFT_OBJ_NAMESERVICE) so that a
 * process can only use it through a handle.
 *
 * A binding holds a reference to the object and the rights it was bound with;
 * resolving hands out a new handle with those rights or fewer. Names are 1 to
 * NAMESVC_NAME_MAX bytes of [A-Za-z0-9._/-]. A name is bound once: binding it
 * again is -EEXIST (no process can hijack a name another has published).
 * A binding belongs to the process that made it (its pid; the kernel's boot
 * bindings belong to no process, owner 0): only that process may unbind it,
 * and it is removed when that process exits (namesvc_proc_exit), so a name
 * never outlives the server that published it and the table does not fill
 * up with the names of dead processes. The kernel's own bindings live until
 * reboot. Who may bind, unbind or resolve is decided by the caller's handle
 * to the service: WEFT_RIGHT_WRITE to bind and unbind, READ to resolve.
 *
 * Locking: one spinlock guards the table (a leaf; references are dropped
 * outside it).
 */
#ifndef OBJ_NAMESVC_H
#define OBJ_NAMESVC_H

#include <obj/object.h>

#define NAMESVC_NAME_MAX 63
#define NAMESVC_MAX	 128

/* The service object (a borrowed pointer to a static object). */
struct kobject *namesvc_obj(void);

/* Bind name to obj with rights for process `owner` (a pid; 0: the kernel,
 * for good). A new reference is taken. 0, -EINVAL (bad name), -EEXIST,
 * -ENOSPC (table full). */
int namesvc_bind(const char *name, struct kobject *obj, rights_t rights, int owner);

/* Remove the binding of name, which `owner` must have made: 0, -EINVAL (bad
 * name), -ENOENT, -EPERM (another process's, or the kernel's). The binding's
 * reference is dropped after unlocking. */
int namesvc_unbind(const char *name, int owner);

/* Process pid (non-zero) is exiting: remove every binding it made. */
void namesvc_proc_exit(int pid);

/* Look name up: *obj a new reference, *rights the bound rights. -ENOENT. */
int namesvc_resolve(const char *name, struct kobject **obj, rights_t *rights);

#endif
