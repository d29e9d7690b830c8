/*
 * AsyncQ fd ops on files of disk file systems (ext4, FAT): their reads and
 * writes answer -ESVC where nothing may block (VFS_MUST_BLOCK), which is
 * where ops run (kernel/linux/lx_aq.c, on a thread of the owner in submit or
 * poll). Such an op is handed to the fs service as an async request
 * (svc_submit_async): the submitter goes on, a worker does the whole read or
 * write in the owner's address space (like a blocking read(2)/write(2):
 * a write goes on until all of it is written or an error), and the request's
 * finish hook posts the completion with aq_op_event. The op stays ARMED
 * meanwhile.
 *
 * A request (struct aq_svc) outlives neither side's needs: it has two
 * references, the op's (dropped by the op's release) and the service's
 * (dropped after finish), and holds its own file and address-space
 * references, so a queue closed or a process gone while the request waits
 * leaves nothing behind and nothing is touched after it is freed; an
 * unstarted request detached from its op drops its file at once.
 *
 * Cancel stays exact through aq_op_claim: the worker claims the op before it
 * moves anything. A cancel that came first (the op not started) detaches the
 * op from the request (the disarm hook) and the worker skips it; after the
 * claim, cancel answers -EBUSY and the op completes normally; once its
 * completion is posted, -EALREADY. The queue's destroy detaches it the same
 * way (the worker may then still finish the I/O it began, into memory it
 * holds a reference to, and posts nothing).
 *
 * Locking: a->lock guards a->op; it is taken before q->lock (aq_op_claim and
 * aq_op_event run under it), never with q->lock held (kind hooks are called
 * without it). Holding it across aq_op_event is what makes a detach final:
 * once the disarm or release hook took it and cleared a->op, no completion
 * of the request reaches the op.
 */
#include <linux/lx.h>
#include <obj/asyncq.h>
#include <svc/services.h>
#include <core/slab.h>
#include <core/spinlock.h>
#include <core/vm.h>
#include "lx_aq.h"

struct aq_svc {
	struct svc_req r;      /* r.arg is this */
	struct spinlock lock;  /* guards op, claimed and file */
	struct aq_op *op;      /* until detached (cancel, destroy, or the op freed) */
	bool claimed;	       /* the worker started it */
	unsigned refs;	       /* atomic: the op's and the service's */
	struct file *file;     /* a reference of its own, until detached unstarted */
	uaddr_t addr;
	uint64_t len, offset;  /* offset UINT64_MAX: at the file position */
	uint64_t done;	       /* bytes the op moved before it was handed over */
	bool write;
};

static void put(struct aq_svc *a)
{
	if (__atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (a->file)
		file_put(a->file);
	kfree(a);
}

/* The op is not ours any more: no claim, no completion will reach it. A
 * request that has not started lets go of its file at once rather than when
 * the worker reaches it, so that closing a queue or exiting leaves no file
 * open behind the caller's back (an unlinked file's blocks are freed, an
 * unmount finds it closed). */
static void detach(struct aq_svc *a)
{
	struct file *f = NULL;

	spin_lock(&a->lock);
	a->op = NULL;
	if (!a->claimed) {
		f = a->file;
		a->file = NULL;
	}
	spin_unlock(&a->lock);
	if (f)
		file_put(f);
}

/* May the worker start? Only if the op is still attached and nobody
 * cancelled it: then it can no longer be cancelled. */
static bool claim(struct aq_svc *a)
{
	bool ok;

	spin_lock(&a->lock);
	ok = a->op && aq_op_claim(a->op);
	a->claimed = ok;
	spin_unlock(&a->lock);
	return ok;
}

static long xfer(struct aq_svc *a, uint64_t done)
{
	bool at_pos = a->offset == UINT64_MAX;
	struct uio u;

	uio_init_user(&u, a->addr + done, a->len - done, at_pos ? 0 : a->offset + done);
	if (a->write)
		return at_pos ? vfs_write(a->file, &u) : vfs_pwrite(a->file, &u);
	return at_pos ? vfs_read(a->file, &u) : vfs_pread(a->file, &u);
}

/* On the worker, in the owner's memory: the op's result. */
static long svc_run(struct svc_req *r)
{
	struct aq_svc *a = r->arg;
	uint64_t done = a->done;
	long n;

	if (!claim(a))
		return -ECANCELED; /* posted nowhere: the op is detached */
	if (!a->write)
		n = xfer(a, done);
	else
		do {
			n = xfer(a, done);
			if (n > 0)
				done += (uint64_t)n;
		} while (n > 0 && done < a->len);
	if (n == -ESVC || n == -EAGAIN)
		n = -EIO; /* cannot happen where blocking is allowed */
	if (!a->write)
		return n;
	if (!n && done < a->len)
		n = -EIO; /* a file that takes nothing and says nothing */
	return done ? (long)done : n;
}

/* On the worker once the request is over (-EIO if it faulted). */
static void svc_finish(struct svc_req *r, long result)
{
	struct aq_svc *a = r->arg;

	spin_lock(&a->lock);
	if (a->op)
		aq_op_event(a->op, result, true, 0, 0);
	spin_unlock(&a->lock);
	put(a);
}

long lx_aq_svc_start(struct thread *t, struct aq_op *op, struct file *f, bool write)
{
	struct aq_svc *a;
	int err;

	if (op->svc)
		return -EIO; /* handed over once already: the service answered -ESVC */
	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	spin_init(&a->lock, "aq-svc");
	a->op = op;
	a->refs = 2;
	a->file = file_get(f);
	a->addr = op->sqe.addr;
	a->len = op->sqe.len;
	a->offset = op->sqe.offset;
	a->done = op->done;
	a->write = write;
	a->r.fn = svc_run;
	a->r.arg = a;
	a->r.finish = svc_finish;
	a->r.vm = t->vm;
	vm_get(t->vm);
	op->svc = a;
	err = svc_submit_async(&svc_fs, &a->r);
	if (err) {
		op->svc = NULL;
		vm_put(t->vm);
		file_put(a->file);
		kfree(a);
		return err;
	}
	return -EPARKED;
}

void lx_aq_svc_disarm(struct aq_op *op)
{
	if (op->svc)
		detach(op->svc);
}

void lx_aq_svc_release(struct aq_op *op)
{
	struct aq_svc *a = op->svc;

	if (!a)
		return;
	op->svc = NULL;
	detach(a);
	put(a);
}
