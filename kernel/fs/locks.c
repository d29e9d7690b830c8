/*
 * Advisory file locks (contract in fs/locks.h).
 *
 * Model. Each vnode with locks has a lock_file holding a vnode reference and
 * its locks, unordered; every list is guarded by locks_lock. An owner's locks
 * of one class (POSIX/OFD, or flock) never overlap one another, so setting a
 * range touches at most one lock that strictly contains it (the only case
 * that splits one lock in two) and the memory a request can need is
 * allocated before the lock is taken: a new lock, a split half, a lock_file.
 * A lock_file whose last lock goes is unlinked and freed (with its vnode
 * reference) after locks_lock is dropped.
 *
 * Waiting: every waiter parks on locks_wait and every release wakes them all;
 * each retries its whole call (restart), so a wake never hands a lock over.
 * That is simple and fair enough for advisory locks, which are rarely
 * contended by more than a few processes.
 *
 * Lock order: locks_lock, then locks_wait.lock, then the allocator.
 */
#include <fs/locks.h>
#include <core/klog.h>
#include <core/slab.h>
#include <core/waitq.h>
#include <weft/errno.h>

struct lock_item {
	struct list link; /* in lock_file.items */
	enum locks_kind kind;
	enum locks_type type;
	uint64_t start, end;
	void *owner;
	int pid;
};

struct lock_file {
	struct list link;  /* in locks_files */
	struct vnode *vn;  /* holds a reference */
	struct list items; /* struct lock_item */
};

static struct spinlock locks_lock = SPINLOCK_INIT("locks");
static struct list locks_files = LIST_INIT(locks_files); /* locks_lock */
static unsigned long locks_nfiles;			   /* locks_lock; read racily */
static struct waitq locks_wait = {SPINLOCK_INIT("locks-wait"), LIST_INIT(locks_wait.waiters)};

#define DEADLOCK_DEPTH 16 /* how far a chain of waiters is followed */

unsigned long locks_nr_files(void)
{
	return __atomic_load_n(&locks_nfiles, __ATOMIC_RELAXED);
}

static struct lock_item *item_of(struct list *l)
{
	return list_entry(l, struct lock_item, link);
}

static struct lock_file *find_locked(struct vnode *vn)
{
	struct list *it;

	list_for_each(it, &locks_files) {
		struct lock_file *lf = list_entry(it, struct lock_file, link);
		if (lf->vn == vn)
			return lf;
	}
	return NULL;
}

/* POSIX and OFD locks see each other; flock locks only see flock locks. */
static bool same_class(enum locks_kind a, enum locks_kind b)
{
	return (a == LOCKS_FLOCK) == (b == LOCKS_FLOCK);
}

static bool overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

static bool mine(const struct lock_item *i, const struct locks_req *r)
{
	return i->owner == r->owner && same_class(i->kind, r->kind);
}

static struct lock_item *first_conflict_locked(struct lock_file *lf, const struct locks_req *r)
{
	struct list *it;

	if (!lf || r->type == LOCKS_UN)
		return NULL;
	list_for_each(it, &lf->items) {
		struct lock_item *i = item_of(it);
		if (!mine(i, r) && same_class(i->kind, r->kind) &&
		    overlap(i->start, i->end, r->start, r->end) &&
		    (i->type == LOCKS_WR || r->type == LOCKS_WR))
			return i;
	}
	return NULL;
}

/* Touching ranges: [s1, e1] ends right before [s2, e2] starts, or after. */
static bool adjacent(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return (e1 != LOCKS_EOF && e1 + 1 == s2) || (e2 != LOCKS_EOF && e2 + 1 == s1);
}

/* Cut r's range out of i, an owner's lock of another type; *split is used
 * (and cleared) if i strictly contains the range. */
static void cut_locked(struct lock_item *i, const struct locks_req *r, struct lock_item **split)
{
	if (i->start < r->start && i->end > r->end) {
		struct lock_item *hi = *split;
		*split = NULL;
		*hi = *i;
		hi->start = r->end + 1;
		i->end = r->start - 1;
		list_add(&i->link, &hi->link);
	} else if (i->start < r->start) {
		i->end = r->start - 1;
	} else if (i->end > r->end) {
		i->start = r->end + 1;
	} else {
		list_del(&i->link);
		kfree(i);
	}
}

/* Replace the owner's locks in r's range by r (no conflict: checked). */
static void apply_locked(struct lock_file *lf, const struct locks_req *r, struct lock_item **fresh,
			 struct lock_item **split)
{
	uint64_t s = r->start, e = r->end;
	struct list *it, *tmp;

	list_for_each_safe(it, tmp, &lf->items) {
		struct lock_item *i = item_of(it);
		bool over = overlap(i->start, i->end, r->start, r->end);
		if (!mine(i, r) || (!over && !adjacent(i->start, i->end, s, e)))
			continue;
		if (i->type == r->type) { /* merge into the new lock */
			s = i->start < s ? i->start : s;
			e = i->end > e ? i->end : e;
			list_del(&i->link);
			kfree(i);
		} else if (over) {
			cut_locked(i, r, split);
		}
	}
	if (r->type == LOCKS_UN)
		return;
	(*fresh)->kind = r->kind;
	(*fresh)->type = r->type;
	(*fresh)->start = s;
	(*fresh)->end = e;
	(*fresh)->owner = r->owner;
	(*fresh)->pid = r->pid;
	list_add_tail(&lf->items, &(*fresh)->link);
	*fresh = NULL;
}

