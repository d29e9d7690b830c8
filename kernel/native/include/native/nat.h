/*
 * Internal interface of the native personality's handlers (kernel/native/
 * nat_*.c): the handler signature, and helpers they share. Handlers are thin:
 * decode handles and arguments, copy in, call the object (kernel/obj), copy out.
 */
#ifndef NATIVE_NAT_H
#define NATIVE_NAT_H

#include <core/sched.h>
#include <core/uaccess.h>
#include <obj/handle.h>
#include <obj/object.h>
#include <obj/proc.h>
#include <weft/errno.h>
#include <weft/native.h>

#define NAT_HANDLER(name) long nat_sys_##name(struct thread *t, const unsigned long *a)

/* Copy new handle h out to uout; on a fault h is closed and -EFAULT returned. */
long nat_out_handle(struct thread *t, uaddr_t uout, handle_t h);

#endif
