/*
 * Between the AsyncQ fd ops (lx_aq.c) and their fs-service path for files of
 * disk file systems (lx_aq_svc.c). Private to kernel/linux.
 */
#ifndef LINUX_LX_AQ_H
#define LINUX_LX_AQ_H

#include <linux/lx.h>
#include <obj/asyncq.h>

/* From kind->run on t (a thread of the owner) when f's read or write
 * answered -ESVC: hand the rest of the op to the fs service. -EPARKED (the op
 * is armed: the request completes it), or -ENOMEM / -EAGAIN (service queue
 * full) / -EIO (handed over before) with nothing handed over. */
long lx_aq_svc_start(struct thread *t, struct aq_op *op, struct file *f, bool write);

/* The disarm and release hooks' part for a handed-over op (no-ops otherwise):
 * after either, the request never touches op again. */
void lx_aq_svc_disarm(struct aq_op *op);
void lx_aq_svc_release(struct aq_op *op);

#endif
