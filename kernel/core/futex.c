/*
 * Futex wait queues (model in futex.h). A waiter's key and bitset ride in its
 * wait node (t->wnode.key). The value check and the park happen
 * under the bucket lock, and wakers take the same lock, so a wake between a
 * user's store and its futex_wait is never lost. The user word is read under
 * that spinlock without faulting: the page is faulted in first (outside the
 * lock), and the read goes through the direct map under the address space's
 * lock (bucket lock, then vm lock), so a page that vanished in between gives
 * -EFAULT rather than a wait on garbage. (Not with sstatus.SUM: QEMU flushes
 * its whole software TLB each time SUM changes.)
 */
#include <core/futex.h>
#include <core/waitq.h>
#include <core/vm.h>
#include <core/klog.h>
#include <weft/errno.h>

#define FUTEX_BUCKETS 256

static struct waitq buckets[FUTEX_BUCKETS];
static int buckets_ready;

static struct waitq *bucket_of(const struct futex_key *k)
{
	uint64_t h = (k->a * 0x9e3779b97f4a7c15ull) ^ (k->b >> 2) ^ (k->b >> 13);

	if (!__atomic_load_n(&buckets_ready, __ATOMIC_ACQUIRE)) {
		static struct spinlock init_lock = SPINLOCK_INIT("futex-init");
		spin_lock(&init_lock);
		if (!buckets_ready) {
			for (int i = 0; i < FUTEX_BUCKETS; i++)
				waitq_init(&buckets[i], "futex");
			__atomic_store_n(&buckets_ready, 1, __ATOMIC_RELEASE);
		}
		spin_unlock(&init_lock);
	}
	return &buckets[h % FUTEX_BUCKETS];
}

int futex_key(struct thread *t, uaddr_t uaddr, bool shared, struct futex_key *key)
{
	uint32_t v;
	pte_t *pte;

	if (uaddr & 3)
		return -EINVAL;
	if (copy_from_user(&v, uaddr, sizeof(v)))	/* faults the page in */
		return -EFAULT;
	/* Like Linux, a "shared" futex in private memory is still keyed by address
	 * space and address; only shared mappings key by the physical word. */
	if (!shared || !vm_is_shared(t->vm, uaddr)) {
		key->a = t->vm->id;
		key->b = uaddr;
		return 0;
	}
	pte = hal_pt_lookup(t->vm->root, uaddr & PAGE_MASK, false);
	if (!pte || !hal_pte_present(*pte))
		return -EFAULT;
	key->a = 0;
	key->b = hal_pte_pa(*pte) + (uaddr & (PAGE_SIZE - 1));
	return 0;
}

/* Read the user word without faulting (the caller may hold a spinlock). */
static int read_word(uaddr_t uaddr, uint32_t *val)
{
	return copy_from_user_nofault(val, uaddr, sizeof(*val));
}

static long wait_cont(struct thread *t)
{
	long r = t->wake_result;

	hal_tf_set_ret(&t->tf, r == -ETIMEDOUT || r == -EINTR ? r : 0);
	return 0;
}

long futex_wait(struct thread *t, const struct futex_key *key, uaddr_t uaddr, uint32_t val,
		uint32_t bitset, uint64_t deadline_ns)
{
	struct waitq *wq = bucket_of(key);
	uint32_t cur;
	int err;

	if (deadline_ns && deadline_ns <= hal_time_ns())
		return -ETIMEDOUT;
	spin_lock(&wq->lock);
	err = read_word(uaddr, &cur);
	if (err || cur != val) {
		spin_unlock(&wq->lock);
		return err ? err : -EAGAIN;
	}
	t->wnode.key[0] = key->a;
	t->wnode.key[1] = key->b;
	t->wnode.key[2] = bitset;
	waitq_park_locked(wq, t, wait_cont, deadline_ns);
	spin_unlock(&wq->lock);
	return -EPARKED;
}

static bool matches(const struct waiter *w, const struct futex_key *k, uint32_t bitset)
{
	return w->key[0] == k->a && w->key[1] == k->b && (w->key[2] & bitset);
}

static int wake_locked(struct waitq *wq, const struct futex_key *k, int n, uint32_t bitset)
{
	struct list *it, *tmp;
	int woken = 0;

	list_for_each_safe(it, tmp, &wq->waiters) {
		struct waiter *w = list_entry(it, struct waiter, link);
		if (woken >= n)
			break;
		if (!matches(w, k, bitset))
			continue;
		list_del(&w->link);
		w->wq = NULL;
		if (thread_wake(w->t, w->gen, 0))
			woken++;
	}
	return woken;
}

int futex_wake(const struct futex_key *key, int n, uint32_t bitset)
{
	struct waitq *wq = bucket_of(key);
	int woken;

	if (n <= 0)
		return 0;
	spin_lock(&wq->lock);
	woken = wake_locked(wq, key, n, bitset);
	spin_unlock(&wq->lock);
	return woken;
}

static int requeue_locked(struct waitq *from, struct waitq *to, const struct futex_key *k1,
			  const struct futex_key *k2, int nreq)
{
	struct list *it, *tmp;
	int moved = 0;

	list_for_each_safe(it, tmp, &from->waiters) {
		struct waiter *w = list_entry(it, struct waiter, link);
		if (moved >= nreq)
			break;
		if (!matches(w, k1, ~0u))
			continue;
		list_del(&w->link);
		w->key[0] = k2->a;
		w->key[1] = k2->b;
		list_add_tail(&to->waiters, &w->link);
		__atomic_store_n(&w->wq, to, __ATOMIC_RELEASE);
		moved++;
	}
	return moved;
}

long futex_requeue(struct thread *t, const struct futex_key *k1, const struct futex_key *k2,
		   int nwake, int nreq, uaddr_t uaddr, bool check, uint32_t cmpval)
{
	struct waitq *a = bucket_of(k1), *b = bucket_of(k2);
	long done = 0;
	uint32_t cur;

	if (nwake < 0 || nreq < 0)
		return -EINVAL;
	spin_lock_pair(&a->lock, &b->lock);
	if (check) {
		int err = read_word(uaddr, &cur);
		if (err || cur != cmpval) {
			spin_unlock_pair(&a->lock, &b->lock);
			return err ? -EFAULT : -EAGAIN;
		}
	}
	done = wake_locked(a, k1, nwake, ~0u);
	done += requeue_locked(a, b, k1, k2, nreq);
	spin_unlock_pair(&a->lock, &b->lock);
	return done;
}
