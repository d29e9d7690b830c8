/*
 * Process objects (model in obj/process.h).
 */
#include <obj/process.h>
#include <core/slab.h>
#include <hal/cpu.h>
#include <weft/errno.h>

/* uapi/weft/spawn.h's WEFT_EXIT_KILLED */
#define EXIT_KILLED (-1024)

static void procobj_destroy(struct kobject *o)
{
	kfree(kobject_entry(o, struct procobj, obj));
}

static const struct kobject_ops procobj_ops = {
    .type = WEFT_OBJ_PROCESS,
    .name = "process",
    .destroy = procobj_destroy,
};

struct procobj *procobj_from_obj(struct kobject *o)
{
	if (!o || o->ops != &procobj_ops)
		return NULL;
	return kobject_entry(o, struct procobj, obj);
}

int procobj_get(struct proc *p, struct procobj **out)
{
	struct procobj *n = kzalloc(sizeof(*n)), *po = NULL;
	int err = 0;

	if (!n)
		return -ENOMEM;
	kobject_init(&n->obj, &procobj_ops); /* this reference is p's */
	spin_init(&n->lock, "procobj");
	n->p = p;
	spin_lock(&p->lock);
	if (p->group_exit && !p->pobj) {
		err = -ESRCH;
	} else {
		if (!p->pobj)
			p->pobj = &n->obj; /* n's first reference is p's */
		po = kobject_entry(p->pobj, struct procobj, obj);
		kobject_get(&po->obj);
		*out = po;
	}
	spin_unlock(&p->lock);
	if (err || po != n)
		kfree(n);
	return err;
}

void procobj_exited(struct proc *p, int status)
{
	spin_lock(&p->lock);
	struct kobject *o = p->pobj;
	p->pobj = NULL;
	spin_unlock(&p->lock);
	if (!o)
		return;
	struct procobj *po = kobject_entry(o, struct procobj, obj);
	spin_lock(&po->lock);
	po->p = NULL;
	po->exited = true;
	po->code = (status & 0x7f) ? EXIT_KILLED : (status >> 8) & 0xff;
	spin_unlock(&po->lock);
	kobject_signal(o, 0, WEFT_SIG_TERMINATED);
	kobject_put(o);
}

int procobj_status(struct procobj *po, long *code)
{
	int err = -EAGAIN;

	spin_lock(&po->lock);
	if (po->exited) {
		*code = po->code;
		err = 0;
	}
	spin_unlock(&po->lock);
	return err;
}

void proc_kick_threads(struct proc *p, struct thread *self)
{
	struct list *it;

	spin_lock(&p->lock);
	list_for_each(it, &p->threads) {
		struct thread *o = list_entry(it, struct thread, proc_link);
		if (o == self)
			continue;
		if (thread_interrupt(o, -EINTR))
			continue;
		if (o->cpu != this_cpu()->id)
			hal_send_ipi(o->cpu); /* running: make it enter the kernel */
	}
	spin_unlock(&p->lock);
}

int procobj_kill(struct procobj *po)
{
	int err = 0;

	/* po->lock keeps p from being freed: procobj_exited clears po->p under
	 * it before the process can be reaped */
	spin_lock(&po->lock);
	struct proc *p = po->p;
	if (!p) {
		err = -ESRCH;
	} else {
		spin_lock(&p->lock);
		if (!p->group_exit) {
			p->group_exit = true;
			p->group_status = 9; /* SIGKILL's wait status */
		}
		spin_unlock(&p->lock);
	}
	if (p)
		proc_kick_threads(p, current());
	spin_unlock(&po->lock);
	return err;
}
