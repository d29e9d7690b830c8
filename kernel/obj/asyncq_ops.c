/*
 * The AsyncQ op kinds built on kernel objects: nop, timer, vmo read/write and
 * wait for an object signal (the state machine is asyncq.c; fd ops live in
 * the Linux personality, kernel/linux/lx_aq.c). Each run decodes the op's
 * handle in the caller's table with the right the op needs, so a missing
 * right is the op's -EACCES completion, not a submit error.
 */
#include <obj/asyncq.h>
#include <obj/proc.h>
#include <obj/vmo.h>
#include <hal/cpu.h>
#include <weft/errno.h>

#define MIN_PERIOD_NS 10000ull

static long nop_run(struct thread *t, struct aq_op *op)
{
	(void)t;
	(void)op;
	return 0;
}

const struct aq_kind aq_kind_nop = {.run = nop_run};

/* ---- timer: one completion, or one per expiry with WEFT_AQ_CQE_MORE ---- */

static void timer_fired(struct ktimer *kt)
{
	struct aq_op *op = kt->arg;
	uint64_t now, n;

	if (!op->period) {
		aq_op_event(op, 1, true, 0, 0);
		return;
	}
	now = hal_time_ns();
	/* expiries since the last one (missed periods are counted, not replayed) */
	n = now > op->deadline ? (now - op->deadline) / op->period + 1 : 1;
	op->deadline += n * op->period;
	if (aq_op_event(op, (long)n, false, WEFT_AQ_CQE_MORE, 0))
		ktimer_arm(&op->kt, op->deadline);
}

static long timer_run(struct thread *t, struct aq_op *op)
{
	const struct weft_aq_sqe *s = &op->sqe;
	/* a relative deadline counts from the submit call, so the timers of one
	 * batch keep their order however long the batch takes; a timer started
	 * later (linked behind another op) counts from its start */
	uint64_t now = op->deadline ? op->deadline : hal_time_ns();

	(void)t;
	if (s->op_flags & ~WEFT_AQ_TIMER_ABS || (s->arg && s->arg < MIN_PERIOD_NS))
		return -EINVAL;
	op->period = s->arg;
	if (s->op_flags & WEFT_AQ_TIMER_ABS)
		op->deadline = s->deadline;
	else
		op->deadline = s->deadline > UINT64_MAX - now ? UINT64_MAX : now + s->deadline;
	ktimer_init(&op->kt, timer_fired, op);
	ktimer_arm(&op->kt, op->deadline);
	return -EPARKED;
}

static void timer_disarm(struct aq_op *op)
{
	ktimer_cancel_sync(&op->kt);
}

const struct aq_kind aq_kind_timer = {.run = timer_run, .disarm = timer_disarm, .under_lock = true};

/* ---- vmo read / write: done at once ---- */

static long vmo_rw_run(struct thread *t, struct aq_op *op, bool write)
{
	const struct weft_aq_sqe *s = &op->sqe;
	struct kobject *o;
	long err = handle_get(&t->proc->handles, s->handle, WEFT_OBJ_VMO,
			      write ? WEFT_RIGHT_WRITE : WEFT_RIGHT_READ, &o, NULL);

	if (err)
		return err;
	if (s->op_flags || s->len > 0x7ffff000 || !uaccess_ok(s->addr, s->len))
		err = s->op_flags ? -EINVAL : -EFAULT;
	else if (write)
		err = vmo_write(vmo_from_obj(o), s->offset, s->addr, s->len);
	else
		err = vmo_read(vmo_from_obj(o), s->offset, s->addr, s->len);
	kobject_put(o);
	return err ? err : (long)s->len;
}

static long vmo_read_run(struct thread *t, struct aq_op *op)
{
	return vmo_rw_run(t, op, false);
}

static long vmo_write_run(struct thread *t, struct aq_op *op)
{
	return vmo_rw_run(t, op, true);
}

const struct aq_kind aq_kind_vmo_read = {.run = vmo_read_run};
const struct aq_kind aq_kind_vmo_write = {.run = vmo_write_run};

/* ---- wait for an object signal: result and signals are what was seen ---- */

/* signals 0: the handle the op waits through was closed (obj/object.h) */
static void wait_fired(struct kobject_observer *ob, uint32_t signals)
{
	aq_op_event(ob->arg, signals ? (long)signals : -ECANCELED, true, 0, signals);
}

static long wait_run(struct thread *t, struct aq_op *op)
{
	const struct weft_aq_sqe *s = &op->sqe;
	long hit, err;

	if (!s->arg || s->arg >> 32 || s->op_flags)
		return -EINVAL;
	err =
	    handle_get(&t->proc->handles, s->handle, WEFT_OBJ_ANY, WEFT_RIGHT_WAIT, &op->obj, NULL);
	if (err)
		return err;
	op->ob.fn = wait_fired;
	op->ob.mask = (uint32_t)s->arg;
	op->ob.arg = op;
	op->ob.via = handle_via(&t->proc->handles, s->handle);
	hit = kobject_observe(op->obj, &op->ob);
	if (!hit)
		return -EPARKED;
	if (hit > 0)
		op->signals = (uint32_t)hit;
	return hit; /* the signals, or -EBADF: closed since the decode */
}

static void wait_disarm(struct aq_op *op)
{
	kobject_unobserve(&op->ob);
}

static void wait_release(struct aq_op *op)
{
	kobject_put(op->obj);
}

const struct aq_kind aq_kind_wait = {
    .run = wait_run, .disarm = wait_disarm, .release = wait_release};