/* Does the chain of parked waiters starting at holder lead back to me? */
static bool deadlock_locked(void *me, void *holder)
{
	kassert(spin_held(&locks_wait.lock));
	for (int depth = 0; depth < DEADLOCK_DEPTH; depth++) {
		struct list *it;
		void *next = NULL;
		list_for_each(it, &locks_wait.waiters) {
			struct waiter *w = list_entry(it, struct waiter, link);
			if ((void *)w->t->wait[4] == holder) {
				next = (void *)w->t->wait[5];
				break;
			}
		}
		if (!next)
			return false;
		if (next == me)
			return true;
		holder = next;
	}
	return false;
}

static long park_locked(const struct locks_req *r, void *holder, struct thread *t,
			thread_cont_t cont)
{
	long err = -EPARKED;

	spin_lock(&locks_wait.lock);
	if (r->kind == LOCKS_POSIX && deadlock_locked(r->owner, holder)) {
		err = -EDEADLK;
	} else {
		t->wait[4] = (uint64_t)r->owner;
		t->wait[5] = (uint64_t)holder;
		waitq_park_locked(&locks_wait, t, cont, 0);
	}
	spin_unlock(&locks_wait.lock);
	return err;
}

/* Unlink lf if it has no lock left: the caller frees it after the lock. */
static struct lock_file *drop_if_empty_locked(struct lock_file *lf)
{
	if (!lf || !list_empty(&lf->items))
		return NULL;
	list_del(&lf->link);
	locks_nfiles--;
	return lf;
}

static void lock_file_free(struct lock_file *lf)
{
	if (lf) {
		vnode_put(lf->vn);
		kfree(lf);
	}
}

long locks_set(struct vnode *vn, struct file *f, const struct locks_req *r, struct thread *t,
	       thread_cont_t cont)
{
	struct lock_item *fresh = kzalloc(sizeof(*fresh)), *split = kzalloc(sizeof(*split));
	struct lock_file *nlf = kzalloc(sizeof(*nlf)), *lf, *dead = NULL;
	struct lock_item *c;
	long err = 0;

	if (!fresh || !split || !nlf) {
		err = -ENOMEM;
		goto out_free;
	}
	spin_lock(&locks_lock);
	lf = find_locked(vn);
	c = first_conflict_locked(lf, r);
	if (c) {
		err = t ? park_locked(r, c->owner, t, cont) : -EAGAIN;
		spin_unlock(&locks_lock);
		goto out_free;
	}
	if (!lf && r->type != LOCKS_UN) {
		lf = nlf;
		nlf = NULL;
		lf->vn = vnode_get(vn);
		list_init(&lf->items);
		list_add_tail(&locks_files, &lf->link);
		locks_nfiles++;
	}
	if (lf)
		apply_locked(lf, r, &fresh, &split);
	if (f && r->kind != LOCKS_POSIX && r->type != LOCKS_UN)
		f->has_locks = true;
	dead = drop_if_empty_locked(lf);
	spin_unlock(&locks_lock);
	waitq_wake(&locks_wait, -1, 0);
out_free:
	kfree(fresh);
	kfree(split);
	kfree(nlf);
	lock_file_free(dead);
	return err;
}

void locks_test(struct vnode *vn, struct locks_req *r)
{
	struct lock_item *c;

	spin_lock(&locks_lock);
	c = first_conflict_locked(find_locked(vn), r);
	if (c) {
		r->kind = c->kind;
		r->type = c->type;
		r->start = c->start;
		r->end = c->end;
		r->owner = c->owner;
		r->pid = c->pid;
	} else {
		r->type = LOCKS_UN;
	}
	spin_unlock(&locks_lock);
}

/* Drop the locks of lf that match(owner); unlink lf if it became empty. */
static struct lock_file *drop_owner_locked(struct lock_file *lf, void *owner, bool posix)
{
	struct list *it, *tmp;

	list_for_each_safe(it, tmp, &lf->items) {
		struct lock_item *i = item_of(it);
		if (i->owner == owner && (i->kind == LOCKS_POSIX) == posix) {
			list_del(&i->link);
			kfree(i);
		}
	}
	return drop_if_empty_locked(lf);
}

/* Drop owner's locks on vn (NULL: everywhere), then wake the waiters. */
static void release(struct vnode *vn, void *owner, bool posix)
{
	struct list dead = LIST_INIT(dead), *it, *tmp;

	if (!locks_nr_files())
		return;
	spin_lock(&locks_lock);
	list_for_each_safe(it, tmp, &locks_files) {
		struct lock_file *lf = list_entry(it, struct lock_file, link);
		if ((!vn || lf->vn == vn) && drop_owner_locked(lf, owner, posix))
			list_add_tail(&dead, &lf->link);
	}
	spin_unlock(&locks_lock);
	waitq_wake(&locks_wait, -1, 0);
	while ((it = list_pop(&dead)) != NULL)
		lock_file_free(list_entry(it, struct lock_file, link));
}

void locks_release_owner(struct vnode *vn, void *owner)
{
	release(vn, owner, true);
}

void locks_file_released(struct file *f)
{
	release(f->vn, f, false);
}
