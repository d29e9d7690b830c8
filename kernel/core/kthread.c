/*
 * Kernel threads: a thread block plus a guarded kernel stack; they run with
 * interrupts enabled and switch classically. A kernel thread ends by returning
 * from its function (or calling kthread_exit_current); its stack and block are
 * freed by the scheduler once it has switched away for the last time.
 */
#include <core/kthread.h>
#include <core/kstack.h>
#include <core/slab.h>
#include <core/klog.h>

static void kthread_release(struct thread *t)
{
	kstack_free(t->kstack);
	kfree(t);
}

static void kthread_start(void *arg)
{
	struct thread *t = arg;
	void (*fn)(void *) = (void (*)(void *))t->wait[0];

	hal_irq_enable();	/* kernel threads run with interrupts on */
	fn((void *)t->wait[1]);
	kthread_exit_current();
}

struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->kstack = kstack_alloc();
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->kind = THREAD_KERNEL;
	t->name = name;
	t->fp_cpu = -1;
	t->release = kthread_release;
	t->wait[0] = (uint64_t)fn;
	t->wait[1] = (uint64_t)arg;
	list_init(&t->rq_link);
	list_init(&t->wnode.link);
	t->wnode.t = t;
	ktimer_init(&t->timer, NULL, t);
	hal_kctx_init(&t->kctx, (char *)t->kstack + KSTACK_SIZE, kthread_start, t);
	sched_add_new(t);
	return t;
}

void kthread_restart_current(void)
{
	struct thread *t = current();

	hal_irq_save();
	hal_kctx_init(&t->kctx, (char *)t->kstack + KSTACK_SIZE, kthread_start, t);
	hal_kctx_load(&t->kctx);
}

void kthread_exit_current(void)
{
	hal_irq_save();
	current()->dead = true;
	sched_block_kthread();
	panic("kthread: a dead thread ran again");
}
